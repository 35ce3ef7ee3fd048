/**
 * The `/admin` answers of Strata's `restorePlan` and `verifyBackups`: their SDL and the conversion
 * of core's results (a restore dry run's plan, a verify report) into those shapes. The content is
 * what `strata restore --dry-run --json` and `strata verify [--deep] --json` print; a map (keys by
 * type) becomes a list, since GraphQL has none.
 */
import type { VerifyReport } from '@strata/core';
import type { PlannedRestore } from './online-restore.js';

export const REPORTS_SDL = /* GraphQL */ `
  "Strata: a backup the restore (or its dry run) would load."
  type RestorePlanBackup {
    backupNum: Int
    "full or incremental."
    type: String
    readTs: Int64
    path: String
    "Start time from the folder name (UTC, ISO 8601); null when the name holds none."
    time: String
  }
  "Strata: what one of this cluster's groups would load."
  type RestorePlanGroup {
    group: Int
    "Data files it loads (one per backup and backup group it reads)."
    files: Int
    "Their bytes as stored (compressed, encrypted)."
    bytes: Float
    "KVs in those files (before the predicate filter)."
    kvs: Float
    "Predicates it restores (namespace and name pairs)."
    predicates: Int
    "Their names (each once, in every namespace restored)."
    predicateNames: [String]
    "The backup groups whose files it reads."
    sources: [Int]
  }
  "Strata: a restore's dry run (restorePlan): every check passed, nothing was changed."
  type RestorePlan {
    code: String
    message: String
    "The location as this Alpha opened it (never with credentials)."
    location: String
    backupId: String
    "With until: which backup it chose, and why."
    chosen: String
    "The read timestamp of the last backup restored (Zero's timestamps move past it)."
    readTs: Int64
    encrypted: Boolean
    "Whether predicates, namespaces or exclude restore only part of the series."
    partial: Boolean
    "Whether predicates move to other groups than the backup's (its group count differs)."
    resharded: Boolean
    "The backup's group count."
    sourceGroups: Int
    "This cluster's group count."
    targetGroups: Int
    backups: [RestorePlanBackup]
    groups: [RestorePlanGroup]
    warnings: [String]
  }
  "Strata: one file verifyBackups read."
  type VerifiedFile {
    "Path relative to the location."
    file: String
    group: Int
    bytes: Float
    kvs: Float
    ok: Boolean
    error: String
    "sha256 of the file, when the manifest carries checksums."
    sha256: String
    "With deep: KVs found unsound."
    deepProblems: Int
  }
  "Strata: one backup verifyBackups read."
  type VerifiedBackup {
    backupId: String
    backupNum: Int
    path: String
    type: String
    readTs: Int64
    "The Dgraph layout of its manifest entry (v20.11, v21.03, v21.12+)."
    layout: String
    ok: Boolean
    problems: [String]
    files: [VerifiedFile]
  }
  type KeyTypeCount {
    "DATA, INDEX, REVERSE, COUNT, SCHEMA, TYPE, ..."
    type: String
    count: Float
  }
  "Strata: what deep found in one group across the backups verified."
  type DeepGroupReport {
    group: Int
    files: Int
    bytes: Float
    keys: Float
    keysByType: [KeyTypeCount]
    predicates: [String]
    minVersion: Int64
    maxVersion: Int64
    problems: Int
    notes: [String]
  }
  type DeepReport {
    groups: [DeepGroupReport]
    files: Int
    bytes: Float
    keys: Float
    problems: Int
  }
  "Strata: verifyBackups' report (strata verify --json's)."
  type VerifyReport {
    "True when every backup and the series are sound."
    ok: Boolean
    location: String
    backupId: String
    "Series-level problems (numbering gaps, mixed encryption, a backupNum beyond the series, ...)."
    problems: [String]
    warnings: [String]
    backups: [VerifiedBackup]
    "With deep: per-group figures (their problems are in backups)."
    deep: DeepReport
  }
`;

/** `restorePlan`'s answer. */
export function restorePlanPayload(p: PlannedRestore) {
  const { result, plan, chosen } = p;
  const names = new Map(
    result.layout.groups.map((g) => [g.group, [...new Set(g.predicates.map((n) => n.name))].sort()]),
  );
  return {
    code: 'Success',
    message: chosen
      ? `Restore dry run: every check passed, nothing was changed (${chosen.reason}).`
      : 'Restore dry run: every check passed, nothing was changed.',
    location: p.location,
    backupId: plan.backupId,
    chosen: chosen?.reason ?? null,
    readTs: result.readTs,
    encrypted: p.encrypted,
    partial: result.partial,
    resharded: result.layout.resharded,
    sourceGroups: result.layout.sourceGroups,
    targetGroups: result.layout.targetGroups,
    backups: plan.backups,
    groups: plan.groups.map((g) => ({ ...g, predicateNames: names.get(g.group) ?? [] })),
    warnings: result.warnings,
  };
}

/** `verifyBackups`' answer. */
export function verifyPayload(r: VerifyReport) {
  return {
    ...r,
    deep: r.deep && {
      ...r.deep,
      groups: r.deep.groups.map((g) => ({
        ...g,
        keysByType: Object.entries(g.keysByType).map(([type, count]) => ({ type, count })),
      })),
    },
  };
}
