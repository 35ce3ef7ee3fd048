/** The cluster's encryption flags (`strata alpha`, `strata start`): a key file or Vault. */
import { Command } from 'commander';
import { keyProviderFrom, VAULT_DEFAULTS, type KeyProvider } from '@strata/core';

export interface EncryptionFlags {
  encryption_key_file?: string;
  vault_addr?: string;
  vault_roleid_file?: string;
  vault_secretid_file?: string;
  vault_path?: string;
  vault_field?: string;
  vault_format?: string;
}

export function addEncryptionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--encryption_key_file <file>',
      'AES key file (16, 24 or 32 raw bytes): every backup is encrypted with it',
    )
    .option('--vault_addr <url>', `Vault address (default ${VAULT_DEFAULTS.addr})`)
    .option('--vault_roleid_file <file>', 'file holding the Vault AppRole role id')
    .option('--vault_secretid_file <file>', 'file holding the Vault AppRole secret id')
    .option('--vault_path <path>', `KV v2 path of the key (default ${VAULT_DEFAULTS.path})`)
    .option('--vault_field <field>', `field holding the key (default ${VAULT_DEFAULTS.field})`)
    .option('--vault_format <format>', 'base64 (default) or raw');
}

/** The key provider the flags name (undefined: no encryption); checks the key can be read. */
export async function keyProviderFromFlags(flags: EncryptionFlags): Promise<KeyProvider | undefined> {
  const provider = keyProviderFrom({
    encryptionKeyFile: flags.encryption_key_file,
    vault: {
      ...(flags.vault_addr ? { addr: flags.vault_addr } : {}),
      ...(flags.vault_roleid_file ? { roleIdFile: flags.vault_roleid_file } : {}),
      ...(flags.vault_secretid_file ? { secretIdFile: flags.vault_secretid_file } : {}),
      ...(flags.vault_path ? { path: flags.vault_path } : {}),
      ...(flags.vault_field ? { field: flags.vault_field } : {}),
      ...(flags.vault_format ? { format: flags.vault_format as 'base64' | 'raw' } : {}),
    },
  });
  if (provider) (await provider.getKey()).fill(0); // fail at start, not at the first backup
  return provider;
}
