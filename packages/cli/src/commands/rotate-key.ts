/** `strata rotate-key`: rewraps the data keys of the stores encrypted at rest under a new master key. */
import { Command } from 'commander';
import { readKeyFile, rotateStoreKeys, type RotationResult } from '@strata/core';
import path from 'node:path';
import { addVaultOptions, atRestKeyFromFlag, type EncryptionFlags } from '../encryption.js';
import { toJson } from '../format.js';

interface RotateFlags extends EncryptionFlags {
  new_key_file: string;
  json?: boolean;
}

export function renderRotation(r: RotationResult, newKeyFile: string): string {
  const lines = r.stores.map(
    (s) => `${s.dir}: ${s.state === 'rotated' ? 'rotated' : 'already under the new key'}`,
  );
  return (
    `${lines.join('\n')}\n` +
    `master key fingerprint ${r.oldFingerprint} -> ${r.newFingerprint}\n` +
    `from now on start the cluster with --encryption "key-file=${newKeyFile}"\n`
  );
}

export async function runRotateKey(folders: string[], flags: RotateFlags): Promise<void> {
  const current = await atRestKeyFromFlag(flags.encryption ?? '', flags);
  const newFile = path.resolve(flags.new_key_file);
  const [oldKey, newKey] = [await current!.getKey(), await readKeyFile(newFile)];
  try {
    const r = await rotateStoreKeys(
      folders.map((f) => path.resolve(f)),
      oldKey,
      newKey,
    );
    process.stdout.write(flags.json ? toJson(r) : renderRotation(r, newFile));
  } finally {
    oldKey.fill(0);
    newKey.fill(0);
  }
}

const HELP = `
Each store encrypted at rest, and Zero's sealed state, keeps its data under a data key of its own,
wrapped by the cluster's master key in a keys.json beside it. A rotation unwraps every data key in
the FOLDERs with the current master key (--encryption, as the cluster was started) and wraps it
with the new one (--new_key_file): only the keys.json files are rewritten, each atomically, and
the data is not read or rewritten, so it takes milliseconds whatever the store's size. A FOLDER is
a store or Zero's folder (one with keys.json), or one whose subfolders are: a restore's -p folder
(p1, p2, ...) or the --data folder of \`strata start\` (p and zw).

It can run while the cluster serves: an Alpha keeps the data key it opened its store with. It
reads its key file again whenever it needs the master key (an online restore makes a new store),
so move the new key file over the one it was started with, or restart it with the new one.

Every keys.json is checked against the current key before the first is rewritten: a wrong key
changes nothing. A rotation stopped half way can be run again: stores already under the new key
are left as they are.

Examples:
  strata rotate-key strata-data --encryption "key-file=old.key" --new_key_file new.key
  strata rotate-key /var/lib/strata/p1 /var/lib/strata/zw --encryption vault --vault_addr https://vault:8200 \\
    --vault_role_id_file role --vault_secret_id_file secret --new_key_file new.key
`;

export function rotateKeyCommand(): Command {
  const cmd = new Command('rotate-key')
    .description('rewrap the data keys of the stores encrypted at rest under a new master key')
    .argument('<folders...>', "stores, Zero's folder, or folders holding them (p1, p2... or p and zw)")
    .requiredOption(
      '--encryption <options>',
      'the current master key: "key-file=FILE", or "vault" (the key the --vault_* flags read)',
    )
    .requiredOption('--new_key_file <file>', 'the new master key (16, 24 or 32 raw bytes)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', HELP)
    .action((folders: string[], flags: RotateFlags) => runRotateKey(folders, flags));
  return addVaultOptions(cmd);
}
