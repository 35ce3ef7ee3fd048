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

/** Decrypts and decompresses the head of one file: throws WrongKeyError naming it when that fails. */
async function probeFile(dest: Destination, m: BackupManifest, rel: string, key: Buffer): Promise<void> {
  const bytes = await head(dest, rel, PROBE_BYTES);
  const reader = new (loadNative().BackupReader)({
    key,
    mode: 'stats',
    compression: m.compression === 'snappy' ? 'auto' : 'gzip',
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
      throw new WrongKeyError(`wrong key or not an encrypted backup: ${rel} (${e.message})`, {
        cause: err,
        file: rel,
      });
    }
    throw e;
  }
}

/**
 * Throws unless the key fits every encrypted file of the chain: an encrypted chain needs a key
 * (EncryptedNoKeyError). Each backup whose manifest carries `key_fingerprint` (Strata's) has it
 * compared with the key's, naming the backup's files; each file of a backup without one
 * (Dgraph's) has its head decrypted and decompressed ("wrong key or not an encrypted backup").
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
  for (const m of enc) {
    const groups = [...m.groups.keys()].sort((a, b) => a - b);
    if (m.keyFingerprint !== undefined) {
      if (!keyMatchesFingerprint(key, m.keyFingerprint)) {
        const file = groups.length > 0 ? dataFilePath(m, groups[0]!) : m.path;
        throw new WrongKeyError(
          `wrong key for backup ${m.backupId} #${m.backupNum} (${groups.map((g) => dataFilePath(m, g)).join(', ')}): ` +
            `the key's fingerprint does not match the manifest's key_fingerprint (${m.keyFingerprint})`,
          { file },
        );
      }
      continue;
    }
    for (const g of groups) await probeFile(dest, m, dataFilePath(m, g), key);
  }
}
