import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const native = createRequire(import.meta.url)('../index.js') as typeof Native;
const { PostingStore, RestoreWriter, exportRdf, decodeKvList, BackupReader } = native;

const root = mkdtempSync(join(tmpdir(), 'strata-backup-spec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VT = { STRING: 9, INT: 2 } as const;
const int = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
};
const str = (s: string) => Buffer.from(s, 'utf8');
const set = (subject: bigint, predicate: string, v: string | bigint) =>
  typeof v === 'string'
    ? { op: 'set' as const, subject, predicate, value: str(v), valType: VT.STRING }
    : { op: 'set' as const, subject, predicate, value: int(v), valType: VT.INT };
const KEY = Buffer.alloc(32, 7);

async function drain(
  s: Native.BackupStream,
): Promise<{ file: Buffer; summary: Native.BackupSummary; chunks: number }> {
  const parts: Buffer[] = [];
  for (let c = await s.next(); c !== null; c = await s.next()) parts.push(c);
  return { file: Buffer.concat(parts), summary: s.summary(), chunks: parts.length };
}

async function preds(s: Native.PostingStore, readTs: bigint) {
  return s.getSchema(readTs).predicates.map((p) => ({ namespace: p.namespace ?? 0n, name: p.predicate }));
}

let n = 0;
const dir = (name: string) => join(root, `${name}-${n++}`);

async function buildBase(s: Native.PostingStore) {
  await s.alter(1n, {
    predicates: [
      { predicate: 'name', valueType: 'string', index: ['exact', 'term'] },
      { predicate: 'age', valueType: 'int', index: ['int'] },
      { predicate: 'friend', valueType: 'uid', list: true, reverse: true, count: true },
      { predicate: 'score', valueType: 'int' },
      { predicate: 'dgraph.drop.op', valueType: 'string' },
    ],
    types: [{ name: 'Person', fields: ['name', 'age', 'friend'] }],
  });
  await s.applyMutations(2n, [
    set(1n, 'name', 'Alice'),
    set(1n, 'age', 30n),
    { op: 'set', subject: 1n, predicate: 'friend', objectUid: 2n },
    { op: 'set', subject: 1n, predicate: 'friend', objectUid: 3n },
    set(1n, 'score', 5n),
    set(2n, 'name', 'Bob'),
    set(2n, 'age', 25n),
    set(2n, 'score', 7n),
    set(3n, 'name', 'Carol'),
    { op: 'set', subject: 3n, predicate: 'friend', objectUid: 1n },
  ]);
}

/** What the Alpha does between the two backups (ts 3..6), then ts 7. */
async function buildChanges(s: Native.PostingStore) {
  await s.applyMutations(3n, [
    { ...set(2n, 'age', 25n), op: 'del' },
    set(1n, 'name', 'Alicia'),
    set(4n, 'name', 'Dave'),
    { op: 'del', subject: 3n, predicate: 'friend', objectUid: 1n },
  ]);
  await s.alter(4n, { dropAttr: 'score' });
  await s.applyMutations(5n, [set(100n, 'dgraph.drop.op', 'DROP_ATTR;score')]);
  await s.alter(6n, { types: [{ name: 'Animal', fields: ['name'] }] });
  await s.applyMutations(6n, [set(4n, 'score', 9n)]);
  await s.applyMutations(7n, [set(1n, 'age', 31n), set(6n, 'name', 'Late')]);
}

describe('PostingStore.backup', () => {
  it('full and incremental backups restore to the live state, both layouts, plain and encrypted, with and without restoreTs', async () => {
    const live = new PostingStore(dir('live'), { group: 1, create: true });
    await buildBase(live);
    const p1 = await preds(live, 2n);
    const combos = (['v20.11', 'v21.03'] as const).flatMap((layout) => [
      { layout, key: undefined as Buffer | undefined },
      { layout, key: KEY },
    ]);
    const fulls = [];
    for (const c of combos) {
      fulls.push(await drain(live.backup({ readTs: 2n, since: 0n, predicates: p1, ...c, chunkSize: 65536 })));
    }
    await buildChanges(live);
    const want = await live.exportRdf(6n);
    const p2 = await preds(live, 6n);
    for (const [i, c] of combos.entries()) {
      const full = fulls[i]!;
      expect(full.summary.dropOperations).toEqual([]);
      expect(full.summary.maxVersion).toBe(2n);
      expect(full.summary.bytesOut).toBe(full.file.length);
      const incr = await drain(live.backup({ readTs: 6n, since: 2n, predicates: p2, ...c }));
      expect(incr.summary.dropOperations).toEqual([{ op: 'ATTR', value: 'score', commitTs: 5n }]);
      expect(incr.summary.predicates).toEqual(['age', 'dgraph.drop.op', 'friend', 'name', 'score']);
      const files = [full, incr].map((b, j) => {
        const f = join(root, `f${i}-${j}-${n++}`);
        writeFileSync(f, b.file);
        return { path: f, drops: b.summary.dropOperations };
      });
      for (const restoreTs of [undefined, 50n]) {
        const out = dir('restored');
        const w = new RestoreWriter(out, { group: 1, restoreTs });
        for (const f of files) {
          await w.applyDrops(f.drops);
          await w.resetSchema();
          await w.loadBackupFile(f.path, { key: c.key, predicates: p2 });
        }
        await w.finish(restoreTs ?? 6n);
        const got = await exportRdf(out);
        expect(got.data.toString(), `${c.layout} key=${!!c.key} restoreTs=${restoreTs}`).toBe(
          want.data.toString(),
        );
        expect(got.schema.toString()).toBe(want.schema.toString());
      }
    }
    live.close();
  });

  it('writes KVs as Dgraph does; Node zlib reads the gzip file; schema/types last in v21.03', async () => {
    const live = new PostingStore(dir('kvs'), { group: 1, create: true });
    await buildBase(live);
    const predicates = await preds(live, 2n);

    // v20.11 gzip: plain Node zlib + 8-byte LE framing.
    const { file } = await drain(live.backup({ readTs: 2n, since: 0n, predicates, layout: 'v20.11' }));
    const s = gunzipSync(file);
    const kvs: Native.DecodedKv[] = [];
    for (let off = 0; off < s.length;) {
      const len = Number(s.readBigUInt64LE(off));
      kvs.push(...decodeKvList(s.subarray(off + 8, off + 8 + len)));
      off += 8 + len;
    }
    const name1 = kvs.find((k) => k.key.keyType === 'DATA' && k.key.attr === 'name' && k.key.uid === 1n)!;
    expect(name1).toMatchObject({ userMeta: 8, version: 2n, uids: 1, postings: 1 });
    expect(kvs.every((k) => k.key.namespace === undefined)).toBe(true);
    expect(
      kvs
        .filter((k) => k.key.keyType === 'SCHEMA')
        .map((k) => k.key.attr)
        .sort(),
    ).toEqual(predicates.map((p) => p.name).sort());
    const type = kvs.find((k) => k.key.keyType === 'TYPE')!;
    expect(type).toMatchObject({ userMeta: 1, version: 1n });
    expect(type.value.includes(Buffer.from('\0\0\0\0\0\0\0\0Person'))).toBe(false);

    // v21.03 snappy (default), through the addon reader.
    const b = await drain(live.backup({ readTs: 2n, since: 0n, predicates, key: KEY }));
    const r = new BackupReader({ key: KEY, mode: 'kvs' });
    const all = [...((await r.push(b.file)).kvs ?? []), ...((await r.finish()).kvs ?? [])];
    expect(all.length).toBe(b.summary.kvs);
    const types = all.map((k) => k.key.keyType);
    const firstSchema = types.indexOf('SCHEMA');
    expect(types.slice(firstSchema).every((t) => t === 'SCHEMA' || t === 'TYPE')).toBe(true);
    expect(
      all.filter((k) => k.key.keyType === 'TYPE')[0]!.value.includes(Buffer.from('\0\0\0\0\0\0\0\0Person')),
    ).toBe(true);
    live.close();
  });

  it('rejects bad options and supports abort', async () => {
    const live = new PostingStore(dir('opts'), { group: 1, create: true });
    await buildBase(live);
    const predicates = await preds(live, 2n);
    expect(() => live.backup({ readTs: 2n, since: 2n, predicates })).toThrow(/INVALID_ARGUMENT: since/);
    expect(() => live.backup({ readTs: 2n, since: 0n, predicates, layout: 'v9' as 'v21.03' })).toThrow(
      /layout/,
    );
    expect(() => live.backup({ readTs: 2n, since: 0n, predicates, key: Buffer.alloc(5) })).toThrow(
      /BAD_KEY_LENGTH/,
    );
    expect(() =>
      live.backup({ readTs: 2n, since: 0n, predicates: [{ namespace: 3n, name: 'x' }], layout: 'v20.11' }),
    ).toThrow(/namespace 3/);
    const s = live.backup({ readTs: 2n, since: 0n, predicates });
    expect(() => s.summary()).toThrow(/INVALID_ARGUMENT/);
    s.abort();
    await expect(s.next()).rejects.toThrow(/aborted/);
    live.close();
  });
});
