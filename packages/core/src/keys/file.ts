/** Encryption keys from key files (`--encryption_key_file`). */
import { readFile } from 'node:fs/promises';
import { BadKeyLengthError, fromFsError } from '../errors.js';

/** Key lengths Dgraph accepts: AES-128, AES-192, AES-256. */
export const VALID_KEY_LENGTHS: readonly number[] = [16, 24, 32];

/** True when `key` has a valid AES key length. */
export function isValidKeyLength(key: Uint8Array): boolean {
  return VALID_KEY_LENGTHS.includes(key.length);
}

/**
 * Reads an encryption key file raw, as Dgraph does: the file's bytes are the key, so a trailing
 * newline counts. Throws {@link BadKeyLengthError} (naming the file, never its size nor its
 * contents) unless it holds 16, 24 or 32 bytes, and FileNotFoundError when it does not exist.
 */
export async function readKeyFile(path: string): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(path);
  } catch (err) {
    throw fromFsError(err, path, 'encryption key file');
  }
  if (!isValidKeyLength(key)) {
    key.fill(0);
    // Neither the size nor the bytes: a restore request may name any file the server can read.
    throw new BadKeyLengthError(
      `encryption key file ${path} does not hold an AES key: it must be exactly 16, 24 or 32 bytes ` +
        `(the file is used raw, so a trailing newline counts)`,
      { file: path },
    );
  }
  return key;
}
