// Snappy / S2 framing through the JS surface: BackupWriter({ compression:
// 'snappy' }) -> BackupReader, 'auto' detection, encryption, error codes, and
// streams written by the real Go implementations (testdata/vectors, made by
// testdata/gen).
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const here = dirname(fileURLToPath(import.meta.url));
const native = createRequire(import.meta.url)('../index.js') as typeof Native;
const { BackupReader, BackupWriter, encodeKvList } = native;
const VECTORS = resolve(here, '../testdata/vectors');

const SNAPPY_ID = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function frame(list: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(list.length));
  return Buffer.concat([len, list]);
}

/** Framed stream of SCHEMA KVs, roughly `size` bytes, compressible. */
function framedStream(size: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (let i = 0; total < size; i++) {
    const kvs = [];
    for (let j = 0; j < 20; j++) {
      const attr = Buffer.from(`pred.${(i * 20 + j) % 97}`);
      kvs.push({
        key: Buffer.from([0x08, 6, 0x12, ...varint(attr.length), ...attr]),
        value: Buffer.from(`type: string @index(exact) . # ${i}/${j} `.repeat(1 + (j % 5))),
        userMeta: 1,
        version: 1,
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

async function writeFile(framed: Buffer, opts: Native.WriterOptions, chunk = 1 << 20): Promise<Buffer> {
  const w = new BackupWriter(opts);
  const out: Buffer[] = [];
  for (const c of chunks(framed, chunk)) out.push(await w.writeFramed(c));
  out.push(await w.finish());
  return Buffer.concat(out);
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

function encrypt(file: Buffer, key: Buffer): Buffer {
  const iv = Buffer.alloc(16, 0x5a);
  const c = createCipheriv(`aes-${key.length * 8}-ctr`, key, iv);
  return Buffer.concat([iv, c.update(file), c.final()]);
}

describe('snappy writer -> reader', () => {
  const framed = framedStream(600_000);

  it('round trips with any block size, chunking and thread count', async () => {
    for (const [blockSize, threads, chunk] of [
      [4096, 1, 1000],
      [100_000, 2, 65_536],
      [1 << 20, 4, 1 << 20],
    ]) {
      const file = await writeFile(framed, { compression: 'snappy', blockSize, threads }, chunk);
      expect(file.subarray(0, 10)).toEqual(SNAPPY_ID);
      expect(file.length).toBeLessThan(framed.length / 2);
      for (const compression of ['snappy', 's2', 'auto'] as const) {
        const got = await readAll(file, { compression, threads }, 7777);
        expect(got.bytes.equals(framed)).toBe(true);
      }
    }
  });

  it('kvs and stats modes agree with the gzip path', async () => {
    const sz = await writeFile(framed, { compression: 'snappy' });
    const gz = await writeFile(framed, { compression: 'gzip' });
    const a = await readAll(sz, { compression: 'snappy', mode: 'kvs' }, 10_000);
    const b = await readAll(gz, { mode: 'kvs' });
    expect(a.kvs.length).toBeGreaterThan(1000);
    expect(a.kvs).toEqual(b.kvs);
    const st = await readAll(sz, { mode: 'stats' });
    expect(st.stats?.bytesDecompressed).toBe(framed.length);
    expect(st.stats?.bytesIn).toBe(sz.length);
  });

  it('empty stream is just the stream identifier', async () => {
    const file = await writeFile(Buffer.alloc(0), { compression: 'snappy' });
    expect(file).toEqual(SNAPPY_ID);
    expect((await readAll(file, { compression: 'snappy' })).bytes.length).toBe(0);
  });

  it("reader 'auto' detects gzip and snappy", async () => {
    const gz = gzipSync(framed);
    const sz = await writeFile(framed, { compression: 'snappy' });
    expect((await readAll(gz, { compression: 'auto' })).bytes.equals(framed)).toBe(true);
    expect((await readAll(sz, { compression: 'auto' })).bytes.equals(framed)).toBe(true);
    expect((await readAll(sz)).bytes.equals(framed)).toBe(true);
    expect(await errorOf(readAll(sz, { compression: 'gzip' }))).toMatch(
      /^CORRUPT: compression 'gzip' was requested/,
    );
  });

  it('encrypted snappy: key works, wrong key -> WRONG_KEY, no key -> ENCRYPTED_NO_KEY', async () => {
    const key = Buffer.alloc(32, 7);
    const file = await writeFile(framed, { compression: 'snappy', key, threads: 2 }, 50_000);
    for (const compression of ['snappy', 'auto'] as const) {
      expect((await readAll(file, { key, compression }, 999)).bytes.equals(framed)).toBe(true);
      expect(await errorOf(readAll(file, { key: Buffer.alloc(32, 8), compression }))).toMatch(/^WRONG_KEY: /);
      expect(await errorOf(readAll(file, { compression }))).toMatch(/^ENCRYPTED_NO_KEY: /);
    }
    // Node's AES-CTR over our snappy stream reads the same way
    const plain = await writeFile(framed, { compression: 'snappy' });
    const k16 = Buffer.alloc(16, 1);
    expect((await readAll(encrypt(plain, k16), { key: k16 })).bytes.equals(framed)).toBe(true);
    expect(await errorOf(readAll(plain, { key: k16 }))).toMatch(/^WRONG_KEY: /);
  });

  it('truncated -> TRUNCATED, flipped byte -> CORRUPT with the chunk number', async () => {
    const file = await writeFile(framed, { compression: 'snappy' });
    for (const cut of [3, 9, 14, 1000, file.length - 1]) {
      expect(await errorOf(readAll(file.subarray(0, cut), { source: 'r1-g1.backup' }))).toMatch(
        /^TRUNCATED: .*\(r1-g1\.backup\)$/,
      );
    }
    const bad = Buffer.from(file);
    bad[10 + 5]! ^= 1; // the first data chunk's CRC
    expect(await errorOf(readAll(bad))).toBe('CORRUPT: CRC mismatch in snappy chunk 2');
    const reserved = Buffer.concat([SNAPPY_ID, Buffer.from([0x42, 0, 0, 0])]);
    expect(await errorOf(readAll(reserved))).toMatch(/^CORRUPT: reserved chunk type 0x42/);
  });

  it('bad writer compression -> INVALID_ARGUMENT', () => {
    expect(() => new BackupWriter({ compression: 'lz4' as 'snappy' })).toThrow(/^INVALID_ARGUMENT: /);
  });

  it("'s2' writes the same chunks under S2's stream identifier (v25)", async () => {
    const file = await writeFile(framed, { compression: 's2' });
    expect(file.subarray(4, 10).toString('latin1')).toBe('S2sTwO');
    expect(file.subarray(10)).toEqual((await writeFile(framed, { compression: 'snappy' })).subarray(10));
    for (const compression of ['s2', 'auto'] as const) {
      expect((await readAll(file, { compression })).bytes.equals(framed)).toBe(true);
    }
    expect(await errorOf(readAll(file, { compression: 'snappy' }))).toMatch(/S2/);
  });
});

describe('streams written by Go (golang/snappy, klauspost s2)', () => {
  const plain = readFileSync(resolve(VECTORS, 'kvstream-150k.bin'));

  for (const ext of ['.sz', '.s2', '.better.s2', '.best.s2', '.index.s2']) {
    it(`kvstream-150k${ext}`, async () => {
      const file = readFileSync(resolve(VECTORS, `kvstream-150k${ext}`));
      for (const compression of ['snappy', 's2', 'auto'] as const) {
        if (compression === 'snappy' && ext.endsWith('.s2')) {
          // strict snappy (manifests of version 2103 and older): an S2 stream is refused
          expect(await errorOf(readAll(file, { compression }, 4096))).toMatch(
            /^CORRUPT: S2 stream .* where only snappy framing is allowed/,
          );
          continue;
        }
        expect((await readAll(file, { compression }, 4096)).bytes.equals(plain)).toBe(true);
      }
      const key = Buffer.alloc(24, 3);
      expect((await readAll(encrypt(file, key), { key, compression: 's2' })).bytes.equals(plain)).toBe(true);
      expect(await errorOf(readAll(encrypt(file, key), { key: Buffer.alloc(24, 4) }))).toMatch(
        /^WRONG_KEY: /,
      );
    });
  }
});
