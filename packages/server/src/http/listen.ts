/** Fastify's server options for a node: plain http, or https with the node's `--tls`. */
import type { FastifyHttpOptions, FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import type { ServerTls } from './tls-server.js';

/**
 * `base` plus `https` when `tls` is set. Typed as the http server's options: Fastify's https
 * server has the same request/reply API, only its socket is a TLSSocket.
 */
export function fastifyOptions(
  base: FastifyServerOptions,
  tls: ServerTls | undefined,
): FastifyHttpOptions<Server> {
  return (tls ? { ...base, https: tls.https } : base) as FastifyHttpOptions<Server>;
}
