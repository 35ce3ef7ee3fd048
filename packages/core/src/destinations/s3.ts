/**
 * A backup location in an S3 bucket (AWS or any S3-compatible store):
 * `s3://HOST[:PORT]/BUCKET[/PREFIX][?secure=false]`.
 *
 * Writes stream through `@aws-sdk/lib-storage` multipart uploads with a bounded part size and
 * queue (memory ≈ partSize × (queueSize + 1)); a failed upload is aborted, so no partial object
 * and no dangling multipart upload remain, and the object appears only once complete.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { RemoteDestination } from './remote.js';
import { httpStatus, serviceCode } from './remote-errors.js';
import type { DestinationOptions, VersionedFile } from './types.js';
import { isAwsHost, parseObjectStoreUri, resolveRegion, type ObjectStoreLocation } from './uri.js';

/** The S3 client settings of a location (exported for tests; holds no credentials). */
export function s3ClientConfig(
  loc: ObjectStoreLocation,
  env: Record<string, string | undefined> = process.env,
): { region: string; endpoint: string | undefined; forcePathStyle: boolean } {
  const aws = isAwsHost(loc.host);
  const endpoint = `${loc.secure ? 'https' : 'http'}://${loc.host}${loc.port === undefined ? '' : `:${loc.port}`}`;
  return {
    region: resolveRegion(loc.host, env),
    // AWS hosts: virtual-hosted style on the region's endpoint; anything else: path style on the host.
    endpoint: aws && loc.secure && loc.port === undefined ? undefined : endpoint,
    forcePathStyle: !aws,
  };
}

/** The AWS SDK modules, loaded on first use (a good part of a second; most commands never need them). */
interface Sdk {
  s3: typeof import('@aws-sdk/client-s3');
  storage: typeof import('@aws-sdk/lib-storage');
}
let sdkLoad: Promise<Sdk> | undefined;
function loadSdk(): Promise<Sdk> {
  sdkLoad ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(
    ([s3, storage]) => ({ s3, storage }),
  );
  return sdkLoad;
}

export class S3Destination extends RemoteDestination {
  #client: Promise<S3Client> | undefined;
  /** Set with the client: the SDK's command classes. */
  #sdk: Sdk | undefined;

  constructor(uri: string | ObjectStoreLocation, options: DestinationOptions = {}) {
    const loc = typeof uri === 'string' ? parseObjectStoreUri(uri) : uri;
    super(loc, options);
  }

  /** The S3 client, created once the credentials are resolved. */
  client(): Promise<S3Client> {
    this.#client ??= Promise.all([this.credentials(), loadSdk()]).then(([c, sdk]) => {
      this.#sdk = sdk;
      // The SDK warns on every process about Node < 22; Strata supports Node 20.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const base = s3ClientConfig(this.location, this.options.env ?? process.env);
      const config: S3ClientConfig = {
        region: base.region,
        forcePathStyle: base.forcePathStyle,
        ...(base.endpoint === undefined ? { followRegionRedirects: true } : { endpoint: base.endpoint }),
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
      };
      if (c.anonymous) {
        config.credentials = { accessKeyId: '', secretAccessKey: '' };
        config.signer = { sign: async (request) => request };
      } else {
        config.credentials = {
          accessKeyId: c.accessKeyId!,
          secretAccessKey: c.secretAccessKey!,
          ...(c.token === undefined ? {} : { sessionToken: c.token }),
        };
      }
      return new sdk.s3.S3Client(config);
    });
    return this.#client;
  }

  /** The SDK's S3 commands (loaded by `client()`, which every request awaits first). */
  private get s3(): Sdk['s3'] {
    if (!this.#sdk) throw new Error('S3Destination: the SDK is used before client()');
    return this.#sdk.s3;
  }

  private get storage(): Sdk['storage'] {
    if (!this.#sdk) throw new Error('S3Destination: the SDK is used before client()');
    return this.#sdk.storage;
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const Prefix = this.listPrefix(prefix);
    let client: S3Client;
    try {
      client = await this.client();
    } catch (err) {
      throw this.error(err, 'listing');
    }
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await client.send(
          new this.s3.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix, ContinuationToken }),
        );
      } catch (err) {
        throw this.error(err, 'listing');
      }
      for (const o of page.Contents ?? []) {
        const rel = o.Key === undefined ? undefined : this.relative(o.Key);
        if (rel !== undefined) yield rel;
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  read(rel: string): Readable {
    const Key = this.key(rel);
    return this.streamBody(async () => {
      const client = await this.client();
      const r = await client.send(new this.s3.GetObjectCommand({ Bucket: this.location.bucket, Key }));
      return r.Body as Readable;
    }, rel);
  }

  override async readFile(rel: string): Promise<Buffer> {
    const Key = this.key(rel);
    try {
      const client = await this.client();
      const r = await client.send(new this.s3.GetObjectCommand({ Bucket: this.location.bucket, Key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (err) {
      throw this.error(err, `reading ${rel}`, rel);
    }
  }

  async readVersioned(rel: string): Promise<VersionedFile | undefined> {
    const Key = this.key(rel);
    try {
      const client = await this.client();
      const r = await client.send(new this.s3.GetObjectCommand({ Bucket: this.location.bucket, Key }));
      const data = Buffer.from(await r.Body!.transformToByteArray());
      if (r.ETag === undefined) throw new Error(`the store sent ${rel} without an ETag`);
      return { data, version: r.ETag };
    } catch (err) {
      if (serviceCode(err) === 'NoSuchKey' || httpStatus(err) === 404) return undefined;
      throw this.error(err, `reading ${rel}`, rel);
    }
  }

  async putIfUnchanged(rel: string, data: Uint8Array, version: string | null): Promise<boolean> {
    const Key = this.key(rel);
    try {
      const client = await this.client();
      await client.send(
        new this.s3.PutObjectCommand({
          Bucket: this.location.bucket,
          Key,
          Body: data,
          ContentLength: data.length,
          ...(version === null ? { IfNoneMatch: '*' } : { IfMatch: version }),
        }),
      );
      return true;
    } catch (err) {
      // 412: the object changed (or exists); 409: a concurrent conditional write won (AWS).
      const status = httpStatus(err);
      if (status === 412 || status === 409 || serviceCode(err) === 'PreconditionFailed') return false;
      throw this.error(err, `writing ${rel}`, rel);
    }
  }

  async write(rel: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    const Key = this.key(rel);
    const Bucket = this.location.bucket;
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `writing ${rel}`, rel);
    });
    if (data instanceof Uint8Array) {
      try {
        await client.send(
          new this.s3.PutObjectCommand({ Bucket, Key, Body: data, ContentLength: data.length }),
        );
      } catch (err) {
        throw this.error(err, `writing ${rel}`, rel);
      }
      return;
    }
    const { stream, failed } = this.source(data);
    const upload = new this.storage.Upload({
      client,
      params: { Bucket, Key, Body: stream },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      stream.destroy();
      // lib-storage aborts the multipart upload on failure; make sure of it (idempotent).
      const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
      if (uploadId !== undefined) {
        await client
          .send(new this.s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw this.writeError(err, failed(), rel);
    }
  }

  async exists(rel: string): Promise<boolean> {
    const Key = this.key(rel);
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `checking ${rel || 'the location'}`);
    });
    if (Key !== '') {
      try {
        await client.send(new this.s3.HeadObjectCommand({ Bucket: this.location.bucket, Key }));
        return true;
      } catch (err) {
        const code = serviceCode(err);
        if (!(httpStatus(err) === 404 || code === 'NotFound' || code === 'NoSuchKey')) {
          throw this.error(err, `checking ${rel}`);
        }
      }
    }
    // A "folder": any object under `<key>/` (also reports a missing bucket).
    try {
      const r = await client.send(
        new this.s3.ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: Key === '' ? '' : `${Key}/`,
          MaxKeys: 1,
        }),
      );
      return (r.KeyCount ?? r.Contents?.length ?? 0) > 0;
    } catch (err) {
      throw this.error(err, `checking ${rel || 'the location'}`);
    }
  }

  async size(rel: string): Promise<number | undefined> {
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, `checking ${rel}`);
    });
    try {
      const r = await client.send(
        new this.s3.HeadObjectCommand({ Bucket: this.location.bucket, Key: this.key(rel) }),
      );
      return r.ContentLength;
    } catch (err) {
      const code = serviceCode(err);
      if (httpStatus(err) === 404 || code === 'NotFound' || code === 'NoSuchKey') return undefined;
      throw this.error(err, `checking ${rel}`);
    }
  }

  async delete(rel: string): Promise<void> {
    const Key = this.key(rel);
    try {
      const client = await this.client();
      await client.send(new this.s3.DeleteObjectCommand({ Bucket: this.location.bucket, Key }));
    } catch (err) {
      if (serviceCode(err) === 'NoSuchKey') return;
      throw this.error(err, `deleting ${rel}`, rel);
    }
  }

  async abortIncompleteUploads(prefix: string, paths: readonly string[] = []): Promise<number> {
    const Bucket = this.location.bucket;
    const keyPrefix = this.listPrefix(prefix);
    const client = await this.client().catch((err: unknown) => {
      throw this.error(err, 'listing incomplete uploads');
    });
    // Key → upload ids: the listing of the prefix, then of each named path (exact-key listings).
    const uploads = new Map<string, Set<string>>();
    for (const Prefix of [
      keyPrefix,
      ...paths.map((p) => this.key(p)).filter((k) => k.startsWith(keyPrefix)),
    ]) {
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      // Bounded: a store that keeps answering "truncated" cannot loop forever.
      for (let page = 0; page < 1000; page++) {
        let r;
        try {
          r = await client.send(
            new this.s3.ListMultipartUploadsCommand({ Bucket, Prefix, KeyMarker, UploadIdMarker }),
          );
        } catch (err) {
          throw this.error(err, 'listing incomplete uploads');
        }
        for (const u of r.Uploads ?? []) {
          if (u.Key === undefined || u.UploadId === undefined || !u.Key.startsWith(keyPrefix)) continue;
          if (this.relative(u.Key) === undefined) continue;
          uploads.set(u.Key, (uploads.get(u.Key) ?? new Set()).add(u.UploadId));
        }
        if (!r.IsTruncated || (r.NextKeyMarker === KeyMarker && r.NextUploadIdMarker === UploadIdMarker))
          break;
        KeyMarker = r.NextKeyMarker;
        UploadIdMarker = r.NextUploadIdMarker;
      }
    }
    let aborted = 0;
    for (const [Key, ids] of uploads) {
      for (const UploadId of ids) {
        try {
          await client.send(new this.s3.AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
          aborted++;
        } catch (err) {
          if (serviceCode(err) !== 'NoSuchUpload') throw this.error(err, 'aborting an incomplete upload');
        }
      }
    }
    return aborted;
  }

  /** Closes the client's sockets. */
  async close(): Promise<void> {
    if (this.#client) (await this.#client.catch(() => undefined))?.destroy();
  }
}
