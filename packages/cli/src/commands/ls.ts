/** `strata ls LOCATION`: the backups of a location. */
import type { Command } from 'commander';
import { layoutLabel, listBackups, type BackupListing } from '@strata/core';
import { renderTable, toJson } from '../format.js';
import { CREDENTIALS_HELP, credentialsFrom, type CredentialFlags } from '../credentials.js';
import { locationCommand } from '../location-command.js';

interface LsFlags extends CredentialFlags {
  json?: boolean;
}

function shortTime(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/Z$/, '');
}

/** `3 (11/0/0)`: the number of groups, then the predicate count of each group. */
export function groupSummary(b: BackupListing): string {
  return `${b.groups.length} (${b.groups.map((g) => g.predicates.length).join('/')})`;
}

/** The human-readable listing: one line per backup, oldest first. */
export function renderLsTable(location: string, backups: readonly BackupListing[]): string {
  if (backups.length === 0) return `no backups found at ${location}\n`;
  const columns = [
    { header: 'TIME (UTC)' },
    { header: 'BACKUP ID' },
    { header: 'NUM', align: 'right' as const },
    { header: 'TYPE' },
    { header: 'READ TS', align: 'right' as const },
    { header: 'SINCE', align: 'right' as const },
    { header: 'ENCRYPTED' },
    { header: 'LAYOUT' },
    { header: 'GROUPS (PREDICATES)' },
    { header: 'PATH' },
  ];
  const rows = backups.map((b) => [
    shortTime(b.time),
    b.backupId,
    String(b.backupNum),
    b.type,
    b.readTs.toString(),
    b.since.toString(),
    b.encrypted ? 'yes' : 'no',
    layoutLabel(b),
    groupSummary(b),
    b.path,
  ]);
  return renderTable(columns, rows);
}

export async function runLs(location: string, flags: LsFlags): Promise<void> {
  const backups = await listBackups({
    location,
    ...credentialsFrom(flags),
    onWarning: (w) => process.stderr.write(`strata: warning: ${w}\n`),
  });
  process.stdout.write(flags.json ? toJson(backups) : renderLsTable(location, backups));
}

const HELP = `
LOCATION is a backup location as Dgraph writes it: a folder (or file:///folder URL) holding one
dgraph.YYYYMMDD.HHMMSS.mmm folder per backup. Every manifest layout is read:
  - v20.07 / v20.11: a manifest.json inside each backup folder;
  - v21.03 and later: one master manifest.json at the location root ({"Manifests": [...]}),
    whose entries may be of version 0, 2103 (8-byte namespace prefix) or 2105 (<hexns>-<name>).
    Entries whose folder no longer exists are skipped with a warning, as Dgraph does.

Columns: TIME is the backup's start time from its folder name (UTC); NUM the backup_num within
its series (BACKUP ID); READ TS the backup's read timestamp (the r<ts> in data file names);
SINCE the read timestamp of the previous backup of the series (0 for a full backup); LAYOUT
the Dgraph release whose manifest the entry has (v20.11, v21.03, or v21.12+ for version 2105,
which Dgraph v21.12 to v25 write: snappy framing up to v24, S2 framing from v25); GROUPS the
number of groups, then the number of predicates in each.

--json prints the list in the shape of Dgraph's listBackups GraphQL query (plus version,
compression and time).

Examples:
  $ strata ls /backups
  $ strata ls file:///backups --json
  $ strata ls s3://s3.us-west-2.amazonaws.com/my-bucket/dgraph
  $ strata ls minio://127.0.0.1:9000/backups?secure=false --anonymous
${CREDENTIALS_HELP}`;

export function lsCommand(): Command {
  return locationCommand({
    name: 'ls',
    description: 'list the backups (series, numbers, timestamps, groups) of a backup location',
    json: 'print machine-readable JSON (64-bit numbers beyond 2^53 as strings)',
    help: HELP,
    run: runLs,
  });
}
