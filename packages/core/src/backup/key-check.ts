/** Checks, before a restore changes anything, that a key opens an encrypted chain. */
import { EncryptedNoKeyError, StrataError, WrongKeyError } from '../errors.js';
import { fromNative } from '../native/errors.js';
import type { Destination } from '../destinations/types.js';
import { dataFilePath, type BackupManifest } from '../manifest/model.js';
import { loadNative } from '../native.js';
import { keyMatchesFingerprint } from './fingerprint.js';

const PROBE_BYTES = 256 * 1024;

async function head(dest: Destination, rel: string, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  const s = dest.read(rel);
  try {
    for await (const c of s as AsyncIterable<Buffer>) {
      parts.push(c);
      n += c.length;
      if (n >= max) break;
    }
  } finally {
    s.destroy();
  }
  return Buffer.concat(parts);
}

/**
 * Throws unless the key fits the chain: an encrypted chain needs a key (EncryptedNoKeyError);
 * Strata's manifests carry `key_fingerprint`, compared with the key's; otherwise the first data
 * file's head is decrypted and decompressed ("wrong key or not an encrypted backup").
 */
export async function checkRestoreKey(
  dest: Destination,
  backups: readonly BackupManifest[],
  key: Buffer | undefined,
): Promise<void> {
  const enc = backups.filter((b) => b.encrypted);
  if (enc.length === 0) return;
  const first = enc[0]!;
  if (key === undefined) {
    throw new EncryptedNoKeyError(
      `backup series ${first.backupId} is encrypted and no encryption key was given`,
    );
  }
  const withFp = enc.find((b) => b.keyFingerprint !== undefined);
  if (withFp) {
    if (!keyMatchesFingerprint(key, withFp.keyFingerprint!)) {
      throw new WrongKeyError(
        `wrong key for backup series ${withFp.backupId}: the key's fingerprint does not match the manifest's ` +
          `key_fingerprint (${withFp.keyFingerprint})`,
      );
    }
    return;
  }
  const group = [...first.groups.keys()].sort((a, b) => a - b)[0];
  if (group === undefined) return;
  const rel = dataFilePath(first, group);
  const bytes = await head(dest, rel, PROBE_BYTES);
  const reader = new (loadNative().BackupReader)({
    key,
    mode: 'stats',
    compression: first.compression === 'snappy' ? 'auto' : 'gzip',
    source: rel,
  });
  try {
    await reader.push(bytes);
  } catch (err) {
    const e = fromNative(err, rel);
    if (e.code === 'TRUNCATED') return;
    if (
      e instanceof StrataError &&
      ['WRONG_KEY', 'CORRUPT', 'UNSUPPORTED_COMPRESSION', 'EMPTY'].includes(e.code)
    ) {
      throw new WrongKeyError(`wrong key or not an encrypted backup: ${rel} (${e.message})`, { cause: err });
    }
    throw e;
  }
}
