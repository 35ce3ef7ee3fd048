/** `strata zero`: run Zero (timestamps, UID leases, groups, tablets) until SIGINT/SIGTERM. */
import path from 'node:path';
import { Command } from 'commander';
import { createZero, ZERO_DEFAULT_PORT } from '@strata/server';
import { intArg } from '../options.js';
import { addPortOptions, exposure, SECURITY_OPTION, securityFrom, tokenFile, untilSignal } from '../serve.js';

interface ZeroFlags {
  port?: number;
  port_offset: number;
  data: string;
  host: string;
  token?: string;
  groups?: number;
  security?: string;
}

/** --token, else $STRATA_CLUSTER_TOKEN, else DATA/cluster_token (created with a random token). */
function clusterToken(flags: ZeroFlags): { token: string; source: string } {
  if (flags.token) return { token: flags.token, source: '--token' };
  const env = process.env.STRATA_CLUSTER_TOKEN;
  if (env) return { token: env, source: 'STRATA_CLUSTER_TOKEN' };
  const { token, file, created } = tokenFile(flags.data);
  return { token, source: created ? `${file} (new)` : file };
}

export async function runZero(flags: ZeroFlags): Promise<void> {
  const port = flags.port ?? ZERO_DEFAULT_PORT + flags.port_offset;
  const { token, source } = clusterToken(flags);
  const security = securityFrom(flags.security, 'strata zero');
  const zero = await createZero({
    security,
    dataDir: flags.data,
    port,
    host: flags.host,
    token,
    groups: flags.groups,
    logger: { level: process.env.STRATA_LOG_LEVEL ?? 'warn' },
  });
  process.stdout.write(
    `strata zero: listening on ${zero.url} (data ${path.resolve(flags.data)}, ` +
      `${zero.store.groupCount} group${zero.store.groupCount === 1 ? '' : 's'}, cluster token from ${source}; ${exposure(flags.host, security)})\n`,
  );
  await untilSignal('strata zero', () => zero.close());
}

const HELP = `
Zero hands out transaction timestamps and UIDs, keeps the groups of the cluster and their members
(Alphas register with it) and decides which group serves each predicate (a "tablet"). Its state is
one small file in the data folder; leases are persisted ahead of use, so timestamps and UIDs never
go backwards, even after a crash. HTTP API as Dgraph Zero's: GET /state, GET /assign?what=uids&num=N,
GET /health; /internal/* needs the cluster token (header x-strata-token).

The cluster token comes from --token, else $STRATA_CLUSTER_TOKEN, else DATA/cluster_token (a random
one is created there on first start).

Examples:
  $ strata zero
  $ strata zero --port_offset 1 --data /var/lib/strata/zw --groups 3
`;

export function zeroCommand(): Command {
  return addPortOptions(
    new Command('zero').description(
      'run Zero: timestamps, UID leases, groups and tablets of a Strata cluster',
    ),
    ZERO_DEFAULT_PORT,
  )
    .option('--data <dir>', 'data folder', 'zw')
    .option(
      '--token <token>',
      'cluster token for /internal/* (default: $STRATA_CLUSTER_TOKEN, then DATA/cluster_token)',
    )
    .option(
      '--groups <n>',
      'number of groups (default: as stored, or 1; grows, never shrinks)',
      intArg(1, 1000),
    )
    .option(...SECURITY_OPTION)
    .addHelpText('after', HELP)
    .action(async (flags: ZeroFlags) => runZero(flags));
}
