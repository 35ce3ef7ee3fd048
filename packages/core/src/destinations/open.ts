/** The one place that maps a location URI to a {@link Destination}. */
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, NotSupportedError } from '../errors.js';
import { LocalDestination } from './local.js';
import type { Destination, DestinationCredentials } from './types.js';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** Removes user:password@ from a URL-like string, for messages. */
function redact(uri: string): string {
  return uri.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1');
}

/**
 * Opens a backup location: a local path (`/backups`, `./backups`) or a `file:///backups` URL.
 * `s3://` and `minio://` locations throw NotSupportedError for now. `credentials` are for the
 * remote kinds and are never part of a message or of `describe()`.
 */
export function openDestination(uri: string, _credentials?: DestinationCredentials): Destination {
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
  if (scheme === 's3' || scheme === 'minio') {
    throw new NotSupportedError(
      `${scheme}:// backup locations are not supported yet (${redact(uri)}): use a local folder or file:// URL`,
    );
  }
  throw new InvalidArgumentError(
    `unknown backup location scheme "${scheme}://" in ${redact(uri)}: use a folder path or a file:// URL`,
  );
}

/** `location` as a Destination: opened with {@link openDestination} when it is a string. */
export function toDestination(
  location: string | Destination,
  credentials?: DestinationCredentials,
): Destination {
  return typeof location === 'string' ? openDestination(location, credentials) : location;
}
