/** `KeyProvider`: where an encryption key comes from (a key file or Vault). */
import { InvalidArgumentError } from '../errors.js';
import { readKeyFile } from './file.js';
import { readVaultKey, type VaultKeyOptions } from './vault.js';

export interface KeyProvider {
  /** Where the key comes from, for messages (never the key). */
  readonly describe: string;
  /** Reads the key; the caller should `fill(0)` it when done. */
  getKey(): Promise<Buffer>;
}

export function fileKeyProvider(path: string): KeyProvider {
  return { describe: `key file ${path}`, getKey: () => readKeyFile(path) };
}

export function vaultKeyProvider(opts: VaultKeyOptions): KeyProvider {
  const addr = opts.addr ?? 'http://localhost:8200';
  return { describe: `Vault ${addr}`, getKey: () => readVaultKey(opts) };
}

export interface KeySourceOptions {
  encryptionKeyFile?: string | undefined;
  vault?: Partial<VaultKeyOptions> | undefined;
}

/**
 * The key provider named by CLI/GraphQL options, or `undefined` when none is given. A key file and
 * Vault together is an error; so is Vault with only one of the role-id / secret-id files.
 */
export function keyProviderFrom(opts: KeySourceOptions): KeyProvider | undefined {
  const v = opts.vault;
  const vaultGiven = !!(v && (v.roleIdFile || v.secretIdFile));
  if (opts.encryptionKeyFile && vaultGiven) {
    throw new InvalidArgumentError('give either an encryption key file or the Vault options, not both');
  }
  if (opts.encryptionKeyFile) return fileKeyProvider(opts.encryptionKeyFile);
  if (!vaultGiven) return undefined;
  if (!v?.roleIdFile || !v.secretIdFile) {
    throw new InvalidArgumentError('Vault needs both the role-id file and the secret-id file');
  }
  return vaultKeyProvider({ ...v, roleIdFile: v.roleIdFile, secretIdFile: v.secretIdFile });
}
