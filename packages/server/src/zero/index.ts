/** Zero: the timestamp oracle, UID/namespace leases, groups and tablets of a Strata cluster. */
import { ZERO_DEFAULT_PORT } from '../ports.js';
import type { FastifyInstance } from 'fastify';
import type { KeyProvider } from '@strata/core';
import type { NodeLogger } from '../http/listen.js';
import { buildZeroApp } from './app.js';
import { ZeroStore } from './state-file.js';
import { EtcdZeroStore } from './etcd/state.js';
import type { ZeroState } from './state.js';
import { freePort } from '../http/free-port.js';
import type { OracleOptions } from './oracle.js';
import type { SecurityOptions } from '../http/security-options.js';
import type { ServerTls } from '../http/tls-server.js';
import { HttpError } from '../http/errors.js';

export { buildZeroApp, type ZeroAppOptions } from './app.js';

export { TOKEN_HEADER, clusterToken, tokenMatches } from './plugins/cluster-token.js';
export { Oracle, type OracleOptions } from './oracle.js';
export { BackupLock, type LockHolder } from './backup-lock.js';
export { STATE_FILE, ZeroStore, type ZeroStoreOptions } from './state-file.js';
export { EtcdZeroStore, type EtcdZeroStoreOptions } from './etcd/state.js';
export {
  DEFAULT_LEASE_BLOCK,
  LEASE_KINDS,
  type AssignResult,
  type Group,
  type LeaseKind,
  type LeaseResult,
  type RestoreDecision,
  type RestoreOutcome,
  type Member,
  type Tablet,
  type TabletResult,
  type ZeroState,
  type ZeroStateJson,
} from './state.js';

export { ZERO_DEFAULT_PORT };

export interface CreateZeroOptions {
  /** The state file's folder (without `etcd`; with it, only the cluster token may live here). */
  dataDir: string;
  /**
   * `--etcd host:port,...`: keep the cluster's state in etcd, shared with every Zero given the
   * same endpoints and prefix; the Zeros elect one oracle leader. Absent: the state file.
   */
  etcd?: {
    endpoints: readonly string[];
    prefix?: string;
    /** The oracle leader's etcd lease (default 10 s). */
    leaderTtlSeconds?: number;
    /** How long an Alpha stays listed alive without a heartbeat (default 10 s). */
    memberTtlSeconds?: number;
  };
  /** `--my host:port`: the address other nodes reach this Zero at (default: host:port when not a wildcard). */
  my?: string;
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
  /** `--encryption`: the state file sealed under this master key (not with etcd). */
  atRest?: KeyProvider | undefined;
}

export interface Zero {
  app: FastifyInstance;
  store: ZeroState;
  /** `http(s)://host:port` it listens on. */
  url: string;
  port: number;
  /** Stops listening, waits for writes in flight, releases the data folder. */
  close(): Promise<void>;
}

/** Opens the data folder, builds the app and listens. */
export async function createZero(opts: CreateZeroOptions): Promise<Zero> {
  const host = opts.host ?? '127.0.0.1';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let port = opts.port ?? ZERO_DEFAULT_PORT;
  let store: ZeroState;
  if (opts.etcd) {
    if (opts.atRest)
      throw new HttpError(
        'BAD_REQUEST',
        '--encryption seals the state file only: with --etcd the state lives in etcd (secure etcd itself)',
      );
    // Its address is its identity among the Zeros, needed before it listens.
    if (port === 0) port = await freePort(host);
    const wildcard = host === '0.0.0.0' || host === '::';
    if (opts.my === undefined && wildcard) {
      throw new HttpError(
        'BAD_REQUEST',
        `a Zero on etcd listening on ${host} needs --my host:port, the address others reach it at`,
      );
    }
    store = await EtcdZeroStore.open({
      endpoints: opts.etcd.endpoints,
      ...(opts.etcd.prefix === undefined ? {} : { prefix: opts.etcd.prefix }),
      ...(opts.etcd.leaderTtlSeconds === undefined ? {} : { ttlSeconds: opts.etcd.leaderTtlSeconds }),
      ...(opts.etcd.memberTtlSeconds === undefined ? {} : { memberTtlSeconds: opts.etcd.memberTtlSeconds }),
      addr: opts.my ?? `${shownHost}:${port}`,
      ...(opts.groups === undefined ? {} : { groups: opts.groups }),
      ...(opts.leaseBlock === undefined ? {} : { leaseBlock: opts.leaseBlock }),
    });
  } else {
    store = await ZeroStore.open({
      dataDir: opts.dataDir,
      groups: opts.groups,
      leaseBlock: opts.leaseBlock,
      atRest: opts.atRest,
    });
  }
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
    await app.listen({ port, host });
  } catch (err) {
    await store.close();
    throw err;
  }
  const addr = app.server.address();
  if (typeof addr === 'object' && addr) port = addr.port;
  store.addr = opts.my ?? `${shownHost}:${port}`;
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
