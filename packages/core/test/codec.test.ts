/**
 * Encoder/decoder streams over the real native addon: round trips, interop with Node's own
 * zlib + crypto, and the typed error for every way a file can be wrong.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadKeyLengthError,
  CorruptBackupError,
  createBackupDecoder,
  createBackupEncoder,
  EmptyBackupError,
  EncryptedNoKeyError,
  inspectBackupFile,
  readKeyFile,
  StrataError,
  TruncatedBackupError,
  WrongKeyError,
  type BackupStats,
  type DecodedKv,
  type KvEntry,
} from '../src/index.js';
import { chunk, framedStream, makeKvs, tempDir, through, unframe, type TestKv } from './helpers.js';

const aes = (key: Buffer): string => `aes-${key.length * 8}-ctr`;

async function encode(
  chunks: unknown[],
  opts: Parameters<typeof createBackupEncoder>[0] = {},
): Promise<Buffer> {
  return Buffer.concat(await through<Buffer>(chunks, createBackupEncoder(opts)));
}

async function decodeBytes(file: Buffer, size: number, key?: Buffer, random = false): Promise<Buffer> {
  const dec = createBackupDecoder({ mode: 'bytes', ...(key && { key }) });
  return Buffer.concat(await through<Buffer>(chunk(file, size, random ? { seed: size } : undefined), dec));
}

async function decodeKvs(file: Buffer, key?: Buffer): Promise<DecodedKv[]> {
  return through<DecodedKv>(chunk(file, 100_000), createBackupDecoder({ mode: 'kvs', ...(key && { key }) }));
}

function nodeDecode(file: Buffer, key?: Buffer): Buffer {
  if (!key) return gunzipSync(file);
  const decipher = createDecipheriv(aes(key), key, file.subarray(0, 16));
  return gunzipSync(Buffer.concat([decipher.update(file.subarray(16)), decipher.final()]));
}

function nodeEncode(framed: Buffer, key?: Buffer): Buffer {
  const gz = gzipSync(framed);
  if (!key) return gz;
  const iv = randomBytes(16);
  const cipher = createCipheriv(aes(key), key, iv);
  return Buffer.concat([iv, cipher.update(gz), cipher.final()]);
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());
function tmpFile(name: string, bytes: Buffer): string {
  const p = path.join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
}

// ~4.4 MB of framed KV lists.
const bigKvs = makeKvs(50_000);
const bigFramed = framedStream(bigKvs, 700);
const smallKvs = makeKvs(40, 7);
const smallFramed = framedStream(smallKvs, 9);

describe('round trip through streams', () => {
  it('has several MB of test data', () => {
    expect(bigFramed.length).toBeGreaterThan(4 * 1024 * 1024);
  });

  const keys: [string, Buffer | undefined][] = [
    ['plain', undefined],
    ['AES-128', randomBytes(16)],
    ['AES-192', randomBytes(24)],
    ['AES-256', randomBytes(32)],
  ];

  describe.each(keys)('%s', (_name, key) => {
    const opts = key ? { key } : {};
    it.each([
      ['one chunk', bigFramed.length, false],
      ['64 KiB chunks', 64 * 1024, false],
      ['4093-byte chunks', 4093, false],
      ['random chunks up to 200 KB', 200_000, true],
    ])('framed bytes in %s', async (_label, size, random) => {
      const enc = createBackupEncoder({ ...opts, blockSize: 256 * 1024 });
      const out = Buffer.concat(
        await through<Buffer>(chunk(bigFramed, size, random ? { seed: 3 } : undefined), enc),
      );
      if (key) expect(out.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
      else expect(out.subarray(0, 3)).toEqual(Buffer.from([0x1f, 0x8b, 0x08]));
      expect(enc.bytesIn).toBe(bigFramed.length);
      expect(enc.bytesOut).toBe(out.length);
      expect(out.length).toBeLessThan(bigFramed.length);
      // decode with several chunkings
      for (const [dsize, drandom] of [
        [out.length, false],
        [65_536, false],
        [777, true],
      ] as const) {
        const back = await decodeBytes(out, dsize, key, drandom);
        expect(back.length).toBe(bigFramed.length);
        expect(back.equals(bigFramed)).toBe(true);
      }
    });

    it('tiny data in 1-byte chunks, both ways', async () => {
      const out = await encode(chunk(smallFramed, 1), opts);
      const back = await decodeBytes(out, 1, key);
      expect(back.equals(smallFramed)).toBe(true);
    });

    it('arrays of KvEntry in, DecodedKv out', async () => {
      const entries: KvEntry[] = bigKvs.slice(0, 5000);
      const batches = [entries.slice(0, 1), entries.slice(1, 1200), entries.slice(1200)];
      const out = await encode(batches, opts);
      const kvs = await decodeKvs(out, key);
      expect(kvs.length).toBe(entries.length);
      for (const i of [0, 1, 4, 1199, 1200, 4999]) {
        const want = entries[i] as TestKv;
        const got = kvs[i]!;
        expect(got.rawKey.equals(want.key)).toBe(true);
        expect(got.value.equals(want.value)).toBe(true);
        expect(got.userMeta).toBe(want.userMeta);
        expect(BigInt(got.version)).toBe(want.version);
        expect(got.key.keyType).toBe('DATA');
        expect(got.key.attr).toBe(`pred${i % 7}`);
        expect(BigInt(got.key.uid!)).toBe(BigInt(i + 1));
      }
    });
  });

  it('an empty input gives a valid (empty-stream) file', async () => {
    const out = await encode([]);
    expect(gunzipSync(out).length).toBe(0);
  });

  it('mixes framed bytes and KvEntry arrays in one stream', async () => {
    const out = await encode([smallFramed.subarray(0, 100), smallFramed.subarray(100), bigKvs.slice(0, 3)]);
    const kvs = await decodeKvs(out);
    expect(kvs.length).toBe(smallKvs.length + 3);
  });

  it('decodes statistics per predicate and key type', async () => {
    const out = await encode([bigFramed]);
    const dec = createBackupDecoder({ mode: 'stats' });
    let evented: BackupStats | undefined;
    dec.on('stats', (s: BackupStats) => (evented = s));
    const emitted = await through(chunk(out, 300_000), dec);
    expect(emitted).toEqual([]);
    const stats = dec.stats!;
    expect(evented).toBe(stats);
    expect(stats.kvs).toBe(bigKvs.length);
    expect(stats.frames).toBe(Math.ceil(bigKvs.length / 700));
    expect(stats.bytesIn).toBe(out.length);
    expect(stats.bytesDecompressed).toBe(bigFramed.length);
    const data = stats.entries.filter((e) => e.keyType === 'DATA');
    expect(data.map((e) => e.predicate).sort()).toEqual([
      'pred0',
      'pred1',
      'pred2',
      'pred3',
      'pred4',
      'pred5',
      'pred6',
    ]);
    expect(data.reduce((s, e) => s + e.keys, 0)).toBe(bigKvs.length - 2);
    expect(stats.entries.some((e) => e.keyType === 'TYPE' && e.predicate === 'Thing')).toBe(true);
    expect(stats.entries.some((e) => e.keyType === 'SCHEMA' && e.predicate === 'pred0')).toBe(true);
  });
});

describe('interop with Node zlib + crypto', () => {
  it.each([undefined, 16, 24, 32])(
    'encoder output decodes with createDecipheriv + gunzipSync (key %s)',
    async (n) => {
      const key = n ? randomBytes(n) : undefined;
      const out = await encode(chunk(bigFramed, 1 << 20), { ...(key && { key }), blockSize: 128 * 1024 });
      const plain = nodeDecode(out, key);
      expect(plain.equals(bigFramed)).toBe(true);
      expect(unframe(plain).length).toBe(Math.ceil(bigKvs.length / 700));
    },
  );

  it.each([undefined, 16, 24, 32])(
    'decoder reads gzipSync (+ aes-ctr, IV first) output (key %s)',
    async (n) => {
      const key = n ? randomBytes(n) : undefined;
      const file = nodeEncode(bigFramed, key);
      expect((await decodeBytes(file, 123_457, key)).equals(bigFramed)).toBe(true);
      const kvs = await decodeKvs(file, key);
      expect(kvs.length).toBe(bigKvs.length);
      expect(kvs.at(-1)!.key).toMatchObject({ keyType: 'TYPE', attr: 'Thing' });
      expect(kvs.at(-2)!.key).toMatchObject({ keyType: 'SCHEMA', attr: 'pred0' });
    },
  );

  it('decoder reads a multi-member gzip stream', async () => {
    const file = Buffer.concat([gzipSync(smallFramed.subarray(0, 100)), gzipSync(smallFramed.subarray(100))]);
    expect((await decodeBytes(file, 50)).equals(smallFramed)).toBe(true);
  });
});

describe('typed errors naming the file', () => {
  const key = randomBytes(32);
  let plain: Buffer;
  let encrypted: Buffer;

  beforeAll(async () => {
    plain = nodeEncode(smallFramed);
    encrypted = await encode([smallFramed], { key });
  });

  async function failure(file: string, opts: { key?: Buffer } = {}): Promise<StrataError> {
    const err = await inspectBackupFile(file, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `expected ${file} to fail`).toBeInstanceOf(StrataError);
    const e = err as StrataError;
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).not.toContain(key.toString('hex'));
    return e;
  }

  it('truncated file', async () => {
    const f = tmpFile('truncated.backup', plain.subarray(0, Math.floor(plain.length * 0.6)));
    const err = await failure(f);
    expect(err).toBeInstanceOf(TruncatedBackupError);
    expect(err.message).toMatch(/truncated/);
  });

  it('truncated encrypted file', async () => {
    const f = tmpFile('truncated-enc.backup', encrypted.subarray(0, encrypted.length - 30));
    expect(await failure(f, { key })).toBeInstanceOf(TruncatedBackupError);
  });

  it('flipped byte in the gzip body', async () => {
    const damaged = Buffer.from(plain);
    const at = Math.floor(damaged.length / 2);
    damaged[at] = damaged[at]! ^ 0xff;
    const err = await failure(tmpFile('flipped.backup', damaged));
    expect(err).toBeInstanceOf(CorruptBackupError);
    expect(err.message).toMatch(/corrupt/);
  });

  it('plain file given a key', async () => {
    const err = await failure(tmpFile('plain-with-key.backup', plain), { key });
    expect(err).toBeInstanceOf(WrongKeyError);
    expect(err.message).toMatch(/key/);
  });

  it('encrypted file given no key', async () => {
    const err = await failure(tmpFile('encrypted-no-key.backup', encrypted));
    expect(err).toBeInstanceOf(EncryptedNoKeyError);
    expect(err.message).toMatch(/encrypted and no encryption key/);
  });

  it('wrong key', async () => {
    const err = await failure(tmpFile('wrong-key.backup', encrypted), { key: randomBytes(32) });
    expect(err).toBeInstanceOf(WrongKeyError);
    expect(err.message).toMatch(/wrong or missing encryption key/);
  });

  it('20-byte key file', async () => {
    const f = tmpFile('key20', randomBytes(20));
    const err = await readKeyFile(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadKeyLengthError);
    expect((err as Error).message).toContain(f);
  });

  it('20-byte key given to the decoder and the encoder directly', () => {
    expect(() => createBackupDecoder({ key: randomBytes(20), source: '/x.backup' })).toThrow(
      BadKeyLengthError,
    );
    expect(() => createBackupEncoder({ key: randomBytes(20), file: '/y.backup' })).toThrow(BadKeyLengthError);
  });

  it('empty file', async () => {
    const err = await failure(tmpFile('empty.backup', Buffer.alloc(0)));
    expect(err).toBeInstanceOf(EmptyBackupError);
    expect(err.message).toMatch(/empty/);
  });

  it('the classes are distinct', () => {
    const classes = [
      TruncatedBackupError,
      CorruptBackupError,
      WrongKeyError,
      EncryptedNoKeyError,
      BadKeyLengthError,
      EmptyBackupError,
    ];
    expect(new Set(classes).size).toBe(classes.length);
  });

  it('missing file', async () => {
    const f = path.join(tmp.dir, 'nope.backup');
    const err = await failure(f);
    expect(err.code).toBe('NOT_FOUND');
  });

  it('an error in the middle of a stream reaches the pipeline', async () => {
    const damaged = Buffer.concat([plain, Buffer.from('garbage after the gzip member')]);
    const err = await through(chunk(damaged, 64), createBackupDecoder({ source: 'mem://x' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StrataError);
    expect((err as Error).message).toContain('mem://x');
  });
});
