import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../src/backup/fingerprint.js';
import { EncryptedNoKeyError, StrataError, WrongKeyError } from '../src/errors.js';
import {
  createStoreKey,
  ENVELOPE_FILE,
  openStoreKey,
  rewrapStoreKey,
  storeDataKey,
} from '../src/keys/envelope.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const folder = () => {
  const d = path.join(tmp.dir, `p${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const master = (b: number, len = 32) => Buffer.alloc(len, b);
const envelopeOf = (d: string) => readFileSync(path.join(d, ENVELOPE_FILE));

describe('store key envelope', () => {
  it.each([16, 24, 32])('wraps a new data key with a %i-byte master key and unwraps it', async (len) => {
    const d = folder();
    const key = await createStoreKey(d, master(1, len));
    expect(key).toHaveLength(32);
    expect(await openStoreKey(d, master(1, len))).toEqual(key);
    // Neither key is in the file, in any form it could be written in.
    const text = envelopeOf(d).toString();
    for (const k of [key, master(1, len)]) {
      expect(text).not.toContain(k.toString('base64'));
      expect(text).not.toContain(k.toString('hex'));
      expect(envelopeOf(d).includes(k)).toBe(false);
    }
    expect(JSON.parse(text).master_key_fingerprint).toBe(keyFingerprint(master(1, len)));
  });

  it('refuses a wrong master key naming both fingerprints, and writes nothing', async () => {
    const d = folder();
    await createStoreKey(d, master(1));
    const before = envelopeOf(d);
    const err = await openStoreKey(d, master(2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongKeyError);
    expect((err as Error).message).toContain(keyFingerprint(master(1)));
    expect((err as Error).message).toContain(keyFingerprint(master(2)));
    expect(envelopeOf(d)).toEqual(before);
  });

  it('refuses an envelope changed, cut short, oversized or missing, with what is wrong', async () => {
    const d = folder();
    await createStoreKey(d, master(1));
    const good = JSON.parse(envelopeOf(d).toString()) as Record<string, string>;
    const cases: [string, string | Buffer][] = [
      [
        'fails its authentication tag',
        JSON.stringify({ ...good, wrapped_key: Buffer.alloc(32, 9).toString('base64') }),
      ],
      ['"tag" is missing or malformed', JSON.stringify({ ...good, tag: 'AAAA' })],
      ['not JSON', envelopeOf(d).subarray(0, 40)],
      ['version', JSON.stringify({ ...good, version: 2 })],
      ['larger than 4096 bytes', Buffer.alloc(5000, 0x20)],
    ];
    for (const [why, bytes] of cases) {
      writeFileSync(path.join(d, ENVELOPE_FILE), bytes);
      const err = await openStoreKey(d, master(1)).catch((e: unknown) => e);
      expect(err, why).toBeInstanceOf(StrataError);
      expect((err as Error).message, why).toContain(why);
    }
    const missing = await openStoreKey(folder(), master(1)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StrataError);
  });

  it('rotates the master key by rewriting only the envelope', async () => {
    const d = folder();
    const key = await createStoreKey(d, master(1));
    expect(await rewrapStoreKey(d, master(1), master(3))).toBe(keyFingerprint(master(3)));
    expect(await openStoreKey(d, master(3))).toEqual(key);
    await expect(openStoreKey(d, master(1))).rejects.toBeInstanceOf(WrongKeyError);
    // The old key cannot rotate it again; the envelope stays the new one.
    await expect(rewrapStoreKey(d, master(1), master(4))).rejects.toBeInstanceOf(WrongKeyError);
    expect(await openStoreKey(d, master(3))).toEqual(key);
  });

  it('decides a folder: plain, new sealed, sealed, or refused', async () => {
    const plain = folder();
    expect(await storeDataKey(plain, undefined, true)).toBeUndefined();
    writeFileSync(path.join(plain, 'data.mdb'), 'x');
    await expect(storeDataKey(plain, master(1), true)).rejects.toBeInstanceOf(WrongKeyError);
    expect(readFileSync(path.join(plain, 'data.mdb')).toString()).toBe('x');

    const fresh = folder();
    const key = await storeDataKey(fresh, master(1), true);
    expect(key).toHaveLength(32);
    expect(await storeDataKey(fresh, master(1), false)).toEqual(key);
    await expect(storeDataKey(fresh, undefined, true)).rejects.toBeInstanceOf(EncryptedNoKeyError);
    await expect(storeDataKey(folder(), master(1), false)).rejects.toBeInstanceOf(StrataError);
    await expect(createStoreKey(fresh, master(1))).rejects.toThrow(/holds one already/);
  });
});
