import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifests, LocalDestination, selectChain } from '@strata/core';
import {
  chainLabel,
  present,
  TreeModel,
  type BackupNode,
  type ChainNode,
  type MessageNode,
  type SeriesNode,
  type TreeNode,
} from '../src/model/index.js';
import { mergedFixtures, SERIES_2G } from './helpers.js';

async function seriesOf(m: TreeModel, location: string): Promise<SeriesNode[]> {
  const [loc] = m.roots().filter((r) => r.location === location);
  return (await m.children(loc)).filter((n): n is SeriesNode => n.kind === 'series');
}

const backupsOf = (kids: TreeNode[]): BackupNode[] =>
  kids.filter((n): n is BackupNode => n.kind === 'backup');

describe('chain view', () => {
  it('each backup shows the chain its restore point needs (v20.11-series-2groups)', async () => {
    const m = new TreeModel({ locations: () => [SERIES_2G] });
    const [series] = await seriesOf(m, SERIES_2G);
    expect(series!.chain).toMatchObject({ problems: [], warnings: [] });
    expect(series!.chain.backups).toHaveLength(6);
    expect(present(series!).description).toBe('6 backups · plain · 2021-07-06 13:04 → 13:06');
    expect(present(series!).tooltip).toContain('chain complete');
    const kids = await m.children(series);
    // no warning lines: the chain is whole
    expect(kids.map((k) => k.kind)).toEqual(Array(6).fill('backup'));
    const backups = backupsOf(kids);
    expect(backups.map((b) => chainLabel(b.chain.backups))).toEqual([
      '#1 full',
      '#1 full → #2',
      '#1 full → #2 → #3',
      '#1 full → #2 → #3 → #4',
      '#1 full → #2 → #3 → #4 → #5',
      '#1 full → #2 → #3 → #4 → #5 → #6',
    ]);
    // the same backups core's selectChain (every restore) picks
    const { manifests } = await readManifests(new LocalDestination(SERIES_2G));
    const picked = selectChain(manifests, { backupId: 'wizardly_blackburn2', backupNum: 3 });
    expect(backups[2]!.chain.backups.map((b) => b.path)).toEqual(picked.backups.map((b) => b.path));

    const b3 = present(backups[2]!);
    expect(b3.tooltip).toContain('chain: restoring up to here loads 3 backups: #1 full → #2 → #3');
    expect(b3.tooltip).toContain('  #1 full, readTs 55 (dgraph.20210706.130427.532)');
    expect(b3.tooltip).toContain('  #3 incremental, readTs 68 (dgraph.20210706.130453.552)');
    expect(b3.description).not.toContain('⚠');

    // the chain line is the backup's first child, above its groups
    const children = await m.children(backups[2]);
    expect(children.map((c) => c.kind)).toEqual(['chain', 'group', 'group']);
    const chain = children[0] as ChainNode;
    expect(present(chain)).toMatchObject({
      label: 'chain: #1 full → #2 → #3',
      description: 'restores 3 backups',
      icon: 'link',
      contextValue: 'chain',
      collapsible: 'none',
    });
    expect(await m.children(chain)).toEqual([]);
  });

  it('a gap in a series shows as a warning line and on every backup of the series', async () => {
    const c = mergedFixtures([SERIES_2G]);
    try {
      // backup #3 disappears (its manifest is gone): #4..#6 can no longer be restored
      rmSync(path.join(c.dir, 'dgraph.20210706.130453.552'), { recursive: true });
      const m = new TreeModel({ locations: () => [c.dir] });
      const [series] = await seriesOf(m, c.dir);
      const problem =
        'backup series wizardly_blackburn2 is missing backup_num 3 (the next backup found is #4 (dgraph.20210706.130519.083))';
      expect(series!.chain.problems).toEqual([problem]);
      const sp = present(series!);
      expect(sp.description).toBe('5 backups · plain · 2021-07-06 13:04 → 13:06 · ⚠ chain broken');
      expect(sp.tooltip).toContain(`chain broken (a restore refuses it):\n  ${problem}`);

      const kids = await m.children(series);
      const warning = kids[0] as MessageNode;
      expect(warning).toMatchObject({ kind: 'message', severity: 'warning', text: problem });
      expect(present(warning)).toMatchObject({
        icon: 'warning',
        iconColor: 'problemsWarningIcon.foreground',
      });
      const backups = backupsOf(kids);
      expect(backups.map((b) => b.manifest.backupNum)).toEqual([1, 2, 4, 5, 6]);
      const b4 = backups[2]!;
      expect(present(b4).description).toMatch(/ · ⚠ chain broken$/);
      expect(present(b4).tooltip).toContain(`chain broken, a restore up to here is refused: ${problem}`);
      const chain = (await m.children(b4))[0] as ChainNode;
      expect(present(chain)).toMatchObject({
        label: 'chain: #1 full → #2 → #4',
        description: `⚠ ${problem}`,
        icon: 'warning',
      });
      // what a restore does with it: refuses, with the same text
      const { manifests } = await readManifests(new LocalDestination(c.dir));
      expect(() => selectChain(manifests, { backupId: 'wizardly_blackburn2', backupNum: 4 })).toThrow(
        problem,
      );
    } finally {
      c.cleanup();
    }
  });

  it('a series without its full backup is flagged (core: backup_num 1 is missing)', async () => {
    const c = mergedFixtures([SERIES_2G]);
    try {
      rmSync(path.join(c.dir, 'dgraph.20210706.130427.532'), { recursive: true });
      const m = new TreeModel({ locations: () => [c.dir] });
      const [series] = await seriesOf(m, c.dir);
      expect(series!.chain.problems).toEqual([
        'backup series wizardly_blackburn2 has no full backup: backup_num 1 is missing',
      ]);
      const kids = await m.children(series);
      expect(kids[0]).toMatchObject({
        kind: 'message',
        severity: 'warning',
        text: 'backup series wizardly_blackburn2 has no full backup: backup_num 1 is missing',
      });
      const b2 = backupsOf(kids)[0]!;
      expect(present(b2).description).toContain('⚠ chain broken');
    } finally {
      c.cleanup();
    }
  });
});
