/**
 * Retention planning (`strata expire`): which backups of a location to keep and which to remove,
 * and why. Pure: it reads nothing and deletes nothing (./expire.ts does the removal).
 *
 * A chain is never broken: an incremental backup needs the full backup of its series and every
 * backup between them, so whatever a rule keeps, the backups it depends on are kept too.
 */
import { InvalidArgumentError } from '../errors.js';
import { backupFolderTime } from '../list/list.js';
import type { BackupManifest } from '../manifest/model.js';

export interface RetentionRules {
  /** Keep the newest N backups (N >= 1) and what they depend on. */
  keepLast?: number | undefined;
  /** Keep backups taken within this duration before `now` (e.g. `30d`, `12h`, `2w`), and what they depend on. */
  keepWithin?: string | undefined;
  /** Keep the newest N series (N >= 1): a full backup and the incrementals after it. */
  keepSeries?: number | undefined;
}

export interface PlannedBackup {
  /** Folder of the backup, relative to the location. */
  path: string;
  backupId: string;
  backupNum: number;
  type: 'full' | 'incremental';
  readTs: bigint;
  /** Start time from the folder name (UTC, ISO 8601); null when the name holds none. */
  time: string | null;
  /** Why it is kept or removed (one line per rule). */
  reasons: string[];
}

export interface RetentionPlan {
  /** Kept backups, oldest first. */
  keep: PlannedBackup[];
  /** Backups to remove, oldest first. */
  remove: PlannedBackup[];
  /** Things worth knowing (series without a full backup, everything removed, ...). */
  warnings: string[];
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Milliseconds of a duration such as `30d`, `12h`, `2w`, `1d12h` (units s, m, h, d, w). */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (!/^(\d+[smhdw])+$/.test(s)) {
    throw new InvalidArgumentError(
      `duration "${text}" is not valid: use a number and a unit (s, m, h, d, w), e.g. 12h, 30d, 2w or 1d12h`,
    );
  }
  let ms = 0;
  for (const m of s.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new InvalidArgumentError(`duration "${text}" must be greater than zero and reasonably small`);
  }
  return ms;
}

function positiveCount(name: string, n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${name} must be a whole number >= 1, got ${n}`);
  }
  return n;
}

/** The rules checked: at least one, counts >= 1, a valid duration. */
export function checkRules(rules: RetentionRules): {
  keepLast?: number;
  keepWithinMs?: number;
  keepSeries?: number;
} {
  const keepLast = positiveCount('--keep-last', rules.keepLast);
  const keepSeries = positiveCount('--keep-series', rules.keepSeries);
  const keepWithinMs = rules.keepWithin === undefined ? undefined : parseDuration(rules.keepWithin);
  if (keepLast === undefined && keepSeries === undefined && keepWithinMs === undefined) {
    throw new InvalidArgumentError(
      'expire needs at least one rule: --keep-last N, --keep-within DURATION or --keep-series N',
    );
  }
  return {
    ...(keepLast === undefined ? {} : { keepLast }),
    ...(keepWithinMs === undefined ? {} : { keepWithinMs }),
    ...(keepSeries === undefined ? {} : { keepSeries }),
  };
}

function label(m: BackupManifest): string {
  return m.path === '' ? `${m.backupId} #${m.backupNum}` : m.path;
}

/**
 * The indexes of the backups `manifests[i]` depends on (itself included): walking back through
 * the backups of its series up to and including the nearest full backup (spec §4).
 */
export function dependencies(manifests: readonly BackupManifest[], i: number): number[] {
  const m = manifests[i]!;
  const out = [i];
  if (m.type === 'full') return out;
  for (let j = i - 1; j >= 0; j--) {
    const p = manifests[j]!;
    if (p.backupId !== m.backupId) continue;
    out.push(j);
    if (p.type === 'full') break;
  }
  return out;
}

/**
 * Plans the retention of `manifests` (the location's backups in backup order, as readManifests
 * returns them: the last is the newest). A backup is kept when any rule keeps it, or when a kept
 * backup depends on it. `now` is the reference of `keepWithin` (default: the current time).
 */
export function planRetention(
  manifests: readonly BackupManifest[],
  rules: RetentionRules,
  now: Date = new Date(),
): RetentionPlan {
  const r = checkRules(rules);
  const n = manifests.length;
  const keepWhy: string[][] = manifests.map(() => []);
  const dropWhy: string[][] = manifests.map(() => []);
  const warnings: string[] = [];

  // Series in order of their first backup; the newest series is the last one.
  const seriesOrder: string[] = [];
  for (const m of manifests) if (!seriesOrder.includes(m.backupId)) seriesOrder.push(m.backupId);
  const seriesCount = seriesOrder.length;
  for (const id of seriesOrder) {
    if (!manifests.some((m) => m.backupId === id && m.type === 'full')) {
      warnings.push(
        `series ${id} has no full backup at the location: its incremental backups cannot be restored`,
      );
    }
  }

  const direct = new Set<number>();
  if (r.keepLast !== undefined) {
    const k = r.keepLast;
    for (let i = 0; i < n; i++) {
      const rank = n - i; // 1 = newest
      if (rank <= k) {
        direct.add(i);
        keepWhy[i]!.push(`one of the newest ${k} (--keep-last ${k})`);
      } else {
        dropWhy[i]!.push(`older than the ${k} kept by --keep-last ${k}`);
      }
    }
  }
  if (r.keepWithinMs !== undefined) {
    const cutoff = new Date(now.getTime() - r.keepWithinMs).toISOString();
    const flag = `--keep-within ${rules.keepWithin!.trim()}`;
    for (let i = 0; i < n; i++) {
      const t = backupFolderTime(manifests[i]!.path);
      if (t === null) {
        direct.add(i);
        keepWhy[i]!.push(`its folder name holds no time, so its age is unknown (${flag})`);
      } else if (t >= cutoff) {
        direct.add(i);
        keepWhy[i]!.push(`taken after ${cutoff} (${flag})`);
      } else {
        dropWhy[i]!.push(`taken before ${cutoff} (${flag})`);
      }
    }
  }
  if (r.keepSeries !== undefined) {
    const k = r.keepSeries;
    for (let i = 0; i < n; i++) {
      const pos = seriesCount - seriesOrder.indexOf(manifests[i]!.backupId); // 1 = newest
      if (pos <= k) {
        direct.add(i);
        keepWhy[i]!.push(`series ${pos} of ${seriesCount} (newest first), kept by --keep-series ${k}`);
      } else {
        dropWhy[i]!.push(`series ${pos} of ${seriesCount} (newest first), beyond --keep-series ${k}`);
      }
    }
  }

  // Dependencies of what the rules keep: never break a chain.
  const kept = new Set<number>(direct);
  for (const i of [...direct].sort((a, b) => b - a)) {
    for (const j of dependencies(manifests, i)) {
      if (j === i) continue;
      if (!direct.has(j) && !keepWhy[j]!.some((w) => w.startsWith('needed by'))) {
        keepWhy[j]!.push(`needed by the kept backup ${label(manifests[i]!)} (same chain)`);
      }
      kept.add(j);
    }
  }

  const entry = (m: BackupManifest, reasons: string[]): PlannedBackup => ({
    path: m.path,
    backupId: m.backupId,
    backupNum: m.backupNum,
    type: m.type,
    readTs: m.readTs,
    time: backupFolderTime(m.path),
    reasons,
  });
  const keep: PlannedBackup[] = [];
  const remove: PlannedBackup[] = [];
  manifests.forEach((m, i) => {
    if (kept.has(i)) keep.push(entry(m, keepWhy[i]!));
    else remove.push(entry(m, dropWhy[i]!));
  });
  if (n > 0 && keep.length === 0) {
    warnings.push('the rules keep no backup: every backup of the location is removed');
  }
  return { keep, remove, warnings };
}
