/**
 * progress.ts on fake streams and a fake clock: exactly what a terminal, a pipe and --json get.
 */
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDuration,
  JSON_PROGRESS_MS,
  Progress,
  progressHelp,
  type ProgressOptions,
} from '../src/progress.js';

/** A fake stream that records every write. */
function sink(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, isTTY, columns, write: (s: string) => writes.push(s) };
}

/** A Progress on fake stdout/stderr with a clock the test moves (ms). */
function setup(opts: { tty: boolean; json?: boolean; columns?: number } & Partial<ProgressOptions>) {
  const out = sink(false);
  const err = sink(opts.tty, opts.columns);
  const clock = { t: 1_000_000 };
  const progress = new Progress({
    command: 'restore',
    itemNames: { load: 'files' },
    tickMs: 0,
    ...opts,
    stdout: out,
    stderr: err,
    now: () => clock.t,
  });
  return { progress, out, err, clock };
}

const CLEAR = '\r\x1b[K';

describe('formatBytes and formatDuration', () => {
  it('binary units with one decimal, whole bytes below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
  it('seconds, minutes, hours', () => {
    expect(formatDuration(7.4)).toBe('7s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3720)).toBe('1h02m');
  });
});

describe('Progress on a terminal (stderr is a TTY, no --json)', () => {
  it('draws a bar with bytes, rate, ETA and items, erases it at the end, prints the text', () => {
    const { progress, out, err, clock } = setup({ tty: true, columns: 100 });
    expect(progress.active).toBe(true);
    progress.begin('load', { bytesTotal: 2048, itemsTotal: 2 });
    clock.t += 1000;
    progress.update({ phase: 'load', bytesDone: 1024, items: 1 });
    clock.t += 50; // within the redraw interval: not drawn
    progress.update({ phase: 'load', bytesDone: 1536, items: 1 });
    clock.t += 950;
    progress.update({ phase: 'load', bytesDone: 2048, items: 2 });
    progress.done({ ok: true }, 'restored\n');
    expect(err.writes).toEqual([
      `${CLEAR}load  [--------------------]  0%  0 B / 2.0 KiB  0s  0/2 files`,
      `${CLEAR}load  [##########----------]  50%  1.0 KiB / 2.0 KiB  1.0 KiB/s  ETA 1s  1/2 files`,
      `${CLEAR}load  [####################]  100%  2.0 KiB / 2.0 KiB  1.0 KiB/s  2s  2/2 files`,
      CLEAR,
    ]);
    expect(out.writes).toEqual(['restored\n']);
  });

  it('without a total: bytes, rate and elapsed time, no percentage and no ETA', () => {
    const { progress, err, clock } = setup({ tty: true, itemNames: { export: 'facts' } });
    progress.begin('export');
    clock.t += 2000;
    progress.update({ phase: 'export', bytesDone: 4096, items: 1234 });
    expect(err.writes[1]).toBe(`${CLEAR}export  4.0 KiB  2.0 KiB/s  2s  1,234 facts`);
    expect(err.writes.join('')).not.toMatch(/%|ETA/);
  });

  it('a new phase erases the last one', () => {
    const { progress, err, clock } = setup({ tty: true });
    progress.begin('check');
    clock.t += 3000;
    progress.update({ phase: 'load', bytesDone: 0, bytesTotal: 10 * 1024 ** 2, items: 0, itemsTotal: 7 });
    expect(err.writes).toEqual([
      `${CLEAR}check  0s`,
      CLEAR,
      `${CLEAR}load  [--------------------]  0%  0 B / 10.0 MiB  0s  0/7 files`,
    ]);
  });

  it('fits the terminal: a shorter bar, then no bar, then the line cut (80 columns without a size)', () => {
    const draw = (columns: number | undefined) => {
      const { progress, err, clock } = setup({ tty: true, columns });
      progress.begin('load', { bytesTotal: 4 * 1024 ** 2, itemsTotal: 12 });
      clock.t += 4000;
      progress.update({ phase: 'load', bytesDone: 1024 ** 2, items: 3 });
      return err.writes[1]!.slice(CLEAR.length);
    };
    const full = 'load  [#####---------------]  25%  1.0 MiB / 4.0 MiB  256.0 KiB/s  ETA 12s  3/12 files';
    expect(full.length).toBe(86);
    expect(draw(120)).toBe(full);
    expect(draw(undefined)).toBe(
      'load  [###----------]  25%  1.0 MiB / 4.0 MiB  256.0 KiB/s  ETA 12s  3/12 files',
    );
    expect(draw(0)).toBe(draw(undefined)); // a pty without a size
    expect(draw(70)).toBe('load  25%  1.0 MiB / 4.0 MiB  256.0 KiB/s  ETA 12s  3/12 files');
    expect(draw(40)).toBe('load  25%  1.0 MiB / 4.0 MiB  256.0 KiB'); // 39 characters
  });

  it('a bar narrowed to fit is not widened again in the phase (no jitter)', () => {
    const { progress, err, clock } = setup({ tty: true, columns: 80 });
    progress.begin('load', { bytesTotal: 4 * 1024 ** 2, itemsTotal: 12 });
    clock.t += 4000;
    progress.update({ phase: 'load', bytesDone: 1024 ** 2, items: 3 }); // 86 characters with a full bar
    clock.t += 60_000;
    progress.update({ phase: 'load', bytesDone: 4 * 1024 ** 2, items: 12 }); // would fit a full bar
    expect(err.writes.slice(1).map((w) => w.slice(CLEAR.length))).toEqual([
      'load  [###----------]  25%  1.0 MiB / 4.0 MiB  256.0 KiB/s  ETA 12s  3/12 files',
      'load  [#############]  100%  4.0 MiB / 4.0 MiB  64.0 KiB/s  1m04s  12/12 files',
    ]);
  });

  it('a failure erases the bar and prints nothing on stdout (the error goes to stderr from main)', () => {
    const { progress, out, err } = setup({ tty: true });
    progress.begin('check');
    progress.fail(new Error('no such location'));
    expect(err.writes).toEqual([`${CLEAR}check  0s`, CLEAR]);
    expect(out.writes).toEqual([]);
  });

  it('redraws on its own every tickMs while a phase runs, and stops when it ends', async () => {
    const { progress, err } = setup({ tty: true, tickMs: 20 });
    progress.begin('check');
    await new Promise((r) => setTimeout(r, 110));
    progress.done({}, '');
    const n = err.writes.length;
    expect(n).toBeGreaterThanOrEqual(4); // the first draw, ticks, the final erase
    await new Promise((r) => setTimeout(r, 60));
    expect(err.writes.length).toBe(n);
  });
});

describe('Progress when piped (stderr is not a TTY, no --json)', () => {
  it('writes nothing but the command text', async () => {
    const { progress, out, err, clock } = setup({ tty: false });
    expect(progress.active).toBe(false);
    progress.begin('check');
    clock.t += 5000;
    progress.update({ phase: 'load', bytesDone: 100, bytesTotal: 200, items: 1, itemsTotal: 2 });
    await progress.follow(
      (async function* () {
        yield { phase: 'zero', bytesDone: 0 };
      })(),
    );
    progress.done({ ok: true, groups: 3 }, 'report\n');
    expect(err.writes).toEqual([]);
    expect(out.writes).toEqual(['report\n']);
  });

  it('a failure writes nothing', () => {
    const { progress, out, err } = setup({ tty: false });
    progress.begin('check');
    progress.fail(new Error('boom'));
    expect(err.writes).toEqual([]);
    expect(out.writes).toEqual([]);
  });
});

describe('Progress with --json', () => {
  const parse = (writes: string[]) => {
    for (const w of writes) expect(w).toMatch(/^\{.*\}\n$/); // one object per line
    return writes.map((w) => JSON.parse(w) as Record<string, unknown>);
  };

  it('start/end of each phase, throttled progress events and a summary; no bar even on a TTY', () => {
    const { progress, out, err, clock } = setup({ tty: true, json: true });
    expect(progress.active).toBe(true);
    progress.begin('check');
    clock.t += 250;
    progress.update({ phase: 'load', bytesDone: 0, bytesTotal: 4000, items: 0, itemsTotal: 4 });
    clock.t += 500; // too soon for a progress event
    progress.update({ phase: 'load', bytesDone: 1000, items: 1 });
    clock.t += JSON_PROGRESS_MS - 500;
    progress.update({ phase: 'load', bytesDone: 2000, items: 2 });
    clock.t += 600; // too soon again
    progress.update({ phase: 'load', bytesDone: 4000, items: 4 });
    progress.done({ backupId: 'x', maxUid: 2n ** 64n - 1n }, 'the text report\n');
    expect(err.writes).toEqual([]);
    expect(parse(out.writes)).toEqual([
      { event: 'start', command: 'restore', phase: 'check' },
      { event: 'end', command: 'restore', ok: true, phase: 'check', bytesDone: 0, seconds: 0.25 },
      { event: 'start', command: 'restore', phase: 'load', bytesTotal: 4000, itemsTotal: 4 },
      {
        event: 'progress',
        command: 'restore',
        phase: 'load',
        bytesDone: 2000,
        bytesTotal: 4000,
        items: 2,
        itemsTotal: 4,
        seconds: 1,
        bytesPerSecond: 2000,
        etaSeconds: 1,
      },
      {
        event: 'end',
        command: 'restore',
        ok: true,
        phase: 'load',
        bytesDone: 4000,
        bytesTotal: 4000,
        items: 4,
        itemsTotal: 4,
        seconds: 1.6,
        bytesPerSecond: 2500,
        etaSeconds: 0,
      },
      {
        event: 'summary',
        command: 'restore',
        ok: true,
        backupId: 'x',
        maxUid: '18446744073709551615',
        seconds: 1.85,
      },
    ]);
  });

  it("the result's own ok wins (verify's report)", () => {
    const { progress, out } = setup({ tty: false, json: true });
    progress.done({ ok: false, problems: ['gap'] }, '');
    expect(parse(out.writes)).toEqual([
      { event: 'summary', command: 'restore', ok: false, problems: ['gap'], seconds: 0 },
    ]);
  });

  it('a failure ends the phase with the error and a failed summary; nothing after it', () => {
    const { progress, out, clock } = setup({ tty: false, json: true });
    progress.begin('load', { bytesTotal: 10 });
    clock.t += 500;
    progress.fail(new Error('checksum mismatch in r1-g1.backup'));
    progress.update({ phase: 'zero', bytesDone: 0 });
    progress.done({}, 'ignored');
    expect(parse(out.writes)).toEqual([
      { event: 'start', command: 'restore', phase: 'load', bytesTotal: 10 },
      {
        event: 'end',
        command: 'restore',
        ok: false,
        phase: 'load',
        bytesDone: 0,
        bytesTotal: 10,
        seconds: 0.5,
        error: 'checksum mismatch in r1-g1.backup',
      },
      {
        event: 'summary',
        command: 'restore',
        ok: false,
        error: 'checksum mismatch in r1-g1.backup',
        seconds: 0.5,
      },
    ]);
  });

  it('follows a stream of updates (how a server-side operation such as a backup can be shown)', async () => {
    const { progress, out, clock } = setup({ tty: false, json: true, command: 'backup' });
    await progress.follow(
      (async function* () {
        yield { phase: 'group 1', bytesDone: 0 };
        clock.t += 1000;
        yield { phase: 'group 1', bytesDone: 500 };
        yield { phase: 'group 2', bytesDone: 0 };
      })(),
    );
    progress.end();
    expect(parse(out.writes).map((e) => [e.event, e.command, e.phase, e.bytesDone])).toEqual([
      ['start', 'backup', 'group 1', undefined],
      ['progress', 'backup', 'group 1', 500],
      ['end', 'backup', 'group 1', 500],
      ['start', 'backup', 'group 2', undefined],
      ['end', 'backup', 'group 2', 0],
    ]);
  });
});

describe('progressHelp', () => {
  it('names the phases and the events', () => {
    const h = progressHelp('check; load');
    expect(h).toContain('Phases: check; load.');
    expect(h).toMatch(/"event":"start"/);
    expect(h).toMatch(/"event":"summary"/);
  });
});
