/**
 * The cluster's encryption flags (`strata alpha`, `strata start`): the backup key (a key file or
 * Vault) and `--encryption key-file=...`, the master key of encryption at rest, which also
 * encrypts backups unless a backup key of their own is given.
 */
import path from 'node:path';
import { Command } from 'commander';
import {
  fileKeyProvider,
  InvalidArgumentError,
  keyProviderFrom,
  VAULT_OPTIONS,
  vaultOptionsFromFlags,
  type KeyProvider,
  type VaultFlags,
} from '@strata/core';

export interface EncryptionFlags extends VaultFlags {
  encryption_key_file?: string;
  /** `--encryption "key-file=FILE"`: encryption at rest. */
  encryption?: string;
}

/** The `--vault_*` flags (names and help from core's one Vault option table). */
export function addVaultOptions(cmd: Command): Command {
  for (const o of VAULT_OPTIONS) cmd.option(`--${o.flag} ${o.arg}`, o.help);
  return cmd;
}

export function addEncryptionOptions(cmd: Command): Command {
  return addVaultOptions(
    cmd
      .option(
        '--encryption <options>',
        '"key-file=FILE" (Dgraph\'s superflag), or "vault" (the key the --vault_* flags read): ' +
          'encrypt the posting store at rest under that master key (16, 24 or 32 raw bytes; a store ' +
          'made without it, or with another key, is refused); backups are encrypted with it too ' +
          'unless --encryption_key_file or Vault gives them a key',
      )
      .option(
        '--encryption_key_file <file>',
        'AES key file (16, 24 or 32 raw bytes): every backup is encrypted with it',
      ),
  );
}

/**
 * The master key `--encryption` names (undefined: no encryption at rest): `key-file=FILE`, or
 * `vault`, the key the `--vault_*` flags read (as Dgraph's `--vault` gives its encryption key).
 */
export async function atRestKeyFromFlag(
  flag: string | undefined,
  flags: VaultFlags = {},
): Promise<KeyProvider | undefined> {
  if (flag === undefined) return undefined;
  let provider: KeyProvider | undefined;
  for (const part of flag.split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (provider) throw new InvalidArgumentError('--encryption takes one key: "key-file=FILE" or "vault"');
    if (key === 'vault' && eq < 0) {
      provider = keyProviderFrom({ vault: vaultOptionsFromFlags(flags) });
      if (!provider)
        throw new InvalidArgumentError(
          '--encryption vault needs the --vault_* flags (its role-id and secret-id files)',
        );
    } else if (key === 'key-file') {
      if (!value) throw new InvalidArgumentError('--encryption: key-file needs a value (key-file=FILE)');
      provider = fileKeyProvider(path.resolve(value));
    } else {
      throw new InvalidArgumentError(
        `--encryption: unknown option "${item}" (options: key-file=FILE, vault)`,
      );
    }
  }
  if (!provider) throw new InvalidArgumentError('--encryption needs "key-file=FILE" or "vault"');
  (await provider.getKey()).fill(0); // a missing or bad key fails at start
  return provider;
}

/** The cluster's keys: for encryption at rest, and for backups (by default the at-rest key). */
export async function clusterKeysFromFlags(
  flags: EncryptionFlags,
): Promise<{ atRest: KeyProvider | undefined; backups: KeyProvider | undefined }> {
  const atRest = await atRestKeyFromFlag(flags.encryption, flags);
  // With `--encryption vault` the Vault flags name the at-rest key; backups take it too.
  const own = flags.encryption?.trim() === 'vault' ? undefined : await keyProviderFromFlags(flags);
  return { atRest, backups: own ?? atRest };
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
