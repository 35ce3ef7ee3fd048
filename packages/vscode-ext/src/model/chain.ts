/**
 * The chain view: which backups a restore point needs, and what is wrong with a series' chain.
 * Both come from core's chain checks (`analyzeChain`, the non-throwing form of the `selectChain`
 * every restore runs), so the tree shows exactly what a restore would accept or refuse.
 */
import { analyzeChain, type BackupManifest } from '@strata/core';

export interface SeriesChain {
  /** The series' backups as core's chain check collects them (back to the nearest full backup). */
  backups: BackupManifest[];
  /** What makes a restore of the series refuse (gaps, no full backup, mixed encryption...). */
  problems: string[];
  /** Tolerated oddities (readTs going backwards, as Dgraph v20.07 wrote it). */
  warnings: string[];
}

export interface RestorePointChain {
  /** The backups restoring up to this one loads, oldest first (the full backup first). */
  backups: BackupManifest[];
  /** Why restoring up to this backup would be refused (empty: it would be accepted). */
  problems: string[];
}

/** The chain check of a whole series, on the location's manifests (as readManifests returns them). */
export function seriesChain(manifests: readonly BackupManifest[], backupId: string): SeriesChain {
  const a = analyzeChain(manifests, { backupId });
  return { backups: a.backups, problems: a.problems, warnings: a.warnings };
}

/**
 * The chain of backup `m`'s restore point (`series`: {@link seriesChain} of its series): the
 * backups of its series up to it, as core's chain check collects them, and the series' problems, for which a
 * restore up to any of its backups is refused. (Cut by number rather than by count, so that a
 * gap shows as the numbers actually found: `#1 full → #2 → #4`.)
 */
export function restorePointChain(series: SeriesChain, m: BackupManifest): RestorePointChain {
  return { backups: series.backups.filter((b) => b.backupNum <= m.backupNum), problems: series.problems };
}

/** `#1 full → #2 → #3`: the backups of a chain, the full one named. */
export function chainLabel(backups: readonly BackupManifest[]): string {
  if (backups.length === 0) return 'no backups';
  return backups.map((b) => (b.type === 'full' ? `#${b.backupNum} full` : `#${b.backupNum}`)).join(' → ');
}
