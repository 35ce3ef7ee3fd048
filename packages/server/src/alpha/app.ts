/**
 * The Alpha as a Fastify app, built from plugins in the fastify/demo order: infrastructure (error
 * handler), the request guard (who may reach what, `/admin`'s whitelist included) and, on a TLS
 * port, the client certificate checks, then routes (public, `/admin`, `/internal` behind the
 * cluster token). The domain services (the group owner and the cluster client) are built by the caller.
 */
import type { NodeLogger } from '../http/listen.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { KeyProvider } from '@strata/core';
import { clusterToken } from '../zero/plugins/cluster-token.js';
import { BackupService } from './backup/service.js';
import { RestoreDirs } from './backup/restore-dirs.js';
import admin from './admin.js';
import type { Cluster } from './cluster.js';
import { requestLog } from '../http/request-log.js';
import errorHandler, { notFoundHandler } from '../http/error-handler.js';
import { errorBody } from '../http/errors.js';
import { requestGuard, type ExposureOptions } from '../http/request-guard.js';
import { clientCert } from '../http/client-cert.js';
import { fastifyOptions } from '../http/listen.js';
import type { ServerTls } from '../http/tls-server.js';
import internalRoutes from './routes/internal.js';
import { metricsRoutes } from '../metrics/http.js';
import { nodeRegistry } from '../metrics/registry.js';
import { AlphaMetrics } from '../metrics/alpha.js';
import publicRoutes from './routes/public.js';

export interface AlphaAppOptions extends ExposureOptions {
  cluster: Cluster;
  token: string;
  /** Where the admin `export` mutation writes. */
  exportDir: string;
  version: string;
  /** The cluster's encryption key (every backup is encrypted with it). */
  keyProvider?: KeyProvider | undefined;
  /** The posting store folder (online restore swaps it). */
  dataDir: string;
  /** `--restore_dirs`: the folders restore requests may name files in (default: none). */
  restoreDirs?: RestoreDirs | undefined;
  logger?: NodeLogger;
  /** `--tls`: serve https (and check client certificates); absent: plain http. */
  tls?: ServerTls | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Backup and online restore (the Alpha's start-up resumes a restore through it). */
    backups: BackupService;
  }
}

export async function buildAlphaApp(opts: AlphaAppOptions): Promise<FastifyInstance> {
  const app = Fastify(
    fastifyOptions({ logger: opts.logger ?? false, bodyLimit: 256 * 1024 * 1024 }, opts.tls),
  );
  await app.register(errorHandler);
  await app.register(requestLog);
  await app.register(requestGuard, opts);
  if (opts.tls) await app.register(clientCert, opts.tls);
  const node = nodeRegistry('alpha');
  const metrics = new AlphaMetrics(node.registry, {
    group: opts.cluster.groupId,
    dataDir: opts.dataDir,
    current: () => opts.cluster.local.owner.store,
  });
  opts.cluster.local.owner.onCommitWait = (s) => metrics.lockWait.observe({ lock: 'commit' }, s);
  await app.register(metricsRoutes, { metrics: node });
  // Until registered with Zero, only peers' /internal calls and /metrics are served (clients get a 503).
  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/metrics') return;
    if (!opts.cluster.ready && !req.url.startsWith('/internal/')) {
      return reply
        .code(503)
        .send(errorBody(503, 'GROUP_UNAVAILABLE', 'the Alpha is starting: try again shortly'));
    }
    // An online restore is swapping this group's store in: a moment of 503 (the admin API and the
    // restore's own calls stay up).
    if (
      !opts.cluster.local.owner.serving &&
      !req.url.startsWith('/admin') &&
      !req.url.startsWith('/health') &&
      !req.url.startsWith('/internal/restore') &&
      !req.url.startsWith('/internal/forget-tablets')
    ) {
      return reply
        .code(503)
        .send(
          errorBody(
            503,
            'GROUP_UNAVAILABLE',
            `group ${opts.cluster.groupId} is being restored: try again shortly`,
          ),
        );
    }
  });
  const common = { cluster: opts.cluster, version: opts.version };
  const backups = new BackupService({
    cluster: opts.cluster,
    keyProvider: opts.keyProvider,
    dataDir: opts.dataDir,
    version: opts.version,
    log: app.log,
    restoreDirs: opts.restoreDirs ?? (await RestoreDirs.open([])),
    metrics,
  });
  app.decorate('backups', backups);
  app.addHook('onClose', async () => backups.participant.stop());
  await app.register(publicRoutes, common);
  await app.register(admin, { ...common, exportDir: opts.exportDir, backups });
  await app.register(
    async (internal) => {
      await internal.register(clusterToken, { token: opts.token });
      await internal.register(internalRoutes, { owner: opts.cluster.local.owner, backups });
      internal.setNotFoundHandler(notFoundHandler);
    },
    { prefix: '/internal' },
  );
  await app.ready();
  return app;
}
