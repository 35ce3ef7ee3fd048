/** Backup locations as kept in the `strata.locations` setting (no vscode import). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, openDestination, type DestinationCredentials } from '@strata/core';

export type LocationKind = 'local' | 's3' | 'minio';

export function locationKind(location: string): LocationKind {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(location);
  const scheme = m?.[1]?.toLowerCase();
  if (scheme === 's3') return 's3';
  if (scheme === 'minio') return 'minio';
  return 'local';
}

export function isRemote(location: string): boolean {
  return locationKind(location) !== 'local';
}

/**
 * Checks and normalizes a location typed by the user: trims it, resolves a relative folder
 * against `baseDir`, turns `file://` URLs into paths, and lets @strata/core's `openDestination`
 * reject what it would reject (unknown schemes, credentials inside the URI, bad buckets, a
 * minio:// without a port). Throws core's {@link InvalidArgumentError}.
 */
export function normalizeLocation(input: string, baseDir?: string): string {
  const raw = input.trim();
  if (raw === '')
    throw new InvalidArgumentError('a backup location is required (a folder path or a file:// URL)');
  openDestination(raw); // validation only: nothing is contacted until the first request
  const kind = locationKind(raw);
  if (kind !== 'local') return raw;
  let p = raw;
  if (/^file:\/\//i.test(p)) p = fileURLToPath(p);
  if (p.startsWith('~/') && process.env.HOME) p = path.join(process.env.HOME, p.slice(2));
  p = path.resolve(baseDir ?? process.cwd(), p);
  return p.length > 1 ? p.replace(/[\\/]+$/, '') : p;
}

/** The settings list with `location` added (no duplicates, order kept). */
export function addLocation(list: readonly string[], location: string): string[] {
  return list.includes(location) ? [...list] : [...list, location];
}

export function removeLocation(list: readonly string[], location: string): string[] {
  return list.filter((l) => l !== location);
}

/** The label of a location in the tree: the folder name, or bucket/prefix for remote ones. */
export function locationLabel(location: string): string {
  if (locationKind(location) === 'local') return path.basename(location) || location;
  try {
    const u = new URL(location);
    return `${u.host}${u.pathname}`.replace(/\/+$/, '');
  } catch {
    return location;
  }
}

/** The key under which a location's credentials are kept in VS Code's SecretStorage. */
export function secretKey(location: string): string {
  return `strata.credentials:${location}`;
}

/** Core's credentials of a remote location, as stored: both keys present, no `anonymous`. */
export type StoredCredentials = Required<Pick<DestinationCredentials, 'accessKey' | 'secretKey'>> &
  Pick<DestinationCredentials, 'sessionToken'>;

/** Parses what was stored with {@link secretKey}; undefined when missing or unusable. */
export function parseStoredCredentials(text: string | undefined): StoredCredentials | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StoredCredentials>;
    if (typeof v.accessKey !== 'string' || typeof v.secretKey !== 'string') return undefined;
    if (v.accessKey === '' || v.secretKey === '') return undefined;
    return {
      accessKey: v.accessKey,
      secretKey: v.secretKey,
      ...(typeof v.sessionToken === 'string' && v.sessionToken !== '' && { sessionToken: v.sessionToken }),
    };
  } catch {
    return undefined;
  }
}
