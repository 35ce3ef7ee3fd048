/** Where the next backup of a location goes: full or incremental, series id and number (spec §9.2, §11). */
import { FileNotFoundError, InvalidArgumentError, SeriesError, StrataError } from '../errors.js';
import type { Destination } from '../destinations/types.js';
import type { BackupManifest, Compression } from '../manifest/model.js';
import { readManifests, type ManifestSet } from '../manifest/read.js';
import { MANIFEST_LAYOUTS, type ManifestLayout } from '../manifest/serialize.js';
import { backupFolderName, newBackupId } from './names.js';

export interface PlanBackupOptions {
  /** Start a new series even when the location holds one. */
  forceFull?: boolean | undefined;
  /** Whether this backup is encrypted (the cluster has a key). */
  encrypted: boolean;
  /** Fingerprint of the key (our manifests record it): an incremental must use the series' key. */
  keyFingerprint?: string | undefined;
  /** Manifest layout; default: `v21.03` when the location has a master manifest, else `v20.11`. */
  format?: ManifestLayout | undefined;
  /** The backup's read timestamp. */
  readTs: bigint;
  /** The location's manifests, when the caller has read them already ({@link readLocation}). */
  existing?: ManifestSet | undefined;
  /** Start time (folder name); default now. */
  startedAt?: Date | undefined;
}

export interface BackupPlan {
  type: 'full' | 'incremental';
  backupId: string;
  backupNum: number;
  /** 0 for a full backup; the previous backup's readTs for an incremental. */
  since: bigint;
  readTs: bigint;
  encrypted: boolean;
  format: ManifestLayout;
  /** Data files' compression (gzip for v20.11, snappy for v21.03). */
  compression: Compression;
  /** The backup's folder, relative to the location (`dgraph.YYYYMMDD.HHMMSS.mmm`). */
  folder: string;
  /** The latest backup of the location, when there is one. */
  previous?: BackupManifest | undefined;
  /** What the location held before. */
  existing: ManifestSet;
}

/** The location's manifests; a location that does not exist yet holds none. */
export async function readLocation(dest: Destination): Promise<ManifestSet> {
  try {
    return await readManifests(dest);
  } catch (err) {
    if (err instanceof FileNotFoundError || (err instanceof StrataError && err.code === 'NOT_FOUND'))
      return { layout: 'none', manifests: [], warnings: [] };
    throw err;
  }
}

/** Path of a backup's data file of `group`: `<folder>/r<readTs>-g<group>.backup`. */
export function backupFilePath(plan: Pick<BackupPlan, 'folder' | 'readTs'>, group: number): string {
  return `${plan.folder}/r${plan.readTs}-g${group}.backup`;
}

/**
 * The layout of a backup when none is asked for: what the location's latest backup has (a
 * version 2105 entry continues as v24, which Dgraph v24 and v25 both read), v20.11 for a location
 * of per-folder manifests or none.
 */
function defaultLayout(existing: ManifestSet): ManifestLayout {
  if (existing.layout !== 'master') return 'v20.11';
  return existing.manifests.at(-1)?.version === 2105 ? 'v24' : 'v21.03';
}

/**
 * Plans the next backup of a location. Incremental by default when the location holds a backup:
 * `since` = the latest backup's readTs, its `backupId`, `backupNum` + 1. `forceFull` (or an empty
 * location) starts a new series: a new unique `backupId` and `backupNum` 1. Refused (SeriesError):
 * an incremental whose encryption (or key) differs from the series', or whose readTs does not
 * advance past the latest backup's.
 */
export async function planBackup(dest: Destination, opts: PlanBackupOptions): Promise<BackupPlan> {
  if (opts.readTs <= 0n) throw new InvalidArgumentError('a backup needs a read timestamp > 0');
  const existing = opts.existing ?? (await readLocation(dest));
  const format: ManifestLayout = opts.format ?? defaultLayout(existing);
  if (!MANIFEST_LAYOUTS.includes(format)) {
    throw new InvalidArgumentError(
      `backup format must be one of ${MANIFEST_LAYOUTS.map((l) => `"${l}"`).join(', ')}, not "${String(format)}"`,
    );
  }
  if (existing.layout === 'master' && format === 'v20.11') {
    throw new InvalidArgumentError(
      `${dest.describe()} has a master manifest.json (v21.03 or later layout): a v20.11 per-folder manifest ` +
        'would be ignored there; use format v21.03, v24 or v25, or another location',
    );
  }
  const previous = existing.manifests[existing.manifests.length - 1];
  let type: BackupPlan['type'] = 'full';
  let backupId: string;
  let backupNum = 1;
  let since = 0n;
  if (previous && !opts.forceFull) {
    if (previous.encrypted !== opts.encrypted) {
      throw new SeriesError(
        `the latest backup at ${dest.describe()} (series ${previous.backupId} #${previous.backupNum}) is ` +
          `${previous.encrypted ? '' : 'not '}encrypted but this backup would ${opts.encrypted ? '' : 'not '}be: ` +
          'an incremental backup must keep the encryption of its series; use forceFull to start a new series',
      );
    }
    if (
      opts.encrypted &&
      previous.keyFingerprint !== undefined &&
      opts.keyFingerprint !== undefined &&
      previous.keyFingerprint !== opts.keyFingerprint
    ) {
      throw new SeriesError(
        `series ${previous.backupId} at ${dest.describe()} was encrypted with another key ` +
          `(fingerprint ${previous.keyFingerprint}, this cluster's key: ${opts.keyFingerprint}): ` +
          'use forceFull to start a new series',
      );
    }
    if (opts.readTs <= previous.readTs) {
      throw new SeriesError(
        `the read timestamp ${opts.readTs} does not advance past the latest backup's ` +
          `(${previous.backupId} #${previous.backupNum}, readTs ${previous.readTs}): nothing to back up ` +
          'incrementally; use forceFull for a new series',
      );
    }
    type = 'incremental';
    backupId = previous.backupId;
    backupNum = previous.backupNum + 1;
    since = previous.readTs;
  } else {
    backupId = newBackupId(existing.manifests.map((m) => m.backupId));
  }
  // A unique folder from the UTC start time (a clash within the same millisecond moves on by 1 ms).
  let at = opts.startedAt ?? new Date();
  let folder = backupFolderName(at);
  const taken = new Set(existing.manifests.map((m) => m.path));
  for (let i = 0; i < 1000 && (taken.has(folder) || (await dest.exists(folder).catch(() => false))); i++) {
    at = new Date(at.getTime() + 1);
    folder = backupFolderName(at);
  }
  return {
    type,
    backupId,
    backupNum,
    since,
    readTs: opts.readTs,
    encrypted: opts.encrypted,
    format,
    compression: format === 'v20.11' ? 'gzip' : 'snappy',
    folder,
    previous,
    existing,
  };
}
