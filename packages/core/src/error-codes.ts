/**
 * Every error code Strata returns, in one place, with what it means: the codes of core's
 * `StrataError`s (thrown by the library, shown by the CLI) and the `code` field of the servers'
 * HTTP error bodies (`{statusCode, error, code, message}`). The "Error codes" section of
 * packages/server/README.md is generated from this table (a test keeps them equal).
 */

/** Where a code is returned: a core `StrataError`, and/or an HTTP error body of Zero or an Alpha. */
export type ErrorCodeSource = 'core' | 'http';

export interface ErrorCodeInfo {
  readonly sources: readonly ErrorCodeSource[];
  /** One line: what went wrong. */
  readonly meaning: string;
}

export const ERROR_CODES = {
  // Reported by the native addon (`CODE: text`, see NATIVE_ERROR_CODES).
  BAD_KEY_LENGTH: {
    sources: ['core'],
    meaning: 'an encryption key is not 16, 24 or 32 bytes long',
  },
  EMPTY: { sources: ['core'], meaning: 'a backup file holds no bytes at all' },
  ENCRYPTED_NO_KEY: { sources: ['core'], meaning: 'a backup file is encrypted and no key was given' },
  WRONG_KEY: {
    sources: ['core'],
    meaning: 'the key does not decrypt the file, or a key was given for a plain file',
  },
  TRUNCATED: { sources: ['core'], meaning: 'a backup file ends in the middle of a gzip member or a frame' },
  CORRUPT: {
    sources: ['core'],
    meaning: "a backup file's bytes are damaged (gzip data, checksum, frame or protobuf)",
  },
  UNSUPPORTED_COMPRESSION: {
    sources: ['core'],
    meaning: 'a backup file uses a compression Strata does not read',
  },
  INVALID_ARGUMENT: { sources: ['core'], meaning: 'a caller passed an option or value that is not valid' },
  TOO_LARGE: {
    sources: ['core'],
    meaning:
      'a length in a backup file (frame, gzip member) is over a decoder limit: a damaged or hostile file',
  },
  // Core's own.
  SERVICE: {
    sources: ['core'],
    meaning: 'a Zero or Alpha could not be reached, refused a request or answered with something unexpected',
  },
  IO: { sources: ['core'], meaning: 'a file could not be read or written (other than a missing file)' },
  NATIVE_NOT_BUILT: { sources: ['core'], meaning: 'the native addon is missing: run `pnpm build`' },
  NATIVE_VERSION_MISMATCH: {
    sources: ['core'],
    meaning: 'the native addon is not the version this core expects (a stale build)',
  },
  INVALID_MANIFEST: {
    sources: ['core'],
    meaning: 'a manifest cannot be read: broken JSON, a missing or mistyped field, a newer version',
  },
  INVALID_SERIES: {
    sources: ['core'],
    meaning: 'the backups of a series do not form a valid chain (gap, order, mixed encryption)',
  },
  NOT_SUPPORTED: { sources: ['core'], meaning: 'a feature this Strata does not support yet' },
  VAULT: {
    sources: ['core'],
    meaning: 'a Vault request failed: sealed, denied, unreachable, missing secret or field',
  },
  DESTINATION: {
    sources: ['core'],
    meaning: 'a remote location (S3, MinIO) failed: missing bucket, denied, unreachable, TLS, clock',
  },
  // Both.
  NOT_FOUND: {
    sources: ['core', 'http'],
    meaning: 'core: a file (backup, key file) does not exist; HTTP: no such route (404)',
  },
  STORE: {
    sources: ['core', 'http'],
    meaning: 'a posting store cannot be created, opened or read (HTTP 500)',
  },
  INTERNAL: {
    sources: ['core', 'http'],
    meaning: 'an unexpected failure; the HTTP answer (500) says nothing more, the server log does',
  },
  // The servers' HTTP error bodies.
  BAD_REQUEST: {
    sources: ['http'],
    meaning: 'the request is not valid: schema validation, a malformed body, a refused option (400)',
  },
  PARSE_ERROR: {
    sources: ['http'],
    meaning: 'RDF, schema or DQL text does not parse; the body adds `line` and `column` (400)',
  },
  INVALID_VALUE: { sources: ['http'], meaning: "a value does not parse as its predicate's type (400)" },
  SCHEMA_CONFLICT: {
    sources: ['http'],
    meaning: 'a schema change would change the type of a predicate that holds data (409)',
  },
  UNAUTHORIZED: {
    sources: ['http'],
    meaning:
      'a request without the right token: the cluster token on `/internal`, the auth token (`X-Dgraph-AuthToken`, `--security token-file=`) elsewhere; on a `--tls` node, `/internal` without a client certificate signed by `ca-cert` (`internal-port=true`), or no client certificate under `client-auth-type=REQUIREANY` (401)',
  },
  FORBIDDEN: {
    sources: ['http'],
    meaning:
      '`/admin` from a client outside `--admin-whitelist`, a Host that is not an IP, localhost or `--my`, a cross-origin browser request, or a client certificate no trusted CA signed (`--tls`, `client-auth-type=VERIFYIFGIVEN`) (403)',
  },
  CONFLICT: {
    sources: ['http'],
    meaning: 'a held backup/restore lock, or an address already in a group (409)',
  },
  TXN_ABORTED: {
    sources: ['http'],
    meaning: 'a transaction is not prepared on a group (expired or aborted) (409)',
  },
  UNKNOWN_GROUP: { sources: ['http'], meaning: 'Zero does not know the group asked for (400)' },
  GROUP_UNAVAILABLE: {
    sources: ['http'],
    meaning: 'another group (or Zero) is unreachable or answered nonsense, or is being restored (502/503)',
  },
  BACKUP_FAILED: {
    sources: ['http'],
    meaning: 'a backup failed (a group or the manifest); no manifest was written (500/502)',
  },
  STATE_CORRUPT: { sources: ['http'], meaning: "Zero's state file is not valid; Zero refuses to start" },
  DATA_DIR_LOCKED: { sources: ['http'], meaning: "Zero's data folder is in use by another Zero" },
  NOT_LEADER: {
    sources: ['http'],
    meaning:
      'this Zero (on etcd) is not the oracle leader; timestamps come from the leader, named in the message (503: try another Zero)',
  },
  ETCD_UNAVAILABLE: {
    sources: ['http'],
    meaning: "Zero cannot reach etcd, where the cluster's state lives, or etcd refused the request (503)",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

type CodesFrom<S extends ErrorCodeSource> = {
  [C in ErrorCode]: S extends (typeof ERROR_CODES)[C]['sources'][number] ? C : never;
}[ErrorCode];

/** Every code a `StrataError` can carry. */
export type StrataErrorCode = CodesFrom<'core'>;

/** Every `code` of a Zero or Alpha HTTP error body (Fastify's own 4xx keep Fastify's `FST_ERR_*`). */
export type HttpErrorCode = CodesFrom<'http'>;

/** Codes reported by the native addon (`CODE: text`). */
export const NATIVE_ERROR_CODES = [
  'BAD_KEY_LENGTH',
  'EMPTY',
  'ENCRYPTED_NO_KEY',
  'WRONG_KEY',
  'TRUNCATED',
  'CORRUPT',
  'UNSUPPORTED_COMPRESSION',
  'INVALID_ARGUMENT',
  'TOO_LARGE',
] as const satisfies readonly StrataErrorCode[];
export type NativeErrorCode = (typeof NATIVE_ERROR_CODES)[number];

/** The codes as a Markdown table (`| code | returned by | meaning |`), for the README. */
export function errorCodesMarkdown(): string {
  const by = (s: readonly ErrorCodeSource[]) =>
    s.map((x) => (x === 'core' ? 'core (`StrataError`)' : 'HTTP (Zero, Alpha)')).join(', ');
  const rows = Object.entries(ERROR_CODES).map(
    ([code, info]) => `| \`${code}\` | ${by(info.sources)} | ${info.meaning.replace(/\|/g, '\\|')} |`,
  );
  return ['| code | returned by | meaning |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
}
