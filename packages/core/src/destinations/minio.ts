/**
 * A backup location in a MinIO bucket, through the `minio` client:
 * `minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]`.
 *
 * Streams are written with `putObject` (multipart in parts of `partSize`, one part in flight);
 * a failed write removes the incomplete upload, so no partial object remains.
 */
import type { Client } from 'minio';
import type { Readable, Writable } from 'node:stream';
import { RemoteDestination } from './remote.js';
import { httpStatus, serviceCode } from './remote-errors.js';
import type { DestinationOptions, VersionedFile } from './types.js';
import { parseObjectStoreUri, type ObjectStoreLocation } from './uri.js';

export class MinioDestination extends RemoteDestination {
  #client: Promise<Client> | undefined;

  constructor(uri: string | ObjectStoreLocation, options: DestinationOptions = {}) {
    const loc = typeof uri === 'string' ? parseObjectStoreUri(uri) : uri;
    super(loc, options);
  }

  /** The minio client, created once the credentials are resolved. */
  client(): Promise<Client> {
    // The minio module is loaded on first use: most commands never need it.
    this.#client ??= Promise.all([this.credentials(), import('minio')]).then(([c, { Client }]) => {
      const env = this.options.env ?? process.env;
      const region = env.MINIO_REGION || undefined;
      return new Client({
        endPoint: this.location.host.replace(/^\[(.*)\]$/, '$1'),
        ...(this.location.port === undefined ? {} : { port: this.location.port }),
        useSSL: this.location.secure,
        pathStyle: true,
        partSize: this.partSize,
        ...(region === undefined ? {} : { region }),
        // Empty keys make the client send unsigned requests.
        accessKey: c.anonymous ? '' : c.accessKeyId!,
        secretKey: c.anonymous ? '' : c.secretAccessKey!,
        ...(c.token === undefined ? {} : { sessionToken: c.token }),
      });
    });
    return this.#client;
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const keyPrefix = this.listPrefix(prefix);
    let client: Client;
    try {
      client = await this.client();
    } catch (err) {
      throw this.error(err, 'listing');
    }
    try {
      const stream = client.listObjectsV2(this.location.bucket, keyPrefix, true);
      for await (const item of stream as AsyncIterable<{ name?: string }>) {
        const rel = item.name === undefined ? undefined : this.relative(item.name);
        if (rel !== undefined) yield rel;
      }
    } catch (err) {
      throw this.error(err, 'listing');
    }
  }

  read(rel: string): Readable {
    const key = this.key(rel);
    return this.streamBody(async () => (await this.client()).getObject(this.location.bucket, key), rel);
  }

  async readVersioned(rel: string): Promise<VersionedFile | undefined> {
    const key = this.key(rel);
    try {
      const res = (await (await this.client()).getObject(this.location.bucket, key)) as Readable & {
        headers?: Record<string, string | string[] | undefined>;
      };
      const etag = res.headers?.etag;
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(Buffer.from(c as Uint8Array));
      if (typeof etag !== 'string') throw new Error(`the store sent ${rel} without an ETag`);
      return { data: Buffer.concat(chunks), version: etag };
    } catch (err) {
      const code = serviceCode(err);
      if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
      throw this.error(err, `reading ${rel}`, rel);
    }
  }

  async putIfUnchanged(rel: string, data: Uint8Array, version: string | null): Promise<boolean> {
    const key = this.key(rel);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.length >= this.partSize) {
      throw new Error(`putIfUnchanged is for small files (${rel} is ${buf.length} bytes)`);
    }
    try {
      // The minio client passes If-Match / If-None-Match through as they are (a single PUT below partSize).
      await (
        await this.client()
      ).putObject(this.location.bucket, key, buf, buf.length, {
        ...(version === null ? { 'If-None-Match': '*' } : { 'If-Match': version }),
      });
      return true;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 412 || status === 409 || serviceCode(err) === 'PreconditionFailed') return false;
      throw this.error(err, `writing ${rel}`, rel);
    }
  }

  async write(rel: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    const key = this.key(rel);
    const bucket = this.location.bucket;
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `writing ${rel}`, rel);
    });
    if (data instanceof Uint8Array) {
      try {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        await client.putObject(bucket, key, buf, buf.length);
      } catch (err) {
        throw this.error(err, `writing ${rel}`, rel);
      }
      return;
    }
    const { stream, failed } = this.source(data);
    // The client pipes the stream into its part splitter but does not listen for the stream's
    // errors: forward a failure of the source to whatever the stream is piped into, so the upload
    // fails instead of waiting forever.
    const targets: Writable[] = [];
    const pipe = stream.pipe.bind(stream);
    stream.pipe = (<T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T => {
      targets.push(dest as unknown as Writable);
      const f = failed();
      if (f !== undefined) {
        queueMicrotask(() => (dest as unknown as Writable).destroy(f as Error));
        return dest;
      }
      return pipe(dest, opts);
    }) as typeof stream.pipe;
    stream.on('error', (err) => {
      for (const t of targets) t.destroy(err);
    });
    try {
      await client.putObject(bucket, key, stream);
    } catch (err) {
      stream.destroy();
      await client.removeIncompleteUpload(bucket, key).catch(() => undefined);
      throw this.writeError(err, failed(), rel);
    }
  }

  async exists(rel: string): Promise<boolean> {
    const key = this.key(rel);
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `checking ${rel || 'the location'}`);
    });
    if (key !== '') {
      try {
        await client.statObject(this.location.bucket, key);
        return true;
      } catch (err) {
        const code = serviceCode(err);
        if (code !== 'NotFound' && code !== 'NoSuchKey') throw this.error(err, `checking ${rel}`);
      }
    }
    try {
      const stream = client.listObjectsV2(this.location.bucket, key === '' ? '' : `${key}/`, true);
      for await (const item of stream as AsyncIterable<{ name?: string }>) {
        if (item.name !== undefined) {
          stream.destroy();
          return true;
        }
      }
      return false;
    } catch (err) {
      throw this.error(err, `checking ${rel || 'the location'}`);
    }
  }

  async size(rel: string): Promise<number | undefined> {
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `checking ${rel}`);
    });
    try {
      return (await client.statObject(this.location.bucket, this.key(rel))).size;
    } catch (err) {
      const code = serviceCode(err);
      if (code === 'NotFound' || code === 'NoSuchKey') return undefined;
      throw this.error(err, `checking ${rel}`);
    }
  }

  async abortIncompleteUploads(prefix: string, paths: readonly string[] = []): Promise<number> {
    const bucket = this.location.bucket;
    const keyPrefix = this.listPrefix(prefix);
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, 'listing incomplete uploads');
    });
    // Key → its open upload ids: the listing of the prefix, then of each named path (MinIO lists
    // the incomplete uploads of an exact key only). Bounded: a listing that never ends is cut short.
    const keys = new Map<string, Set<string>>();
    let seen = 0;
    for (const p of [keyPrefix, ...paths.map((x) => this.key(x)).filter((k) => k.startsWith(keyPrefix))]) {
      try {
        const stream = client.listIncompleteUploads(bucket, p, true);
        for await (const u of stream as AsyncIterable<{ key?: string; uploadId?: string }>) {
          if (++seen > 1_000_000) break;
          if (u.key === undefined || !u.key.startsWith(keyPrefix) || this.relative(u.key) === undefined)
            continue;
          keys.set(u.key, (keys.get(u.key) ?? new Set()).add(u.uploadId ?? ''));
        }
      } catch (err) {
        throw this.error(err, 'listing incomplete uploads');
      }
    }
    let aborted = 0;
    for (const [key, ids] of keys) {
      // The client's removeIncompleteUpload aborts the newest upload of a key: once per upload.
      for (let i = 0; i < ids.size; i++) {
        try {
          await client.removeIncompleteUpload(bucket, key);
          aborted++;
        } catch (err) {
          if (serviceCode(err) === 'NoSuchUpload') break;
          throw this.error(err, 'aborting an incomplete upload');
        }
      }
    }
    return aborted;
  }

  async delete(rel: string): Promise<void> {
    const key = this.key(rel);
    try {
      await (await this.client()).removeObject(this.location.bucket, key);
    } catch (err) {
      if (serviceCode(err) === 'NoSuchKey') return;
      throw this.error(err, `deleting ${rel}`, rel);
    }
  }
}
