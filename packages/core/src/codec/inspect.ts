/** Statistics of one backup file, read as a stream. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { fromFsError, StrataError } from '../errors.js';
import type { BackupStats } from '../native.js';
import { createBackupDecoder } from './decoder.js';

export interface InspectOptions {
  /** AES key for an encrypted file. */
  key?: Buffer;
  /** Decompression threads (native default when absent). */
  threads?: number;
}

export interface BackupFileStats extends BackupStats {
  /** The path that was read. */
  file: string;
  /** Size of the file on disk (compressed, encrypted bytes). */
  bytes: number;
}

const CHUNK = 1024 * 1024;

/**
 * Reads a whole backup file (1 MiB chunks) through a stats-mode decoder: per predicate and key
 * type, the number of keys, uids and postings, plus frame/KV/byte totals.
 */
export async function inspectBackupFile(path: string, opts: InspectOptions = {}): Promise<BackupFileStats> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw fromFsError(err, path, 'backup file');
  }
  const decoder = createBackupDecoder({
    mode: 'stats',
    source: path,
    ...(opts.key !== undefined && { key: opts.key }),
    ...(opts.threads !== undefined && { threads: opts.threads }),
  });
  const input = createReadStream(path, { highWaterMark: CHUNK });
  try {
    await pipeline(input, decoder);
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw fromFsError(err, path, 'backup file');
  }
  if (!decoder.stats) {
    throw new StrataError('INTERNAL', `the native reader returned no statistics for ${path}`, { file: path });
  }
  return { ...decoder.stats, file: path, bytes: size };
}
