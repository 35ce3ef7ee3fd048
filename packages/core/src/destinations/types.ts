/** The storage a backup location lives on: a local folder, an S3 bucket or a MinIO bucket. */
import type { Readable } from 'node:stream';

/** Credentials for remote locations. Never printed, never part of {@link Destination.describe}. */
export interface DestinationCredentials {
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** Send unsigned requests (public buckets). */
  anonymous?: boolean;
}

/** Tuning of remote locations, beside the credentials (all optional). */
export interface DestinationOptions extends DestinationCredentials {
  /** Bytes per multipart part (S3 and MinIO; default 8 MiB, at least 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once (S3; default 4). Memory is about partSize × (queueSize + 1). */
  queueSize?: number;
  /**
   * The environment credentials are read from (default `process.env`); tests pass their own.
   */
  env?: Record<string, string | undefined>;
  /**
   * The AWS default provider chain used when neither explicit nor environment credentials are
   * given (S3 only). Default: `fromNodeProviderChain()` of `@aws-sdk/credential-providers`.
   */
  defaultProviderChain?: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string | undefined;
    $source?: Record<string, unknown>;
  }>;
}

/** Where the credentials of a remote location came from (never their values). */
export interface CredentialInfo {
  /** e.g. `explicit (accessKey/secretKey)`, `environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)`. */
  source: string;
  /** Requests are sent unsigned. */
  anonymous: boolean;
  /** A session token is part of the credentials. */
  sessionToken: boolean;
}

/** A file's bytes and the opaque version {@link Destination.putIfUnchanged} compares against. */
export interface VersionedFile {
  data: Buffer;
  /** The object's ETag (S3, MinIO) or the sha256 of the bytes (local). */
  version: string;
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
   * over `path` only when everything was written (local); on S3 / MinIO the object appears only
   * when the upload completes and a failed multipart upload is aborted. A failed write leaves no
   * partial file.
   */
  write(path: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void>;
  /** The whole file and its version; undefined when it does not exist. */
  readVersioned(path: string): Promise<VersionedFile | undefined>;
  /**
   * Compare-and-swap of a small file: writes `data` only if the file is still at `version` (as
   * {@link readVersioned} returned it), or, with `version` null, only if it does not exist. True
   * when written; false when another writer changed (or created) it first, in which case nothing
   * was written. Local: a lock file taken with link() and a version check, then write-temp +
   * rename (./local-cas.ts); S3 and MinIO: a conditional PUT (If-Match / If-None-Match: *).
   */
  putIfUnchanged(path: string, data: Uint8Array, version: string | null): Promise<boolean>;
  /** True when a file, or a folder (a prefix holding files, on object stores), exists at `path`. */
  exists(path: string): Promise<boolean>;
  /**
   * The size in bytes of the file at `path`, undefined when there is no such file. Optional: a
   * Destination without it gives no sizes (progress then has no total).
   */
  size?(path: string): Promise<number | undefined>;
  /** Deletes a file; deleting a file that does not exist is not an error. */
  delete(path: string): Promise<void>;
  /**
   * Removes the folder at `path` if it is empty (local locations; object stores have no folders,
   * so they do not have it). A folder that is not empty, or not there, is left without error.
   */
  removeEmptyFolder?(path: string): Promise<void>;
  /**
   * Object stores (S3, MinIO): aborts the incomplete multipart uploads whose key starts with
   * `prefix` (relative, as {@link list}): the uploads a writer killed mid-way leaves behind, whose
   * parts the store keeps (and bills) until aborted. Some stores (MinIO) list incomplete uploads
   * only of an exact key, not of a prefix: `paths` names the files that may have one (they are
   * looked up one by one as well). Returns how many were aborted. Local locations do not have it
   * (their partial files are plain files, which {@link list} shows).
   */
  abortIncompleteUploads?(prefix: string, paths?: readonly string[]): Promise<number>;
  /** A human-readable name of the location (a path or URL), never with credentials. */
  describe(): string;
  /**
   * Remote locations: resolves the credentials (explicit, environment, provider chain) and says
   * which source won. Local locations do not have it.
   */
  resolveCredentials?(): Promise<CredentialInfo>;
}
