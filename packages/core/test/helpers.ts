/** Test helpers: fixture paths, a tiny protobuf writer for backup KV lists, data generators. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { prng } from '../src/util/prng.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** /work/shared/fixtures, read in place (never copied into the repo). */
export const FIXTURES = path.resolve(here, '../../../../shared/fixtures');
export const DGRAPH_FIXTURES = path.join(FIXTURES, 'dgraph');

/** Every real Dgraph `.backup` file in the fixtures (the `expected/` folders hold none). */
export function fixtureBackupFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.backup')) out.push(p);
    }
  };
  walk(DGRAPH_FIXTURES);
  return out;
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-core-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---- protobuf (proto3 wire format), enough for KVList / BackupKey / BackupPostingList ----

function varint(n: bigint | number): Buffer {
  let v = BigInt(n);
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

const tag = (field: number, wire: number): Buffer => varint((field << 3) | wire);
const lenField = (field: number, bytes: Buffer): Buffer =>
  Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);
const varintField = (field: number, n: bigint | number): Buffer =>
  BigInt(n) === 0n ? Buffer.alloc(0) : Buffer.concat([tag(field, 0), varint(n)]);

export const KEY_TYPES = {
  DATA: 1,
  INDEX: 2,
  REVERSE: 3,
  COUNT: 4,
  COUNT_REV: 5,
  SCHEMA: 6,
  TYPE: 7,
} as const;

export function backupKey(type: keyof typeof KEY_TYPES, attr: string, uid: bigint = 0n): Buffer {
  return Buffer.concat([
    varintField(1, KEY_TYPES[type]),
    lenField(2, Buffer.from(attr)),
    varintField(3, uid),
  ]);
}

/** A BackupPostingList with one string value posting (uid 2^64-1), as Dgraph writes scalars. */
export function valuePostingList(value: string): Buffer {
  const uid = 0xffffffffffffffffn;
  const fixed = Buffer.alloc(8);
  fixed.writeBigUInt64LE(uid);
  const posting = Buffer.concat([
    tag(1, 1),
    fixed,
    lenField(2, Buffer.from(value)),
    varintField(3, 9), // STRING
    varintField(4, 1), // VALUE
  ]);
  return Buffer.concat([lenField(1, varint(uid)), lenField(2, posting)]);
}

/** A BackupPostingList of uid edges. */
export function uidPostingList(uids: bigint[]): Buffer {
  return lenField(1, Buffer.concat(uids.map((u) => varint(u))));
}

export interface TestKv {
  key: Buffer;
  value: Buffer;
  userMeta: number;
  version: bigint;
}

export function encodeKv(kv: TestKv): Buffer {
  return Buffer.concat([
    lenField(1, kv.key),
    lenField(2, kv.value),
    lenField(3, Buffer.from([kv.userMeta])),
    varintField(4, kv.version),
  ]);
}

export function encodeKvList(kvs: TestKv[]): Buffer {
  return Buffer.concat(kvs.map((kv) => lenField(1, encodeKv(kv))));
}

/** `u64` LE length + KVList. */
export function frame(list: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(list.length));
  return Buffer.concat([len, list]);
}

/** Splits framed bytes back into KVList payloads (throws when the framing is off). */
export function unframe(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < bytes.length) {
    const len = Number(bytes.readBigUInt64LE(off));
    off += 8;
    if (off + len > bytes.length) throw new Error(`frame overruns the stream at ${off}`);
    out.push(bytes.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** Deterministic pseudo-random generator (mulberry32). */
export { prng };

/** `count` DATA KVs over a few predicates, each value a string posting with some random text. */
export function makeKvs(count: number, seed = 1): TestKv[] {
  const rnd = prng(seed);
  const kvs: TestKv[] = [];
  for (let i = 0; i < count; i++) {
    const pred = `pred${i % 7}`;
    const noise = Array.from({ length: 6 }, () => Math.floor(rnd() * 0xffffffff).toString(36)).join('');
    const value =
      i % 5 === 0 ? uidPostingList([BigInt(i + 2), BigInt(i + 3)]) : valuePostingList(`value ${i} ${noise}`);
    kvs.push({
      key: backupKey('DATA', pred, BigInt(i + 1)),
      value,
      userMeta: 8,
      version: BigInt(10 + (i % 50)),
    });
  }
  kvs.push({
    key: backupKey('SCHEMA', 'pred0'),
    value: Buffer.from([0x0a, 0x05, 0x70, 0x72, 0x65, 0x64, 0x30]),
    userMeta: 1,
    version: 1n,
  });
  kvs.push({
    key: backupKey('TYPE', 'Thing'),
    value: Buffer.from([0x0a, 0x05, 0x54, 0x68, 0x69, 0x6e, 0x67]),
    userMeta: 1,
    version: 1n,
  });
  return kvs;
}

/** Framed stream of `kvs`, `perList` KVs per KVList. */
export function framedStream(kvs: TestKv[], perList = 500): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < kvs.length; i += perList) parts.push(frame(encodeKvList(kvs.slice(i, i + perList))));
  return Buffer.concat(parts);
}

/** Cuts `buf` into chunks: a fixed size, or random sizes in [1, max] when `random` is set. */
export function chunk(buf: Buffer, size: number, random?: { seed: number }): Buffer[] {
  const rnd = random ? prng(random.seed) : undefined;
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length;) {
    const n = rnd ? 1 + Math.floor(rnd() * size) : size;
    out.push(buf.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** Pipes `chunks` through `transform` and collects what comes out. */
export async function through<T = Buffer>(
  chunks: unknown[],
  transform: NodeJS.ReadWriteStream,
): Promise<T[]> {
  const out: T[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: true }),
    transform,
    new Writable({
      objectMode: true,
      write(c: T, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return out;
}
