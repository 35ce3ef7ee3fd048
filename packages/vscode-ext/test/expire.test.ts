import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type PlannedBackup } from '@strata/core';
import {
  errorText,
  expireSummary,
  parseExpireRule,
  present,
  previewExpire,
  renderExpire,
  rulesText,
  runExpire,
  TreeModel,
  type BackupNode,
  type SeriesNode,
} from '../src/model/index.js';
import { FULL_3G, mergedFixtures, SERIES_2G, SERIES_3G } from './helpers.js';

const LOVING = 'dgraph.20201125.173944.587'; // FULL_3G: loving_jones5 #1 full (2020-11-25)
const JOLLY = ['dgraph.20210517.094442.220', 'dgraph.20210517.094634.533', 'dgraph.20210517.094648.003'];

/** Two series at one location: loving_jones5 (1 backup, older) and jolly_yalow0 (3 backups). */
const twoSeries = (): { dir: string; cleanup: () => void } => mergedFixtures([FULL_3G, SERIES_3G]);

async function backupNodes(m: TreeModel, location: string): Promise<BackupNode[]> {
  const [loc] = m.roots();
  const series = (await m.children(loc)).filter((n): n is SeriesNode => n.kind === 'series');
  const out: BackupNode[] = [];
  for (const s of series)
    for (const n of await m.children(s)) if (n.kind === 'backup' && n.location === location) out.push(n);
  return out;
}

const ids = (bs: readonly PlannedBackup[]): string[] => bs.map((b) => `${b.backupId}#${b.backupNum}`);

describe('expire rules from the prompts (checked by core)', () => {
  it('parses each kind and refuses what core refuses, with its text', () => {
    expect(parseExpireRule('keepLast', ' 3 ')).toEqual({ keepLast: 3 });
    expect(parseExpireRule('keepSeries', '1')).toEqual({ keepSeries: 1 });
    expect(parseExpireRule('keepWithin', '30d')).toEqual({ keepWithin: '30d' });
    expect(() => parseExpireRule('keepLast', '0')).toThrow(InvalidArgumentError);
    expect(() => parseExpireRule('keepLast', '0')).toThrow('--keep-last must be a whole number >= 1, got 0');
    expect(() => parseExpireRule('keepSeries', '2.5')).toThrow('--keep-series must be a whole number >= 1');
    expect(() => parseExpireRule('keepWithin', '5x')).toThrow('duration "5x" is not valid');
    expect(rulesText({ keepLast: 2, keepWithin: '30d' })).toBe('--keep-last 2 --keep-within 30d');
  });
});

describe('expire preview and run (temp copies of the fixtures)', () => {
  it('previews keep-series 1: the older series would go, nothing is removed, the tree marks it', async () => {
    const c = twoSeries();
    try {
      const before = readdirSync(c.dir).sort();
      const preview = await previewExpire({ location: c.dir, rules: { keepSeries: 1 } });
      const r = preview.result;
      expect(r.dryRun).toBe(true);
      expect(ids(r.remove)).toEqual(['loving_jones5#1']);
      expect(r.remove[0]!.reasons).toEqual(['series 2 of 2 (newest first), beyond --keep-series 1']);
      expect(ids(r.keep)).toEqual(['jolly_yalow0#1', 'jolly_yalow0#2', 'jolly_yalow0#3']);
      expect(readdirSync(c.dir).sort()).toEqual(before);
      expect(existsSync(path.join(c.dir, LOVING, 'manifest.json'))).toBe(true);
      expect(expireSummary(r)).toBe(`expire preview of ${c.dir}: would remove 1 backup, keep 3`);

      const doc = renderExpire(r, preview.rules, preview.now);
      expect(doc).toContain(
        `Expire preview (dry run: nothing was removed) — strata expire ${c.dir} --keep-series 1 --dry-run`,
      );
      expect(doc).toContain(`reference time: ${preview.now.toISOString()}`);
      expect(doc).toContain(
        `would remove 1 backup:\n  loving_jones5 #1 full, readTs 68, 2020-11-25 17:39:44  (${LOVING})\n` +
          '      why: series 2 of 2 (newest first), beyond --keep-series 1',
      );
      expect(doc).toContain('would keep 3 backups:\n  jolly_yalow0 #1 full, readTs 38,');
      expect(doc).toContain('Do not run it while a backup writes to this location');

      // the view: removed backups get a red trash icon and say so; kept ones say kept
      const m = new TreeModel({ locations: () => [c.dir] });
      m.setExpirePreview(c.dir, preview);
      const nodes = await backupNodes(m, c.dir);
      const loving = nodes.find((n) => n.manifest.backupId === 'loving_jones5')!;
      expect(present(loving)).toMatchObject({ icon: 'trash', iconColor: 'charts.red' });
      expect(present(loving).description).toMatch(/^expire: would be removed · readTs 68 · /);
      expect(present(loving).tooltip).toContain(
        'expire preview: would be removed (series 2 of 2 (newest first), beyond --keep-series 1)',
      );
      const jolly2 = nodes.find((n) => n.manifest.backupId === 'jolly_yalow0' && n.manifest.backupNum === 2)!;
      expect(present(jolly2)).toMatchObject({ icon: 'diff-added' });
      expect(present(jolly2).description).toMatch(/^expire: kept · since 38 → readTs 54/);
      // a refresh forgets the preview
      m.refresh(c.dir);
      const again = await backupNodes(m, c.dir);
      expect(again.every((n) => n.expire === undefined)).toBe(true);
      expect(present(again[0]!).description).not.toContain('expire');
    } finally {
      c.cleanup();
    }
  });

  it('keep-last never breaks a chain: on one series nothing goes, and the reasons say why', async () => {
    const preview = await previewExpire({ location: SERIES_2G, rules: { keepLast: 2 } });
    const r = preview.result;
    expect(r.remove).toEqual([]);
    expect(r.keep).toHaveLength(6);
    expect(r.keep[0]!.reasons).toEqual(['needed by the kept backup dgraph.20210706.130634.385 (same chain)']);
    expect(r.keep[5]!.reasons).toEqual(['one of the newest 2 (--keep-last 2)']);
    expect(expireSummary(r)).toBe(
      `expire preview of ${SERIES_2G}: nothing to remove, the rules keep all 6 backups`,
    );
    expect(renderExpire(r, preview.rules, preview.now)).toContain('would remove 0 backups:\n  (none)');
  });

  it('keep-within is measured from the preview time (folder-name times, UTC)', async () => {
    const c = twoSeries();
    try {
      const now = new Date('2021-05-20T00:00:00Z');
      const preview = await previewExpire({ location: c.dir, rules: { keepWithin: '7d' }, now });
      expect(ids(preview.result.remove)).toEqual(['loving_jones5#1']);
      expect(preview.result.remove[0]!.reasons).toEqual([
        'taken before 2021-05-13T00:00:00.000Z (--keep-within 7d)',
      ]);
      expect(preview.now).toBe(now);
    } finally {
      c.cleanup();
    }
  });

  it('reports folders no manifest lists, and never touches them', async () => {
    const c = twoSeries();
    try {
      const stray = path.join(c.dir, 'dgraph.20991231.000000.000');
      mkdirSync(stray);
      writeFileSync(path.join(stray, 'r1-g1.backup'), 'half written');
      const preview = await previewExpire({ location: c.dir, rules: { keepSeries: 1 } });
      const warning =
        'folder dgraph.20991231.000000.000 is listed by no manifest (a backup being written, or left by a ' +
        'killed backup or expire): not touched; remove it by hand if no backup is running';
      expect(preview.result.warnings).toContain(warning);
      expect(renderExpire(preview.result, preview.rules, preview.now)).toContain(`warnings:\n  ${warning}`);
      const removed: string[] = [];
      const r = await runExpire({ location: c.dir, preview, onRemoved: (b) => removed.push(b.path) });
      expect(removed).toEqual([LOVING]);
      expect(existsSync(path.join(stray, 'r1-g1.backup'))).toBe(true);
      expect(r.warnings).toContain(warning);
    } finally {
      c.cleanup();
    }
  });

  it('"Expire now" removes what the preview showed, prints it, and the tree no longer lists it', async () => {
    const c = twoSeries();
    try {
      const m = new TreeModel({ locations: () => [c.dir] });
      const preview = await previewExpire({ location: await m.destination(c.dir), rules: { keepSeries: 1 } });
      m.setExpirePreview(c.dir, preview);
      const removed: PlannedBackup[] = [];
      const r = await runExpire({
        location: await m.destination(c.dir),
        preview,
        onRemoved: (b) => removed.push(b),
      });
      expect(r.dryRun).toBe(false);
      expect(ids(r.remove)).toEqual(['loving_jones5#1']);
      expect(ids(removed)).toEqual(['loving_jones5#1']);
      // the manifest, three data files (groups 1..3) and nothing else
      expect(r.filesDeleted).toBe(4);
      expect(existsSync(path.join(c.dir, LOVING))).toBe(false);
      for (const f of JOLLY) expect(existsSync(path.join(c.dir, f, 'manifest.json'))).toBe(true);
      expect(expireSummary(r)).toBe(`expire of ${c.dir}: removed 1 backup (4 files deleted), kept 3`);
      const doc = renderExpire(r, preview.rules, preview.now);
      expect(doc).toContain(`Expire — strata expire ${c.dir} --keep-series 1\n`);
      expect(doc).toContain(`removed 1 backup:\n  loving_jones5 #1 full`);
      expect(doc).toContain('4 files deleted');
      m.refresh(c.dir);
      const series = (await m.children(m.roots()[0])).filter((n): n is SeriesNode => n.kind === 'series');
      expect(series.map((s) => s.backupId)).toEqual(['jolly_yalow0']);
    } finally {
      c.cleanup();
    }
  });

  it('refuses to run, removing nothing, when the location changed since the preview', async () => {
    const c = twoSeries();
    try {
      const preview = await previewExpire({ location: c.dir, rules: { keepLast: 3 } });
      expect(ids(preview.result.remove)).toEqual(['loving_jones5#1']);
      // meanwhile the newest backup goes (another expire, a hand): keep-last 3 now keeps loving_jones5
      rmSync(path.join(c.dir, JOLLY[2]!), { recursive: true });
      const err = await runExpire({ location: c.dir, preview }).catch((e: unknown) => e);
      expect(errorText(err)).toBe(
        `the backups at ${c.dir} changed since the preview (it would now remove 0 backups, not 1): nothing removed, preview again`,
      );
      expect(existsSync(path.join(c.dir, LOVING, 'manifest.json'))).toBe(true);
    } finally {
      c.cleanup();
    }
  });
});
