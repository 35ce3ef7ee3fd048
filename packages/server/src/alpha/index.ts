/** Alpha: serves mutations, schema changes, queries and exports over its group's posting store. */
import { StoreKeys } from './at-rest.js';
import { ALPHA_DEFAULT_PORT } from '../ports.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SecurityOptions } from '../http/security-options.js';
import type { ServerTls } from '../http/tls-server.js';
import { hostName } from '../http/request-guard.js';
import type { FastifyInstance } from 'fastify';
import type { NodeLogger } from '../http/listen.js';
import { ZeroClient, type KeyProvider, type PostingStore } from '@strata/core';
import { ensureInitialSchema } from './alter.js';
import { buildAlphaApp } from './app.js';
import { Cluster, LocalGroup, toHttpError } from './cluster.js';
import { HttpError } from '../http/errors.js';
import { GroupOwner } from './owner.js';
import { RestoreDirs } from './backup/restore-dirs.js';
import { recoverFiles } from './backup/store-switch.js';
import { startGrpcServer, type AlphaGrpcServer } from './grpc/server.js';
import { startPendingReports } from './pending-report.js';

export { buildAlphaApp, type AlphaAppOptions } from './app.js';
export { AdminWhitelist } from './cidr.js';
export { Cluster, LocalGroup, RemoteGroup, type GroupApi } from './cluster.js';
export { GroupOwner, type PredicateInfo, type WireAlter, type WireSchemaPredicate } from './owner.js';
export { openClusterExport, exportToFolder, type ClusterExport } from './export.js';
export { BackupService } from './backup/service.js';
export type { BackupInput, ListBackupsInput, RestoreInput } from './backup/inputs.js';
export type { RestoreState } from './backup/online-restore.js';
export { jsonValue, wkbToGeoJson, hexUid } from './decode.js';
export { INITIAL_SCHEMA } from './alter.js';
export { ALPHA_DEFAULT_GRPC_PORT, API_PROTO } from './grpc/server.js';

export { ALPHA_DEFAULT_PORT };

const require = createRequire(import.meta.url);
const VERSION = (require('../../package.json') as { version: string }).version;

export interface CreateAlphaOptions {
  group: number;
  /** Zero's `host:port` (or `http://host:port`). */
  zero: string;
  /** The posting store folder (`p`). Created when missing. */
  dataDir: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  token: string;
  /** CIDRs besides loopback allowed to use `/admin`. */
  adminWhitelist?: string[];
  /** The `host:port` other nodes reach this Alpha at (default: the listen host, loopback for 0.0.0.0). */
  my?: string;
  /** Where the admin export writes (default: `export/` beside the data folder). */
  exportDir?: string;
  logger?: NodeLogger;
  /**
   * The cluster's encryption key (`--encryption_key_file` or the `--vault_*` flags through
   * `keyProviderFrom`): every backup is encrypted with it, and it opens encrypted restores.
   */
  keyProvider?: KeyProvider | undefined;
  /**
   * `--encryption key-file=...`: the cluster's master key for encryption at rest. The store (and
   * every store a restore writes) is sealed under a data key wrapped by it (docs/design/
   * encryption-at-rest.md). Absent: plain stores.
   */
  atRest?: KeyProvider | undefined;
  /** `--security`: the auth token, where it is required, and the whitelist. */
  security?: Pick<SecurityOptions, 'token' | 'tokenFor'>;
  /**
   * `--restore_dirs`: the folders an `/admin` restore may name files in (key file, Vault role-id
   * and secret-id files, a local location). None: a restore may name no key or Vault file.
   */
  restoreDirs?: string[] | undefined;
  /**
   * `--tls` (see ../http/tls-server.ts): this Alpha serves https, and reaches Zero and the other
   * Alphas over https (with its client certificate under `internal-port=true`).
   */
  tls?: ServerTls | undefined;
  /**
   * Dgraph's gRPC API (./grpc/) on this port (0 picks a free one), same host and TLS as HTTP;
   * none when undefined. The CLI gives 9080 + --port_offset.
   */
  grpcPort?: number | undefined;
}

export interface Alpha {
  app: FastifyInstance;
  /** The live posting store (an online restore replaces it). */
  readonly store: PostingStore;
  cluster: Cluster;
  url: string;
  port: number;
  /** The address registered with Zero. */
  address: string;
  /** The gRPC port, when `grpcPort` was given. */
  grpcPort: number | undefined;
  close(): Promise<void>;
}

/** Opens the store, registers with Zero, builds the app and listens. */
export async function createAlpha(opts: CreateAlphaOptions): Promise<Alpha> {
  if (!opts.token) throw new HttpError('BAD_REQUEST', 'a cluster token is required (non-empty)');
  const host = opts.host ?? '127.0.0.1';
  const dataDir = path.resolve(opts.dataDir);
  const restoreDirs = await RestoreDirs.open(opts.restoreDirs);
  const keys = new StoreKeys(opts.group, opts.atRest);
  let store: PostingStore;
  try {
    // An online restore interrupted by a crash: finish or roll back its files first.
    await recoverFiles(dataDir);
    store = await keys.open(dataDir, true);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new HttpError(
      'STORE',
      `cannot open the posting store ${dataDir} for group ${opts.group}: ${msg}`,
      500,
    );
  }
  const owner = new GroupOwner(store, opts.group, keys);
  const transport = opts.tls?.transport;
  const zero = new ZeroClient(opts.zero, opts.token, {
    mapError: toHttpError,
    ...(transport ? { transport } : {}),
  });
  let app: FastifyInstance | undefined;
  let grpc: AlphaGrpcServer | undefined;
  let reports: { stop(): void } | undefined;
  try {
    // Listen first (port 0 picks one), then register the real address with Zero.
    const local = new LocalGroup(owner, opts.my ?? '');
    const cluster = new Cluster(zero, local, opts.token, transport);
    app = await buildAlphaApp({
      cluster,
      token: opts.token,
      adminWhitelist: opts.adminWhitelist,
      exportDir: opts.exportDir ?? path.join(path.dirname(dataDir), 'export'),
      version: VERSION,
      logger: opts.logger,
      keyProvider: opts.keyProvider,
      dataDir,
      restoreDirs,
      authToken: opts.security?.token,
      tokenFor: opts.security?.tokenFor ?? 'all',
      hostnames: [host, ...(opts.my ? [hostName(opts.my)] : [])],
      tls: opts.tls,
    });
    await app.listen({ port: opts.port ?? ALPHA_DEFAULT_PORT, host });
    const a = app.server.address();
    const port = typeof a === 'object' && a ? a.port : (opts.port ?? ALPHA_DEFAULT_PORT);
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const advertiseHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : shownHost;
    const address = opts.my ?? `${advertiseHost}:${port}`;
    local.addr = address;
    await zero.connect(opts.group, address);
    reports = startPendingReports(zero, address, cluster.txns, cluster.inflight, app.log, (o) =>
      local.owner.holdFrom(o),
    );
    // A restore staged here before a restart: Zero's decision finishes or rolls it back.
    await app.backups.participant.resume();
    await ensureInitialSchema(cluster);
    cluster.ready = true;
    if (opts.grpcPort !== undefined) {
      grpc = await startGrpcServer({
        cluster,
        host,
        port: opts.grpcPort,
        tls: opts.tls,
        version: VERSION,
        authToken: opts.security?.token,
        tokenFor: opts.security?.tokenFor ?? 'all',
        log: app.log,
      });
    }
    const grpcServer = grpc;
    let closing: Promise<void> | undefined;
    const started = app;
    return {
      app: started,
      get store() {
        return owner.store;
      },
      cluster,
      url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`,
      port,
      address,
      grpcPort: grpcServer?.port,
      close() {
        closing ??= (async () => {
          try {
            await grpcServer?.close();
            await started.close();
          } finally {
            reports?.stop();
            cluster.txns.close();
            owner.close();
            owner.store.close();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    reports?.stop();
    await grpc?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    owner.close();
    store.close();
    throw err;
  }
}
