/** What S3Destination and MinioDestination share: paths, credentials, error mapping. */
import { PassThrough, Readable } from 'node:stream';
import { InvalidArgumentError, StrataError } from '../errors.js';
import { normalizeRelative } from './local.js';
import { credentialInfo, resolveCredentials, type ResolvedCredentials } from './credentials.js';
import { remoteError } from './remote-errors.js';
import type { CredentialInfo, Destination, DestinationOptions, VersionedFile } from './types.js';
import { objectKey, type ObjectStoreLocation } from './uri.js';

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 4;

export abstract class RemoteDestination implements Destination {
  readonly location: ObjectStoreLocation;
  protected readonly options: DestinationOptions;
  readonly partSize: number;
  readonly queueSize: number;
  #creds: Promise<ResolvedCredentials> | undefined;
  #resolved: ResolvedCredentials | undefined;

  constructor(location: ObjectStoreLocation, options: DestinationOptions = {}) {
    this.location = location;
    this.options = options;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < MIN_PART_SIZE || this.partSize > 5 * 1024 ** 3) {
      throw new InvalidArgumentError(`partSize must be between 5 MiB and 5 GiB (got ${options.partSize})`);
    }
    if (!Number.isInteger(this.queueSize) || this.queueSize < 1 || this.queueSize > 64) {
      throw new InvalidArgumentError(`queueSize must be between 1 and 64 (got ${options.queueSize})`);
    }
  }

  describe(): string {
    return this.location.display;
  }

  /** Resolves the credentials once; says which source won (never the values). */
  async resolveCredentials(): Promise<CredentialInfo> {
    return credentialInfo(await this.credentials());
  }

  protected credentials(): Promise<ResolvedCredentials> {
    this.#creds ??= resolveCredentials(this.location.scheme, this.options).then((c) => {
      this.#resolved = c;
      return c;
    });
    return this.#creds;
  }

  /** The object key of a location-relative path. */
  protected key(rel: string): string {
    return objectKey(this.location.prefix, normalizeRelative(rel));
  }

  /** The key prefix of a raw listing prefix (a plain string prefix, as on S3). */
  protected listPrefix(prefix: string): string {
    if (prefix.startsWith('/') || prefix.split('/').includes('..')) {
      throw new InvalidArgumentError(`list prefix "${prefix}" must be relative and stay inside the location`);
    }
    return this.location.prefix === '' ? prefix : `${this.location.prefix}/${prefix}`;
  }

  /** The location-relative path of an object key (undefined for keys outside the location or folder markers). */
  protected relative(key: string): string | undefined {
    const base = this.location.prefix === '' ? '' : `${this.location.prefix}/`;
    if (!key.startsWith(base) || key.endsWith('/')) return undefined;
    const rel = key.slice(base.length);
    return rel === '' ? undefined : rel;
  }

  /** `<location>/<rel>` for messages. */
  protected shown(rel: string): string {
    const d = this.location.display;
    const q = d.indexOf('?');
    return q < 0 ? `${d}/${rel}` : `${d.slice(0, q)}/${rel}${d.slice(q)}`;
  }

  /** Maps a client error to a StrataError naming the credential source, never a secret. */
  protected error(err: unknown, action: string, rel?: string): StrataError {
    const c = this.#resolved;
    return remoteError(err, {
      loc: this.location,
      action,
      file: rel === undefined ? undefined : this.shown(rel),
      credentialSource: c?.source,
      secrets: [
        c?.accessKeyId,
        c?.secretAccessKey,
        c?.token,
        this.options.accessKey,
        this.options.secretKey,
        this.options.sessionToken,
      ],
    });
  }

  /** Turns what `write` accepts into a Readable, remembering a failure of the source itself. */
  protected source(data: Readable | AsyncIterable<Uint8Array>): { stream: Readable; failed: () => unknown } {
    let failure: unknown;
    const input = data instanceof Readable ? data : Readable.from(data, { objectMode: false });
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    input.on('error', (err) => {
      failure = err;
      out.destroy(err);
    });
    input.pipe(out);
    return { stream: out, failed: () => failure };
  }

  /** The error of a failed write: the source's own error when the source failed, else the mapped client error. */
  protected writeError(err: unknown, failed: unknown, rel: string): StrataError | Error {
    if (failed !== undefined) {
      if (failed instanceof StrataError) return failed;
      const detail = failed instanceof Error ? failed.message : String(failed);
      return new StrataError(
        'IO',
        `writing ${this.shown(rel)} failed: the data to write failed: ${detail} (nothing was written)`,
        {
          file: this.shown(rel),
          cause: failed,
        },
      );
    }
    return this.error(err, `writing ${rel}`, rel);
  }

  abstract list(prefix?: string): AsyncIterable<string>;
  abstract read(path: string): Readable;
  abstract write(path: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void>;
  abstract exists(path: string): Promise<boolean>;
  abstract size(path: string): Promise<number | undefined>;
  abstract delete(path: string): Promise<void>;
  abstract readVersioned(path: string): Promise<VersionedFile | undefined>;
  abstract putIfUnchanged(path: string, data: Uint8Array, version: string | null): Promise<boolean>;

  async readFile(rel: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.read(rel)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Pipes a client's body stream into a PassThrough whose errors are mapped. */
  protected streamBody(open: () => Promise<Readable>, rel: string): Readable {
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    open().then(
      (body) => {
        if (out.destroyed) {
          body.destroy();
          return;
        }
        body.on('error', (err) => out.destroy(this.error(err, `reading ${rel}`, rel)));
        out.on('close', () => {
          if (!body.destroyed) body.destroy();
        });
        body.pipe(out);
      },
      (err: unknown) => out.destroy(this.error(err, `reading ${rel}`, rel)),
    );
    return out;
  }
}
