import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadKeyLengthError, FileNotFoundError, StrataError } from '../src/errors.js';
import { isValidKeyLength, readKeyFile } from '../src/keys/file.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function keyFile(name: string, bytes: Buffer): string {
  const p = path.join(tmp.dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('readKeyFile', () => {
  it.each([16, 24, 32])('reads a %i-byte key raw', async (n) => {
    const key = Buffer.alloc(n, 0x41 + n);
    await expect(readKeyFile(keyFile(`k${n}`, key))).resolves.toEqual(key);
  });

  it('keeps bytes as they are (binary key, no trimming)', async () => {
    const key = Buffer.from('\n\t 0123456789abcdef0123456789a \n', 'latin1');
    expect(key.length).toBe(32);
    await expect(readKeyFile(keyFile('spaces', key))).resolves.toEqual(key);
  });

  it('counts a trailing newline: 32 chars + \\n is a 33-byte key and an error (its size not said)', async () => {
    const p = keyFile('newline', Buffer.from('0123456789abcdef0123456789abcdef\n'));
    const err = await readKeyFile(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadKeyLengthError);
    expect((err as Error).message).toMatch(/does not hold an AES key: .*a trailing newline counts/);
    expect((err as Error).message).not.toMatch(/33/);
  });

  it('rejects a 20-byte key file naming the file, never its size nor the key', async () => {
    const secret = 'SECRETSECRETSECRET!!';
    const p = keyFile('k20', Buffer.from(secret));
    const err = (await readKeyFile(p).catch((e: unknown) => e)) as BadKeyLengthError;
    expect(err).toBeInstanceOf(BadKeyLengthError);
    expect(err.code).toBe('BAD_KEY_LENGTH');
    expect(err.file).toBe(p);
    expect(err.message).toContain(p);
    expect(err.message).not.toMatch(/\b20\b/);
    expect(err.message).toMatch(/16, 24 or 32/);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('SECRET');
  });

  it('rejects an empty key file', async () => {
    const err = await readKeyFile(keyFile('empty', Buffer.alloc(0))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadKeyLengthError);
    expect((err as Error).message).toMatch(/does not hold an AES key/);
  });

  it('says clearly when the key file does not exist', async () => {
    const p = path.join(tmp.dir, 'missing-key');
    const err = (await readKeyFile(p).catch((e: unknown) => e)) as StrataError;
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect(err.message).toBe(`encryption key file not found: ${p}`);
  });

  it('says clearly when the key file is a directory', async () => {
    const err = (await readKeyFile(tmp.dir).catch((e: unknown) => e)) as StrataError;
    expect(err).toBeInstanceOf(StrataError);
    expect(err.message).toContain(tmp.dir);
  });
});

describe('isValidKeyLength', () => {
  it('accepts 16, 24, 32 only', () => {
    expect([0, 15, 16, 17, 20, 24, 31, 32, 33, 64].filter((n) => isValidKeyLength(Buffer.alloc(n)))).toEqual([
      16, 24, 32,
    ]);
  });
});
