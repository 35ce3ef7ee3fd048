/**
 * The plan of restoring a backup (its chain: the series' full backup up to it), from core's dry
 * run (`restoreOffline` with `dryRun` and `plan`, what `strata restore --dry-run` prints): every
 * check a restore runs (chain, files, checksums, key), then every file decoded in stats mode;
 * nothing is written.
 *
 * Before an online restore the plan is computed here too, reading the same location the Alpha will
 * read (with this window's credentials); the Alpha's own dry run (`/admin` `restorePlan`) is not
 * used yet.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  restoreOffline,
  type Destination,
  type PhaseProgress,
  type RestoreOfflineResult,
  type RestorePlan,
} from '@strata/core';
import { formatBytes, formatTime, plural } from './format.js';

export interface RestorePlanTarget {
  location: string | Destination;
  backupId: string;
  backupNum: number;
  /** The AES key of an encrypted series (the file chosen as for Verify). */
  key?: Buffer;
  onPhaseProgress?: (p: PhaseProgress) => void;
}

export type RestorePlanResult = RestoreOfflineResult & { plan: RestorePlan };

/** Core's dry run with the plan. The target folder it checks is a fresh path that does not exist. */
export async function previewRestorePlan(t: RestorePlanTarget): Promise<RestorePlanResult> {
  const r = await restoreOffline({
    location: t.location,
    pdir: path.join(tmpdir(), `strata-plan-${randomUUID()}`),
    backupId: t.backupId,
    backupNum: t.backupNum,
    ...(t.key !== undefined && { key: t.key }),
    ...(t.onPhaseProgress && { onPhaseProgress: t.onPhaseProgress }),
    dryRun: true,
    plan: true,
  });
  if (r.plan === undefined) throw new Error('the restore dry run returned no plan');
  return r as RestorePlanResult;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** One line: `2 backups (#1 full → #2), 2 groups: 4 files, 3.1 KiB, 1,234 KVs`. */
export function restorePlanSummary(p: RestorePlan): string {
  const chain = p.backups.map((b) => (b.type === 'full' ? `#${b.backupNum} full` : `#${b.backupNum}`));
  const files = p.groups.reduce((n, g) => n + g.files, 0);
  const bytes = p.groups.reduce((n, g) => n + g.bytes, 0);
  const kvs = p.groups.reduce((n, g) => n + g.kvs, 0);
  return (
    `${plural(p.backups.length, 'backup')} (${chain.join(' → ')}), ${plural(p.groups.length, 'group')}: ` +
    `${plural(files, 'file')}, ${formatBytes(bytes)}, ${count(kvs)} KVs`
  );
}

/** The plan as a read-only text document. `into`: where it would go (an Alpha's URL, or a folder). */
export function renderRestorePlan(r: RestorePlanResult, opts: { location: string; into?: string }): string {
  const p = r.plan;
  const out: string[] = [
    `Restore plan (dry run: nothing was written) — backup ${r.backupId} #${p.backups[p.backups.length - 1]?.backupNum ?? '?'}`,
    `location: ${opts.location}`,
    ...(opts.into ? [`into: ${opts.into}`] : []),
    '',
    restorePlanSummary(p),
    '',
    `backups, oldest first (the chain: the series' full backup up to this one):`,
    ...p.backups.map(
      (b) =>
        `  #${b.backupNum} ${b.type}, readTs ${b.readTs}, ${formatTime(b.time)}  (${b.path || '(location root)'})`,
    ),
    '',
    'groups:',
    ...p.groups.map(
      (g) =>
        `  group ${g.group}: ${plural(g.files, 'file')}, ${formatBytes(g.bytes)}, ${count(g.kvs)} KVs, ` +
        `${plural(g.predicates, 'predicate')}`,
    ),
    '',
    `read timestamp after the restore: ${r.readTs}`,
  ];
  if (r.warnings.length > 0) out.push('', 'warnings:', ...r.warnings.map((w) => `  ${w}`));
  out.push(
    '',
    'KVs are counted before the last backup’s predicate filter; bytes are as stored (compressed, encrypted).',
  );
  return out.join('\n') + '\n';
}
