import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDestination, StrataError, type Destination } from '@strata/core';
import {
  parentOf,
  present,
  TreeModel,
  type BackupNode,
  type GroupNode,
  type LocationNode,
  type MessageNode,
  type PredicateNode,
  type SeriesNode,
  type TreeNode,
} from '../src/model/index.js';
import { copyFixture, FULL_3G, SERIES_2G, SERIES_2G_BACKUP_LABELS, SERIES_3G, tempDir } from './helpers.js';

function model(
  locations: string[],
  extra: Partial<ConstructorParameters<typeof TreeModel>[0]> = {},
): TreeModel {
  return new TreeModel({ locations: () => locations, ...extra });
}

async function only<T extends TreeNode>(
  m: TreeModel,
  node: TreeNode | undefined,
  kind: T['kind'],
): Promise<T[]> {
  return (await m.children(node)).filter((n): n is T => n.kind === kind);
}

describe('tree model on the fixture locations', () => {
  it('lists the locations of the setting as roots', async () => {
    const m = model([SERIES_2G, 'minio://127.0.0.1:9000/backups?secure=false']);
    const roots = await m.children();
    expect(roots.map((r) => r.kind)).toEqual(['location', 'location']);
    const [local, remote] = roots.map(present);
    expect(local).toMatchObject({
      label: 'v20.11-series-2groups',
      contextValue: 'location',
      icon: 'folder-library',
      collapsible: 'collapsed',
    });
    expect(remote).toMatchObject({ label: '127.0.0.1:9000/backups', description: 'minio', icon: 'cloud' });
  });

  it('location → series → backups → groups → predicates (v20.11-series-2groups)', async () => {
    const m = model([SERIES_2G]);
    const [loc] = await only<LocationNode>(m, undefined, 'location');
    const series = await only<SeriesNode>(m, loc, 'series');
    expect(series.map((s) => s.backupId)).toEqual(['wizardly_blackburn2']);
    const s = present(series[0]!);
    expect(s.contextValue).toBe('series');
    expect(s.icon).toBe('history');
    expect(s.description).toBe('6 backups · plain · 2021-07-06 13:04 → 13:06');
    expect(s.tooltip).toContain('1 full, 5 incremental');

    const backups = await only<BackupNode>(m, series[0], 'backup');
    expect(backups.map((b) => b.manifest.backupNum)).toEqual([1, 2, 3, 4, 5, 6]);
    const views = backups.map(present);
    expect(views.map((v) => v.label)).toEqual(SERIES_2G_BACKUP_LABELS);
    expect(views.map((v) => v.icon)).toEqual([
      'database',
      'diff-added',
      'diff-added',
      'diff-added',
      'diff-added',
      'diff-added',
    ]);
    expect(views[0]!.iconColor).toBe('charts.blue');
    expect(views[1]!.iconColor).toBe('charts.green');
    // full: its readTs; incremental: since → readTs; the folder time; the size of the data files
    expect(views[0]!.description).toMatch(/^readTs 55 · 2021-07-06 13:04:27 · [\d.]+ (B|KiB)$/);
    expect(views[1]!.description).toMatch(/^since 55 → readTs 58 · 2021-07-06 13:04:44 · [\d.]+ (B|KiB)$/);
    expect(views[2]!.tooltip).toContain('drops: ATTR name');
    for (const b of backups) expect(b.size).toBeGreaterThan(0);
    expect(views.every((v) => v.contextValue === 'backup' && !v.description.includes('🔒'))).toBe(true);

    const groups = await only<GroupNode>(m, backups[1], 'group');
    expect(groups.map((g) => present(g).label)).toEqual(['group 1', 'group 2']);
    expect(present(groups[1]!)).toMatchObject({
      description: '2 predicates',
      contextValue: 'group',
      icon: 'symbol-namespace',
    });
    const preds = await only<PredicateNode>(m, groups[1], 'predicate');
    expect(preds.map((p) => p.name)).toEqual(['name', 'age']);
    expect(present(preds[0]!)).toMatchObject({
      label: 'name',
      contextValue: 'predicate',
      collapsible: 'none',
    });
    // parents lead back to the root (TreeView.reveal)
    const chain: string[] = [];
    for (let n: TreeNode | undefined = preds[0]; n; n = parentOf(n)) chain.push(n.kind);
    expect(chain).toEqual(['predicate', 'group', 'backup', 'series', 'location']);
  });

  it('an empty group has no expander; a full single-backup location (v20.11-full-3groups)', async () => {
    const m = model([FULL_3G]);
    const [loc] = m.roots();
    const [series] = await only<SeriesNode>(m, loc, 'series');
    expect(series!.backupId).toBe('loving_jones5');
    expect(present(series!).description).toBe('1 backup · plain · 2020-11-25 17:39');
    const [backup] = await only<BackupNode>(m, series, 'backup');
    expect(backup!.size).toBe(1026 + 204 + 205);
    expect(present(backup!).description).toBe('readTs 68 · 2020-11-25 17:39:44 · 1.4 KiB');
    const groups = await only<GroupNode>(m, backup, 'group');
    expect(groups.map((g) => [g.group, g.predicates.length > 0, present(g).collapsible])).toEqual([
      [1, true, 'collapsed'],
      [2, false, 'none'],
      [3, false, 'none'],
    ]);
  });

  it('reads the manifests of a location once per refresh, however often it is expanded', async () => {
    const m = model([SERIES_3G, SERIES_2G]);
    const [a, b] = m.roots();
    await Promise.all([m.children(a), m.children(a), m.children(b)]);
    const [s] = await only<SeriesNode>(m, a, 'series');
    await m.children(s);
    await m.children(s);
    expect(m.manifestReads).toBe(2);
    m.refresh(a!.location);
    await m.children(a);
    await m.children(b);
    expect(m.manifestReads).toBe(3);
    m.refresh();
    await m.children(b);
    expect(m.manifestReads).toBe(4);
  });

  it('shows a missing location as an error node and reports it (same text as the CLI)', async () => {
    const missing = path.join(SERIES_2G, 'no-such-folder');
    const errors: unknown[] = [];
    const m = model([missing], { onError: (_l, e) => errors.push(e) });
    const kids = await m.children(m.roots()[0]);
    expect(kids).toHaveLength(1);
    const msg = kids[0] as MessageNode;
    expect(msg).toMatchObject({
      kind: 'message',
      severity: 'error',
      text: `backup location not found: ${missing}`,
    });
    expect(present(msg)).toMatchObject({ icon: 'error', iconColor: 'errorForeground', collapsible: 'none' });
    expect(errors[0]).toBeInstanceOf(StrataError);
    expect((errors[0] as StrataError).code).toBe('NOT_FOUND');
    expect((errors[0] as Error).message).toBe(msg.text);
  });

  it('a location without backups says so; findBackup finds by series and number', async () => {
    const t = tempDir();
    try {
      const m = model([t.dir]);
      const kids = await m.children(m.roots()[0]);
      expect(kids).toMatchObject([
        { kind: 'message', severity: 'info', text: 'no backups at this location' },
      ]);
      const m2 = model([SERIES_3G]);
      const b = await m2.findBackup(SERIES_3G, 'jolly_yalow0', 2);
      expect(b?.manifest).toMatchObject({ backupNum: 2, type: 'incremental' });
      expect(await m2.findBackup(SERIES_3G, 'jolly_yalow0', 9)).toBeUndefined();
      expect(await m2.findBackup(SERIES_3G, 'nope', 1)).toBeUndefined();
    } finally {
      t.cleanup();
    }
  });

  it('a backup whose data file is missing has an unknown size (verify reports it)', async () => {
    const c = copyFixture(SERIES_3G);
    try {
      const m = model([c.dir]);
      const b = await m.findBackup(c.dir, 'jolly_yalow0', 1);
      expect(b).toBeDefined();
      const dir = path.join(c.dir, b!.manifest.path);
      chmodSync(dir, 0o755);
      rmSync(path.join(dir, `r${b!.manifest.readTs}-g2.backup`));
      m.refresh();
      const again = await m.findBackup(c.dir, 'jolly_yalow0', 1);
      expect(again!.size).toBeNull();
      expect(present(again!).tooltip).toContain('size: unknown');
    } finally {
      c.cleanup();
    }
  });

  it('passes the stored credentials to openDestination (remote locations)', async () => {
    const seen: unknown[] = [];
    const m = model(['s3://s3.example.test/bucket/prefix'], {
      credentials: async () => ({ accessKey: 'AK', secretKey: 'SK' }),
      openDestination: (location, opts): Destination => {
        seen.push([location, opts]);
        return new LocalDestination(SERIES_2G);
      },
    });
    const kids = await m.children(m.roots()[0]);
    expect(kids.map((k) => k.kind)).toEqual(['series']);
    expect(seen).toEqual([['s3://s3.example.test/bucket/prefix', { accessKey: 'AK', secretKey: 'SK' }]]);
  });
});

describe('large locations', () => {
  const t = tempDir();
  afterAll(t.cleanup);
  const SERIES = 6;
  const PER_SERIES = 60; // 360 backups

  it(`lists ${SERIES * PER_SERIES} backups lazily: one manifest pass, children cut from the cache`, async () => {
    for (let s = 0; s < SERIES; s++) {
      for (let n = 1; n <= PER_SERIES; n++) {
        const i = s * PER_SERIES + n;
        const sec = String(i % 60).padStart(2, '0');
        const min = String(Math.floor(i / 60)).padStart(2, '0');
        const folder = path.join(t.dir, `dgraph.20240101.10${min}${sec}.000`);
        mkdirSync(folder);
        const readTs = 100 + i * 3;
        writeFileSync(
          path.join(folder, 'manifest.json'),
          JSON.stringify({
            type: n === 1 ? 'full' : 'incremental',
            since: readTs,
            groups: { '1': ['dgraph.type', `p${s}`], '2': [`q${n}`] },
            backup_id: `series_${s}`,
            backup_num: n,
            encrypted: s === 3,
            drop_operations: null,
          }),
        );
        // sizes of data files: only group 1 present, so sizes are unknown (null)
        writeFileSync(path.join(folder, `r${readTs}-g1.backup`), Buffer.alloc(10));
      }
    }
    const m = model([t.dir]);
    const t0 = performance.now();
    const series = await only<SeriesNode>(m, m.roots()[0], 'series');
    const listed = performance.now() - t0;
    expect(series.map((s) => s.backupId)).toEqual([
      'series_5',
      'series_4',
      'series_3',
      'series_2',
      'series_1',
      'series_0',
    ]);
    const enc = series.find((s) => s.backupId === 'series_3')!;
    expect(present(enc)).toMatchObject({ icon: 'lock', iconColor: 'charts.yellow' });
    expect(present(enc).description).toContain('60 backups · 🔒 encrypted');
    const t1 = performance.now();
    const backups = await only<BackupNode>(m, enc, 'backup');
    const expanded = performance.now() - t1;
    expect(backups).toHaveLength(PER_SERIES);
    expect(backups.every((b) => b.size === null)).toBe(true);
    expect(present(backups[0]!).description).toContain('🔒');
    for (const s of series) await m.children(s);
    expect(m.manifestReads).toBe(1);
    // generous bounds: a slow CI machine still stays interactive
    expect(listed).toBeLessThan(5000);
    expect(expanded).toBeLessThan(2000);
  });
});
