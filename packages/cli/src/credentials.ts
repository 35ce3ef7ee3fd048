/** The credential flags of commands that open a backup location (s3:// and minio://). */
import { Command, Option } from 'commander';
import type { DestinationCredentials } from '@strata/core';

export interface CredentialFlags {
  access_key?: string;
  accessKey?: string;
  secret_key?: string;
  secretKey?: string;
  session_token?: string;
  sessionToken?: string;
  anonymous?: boolean;
}

export const CREDENTIALS_HELP = `
Remote locations: s3://HOST[:PORT]/BUCKET[/PREFIX][?secure=false] (AWS S3 or any S3-compatible
store; the region comes from an AWS host such as s3.us-west-2.amazonaws.com, else AWS_REGION,
else us-east-1) and minio://HOST:PORT/BUCKET[/PREFIX][?secure=false]. ?secure=false speaks plain
http. Credentials, first found wins: --access_key/--secret_key[/--session_token]; then for s3://
AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY), AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY), AWS_SESSION_TOKEN,
then the AWS default provider chain (profiles, SSO, web identity, container/instance roles); for
minio:// MINIO_ACCESS_KEY/MINIO_SECRET_KEY. --anonymous sends unsigned requests (public buckets).
\`strata doctor LOCATION\` checks a location and says which credential source won.
`;

/** Adds --access_key, --secret_key, --session_token and --anonymous (and dashed aliases). */
export function addCredentialOptions(cmd: Command): Command {
  return cmd
    .option('--access_key <key>', 'access key of an s3:// or minio:// location (overrides the environment)')
    .addOption(new Option('--access-key <key>', 'alias of --access_key').hideHelp())
    .option('--secret_key <key>', 'secret key of an s3:// or minio:// location (overrides the environment)')
    .addOption(new Option('--secret-key <key>', 'alias of --secret_key').hideHelp())
    .option('--session_token <token>', 'session token for temporary credentials (s3://)')
    .addOption(new Option('--session-token <token>', 'alias of --session_token').hideHelp())
    .option('--anonymous', 'send unsigned requests (a public bucket); no credentials are read');
}

/** The credentials given as flags (empty when none). */
export function credentialsFrom(flags: CredentialFlags): DestinationCredentials {
  const accessKey = flags.access_key ?? flags.accessKey;
  const secretKey = flags.secret_key ?? flags.secretKey;
  const sessionToken = flags.session_token ?? flags.sessionToken;
  return {
    ...(accessKey === undefined ? {} : { accessKey }),
    ...(secretKey === undefined ? {} : { secretKey }),
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(flags.anonymous ? { anonymous: true } : {}),
  };
}
