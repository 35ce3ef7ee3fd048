/** `strata restore -l LOCATION -p DIR`: offline restore of a backup chain into posting stores. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { NotSupportedError, readKeyFile, restoreOffline, type RestoreOfflineResult } from '@strata/core';
import { formatCount, toJson } from '../format.js';
import { addCredentialOptions, credentialsFrom, CREDENTIALS_HELP, type CredentialFlags } from '../credentials.js';

interface RestoreFlags extends CredentialFlags {
  location: string;
  postings: string;
  backup_id?: string;
  backupId?: string;
  backup_num?: number;
  backupNum?: number;
  encryption_key_file?: string;
  encryptionKeyFile?: string;
  zero?: string;
  force_zero?: boolean;
  json?: boolean;
}

function parseBackupNum(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number >= 0 (0 = all)');
  return Number(value);
}

function parseBool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new InvalidArgumentError('expected true or false');
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;

/** The human-readable report: one line per group, then the leases to take from Zero. */
export function renderRestoreReport(r: RestoreOfflineResult): string {
  const out: string[] = [];
  for (const w of r.warnings) out.push(`warning: ${w}`);
  out.push(
    `restored series ${r.backupId}, backup${r.backupNums.length === 1 ? '' : 's'} ` +
      `${r.backupNums.map((n) => `#${n}`).join(', ')} (readTs ${r.readTs})`,
  );
  for (const g of r.groups) {
    out.push(
      `  group ${g.group} -> ${g.dir}: ${formatCount(g.kept)} of ${formatCount(g.kvs)} kvs kept, ` +
        `${formatCount(g.keys)} keys, maxUid ${hex(g.maxUid)}`,
    );
  }
  out.push(
    `no Zero given (-z): lease these before serving the restored data: ` +
      `UIDs up to ${hex(r.maxUid)} (${r.maxUid}), timestamps up to ${r.readTs}` +
      (r.maxNsId > 0n ? `, namespace ids up to ${r.maxNsId}` : ''),
  );
  return out.join('\n') + '\n';
}

export async function runRestore(flags: RestoreFlags): Promise<void> {
  if (flags.zero !== undefined) {
    throw new NotSupportedError(
      `-z/--zero is not available yet: Strata has no Zero to update leases on (${flags.zero}). ` +
        'Run without -z; the restore prints the UID and timestamp leases to take',
    );
  }
  const keyFile = flags.encryption_key_file ?? flags.encryptionKeyFile;
  const key = keyFile === undefined ? undefined : await readKeyFile(keyFile);
  try {
    const r = await restoreOffline({
      location: flags.location,
      ...credentialsFrom(flags),
      pdir: flags.postings,
      backupId: flags.backup_id ?? flags.backupId,
      backupNum: flags.backup_num ?? flags.backupNum,
      key,
    });
    process.stdout.write(
      flags.json ? toJson({ ...r, zero: null, leasesApplied: false }) : renderRestoreReport(r),
    );
  } finally {
    key?.fill(0);
  }
}

const HELP = `
Restores a Dgraph (or Strata) binary backup offline, as "dgraph restore" does: it picks the
chain (the newest series, or --backup_id's, from its full backup up to --backup_num), checks that
every data file of every backup exists and that no target folder holds anything, then writes one
posting store per group into DIR/p<group> (p1, p2, ...). For each backup in order it applies the
backup's drop operations, replaces the schema and types, and loads the group's file, keeping only
the predicates the LAST backup of the chain assigns to that group. Nothing is written when a
check fails; a failure while writing removes the folders it created.

Zero: Strata has no Zero yet, so -z is refused. Without it, the command prints the leases a Zero
must grant before Alphas serve the restored folders: UIDs up to maxUid and timestamps up to the
read timestamp of the last backup restored (and namespace ids for v21.03+ backups).

Examples:
  $ strata restore -l /backups -p ./restored
  $ strata restore -l /backups -p ./restored --backup_id jolly_yalow0 --backup_num 2
  $ strata restore -l file:///backups -p ./restored --encryption_key_file ./enc_key
  $ strata restore -l s3://s3.eu-west-1.amazonaws.com/my-bucket/dgraph -p ./restored
  $ strata export -p ./restored --out ./dump

Remote files are downloaded one at a time to a temp file (streamed, deleted once loaded).
${CREDENTIALS_HELP}`;

export function restoreCommand(): Command {
  const cmd = new Command('restore')
    .description('restore a backup chain offline into posting store folders DIR/p<group>')
    .requiredOption('-l, --location <location>', 'the backup location: a folder path, file://, s3:// or minio:// URL')
    .requiredOption(
      '-p, --postings <dir>',
      'the folder to write p1, p2, ... into (each must not exist or be empty)',
    )
    .option('--backup_id <id>', 'the series to restore (default: the newest series)')
    .addOption(new Option('--backup-id <id>', 'alias of --backup_id').hideHelp())
    .option('--backup_num <n>', 'restore backups 1..n of the series (default 0: all)', parseBackupNum)
    .addOption(new Option('--backup-num <n>', 'alias of --backup_num').argParser(parseBackupNum).hideHelp())
    .option('--encryption_key_file <file>', 'file holding the AES key (raw 16, 24 or 32 bytes)')
    .addOption(new Option('--encryption-key-file <file>', 'alias of --encryption_key_file').hideHelp())
    .option('-z, --zero <addr>', 'Zero to update the leases on (not available yet)')
    .option(
      '--force_zero [bool]',
      'with -z: move the leases even when Zero already leased more (needs -z)',
      parseBool,
      true,
    )
    .option('--json', 'print the result as JSON (64-bit numbers beyond 2^53 as strings)');
  return addCredentialOptions(cmd)
    .addHelpText('after', HELP)
    .action(async (flags: RestoreFlags) => {
      await runRestore(flags);
    });
}
