/**
 * A small file sealed whole under a data key (encryption at rest for what is not a posting store:
 * Zero's state). AES-256-GCM: `SEAL1` magic, a random 12-byte IV, the ciphertext, the 16-byte tag;
 * `aad` names what the file is, so one sealed file cannot stand in for another kind.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StrataError } from '../errors.js';

const MAGIC = Buffer.from('SEAL1');
const IV = 12;
const TAG = 16;

export function sealBlob(dataKey: Uint8Array, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', dataKey, iv).setAAD(Buffer.from(aad));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([MAGIC, iv, body, c.getAuthTag()]);
}

/** The plaintext of `sealed` (read from `file`); a changed or foreign file fails with an error naming it. */
export function openBlob(dataKey: Uint8Array, sealed: Buffer, aad: string, file: string): Buffer {
  const bad = (why: string) => new StrataError('STORE', `${file} cannot be opened: ${why}`, { file });
  if (sealed.length < MAGIC.length + IV + TAG || !sealed.subarray(0, MAGIC.length).equals(MAGIC))
    throw bad('it is not a sealed file');
  const iv = sealed.subarray(MAGIC.length, MAGIC.length + IV);
  const d = createDecipheriv('aes-256-gcm', dataKey, iv).setAAD(Buffer.from(aad));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(MAGIC.length + IV, sealed.length - TAG)), d.final()]);
  } catch {
    throw bad('it fails its authentication tag (changed on disk, or sealed under another key)');
  }
}
