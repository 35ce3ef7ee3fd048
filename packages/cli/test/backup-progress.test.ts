// `strata backup`'s progress (src/commands/backup.ts `follow`): the Alpha's backupProgress polled
// into plan / write / manifest phases, with the JSON events --json prints.
import { describe, expect, it } from 'vitest';
import type { BackupProgressReport } from '@strata/core';
import { follow } from '../src/commands/backup.js';
import { Progress } from '../src/progress.js';

function report(phase: string, bytesDone: number, done: boolean[]): BackupProgressReport {
  return {
    taskId: 'backup-2',
    running: true,
    phase,
    type: 'full',
    backupId: 'b',
    backupNum: 1,
    bytesDone,
    seconds: 1,
    groups: done.map((d, i) => ({ group: i + 1, bytesDone: bytesDone / done.length, done: d })),
  };
}

describe('strata backup progress', () => {
  it('follows the running backup through its phases; the previous task and a finished one are ignored', async () => {
    const answers: (BackupProgressReport | undefined)[] = [
      { ...report('done', 999, [true]), taskId: 'backup-1', running: false }, // the last backup, not ours
      report('plan', 0, []),
      report('groups', 1000, [false, false]),
      report('groups', 5000, [true, false]),
      report('manifest', 8000, [true, true]),
    ];
    let polls = 0;
    let finish!: () => void;
    const answer = new Promise<void>((r) => (finish = r));
    const admin = {
      backupProgress: async () => {
        const a = answers[polls++];
        if (polls === answers.length) setTimeout(finish, 5);
        return a;
      },
    };
    const lines: string[] = [];
    let t = 0;
    const progress = new Progress({
      command: 'backup',
      json: true,
      stdout: { write: (s: string) => lines.push(s) },
      now: () => (t += 100),
      tickMs: 0,
    });
    await follow(admin, 'backup-1', progress, answer, 1);
    progress.done({ response: { code: 'Success' } }, '');
    const events = lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'start').map((e) => e.phase)).toEqual([
      'backup',
      'plan',
      'write',
      'manifest',
    ]);
    const write = events.find((e) => e.event === 'end' && e.phase === 'write');
    expect(write).toMatchObject({ ok: true, bytesDone: 5000, items: 1, itemsTotal: 2 });
    expect(events.at(-1)).toMatchObject({ event: 'summary', ok: true, response: { code: 'Success' } });
  });

  it("an Alpha without backupProgress (Dgraph's) leaves the one backup phase", async () => {
    const lines: string[] = [];
    const progress = new Progress({
      command: 'backup',
      json: true,
      stdout: { write: (s: string) => lines.push(s) },
    });
    const answer = new Promise<void>((r) => setTimeout(r, 30));
    await follow({ backupProgress: async () => undefined }, undefined, progress, answer, 1);
    progress.done({}, '');
    const phases = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.event === 'start');
    expect(phases.map((e) => e.phase)).toEqual(['backup']);
  });
});
