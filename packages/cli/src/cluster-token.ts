/**
 * The cluster token of a node or of `strata restore -z`: `--token_file FILE` (its first line), else
 * `$STRATA_CLUSTER_TOKEN`. `--token TOKEN` is refused (see argv-secrets.ts).
 */
import { readSecretFile } from '@strata/server/cli';
import { Option, type Command } from 'commander';
import { refuseArgvSecret } from './argv-secrets.js';

export interface ClusterTokenFlags {
  token_file?: string;
  tokenFile?: string;
}

const INSTEAD = 'write it to a file (chmod 600) and give --token_file FILE, or set STRATA_CLUSTER_TOKEN';

/** Adds --token_file (and --token-file), and the refused --token. */
export function addClusterTokenOptions(cmd: Command, description: string): Command {
  cmd
    .option('--token_file <file>', description)
    .addOption(new Option('--token-file <file>', 'alias of --token_file').hideHelp());
  return refuseArgvSecret(cmd, '--token <token>', INSTEAD);
}

/**
 * The token and where it came from, or undefined when neither the flag nor the environment gives
 * one. A file others can read draws a warning on stderr under `name`.
 */
export function clusterTokenFrom(
  flags: ClusterTokenFlags,
  name: string,
): { token: string; source: string } | undefined {
  const file = flags.token_file ?? flags.tokenFile;
  if (file !== undefined) {
    const { secret, warning } = readSecretFile(file, 'cluster token');
    if (warning) process.stderr.write(`${name}: warning: ${warning}\n`);
    return { token: secret, source: file };
  }
  const env = process.env.STRATA_CLUSTER_TOKEN?.trim();
  return env ? { token: env, source: 'STRATA_CLUSTER_TOKEN' } : undefined;
}
