/**
 * The `/admin` GraphQL inputs of `backup`, `listBackups` and `restore`: their SDL, their types,
 * and the checks and conversions the coordinator applies before touching anything.
 */
import {
  keyProviderFrom,
  VAULT_OPTIONS,
  vaultOptionsFromFields,
  type DestinationCredentials,
  type KeyProvider,
  type ManifestLayout,
  type VaultFields,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';

/** GraphQL sends an absent optional field as null. */
type Nullable<T> = { [K in keyof T]?: T[K] | null };

/** The credential fields of every input that names a location. */
export type CredentialFields = Nullable<DestinationCredentials>;

export interface BackupInput extends CredentialFields {
  destination: string;
  forceFull?: boolean | null;
  format?: string | null;
}

export interface ListBackupsInput extends CredentialFields {
  location: string;
}

export interface RestoreInput extends CredentialFields, VaultFields {
  location: string;
  backupId?: string | null;
  backupNum?: number | null;
  encryptionKeyFile?: string | null;
  isPartial?: boolean | null;
}

const CREDENTIAL_SDL = `
    accessKey: String
    secretKey: String
    sessionToken: String
    anonymous: Boolean`;

/** The SDL of the three inputs (the Vault fields come from core's one Vault option table). */
export const BACKUP_INPUTS_SDL = /* GraphQL */ `
  input BackupInput {
    destination: String!${CREDENTIAL_SDL}
    forceFull: Boolean
    format: String
  }
  input ListBackupsInput {
    location: String!${CREDENTIAL_SDL}
  }
  input RestoreInput {
    location: String!
    backupId: String
    backupNum: Int
    encryptionKeyFile: String
${VAULT_OPTIONS.map((o) => `    ${o.field}: String`).join('\n')}${CREDENTIAL_SDL}
    isPartial: Boolean
  }
`;

/** The credentials an input gives (null and empty fields left out). */
export function destinationCredentials(c: CredentialFields): DestinationCredentials {
  return {
    ...(c.accessKey ? { accessKey: c.accessKey } : {}),
    ...(c.secretKey ? { secretKey: c.secretKey } : {}),
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    ...(c.anonymous ? { anonymous: true } : {}),
  };
}

/** Checks a backup input; returns its layout (undefined: the series' or the default). */
export function checkBackupInput(input: BackupInput): ManifestLayout | undefined {
  if (!input.destination) throw new HttpError('BAD_REQUEST', 'backup needs a destination');
  const format = input.format ?? undefined;
  if (format !== undefined && format !== 'v20.11' && format !== 'v21.03') {
    throw new HttpError('BAD_REQUEST', `backup format must be "v20.11" or "v21.03", not "${format}"`);
  }
  return format;
}

export function checkRestoreInput(input: RestoreInput): void {
  if (!input.location) throw new HttpError('BAD_REQUEST', 'restore needs a location');
  if (input.isPartial) throw new HttpError('BAD_REQUEST', 'isPartial restores are not supported');
}

/** The key a restore input names (a key file or Vault), else the cluster's own. */
export function restoreKeyProvider(
  input: RestoreInput,
  cluster: KeyProvider | undefined,
): KeyProvider | undefined {
  return (
    keyProviderFrom({
      encryptionKeyFile: input.encryptionKeyFile ?? undefined,
      vault: vaultOptionsFromFields(input),
    }) ?? cluster
  );
}
