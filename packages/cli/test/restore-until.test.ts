/**
 * `strata restore --until` (point in time) and `--dry-run` (the plan, nothing written) as real
 * processes on a real Dgraph series: wizardly_blackburn2, six backups at readTs 55..104.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, jsonSummary, strata } from './helpers.js';

const SET = path.join(DGRAPH, 'v20.11-series-2groups');
const EXPECTED = path.join(SET, 'expected', 'wizardly_blackburn2');
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-until-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface PlanSummary {
  dryRun: boolean;
  backupNums: number[];
  chosen: { backupId: string; backupNum: number; readTs: number; reason: string };
  plan: {
    backups: { backupNum: number; readTs: number; time: string }[];
    groups: { group: number; files: number; bytes: number; kvs: number; predicates: number }[];
  };
}

describe('strata restore --until --dry-run', () => {
  it('chooses the newest backup at or before a read timestamp and prints its plan, writing nothing', async () => {
    const out = path.join(tmp, 'dry');
    const r = await strata('restore', '-l', SET, '-p', out, '--until', '70', '--dry-run', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = jsonSummary(r.stdout) as unknown as PlanSummary;
    expect(s.dryRun).toBe(true);
    expect(s.chosen).toMatchObject({ backupId: 'wizardly_blackburn2', backupNum: 3, readTs: 68 });
    expect(s.backupNums).toEqual([1, 2, 3]);
    expect(s.plan.backups.map((b) => [b.backupNum, b.readTs])).toEqual([
      [1, 55],
      [2, 58],
      [3, 68],
    ]);
    expect(s.plan.groups.map((g) => [g.group, g.files])).toEqual([
      [1, 3],
      [2, 3],
    ]);
    for (const g of s.plan.groups) {
      expect(g.kvs).toBeGreaterThan(0);
      expect(g.predicates).toBeGreaterThan(0);
    }
    // The bytes are the files' sizes as stored.
    const sizeOf = (dir: string, file: string) => readFileSync(path.join(SET, dir, file)).length;
    expect(s.plan.groups[0]!.bytes).toBe(
      sizeOf('dgraph.20210706.130427.532', 'r55-g1.backup') +
        sizeOf('dgraph.20210706.130444.413', 'r58-g1.backup') +
        sizeOf('dgraph.20210706.130453.552', 'r68-g1.backup'),
    );
    expect(existsSync(out)).toBe(false);
  });

  it('prints the choice and one line per group on a terminal-less run', async () => {
    const r = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 'dry2'),
      '--until',
      '2021-07-06T13:05:00Z',
      '--dry-run',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'until 2021-07-06T13:05:00.000Z: chose backup wizardly_blackburn2 #3 (incremental, read timestamp 68, taken 2021-07-06T13:04:53.552Z)',
    );
    expect(r.stdout).toContain('dry run: nothing was written');
    expect(r.stdout).toMatch(/group 1 -> .*p1: 3 files, .*kvs, \d+ predicates/);
    expect(r.stdout).toMatch(/group 2 -> .*p2: 3 files/);
  });
});

describe('strata restore --until', () => {
  it('restores the chain up to the chosen backup, equal to Dgraph’s own export at that point', async () => {
    const out = path.join(tmp, 'pitr');
    const r = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      out,
      '--until',
      '2021-07-06T13:05:00Z',
      '--force_zero=false',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('chose backup wizardly_blackburn2 #3');
    expect(r.stdout).toContain('backups #1, #2, #3 (readTs 68)');
    const dump = path.join(tmp, 'pitr-dump');
    const e = await strata('export', '-p', out, '--out', dump);
    expect(e.code, e.stderr).toBe(0);
    for (const f of ['data.rdf', 'schema.txt']) {
      expect(readFileSync(path.join(dump, f), 'utf8')).toBe(
        readFileSync(path.join(EXPECTED, '3', f), 'utf8'),
      );
    }
  });

  it('refuses a point older than every backup, a time without a zone, and --backup_num beside it', async () => {
    const old = await strata('restore', '-l', SET, '-p', path.join(tmp, 'x1'), '--until', '50', '--dry-run');
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain(
      'no backup at or before read timestamp 50: the oldest is wizardly_blackburn2 #1 (read timestamp 55)',
    );
    const zone = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 'x2'),
      '--until',
      '2021-07-06T13:05',
      '--dry-run',
    );
    expect(zone.code).not.toBe(0);
    expect(zone.stderr).toContain('with its zone');
    const both = await strata(
      'restore',
      '-l',
      SET,
      '-p',
      path.join(tmp, 'x3'),
      '--until',
      '70',
      '--backup_num',
      '2',
      '--dry-run',
    );
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('until and backup_num exclude each other: give one of them');
    for (const d of ['x1', 'x2', 'x3']) expect(existsSync(path.join(tmp, d))).toBe(false);
  });
});
