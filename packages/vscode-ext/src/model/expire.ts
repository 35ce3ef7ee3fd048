/**
 * Expire from the view: a preview (core's `expireBackups` with `dryRun`, the plan `strata expire
 * --dry-run` prints: every backup kept or removed and why, and the folders no manifest lists),
 * then, confirmed, the real run with the same rules and reference time. The extension holds no
 * lock: like the CLI, it warns not to run while a backup writes to the location (the Alpha's
 * `expireBackups` mutation is the way that takes the cluster's backup lock).
 */
import {
  checkRules,
  expireBackups,
  type Destination,
  type ExpireResult,
  type PlannedBackup,
  type RetentionRules,
} from '@strata/core';
import { formatTime, plural } from './format.js';

export type ExpireRuleKind = 'keepLast' | 'keepWithin' | 'keepSeries';

export const EXPIRE_RULES: readonly { kind: ExpireRuleKind; label: string; prompt: string; flag: string }[] =
  [
    {
      kind: 'keepLast',
      label: 'Keep the last N backups',
      prompt: 'How many of the newest backups to keep (and the backups they depend on)',
      flag: '--keep-last',
    },
    {
      kind: 'keepWithin',
      label: 'Keep backups taken within a duration',
      prompt: 'Keep backups taken within this long before now: a number and a unit (s, m, h, d, w), e.g. 30d',
      flag: '--keep-within',
    },
    {
      kind: 'keepSeries',
      label: 'Keep the last N series',
      prompt: 'How many of the newest series (a full backup and its incrementals) to keep',
      flag: '--keep-series',
    },
  ];

/** The warning the CLI's help gives too: the extension takes no lock. */
export const EXPIRE_LOCK_WARNING =
  'Do not run it while a backup writes to this location: the extension takes no lock ' +
  "(the Alpha's expireBackups mutation takes the cluster's backup lock).";

/** One rule from what the user typed, checked by core (throws InvalidArgumentError with core's text). */
export function parseExpireRule(kind: ExpireRuleKind, text: string): RetentionRules {
  const t = text.trim();
  let rules: RetentionRules;
  if (kind === 'keepWithin') {
    rules = { keepWithin: t };
  } else {
    const n = /^\d+$/.test(t) ? Number(t) : Number.NaN;
    rules = kind === 'keepLast' ? { keepLast: n } : { keepSeries: n };
  }
  checkRules(rules);
  return rules;
}

/** The rules as the CLI's flags: `--keep-last 2 --keep-within 30d`. */
export function rulesText(rules: RetentionRules): string {
  const out: string[] = [];
  if (rules.keepLast !== undefined) out.push(`--keep-last ${rules.keepLast}`);
  if (rules.keepWithin !== undefined) out.push(`--keep-within ${rules.keepWithin}`);
  if (rules.keepSeries !== undefined) out.push(`--keep-series ${rules.keepSeries}`);
  return out.join(' ');
}

export interface ExpireVerdict {
  action: 'keep' | 'remove';
  reasons: string[];
}

export interface ExpirePreview {
  rules: RetentionRules;
  /** The reference time of keepWithin; the real run uses the same one. */
  now: Date;
  result: ExpireResult;
  /** By {@link backupKey}. */
  verdicts: Map<string, ExpireVerdict>;
}

/** A backup's identity in a plan: folder, series and number. */
export function backupKey(m: { path: string; backupId: string; backupNum: number }): string {
  return `${m.path}\u0000${m.backupId}\u0000${m.backupNum}`;
}

/** The dry run: core's plan, nothing written or deleted. */
export async function previewExpire(opts: {
  location: string | Destination;
  rules: RetentionRules;
  now?: Date;
}): Promise<ExpirePreview> {
  const now = opts.now ?? new Date();
  const result = await expireBackups({ location: opts.location, ...opts.rules, now, dryRun: true });
  const verdicts = new Map<string, ExpireVerdict>();
  for (const b of result.keep) verdicts.set(backupKey(b), { action: 'keep', reasons: b.reasons });
  for (const b of result.remove) verdicts.set(backupKey(b), { action: 'remove', reasons: b.reasons });
  return { rules: opts.rules, now, result, verdicts };
}

const sameRemoval = (a: readonly PlannedBackup[], b: readonly PlannedBackup[]): boolean =>
  a.length === b.length && a.every((x, i) => backupKey(x) === backupKey(b[i]!));

/**
 * Runs the previewed expire: plans again with the same rules and time and refuses (removing
 * nothing) when the location changed so that another set of backups would go; then core's
 * expireBackups removes them (manifest first, then files). `onRemoved` is called per backup.
 */
export async function runExpire(opts: {
  location: string | Destination;
  preview: ExpirePreview;
  onRemoved?: (b: PlannedBackup) => void;
  onWarning?: (w: string) => void;
}): Promise<ExpireResult> {
  const { preview } = opts;
  const again = await previewExpire({ location: opts.location, rules: preview.rules, now: preview.now });
  if (!sameRemoval(again.result.remove, preview.result.remove)) {
    throw new Error(
      `the backups at ${again.result.location} changed since the preview (it would now remove ` +
        `${plural(again.result.remove.length, 'backup')}, not ${preview.result.remove.length}): nothing removed, preview again`,
    );
  }
  return expireBackups({
    location: opts.location,
    ...preview.rules,
    now: preview.now,
    ...(opts.onRemoved && { onRemoved: opts.onRemoved }),
    ...(opts.onWarning && { onWarning: opts.onWarning }),
  });
}

function backupLine(b: PlannedBackup): string {
  const time = b.time === null ? 'no time' : formatTime(b.time);
  return (
    `  ${b.backupId} #${b.backupNum} ${b.type}, readTs ${b.readTs}, ${time}` +
    `  (${b.path || '(location root)'})\n      why: ${b.reasons.join('; ')}`
  );
}

/** One line for a notification. */
export function expireSummary(r: ExpireResult): string {
  if (r.keep.length === 0 && r.remove.length === 0) return `no backups at ${r.location}`;
  if (r.dryRun) {
    return r.remove.length === 0
      ? `expire preview of ${r.location}: nothing to remove, the rules keep all ${plural(r.keep.length, 'backup')}`
      : `expire preview of ${r.location}: would remove ${plural(r.remove.length, 'backup')}, keep ${r.keep.length}`;
  }
  return r.remove.length === 0
    ? `expire of ${r.location}: nothing removed, the rules keep all ${plural(r.keep.length, 'backup')}`
    : `expire of ${r.location}: removed ${plural(r.remove.length, 'backup')} (${plural(r.filesDeleted, 'file')} deleted), kept ${r.keep.length}`;
}

/** The plan (dry run) or the result, as a read-only text document. */
export function renderExpire(r: ExpireResult, rules: RetentionRules, now: Date): string {
  const out: string[] = [];
  out.push(
    r.dryRun
      ? `Expire preview (dry run: nothing was removed) — strata expire ${r.location} ${rulesText(rules)} --dry-run`
      : `Expire — strata expire ${r.location} ${rulesText(rules)}`,
    `reference time: ${now.toISOString()}`,
    '',
    expireSummary(r),
  );
  const verb = r.dryRun ? ['would remove', 'would keep'] : ['removed', 'kept'];
  out.push('', `${verb[0]} ${plural(r.remove.length, 'backup')}:`);
  out.push(...(r.remove.length > 0 ? r.remove.map(backupLine) : ['  (none)']));
  out.push('', `${verb[1]} ${plural(r.keep.length, 'backup')}:`);
  out.push(...(r.keep.length > 0 ? r.keep.map(backupLine) : ['  (none)']));
  if (r.warnings.length > 0) {
    // Folders no manifest lists are among them: reported, never touched.
    out.push('', 'warnings:', ...r.warnings.map((w) => `  ${w}`));
  }
  if (!r.dryRun) out.push('', `${plural(r.filesDeleted, 'file')} deleted`);
  else if (r.remove.length > 0) out.push('', EXPIRE_LOCK_WARNING);
  return out.join('\n') + '\n';
}
