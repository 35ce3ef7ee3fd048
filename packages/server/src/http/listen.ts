/** Fastify's server options for a node: plain http, or https with the node's `--tls`; its logger. */
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type FastifyServerOptions,
} from 'fastify';
import type { Server } from 'node:http';
import type { ServerTls } from './tls-server.js';

/**
 * `base` plus `https` when `tls` is set. Typed as the http server's options: Fastify's https
 * server has the same request/reply API, only its socket is a TLSSocket.
 */
export function fastifyOptions(
  base: Omit<FastifyServerOptions, 'logger'> & { logger: NodeLogger },
  tls: ServerTls | undefined,
): FastifyHttpOptions<Server> {
  const { logger, ...rest } = base;
  // Requests are logged at debug by ./request-log.ts, not twice per request at info.
  const logController = new LogController({ disableRequestLogging: true });
  const withLogger = isLoggerInstance(logger)
    ? { ...rest, loggerInstance: logger, logController }
    : { ...rest, logger, logController };
  return (tls ? { ...withLogger, https: tls.https } : withLogger) as FastifyHttpOptions<Server>;
}

/** A node's logger: Fastify's logger options, or a logger already made (./logger.ts). */
export type NodeLogger = FastifyServerOptions['logger'] | FastifyBaseLogger;

function isLoggerInstance(l: NodeLogger): l is FastifyBaseLogger {
  return typeof l === 'object' && l !== null && typeof (l as { child?: unknown }).child === 'function';
}
