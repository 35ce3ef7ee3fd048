/**
 * The credential flags of commands that open a backup location (s3:// and minio://). The access
 * key is not a secret and may be given on the command line; the secret key and the session token
 * come from files (`--secret_key_file`, `--session_token_file`) or the environment, never argv.
 */
import { Command, Option } from 'commander';
import type { DestinationCredentials } from '@strata/core';
import { readSecretFile } from '@strata/server/cli';
import { refuseArgvSecret } from './argv-secrets.js';

export interface CredentialFlags {
  access_key?: string;
  accessKey?: string;
  secret_key_file?: string;
  secretKeyFile?: string;
  session_token_file?: string;
  sessionTokenFile?: string;
  anonymous?: boolean;
}

export const CREDENTIALS_HELP = `
Remote locations: s3://HOST[:PORT]/BUCKET[/PREFIX][?secure=false] (AWS S3 or any S3-compatible
store; the region comes from an AWS host such as s3.us-west-2.amazonaws.com, else AWS_REGION,
else us-east-1) and minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]. ?secure=false speaks plain
http. Credentials, first found wins: --access_key/--secret_key_file[/--session_token_file]; then for s3://
AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY), AWS_SESSION_TOKEN,
then the AWS default provider chain (profiles, SSO, web identity, container/instance roles); for
minio:// MINIO_ACCESS_KEY/MINIO_SECRET_KEY. --anonymous sends unsigned requests (public buckets).
\`strata doctor LOCATION\` checks a location and says which credential source won.
`;

const SECRET_INSTEAD =
  'write it to a file (chmod 600) and give --secret_key_file FILE, or set AWS_SECRET_ACCESS_KEY (s3://) or MINIO_SECRET_KEY (minio://)';
const SESSION_INSTEAD =
  'write it to a file (chmod 600) and give --session_token_file FILE, or set AWS_SESSION_TOKEN';

/**
 * Adds --access_key, --secret_key_file, --session_token_file and --anonymous (and dashed
 * aliases); --secret_key and --session_token are refused with the way to give them instead.
 */
export function addCredentialOptions(cmd: Command): Command {
  cmd
    .option('--access_key <key>', 'access key of an s3:// or minio:// location (overrides the environment)')
    .addOption(new Option('--access-key <key>', 'alias of --access_key').hideHelp())
    .option(
      '--secret_key_file <file>',
      'file holding the secret key of an s3:// or minio:// location (overrides the environment)',
    )
    .addOption(new Option('--secret-key-file <file>', 'alias of --secret_key_file').hideHelp())
    .option('--session_token_file <file>', 'file holding a session token for temporary credentials (s3://)')
    .addOption(new Option('--session-token-file <file>', 'alias of --session_token_file').hideHelp())
    .option('--anonymous', 'send unsigned requests (a public bucket); no credentials are read');
  for (const flag of ['--secret_key', '--secret-key']) refuseArgvSecret(cmd, `${flag} <key>`, SECRET_INSTEAD);
  for (const flag of ['--session_token', '--session-token']) {
    refuseArgvSecret(cmd, `${flag} <token>`, SESSION_INSTEAD);
  }
  return cmd;
}

function secretFrom(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  const { secret, warning } = readSecretFile(file, what);
  if (warning) process.stderr.write(`strata: warning: ${warning}\n`);
  return secret;
}

/** The credentials given as flags (empty when none); secret files are read here. */
export function credentialsFrom(flags: CredentialFlags): DestinationCredentials {
  const accessKey = flags.access_key ?? flags.accessKey;
  const secretKey = secretFrom(flags.secret_key_file ?? flags.secretKeyFile, 'secret key');
  const sessionToken = secretFrom(flags.session_token_file ?? flags.sessionTokenFile, 'session token');
  return {
    ...(accessKey === undefined ? {} : { accessKey }),
    ...(secretKey === undefined ? {} : { secretKey }),
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(flags.anonymous ? { anonymous: true } : {}),
  };
}
