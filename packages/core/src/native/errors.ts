/**
 * The native addon reports failures as plain JS `Error`s whose message is `CODE: text`;
 * {@link fromNative} turns them into the matching {@link StrataError} subclass, naming the file
 * involved. No message built here ever contains key bytes.
 */
import { NATIVE_ERROR_CODES, type NativeErrorCode } from '../error-codes.js';
import {
  BadKeyLengthError,
  CorruptBackupError,
  EmptyBackupError,
  EncryptedNoKeyError,
  InvalidArgumentError,
  TooLargeError,
  StrataError,
  TruncatedBackupError,
  UnsupportedCompressionError,
  WrongKeyError,
  type StrataErrorOptions,
} from '../errors.js';

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
  TOO_LARGE: {
    cls: TooLargeError,
    problem: 'the backup file is damaged or hostile (a length in it is over a decoder limit)',
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
