// S3Destination and MinioDestination against the real MinIO of the global setup: put/get/list/
// delete, a 200 MB streamed multipart write with bounded memory, abort on a failing source,
// and the errors a user acts on (denied, missing bucket, unreachable, TLS to plain http,
// anonymous access). No message may hold a secret.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  checkDestination,
  DestinationError,
  FileNotFoundError,
  MinioDestination,
  openDestination,
  S3Destination,
  type Destination,
} from '@strata/core';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, closedPort, minio, multipartUploads, uniquePrefix, uri } from './remote.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

async function listErr(d: Destination): Promise<Error> {
  return caught(all(d.list('')));
}

/** Nothing in the error (message, inspect output with its causes) holds a secret. */
function expectNoSecret(err: unknown, ...secrets: string[]): void {
  const text = `${(err as Error).message}\n${inspect(err, { depth: 8 })}`;
  for (const s of secrets) expect(text).not.toContain(s);
}

/** `size` bytes in 1 MiB chunks, generated on demand (never held in memory at once). */
function generated(size: number, failAfter?: number): Readable {
  const block = randomBytes(1024 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && sent >= failAfter) {
        this.destroy(new Error('source broke on purpose'));
        return;
      }
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(block.length, size - sent);
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32LE(sent >>> 0, 0);
      sent += n;
      this.push(chunk);
    },
  });
}

const kinds = ['s3', 'minio'] as const;
const opened: Destination[] = [];
afterAll(async () => {
  for (const d of opened) if (d instanceof S3Destination) await d.close();
});

function open(
  scheme: 's3' | 'minio',
  bucket: string,
  prefix: string,
  creds: Parameters<typeof openDestination>[1] = {},
  secure = false,
): Destination {
  const m = minio();
  const d = openDestination(uri(scheme, bucket, prefix, secure), {
    env: {},
    ...(creds.anonymous ? {} : { accessKey: m.accessKey, secretKey: m.secretKey }),
    ...creds,
  });
  opened.push(d);
  return d;
}

describe.each(kinds)('%s:// destination on a real MinIO', (scheme) => {
  const bucket = () => minio().privateBucket;

  it('opens the right class; describe() holds no credential', () => {
    const d = open(scheme, bucket(), 'x');
    expect(d).toBeInstanceOf(scheme === 's3' ? S3Destination : MinioDestination);
    expect(d.describe()).toBe(uri(scheme, bucket(), 'x'));
    expect(d.describe()).not.toContain(minio().secretKey);
  });

  it('puts (Buffer and stream), gets, lists, checks and deletes', async () => {
    const prefix = uniquePrefix('crud');
    const d = open(scheme, bucket(), prefix);
    await d.write('a/b/one.txt', Buffer.from('one'));
    await d.write('a/two.txt', Readable.from([Buffer.from('tw'), Buffer.from('o')]));
    await d.write('c.txt', Buffer.from('c'));
    expect((await d.readFile('a/b/one.txt')).toString()).toBe('one');
    const chunks: Buffer[] = [];
    for await (const c of d.read('a/two.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('two');
    expect(await all(d.list(''))).toEqual(['a/b/one.txt', 'a/two.txt', 'c.txt']);
    expect(await all(d.list('a/'))).toEqual(['a/b/one.txt', 'a/two.txt']);
    expect(await all(d.list('a/t'))).toEqual(['a/two.txt']);
    expect(await d.exists('a/b/one.txt')).toBe(true);
    expect(await d.exists('a/b')).toBe(true); // a "folder"
    expect(await d.exists('a/b/on')).toBe(false);
    expect(await d.exists('nope')).toBe(false);
    await d.delete('c.txt');
    await d.delete('c.txt'); // idempotent
    expect(await d.exists('c.txt')).toBe(false);
    const missing = await caught(d.readFile('gone.txt'));
    expect(missing).toBeInstanceOf(FileNotFoundError);
    expect(missing.message).toContain(`${prefix}/gone.txt`);
    const missingStream = await caught(all(d.read('gone.txt') as unknown as AsyncIterable<string>));
    expect(missingStream).toBeInstanceOf(FileNotFoundError);
    // a sibling prefix is not part of the location
    await open(scheme, bucket(), `${prefix}-other`).write('x.txt', Buffer.from('x'));
    expect(await all(d.list(''))).toEqual(['a/b/one.txt', 'a/two.txt']);
  });

  it('a failing source stream leaves no object and no multipart upload', async () => {
    const prefix = uniquePrefix('abort');
    const d = openDestination(uri(scheme, bucket(), prefix), {
      env: {},
      accessKey: minio().accessKey,
      secretKey: minio().secretKey,
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    opened.push(d);
    // 12 MiB then an error: at least two 5 MiB parts were uploaded by then.
    const err = await caught(d.write('big.bin', generated(64 * 1024 * 1024, 12 * 1024 * 1024)));
    expect(err.message).toContain('source broke on purpose');
    expect(await d.exists('big.bin')).toBe(false);
    expect(await all(d.list(''))).toEqual([]);
    expect(await multipartUploads(bucket(), `${prefix}/`)).toEqual([]);
  });

  it('a streamed multipart write of 40 MB arrives whole', async () => {
    const prefix = uniquePrefix('mp');
    const d = open(scheme, bucket(), prefix, { partSize: 5 * 1024 * 1024 });
    const size = 40 * 1024 * 1024 + 123;
    await d.write('f.bin', generated(size));
    const s3 = adminClient();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: `${prefix}/f.bin` }));
    s3.destroy();
    expect(head.ContentLength).toBe(size);
    expect(head.ETag).toMatch(/-\d+"?$/); // a multipart ETag
    let n = 0;
    for await (const c of d.read('f.bin')) n += (c as Buffer).length;
    expect(n).toBe(size);
    await d.delete('f.bin');
  });

  it('wrong credentials: access denied naming the source, never the secret', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const explicit = open(scheme, bucket(), 'x', { accessKey: minio().accessKey, secretKey: wrong });
    const e1 = await listErr(explicit);
    expect(e1).toBeInstanceOf(DestinationError);
    expect((e1 as DestinationError).reason).toBe('ACCESS_DENIED');
    expect(e1.message).toContain('explicit credentials');
    expectNoSecret(e1, wrong, minio().secretKey);
    const e2 = await caught(explicit.write('p.txt', Buffer.from('p')));
    expect((e2 as DestinationError).reason).toBe('ACCESS_DENIED');
    expectNoSecret(e2, wrong, minio().secretKey);

    const env =
      scheme === 's3'
        ? { AWS_ACCESS_KEY_ID: minio().accessKey, AWS_SECRET_ACCESS_KEY: wrong }
        : { MINIO_ACCESS_KEY: minio().accessKey, MINIO_SECRET_KEY: wrong };
    const fromEnv = openDestination(uri(scheme, bucket(), 'x'), { env });
    opened.push(fromEnv);
    const e3 = await listErr(fromEnv);
    expect((e3 as DestinationError).reason).toBe('ACCESS_DENIED');
    expect(e3.message).toContain(scheme === 's3' ? 'AWS_SECRET_ACCESS_KEY' : 'MINIO_SECRET_KEY');
    expectNoSecret(e3, wrong);
    // an unknown access key
    const e4 = await listErr(open(scheme, bucket(), 'x', { accessKey: 'nobody-knows-me', secretKey: wrong }));
    expect((e4 as DestinationError).reason).toBe('ACCESS_DENIED');
    expect(e4.message).toContain('access key is not known');
    expectNoSecret(e4, wrong, 'nobody-knows-me');
  });

  it('a missing bucket says so', async () => {
    const e = await listErr(open(scheme, 'strata-no-such-bucket', ''));
    expect((e as DestinationError).reason).toBe('BUCKET_NOT_FOUND');
    expect(e.message).toContain('bucket "strata-no-such-bucket" does not exist');
    const e2 = await caught(open(scheme, 'strata-no-such-bucket', '').write('x', Buffer.from('x')));
    expect((e2 as DestinationError).reason).toBe('BUCKET_NOT_FOUND');
  });

  it('an unreachable endpoint says so', async () => {
    const port = await closedPort();
    const d = openDestination(`${scheme}://127.0.0.1:${port}/${bucket()}?secure=false`, {
      accessKey: 'a-key',
      secretKey: 'a-secret-value',
    });
    const e = await listErr(d);
    expect((e as DestinationError).reason).toBe('UNREACHABLE');
    expect(e.message).toContain(`cannot reach http://127.0.0.1:${port} (connection refused)`);
    expectNoSecret(e, 'a-secret-value');
  });

  it('https to the plain-http endpoint hints at ?secure=false', async () => {
    const d = open(scheme, bucket(), 'x', {}, true);
    const e = await listErr(d);
    expect((e as DestinationError).reason).toBe('TLS_PLAIN_HTTP');
    expect(e.message).toContain('the endpoint speaks plain http: add ?secure=false');
    // and ?secure=false works
    expect(await all(open(scheme, bucket(), uniquePrefix('plain')).list(''))).toEqual([]);
  });

  it('anonymous: the public bucket works, the private one is denied', async () => {
    const pub = open(scheme, minio().publicBucket, uniquePrefix('anon'), { anonymous: true });
    expect(await pub.resolveCredentials!()).toMatchObject({ anonymous: true });
    const report = await checkDestination(pub);
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
      ['credentials', true],
      ['list', true],
      ['put', true],
      ['get', true],
      ['delete', true],
    ]);
    await pub.write('hello.txt', Readable.from([Buffer.from('hi')]));
    expect((await pub.readFile('hello.txt')).toString()).toBe('hi');
    await pub.delete('hello.txt');

    const priv = open(scheme, bucket(), 'x', { anonymous: true });
    const e = await listErr(priv);
    expect((e as DestinationError).reason).toBe('ACCESS_DENIED');
    expect(e.message).toContain('anonymous');
    expect(e.message).toContain('this bucket is not public');
  });
});

describe('200 MB streamed write through lib-storage multipart', () => {
  it('arrives whole while the process memory stays bounded', async () => {
    const prefix = uniquePrefix('big');
    const d = open('s3', minio().privateBucket, prefix, { partSize: 8 * 1024 * 1024, queueSize: 4 });
    const size = 200 * 1024 * 1024;
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      await d.write('big.bin', generated(size));
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = (peak - base) / (1024 * 1024);
    console.log(
      `200 MB upload: RSS ${Math.round(base / 1048576)} MB -> peak ${Math.round(peak / 1048576)} MB (+${growth.toFixed(1)} MB)`,
    );
    expect(growth).toBeLessThan(150);
    const s3 = adminClient();
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: minio().privateBucket, Key: `${prefix}/big.bin` }),
    );
    s3.destroy();
    expect(head.ContentLength).toBe(size);
    expect(await multipartUploads(minio().privateBucket, `${prefix}/`)).toEqual([]);
    await d.delete('big.bin');
  }, 180_000);
});
