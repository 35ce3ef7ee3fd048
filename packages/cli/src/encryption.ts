/** The cluster's encryption flags (`strata alpha`, `strata start`): a key file or Vault. */
import { Command } from 'commander';
import {
  keyProviderFrom,
  VAULT_OPTIONS,
  vaultOptionsFromFlags,
  type KeyProvider,
  type VaultFlags,
} from '@strata/core';

export interface EncryptionFlags extends VaultFlags {
  encryption_key_file?: string;
}

/** The `--vault_*` flags (names and help from core's one Vault option table). */
export function addVaultOptions(cmd: Command): Command {
  for (const o of VAULT_OPTIONS) cmd.option(`--${o.flag} ${o.arg}`, o.help);
  return cmd;
}

export function addEncryptionOptions(cmd: Command): Command {
  return addVaultOptions(
    cmd.option(
      '--encryption_key_file <file>',
      'AES key file (16, 24 or 32 raw bytes): every backup is encrypted with it',
    ),
  );
}

/** The key provider the flags name (undefined: no encryption); checks the key can be read. */
export async function keyProviderFromFlags(flags: EncryptionFlags): Promise<KeyProvider | undefined> {
  const provider = keyProviderFrom({
    encryptionKeyFile: flags.encryption_key_file,
    vault: vaultOptionsFromFlags(flags),
  });
  if (provider) (await provider.getKey()).fill(0); // fail at start, not at the first backup
  return provider;
}
