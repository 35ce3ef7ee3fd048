/**
 * Typed errors for everything Strata's core reports.
 *
 * The native addon reports failures as plain JS `Error`s whose message is `CODE: text`;
 * {@link fromNative} turns them into the classes below, naming the file involved.
 * No message built here ever contains key bytes.
 */

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
] as const;
export type NativeErrorCode = (typeof NATIVE_ERROR_CODES)[number];

/** Every code a {@link StrataError} can carry. */
export type StrataErrorCode =
  | NativeErrorCode
  | 'NOT_FOUND'
  | 'IO'
  | 'NATIVE_NOT_BUILT'
  | 'NATIVE_VERSION_MISMATCH'
  | 'INTERNAL'
  | 'INVALID_MANIFEST'
  | 'INVALID_SERIES'
  | 'NOT_SUPPORTED'
  | 'VAULT'
  | 'STORE'
  | 'DESTINATION';

export interface StrataErrorOptions {
  /** The file (backup, key file, ...) the error is about. */
  file?: string | undefined;
  cause?: unknown;
}

/** Base class of every error Strata reports on purpose. */
export class StrataError extends Error {
  readonly code: StrataErrorCode;
  readonly file: string | undefined;

  constructor(code: StrataErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = options.file;
  }
}

/** The encryption key does not decrypt the file (or a key was given for a plain file). */
export class WrongKeyError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('WRONG_KEY', message, options);
  }
}

/** The file is encrypted and no key was given. */
export class EncryptedNoKeyError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('ENCRYPTED_NO_KEY', message, options);
  }
}

/** An encryption key is not 16, 24 or 32 bytes long. */
export class BadKeyLengthError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('BAD_KEY_LENGTH', message, options);
  }
}

/** The backup file ends in the middle of a gzip member or a frame. */
export class TruncatedBackupError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('TRUNCATED', message, options);
  }
}

/** The backup file's bytes are damaged (bad gzip data, checksum, frame or protobuf). */
export class CorruptBackupError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('CORRUPT', message, options);
  }
}

/** The backup file holds no bytes at all. */
export class EmptyBackupError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('EMPTY', message, options);
  }
}

/** The file uses a compression Strata does not read. */
export class UnsupportedCompressionError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('UNSUPPORTED_COMPRESSION', message, options);
  }
}

/** A caller passed an option or value that is not valid. */
export class InvalidArgumentError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** A file (backup, key file) does not exist. */
export class FileNotFoundError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/**
 * A manifest cannot be read: broken JSON, a missing or mistyped field, an unknown compression or
 * a version newer than this Strata understands. `file` is the manifest, `field` the JSON field.
 */
export class ManifestError extends StrataError {
  readonly field: string | undefined;

  constructor(message: string, options: StrataErrorOptions & { field?: string | undefined } = {}) {
    super('INVALID_MANIFEST', message, options);
    this.field = options.field;
  }
}

/** The backups of a series do not form a valid chain (gap, wrong order, mixed encryption, ...). */
export class SeriesError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('INVALID_SERIES', message, options);
  }
}

/** A feature (e.g. an `s3://` location) that this Strata does not support yet. */
export class NotSupportedError extends StrataError {
  constructor(message: string, options?: StrataErrorOptions) {
    super('NOT_SUPPORTED', message, options);
  }
}

/**
 * A posting store (`p<N>` folder) cannot be created or read. `reason` is the native code:
 * `STORE_NOT_EMPTY` (a restore target that is not empty), `STORE_NOT_FOUND`, `STORE_INCOMPATIBLE`
 * (newer store format or another group), `STORE_INCOMPLETE` (an unfinished restore) or `IO`.
 */
export class StoreError extends StrataError {
  readonly reason: string;

  constructor(reason: string, message: string, options?: StrataErrorOptions) {
    super('STORE', message, options);
    this.reason = reason;
  }
}

/** Why a remote backup location (S3, MinIO) refused or failed a request. */
export type DestinationErrorReason =
  | 'BUCKET_NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'NO_CREDENTIALS'
  | 'UNREACHABLE'
  | 'TLS_PLAIN_HTTP'
  | 'TLS'
  | 'CLOCK_SKEW'
  | 'REQUEST_FAILED';

/**
 * A remote backup location (S3, MinIO) failed: a missing bucket, denied access (the message names
 * the credential SOURCE, never a key), an unreachable endpoint, TLS to a plain-http endpoint, a
 * skewed clock. The message says what to do. `location` is the location without credentials.
 */
export class DestinationError extends StrataError {
  readonly reason: DestinationErrorReason;
  readonly location: string | undefined;

  constructor(
    reason: DestinationErrorReason,
    message: string,
    options: StrataErrorOptions & { location?: string | undefined } = {},
  ) {
    super('DESTINATION', message, options);
    this.reason = reason;
    this.location = options.location;
  }
}

/** The native addon is missing or is not the version this core expects. */
export class NativeAddonError extends StrataError {
  constructor(
    code: 'NATIVE_NOT_BUILT' | 'NATIVE_VERSION_MISMATCH',
    message: string,
    options?: StrataErrorOptions,
  ) {
    super(code, message, options);
  }
}

type ErrorClass = new (message: string, options?: StrataErrorOptions) => StrataError;

const NATIVE_CLASSES: Record<NativeErrorCode, { cls: ErrorClass; problem: string }> = {
  BAD_KEY_LENGTH: {
    cls: BadKeyLengthError,
    problem: 'the encryption key must be exactly 16, 24 or 32 bytes (AES-128/192/256)',
  },
  EMPTY: { cls: EmptyBackupError, problem: 'the backup file is empty' },
  ENCRYPTED_NO_KEY: {
    cls: EncryptedNoKeyError,
    problem: 'the backup file is encrypted and no encryption key was given',
  },
  WRONG_KEY: {
    cls: WrongKeyError,
    problem: 'wrong or missing encryption key',
  },
  TRUNCATED: { cls: TruncatedBackupError, problem: 'the backup file is truncated' },
  CORRUPT: { cls: CorruptBackupError, problem: 'the backup file is corrupt' },
  UNSUPPORTED_COMPRESSION: {
    cls: UnsupportedCompressionError,
    problem: 'the backup file uses an unsupported compression',
  },
  INVALID_ARGUMENT: { cls: InvalidArgumentError, problem: 'invalid argument' },
  // A length in the file is over a decoder limit: a corrupt (or hostile) file.
  TOO_LARGE: {
    cls: CorruptBackupError,
    problem: 'the backup file is corrupt (a length in it is over a limit)',
  },
};

const NATIVE_MESSAGE = /^([A-Z][A-Z_]*):\s*([\s\S]*)$/;

function isNativeCode(code: string): code is NativeErrorCode {
  return (NATIVE_ERROR_CODES as readonly string[]).includes(code);
}

/** Splits a native `CODE: text` message; `undefined` when the message has no known code. */
export function parseNativeMessage(message: string): { code: NativeErrorCode; text: string } | undefined {
  const m = NATIVE_MESSAGE.exec(message);
  if (!m || !isNativeCode(m[1]!)) return undefined;
  return { code: m[1], text: m[2]!.trim() };
}

function compose(problem: string, text: string, file: string | undefined): string {
  let message = problem;
  // The native text may already name the file (the reader's `source`): say it once.
  if (file !== undefined && !text.includes(file)) message += ` (file: ${file})`;
  // The native text adds detail; skip it when it only repeats the problem.
  if (text && !problem.toLowerCase().includes(text.toLowerCase())) message += `: ${text}`;
  return message;
}

/**
 * Maps an error thrown by the native addon (`CODE: text`) to the matching {@link StrataError}
 * subclass. The message names the problem and, when given, the file. Errors that already are
 * StrataErrors are returned unchanged; anything else becomes a StrataError with code `INTERNAL`.
 */
export function fromNative(err: unknown, file?: string): StrataError {
  if (err instanceof StrataError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const parsed = parseNativeMessage(message);
  if (!parsed) {
    const where = file === undefined ? '' : ` (file: ${file})`;
    return new StrataError('INTERNAL', `${message}${where}`, { file, cause: err });
  }
  const { cls, problem } = NATIVE_CLASSES[parsed.code];
  return new cls(compose(problem, parsed.text, file), { file, cause: err });
}

/**
 * Maps a Node file-system error (from `fs` or a read stream) about `file` to a StrataError:
 * `ENOENT` → {@link FileNotFoundError}, anything else → code `IO`. `what` names the file's role,
 * e.g. "backup file" or "encryption key file".
 */
export function fromFsError(err: unknown, file: string, what = 'file'): StrataError {
  if (err instanceof StrataError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new FileNotFoundError(`${what} not found: ${file}`, { file, cause: err });
  if (code === 'EISDIR')
    return new StrataError('IO', `${what} is a directory: ${file}`, { file, cause: err });
  const detail = err instanceof Error ? err.message : String(err);
  return new StrataError('IO', `cannot read ${what} ${file}: ${detail}`, { file, cause: err });
}
