/** Choosing and validating the chain of backups to restore (format spec §4). */
import { InvalidArgumentError, SeriesError } from '../errors.js';
import type { BackupManifest } from '../manifest/model.js';

export interface ChainOptions {
  /** The series; default: the series of the newest backup at the location. */
  backupId?: string | undefined;
  /** Restore backups 1..backupNum of the series; 0 or absent: all of them. */
  backupNum?: number | undefined;
}

export interface ChainAnalysis {
  /** The series chosen ('' when the location holds no backup). */
  backupId: string;
  /** The backups of the chain in order, cut to `backupNum` when that is possible. */
  backups: BackupManifest[];
  /** Everything that makes the chain invalid (empty: valid). */
  problems: string[];
  /** Tolerated oddities (e.g. readTs going backwards, as Dgraph v20.07 wrote it). */
  warnings: string[];
}

export interface Chain {
  backupId: string;
  backups: BackupManifest[];
  warnings: string[];
}

function label(m: BackupManifest): string {
  return `#${m.backupNum} (${m.path || m.manifestFile})`;
}

/**
 * The analysis behind {@link selectChain}, reporting every problem instead of throwing: `verify`
 * uses it to report all problems at once.
 *
 * Walks the manifests from the newest to the oldest, keeps those of the series and stops at the
 * first full backup (spec §4), then checks: a full backup numbered 1 starts the chain, numbers run
 * 1..N without gaps, the encrypted flags agree, and `backupNum` is not beyond the chain.
 */
export function analyzeChain(manifests: readonly BackupManifest[], opts: ChainOptions = {}): ChainAnalysis {
  const problems: string[] = [];
  const warnings: string[] = [];
  const wanted = opts.backupNum ?? 0;
  if (!Number.isInteger(wanted) || wanted < 0) {
    throw new InvalidArgumentError(`backup_num must be a whole number >= 0 (0 = all), got ${wanted}`);
  }
  if (manifests.length === 0) {
    return {
      backupId: opts.backupId ?? '',
      backups: [],
      problems: ['no backups found at the location'],
      warnings,
    };
  }
  const backupId = opts.backupId ?? manifests[manifests.length - 1]!.backupId;
  const collected: BackupManifest[] = [];
  let sawFull = false;
  for (let i = manifests.length - 1; i >= 0; i--) {
    const m = manifests[i]!;
    if (m.backupId !== backupId) continue;
    collected.push(m);
    if (m.type === 'full') {
      sawFull = true;
      break;
    }
  }
  collected.reverse();
  if (collected.length === 0) {
    const ids = [...new Set(manifests.map((m) => m.backupId))].join(', ');
    return {
      backupId,
      backups: [],
      problems: [`no backup with backup_id ${backupId} at the location (series found: ${ids})`],
      warnings,
    };
  }
  if (!sawFull) problems.push(`backup series ${backupId} has no full backup: backup_num 1 is missing`);

  // Numbering: 1..N, no gaps, no repeats.
  let expected = 1;
  for (const m of collected) {
    if (m.backupNum === expected) {
      expected++;
    } else if (m.backupNum > expected) {
      const missing = m.backupNum - expected === 1 ? `${expected}` : `${expected} to ${m.backupNum - 1}`;
      if (sawFull || expected > 1) {
        problems.push(
          `backup series ${backupId} is missing backup_num ${missing} (the next backup found is ${label(m)})`,
        );
      }
      expected = m.backupNum + 1;
    } else {
      problems.push(
        `backup series ${backupId} has backup ${label(m)} out of order: expected backup_num ${expected}`,
      );
    }
  }
  const first = collected[0]!;
  if (sawFull && first.backupNum !== 1) {
    problems.push(
      `the full backup ${label(first)} of series ${backupId} has backup_num ${first.backupNum}, expected 1`,
    );
  }

  // readTs going backwards: Dgraph v20.07 wrote such series and restored them. Tolerated.
  for (let i = 1; i < collected.length; i++) {
    const prev = collected[i - 1]!;
    const cur = collected[i]!;
    if (cur.readTs < prev.readTs) {
      warnings.push(
        `backup ${label(cur)} of series ${backupId} has readTs ${cur.readTs}, lower than the ${prev.readTs} ` +
          `of backup ${label(prev)} (Dgraph v20.07 wrote such series; tolerated)`,
      );
    }
  }

  // Encryption must agree.
  const enc = collected.filter((m) => m.encrypted);
  if (enc.length > 0 && enc.length < collected.length) {
    const plain = collected.filter((m) => !m.encrypted);
    problems.push(
      `backup series ${backupId} mixes encrypted and unencrypted backups (encrypted: ` +
        `${enc.map((m) => `#${m.backupNum}`).join(', ')}; not encrypted: ${plain.map((m) => `#${m.backupNum}`).join(', ')})`,
    );
  }

  let backups = collected;
  if (wanted > 0) {
    if (wanted > collected.length) {
      problems.push(
        `backup_num ${wanted} was requested but series ${backupId} has only ${collected.length} ` +
          `backup${collected.length === 1 ? '' : 's'}`,
      );
    } else {
      backups = collected.slice(0, wanted);
    }
  }
  return { backupId, backups, problems, warnings };
}

/**
 * The chain of backups to restore: the newest series (or `backupId`'s), from its full backup up
 * to `backupNum` (default: all). Throws SeriesError listing every problem; tolerated oddities are
 * returned in `warnings`.
 */
export function selectChain(manifests: readonly BackupManifest[], opts: ChainOptions = {}): Chain {
  const a = analyzeChain(manifests, opts);
  if (a.problems.length > 0) throw new SeriesError(a.problems.join('; '));
  return { backupId: a.backupId, backups: a.backups, warnings: a.warnings };
}

/** Number of groups of a chain: the groups of its last backup. */
export function chainGroupCount(chain: Chain | readonly BackupManifest[]): number {
  const backups = Array.isArray(chain) ? chain : (chain as Chain).backups;
  const last = backups[backups.length - 1];
  return last === undefined ? 0 : last.groups.size;
}

/** Throws SeriesError unless the chain has as many groups as the cluster it is restored into. */
export function checkGroupCount(chain: Chain | readonly BackupManifest[], clusterGroups: number): void {
  const n = chainGroupCount(chain);
  if (n !== clusterGroups) {
    throw new SeriesError(
      `the backup has ${n} group${n === 1 ? '' : 's'} but the cluster has ${clusterGroups} ` +
        `group${clusterGroups === 1 ? '' : 's'}: restore into a cluster with ${n} group${n === 1 ? '' : 's'}`,
    );
  }
}

export interface SeriesSummary {
  backupId: string;
  /** The series' backups in location order. */
  backups: BackupManifest[];
  encrypted: boolean;
  /** readTs of the series' newest backup. */
  latestReadTs: bigint;
}

/** The location's backups grouped by backup_id, series in order of their first backup. */
export function listSeries(manifests: readonly BackupManifest[]): SeriesSummary[] {
  const byId = new Map<string, SeriesSummary>();
  for (const m of manifests) {
    let s = byId.get(m.backupId);
    if (!s) {
      s = { backupId: m.backupId, backups: [], encrypted: false, latestReadTs: 0n };
      byId.set(m.backupId, s);
    }
    s.backups.push(m);
    s.encrypted ||= m.encrypted;
    s.latestReadTs = m.readTs;
  }
  return [...byId.values()];
}
