/** Parsing of `s3://` and `minio://` location URIs. */
import { InvalidArgumentError } from '../errors.js';

export type ObjectStoreScheme = 's3' | 'minio';

export interface ObjectStoreLocation {
  scheme: ObjectStoreScheme;
  /** Host name (no port). */
  host: string;
  /** Port, when the URI names one. */
  port: number | undefined;
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` (`''` for the bucket root). */
  prefix: string;
  /** https (default) or http (`?secure=false`). */
  secure: boolean;
  /** The URI in canonical form, for messages (never with credentials). */
  display: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function parseBool(name: string, value: string, uri: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError(`invalid ?${name}=${value} in ${uri}: expected true or false`);
}

/**
 * Parses `s3://HOST[:PORT]/BUCKET[/PREFIX][?secure=false]` or `minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]`.
 * Credentials in the URI (`user:pass@`) are refused: they would end up in shell history and logs.
 */
export function parseObjectStoreUri(uri: string): ObjectStoreLocation {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(uri);
  const scheme = m?.[1]?.toLowerCase();
  if (!m || (scheme !== 's3' && scheme !== 'minio')) {
    throw new InvalidArgumentError(`not an s3:// or minio:// location: ${uri.replace(/\/\/[^/@]*@/, '//')}`);
  }
  const authority = m[2]!;
  const example =
    scheme === 's3'
      ? 's3://s3.us-west-2.amazonaws.com/BUCKET[/PREFIX] or s3://HOST:PORT/BUCKET[/PREFIX]?secure=false'
      : 'minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]';
  if (authority.includes('@')) {
    throw new InvalidArgumentError(
      `${scheme}:// locations may not hold credentials (user:password@): give them with ` +
        '--access_key/--secret_key or the environment instead',
    );
  }
  const hp = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(authority);
  if (!hp) {
    throw new InvalidArgumentError(
      `${scheme}:// location ${uri} needs a host${authority === '' ? '' : ` (got "${authority}")`}: ${example}`,
    );
  }
  const host = hp[1]!;
  const port = hp[2] === undefined ? undefined : Number(hp[2]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new InvalidArgumentError(`invalid port ${hp[2]} in ${uri}`);
  }
  if (scheme === 'minio' && port === undefined) {
    throw new InvalidArgumentError(`minio:// location ${uri} needs a port: ${example}`);
  }
  const parts = m[3]!.split('/').filter((p) => p !== '');
  const bucket = parts.shift();
  if (bucket === undefined) {
    throw new InvalidArgumentError(`${scheme}:// location ${uri} names no bucket: ${example}`);
  }
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new InvalidArgumentError(
      `invalid bucket name "${bucket}" in ${uri}: 3 to 63 lowercase letters, digits, dots and hyphens`,
    );
  }
  if (parts.some((p) => p === '.' || p === '..')) {
    throw new InvalidArgumentError(`the prefix in ${uri} may not hold "." or ".." segments`);
  }
  let prefix: string;
  try {
    prefix = parts.map((p) => decodeURIComponent(p)).join('/');
  } catch {
    throw new InvalidArgumentError(`invalid %-escape in the prefix of ${uri}`);
  }
  let secure = true;
  for (const [k, v] of new URLSearchParams(m[4] ?? '')) {
    if (k === 'secure') secure = parseBool(k, v, uri);
    else {
      throw new InvalidArgumentError(
        `unknown option ?${k}= in ${uri}: only ?secure=false is understood (credentials go in flags or the environment)`,
      );
    }
  }
  const display =
    `${scheme}://${host}${port === undefined ? '' : `:${port}`}/${bucket}` +
    `${prefix === '' ? '' : `/${parts.join('/')}`}${secure ? '' : '?secure=false'}`;
  return { scheme, host, port, bucket, prefix, secure, display };
}

/** True for AWS's own S3 endpoints (`s3.amazonaws.com`, `s3.us-west-2.amazonaws.com`, ...). */
export function isAwsHost(host: string): boolean {
  return /(^|\.)amazonaws\.com(\.cn)?$/i.test(host);
}

/**
 * The region of an AWS host (`s3.us-west-2.amazonaws.com`, `s3-us-west-2.amazonaws.com`,
 * `s3.dualstack.eu-west-1.amazonaws.com` → the region), else undefined.
 */
export function regionFromHost(host: string): string | undefined {
  const m = /^s3[.-](?:dualstack\.)?([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)\.amazonaws\.com(\.cn)?$/i.exec(
    host,
  );
  return m?.[1]?.toLowerCase();
}

/** Region: from the AWS host, else `AWS_REGION` (or `AWS_DEFAULT_REGION`), else us-east-1. */
export function resolveRegion(host: string, env: Record<string, string | undefined>): string {
  return regionFromHost(host) ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
}

/** The object key of a location-relative path (already normalised). */
export function objectKey(prefix: string, rel: string): string {
  if (prefix === '') return rel;
  return rel === '' ? prefix : `${prefix}/${rel}`;
}
