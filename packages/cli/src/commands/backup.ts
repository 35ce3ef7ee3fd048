/** `strata backup --alpha HOST:PORT --destination D`: a binary backup of the whole cluster. */
import { Command, Option } from 'commander';
import { AdminClient, MANIFEST_LAYOUTS, type ManifestLayout } from '@strata/core';
import {
  addCredentialOptions,
  credentialsFrom,
  CREDENTIALS_HELP,
  type CredentialFlags,
} from '../credentials.js';
import { Progress, progressHelp } from '../progress.js';
import { addAuthTokenOption, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface BackupFlags extends CredentialFlags, AuthTokenFlags, ClientTlsFlags {
  alpha: string;
  destination: string;
  force_full?: boolean;
  format?: ManifestLayout;
  /** --resume: true, --no-resume: false, neither: the Alpha's default (resume). */
  resume?: boolean;
  json?: boolean;
}

export async function runBackup(flags: BackupFlags): Promise<void> {
  const admin = AdminClient.forAlpha(flags.alpha, {
    authToken: authTokenFrom(flags),
    transport: clientTransportFrom(flags, 'strata backup'),
  });
  const request = {
    destination: flags.destination,
    ...credentialsFrom(flags),
    ...(flags.force_full ? { forceFull: true } : {}),
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.resume === undefined ? {} : { resume: flags.resume }),
  };
  const started = Date.now();
  const progress = new Progress({
    command: 'backup',
    json: flags.json,
    itemNames: { write: 'group files' },
  });
  // Only a terminal or --json shows progress: then the Alpha's backupProgress is polled.
  const before = progress.active ? await admin.backupProgress().catch(() => undefined) : undefined;
  const answer = admin.backup(request);
  const polling = progress.active ? follow(admin, before?.taskId, progress, answer) : undefined;
  try {
    const { code, message, taskId } = await answer;
    await polling;
    progress.done(
      { response: { code, message }, taskId },
      `${message} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  } catch (err) {
    await polling;
    progress.fail(err);
    throw err;
  }
}

/** How often a terminal or --json run asks the Alpha how far its backup has come. */
const POLL_MS = 500;

/** The Progress phase of each phase of the Alpha's backupProgress. */
const PHASES: Record<string, string> = { plan: 'plan', groups: 'write', manifest: 'manifest' };

/**
 * Polls the coordinator's backupProgress (every {@link POLL_MS}) until `answer` settles, feeding
 * `progress`: plan, then write (bytes of the group files, groups done), then manifest. An Alpha
 * without backupProgress (Dgraph's) shows elapsed time only.
 */
export async function follow(
  admin: Pick<AdminClient, 'backupProgress'>,
  previous: string | undefined,
  progress: Progress,
  answer: Promise<unknown>,
  pollMs = POLL_MS,
): Promise<void> {
  let settled = false;
  void answer.then(
    () => (settled = true),
    () => (settled = true),
  );
  progress.begin('backup');
  while (!settled) {
    await Promise.race([answer.catch(() => undefined), new Promise((r) => setTimeout(r, pollMs))]);
    if (settled) break;
    const p = await admin.backupProgress().catch(() => undefined);
    if (!p || p.taskId === previous || !p.running) continue;
    const phase = PHASES[p.phase];
    if (!phase) continue;
    progress.update({
      phase,
      bytesDone: p.bytesDone,
      ...(phase === 'write'
        ? { items: p.groups.filter((g) => g.done).length, itemsTotal: p.groups.length }
        : {}),
    });
  }
}

const HELP = `
Asks an Alpha (its GraphQL /admin backup mutation, as Dgraph's) for a binary backup of the whole
cluster at one read timestamp. Every group writes its file r<readTs>-g<group>.backup into a new
folder dgraph.YYYYMMDD.HHMMSS.mmm of the destination; the manifest is written last, so a failed
backup leaves no manifest (and its files are removed).

The first backup of a location is a full backup; the next ones are incremental (only the keys that
changed since the previous backup of the series) until --force_full starts a new series. If the
cluster was started with an encryption key (--encryption_key_file or the --vault_* flags), every
backup is encrypted and the manifest says so; an incremental must keep the series' encryption.

--format picks which Dgraph release the backup imitates (and so which releases can restore it):
  v20.11  a per-folder manifest.json, gzip files (the default for a new location)
  v21.03  the master manifest.json (version 2103), snappy files
  v24     the master manifest.json (version 2105, names as 0-name), snappy files: Dgraph v24 and v25
  v25     as v24, with S2 framing and manifest_summary.json, as Dgraph v25 writes: Dgraph v25 only
Without --format an existing location keeps its layout (a location of version 2105 backups
continues as v24).
A backup interrupted by a crash or a lost connection (kill -9 of an Alpha, a network failure)
can be continued: the folder keeps a resume journal (strata-resume-journal.json) recording the
group files already written and their sha256. The next backup to the same location continues it
at its read timestamp (that is the default; --resume says so explicitly): group files whose
sha256 read back still matches are kept, the others rewritten, the manifest written last. It is
not continued, and its folder is removed, when it no longer fits (another backup was listed
since, the key, layout or groups changed, or the groups no longer keep the versions of its read
timestamp): then a new backup is taken and the answer says why. --no-resume (or --force_full)
discards an interrupted backup and starts anew. On S3 and MinIO, multipart uploads left behind
in its folder are aborted. Nothing to continue: --resume takes a new backup, as without it.
Only one backup or restore runs in a cluster at a time; a second one is refused.
${progressHelp('backup (until the Alpha reports), plan, write (the group files: bytes written, groups done; no total, so no ETA), manifest')}
Examples:
  $ strata backup --alpha localhost:8080 --destination /backups
  $ strata backup --alpha localhost:8080 --destination /backups --force_full
  $ strata backup --alpha localhost:8080 --destination /backups --no-resume
  $ strata backup --alpha localhost:8080 --destination minio://127.0.0.1:9000/backups?secure=false \\
      --access_key "$KEY" --secret_key_file ./minio-secret
  $ strata backup --alpha 10.0.0.5:8080 --destination /backups \
      --tls "ca-cert=ca.crt; client-cert=client.crt; client-key=client.key"
  $ strata ls /backups
${CREDENTIALS_HELP}
Credentials given here are sent to the Alphas (they write the files) and never printed; give the
Alpha an https:// address or --tls so that they do not cross the network in the clear.
`;

export function backupCommand(): Command {
  const cmd = new Command('backup')
    .description('take a binary backup of a running cluster (full, or incremental on the latest series)')
    .requiredOption('--alpha <host:port>', 'an Alpha of the cluster (its /admin must accept this client)')
    .requiredOption(
      '-d, --destination <location>',
      'a folder path (on every Alpha), file://, s3:// or minio:// URL',
    )
    .option('--force_full', 'start a new series with a full backup')
    .addOption(new Option('--force-full', 'alias of --force_full').hideHelp())
    .addOption(
      new Option('--format <layout>', 'the Dgraph layout to write (see below)').choices([
        ...MANIFEST_LAYOUTS,
      ]),
    )
    .option('--resume', 'continue an interrupted backup of the location if one fits (the default)')
    .option('--no-resume', 'discard an interrupted backup of the location and start anew')
    .option('--json', 'print the result as JSON');
  return addClientTlsOption(addAuthTokenOption(addCredentialOptions(cmd)))
    .addHelpText('after', HELP)
    .action(async (flags: BackupFlags & { forceFull?: boolean }) => {
      await runBackup({
        ...flags,
        force_full: flags.force_full ?? flags.forceFull,
      });
    });
}
