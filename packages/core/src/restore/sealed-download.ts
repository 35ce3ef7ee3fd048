/**
 * A remote restore into a cluster encrypted at rest streams each backup file to the temp folder
 * before the native reader loads it. A backup written without encryption would sit there as
 * readable gzip: so its copy is encrypted as it arrives, with a key made for this restore and
 * held only in memory, in the layout of an encrypted backup file (a random 16-byte IV, then
 * AES-256-CTR from it). The native reader then reads the copy as an encrypted backup with that
 * key; after a crash the copy is ciphertext whose key is gone. Files of encrypted backups are
 * already ciphertext and are copied as they are.
 */
import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';

/** A key for this restore's copies (32 bytes: AES-256). Zero it when the restore ends. */
export function downloadKey(): Buffer {
  return randomBytes(32);
}

/** The encryption of one copy: write `iv` first, then each chunk through `cipher.update`. */
export interface DownloadCipher {
  iv: Buffer;
  cipher: Cipher;
}

/** A new IV and AES-256-CTR stream for one copy. */
export function downloadCipher(key: Buffer): DownloadCipher {
  const iv = randomBytes(16);
  return { iv, cipher: createCipheriv('aes-256-ctr', key, iv) };
}
