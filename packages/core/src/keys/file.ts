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
 * newline counts. Throws {@link BadKeyLengthError} (naming the file and its size, never the key)
 * unless it holds 16, 24 or 32 bytes, and FileNotFoundError when it does not exist.
 */
export async function readKeyFile(path: string): Promise<Buffer> {
  let key: Buffer;
  try {
    key = await readFile(path);
  } catch (err) {
    throw fromFsError(err, path, 'encryption key file');
  }
  if (!isValidKeyLength(key)) {
    const size = key.length;
    key.fill(0);
    throw new BadKeyLengthError(
      `encryption key file ${path} holds ${size} byte${size === 1 ? '' : 's'}; an AES key must be ` +
        `exactly 16, 24 or 32 bytes (the file is used raw, so a trailing newline counts)`,
      { file: path },
    );
  }
  return key;
}
