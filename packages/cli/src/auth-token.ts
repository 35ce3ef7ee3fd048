/**
 * The auth token a client command sends to a node started with `--security token-file=`
 * (`X-Dgraph-AuthToken`): from `--auth_token_file FILE` or `$STRATA_AUTH_TOKEN`, never from the
 * command line itself, where every user of the machine could read it (`ps`).
 */
import { AUTH_TOKEN_HEADER } from '@strata/core';
import { readSecretFile } from '@strata/server/cli';
import { Option, type Command } from 'commander';

export interface AuthTokenFlags {
  auth_token_file?: string;
  authTokenFile?: string;
}

export function addAuthTokenOption(cmd: Command): Command {
  return cmd
    .option(
      '--auth_token_file <file>',
      "file holding the node's auth token (default: $STRATA_AUTH_TOKEN), sent as X-Dgraph-AuthToken",
    )
    .addOption(new Option('--auth-token-file <file>', 'alias of --auth_token_file').hideHelp());
}

/** The token, or undefined when none is given. Errors name the file, never its contents. */
export function authTokenFrom(flags: AuthTokenFlags): string | undefined {
  const file = flags.auth_token_file ?? flags.authTokenFile;
  if (file !== undefined) return readSecretFile(file, 'auth token').secret;
  return process.env.STRATA_AUTH_TOKEN?.trim() || undefined;
}

/** The request header carrying `token`, or none. */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { [AUTH_TOKEN_HEADER]: token };
}
