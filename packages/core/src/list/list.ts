/** `listBackups`: the backups of a location, shaped like Dgraph's `listBackups` GraphQL query. */
import type { Destination, DestinationOptions } from '../destinations/types.js';
import { toDestination } from '../destinations/open.js';
import {
  displayName,
  type BackupManifest,
  type Compression,
  type ManifestVersion,
} from '../manifest/model.js';
import { readManifests } from '../manifest/read.js';

export interface LocationOptions extends DestinationOptions {
  /** A folder path, a `file://`, `s3://` or `minio://` URL, or an open Destination. */
  location: string | Destination;
  /** Called with each warning (e.g. a master manifest entry whose folder is gone). */
  onWarning?: (message: string) => void;
}

export interface BackupGroupListing {
  groupId: number;
  /** Predicate names: bare in namespace 0, `<hexns>-<name>` in another namespace. */
  predicates: string[];
}

export interface BackupListing {
  backupId: string;
  backupNum: number;
  encrypted: boolean;
  groups: BackupGroupListing[];
  /** Folder of the backup, relative to the location. */
  path: string;
  since: bigint;
  readTs: bigint;
  type: 'full' | 'incremental';
  version: ManifestVersion;
  compression: Compression;
  /** Start time from the folder name `dgraph.YYYYMMDD.HHMMSS.mmm` (UTC), ISO 8601; null if the name has none. */
  time: string | null;
}

const FOLDER_TIME = /(?:^|\/)dgraph\.(\d{4})(\d{2})(\d{2})\.(\d{2})(\d{2})(\d{2})\.(\d{3})$/;

/** The UTC time in a backup folder name (`dgraph.20210517.094442.220`) as ISO 8601, or null. */
export function backupFolderTime(path: string): string | null {
  const m = FOLDER_TIME.exec(path);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) || d.toISOString() !== iso ? null : iso;
}

/** A manifest as a listing entry. */
export function toListing(m: BackupManifest): BackupListing {
  return {
    backupId: m.backupId,
    backupNum: m.backupNum,
    encrypted: m.encrypted,
    groups: [...m.groups].map(([groupId, preds]) => ({ groupId, predicates: preds.map(displayName) })),
    path: m.path,
    since: m.since,
    readTs: m.readTs,
    type: m.type,
    version: m.version,
    compression: m.compression,
    time: backupFolderTime(m.path),
  };
}

/**
 * Every backup at the location, oldest first (by the time in the folder name; backups whose
 * folder name holds no time keep their manifest order, after the others).
 */
export async function listBackups(opts: LocationOptions): Promise<BackupListing[]> {
  const { location, onWarning, ...credentials } = opts;
  const dest = toDestination(location, credentials);
  const set = await readManifests(dest);
  for (const w of set.warnings) onWarning?.(w);
  return set.manifests
    .map((m, i) => ({ l: toListing(m), i }))
    .sort((a, b) => {
      const ta = a.l.time ?? '\uffff';
      const tb = b.l.time ?? '\uffff';
      return ta < tb ? -1 : ta > tb ? 1 : a.i - b.i;
    })
    .map((x) => x.l);
}
