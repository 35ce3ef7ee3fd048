/** `strata zero`: run Zero (timestamps, UID leases, groups, tablets) until SIGINT/SIGTERM. */
import path from 'node:path';
import { Command } from 'commander';
import { ZERO_DEFAULT_PORT, type LogLevel } from '@strata/server/cli';
import { intArg } from '../options.js';
import {
  addLogOption,
  addPortOptions,
  exposure,
  SECURITY_OPTION,
  securityFrom,
  tokenFile,
  untilSignal,
} from '../serve.js';
import { tuneServerHeap } from '../server-heap.js';
import { addClusterTokenOptions, clusterTokenFrom, type ClusterTokenFlags } from '../cluster-token.js';
import { serverTlsFrom, TLS_SERVER_OPTION } from '../tls.js';
import { addVaultOptions, atRestKeyFromFlag } from '../encryption.js';
import type { VaultFlags } from '@strata/core';

interface ZeroFlags extends ClusterTokenFlags, VaultFlags {
  encryption?: string;
  port?: number;
  port_offset: number;
  data: string;
  host: string;
  groups?: number;
  etcd?: string;
  etcd_prefix: string;
  my?: string;
  security?: string;
  tls?: string;
  log_level: LogLevel;
}

/** --token_file, else $STRATA_CLUSTER_TOKEN, else DATA/cluster_token (created with a random token). */
function clusterToken(flags: ZeroFlags): { token: string; source: string } {
  const given = clusterTokenFrom(flags, 'strata zero');
  if (given) return given;
  const { token, file, created } = tokenFile(flags.data);
  return { token, source: created ? `${file} (new)` : file };
}

export async function runZero(flags: ZeroFlags): Promise<void> {
  const port = flags.port ?? ZERO_DEFAULT_PORT + flags.port_offset;
  // The certificate files and the key are checked first: a bad --tls or --encryption leaves
  // nothing behind in DATA.
  const tls = serverTlsFrom(flags.tls, 'strata zero');
  const atRest = await atRestKeyFromFlag(flags.encryption, flags);
  const { token, source } = clusterToken(flags);
  const security = securityFrom(flags.security, 'strata zero');
  const etcd = flags.etcd === undefined ? undefined : etcdFrom(flags);
  const { createZero, serverLogger } = await import('@strata/server');
  const zero = await createZero({
    atRest,
    ...(etcd ? { etcd } : {}),
    ...(flags.my === undefined ? {} : { my: flags.my }),
    security,
    tls,
    dataDir: flags.data,
    port,
    host: flags.host,
    token,
    groups: flags.groups,
    logger: serverLogger({ level: flags.log_level, name: 'zero' }),
  });
  const home = etcd
    ? `state in etcd ${etcd.endpoints.join(',')} under ${etcd.prefix}`
    : `data ${path.resolve(flags.data)}`;
  process.stdout.write(
    `strata zero: listening on ${zero.url} (${home}, ` +
      `${zero.store.groupCount} group${zero.store.groupCount === 1 ? '' : 's'}, cluster token from ${source}; ${exposure(flags.host, security, tls)})\n`,
  );
  await untilSignal('strata zero', () => zero.close());
}

/** `--etcd a:2379,b:2379` and `--etcd_prefix`: checked before anything starts. */
function etcdFrom(flags: ZeroFlags): { endpoints: string[]; prefix: string } {
  const endpoints = (flags.etcd ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (endpoints.length === 0) throw new Error('strata zero: --etcd needs host:port[,host:port...]');
  const prefix = flags.etcd_prefix;
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) {
    throw new Error(`strata zero: --etcd_prefix must start and end with "/", got "${prefix}"`);
  }
  return { endpoints, prefix };
}

const HELP = `
Zero hands out transaction timestamps and UIDs, keeps the groups of the cluster and their members
(Alphas register with it) and decides which group serves each predicate (a "tablet"). Its state is
one small file in the data folder; leases are persisted ahead of use, so timestamps and UIDs never
go backwards, even after a crash. HTTP API as Dgraph Zero's: GET /state, GET /assign?what=uids&num=N,
GET /health; /internal/* needs the cluster token (header x-strata-token).

The cluster token comes from --token_file FILE, else $STRATA_CLUSTER_TOKEN, else DATA/cluster_token
(a random one is created there on first start). --token TOKEN is refused: a command line is
visible to every user of the machine.

Several Zeros: --etcd host:2379,... keeps the state in etcd instead (a 3- or 5-member etcd
cluster for safety), shared by every Zero given the same endpoints and --etcd_prefix. Any Zero
serves groups, tablets, restore decisions and the backup lock; the Zeros elect one oracle leader
through etcd, which alone hands out timestamps, UIDs and namespace ids (the others answer 503
NOT_LEADER naming it, and Alphas given --zero a,b,c move on to the next). A leader that dies or
is paused is replaced within 10 s. Give every Zero the same cluster token (--token_file) and
--my host:port, the address other nodes reach it at.

Encryption at rest: --encryption "key-file=F" (or "vault", the --vault_* flags' key) keeps the
state file sealed (AES-256-GCM under a data key wrapped by that master key in DATA/keys.json), as
the Alphas' stores are; it names every predicate otherwise. Not with --etcd.

TLS: --tls "server-cert=F; server-key=F; ca-cert=F" serves https; add "internal-port=true;
client-cert=F; client-key=F" for mutual TLS between nodes (then /internal/* also needs a client
certificate signed by ca-cert). Give every node the same CA.

Examples:
  $ strata zero
  $ strata zero --port_offset 1 --data /var/lib/strata/zw --groups 3
  $ strata zero --etcd e1:2379,e2:2379,e3:2379 --my zero1:6080 --host 0.0.0.0 --token_file token
  $ strata zero --tls "ca-cert=ca.crt; server-cert=node.crt; server-key=node.key; internal-port=true; client-cert=node.crt; client-key=node.key"
`;

export function zeroCommand(): Command {
  const cmd = addPortOptions(
    new Command('zero').description(
      'run Zero: timestamps, UID leases, groups and tablets of a Strata cluster',
    ),
    ZERO_DEFAULT_PORT,
  ).option('--data <dir>', 'data folder', 'zw');
  return addClusterTokenOptions(
    addVaultOptions(addLogOption(cmd)),
    'file holding the cluster token for /internal/* (default: $STRATA_CLUSTER_TOKEN, then DATA/cluster_token)',
  )
    .option(
      '--groups <n>',
      'number of groups (default: as stored, or 1; grows, never shrinks)',
      intArg(1, 1000),
    )
    .option('--etcd <hosts>', "keep the cluster's state in etcd (host:port,...), shared by several Zeros")
    .option('--etcd_prefix <prefix>', 'the prefix of every etcd key of this cluster', '/strata/')
    .option('--my <host:port>', 'the address other nodes reach this Zero at (default: --host:port)')
    .option(...SECURITY_OPTION)
    .option(...TLS_SERVER_OPTION)
    .option(
      '--encryption <options>',
      '"key-file=FILE" or "vault": seal the state file under that master key (not with --etcd)',
    )
    .addHelpText('after', HELP)
    .action(async (flags: ZeroFlags) => {
      tuneServerHeap(); // a server process: keep its heap near what is live (server-heap.ts)
      return runZero(flags);
    });
}
