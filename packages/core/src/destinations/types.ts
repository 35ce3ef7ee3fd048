/** The storage a backup location lives on: a local folder today, S3 / MinIO later. */
import type { Readable } from 'node:stream';

/** Credentials for remote locations. Never printed, never part of {@link Destination.describe}. */
export interface DestinationCredentials {
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** Send unsigned requests (public buckets). */
  anonymous?: boolean;
}

/**
 * A backup location. Paths are relative to the location, use `/` as separator and may not leave
 * it (`..` segments and absolute paths are rejected).
 */
export interface Destination {
  /**
   * Every file whose relative path starts with `prefix` (a plain string prefix, as on S3; `''` for
   * all files), recursively, in sorted order. Throws FileNotFoundError when the location itself
   * does not exist.
   */
  list(prefix?: string): AsyncIterable<string>;
  /** A stream of the file's bytes; a missing file fails the stream with FileNotFoundError. */
  read(path: string): Readable;
  /** The whole file. FileNotFoundError when it does not exist. */
  readFile(path: string): Promise<Buffer>;
  /**
   * Writes the file atomically: the bytes go to a temporary name, are flushed (fsync) and renamed
   * over `path` only when everything was written. A failed write leaves no partial file.
   */
  write(path: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void>;
  /** True when a file, or a folder (a prefix holding files, on object stores), exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** Deletes a file; deleting a file that does not exist is not an error. */
  delete(path: string): Promise<void>;
  /** A human-readable name of the location (a path or URL), never with credentials. */
  describe(): string;
}
