/**
 * Streaming backup decoder: backup file bytes in (optionally AES-CTR encrypted, gzip), and out
 * either the decompressed framed bytes, the decoded KVs, or only statistics.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { readerCompression, type Compression, type ManifestVersion } from '../manifest/model.js';
import { fromNative } from '../native/errors.js';
import {
  loadNative,
  type BackupReader,
  type BackupStats,
  type ReadOutput,
  type ReaderCompression,
  type ReaderMode,
  type ReaderOptions,
} from '../native.js';

export interface BackupDecoderOptions {
  /** AES key (16, 24 or 32 bytes) for an encrypted file. */
  key?: Buffer;
  /**
   * What the readable side emits: `'bytes'` (default) the decompressed framed stream as Buffers,
   * `'kvs'` one DecodedKv object per KV, `'stats'` nothing (see {@link BackupDecoder.stats}).
   */
  mode?: ReaderMode;
  /** The file (or URL) being read, named in error messages. */
  source?: string;
  /** Decompression threads (native default when absent). */
  threads?: number;
  /** Compression of the file; `'auto'` (default) detects it from the magic bytes. */
  compression?: ReaderCompression;
}

const EMPTY = Buffer.alloc(0);

/**
 * A Transform driving the native BackupReader. Its writable side takes the file's bytes in any
 * chunking; its readable side depends on the mode (object mode for `'kvs'`). In `'stats'` mode
 * it emits no data, flows by itself, sets {@link stats} and emits a `'stats'` event before
 * `'finish'`. Failures are typed StrataErrors naming {@link source}.
 */
export class BackupDecoder extends Transform {
  readonly mode: ReaderMode;
  readonly source: string | undefined;
  /** The file's statistics, set at the end in `'stats'` mode. */
  stats: BackupStats | undefined;
  readonly #reader: BackupReader;

  constructor(opts: BackupDecoderOptions = {}) {
    const mode = opts.mode ?? 'bytes';
    super({ writableObjectMode: false, readableObjectMode: mode === 'kvs' });
    this.mode = mode;
    this.source = opts.source;
    const { BackupReader } = loadNative();
    try {
      const readerOpts: ReaderOptions = {
        mode,
        chunks: mode === 'bytes',
        ...(opts.key !== undefined && { key: opts.key }),
        ...(opts.source !== undefined && { source: opts.source }),
        ...(opts.threads !== undefined && { threads: opts.threads }),
        ...(opts.compression !== undefined && { compression: opts.compression }),
      };
      this.#reader = new BackupReader(readerOpts);
    } catch (err) {
      throw fromNative(err, opts.source);
    }
    // Nothing is ever pushed in stats mode: flow so that 'end' comes without a reader.
    if (mode === 'stats') this.resume();
  }

  #emit(out: ReadOutput): void {
    if (out.chunks && this.mode === 'bytes') for (const c of out.chunks) if (c.length > 0) this.push(c);
    if (out.bytes && out.bytes.length > 0 && this.mode === 'bytes') this.push(out.bytes);
    if (out.kvs && this.mode === 'kvs') for (const kv of out.kvs) this.push(kv);
    if (out.stats) this.stats = out.stats;
  }

  /**
   * Runs one native call, then (while the reader says `more`: its output budget was reached) empty
   * pushes, so that each call's output is bounded and emitted before the next one.
   */
  #run(pending: () => Promise<ReadOutput>, callback: TransformCallback, last: boolean): void {
    const step = (call: () => Promise<ReadOutput>): void => {
      let promise: Promise<ReadOutput>;
      try {
        promise = call();
      } catch (err) {
        callback(fromNative(err, this.source));
        return;
      }
      promise.then(
        (out) => {
          try {
            this.#emit(out);
            if (out.more) {
              step(() => this.#reader.push(EMPTY));
              return;
            }
            if (last && this.stats) this.emit('stats', this.stats);
          } catch (err) {
            callback(fromNative(err, this.source));
            return;
          }
          callback();
        },
        (err: unknown) => callback(fromNative(err, this.source)),
      );
    };
    step(pending);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#run(() => this.#reader.push(chunk), callback, false);
  }

  override _flush(callback: TransformCallback): void {
    this.#run(() => this.#reader.finish(), callback, true);
  }
}

/** Creates a {@link BackupDecoder}. Throws a typed error (e.g. BadKeyLengthError) for bad options. */
export function createBackupDecoder(opts: BackupDecoderOptions = {}): BackupDecoder {
  return new BackupDecoder(opts);
}

/**
 * A decoder for one data file of a backup: the compression its manifest implies, and the key and
 * thread count only when given.
 */
export function createFileDecoder(
  m: { compression: Compression; version: ManifestVersion },
  opts: { mode: ReaderMode; source: string; key?: Buffer | undefined; threads?: number | undefined },
): BackupDecoder {
  return new BackupDecoder({
    mode: opts.mode,
    source: opts.source,
    compression: readerCompression(m),
    ...(opts.key !== undefined && { key: opts.key }),
    ...(opts.threads !== undefined && { threads: opts.threads }),
  });
}
