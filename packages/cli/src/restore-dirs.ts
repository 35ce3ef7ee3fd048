/** `--restore_dirs` (`strata alpha`, `strata start`): where `/admin` restore requests may name files. */
import { listArg } from './options.js';

export const RESTORE_DIRS_OPTION = [
  '--restore_dirs <dirs>',
  'comma-separated folders an /admin restore may name files in (its encryptionKeyFile, ' +
    'vaultRoleIDFile, vaultSecretIDFile, a local location); without it a restore may name no ' +
    "key or Vault file (the cluster's own key still opens encrypted backups)",
  listArg,
] as const;
