/**
 * Credentials of remote locations, in this order: explicit (request overrides), the environment,
 * then (S3 only) the AWS default provider chain; `anonymous` sends unsigned requests. Only the
 * SOURCE is ever reported (doctor, error messages); the values never leave this module's callers.
 */
import { DestinationError, InvalidArgumentError } from '../errors.js';
import type { CredentialInfo, DestinationOptions } from './types.js';
import type { ObjectStoreScheme } from './uri.js';

export interface ResolvedCredentials extends CredentialInfo {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken: boolean;
  token?: string;
}

type Env = Record<string, string | undefined>;

function first(env: Env, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

const AWS_ACCESS = ['AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY'];
const AWS_SECRET = ['AWS_SECRET_ACCESS_KEY', 'AWS_SECRET_KEY'];
const MINIO_ACCESS = ['MINIO_ACCESS_KEY'];
const MINIO_SECRET = ['MINIO_SECRET_KEY'];

/** `$source` feature ids of the AWS SDK's credential providers → words. */
const CHAIN_SOURCES: Record<string, string> = {
  CREDENTIALS_ENV_VARS: 'environment',
  CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: 'web identity token (environment)',
  CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: 'web identity (assume role)',
  CREDENTIALS_PROFILE: 'shared config/credentials file',
  CREDENTIALS_PROFILE_SOURCE_PROFILE: 'shared config/credentials file (source profile)',
  CREDENTIALS_PROFILE_NAMED_PROVIDER: 'shared config file (named provider)',
  CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN: 'shared config file (web identity token)',
  CREDENTIALS_PROFILE_SSO: 'shared config file (SSO)',
  CREDENTIALS_SSO: 'SSO',
  CREDENTIALS_PROFILE_SSO_LEGACY: 'shared config file (legacy SSO)',
  CREDENTIALS_SSO_LEGACY: 'SSO (legacy)',
  CREDENTIALS_PROFILE_PROCESS: 'shared config file (credential_process)',
  CREDENTIALS_PROCESS: 'credential process',
  CREDENTIALS_HTTP: 'container credentials endpoint',
  CREDENTIALS_IMDS: 'instance metadata (IMDS)',
};

function chainSource(src: Record<string, unknown> | undefined): string {
  const names = Object.keys(src ?? {})
    .map((k) => CHAIN_SOURCES[k])
    .filter((x): x is string => x !== undefined);
  return names.length === 0
    ? 'AWS default provider chain'
    : `AWS default provider chain: ${[...new Set(names)].join(', ')}`;
}

/** The variables a scheme reads, for messages. */
export function envNames(scheme: ObjectStoreScheme): string {
  return scheme === 's3'
    ? 'AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) / AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) [/ AWS_SESSION_TOKEN]'
    : 'MINIO_ACCESS_KEY / MINIO_SECRET_KEY';
}

/**
 * Resolves the credentials of a location. Throws InvalidArgumentError for half-given credentials
 * (an access key without a secret, or the other way round), DestinationError `NO_CREDENTIALS`
 * when nothing was found.
 */
export async function resolveCredentials(
  scheme: ObjectStoreScheme,
  opts: DestinationOptions,
): Promise<ResolvedCredentials> {
  const env: Env = opts.env ?? process.env;
  if (opts.anonymous) {
    if (opts.accessKey !== undefined || opts.secretKey !== undefined || opts.sessionToken !== undefined) {
      throw new InvalidArgumentError('anonymous access takes no access key, secret key or session token');
    }
    return { source: 'anonymous (unsigned requests)', anonymous: true, sessionToken: false };
  }
  if (opts.accessKey !== undefined || opts.secretKey !== undefined || opts.sessionToken !== undefined) {
    if (!opts.accessKey || !opts.secretKey) {
      throw new InvalidArgumentError(
        `explicit credentials need both an access key and a secret key (only the ${opts.accessKey ? 'access' : 'secret'} key was given)`,
      );
    }
    return {
      source: `explicit credentials (access key/secret key${opts.sessionToken ? '/session token' : ''} given to Strata)`,
      anonymous: false,
      accessKeyId: opts.accessKey,
      secretAccessKey: opts.secretKey,
      sessionToken: !!opts.sessionToken,
      ...(opts.sessionToken ? { token: opts.sessionToken } : {}),
    };
  }
  const access = first(env, scheme === 's3' ? AWS_ACCESS : MINIO_ACCESS);
  const secret = first(env, scheme === 's3' ? AWS_SECRET : MINIO_SECRET);
  if (access && secret) {
    const token = scheme === 's3' ? first(env, ['AWS_SESSION_TOKEN']) : undefined;
    return {
      source: `environment (${access.name}, ${secret.name}${token ? ', AWS_SESSION_TOKEN' : ''})`,
      anonymous: false,
      accessKeyId: access.value,
      secretAccessKey: secret.value,
      sessionToken: token !== undefined,
      ...(token ? { token: token.value } : {}),
    };
  }
  if (access || secret) {
    const have = (access ?? secret)!.name;
    throw new InvalidArgumentError(`${have} is set but its pair is not: set both of ${envNames(scheme)}`);
  }
  const noneFound = (detail: string): DestinationError =>
    new DestinationError(
      'NO_CREDENTIALS',
      `no credentials found for the ${scheme}:// location${detail}: give --access_key and --secret_key, set ` +
        `${envNames(scheme)}${scheme === 's3' ? ', configure an AWS profile' : ''}, or use --anonymous for a public bucket`,
    );
  if (scheme === 'minio') throw noneFound(' (tried: explicit, environment)');
  let chain = opts.defaultProviderChain;
  if (chain === undefined) {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    chain = fromNodeProviderChain();
  }
  let c;
  try {
    c = await chain();
  } catch (err) {
    // The chain's message says which providers it tried; it holds no secret.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw noneFound(` (tried: explicit, environment, AWS default provider chain: ${why})`);
  }
  return {
    source: chainSource(c.$source),
    anonymous: false,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: !!c.sessionToken,
    ...(c.sessionToken ? { token: c.sessionToken } : {}),
  };
}

/** The public part of resolved credentials. */
export function credentialInfo(c: ResolvedCredentials): CredentialInfo {
  return { source: c.source, anonymous: c.anonymous, sessionToken: c.sessionToken };
}

/** Replaces every credential value found in `text` with `***` (defence in depth for messages). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
