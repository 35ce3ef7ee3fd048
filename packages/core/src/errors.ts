/**
 * Typed errors for everything Strata's core reports (their codes and meanings: ./error-codes.ts;
 * the native addon's `CODE: text` errors are mapped to them by ./native/errors.ts).
 * No message built here ever contains key bytes.
 */
import type { StrataErrorCode } from './error-codes.js';

export type { StrataErrorCode } from './error-codes.js';

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

/** A subclass of {@link StrataError} that always carries `code` (its name is `name`). */
function codedError<C extends StrataErrorCode>(code: C, name: string) {
  const cls = class extends StrataError {
    declare readonly code: C;
    constructor(message: string, options?: StrataErrorOptions) {
      super(code, message, options);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

/** The encryption key does not decrypt the file (or a key was given for a plain file). */
export const WrongKeyError = codedError('WRONG_KEY', 'WrongKeyError');
export type WrongKeyError = InstanceType<typeof WrongKeyError>;

/** The file is encrypted and no key was given. */
export const EncryptedNoKeyError = codedError('ENCRYPTED_NO_KEY', 'EncryptedNoKeyError');
export type EncryptedNoKeyError = InstanceType<typeof EncryptedNoKeyError>;

/** An encryption key is not 16, 24 or 32 bytes long. */
export const BadKeyLengthError = codedError('BAD_KEY_LENGTH', 'BadKeyLengthError');
export type BadKeyLengthError = InstanceType<typeof BadKeyLengthError>;

/** The backup file ends in the middle of a gzip member or a frame. */
export const TruncatedBackupError = codedError('TRUNCATED', 'TruncatedBackupError');
export type TruncatedBackupError = InstanceType<typeof TruncatedBackupError>;

/** The backup file's bytes are damaged (bad gzip data, checksum, frame or protobuf). */
export const CorruptBackupError = codedError('CORRUPT', 'CorruptBackupError');
export type CorruptBackupError = InstanceType<typeof CorruptBackupError>;

/** A backup file's bytes do not match the sha256 its manifest records (a CORRUPT error). */
export class ChecksumMismatchError extends CorruptBackupError {}

/** A length in the backup file is over a decoder limit (a damaged or hostile file). */
export const TooLargeError = codedError('TOO_LARGE', 'TooLargeError');
export type TooLargeError = InstanceType<typeof TooLargeError>;

/** The backup file holds no bytes at all. */
export const EmptyBackupError = codedError('EMPTY', 'EmptyBackupError');
export type EmptyBackupError = InstanceType<typeof EmptyBackupError>;

/** The file uses a compression Strata does not read. */
export const UnsupportedCompressionError = codedError(
  'UNSUPPORTED_COMPRESSION',
  'UnsupportedCompressionError',
);
export type UnsupportedCompressionError = InstanceType<typeof UnsupportedCompressionError>;

/** A caller passed an option or value that is not valid. */
export const InvalidArgumentError = codedError('INVALID_ARGUMENT', 'InvalidArgumentError');
export type InvalidArgumentError = InstanceType<typeof InvalidArgumentError>;

/** A file (backup, key file) does not exist. */
export const FileNotFoundError = codedError('NOT_FOUND', 'FileNotFoundError');
export type FileNotFoundError = InstanceType<typeof FileNotFoundError>;

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
export const SeriesError = codedError('INVALID_SERIES', 'SeriesError');
export type SeriesError = InstanceType<typeof SeriesError>;

/** A feature (e.g. an `s3://` location) that this Strata does not support yet. */
export const NotSupportedError = codedError('NOT_SUPPORTED', 'NotSupportedError');
export type NotSupportedError = InstanceType<typeof NotSupportedError>;

/**
 * A posting store (`p<N>` folder) cannot be created or read. `reason` is the native code:
 * `STORE_NOT_EMPTY` (a restore target that is not empty), `STORE_NOT_FOUND`, `STORE_INCOMPATIBLE`
 * (newer store format or another group), `STORE_INCOMPLETE` (an unfinished restore),
 * `STORE_KEYS_OUT_OF_ORDER` (a chain merged as sorted is not) or `IO`.
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
