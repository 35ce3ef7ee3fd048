/** `strata expire` as a real process on copies of the Dgraph fixtures. */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, strata } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-expire-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** v20.11-full-3groups (series loving_jones5) then v20.11-series-3groups (jolly_yalow0) in one location. */
function twoSeries(): string {
  const loc = path.join(tmp, `loc${n++}`);
  cpSync(
    path.join(DGRAPH, 'v20.11-full-3groups/dgraph.20201125.173944.587'),
    path.join(loc, 'dgraph.20201125.173944.587'),
    {
      recursive: true,
    },
  );
  for (const d of readdirSync(path.join(DGRAPH, 'v20.11-series-3groups')).filter((f) =>
    f.startsWith('dgraph.'),
  )) {
    cpSync(path.join(DGRAPH, 'v20.11-series-3groups', d), path.join(loc, d), { recursive: true });
  }
  return loc;
}

interface Planned {
  path: string;
  backupId: string;
  backupNum: number;
  type: string;
  readTs: number;
  time: string;
  reasons: string[];
}

describe('strata expire', () => {
  it('--help explains the rules and the removal order', async () => {
    const r = await strata('expire', '--help');
    expect(r.code).toBe(0);
    for (const s of [
      '--keep-last',
      '--keep-within',
      '--keep-series',
      '--dry-run',
      '--json',
      'never broken',
      'compare-and-swap',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });

  it('--dry-run prints what it would remove and keep, with reasons, and removes nothing', async () => {
    const loc = twoSeries();
    const r = await strata('expire', loc, '--keep-last', '1', '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run: would remove 1 backup at /);
    expect(r.stdout).toMatch(
      /loving_jones5 +1 +full +68 +dgraph\.20201125\.173944\.587 +older than the 1 kept by --keep-last 1/,
    );
    expect(r.stdout).toMatch(/would keep 3 backups/);
    expect(r.stdout).toMatch(
      /jolly_yalow0 +1 +full .*needed by the kept backup dgraph\.20210517\.094648\.003/,
    );
    expect(existsSync(path.join(loc, 'dgraph.20201125.173944.587/manifest.json'))).toBe(true);
  });

  it('--json prints the result; the removed series is gone and the rest still lists', async () => {
    const loc = twoSeries();
    const r = await strata('expire', loc, '--keep-series', '1', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      remove: Planned[];
      keep: Planned[];
      dryRun: boolean;
      layout: string;
      filesDeleted: number;
    };
    expect(out.dryRun).toBe(false);
    expect(out.layout).toBe('per-folder');
    expect(out.remove.map((b) => [b.backupId, b.backupNum, b.readTs])).toEqual([['loving_jones5', 1, 68]]);
    expect(out.remove[0]!.reasons).toEqual(['series 2 of 2 (newest first), beyond --keep-series 1']);
    expect(out.keep.map((b) => b.backupNum)).toEqual([1, 2, 3]);
    expect(out.filesDeleted).toBe(4);
    expect(existsSync(path.join(loc, 'dgraph.20201125.173944.587'))).toBe(false);
    const ls = await strata('ls', loc, '--json');
    expect((JSON.parse(ls.stdout) as Planned[]).map((b) => b.backupId)).toEqual([
      'jolly_yalow0',
      'jolly_yalow0',
      'jolly_yalow0',
    ]);
    const v = await strata('verify', loc);
    expect(v.code).toBe(0);
  });

  it('without a rule, or with a bad duration: a clear error, nothing removed', async () => {
    const loc = twoSeries();
    const none = await strata('expire', loc);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/at least one rule/);
    const bad = await strata('expire', loc, '--keep-within', '30 days');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/duration "30 days" is not valid/);
    const zero = await strata('expire', loc, '--keep-last', '0');
    expect(zero.code).not.toBe(0);
    expect(readdirSync(loc)).toHaveLength(4);
  });
});
