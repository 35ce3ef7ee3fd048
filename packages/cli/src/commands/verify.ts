/** `strata verify LOCATION`: read every file of a backup chain end to end and report problems. */
import type { Command } from 'commander';
import {
  MAX_PROBLEMS_PER_FILE,
  readKeyFile,
  renderVerifyReport,
  verify,
  type PhaseProgress,
  type VerifyReport,
} from '@strata/core';
import { ExitCode } from '../exit.js';
import { Progress, progressHelp } from '../progress.js';
import { CREDENTIALS_HELP, credentialsFrom, type CredentialFlags } from '../credentials.js';
import { locationCommand } from '../location-command.js';
import { addChainOptions, chainFrom, type ChainFlags } from '../options.js';

interface VerifyFlags extends CredentialFlags, ChainFlags {
  json?: boolean;
  deep?: boolean;
}

export async function runVerify(location: string, flags: VerifyFlags): Promise<void> {
  const progress = new Progress({ command: 'verify', json: flags.json, itemNames: { verify: 'files' } });
  let report: VerifyReport;
  try {
    const { backupId, backupNum, keyFile } = chainFrom(flags);
    const key = keyFile === undefined ? undefined : await readKeyFile(keyFile);
    try {
      report = await verify({
        location,
        ...credentialsFrom(flags),
        backupId,
        backupNum,
        key,
        deep: flags.deep === true,
        ...(progress.active ? { onPhaseProgress: (p: PhaseProgress) => progress.update(p) } : {}),
      });
    } finally {
      key?.fill(0);
    }
  } catch (err) {
    progress.fail(err);
    throw err;
  }
  progress.done(report, renderVerifyReport(report));
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

With --deep it also parses every KV of every file and checks it against its manifest entry:
  - every data, index, reverse and count key belongs to a predicate the manifest lists for
    the file's group (a restore would silently drop any other);
  - every version is at most the backup's readTs and, in an incremental backup, above the
    previous backup's readTs (its since); schema and type entries, which Dgraph writes with
    version 1 into every backup, are only checked against readTs;
  - every key is of a known type.
It then prints a summary per group: files, bytes, keys, predicates seen, the smallest and
largest data version and the problems found. Each problem names the file, the KV's position
in it (KV #n, from 0) and the key; at most ${MAX_PROBLEMS_PER_FILE} problems per file are listed, all are counted.
Schema entries of predicates not listed for the group (real Dgraph v20.11 writes some) are
shown as notes, not problems. With --json the summary event's report has a "deep" object
(groups[]: group, files, bytes, keys, keysByType, predicates, minVersion, maxVersion,
problems, notes).

Exit status: 0 when everything is sound, 1 otherwise.
${progressHelp('verify (the bytes of every file read)')}
Examples:
  $ strata verify /backups
  $ strata verify /backups --backup_id jolly_yalow0 --backup_num 2
  $ strata verify /backups --deep
  $ strata verify file:///backups --encryption_key_file ./enc_key --json
  $ strata verify minio://127.0.0.1:9000/backups/dgraph?secure=false
${CREDENTIALS_HELP}`;

export function verifyCommand(): Command {
  return locationCommand({
    name: 'verify',
    description: 'read every file of a backup series end to end and report any problem (exit 1 on problems)',
    json: 'print JSON events on stdout, one per line: the verify phase\'s start and end, then a summary holding the report (with --deep, its per-group figures under "deep"; 64-bit numbers beyond 2^53 as strings)',
    help: HELP,
    options: (cmd) =>
      addChainOptions(cmd, 'verify').option(
        '--deep',
        "also parse every KV and check its predicate and version against the backup's manifest; print a summary per group",
      ),
    run: runVerify,
  });
}
