// The backup pipeline on real posting stores: plan → native stream → destination → manifest, then
// restoreOffline of every backup point equals the store's export at that backup's readTs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalDestination,
  backupFilePath,
  exportRdf,
  keyFingerprint,
  listBackups,
  openPostingStore,
  planBackup,
  readManifests,
  restoreOffline,
  toManifestDrop,
  writeGroupFile,
  writeManifest,
  type ManifestLayout,
  type PostingStore,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

const str = (s: string) => Buffer.from(s, 'utf8');
const STRING = 9;

/** restoreOffline of `location` into `<tmp>/<name>` exports what `store` held at `readTs`. */
async function expectRestoreEqualsStore(
  location: string,
  name: string,
  store: PostingStore,
  readTs: bigint,
  key?: Buffer,
): Promise<void> {
  const out = path.join(t.dir, name);
  await restoreOffline({ location, pdir: out, ...(key ? { key } : {}) });
  expect((await exportRdf({ pdir: out })).data.toString()).toBe(
    (await store.exportRdf(readTs)).data.toString(),
  );
}

async function backupOnce(
  store: PostingStore,
  dest: LocalDestination,
  readTs: bigint,
  opts: { forceFull?: boolean; format?: ManifestLayout; key?: Buffer } = {},
) {
  const fp = opts.key ? keyFingerprint(opts.key) : undefined;
  const plan = await planBackup(dest, {
    readTs,
    encrypted: opts.key !== undefined,
    keyFingerprint: fp,
    forceFull: opts.forceFull,
    format: opts.format,
  });
  const preds = store.getSchema().predicates.map((p) => ({ name: p.predicate }));
  const file = backupFilePath(plan, 1);
  const r = await writeGroupFile(store, dest, {
    path: file,
    readTs,
    since: plan.since,
    predicates: preds,
    layout: plan.format,
    ...(opts.key ? { key: opts.key } : {}),
  });
  await writeManifest(dest, {
    plan,
    groups: new Map([[1, preds.map((p) => ({ namespace: 0n, name: p.name }))]]),
    dropOperations: r.summary.dropOperations.map(toManifestDrop),
    checksums: { [path.basename(file)]: r.sha256 },
    strataVersion: 'test',
    keyFingerprint: fp,
  });
  return { plan, r };
}

describe.each(['v20.11', 'v21.03', 'v24', 'v25'] as const)('backup series (%s)', (format) => {
  it('full + incrementals restore to the export at each readTs', async () => {
    const pdir = path.join(t.dir, `store-${format}`);
    const store = openPostingStore(pdir, { group: 1, create: true });
    const locDir = path.join(t.dir, `loc-${format}`);
    const dest = new LocalDestination(locDir);
    try {
      await store.alter(1n, {
        predicates: [
          { predicate: 'name', valueType: 'string', index: ['exact'] },
          { predicate: 'dgraph.drop.op', valueType: 'string' },
        ],
      });
      await store.applyMutations(2n, [
        { op: 'set', subject: 1n, predicate: 'name', value: str('a'), valType: STRING },
        { op: 'set', subject: 2n, predicate: 'name', value: str('b'), valType: STRING },
      ]);
      const points: { readTs: bigint; backupNum: number; data: Buffer }[] = [];
      const b1 = await backupOnce(store, dest, 3n, { format });
      expect(b1.plan.type).toBe('full');
      points.push({ readTs: 3n, backupNum: 1, data: (await store.exportRdf(3n)).data });
      await store.applyMutations(4n, [
        { op: 'set', subject: 3n, predicate: 'name', value: str('c'), valType: STRING },
        { op: 'del', subject: 1n, predicate: 'name', value: str('a'), valType: STRING },
      ]);
      const b2 = await backupOnce(store, dest, 5n, { format });
      expect(b2.plan).toMatchObject({
        type: 'incremental',
        backupNum: 2,
        since: 3n,
        backupId: b1.plan.backupId,
      });
      points.push({ readTs: 5n, backupNum: 2, data: (await store.exportRdf(5n)).data });
      await expect(backupOnce(store, dest, 5n, { format })).rejects.toThrow(/does not advance/);
      await expect(backupOnce(store, dest, 6n, { format, key: Buffer.alloc(16, 7) })).rejects.toThrow(
        /forceFull/,
      );

      const m = await readManifests(dest);
      expect(m.layout).toBe(format === 'v20.11' ? 'per-folder' : 'master');
      expect(m.manifests.map((x) => [x.backupNum, x.readTs, x.since])).toEqual([
        [1, 3n, 0n],
        [2, 5n, 3n],
      ]);
      expect(m.manifests[1]!.checksums).toBeDefined();
      expect(m.manifests[1]!.strataVersion).toBe('test');
      for (const p of points) {
        const out = path.join(t.dir, `r-${format}-${p.backupNum}`);
        const r = await restoreOffline({ location: locDir, pdir: out, backupNum: p.backupNum });
        expect((await exportRdf({ pdir: out })).data.toString()).toBe(p.data.toString());
        // Strata's own backups list their keys in the store's order: a chain's files are merged.
        expect(r.groups.map((g) => g.merged)).toEqual([p.backupNum > 1]);
      }
      // Encrypted second series with forceFull.
      const key = Buffer.alloc(32, 9);
      const b3 = await backupOnce(store, dest, 7n, { format, forceFull: true, key });
      expect(b3.plan).toMatchObject({ type: 'full', backupNum: 1 });
      expect(b3.plan.backupId).not.toBe(b1.plan.backupId);
      expect(b3.plan.backupId).toMatch(/^[a-z]+_[a-z]+\d$/);
      const list = await listBackups({ location: locDir });
      expect(list.at(-1)).toMatchObject({ encrypted: true, backupNum: 1 });
      const man = await readManifests(dest);
      expect(man.manifests.at(-1)!.keyFingerprint).toBe(keyFingerprint(key));
      await expect(
        restoreOffline({ location: locDir, pdir: path.join(t.dir, `x-${format}`), key: Buffer.alloc(32, 1) }),
      ).rejects.toThrow(/wrong key/);
      await expectRestoreEqualsStore(locDir, `r-${format}-enc`, store, 7n, key);
    } finally {
      store.close();
    }
  });
});

describe('layouts', () => {
  it('consolidates a per-folder location into the master manifest on a v21.03 backup, as Dgraph v21.03', async () => {
    const store = openPostingStore(path.join(t.dir, 'store-consolidate'), { group: 1, create: true });
    const loc = path.join(t.dir, 'loc-consolidate');
    const dest = new LocalDestination(loc);
    try {
      await store.alter(1n, { predicates: [{ predicate: 'name', valueType: 'string' }] });
      await store.applyMutations(2n, [
        { op: 'set', subject: 1n, predicate: 'name', value: str('a'), valType: STRING },
      ]);
      await backupOnce(store, dest, 3n);
      await store.applyMutations(4n, [
        { op: 'set', subject: 2n, predicate: 'name', value: str('b'), valType: STRING },
      ]);
      const b2 = await backupOnce(store, dest, 5n, { format: 'v21.03' });
      expect(b2.plan).toMatchObject({ type: 'incremental', backupNum: 2, compression: 'snappy' });
      const m = await readManifests(dest);
      expect(m.layout).toBe('master');
      // the per-folder entry keeps its version (0: bare names) inside the master, as in Dgraph v21.03
      expect(m.manifests.map((x) => [x.backupNum, x.compression, x.readTs, x.version])).toEqual([
        [1, 'gzip', 3n, 0],
        [2, 'snappy', 5n, 2103],
      ]);
      await expect(backupOnce(store, dest, 6n, { format: 'v20.11' })).rejects.toThrow(/master manifest/);
      await expectRestoreEqualsStore(loc, 'r-consolidate', store, 5n);
    } finally {
      store.close();
    }
  });
});

describe('current layouts (version 2105)', () => {
  it('v25 writes S2 framing and manifest_summary.json; a v24 backup after it keeps the summary in step', async () => {
    const store = openPostingStore(path.join(t.dir, 'store-2105'), { group: 1, create: true });
    const loc = path.join(t.dir, 'loc-2105');
    const dest = new LocalDestination(loc);
    try {
      await store.alter(1n, {
        predicates: [{ predicate: 'name', valueType: 'string' }],
        types: [{ name: 'Person', fields: ['name'] }],
      });
      await store.applyMutations(2n, [
        { op: 'set', subject: 1n, predicate: 'name', value: str('a'), valType: STRING },
      ]);
      const b1 = await backupOnce(store, dest, 3n, { format: 'v25' });
      const file = readFileSync(path.join(loc, backupFilePath(b1.plan, 1)));
      expect(file.subarray(4, 10).toString('latin1')).toBe('S2sTwO');
      const master = JSON.parse(readFileSync(path.join(loc, 'manifest.json'), 'utf8')) as {
        Manifests: Record<string, unknown>[];
      };
      expect(master.Manifests[0]).toMatchObject({
        version: 2105,
        compression: 'snappy',
        groups: { '1': ['0-name'] },
      });
      const summary = () =>
        JSON.parse(readFileSync(path.join(loc, 'manifest_summary.json'), 'utf8')) as {
          Manifests: Record<string, unknown>[];
        };
      expect(summary().Manifests).toHaveLength(1);
      expect(Object.keys(summary().Manifests[0]!).sort()).toEqual(
        [
          'backup_id',
          'backup_num',
          'compression',
          'encrypted',
          'path',
          'read_ts',
          'since',
          'type',
          'version',
        ].sort(),
      );
      // No format given: the location's version 2105 continues as v24 (snappy framing).
      await store.applyMutations(4n, [
        { op: 'set', subject: 2n, predicate: 'name', value: str('b'), valType: STRING },
      ]);
      const b2 = await backupOnce(store, dest, 5n);
      expect(b2.plan).toMatchObject({ format: 'v24', type: 'incremental', backupNum: 2 });
      const file2 = readFileSync(path.join(loc, backupFilePath(b2.plan, 1)));
      expect(file2.subarray(4, 10).toString('latin1')).toBe('sNaPpY');
      expect(summary().Manifests.map((e) => e.backup_num)).toEqual([1, 2]);
      await expectRestoreEqualsStore(loc, 'r-2105', store, 5n);
      const schema = (await exportRdf({ pdir: path.join(t.dir, 'r-2105') })).schema.toString();
      expect(schema).toContain('type Person {\n  name\n}');
    } finally {
      store.close();
    }
  });
});

describe('backup failures', () => {
  it('an unwritable destination leaves no file and no manifest', async () => {
    const pdir = path.join(t.dir, 'store-fail');
    const store = openPostingStore(pdir, { group: 1, create: true });
    try {
      await store.alter(1n, { predicates: [{ predicate: 'name', valueType: 'string' }] });
      const loc = path.join(t.dir, 'loc-fail');
      mkdirSync(loc);
      writeFileSync(path.join(loc, 'dgraph.blocker'), 'x');
      const dest = new LocalDestination(loc);
      await expect(
        writeGroupFile(store, dest, {
          path: 'dgraph.blocker/r2-g1.backup',
          readTs: 2n,
          since: 0n,
          predicates: [{ name: 'name' }],
        }),
      ).rejects.toThrow();
      expect(readdirSync(loc)).toEqual(['dgraph.blocker']);
      expect(readFileSync(path.join(loc, 'dgraph.blocker'), 'utf8')).toBe('x');
    } finally {
      store.close();
    }
  });
});
