/** Every real Dgraph fixture location read into the manifest model, and written back. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  openDestination,
  parsePerFolderManifest,
  readManifests,
  selectChain,
  serializeManifest,
  type BackupManifest,
} from '../src/index.js';
import { DGRAPH_FIXTURES } from './helpers.js';

const read = async (set: string): Promise<BackupManifest[]> =>
  (await readManifests(openDestination(path.join(DGRAPH_FIXTURES, set)))).manifests;

const names = (m: BackupManifest, g: number): string[] => (m.groups.get(g) ?? []).map((p) => p.name).sort();

describe('manifests of the fixture locations', () => {
  it('v20.11-full-3groups: one full backup, groups 2 and 3 empty', async () => {
    const set = await readManifests(openDestination(path.join(DGRAPH_FIXTURES, 'v20.11-full-3groups')));
    expect(set.layout).toBe('per-folder');
    expect(set.warnings).toEqual([]);
    const [m, ...rest] = set.manifests;
    expect(rest).toEqual([]);
    expect(m).toMatchObject({
      path: 'dgraph.20201125.173944.587',
      type: 'full',
      readTs: 68n,
      since: 0n,
      backupId: 'loving_jones5',
      backupNum: 1,
      encrypted: false,
      compression: 'gzip',
      version: 0,
      dropOperations: [],
      source: 'per-folder',
      manifestFile: 'dgraph.20201125.173944.587/manifest.json',
    });
    expect([...m!.groups.keys()]).toEqual([1, 2, 3]);
    expect(m!.groups.get(1)).toHaveLength(11);
    expect(m!.groups.get(1)!.every((p) => p.namespace === 0n)).toBe(true);
    expect(names(m!, 1)).toContain('Author.name');
    expect(m!.groups.get(2)).toEqual([]);
    expect(m!.groups.get(3)).toEqual([]);
  });

  it('v20.11-series-3groups: 3 backups, DROP_DATA in #2, DROP_ATTR p3 in #3', async () => {
    const ms = await read('v20.11-series-3groups');
    expect(ms.map((m) => [m.backupId, m.backupNum, m.type, m.readTs, m.since])).toEqual([
      ['jolly_yalow0', 1, 'full', 38n, 0n],
      ['jolly_yalow0', 2, 'incremental', 54n, 38n],
      ['jolly_yalow0', 3, 'incremental', 58n, 54n],
    ]);
    expect(ms[0]!.dropOperations).toEqual([]);
    expect(ms[1]!.dropOperations).toEqual([{ op: 'DATA' }]);
    expect(ms[2]!.dropOperations).toEqual([{ op: 'ATTR', namespace: 0n, attr: 'p3', value: 'p3' }]);
    expect(names(ms[0]!, 2)).toEqual(['p1', 'p2', 'p3']);
    expect(names(ms[2]!, 2)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(ms.every((m) => m.groups.get(3)!.length === 0)).toBe(true);
  });

  it('v20.11-series-2groups: 6 backups, DROP_ATTR name (#3), DROP_DATA (#5), DROP_ALL from [{}] (#6)', async () => {
    const ms = await read('v20.11-series-2groups');
    expect(ms.map((m) => m.backupNum)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ms.every((m) => m.backupId === 'wizardly_blackburn2')).toBe(true);
    expect(ms.map((m) => m.readTs)).toEqual([55n, 58n, 68n, 72n, 86n, 104n]);
    expect(ms.map((m) => m.since)).toEqual([0n, 55n, 58n, 68n, 72n, 86n]);
    expect(ms.map((m) => m.type)).toEqual(['full', ...Array(5).fill('incremental')]);
    expect(ms.map((m) => m.dropOperations)).toEqual([
      [],
      [],
      [{ op: 'ATTR', namespace: 0n, attr: 'name', value: 'name' }],
      [],
      [{ op: 'DATA' }],
      [{ op: 'ALL' }],
    ]);
    expect(names(ms[0]!, 2)).toEqual(['name']);
    expect(names(ms[1]!, 2)).toEqual(['age', 'name']);
  });

  it('the chain of each fixture is its whole series', async () => {
    for (const [set, id, n] of [
      ['v20.11-full-3groups', 'loving_jones5', 1],
      ['v20.11-series-3groups', 'jolly_yalow0', 3],
      ['v20.11-series-2groups', 'wizardly_blackburn2', 6],
    ] as const) {
      const chain = selectChain(await read(set));
      expect(chain.backupId).toBe(id);
      expect(chain.backups).toHaveLength(n);
      expect(chain.warnings).toEqual([]);
      expect(selectChain(await read(set), { backupId: id, backupNum: 1 }).backups).toHaveLength(1);
    }
  });

  it('round-trips every fixture manifest through serializeManifest (v20.11 and v21.03)', async () => {
    for (const set of ['v20.11-full-3groups', 'v20.11-series-3groups', 'v20.11-series-2groups']) {
      for (const m of await read(set)) {
        const text = serializeManifest(m, 'v20.11');
        const json = JSON.parse(text) as Record<string, unknown>;
        expect(Object.keys(json)).toEqual([
          'type',
          'since',
          'groups',
          'backup_id',
          'backup_num',
          'encrypted',
          'drop_operations',
        ]);
        expect(json.since).toBe(Number(m.readTs));
        const back = parsePerFolderManifest(text, {
          file: 'x',
          manifestFile: m.manifestFile,
          folder: m.path,
        });
        expect({ ...back, since: m.since }).toEqual(m);

        const master = JSON.parse(serializeManifest([m], 'v21.03')) as {
          Manifests: Record<string, unknown>[];
        };
        expect(master.Manifests[0]).toMatchObject({ version: 2103, path: m.path, read_ts: Number(m.readTs) });
      }
    }
  });

  it('DROP_ALL is written as {} (Go omits the zero enum) and DROP_DATA as {"drop_op":1}', async () => {
    const ms = await read('v20.11-series-2groups');
    expect(JSON.parse(serializeManifest(ms[5]!, 'v20.11')).drop_operations).toEqual([{}]);
    expect(JSON.parse(serializeManifest(ms[4]!, 'v20.11')).drop_operations).toEqual([{ drop_op: 1 }]);
    expect(JSON.parse(serializeManifest(ms[0]!, 'v20.11')).drop_operations).toBeNull();
  });
});
