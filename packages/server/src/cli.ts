/**
 * `@strata/server/cli`: what the `strata` command needs before it starts a node, without loading
 * the servers themselves (Fastify, gRPC, GraphQL take about a second to load): secret and TLS
 * flags, the N-Quads file reader, the default ports. `strata zero|alpha|start` import the servers
 * (`@strata/server`) when they run.
 */
export { readSecretFile, parseSecurityFlag, type SecurityOptions } from './http/security-options.js';
export { parseTlsFlag } from './http/tls-options.js';
export { serverTls, type ServerTls } from './http/tls-server.js';
export { parseNQuadsFile, parseNQuadsStream } from './parse/stream.js';
export type { NQuad, NodeRef, VarRef } from './parse/nquads.js';
export { LOG_LEVELS, DEFAULT_LOG_LEVEL, type LogLevel } from './http/log-levels.js';
export { ZERO_DEFAULT_PORT, ALPHA_DEFAULT_PORT, ALPHA_DEFAULT_GRPC_PORT } from './ports.js';
