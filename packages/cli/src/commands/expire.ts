/** `strata expire LOCATION`: removes the backups retention rules do not keep (never breaking a chain). */
import type { Command } from 'commander';
import { expireBackups, type ExpireResult, type PlannedBackup } from '@strata/core';
import { renderTable, toJson } from '../format.js';
import { CREDENTIALS_HELP, credentialsFrom, type CredentialFlags } from '../credentials.js';
import { locationCommand } from '../location-command.js';
import { intArg } from '../options.js';

interface ExpireFlags extends CredentialFlags {
  json?: boolean;
  keepLast?: number;
  keepWithin?: string;
  keepSeries?: number;
  dryRun?: boolean;
}

function rows(bs: readonly PlannedBackup[]): string[][] {
  return bs.map((b) => [
    b.time === null ? '-' : b.time.replace('T', ' ').replace(/Z$/, ''),
    b.backupId,
    String(b.backupNum),
    b.type,
    b.readTs.toString(),
    b.path,
    b.reasons.join('; '),
  ]);
}

const COLUMNS = [
  { header: 'TIME (UTC)' },
  { header: 'BACKUP ID' },
  { header: 'NUM', align: 'right' as const },
  { header: 'TYPE' },
  { header: 'READ TS', align: 'right' as const },
  { header: 'PATH' },
  { header: 'REASON' },
];

/** The human-readable plan or result. */
export function renderExpire(r: ExpireResult): string {
  if (r.keep.length === 0 && r.remove.length === 0) return `no backups found at ${r.location}\n`;
  const out: string[] = [];
  const verb = r.dryRun ? 'would remove' : 'removed';
  if (r.remove.length === 0) {
    out.push(`nothing to remove at ${r.location}: the rules keep all ${r.keep.length} backups\n`);
  } else {
    out.push(
      `${r.dryRun ? 'dry run: ' : ''}${verb} ${r.remove.length} backup${r.remove.length === 1 ? '' : 's'} at ${r.location}:\n`,
      renderTable(COLUMNS, rows(r.remove)),
    );
  }
  if (r.keep.length > 0) {
    out.push(
      `\n${r.dryRun ? 'would keep' : 'kept'} ${r.keep.length} backup${r.keep.length === 1 ? '' : 's'}:\n`,
      renderTable(COLUMNS, rows(r.keep)),
    );
  }
  if (!r.dryRun && r.remove.length > 0) out.push(`\n${r.filesDeleted} files deleted\n`);
  return out.join('');
}

export async function runExpire(location: string, flags: ExpireFlags): Promise<void> {
  const r = await expireBackups({
    location,
    ...credentialsFrom(flags),
    keepLast: flags.keepLast,
    keepWithin: flags.keepWithin,
    keepSeries: flags.keepSeries,
    dryRun: flags.dryRun === true,
    onWarning: (w) => process.stderr.write(`strata: warning: ${w}\n`),
  });
  process.stdout.write(flags.json ? toJson(r) : renderExpire(r));
}

const HELP = `
Removes old backups from a location by retention rules. A series is a full backup and the
incremental backups taken after it; an incremental backup can only be restored with its full
backup and every backup between them, so a chain is never broken: whatever a rule keeps, the
backups it depends on are kept too.

Rules (at least one; given together, a backup is kept when any rule keeps it):
  --keep-last N       the newest N backups (and what they depend on)
  --keep-within D     backups taken within D before now (and what they depend on); D is a
                      number and a unit: s, m, h, d, w (12h, 30d, 2w, 1d12h). The time is the
                      one in the folder name (dgraph.YYYYMMDD.HHMMSS.mmm, UTC); a backup whose
                      folder name holds no time is kept.
  --keep-series N     the newest N whole series

Order of removal, so that no reader ever sees a listed backup with missing files: the manifest
stops listing the removed backups first (v21.03 and later: the master manifest.json is rewritten
by compare-and-swap, as backups append to it, so a backup written meanwhile is never dropped;
v20.x: each removed folder's manifest.json is deleted, newest first), then their files are
deleted. A manifest is not trusted: paths leaving the location are refused, a folder a kept
backup shares is left, and in a folder not named dgraph.<time> only the files the manifest names
are deleted. Do not run it while a backup writes to the location (the Alpha's expireBackups
mutation takes the cluster's backup lock for that).

Prints every removed and kept backup with the reason. --dry-run prints the plan and removes
nothing. --json prints the plan or result as JSON (64-bit numbers beyond 2^53 as strings).

Examples:
  $ strata expire /backups --keep-last 10 --dry-run
  $ strata expire /backups --keep-within 30d
  $ strata expire s3://s3.us-west-2.amazonaws.com/my-bucket/dgraph --keep-series 2 --json
  $ strata expire minio://127.0.0.1:9000/backups?secure=false --keep-series 1 --keep-within 2w
${CREDENTIALS_HELP}`;

export function expireCommand(): Command {
  return locationCommand({
    name: 'expire',
    description:
      'remove old backups by retention rules (--keep-last, --keep-within, --keep-series), never breaking a chain',
    json: 'print the plan (with --dry-run) or the result as JSON',
    help: HELP,
    options: (cmd) =>
      cmd
        .option('--keep-last <n>', 'keep the newest N backups and what they depend on', intArg(1, 1_000_000))
        .option('--keep-within <duration>', 'keep backups taken within this long before now (12h, 30d, 2w)')
        .option('--keep-series <n>', 'keep the newest N series', intArg(1, 1_000_000))
        .option('--dry-run', 'print what would be removed and kept; remove nothing'),
    run: runExpire,
  });
}
