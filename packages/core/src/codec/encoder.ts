/**
 * Streaming backup encoder: framed KV lists (or KV entries) in, Dgraph backup file bytes out
 * (gzip, AES-CTR with the IV first when a key is given), driven by the native BackupWriter.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from '../errors.js';
import { fromNative } from '../native/errors.js';
import { loadNative, type BackupWriter, type KvEntry } from '../native.js';

export interface BackupEncoderOptions {
  /** gzip level (native default when absent). */
  level?: number;
  /** AES key (16, 24 or 32 bytes); the output is encrypted when given. */
  key?: Buffer;
  /** Compression threads (native default when absent). */
  threads?: number;
  /** Uncompressed bytes per parallel gzip block (native default when absent). */
  blockSize?: number;
  /** The file being written, used only to name it in error messages. */
  file?: string;
  /**
   * Any bytes (Buffers of text, e.g. an export) instead of framed KV lists: the same gzip (and
   * AES-CTR) file, without the frame check.
   */
  raw?: boolean;
}

/** A chunk the encoder accepts: already framed bytes, or a batch of KV entries. */
export type BackupEncoderInput = Buffer | Uint8Array | KvEntry[];

/**
 * A Transform whose writable side takes objects (Buffers of framed bytes — `u64` LE length +
 * KVList, in any chunking — or arrays of {@link KvEntry}) and whose readable side emits the
 * bytes of the backup file. Each native call is awaited before the next chunk is accepted, and
 * Transform's own buffering holds the input back while the reader is slow.
 */
export class BackupEncoder extends Transform {
  readonly file: string | undefined;
  readonly #writer: BackupWriter;
  #finished = false;

  constructor(opts: BackupEncoderOptions = {}) {
    super({ writableObjectMode: true, readableObjectMode: false });
    this.file = opts.file;
    const { BackupWriter } = loadNative();
    try {
      this.#writer = new BackupWriter({
        ...(opts.level !== undefined && { level: opts.level }),
        ...(opts.key !== undefined && { key: opts.key }),
        ...(opts.threads !== undefined && { threads: opts.threads }),
        ...(opts.blockSize !== undefined && { blockSize: opts.blockSize }),
        ...(opts.raw !== undefined && { raw: opts.raw }),
      });
    } catch (err) {
      throw fromNative(err, opts.file);
    }
  }

  /** Uncompressed bytes taken in so far. */
  get bytesIn(): number {
    return this.#writer.bytesIn;
  }

  /** Bytes of backup file produced so far (all of them once the stream has ended). */
  get bytesOut(): number {
    return this.#writer.bytesOut;
  }

  /** True once `finish()` has run and every byte has been pushed. */
  get finished(): boolean {
    return this.#finished;
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    let pending: Promise<Buffer>;
    try {
      if (Buffer.isBuffer(chunk)) {
        pending = this.#writer.writeFramed(chunk);
      } else if (chunk instanceof Uint8Array) {
        pending = this.#writer.writeFramed(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } else if (Array.isArray(chunk)) {
        pending = this.#writer.writeKvs(chunk as KvEntry[]);
      } else {
        callback(
          new InvalidArgumentError(
            `backup encoder takes Buffers of framed bytes or arrays of KV entries, got ${typeof chunk}`,
            { file: this.file },
          ),
        );
        return;
      }
    } catch (err) {
      callback(fromNative(err, this.file));
      return;
    }
    pending.then(
      (out) => {
        if (out.length > 0) this.push(out);
        callback();
      },
      (err: unknown) => callback(fromNative(err, this.file)),
    );
  }

  override _flush(callback: TransformCallback): void {
    let pending: Promise<Buffer>;
    try {
      pending = this.#writer.finish();
    } catch (err) {
      callback(fromNative(err, this.file));
      return;
    }
    pending.then(
      (out) => {
        if (out.length > 0) this.push(out);
        this.#finished = true;
        callback();
      },
      (err: unknown) => callback(fromNative(err, this.file)),
    );
  }
}

/** Creates a {@link BackupEncoder}. Throws a typed error (e.g. BadKeyLengthError) for bad options. */
export function createBackupEncoder(opts: BackupEncoderOptions = {}): BackupEncoder {
  return new BackupEncoder(opts);
}
