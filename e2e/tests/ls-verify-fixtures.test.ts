// `strata ls` and `strata verify` (the built CLI, as real processes) on every fixture location.
// Oracle: the per-folder manifest.json files themselves, read here with plain JSON.parse.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixturesRoot, strataBin } from './paths.js';

const run = promisify(execFile);

interface RawManifest {
  type: string;
  since: number;
  backup_id: string;
  backup_num: number;
  groups: Record<string, string[]>;
}

const sets = readdirSync(fixturesRoot)
  .filter((s) => existsSync(path.join(fixturesRoot, s, 'expected')))
  .sort();

function manifestsOf(set: string): (RawManifest & { folder: string })[] {
  const dir = path.join(fixturesRoot, set);
  return readdirSync(dir)
    .filter((f) => f.startsWith('dgraph.'))
    .sort()
    .map((folder) => ({
      folder,
      ...(JSON.parse(readFileSync(path.join(dir, folder, 'manifest.json'), 'utf8')) as RawManifest),
    }));
}

describe('strata ls / verify on every fixture location', () => {
  it('finds the fixture sets', () => {
    expect(sets.length).toBeGreaterThanOrEqual(3);
  });

  for (const set of sets) {
    it(`ls ${set}`, async () => {
      const { stdout } = await run(process.execPath, [
        strataBin,
        'ls',
        path.join(fixturesRoot, set),
        '--json',
      ]);
      const list = JSON.parse(stdout) as {
        backupId: string;
        backupNum: number;
        readTs: number;
        type: string;
        path: string;
        groups: { groupId: number; predicates: string[] }[];
      }[];
      const want = manifestsOf(set);
      expect(list.map((b) => [b.path, b.backupId, b.backupNum, b.type, b.readTs])).toEqual(
        want.map((m) => [m.folder, m.backup_id, m.backup_num, m.type, m.since]),
      );
      list.forEach((b, i) => {
        const groups = Object.fromEntries(b.groups.map((g) => [String(g.groupId), [...g.predicates].sort()]));
        const expected = Object.fromEntries(
          Object.entries(want[i]!.groups).map(([g, p]) => [g, [...(p ?? [])].sort()]),
        );
        expect(groups).toEqual(expected);
      });
    });

    it(`verify ${set}`, async () => {
      const { stdout } = await run(process.execPath, [
        strataBin,
        'verify',
        path.join(fixturesRoot, set),
        '--json',
      ]);
      // --json: one event per line, the report in the last one (the summary).
      const report = JSON.parse(stdout.trim().split('\n').pop()!) as {
        ok: boolean;
        backups: { ok: boolean; files: { ok: boolean; kvs: number }[] }[];
      };
      expect(report.ok).toBe(true);
      const want = manifestsOf(set);
      const newest = want[want.length - 1]!.backup_id;
      expect(report.backups).toHaveLength(want.filter((m) => m.backup_id === newest).length);
      for (const b of report.backups) {
        expect(b.ok).toBe(true);
        for (const f of b.files) expect(f.kvs).toBeGreaterThan(0);
      }
    });
  }
});
