import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrataError } from '@strata/core';
import {
  errorText,
  expireDocPath,
  PlanDocuments,
  previewRestorePlan,
  renderRestorePlan,
  restorePlanDocPath,
  restorePlanSummary,
} from '../src/model/index.js';
import { FULL_3G, mergedFixtures, SERIES_2G } from './helpers.js';

const size = (...p: string[]): number => statSync(path.join(...p)).size;
const B1 = 'dgraph.20210706.130427.532';
const B2 = 'dgraph.20210706.130444.413';

const planDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('strata-plan-'));

describe('restore plan preview (core dry run)', () => {
  it('plans backup #2 of v20.11-series-2groups: its chain, files, bytes and KVs per group', async () => {
    const dirsBefore = planDirs();
    const r = await previewRestorePlan({
      location: SERIES_2G,
      backupId: 'wizardly_blackburn2',
      backupNum: 2,
    });
    expect(r.backupId).toBe('wizardly_blackburn2');
    expect(r.plan.backups.map((b) => [b.backupNum, b.type, b.readTs, b.path])).toEqual([
      [1, 'full', 55n, B1],
      [2, 'incremental', 58n, B2],
    ]);
    // bytes as stored, compared with the files on disk
    const g1 = size(SERIES_2G, B1, 'r55-g1.backup') + size(SERIES_2G, B2, 'r58-g1.backup');
    const g2 = size(SERIES_2G, B1, 'r55-g2.backup') + size(SERIES_2G, B2, 'r58-g2.backup');
    expect(r.plan.groups.map((g) => [g.group, g.files, g.bytes, g.predicates])).toEqual([
      [1, 2, g1, 9], // the manifest of #2 lists 9 predicates in group 1
      [2, 2, g2, 2],
    ]);
    for (const g of r.plan.groups) expect(g.kvs).toBeGreaterThan(0);
    expect(r.readTs).toBe(58n);
    // a dry run: no target folder was made
    expect(planDirs()).toEqual(dirsBefore);

    const kvs = r.plan.groups.reduce((n, g) => n + g.kvs, 0);
    const summary = restorePlanSummary(r.plan);
    expect(summary).toMatch(/^2 backups \(#1 full → #2\), 2 groups: 4 files, [\d.]+ (B|KiB), [\d,]+ KVs$/);
    expect(summary).toContain(`, ${kvs.toLocaleString('en-US')} KVs`);
    const doc = renderRestorePlan(r, {
      location: SERIES_2G,
      into: 'the Alpha at http://127.0.0.1:8080/admin',
    });
    expect(doc).toContain('Restore plan (dry run: nothing was written) — backup wizardly_blackburn2 #2\n');
    expect(doc).toContain(`location: ${SERIES_2G}\ninto: the Alpha at http://127.0.0.1:8080/admin\n`);
    expect(doc).toContain(`  #1 full, readTs 55, 2021-07-06 13:04:27  (${B1})`);
    expect(doc).toContain(`  #2 incremental, readTs 58, 2021-07-06 13:04:44  (${B2})`);
    expect(doc).toContain(
      `  group 1: 2 files, ${g1} B, ${r.plan.groups[0]!.kvs} KVs, 9 predicates\n` +
        `  group 2: 2 files, ${g2} B, ${r.plan.groups[1]!.kvs} KVs, 2 predicates`,
    );
    expect(doc).toContain('read timestamp after the restore: 58');
  });

  it('a truncated data file fails the plan with the file named (nothing planned)', async () => {
    const c = mergedFixtures([SERIES_2G]);
    try {
      const file = path.join(c.dir, B2, 'r58-g2.backup');
      truncateSync(file, 100);
      const err = await previewRestorePlan({
        location: c.dir,
        backupId: 'wizardly_blackburn2',
        backupNum: 2,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StrataError);
      expect(errorText(err)).toContain('r58-g2.backup');
      // backup #1 alone is still whole
      const r = await previewRestorePlan({ location: c.dir, backupId: 'wizardly_blackburn2', backupNum: 1 });
      expect(r.plan.groups.map((g) => g.files)).toEqual([1, 1]);
    } finally {
      c.cleanup();
    }
  });

  it('an encrypted series needs its key: none given, or a wrong one, is refused with core’s text', async () => {
    const c = mergedFixtures([FULL_3G]);
    try {
      const manifest = path.join(c.dir, 'dgraph.20201125.173944.587', 'manifest.json');
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
      writeFileSync(manifest, JSON.stringify({ ...m, encrypted: true }));
      const noKey = await previewRestorePlan({
        location: c.dir,
        backupId: 'loving_jones5',
        backupNum: 1,
      }).catch((e: unknown) => e);
      expect((noKey as StrataError).code).toBe('ENCRYPTED_NO_KEY');
      expect(errorText(noKey)).toBe(
        'backup series loving_jones5 is encrypted and no encryption key was given (choose the key file when asked)',
      );
      const wrong = await previewRestorePlan({
        location: c.dir,
        backupId: 'loving_jones5',
        backupNum: 1,
        key: Buffer.alloc(16, 7),
      }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(StrataError);
      expect(errorText(wrong)).toMatch(/key/i);
    } finally {
      c.cleanup();
    }
  });
});

describe('plan document paths', () => {
  it('are file-name safe for any location label or series id', () => {
    expect(expireDocPath('v20.11-series-2groups')).toBe('/expire/v20.11-series-2groups.txt');
    expect(expireDocPath('127.0.0.1:9000/backups/a b')).toBe('/expire/127.0.0.1_9000_backups_a_b.txt');
    expect(expireDocPath('///')).toBe('/expire/location.txt');
    expect(restorePlanDocPath('../../etc/x', 3)).toBe('/restore/.._.._etc_x-3.txt');
    const docs = new PlanDocuments();
    docs.set('/restore/a-1.txt', 'plan');
    expect(docs.get('/restore/a-1.txt')).toBe('plan');
    expect(docs.get('/restore/b-1.txt')).toBeUndefined();
  });
});
