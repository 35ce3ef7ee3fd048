/** Zero: the timestamp oracle, UID/namespace leases, groups and tablets of a Strata cluster. */
import { ZERO_DEFAULT_PORT } from '../ports.js';
import type { FastifyInstance } from 'fastify';
import type { NodeLogger } from '../http/listen.js';
import { buildZeroApp } from './app.js';
import { ZeroStore } from './state.js';
import type { OracleOptions } from './oracle.js';
import type { SecurityOptions } from '../http/security-options.js';
import type { ServerTls } from '../http/tls-server.js';

export { buildZeroApp, type ZeroAppOptions } from './app.js';

export { TOKEN_HEADER, clusterToken, tokenMatches } from './plugins/cluster-token.js';
export { Oracle, type OracleOptions } from './oracle.js';
export { BackupLock, type LockHolder } from './backup-lock.js';
export {
  DEFAULT_LEASE_BLOCK,
  LEASE_KINDS,
  STATE_FILE,
  ZeroStore,
  type AssignResult,
  type Group,
  type LeaseKind,
  type LeaseResult,
  type RestoreDecision,
  type RestoreOutcome,
  type Member,
  type Tablet,
  type TabletResult,
  type ZeroStateJson,
  type ZeroStoreOptions,
} from './state.js';

export { ZERO_DEFAULT_PORT };

export interface CreateZeroOptions {
  dataDir: string;
  /** Default 6080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  token: string;
  /** The number of groups (default: as stored, or 1). */
  groups?: number;
  logger?: NodeLogger;
  /** Ids reserved per persisted lease block (default 10,000). */
  leaseBlock?: bigint;
  /** The timestamp oracle's timeouts. */
  oracle?: OracleOptions;
  /** `--security`: the auth token, where it is required, and the whitelist. */
  security?: Pick<SecurityOptions, 'token' | 'tokenFor'>;
  /** `--tls` (see ../http/tls-server.ts): https, client certificates, mutual TLS on /internal. */
  tls?: ServerTls | undefined;
}

export interface Zero {
  app: FastifyInstance;
  store: ZeroStore;
  /** `http(s)://host:port` it listens on. */
  url: string;
  port: number;
  /** Stops listening, waits for writes in flight, releases the data folder. */
  close(): Promise<void>;
}

/** Opens the data folder, builds the app and listens. */
export async function createZero(opts: CreateZeroOptions): Promise<Zero> {
  const host = opts.host ?? '127.0.0.1';
  const store = await ZeroStore.open({
    dataDir: opts.dataDir,
    groups: opts.groups,
    leaseBlock: opts.leaseBlock,
  });
  let app: FastifyInstance;
  try {
    app = await buildZeroApp({
      store,
      token: opts.token,
      logger: opts.logger,
      oracle: opts.oracle,
      authToken: opts.security?.token,
      tokenFor: opts.security?.tokenFor ?? 'all',
      hostnames: [host],
      tls: opts.tls,
    });
    await app.listen({ port: opts.port ?? ZERO_DEFAULT_PORT, host });
  } catch (err) {
    await store.close();
    throw err;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? ZERO_DEFAULT_PORT);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  store.addr = `${shownHost}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    url: `${opts.tls ? 'https' : 'http'}://${shownHost}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await store.close();
        }
      })();
      return closing;
    },
  };
}
