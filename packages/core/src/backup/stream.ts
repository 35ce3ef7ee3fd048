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
  /** Where the time went, in seconds (see {@link GroupFileTimings}). */
  timings: GroupFileTimings;
}

/**
 * The phases of one group file. Encoding and writing overlap (the file is streamed), so `encode` is
 * the time the stream waited for the native encoder and `upload` the rest of the write's time,
 * spent waiting for the destination.
 */
export interface GroupFileTimings {
  /** Opening the store's read view at the backup's read ts. */
  snapshot: number;
  /** Waiting for the native encoder's chunks. */
  encode: number;
  /** The rest of the write (0 for a bare stream that nobody wrote). */
  upload: number;
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
export function backupGroupFile(
  store: PostingStore,
  opts: BackupOptions,
  /** Told the file's bytes so far after each chunk (progress). */
  onBytes?: (bytes: number) => void,
): GroupFileStream {
  let native;
  const opened = performance.now();
  try {
    native = store.backup(opts);
  } catch (err) {
    throw fromNative(err);
  }
  const timings: GroupFileTimings = { snapshot: (performance.now() - opened) / 1000, encode: 0, upload: 0 };
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
      const asked = performance.now();
      bs.next().then(
        (chunk) => {
          timings.encode += (performance.now() - asked) / 1000;
          if (chunk === null) {
            finished = true;
            try {
              resolve({ summary: bs.summary(), sha256: hash.digest('hex'), bytes, timings });
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
          onBytes?.(bytes);
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
  /** Told the bytes written so far after each chunk (progress). */
  onBytes?: ((bytes: number) => void) | undefined;
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
  const { path, onBytes, ...backupOpts } = opts;
  const { stream, result } = backupGroupFile(store, backupOpts, onBytes);
  stream.on('error', () => undefined); // reported by dest.write / result
  const started = performance.now();
  try {
    await dest.write(path, stream);
  } catch (err) {
    stream.destroy();
    throw err;
  }
  const r = await result;
  const wall = (performance.now() - started) / 1000;
  return { ...r, timings: { ...r.timings, upload: Math.max(0, wall - r.timings.encode) } };
}
