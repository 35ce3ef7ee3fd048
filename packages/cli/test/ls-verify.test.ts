/** `strata ls` and `strata verify` as real processes on the fixtures and on broken temp copies. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH, jsonSummary, strata } from './helpers.js';

const SETS = {
  'v20.11-full-3groups': { id: 'loving_jones5', nums: [1], readTs: [68] },
  'v20.11-series-3groups': { id: 'jolly_yalow0', nums: [1, 2, 3], readTs: [38, 54, 58] },
  'v20.11-series-2groups': {
    id: 'wizardly_blackburn2',
    nums: [1, 2, 3, 4, 5, 6],
    readTs: [55, 58, 68, 72, 86, 104],
  },
} as const;

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-lsv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('strata ls', () => {
  for (const [set, want] of Object.entries(SETS)) {
    it(`${set} --json lists ${want.id} #${want.nums.join(',')}`, async () => {
      const r = await strata('ls', path.join(DGRAPH, set), '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const list = JSON.parse(r.stdout) as {
        backupId: string;
        backupNum: number;
        readTs: number;
        type: string;
        groups: { groupId: number; predicates: string[] }[];
        time: string;
      }[];
      expect(list.map((b) => b.backupId)).toEqual(want.nums.map(() => want.id));
      expect(list.map((b) => b.backupNum)).toEqual(want.nums);
      expect(list.map((b) => b.readTs)).toEqual(want.readTs);
      expect(list[0]!.type).toBe('full');
      expect(list[0]!.groups[0]!.groupId).toBe(1);
      expect(list[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it(`${set} table`, async () => {
      const r = await strata('ls', pathToFileURL(path.join(DGRAPH, set)).href);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/TIME \(UTC\)\s+BACKUP ID\s+NUM\s+TYPE\s+READ TS\s+SINCE/);
      expect(r.stdout.trim().split('\n')).toHaveLength(2 + want.nums.length);
      expect(r.stdout).toContain(want.id);
    });
  }

  it('ls --help explains the layouts', async () => {
    const r = await strata('ls', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Manifests/);
    expect(r.stdout).toMatch(/--json/);
  });

  it('a missing location fails with a message naming it', async () => {
    const r = await strata('ls', path.join(tmp, 'nowhere'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`backup location not found: ${path.join(tmp, 'nowhere')}`);
  });

  it('an s3:// location without a bucket is refused with an example', async () => {
    const r = await strata('ls', 's3://s3.us-west-2.amazonaws.com');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /s3:\/\/ location .* names no bucket: s3:\/\/s3\.us-west-2\.amazonaws\.com\/BUCKET/,
    );
  });

  it('a broken manifest fails naming the file and field', async () => {
    const dir = path.join(tmp, 'broken');
    mkdirSync(path.join(dir, 'dgraph.20210101.000000.000'), { recursive: true });
    writeFileSync(
      path.join(dir, 'dgraph.20210101.000000.000/manifest.json'),
      JSON.stringify({
        type: 'full',
        since: 1,
        groups: {},
        backup_id: 'x',
        backup_num: 'one',
        encrypted: false,
      }),
    );
    const r = await strata('ls', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /dgraph\.20210101\.000000\.000\/manifest\.json: field "backup_num": expected a number/,
    );
  });
});

describe('strata verify', () => {
  for (const [set, want] of Object.entries(SETS)) {
    it(`${set} verifies (exit 0)`, async () => {
      const r = await strata('verify', path.join(DGRAPH, set));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      for (const n of want.nums) expect(r.stdout).toMatch(new RegExp(`^OK +#${n} `, 'm'));
      expect(r.stdout).toMatch(/verified/);
    });
  }

  it('--json, --backup_id and --backup_num', async () => {
    const r = await strata(
      'verify',
      path.join(DGRAPH, 'v20.11-series-2groups'),
      '--backup_id',
      'wizardly_blackburn2',
      '--backup_num',
      '4',
      '--json',
    );
    expect(r.code).toBe(0);
    const report = jsonSummary(r.stdout) as {
      ok: boolean;
      backups: { backupNum: number; files: { kvs: number }[] }[];
    };
    expect(report.ok).toBe(true);
    expect(report.backups.map((b) => b.backupNum)).toEqual([1, 2, 3, 4]);
  });

  it('an unknown backup id and a backup_num beyond the series exit 1', async () => {
    const loc = path.join(DGRAPH, 'v20.11-series-3groups');
    const a = await strata('verify', loc, '--backup_id', 'nobody');
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/no backup with backup_id nobody/);
    const b = await strata('verify', loc, '--backup_num', '4');
    expect(b.code).toBe(1);
    expect(b.stdout).toMatch(/backup_num 4 was requested but series jolly_yalow0 has only 3 backups/);
  });

  it('exits 1 naming a missing file in a temp copy of a fixture', async () => {
    const loc = path.join(tmp, 'copy');
    cpSync(path.join(DGRAPH, 'v20.11-series-2groups'), loc, { recursive: true });
    rmSync(path.join(loc, 'dgraph.20210706.130519.083/r72-g2.backup'));
    const r = await strata('verify', loc);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED #4 /m);
    expect(r.stdout).toContain('missing backup file dgraph.20210706.130519.083/r72-g2.backup');
    expect(r.stdout).toMatch(/^OK +#5 /m);
    expect(r.stdout).toMatch(/verification FAILED/);
  });

  it('verify --help describes the checks and the exit status', async () => {
    const r = await strata('verify', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--backup_id', '--backup_num', '--encryption_key_file', '--json']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Exit status: 0/);
  });

  it('strata --help lists ls and verify', async () => {
    const r = await strata('--help');
    expect(r.stdout).toMatch(/ls \[options\] <location>/);
    expect(r.stdout).toMatch(/verify \[options\] <location>/);
  });
});
