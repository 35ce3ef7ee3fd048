/** One internal model for every manifest layout Dgraph (and Strata) has written. */

/** `0`: v20.07/v20.11 (bare names); `2103`: v21.03 (8-byte namespace prefix); `2105`: current (`<hexns>-<name>`). */
export type ManifestVersion = 0 | 2103 | 2105;

/** How the data files are compressed: gzip (v20.x), snappy framing (v21.03+; S2 framing from v25). */
export type Compression = 'gzip' | 'snappy';

/**
 * The native reader's compression for a backup's data files. Manifests of version 2103 and older
 * that say "snappy" were written by Dgraph v21.03–v24 with golang/snappy framing: read strictly,
 * so an S2 stream there is an error. Current Dgraph (version 2105) writes S2 under the same
 * "snappy" label from v25 on (spec §5.3.1): accept both framings.
 */
export function readerCompression(m: {
  compression: Compression;
  version: ManifestVersion;
}): 'gzip' | 'snappy' | 's2' {
  if (m.compression === 'gzip') return 'gzip';
  return m.version >= 2105 ? 's2' : 'snappy';
}

/** A predicate name with its namespace (0 for backups older than v21.03). */
export interface PredicateName {
  namespace: bigint;
  name: string;
}

/**
 * A drop recorded in a manifest (`drop_operations`): it happened since the previous backup.
 * `value` is the raw `drop_value` of the file, when it had one.
 */
export type DropOperation =
  | { op: 'ALL'; value?: string }
  /** `namespace` absent: every namespace (v20.x / 2103, or an empty value). */
  | { op: 'DATA'; namespace?: bigint; value?: string }
  | { op: 'ATTR'; namespace: bigint; attr: string; value?: string }
  | { op: 'NS'; namespace: bigint; value?: string };

export type DropOpName = DropOperation['op'];

/** One backup (one manifest entry) of a location. */
export interface BackupManifest {
  /** The folder holding the data files, relative to the location (e.g. `dgraph.20210517.094442.220`). */
  path: string;
  type: 'full' | 'incremental';
  /** Read timestamp: `since` in v20.x manifests; `read_ts` (falling back to `since` when 0) from v21.03 on. */
  readTs: bigint;
  /**
   * The read timestamp of the previous backup of the series (0 for a full backup) when the
   * location holds it; otherwise what the manifest's `since` field says.
   */
  since: bigint;
  backupId: string;
  backupNum: number;
  encrypted: boolean;
  compression: Compression;
  version: ManifestVersion;
  /** Group id → the predicates the group held when the backup was taken (possibly none). */
  groups: Map<number, PredicateName[]>;
  dropOperations: DropOperation[];
  /** Strata's own manifests: data file name (relative to `path`) → sha256 in lowercase hex. */
  checksums?: Record<string, string>;
  /** Strata's own manifests: the Strata version that wrote the backup. */
  strataVersion?: string;
  /** Strata's own manifests: fingerprint of the encryption key (never the key). */
  keyFingerprint?: string;
  /**
   * Strata's own manifests: the data files list their keys in the posting store's key order, so
   * that a restore can merge a chain's files as it reads them (checked as they are read).
   */
  storeKeyOrder?: boolean;
  /** Where the entry came from: a per-folder `manifest.json` (v20.x) or the master manifest. */
  source: 'per-folder' | 'master';
  /** The manifest file, relative to the location. */
  manifestFile: string;
}

/** Name of the data file of `group` (relative to the backup's folder): `r<readTs>-g<group>.backup`. */
export function dataFileName(m: Pick<BackupManifest, 'readTs'>, group: number): string {
  return `r${m.readTs}-g${group}.backup`;
}

/** Path of the data file of `group`, relative to the location. */
export function dataFilePath(m: Pick<BackupManifest, 'readTs' | 'path'>, group: number): string {
  const name = dataFileName(m, group);
  return m.path === '' ? name : `${m.path}/${name}`;
}

/** A predicate name for display: bare in namespace 0, `<hexns>-<name>` (the 2105 form) otherwise. */
export function displayName(p: PredicateName): string {
  return p.namespace === 0n ? p.name : `${p.namespace.toString(16)}-${p.name}`;
}

/**
 * The Dgraph layout a manifest entry names, for listings: `v20.11` (version 0: bare names, gzip),
 * `v21.03` (2103: 8-byte namespace prefixes), `v21.12+` (2105: `<hexns>-<name>`, written by
 * Dgraph v21.12 to v25 and by Strata's `v24`/`v25` formats; snappy framing up to v24, S2 from v25).
 */
export function layoutLabel(m: { version: ManifestVersion }): string {
  return m.version === 0 ? 'v20.11' : m.version === 2103 ? 'v21.03' : 'v21.12+';
}
