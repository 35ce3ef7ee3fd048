import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const here = dirname(fileURLToPath(import.meta.url));
const native = createRequire(import.meta.url)('../index.js') as typeof Native;
const { BackupReader, BackupWriter, decodeKvList, encodeKvList, nativeVersion } = native;

const FIXTURES = resolve(here, '../../../../shared/fixtures/dgraph');

// ---------- helpers ----------

/** protobuf varint */
function varint(n: bigint): number[] {
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

/** BackupKey { type, attr, uid } */
function backupKey(type: number, attr: string, uid: bigint): Buffer {
  const a = Buffer.from(attr);
  return Buffer.from([0x08, type, 0x12, ...varint(BigInt(a.length)), ...a, 0x18, ...varint(uid)]);
}

/** BackupPostingList { uid_bytes } with n uids starting at `start` */
function postingList(start: number, n: number): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push(...varint(i === 0 ? BigInt(start) : BigInt(1 + (i % 3))));
  return Buffer.from([0x2a, ...varint(BigInt(bytes.length)), ...bytes]);
}

function frame(list: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(list.length));
  return Buffer.concat([len, list]);
}

/** Synthetic framed stream of roughly `size` bytes (posting-list-like KVLists). */
function syntheticFramed(size: number, seed = 1): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let uid = seed;
  while (total < size) {
    const kvs = [];
    for (let i = 0; i < 50; i++) {
      uid++;
      kvs.push({
        key: backupKey(1, `pred${uid % 17}`, BigInt(uid)),
        value: postingList(uid, 5 + (uid % 40)),
        userMeta: 8,
        version: uid % 1000,
      });
    }
    const f = frame(encodeKvList(kvs));
    parts.push(f);
    total += f.length;
  }
  return Buffer.concat(parts);
}

function chunks(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, Math.min(buf.length, i + size)));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}

async function writeFile(framed: Buffer, opts: Native.WriterOptions = {}, chunk = 1 << 20): Promise<Buffer> {
  const w = new BackupWriter(opts);
  const out: Buffer[] = [];
  for (const c of chunks(framed, chunk)) out.push(await w.writeFramed(c));
  out.push(await w.finish());
  const file = Buffer.concat(out);
  expect(w.bytesIn).toBe(framed.length);
  expect(w.bytesOut).toBe(file.length);
  return file;
}

async function readAll(file: Buffer, opts: Native.ReaderOptions = {}, chunk = 1 << 20) {
  const r = new BackupReader(opts);
  const bytes: Buffer[] = [];
  const kvs: Native.DecodedKv[] = [];
  for (const c of chunks(file, chunk)) {
    const o = await r.push(c);
    if (o.bytes) bytes.push(o.bytes);
    if (o.kvs) kvs.push(...o.kvs);
  }
  const last = await r.finish();
  if (last.bytes) bytes.push(last.bytes);
  if (last.kvs) kvs.push(...last.kvs);
  return { bytes: Buffer.concat(bytes), kvs, stats: last.stats };
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const CIPHERS: Record<number, string> = { 16: 'aes-128-ctr', 24: 'aes-192-ctr', 32: 'aes-256-ctr' };

// ---------- tests ----------

describe('module', () => {
  it('exposes the crate version', () => {
    expect(nativeVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('encodeKvList / decodeKvList round trip', () => {
    const kvs = [
      { key: backupKey(1, 'name', 0x1fn), value: postingList(5, 3), userMeta: 8, version: 42n },
      {
        key: backupKey(6, 'name', 0n),
        value: Buffer.from([0x0a, 0x04, 0x6e, 0x61, 0x6d, 0x65]),
        userMeta: 1,
        version: 1,
      },
      {
        key: backupKey(1, 'big', 0xffffffffffffffffn),
        value: Buffer.alloc(0),
        userMeta: 16,
        version: 18446744073709551615n,
      },
    ];
    const d = decodeKvList(encodeKvList(kvs));
    expect(d).toHaveLength(3);
    expect(d[0]!.key).toMatchObject({ keyType: 'DATA', attr: 'name', uid: 0x1fn });
    expect(d[0]!.version).toBe(42n);
    expect(d[0]!.uids).toBe(3);
    expect(d[0]!.postings).toBe(0);
    expect(d[0]!.rawKey.equals(kvs[0]!.key)).toBe(true);
    expect(d[1]!.key.keyType).toBe('SCHEMA');
    expect(d[1]!.uids).toBeUndefined();
    expect(d[2]!.key.uid).toBe(0xffffffffffffffffn);
    expect(d[2]!.version).toBe(18446744073709551615n);
    expect(d[2]!.uids).toBe(0);
  });

  it('rejects bad KvEntry values', () => {
    const k = { key: Buffer.alloc(0), value: Buffer.alloc(0), version: 1 };
    expect(() => encodeKvList([{ ...k, userMeta: 2 }])).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => encodeKvList([{ ...k, userMeta: 8, version: -1 }])).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => encodeKvList([{ ...k, userMeta: 8, version: 1.5 }])).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => decodeKvList(Buffer.from([0x0a, 0x09, 0x01]))).toThrow(/^CORRUPT: /);
  });
});

describe('writer/reader round trip', () => {
  const framed = syntheticFramed(3 << 20);

  it('plain and encrypted, many chunkings, all modes agree', async () => {
    for (const key of [undefined, randomBytes(16), randomBytes(24), randomBytes(32)]) {
      const file = await writeFile(framed, { key, threads: 2, blockSize: 256 << 10 }, 100_003);
      for (const chunk of [4093, 1 << 16, 10 << 20]) {
        const { bytes } = await readAll(file, { key, threads: 2 }, chunk);
        expect(bytes.equals(framed)).toBe(true);
      }
    }
    const file = await writeFile(framed, { level: 1 });
    const { kvs } = await readAll(file, { mode: 'kvs' }, 77_777);
    const { stats } = await readAll(file, { mode: 'stats' });
    expect(kvs.length).toBe(stats!.kvs);
    expect(stats!.bytesDecompressed).toBe(framed.length);
    expect(stats!.bytesIn).toBe(file.length);
    expect(stats!.entries.reduce((s, e) => s + e.keys, 0)).toBe(kvs.length);
    expect(stats!.entries.reduce((s, e) => s + e.uids, 0)).toBe(kvs.reduce((s, k) => s + (k.uids ?? 0), 0));
    const preds = stats!.entries.map((e) => e.predicate);
    expect(preds).toEqual([...preds].sort());
  });

  it('writeKvList, writeKvs and empty outputs', async () => {
    const w = new BackupWriter({ blockSize: 1 << 20 });
    const kvs = [{ key: backupKey(1, 'p', 1n), value: postingList(1, 2), userMeta: 8, version: 3 }];
    const a = await w.writeKvs(kvs);
    const b = await w.writeKvList(encodeKvList(kvs));
    expect(a.length + b.length).toBe(0); // still inside the first block
    const c = await w.finish();
    const file = Buffer.concat([a, b, c]);
    expect(gunzipSync(file).equals(Buffer.concat([frame(encodeKvList(kvs)), frame(encodeKvList(kvs))]))).toBe(
      true,
    );
    await expect(w.finish()).rejects.toThrow(/^INVALID_ARGUMENT: /);
    await expect(w.writeFramed(Buffer.alloc(8))).rejects.toThrow(/^INVALID_ARGUMENT: /);
    // empty stream: still a valid gzip file
    const empty = await writeFile(Buffer.alloc(0));
    expect(gunzipSync(empty).length).toBe(0);
    const r = await readAll(empty);
    expect(r.bytes.length).toBe(0);
  });

  it('large round trip (tens of MB, threads 2, 256 KiB blocks)', async () => {
    const big = syntheticFramed(40 << 20, 7);
    const key = randomBytes(32);
    for (const [wchunk, rchunk] of [
      [1 << 20, 65_536],
      [3_000_017, 5 << 20],
    ] as const) {
      const file = await writeFile(big, { threads: 2, blockSize: 256 << 10, key }, wchunk);
      const { bytes } = await readAll(file, { threads: 2, key }, rchunk);
      expect(bytes.length).toBe(big.length);
      expect(bytes.equals(big)).toBe(true);
    }
  });

  it('chunks: true returns the decompressed pieces instead of one bytes Buffer', async () => {
    const big = syntheticFramed(8 << 20, 3);
    const file = await writeFile(big, { threads: 2, blockSize: 256 << 10 }, 1 << 20);
    const r = new BackupReader({ threads: 2, chunks: true });
    const parts: Buffer[] = [];
    for (const c of chunks(file, 100_000)) {
      const o = await r.push(c);
      expect(o.bytes).toBeUndefined();
      parts.push(...(o.chunks ?? []));
    }
    parts.push(...((await r.finish()).chunks ?? []));
    expect(parts.length).toBeGreaterThan(1);
    expect(Buffer.concat(parts).equals(big)).toBe(true);
  });
});

describe('interop with Node zlib + crypto', () => {
  const framed = syntheticFramed(1 << 20, 3);

  it('Strata output decodes with createDecipheriv + gunzipSync', async () => {
    expect(gunzipSync(await writeFile(framed, { threads: 2, blockSize: 64 << 10 })).equals(framed)).toBe(
      true,
    );
    for (const len of [16, 24, 32]) {
      const key = randomBytes(len);
      const file = await writeFile(framed, { key, threads: 2, blockSize: 64 << 10 }, 50_000);
      const d = createDecipheriv(CIPHERS[len]!, key, file.subarray(0, 16));
      const gz = Buffer.concat([d.update(file.subarray(16)), d.final()]);
      expect(gunzipSync(gz).equals(framed)).toBe(true);
    }
  });

  it('Strata reader decodes gzipSync (+ createCipheriv) output', async () => {
    const gz = gzipSync(framed, { level: 6 });
    for (const chunk of [1000, 1 << 20]) {
      expect((await readAll(gz, {}, chunk)).bytes.equals(framed)).toBe(true);
    }
    // multi-member from Node
    const two = Buffer.concat([gzipSync(framed.subarray(0, 1000)), gzipSync(framed.subarray(1000))]);
    expect((await readAll(two, {}, 333)).bytes.equals(framed)).toBe(true);
    for (const len of [16, 24, 32]) {
      const key = randomBytes(len);
      const iv = randomBytes(16);
      const c = createCipheriv(CIPHERS[len]!, key, iv);
      const file = Buffer.concat([iv, c.update(gz), c.final()]);
      expect((await readAll(file, { key }, 4099)).bytes.equals(framed)).toBe(true);
    }
  });
});

describe('errors', () => {
  const framed = syntheticFramed(300_000, 5);
  const key = randomBytes(32);

  it('truncated file -> TRUNCATED', async () => {
    const file = await writeFile(framed, { blockSize: 64 << 10 });
    for (const cut of [2, 15, 30, Math.floor(file.length / 2), file.length - 1]) {
      expect(await errorOf(readAll(file.subarray(0, cut), { source: 'r1-g1.backup' }))).toMatch(
        /^TRUNCATED: .*r1-g1\.backup/,
      );
    }
    const enc = await writeFile(framed, { key });
    expect(await errorOf(readAll(enc.subarray(0, 10), { key }))).toMatch(/^TRUNCATED: /);
    // a gzip stream that is complete but whose frames are cut
    const cutFrames = gzipSync(framed.subarray(0, framed.length - 5));
    expect(await errorOf(readAll(cutFrames))).toMatch(/^TRUNCATED: .*frame/);
  });

  it('one flipped byte in the gzip body -> CORRUPT', async () => {
    const file = await writeFile(framed, { blockSize: 64 << 10 });
    const bad = Buffer.from(file);
    bad[Math.floor(bad.length / 2)]! ^= 0x20;
    expect(await errorOf(readAll(bad))).toMatch(/^CORRUPT: /);
    const gz = Buffer.from(gzipSync(framed));
    gz[Math.floor(gz.length / 2)]! ^= 0x20;
    expect(await errorOf(readAll(gz))).toMatch(/^CORRUPT: /);
  });

  it('plain file given a key -> WRONG_KEY', async () => {
    const file = await writeFile(framed);
    expect(await errorOf(readAll(file, { key }))).toMatch(/^WRONG_KEY: /);
  });

  it('encrypted file given no key -> ENCRYPTED_NO_KEY', async () => {
    const file = await writeFile(framed, { key });
    expect(await errorOf(readAll(file))).toMatch(/^ENCRYPTED_NO_KEY: not gzip or snappy\/S2 data/);
  });

  it('wrong key -> WRONG_KEY', async () => {
    const file = await writeFile(framed, { key });
    expect(await errorOf(readAll(file, { key: randomBytes(32), source: 'x.backup' }))).toMatch(
      /^WRONG_KEY: wrong key or not encrypted.*x\.backup/,
    );
  });

  it('20-byte key -> BAD_KEY_LENGTH', () => {
    const msg =
      'BAD_KEY_LENGTH: encryption key is 20 bytes; AES-CTR needs 16, 24 or 32 bytes (AES-128/192/256)';
    expect(() => new BackupReader({ key: Buffer.alloc(20) })).toThrow(msg);
    expect(() => new BackupWriter({ key: Buffer.alloc(20) })).toThrow(msg);
  });

  it('empty file -> EMPTY', async () => {
    expect(await errorOf(readAll(Buffer.alloc(0), { source: 'empty.backup' }))).toMatch(
      /^EMPTY: empty file.*empty\.backup/,
    );
    const r = new BackupReader();
    expect(await errorOf(r.finish())).toMatch(/^EMPTY: /);
  });

  it('bad protobuf, bad user_meta -> CORRUPT; absurd frame length -> TOO_LARGE', async () => {
    const badProto = gzipSync(frame(Buffer.from([0x0a, 0x09, 0x01])));
    for (const mode of ['bytes', 'kvs', 'stats'] as const) {
      expect(await errorOf(readAll(badProto, { mode }))).toMatch(/^CORRUPT: /);
    }
    // KV { user_meta: 0x02 }
    const badMeta = gzipSync(frame(Buffer.from([0x0a, 0x03, 0x1a, 0x01, 0x02])));
    expect(await errorOf(readAll(badMeta, { mode: 'kvs' }))).toMatch(/^CORRUPT: bad user_meta/);
    const absurd = Buffer.alloc(8);
    absurd.writeBigUInt64LE(1n << 40n);
    expect(await errorOf(readAll(gzipSync(absurd)))).toMatch(
      /^TOO_LARGE: frame 1 at decompressed offset 0 claims/,
    );
  });

  it('bad snappy chunk / compression option contradicting the data -> CORRUPT', async () => {
    // (snappy / S2 reading is covered in snappy.spec.ts)
    const snappy = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59, 0, 0, 0, 0]);
    expect(await errorOf(readAll(snappy))).toMatch(/^CORRUPT: .*too short/);
    expect(await errorOf(readAll(gzipSync(framed), { compression: 's2' }))).toMatch(
      /^CORRUPT: compression 's2' was requested but the data is gzip/,
    );
  });

  it('bad options -> INVALID_ARGUMENT', () => {
    expect(() => new BackupWriter({ level: 13 })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupWriter({ level: -1 })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupWriter({ threads: 0 })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupWriter({ threads: 1.5 })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupWriter({ blockSize: 10 })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupWriter({ compression: 'lz4' as 'gzip' })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupReader({ mode: 'x' as 'kvs' })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupReader({ compression: 'zstd' as 'gzip' })).toThrow(/^INVALID_ARGUMENT: /);
    expect(() => new BackupReader({ threads: -2 })).toThrow(/^INVALID_ARGUMENT: /);
  });

  it('push after finish -> INVALID_ARGUMENT', async () => {
    const r = new BackupReader();
    await r.push(gzipSync(framed));
    await r.finish();
    expect(await errorOf(r.push(Buffer.alloc(1)))).toMatch(/^INVALID_ARGUMENT: /);
  });
});

// ---------- real Dgraph fixtures ----------

interface Manifest {
  backup_id: string;
  backup_num: number;
  groups: Record<string, string[]>;
}

const locations = existsSync(FIXTURES)
  ? readdirSync(FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  : [];

describe.skipIf(locations.length === 0)('real Dgraph fixtures', () => {
  for (const loc of locations) {
    it(`${loc}: every file decodes; key predicates match the manifest; full backup matches summary.json`, async () => {
      const locDir = join(FIXTURES, loc);
      const folders = readdirSync(locDir)
        .filter((f) => f.startsWith('dgraph.'))
        .sort();
      expect(folders.length).toBeGreaterThan(0);
      const fullCounts = new Map<string, { data: number; index: number }>();
      for (const folder of folders) {
        const dir = join(locDir, folder);
        const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
        const files = readdirSync(dir).filter((f) => /^r\d+-g\d+\.backup$/.test(f));
        expect(files.length).toBe(Object.keys(manifest.groups).length);
        for (const f of files) {
          const g = /-g(\d+)\.backup$/.exec(f)![1]!;
          const preds = new Set(manifest.groups[g] ?? []);
          const file = readFileSync(join(dir, f));
          const { kvs } = await readAll(file, { mode: 'kvs', source: f }, 97);
          const { stats } = await readAll(file, { mode: 'stats', source: f });
          expect(stats!.kvs).toBe(kvs.length);
          expect(stats!.bytesIn).toBe(file.length);
          for (const kv of kvs) {
            if (['DATA', 'INDEX', 'REVERSE', 'COUNT', 'COUNT_REV'].includes(kv.key.keyType)) {
              expect(preds.has(kv.key.attr), `${folder}/${f}: ${kv.key.keyType} ${kv.key.attr}`).toBe(true);
            }
          }
          expect(
            kvs.some((kv) => kv.key.keyType === 'TYPE'),
            `${f} has TYPE keys`,
          ).toBe(true);
          // stats rows agree with the KVs
          const typeRows = stats!.entries.filter((e) => e.keyType === 'TYPE');
          expect(typeRows.reduce((s, e) => s + e.keys, 0)).toBe(
            kvs.filter((k) => k.key.keyType === 'TYPE').length,
          );
          if (manifest.backup_num === 1) {
            const c = fullCounts.get(manifest.backup_id) ?? { data: 0, index: 0 };
            for (const kv of kvs) {
              if (!preds.has(kv.key.attr)) continue;
              if (kv.key.keyType === 'DATA') c.data++;
              if (kv.key.keyType === 'INDEX') c.index++;
            }
            fullCounts.set(manifest.backup_id, c);
          }
        }
      }
      const summary = JSON.parse(readFileSync(join(locDir, 'expected', 'summary.json'), 'utf8')) as {
        series: {
          backup_id: string;
          restore_points: { backup_num: number; stats: { data_keys: number; index_keys: number } }[];
        }[];
      };
      expect(fullCounts.size).toBeGreaterThan(0);
      for (const s of summary.series) {
        const rp1 = s.restore_points.find((r) => r.backup_num === 1)!;
        const got = fullCounts.get(s.backup_id);
        expect(got, `series ${s.backup_id}`).toBeDefined();
        expect(got!.data).toBe(rp1.stats.data_keys);
        expect(got!.index).toBe(rp1.stats.index_keys);
      }
    });
  }
});
