/** One group's backup file as a Node stream over the native BackupStream. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Destination } from '../destinations/types.js';
import { fromNative } from '../native/errors.js';
import type { BackupOptions, BackupSummary, PostingStore } from '../native.js';

export interface GroupFileResult {
  summary: BackupSummary;
  /** sha256 of the file's bytes (lowercase hex). */
  sha256: string;
  bytes: number;
}

export interface GroupFileStream {
  /** The file's bytes. Pull-driven: the native writer produces the next chunk when it is read. */
  stream: Readable;
  /** Resolves once the stream has ended (the summary and checksum); rejects on error or abort. */
  result: Promise<GroupFileResult>;
}

/**
 * Starts `store.backup(opts)` and exposes the file as a Readable: each `_read` awaits one
 * `next()` (backpressure: nothing is produced ahead of the consumer but the native in-flight
 * blocks); a destroyed stream or a failed consumer aborts the native backup. The sha256 is computed
 * while streaming.
 */
export function backupGroupFile(store: PostingStore, opts: BackupOptions): GroupFileStream {
  let native;
  try {
    native = store.backup(opts);
  } catch (err) {
    throw fromNative(err);
  }
  const bs = native;
  const hash = createHash('sha256');
  let bytes = 0;
  let finished = false;
  let resolve!: (r: GroupFileResult) => void;
  let reject!: (e: Error) => void;
  const result = new Promise<GroupFileResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  result.catch(() => undefined); // observed through the stream too
  const stream = new Readable({
    highWaterMark: 1,
    read() {
      bs.next().then(
        (chunk) => {
          if (chunk === null) {
            finished = true;
            try {
              resolve({ summary: bs.summary(), sha256: hash.digest('hex'), bytes });
            } catch (err) {
              const e = fromNative(err);
              reject(e);
              this.destroy(e);
              return;
            }
            this.push(null);
            return;
          }
          hash.update(chunk);
          bytes += chunk.length;
          this.push(chunk);
        },
        (err: unknown) => {
          const e = fromNative(err);
          reject(e);
          this.destroy(e);
        },
      );
    },
    destroy(err, cb) {
      if (!finished) {
        bs.abort();
        reject(err ?? new Error('backup stream closed before its end'));
      }
      cb(err);
    },
  });
  return { stream, result };
}

export interface WriteGroupFileOptions extends BackupOptions {
  /** Path of the data file, relative to the location. */
  path: string;
}

/**
 * Streams one group's backup into `dest.write(path)` (atomic: nothing is left on failure) and
 * returns the summary with the file's sha256 and size.
 */
export async function writeGroupFile(
  store: PostingStore,
  dest: Destination,
  opts: WriteGroupFileOptions,
): Promise<GroupFileResult> {
  const { path, ...backupOpts } = opts;
  const { stream, result } = backupGroupFile(store, backupOpts);
  stream.on('error', () => undefined); // reported by dest.write / result
  try {
    await dest.write(path, stream);
  } catch (err) {
    stream.destroy();
    throw err;
  }
  return result;
}
