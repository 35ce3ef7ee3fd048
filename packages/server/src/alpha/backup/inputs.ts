/**
 * The `/admin` GraphQL inputs of `backup`, `listBackups`, `expireBackups`, `restore` (and `restorePlan`) and
 * `verifyBackups`: their SDL, their types,
 * and the checks and conversions the coordinator applies before touching anything.
 */
import {
  keyProviderFrom,
  MANIFEST_LAYOUTS,
  LocalDestination,
  openDestination,
  parseNamespaceList,
  parsePredicateList,
  type Destination,
  type RestoreSelection,
  VAULT_OPTIONS,
  vaultOptionsFromFields,
  type DestinationCredentials,
  type KeyProvider,
  type ManifestLayout,
  type VaultFields,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import type { RestoreDirs } from './restore-dirs.js';

/** GraphQL sends an absent optional field as null. */
type Nullable<T> = { [K in keyof T]?: T[K] | null };

/** The credential fields of every input that names a location. */
export type CredentialFields = Nullable<DestinationCredentials>;

export interface BackupInput extends CredentialFields {
  destination: string;
  forceFull?: boolean | null;
  format?: string | null;
  /** Strata: continue an interrupted backup of the location (default true; false discards it). */
  resume?: boolean | null;
}

export interface ListBackupsInput extends CredentialFields {
  location: string;
}

export interface ExpireBackupsInput extends CredentialFields {
  location: string;
  keepLast?: number | null;
  keepWithin?: string | null;
  keepSeries?: number | null;
  dryRun?: boolean | null;
}

export interface RestoreInput extends CredentialFields, VaultFields {
  location: string;
  backupId?: string | null;
  backupNum?: number | null;
  /** Strata: the newest backup at or before this read timestamp or ISO 8601 time (not with backupNum). */
  until?: string | null;
  encryptionKeyFile?: string | null;
  isPartial?: boolean | null;
  /** Strata, partial restore: only these predicates (plus `dgraph.*`), in every namespace restored. */
  predicates?: string[] | null;
  /** Strata, partial restore: only these namespaces (decimal or 0x hex strings). */
  namespaces?: string[] | null;
  /** Strata, partial restore: every predicate but these. */
  exclude?: string[] | null;
  /** Strata: refuse a backup whose group count differs from the cluster's instead of re-sharding. */
  sameGroups?: boolean | null;
}

/** Strata's `verifyBackups`: `strata verify [--deep]` of a location, run by the Alpha. */
export interface VerifyBackupsInput extends CredentialFields, VaultFields {
  location: string;
  backupId?: string | null;
  backupNum?: number | null;
  deep?: boolean | null;
  encryptionKeyFile?: string | null;
}

const CREDENTIAL_SDL = `
    accessKey: String
    secretKey: String
    sessionToken: String
    anonymous: Boolean`;

/** The SDL of the inputs (the Vault fields come from core's one Vault option table). */
export const BACKUP_INPUTS_SDL = /* GraphQL */ `
  input BackupInput {
    destination: String!${CREDENTIAL_SDL}
    forceFull: Boolean
    format: String
    "Strata: continue an interrupted backup of the location (default true); false discards it and starts anew."
    resume: Boolean
  }
  input ListBackupsInput {
    location: String!${CREDENTIAL_SDL}
  }
  input ExpireBackupsInput {
    location: String!
    keepLast: Int
    keepWithin: String
    keepSeries: Int
    dryRun: Boolean${CREDENTIAL_SDL}
  }
  input RestoreInput {
    location: String!
    backupId: String
    backupNum: Int
    "Strata: restore the chain ending with the newest backup at or before this read timestamp or ISO 8601 time."
    until: String
    encryptionKeyFile: String
    "Strata, partial restore: only these predicates (and Dgraph's own dgraph.* ones), in every namespace restored."
    predicates: [String!]
    "Strata, partial restore: only these namespaces (decimal or 0x hex)."
    namespaces: [String!]
    "Strata, partial restore: every predicate but these."
    exclude: [String!]
    "Strata: refuse a backup with another group count than the cluster's (default: re-shard it)."
    sameGroups: Boolean
${VAULT_OPTIONS.map((o) => `    ${o.field}: String`).join('\n')}${CREDENTIAL_SDL}
    isPartial: Boolean
  }
  "Strata: which backups verifyBackups reads (the newest series, or backupId's, up to backupNum) and how."
  input VerifyBackupsInput {
    location: String!
    backupId: String
    backupNum: Int
    "Also parse every KV and check its predicate and version against the manifest (strata verify --deep)."
    deep: Boolean
    encryptionKeyFile: String
${VAULT_OPTIONS.map((o) => `    ${o.field}: String`).join('\n')}${CREDENTIAL_SDL}
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
  if (format !== undefined && !(MANIFEST_LAYOUTS as readonly string[]).includes(format)) {
    throw new HttpError(
      'BAD_REQUEST',
      `backup format must be one of ${MANIFEST_LAYOUTS.map((l) => `"${l}"`).join(', ')}, not "${format}"`,
    );
  }
  return format as ManifestLayout | undefined;
}

/** Checks an expireBackups input (the rules themselves are checked by core's planner). */
export function checkExpireInput(input: ExpireBackupsInput): void {
  if (!input.location) throw new HttpError('BAD_REQUEST', 'expireBackups needs a location');
  if (input.keepLast == null && input.keepSeries == null && !input.keepWithin) {
    throw new HttpError(
      'BAD_REQUEST',
      'expireBackups needs at least one rule: keepLast, keepWithin or keepSeries',
    );
  }
}

/** Checks a verifyBackups input (backupId and backupNum are checked by core against the series). */
export function checkVerifyInput(input: VerifyBackupsInput): void {
  if (!input.location) throw new HttpError('BAD_REQUEST', 'verifyBackups needs a location');
}

export function checkRestoreInput(input: RestoreInput): void {
  if (!input.location) throw new HttpError('BAD_REQUEST', 'restore needs a location');
  if (input.isPartial) {
    throw new HttpError(
      'BAD_REQUEST',
      'isPartial restores are not supported (a partial restore takes predicates, namespaces or exclude)',
    );
  }
  restoreSelection(input);
}

/**
 * The partial restore an input asks for (undefined: everything). Names and namespaces are
 * checked here (shape); whether the backup holds them, by core against the chain.
 */
export function restoreSelection(
  input: Pick<RestoreInput, 'predicates' | 'namespaces' | 'exclude'>,
): RestoreSelection | undefined {
  const list = (what: string, v: string[] | null | undefined) => {
    if (v == null) return undefined;
    if (v.length === 0) throw new HttpError('BAD_REQUEST', `restore: ${what} is an empty list`);
    if (v.length > MAX_SELECTION) {
      throw new HttpError('BAD_REQUEST', `restore: ${what} holds more than ${MAX_SELECTION} items`);
    }
    return v.join(',');
  };
  try {
    const predicates = list('predicates', input.predicates);
    const namespaces = list('namespaces', input.namespaces);
    const exclude = list('exclude', input.exclude);
    const sel: RestoreSelection = {
      ...(predicates !== undefined && { predicates: parsePredicateList(predicates, 'predicates') }),
      ...(namespaces !== undefined && { namespaces: parseNamespaceList(namespaces, 'namespaces') }),
      ...(exclude !== undefined && { exclude: parsePredicateList(exclude, 'exclude') }),
    };
    return Object.keys(sel).length === 0 ? undefined : sel;
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError('BAD_REQUEST', `restore refused, nothing was changed: ${(err as Error).message}`);
  }
}

/** The most predicates, namespaces or exclusions one restore input may list. */
const MAX_SELECTION = 10_000;

/** A selection as it travels to the groups (namespaces as decimal strings) and back. */
export interface SelectionWire {
  predicates?: string[];
  namespaces?: string[];
  exclude?: string[];
}

export function selectionToWire(sel: RestoreSelection | undefined): SelectionWire | undefined {
  if (sel === undefined) return undefined;
  return {
    ...(sel.predicates && { predicates: [...sel.predicates] }),
    ...(sel.namespaces && { namespaces: sel.namespaces.map(String) }),
    ...(sel.exclude && { exclude: [...sel.exclude] }),
  };
}

export function selectionFromWire(w: SelectionWire | undefined): RestoreSelection | undefined {
  return w === undefined ? undefined : restoreSelection(w);
}

/**
 * The key a restore input names (a key file or Vault), else the cluster's own. The files a request
 * names (key file, Vault role-id and secret-id files) must lie inside `--restore_dirs`.
 */
export async function restoreKeyProvider(
  input: Pick<RestoreInput, 'location' | 'encryptionKeyFile' | keyof VaultFields>,
  cluster: KeyProvider | undefined,
  dirs: RestoreDirs,
): Promise<KeyProvider | undefined> {
  const vault = vaultOptionsFromFields(input);
  const confined = async (what: string, file: string | null | undefined) =>
    file ? dirs.confine(what, file) : undefined;
  const encryptionKeyFile = await confined('encryptionKeyFile', input.encryptionKeyFile);
  const roleIdFile = await confined('vaultRoleIDFile', vault.roleIdFile);
  const secretIdFile = await confined('vaultSecretIDFile', vault.secretIdFile);
  return (
    keyProviderFrom({
      encryptionKeyFile,
      vault: {
        ...vault,
        ...(roleIdFile === undefined ? {} : { roleIdFile }),
        ...(secretIdFile === undefined ? {} : { secretIdFile }),
      },
    }) ?? cluster
  );
}

/**
 * Opens a restore input's location; a local one (folder or `file://`) must lie inside
 * `--restore_dirs` when that is given (its real path is what gets opened).
 */
export async function openRestoreLocation(
  input: Pick<RestoreInput, 'location' | keyof CredentialFields>,
  dirs: RestoreDirs,
): Promise<Destination> {
  const dest = openDestination(input.location, destinationCredentials(input));
  if (!(dest instanceof LocalDestination) || !dirs.configured) return dest;
  // A plain path is checked as given (a ".." in it is refused); a file:// URL as it resolves.
  const given = /^[a-z][a-z0-9+.-]*:\/\//i.test(input.location) ? dest.root : input.location;
  return new LocalDestination(await dirs.confine('location', given));
}
