/** `strata backup --alpha HOST:PORT --destination D`: a binary backup of the whole cluster. */
import { Command, Option } from 'commander';
import { AdminClient, MANIFEST_LAYOUTS, type ManifestLayout } from '@strata/core';
import {
  addCredentialOptions,
  credentialsFrom,
  CREDENTIALS_HELP,
  type CredentialFlags,
} from '../credentials.js';
import { toJson } from '../format.js';
import { addAuthTokenOption, authTokenFrom, type AuthTokenFlags } from '../auth-token.js';
import { addClientTlsOption, clientTransportFrom, type ClientTlsFlags } from '../tls.js';

interface BackupFlags extends CredentialFlags, AuthTokenFlags, ClientTlsFlags {
  alpha: string;
  destination: string;
  force_full?: boolean;
  format?: ManifestLayout;
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
  };
  const started = Date.now();
  // On a terminal, show that the backup is running (the mutation answers when it is complete).
  const tty = process.stderr.isTTY && !flags.json;
  const timer = tty
    ? setInterval(() => {
        process.stderr.write(
          `\rbacking up to ${flags.destination}... ${((Date.now() - started) / 1000).toFixed(0)} s`,
        );
      }, 500)
    : undefined;
  try {
    const { code, message, taskId } = await admin.backup(request);
    const seconds = (Date.now() - started) / 1000;
    if (flags.json) {
      process.stdout.write(toJson({ response: { code, message }, taskId, seconds }));
    } else {
      process.stdout.write(`${message} (${seconds.toFixed(1)} s)\n`);
    }
  } finally {
    if (timer) {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    }
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
Only one backup or restore runs in a cluster at a time; a second one is refused.

Examples:
  $ strata backup --alpha localhost:8080 --destination /backups
  $ strata backup --alpha localhost:8080 --destination /backups --force_full
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
