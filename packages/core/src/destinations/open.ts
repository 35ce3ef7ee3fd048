/** The one place that maps a location URI to a {@link Destination}. */
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors.js';
import { LocalDestination } from './local.js';
import { MinioDestination } from './minio.js';
import { S3Destination } from './s3.js';
import type { Destination, DestinationOptions } from './types.js';
import { parseObjectStoreUri } from './uri.js';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** Removes user:password@ from a URL-like string, for messages. */
function redact(uri: string): string {
  return uri.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1');
}

/**
 * Opens a backup location: a local path (`/backups`, `./backups`), a `file:///backups` URL,
 * `s3://HOST[:PORT]/BUCKET[/PREFIX][?secure=false]` (S3Destination) or
 * `minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]` (MinioDestination). `credentials` (and the
 * tuning in {@link DestinationOptions}) are for the remote kinds and are never part of a message or
 * of `describe()`. Nothing is contacted until the first request.
 */
export function openDestination(uri: string, credentials?: DestinationOptions): Destination {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new InvalidArgumentError('a backup location is required (a folder path or a file:// URL)');
  }
  const m = SCHEME.exec(uri);
  if (!m) return new LocalDestination(uri);
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'file') {
    let p: string;
    try {
      p = fileURLToPath(uri);
    } catch (err) {
      throw new InvalidArgumentError(`invalid file URL ${redact(uri)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new LocalDestination(p);
  }
  if (scheme === 's3') return new S3Destination(parseObjectStoreUri(uri), credentials);
  if (scheme === 'minio') return new MinioDestination(parseObjectStoreUri(uri), credentials);
  throw new InvalidArgumentError(
    `unknown backup location scheme "${scheme}://" in ${redact(uri)}: use a folder path, a file:// URL, ` +
      's3://HOST/BUCKET[/PREFIX] or minio://HOST:PORT/BUCKET[/PREFIX]',
  );
}

/** `location` as a Destination: opened with {@link openDestination} when it is a string. */
export function toDestination(location: string | Destination, credentials?: DestinationOptions): Destination {
  return typeof location === 'string' ? openDestination(location, credentials) : location;
}
