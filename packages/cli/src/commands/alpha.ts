/** `strata alpha`: run one Alpha (a group's posting store and the query/mutation API) until SIGINT/SIGTERM. */
import path from 'node:path';
import { Command } from 'commander';
import { ALPHA_DEFAULT_GRPC_PORT, ALPHA_DEFAULT_PORT, type LogLevel } from '@strata/server/cli';
import { intArg, listArg } from '../options.js';
import {
  addLogOption,
  addPortOptions,
  exposure,
  SECURITY_OPTION,
  securityFrom,
  untilSignal,
} from '../serve.js';
import { tuneServerHeap } from '../server-heap.js';
import { addEncryptionOptions, clusterKeysFromFlags, type EncryptionFlags } from '../encryption.js';
import { RESTORE_DIRS_OPTION } from '../restore-dirs.js';
import { addClusterTokenOptions, clusterTokenFrom, type ClusterTokenFlags } from '../cluster-token.js';
import { serverTlsFrom, TLS_SERVER_OPTION } from '../tls.js';

interface AlphaFlags extends EncryptionFlags, ClusterTokenFlags {
  group: number;
  zero: string;
  postings: string;
  port?: number;
  grpc_port?: number;
  port_offset: number;
  host: string;
  adminWhitelist?: string[];
  my?: string;
  export?: string;
  security?: string;
  restore_dirs?: string[];
  tls?: string;
  log_level: LogLevel;
}

/**
 * The gRPC port: --grpc_port, else 9080 + --port_offset; with --port alone a free port (several
 * Alphas on one machine given only --port would otherwise all take 9080).
 */
function grpcPortOf(flags: AlphaFlags): number {
  if (flags.grpc_port !== undefined) return flags.grpc_port;
  return flags.port === undefined ? ALPHA_DEFAULT_GRPC_PORT + flags.port_offset : 0;
}

export async function runAlpha(flags: AlphaFlags): Promise<void> {
  const token = clusterTokenFrom(flags, 'strata alpha')?.token;
  if (!token) {
    throw new Error(
      'no cluster token: give --token_file FILE or set STRATA_CLUSTER_TOKEN (the token Zero uses: its DATA/cluster_token is such a file)',
    );
  }
  const security = securityFrom(flags.security, 'strata alpha');
  const tls = serverTlsFrom(flags.tls, 'strata alpha');
  const { createAlpha, serverLogger } = await import('@strata/server');
  const keys = await clusterKeysFromFlags(flags);
  const alpha = await createAlpha({
    tls,
    group: flags.group,
    zero: flags.zero,
    dataDir: flags.postings,
    port: flags.port ?? ALPHA_DEFAULT_PORT + flags.port_offset,
    grpcPort: grpcPortOf(flags),
    host: flags.host,
    token,
    adminWhitelist: [...(flags.adminWhitelist ?? []), ...security.whitelist],
    security,
    my: flags.my,
    exportDir: flags.export,
    keyProvider: keys.backups,
    atRest: keys.atRest,
    restoreDirs: flags.restore_dirs,
    logger: serverLogger({ level: flags.log_level, name: `alpha-${flags.group}` }),
  });
  process.stdout.write(
    `strata alpha: group ${flags.group} listening on ${alpha.url}, gRPC on port ${alpha.grpcPort} (registered as ${alpha.address} with Zero ` +
      `${flags.zero}, data ${path.resolve(flags.postings)}; ${exposure(flags.host, security, tls)})\n`,
  );
  await untilSignal('strata alpha', () => alpha.close());
}

const HELP = `
An Alpha serves one group of the cluster: the predicates Zero assigns to that group live in its
posting store (-p). It registers with Zero, and any Alpha answers any request: mutations are split
per owner group and committed atomically (two-phase, one commit timestamp from Zero), queries read
every group at one snapshot.

gRPC API (Dgraph's api.Dgraph service, for dgraph-js, pydgraph, dgo...) on port 9080 + --port_offset
(--grpc_port to choose it; with --port and no --grpc_port a free port, printed at start): Query
(queries, mutations, upserts), Alter, CommitOrAbort, CheckVersion.

HTTP API (as Dgraph Alpha's): POST /mutate?commitNow=true (RDF), POST /alter (schema or drop ops),
POST /query (DQL), GET /export, GET /health, POST /admin (GraphQL: health, state, export, backup,
listBackups, restore, restoreStatus; loopback clients only unless --admin-whitelist lists theirs).
/internal/* needs the cluster token (--token_file FILE or $STRATA_CLUSTER_TOKEN; --token TOKEN is
refused: a command line is visible to every user of the machine).

TLS: --tls "server-cert=F; server-key=F; ca-cert=F" serves https and makes this Alpha reach Zero
and the other Alphas over https; "internal-port=true; client-cert=F; client-key=F" adds mutual
TLS between nodes (/internal/* also needs a client certificate signed by ca-cert).

Encryption: with --encryption_key_file (or the --vault_* flags) every backup this cluster takes is
encrypted (AES-CTR) and its manifest says "encrypted": true; give every Alpha the same key.

A folder written by "strata restore -p DIR" (DIR/p<N>) is served with -p DIR/p<N> --group N.

A store folder of another group, or of a newer format, is refused at start.

Examples:
  $ strata zero --groups 2 --data zw
  $ strata alpha --group 1 --zero localhost:6080 -p p1 --token_file zw/cluster_token
  $ strata alpha --group 2 --zero localhost:6080 -p p2 --port_offset 1 --token_file zw/cluster_token
`;

export function alphaCommand(): Command {
  const cmd = new Command('alpha')
    .description("run an Alpha: one group's posting store and the mutation, query and admin API")
    .requiredOption('--group <n>', 'the group this Alpha serves', intArg(1, 1000))
    .option(
      '--zero <host:port>',
      "Zero's address; several Zeros on one etcd: a:6080,b:6080 (tried in turn)",
      '127.0.0.1:6080',
    )
    .option('-p, --postings <dir>', 'posting store folder (created if missing)', 'p');
  addLogOption(addPortOptions(cmd, ALPHA_DEFAULT_PORT))
    .option(
      '--grpc_port <n>',
      `gRPC port (default ${ALPHA_DEFAULT_GRPC_PORT} + --port_offset, or a free port when --port is given; 0 picks a free port)`,
      intArg(0, 65535),
    )
    .option(
      '--my <host:port>',
      'the address other nodes reach this Alpha at (default: loopback and the port)',
    )
    .option(
      '--admin-whitelist <cidrs>',
      'comma-separated CIDRs allowed to use /admin besides loopback',
      listArg,
    )
    .option(...SECURITY_OPTION)
    .option(...TLS_SERVER_OPTION)
    .option('--export <dir>', 'where the admin export writes (default: export/ beside the posting folder)')
    .option(...RESTORE_DIRS_OPTION);
  addClusterTokenOptions(cmd, 'file holding the cluster token (default: $STRATA_CLUSTER_TOKEN)');
  return addEncryptionOptions(cmd)
    .addHelpText('after', HELP)
    .action(async (flags: AlphaFlags) => {
      tuneServerHeap(); // a server process: keep its heap near what is live (server-heap.ts)
      return runAlpha(flags);
    });
}
