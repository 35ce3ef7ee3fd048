/**
 * The one mapping from the names users give Vault's options to {@link VaultKeyOptions}: the CLI's
 * `--vault_*` flags (Dgraph's names) and the `/admin` GraphQL `restore` input's `vault*` fields.
 */
import { VAULT_DEFAULTS, type VaultKeyOptions } from './vault.js';

/** One Vault option: its {@link VaultKeyOptions} key, CLI flag, GraphQL field and help text. */
export interface VaultOptionName {
  option: keyof Omit<VaultKeyOptions, 'timeoutMs'>;
  flag: string;
  field: string;
  /** The flag's argument, for `--help`. */
  arg: string;
  help: string;
}

export const VAULT_OPTIONS = [
  {
    option: 'addr',
    flag: 'vault_addr',
    field: 'vaultAddr',
    arg: '<url>',
    help: `Vault address (default ${VAULT_DEFAULTS.addr})`,
  },
  {
    option: 'roleIdFile',
    flag: 'vault_roleid_file',
    field: 'vaultRoleIDFile',
    arg: '<file>',
    help: 'file holding the Vault AppRole role id',
  },
  {
    option: 'secretIdFile',
    flag: 'vault_secretid_file',
    field: 'vaultSecretIDFile',
    arg: '<file>',
    help: 'file holding the Vault AppRole secret id',
  },
  {
    option: 'path',
    flag: 'vault_path',
    field: 'vaultPath',
    arg: '<path>',
    help: `KV v2 path of the key (default ${VAULT_DEFAULTS.path})`,
  },
  {
    option: 'field',
    flag: 'vault_field',
    field: 'vaultField',
    arg: '<field>',
    help: `field holding the key (default ${VAULT_DEFAULTS.field})`,
  },
  {
    option: 'format',
    flag: 'vault_format',
    field: 'vaultFormat',
    arg: '<format>',
    help: 'base64 (default) or raw',
  },
] as const satisfies readonly VaultOptionName[];

type Names = (typeof VAULT_OPTIONS)[number];

/** The CLI's `--vault_*` flags as commander parses them. */
export type VaultFlags = { [K in Names['flag']]?: string | null | undefined };

/** The `/admin` GraphQL `restore` input's `vault*` fields (GraphQL sends absent ones as null). */
export type VaultFields = { [K in Names['field']]?: string | null | undefined };

function pick(
  values: Record<string, string | null | undefined>,
  by: 'flag' | 'field',
): Partial<VaultKeyOptions> {
  const out: Partial<VaultKeyOptions> = {};
  for (const names of VAULT_OPTIONS) {
    const value = values[names[by]];
    // The format is checked where the key is read (readVaultKey names the bad value).
    if (value) (out as Record<string, string>)[names.option] = value;
  }
  return out;
}

/** The Vault options the CLI flags give (empty ones left out), for `keyProviderFrom({ vault })`. */
export function vaultOptionsFromFlags(flags: VaultFlags): Partial<VaultKeyOptions> {
  return pick(flags, 'flag');
}

/** The Vault options the GraphQL fields give (null and empty ones left out). */
export function vaultOptionsFromFields(fields: VaultFields): Partial<VaultKeyOptions> {
  return pick(fields, 'field');
}
