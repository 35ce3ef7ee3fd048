/**
 * The Alpha's gRPC port (Dgraph's 9080): the `api.Dgraph` service of api.proto for Dgraph's
 * official clients. Plaintext, or TLS with the Alpha's own certificate and key under `--tls`.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ServerTls } from '../../http/tls-server.js';
import { dgraphHandlers, DgraphService, type DgraphServiceOptions } from './service.js';

export { ALPHA_DEFAULT_GRPC_PORT } from '../../ports.js';

/** The largest request message (as /mutate's body limit). */
export const GRPC_MAX_RECEIVE_BYTES = 256 * 1024 * 1024;

/** The proto file: beside this module, in src/ (tests) as in dist/ (the build copies it). */
export const API_PROTO = fileURLToPath(new URL('./api.proto', import.meta.url));

let loaded: grpc.ServiceDefinition | undefined;

/** The `api.Dgraph` service definition (uint64 as decimal strings, bytes as Buffers). */
export function dgraphServiceDefinition(): grpc.ServiceDefinition {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(API_PROTO, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    api: { Dgraph: grpc.ServiceClientConstructor };
  };
  loaded = pkg.api.Dgraph.service;
  return loaded;
}

export interface GrpcServerOptions extends DgraphServiceOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: ServerTls | undefined;
}

export interface AlphaGrpcServer {
  port: number;
  close(): Promise<void>;
}

function pem(v: unknown): Buffer | undefined {
  if (v === undefined || v === null) return undefined;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v);
  if (Array.isArray(v)) return Buffer.concat(v.map((x) => pem(x) ?? Buffer.alloc(0)));
  return undefined;
}

/**
 * gRPC credentials from the Alpha's TLS: its certificate and key; client certificates checked
 * against `ca-cert` under REQUIREANDVERIFY and REQUIREANY (grpc-js cannot ask for a certificate
 * without verifying it, so REQUIREANY is verified too), not asked for under REQUEST and VERIFYIFGIVEN.
 */
export function grpcCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const cert = pem(tls.https.cert);
  const key = pem(tls.https.key);
  if (!cert || !key) throw new Error('gRPC over TLS needs the server certificate and key');
  const ca = pem(tls.https.ca);
  const verify = tls.clientAuth === 'REQUIREANDVERIFY' || tls.clientAuth === 'REQUIREANY';
  if (verify && !ca) {
    throw new Error(
      `the gRPC port cannot check client certificates (client-auth-type=${tls.clientAuth}) without ca-cert=FILE in --tls`,
    );
  }
  return grpc.ServerCredentials.createSsl(ca ?? null, [{ private_key: key, cert_chain: cert }], verify);
}

/** Starts the gRPC server on host:port. */
export async function startGrpcServer(opts: GrpcServerOptions): Promise<AlphaGrpcServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': GRPC_MAX_RECEIVE_BYTES,
    'grpc.max_send_message_length': -1,
  });
  const svc = new DgraphService(opts);
  server.addService(dgraphServiceDefinition(), dgraphHandlers(svc, opts.log));
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${opts.port}`, grpcCredentials(opts.tls), (err, p) =>
      err ? reject(new Error(`cannot listen for gRPC on ${host}:${opts.port}: ${err.message}`)) : resolve(p),
    );
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Finish the calls in flight for up to 5 s, then cut the rest.
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closing;
    },
  };
}
