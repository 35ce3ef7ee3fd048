/** `strata verify LOCATION`: read every file of a backup chain end to end and report problems. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readKeyFile, verify, type VerifyReport } from '@strata/core';
import { ExitCode } from '../exit.js';
import { formatCount, toJson } from '../format.js';
import {
  addCredentialOptions,
  credentialsFrom,
  CREDENTIALS_HELP,
  type CredentialFlags,
} from '../credentials.js';

interface VerifyFlags extends CredentialFlags {
  backup_id?: string;
  backupId?: string;
  backup_num?: number;
  backupNum?: number;
  encryption_key_file?: string;
  encryptionKeyFile?: string;
  json?: boolean;
}

function parseBackupNum(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number >= 0 (0 = all)');
  return Number(value);
}

/** The human-readable report: one line per backup, its problems indented below, then a verdict. */
export function renderVerifyReport(r: VerifyReport): string {
  const out: string[] = [];
  if (r.backupId !== '') out.push(`series ${r.backupId} at ${r.location}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const b of r.backups) {
    const kvs = b.files.reduce((n, f) => n + f.kvs, 0);
    const bytes = b.files.reduce((n, f) => n + f.bytes, 0);
    out.push(
      `${b.ok ? 'OK    ' : 'FAILED'} #${b.backupNum} ${b.type} ${b.path} (readTs ${b.readTs}, ` +
        `${b.files.length} file${b.files.length === 1 ? '' : 's'}, ${formatCount(bytes)} bytes, ${formatCount(kvs)} kvs)`,
    );
    for (const p of b.problems) out.push(`    - ${p}`);
  }
  for (const p of r.problems) out.push(`problem: ${p}`);
  out.push(
    r.ok
      ? `all ${r.backups.length} backup${r.backups.length === 1 ? '' : 's'} verified`
      : 'verification FAILED',
  );
  return out.join('\n') + '\n';
}

export async function runVerify(location: string, flags: VerifyFlags): Promise<void> {
  const keyFile = flags.encryption_key_file ?? flags.encryptionKeyFile;
  const key = keyFile === undefined ? undefined : await readKeyFile(keyFile);
  const report = await verify({
    location,
    ...credentialsFrom(flags),
    backupId: flags.backup_id ?? flags.backupId,
    backupNum: flags.backup_num ?? flags.backupNum,
    key,
  });
  key?.fill(0);
  process.stdout.write(flags.json ? toJson(report) : renderVerifyReport(report));
  if (!report.ok) throw new ExitCode(1);
}

const HELP = `
Chooses the backups a restore would use (the newest series, or --backup_id's, from its full
backup up to --backup_num) and reads every group file of each one end to end, decrypting and
decompressing it and decoding every frame and KV, without writing anything. Memory stays
bounded whatever the file sizes. It checks that:
  - every group listed in a manifest has its r<readTs>-g<group>.backup file;
  - every file decodes completely (gzip; snappy where the manifest says so);
  - sha256 checksums match, where the manifest carries them (backups written by Strata);
  - the series is numbered 1..N without gaps, starts with a full backup, and its backups are
    all encrypted or all not (an encrypted backup needs --encryption_key_file; a key given
    for an unencrypted backup is reported too).
A readTs that goes backwards inside a series (written by Dgraph v20.07) is only a warning.
Every problem is reported, not just the first.

Exit status: 0 when everything is sound, 1 otherwise.

Examples:
  $ strata verify /backups
  $ strata verify /backups --backup_id jolly_yalow0 --backup_num 2
  $ strata verify file:///backups --encryption_key_file ./enc_key --json
  $ strata verify minio://127.0.0.1:9000/backups/dgraph?secure=false
${CREDENTIALS_HELP}`;

export function verifyCommand(): Command {
  const cmd = new Command('verify')
    .description('read every file of a backup series end to end and report any problem (exit 1 on problems)')
    .argument('<location>', 'the backup location: a folder path, file://, s3:// or minio:// URL')
    .option('--backup_id <id>', 'the series to verify (default: the newest series)')
    .addOption(new Option('--backup-id <id>', 'alias of --backup_id').hideHelp())
    .option('--backup_num <n>', 'verify backups 1..n of the series (default 0: all)', parseBackupNum)
    .addOption(new Option('--backup-num <n>', 'alias of --backup_num').argParser(parseBackupNum).hideHelp())
    .option('--encryption_key_file <file>', 'file holding the AES key (raw 16, 24 or 32 bytes)')
    .addOption(new Option('--encryption-key-file <file>', 'alias of --encryption_key_file').hideHelp())
    .option('--json', 'print the report as JSON (64-bit numbers beyond 2^53 as strings)');
  return addCredentialOptions(cmd)
    .addHelpText('after', HELP)
    .action(async (location: string, flags: VerifyFlags) => {
      await runVerify(location, flags);
    });
}
