/** LocalDestination and openDestination. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDestination, MinioDestination, openDestination, S3Destination } from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('LocalDestination', () => {
  const dest = openDestination(pathToFileURL(tmp.dir).href) as LocalDestination;

  it('file:// URLs and paths map to the same folder; describe() is the path', () => {
    expect(dest).toBeInstanceOf(LocalDestination);
    expect(dest.describe()).toBe(path.resolve(tmp.dir));
    expect(openDestination(tmp.dir).describe()).toBe(path.resolve(tmp.dir));
  });

  it('writes atomically (Buffer and stream), reads, lists, checks and deletes', async () => {
    await dest.write('a/b/one.txt', Buffer.from('one'));
    await dest.write('a/two.txt', Readable.from([Buffer.from('tw'), Buffer.from('o')]));
    await dest.write('c.txt', Buffer.from('c'));
    expect((await dest.readFile('a/b/one.txt')).toString()).toBe('one');
    const chunks: Buffer[] = [];
    for await (const c of dest.read('a/two.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('two');
    expect(await all(dest.list(''))).toEqual(['a/b/one.txt', 'a/two.txt', 'c.txt']);
    expect(await all(dest.list('a/'))).toEqual(['a/b/one.txt', 'a/two.txt']);
    expect(await all(dest.list('a/t'))).toEqual(['a/two.txt']);
    expect(await dest.exists('a/b')).toBe(true);
    expect(await dest.exists('nope')).toBe(false);
    expect(await dest.size('a/two.txt')).toBe(3);
    expect(await dest.size('a/b')).toBeUndefined(); // a folder has no size
    expect(await dest.size('nope')).toBeUndefined();
    await dest.delete('c.txt');
    await dest.delete('c.txt');
    expect(await dest.exists('c.txt')).toBe(false);
    // no temp files left behind
    expect(readdirSync(path.join(tmp.dir, 'a')).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a failed stream write leaves neither the file nor a temp file', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(dest.write('f/broken.txt', failing)).rejects.toThrow(/source broke/);
    expect(existsSync(path.join(tmp.dir, 'f/broken.txt'))).toBe(false);
    expect(readdirSync(path.join(tmp.dir, 'f'))).toEqual([]);
  });

  it('rejects paths that leave the location', async () => {
    await expect(dest.readFile('../etc/passwd')).rejects.toThrow(/stay inside/);
    expect(() => dest.read('/abs')).toThrow(/relative/);
  });

  it('missing files and locations are clear errors', async () => {
    await expect(dest.readFile('missing.json')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const gone = openDestination(path.join(tmp.dir, 'gone'));
    await expect(all(gone.list(''))).rejects.toThrow(
      `backup location not found: ${path.join(tmp.dir, 'gone')}`,
    );
  });
});

describe('openDestination', () => {
  it('s3:// and minio:// open remote destinations; credentials in the URI are refused unshown', () => {
    const s3 = openDestination('s3://s3.us-west-2.amazonaws.com/bucket/prefix', {
      accessKey: 'AKIA',
      secretKey: 'SECRET',
    });
    expect(s3).toBeInstanceOf(S3Destination);
    expect(s3.describe()).toBe('s3://s3.us-west-2.amazonaws.com/bucket/prefix');
    expect(openDestination('minio://host:9000/bucket?secure=false')).toBeInstanceOf(MinioDestination);
    expect(() => openDestination('minio://user:SECRET@host:9000/bucket')).toThrow(/may not hold credentials/);
    try {
      openDestination('minio://user:SECRET@host:9000/bucket');
    } catch (err) {
      expect((err as Error).message).not.toContain('SECRET');
    }
  });

  it('rejects unknown schemes and empty locations', () => {
    expect(() => openDestination('ftp://x/y')).toThrow(/unknown backup location scheme/);
    expect(() => openDestination('')).toThrow(/location is required/);
  });
});
