/**
 * Zero as a Fastify app, built from plugins in the fastify/demo order: infrastructure (error
 * handler), then the domain service (the state store), then routes (public, then `/internal`
 * behind the cluster token).
 */
import type { NodeLogger } from '../http/listen.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { clusterToken } from './plugins/cluster-token.js';
import { requestLog } from '../http/request-log.js';
import errorHandler, { notFoundHandler } from '../http/error-handler.js';
import storePlugin from './plugins/store.js';
import internalRoutes from './routes/internal.js';
import oracleRoutes from './routes/oracle.js';
import restoreDecisionRoutes from './routes/restore-decision.js';
import publicRoutes from './routes/public.js';
import { HttpError } from '../http/errors.js';
import { PLAIN_HTTP } from '@strata/core';
import type { ZeroState } from './state.js';
import { Oracle, type OracleOptions } from './oracle.js';
import { requestGuard, type ExposureOptions } from '../http/request-guard.js';
import { clientCert } from '../http/client-cert.js';
import { fastifyOptions } from '../http/listen.js';
import type { ServerTls } from '../http/tls-server.js';
import { metricsRoutes } from '../metrics/http.js';
import { nodeRegistry } from '../metrics/registry.js';
import { ZeroMetrics } from '../metrics/zero.js';

declare module 'fastify' {
  interface FastifyInstance {
    zeroMetrics: ZeroMetrics;
  }
}

export interface ZeroAppOptions extends ExposureOptions {
  store: ZeroState;
  /** The cluster token that `/internal/*` requires in `x-strata-token`. */
  token: string;
  /** Fastify's logger option (default: off). */
  logger?: NodeLogger;
  /** `--tls`: serve https (and check client certificates); absent: plain http. */
  tls?: ServerTls | undefined;
  /** The timestamp oracle's timeouts (see oracle.ts). */
  oracle?: OracleOptions;
}

export async function buildZeroApp(opts: ZeroAppOptions): Promise<FastifyInstance> {
  if (typeof opts.token !== 'string' || opts.token.length === 0) {
    throw new HttpError('BAD_REQUEST', 'a cluster token is required (non-empty)');
  }
  const app = Fastify(fastifyOptions({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 }, opts.tls));
  await app.register(errorHandler);
  await app.register(requestLog);
  await app.register(requestGuard, opts);
  if (opts.tls) await app.register(clientCert, opts.tls);
  const node = nodeRegistry('zero');
  app.decorate('zeroMetrics', new ZeroMetrics(node.registry, opts.store));
  await app.register(metricsRoutes, { metrics: node });
  await app.register(storePlugin, {
    store: opts.store,
    oracle: new Oracle(opts.store, opts.oracle),
    transport: opts.tls?.transport ?? PLAIN_HTTP,
  });
  await app.register(publicRoutes);
  await app.register(
    async (internal) => {
      await internal.register(clusterToken, { token: opts.token });
      await internal.register(internalRoutes);
      await internal.register(oracleRoutes, { prefix: '/oracle' });
      await internal.register(restoreDecisionRoutes);
      // Unknown internal routes answer after the token check too (no route probing without it).
      internal.setNotFoundHandler(notFoundHandler);
    },
    { prefix: '/internal' },
  );
  await app.ready();
  return app;
}
