/** Errors of S3 / MinIO requests → StrataErrors a user can act on. Never holds credentials. */
import { DestinationError, FileNotFoundError, StrataError } from '../errors.js';
import { scrubSecrets } from './credentials.js';
import type { ObjectStoreLocation } from './uri.js';

export interface RemoteErrorContext {
  loc: ObjectStoreLocation;
  /** What was being done, e.g. `reading r55-g1.backup`. */
  action: string;
  /** The key or path the request was about (for not-found errors). */
  file?: string | undefined;
  /** Where the credentials came from (never their value); undefined when not resolved yet. */
  credentialSource?: string | undefined;
  /** Values to scrub from any text taken from the server or the SDK. */
  secrets: readonly (string | undefined)[];
}

const NETWORK_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface AnyErr {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  statusCode?: number;
  $response?: { statusCode?: number };
}

/** The first network error code found in the error, its AggregateError members or its causes. */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (err === null || typeof err !== 'object' || depth > 4) return undefined;
  const e = err as AnyErr;
  if (
    typeof e.code === 'string' &&
    (NETWORK_UNREACHABLE.has(e.code) || e.code === 'EPROTO' || e.code.startsWith('ERR_SSL'))
  ) {
    return e.code;
  }
  for (const inner of e.errors ?? []) {
    const c = networkCode(inner, depth + 1);
    if (c) return c;
  }
  return networkCode(e.cause, depth + 1);
}

function allMessages(err: unknown, depth = 0): string {
  if (err === null || typeof err !== 'object' || depth > 4) return String(err ?? '');
  const e = err as AnyErr;
  return [
    e.message ?? '',
    ...(e.errors ?? []).map((x) => allMessages(x, depth + 1)),
    allMessages(e.cause, depth + 1),
  ].join(' | ');
}

function endpointOf(loc: ObjectStoreLocation): string {
  return `${loc.secure ? 'https' : 'http'}://${loc.host}${loc.port === undefined ? '' : `:${loc.port}`}`;
}

/** The service's error code (`NoSuchBucket`, `AccessDenied`, ...), from the AWS SDK or the minio client. */
export function serviceCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as AnyErr;
  const code = e.Code ?? (typeof e.code === 'string' && /^[A-Z][A-Za-z]+$/.test(e.code) ? e.code : undefined);
  if (code) return code;
  if (
    e.name &&
    /^[A-Z][A-Za-z]+$/.test(e.name) &&
    !['Error', 'TypeError', 'RangeError', 'S3Error', 'S3ServiceException'].includes(e.name)
  ) {
    return e.name;
  }
  return undefined;
}

export function httpStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as AnyErr;
  return e.$metadata?.httpStatusCode ?? e.statusCode ?? e.$response?.statusCode;
}

/** Maps an S3 / MinIO client error to a StrataError whose message says what to do. */
export function remoteError(err: unknown, ctx: RemoteErrorContext): StrataError {
  if (err instanceof StrataError) return err;
  const { loc } = ctx;
  const where = loc.display;
  const scrub = (s: string): string => scrubSecrets(s, ctx.secrets);
  const opts = { location: where, ...(ctx.file === undefined ? {} : { file: ctx.file }) };
  const net = networkCode(err);
  const text = scrub(allMessages(err));
  if (
    net === 'EPROTO' ||
    net?.startsWith('ERR_SSL') ||
    /wrong version number|packet length too long|ssl3_get_record|unknown protocol/i.test(text)
  ) {
    if (loc.secure) {
      return new DestinationError(
        'TLS_PLAIN_HTTP',
        `TLS handshake with ${endpointOf(loc)} failed while ${ctx.action} (${where}): the endpoint speaks plain http: add ?secure=false to the location`,
        opts,
      );
    }
    return new DestinationError('TLS', `TLS error while ${ctx.action} at ${where}: ${text}`, opts);
  }
  if (
    /self[- ]signed certificate|unable to verify the first certificate|certificate has expired|CERT_/i.test(
      text,
    ) ||
    (typeof (err as AnyErr).code === 'string' && /CERT|TLS/.test((err as AnyErr).code!))
  ) {
    return new DestinationError(
      'TLS',
      `the TLS certificate of ${endpointOf(loc)} was refused while ${ctx.action} (${where}): ${text.split(' | ')[0]}. ` +
        'Trust its CA with NODE_EXTRA_CA_CERTS=/path/ca.pem',
      opts,
    );
  }
  if (net !== undefined || (err as AnyErr)?.name === 'TimeoutError') {
    const why =
      net === 'ECONNREFUSED'
        ? 'connection refused'
        : net === 'ENOTFOUND' || net === 'EAI_AGAIN'
          ? 'host name not found'
          : net === 'ECONNRESET' || net === 'EPIPE'
            ? 'connection reset'
            : 'timed out';
    return new DestinationError(
      'UNREACHABLE',
      `cannot reach ${endpointOf(loc)} (${why}) while ${ctx.action} (${where}): check the host and port, ` +
        `that the server is running${loc.secure ? ', and whether it needs ?secure=false (plain http)' : ''}`,
      opts,
    );
  }
  const code = serviceCode(err);
  const status = httpStatus(err);
  const creds = ctx.credentialSource ?? 'unknown source';
  if (code === 'NoSuchBucket') {
    return new DestinationError(
      'BUCKET_NOT_FOUND',
      `bucket "${loc.bucket}" does not exist at ${endpointOf(loc)} (${where}): create it first or check the bucket name`,
      opts,
    );
  }
  if (code === 'RequestTimeTooSkewed') {
    return new DestinationError(
      'CLOCK_SKEW',
      `the server at ${endpointOf(loc)} refused the request while ${ctx.action}: this machine's clock differs too much ` +
        `from the server's (RequestTimeTooSkewed): synchronise the clock (NTP) and retry`,
      opts,
    );
  }
  if (
    code === 'NoSuchKey' ||
    (code === 'NotFound' && ctx.file !== undefined) ||
    (status === 404 && code !== 'NoSuchUpload' && ctx.file !== undefined)
  ) {
    return new FileNotFoundError(`backup file not found: ${ctx.file ?? where}`, { file: ctx.file ?? where });
  }
  const denied: Record<string, string> = {
    AccessDenied: 'access denied',
    InvalidAccessKeyId: 'the access key is not known to the server',
    SignatureDoesNotMatch: 'the secret key does not match the access key',
    InvalidToken: 'the session token is not valid',
    ExpiredToken: 'the session token has expired',
    TokenRefreshRequired: 'the session token has expired',
    AllAccessDisabled: 'all access to this bucket is disabled',
    AccountProblem: 'the account has a problem',
    Forbidden: 'access denied',
  };
  if ((code !== undefined && denied[code] !== undefined) || status === 403) {
    const what = (code !== undefined && denied[code]) || 'access denied';
    return new DestinationError(
      'ACCESS_DENIED',
      `access denied while ${ctx.action} at ${where}: ${what} (credential source: ${creds}). Check the credentials ` +
        `from that source and that they may ${/list/i.test(ctx.action) ? 'list' : /writ/i.test(ctx.action) ? 'write to' : /delet/i.test(ctx.action) ? 'delete in' : 'read'} ` +
        `bucket "${loc.bucket}"${creds.startsWith('anonymous') ? ', or drop --anonymous: this bucket is not public' : ''}`,
      opts,
    );
  }
  const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ');
  return new DestinationError(
    'REQUEST_FAILED',
    `request failed while ${ctx.action} at ${where}${detail ? ` (${detail})` : ''}: ${text.split(' | ')[0] || 'unknown error'}`,
    opts,
  );
}
