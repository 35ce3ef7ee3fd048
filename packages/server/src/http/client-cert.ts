/**
 * Client certificates on a node's TLS port, checked per request (the handshake already refused a
 * bad one under REQUIREANDVERIFY):
 *
 * - `client-auth-type=REQUIREANY`: a request without a client certificate is refused (401).
 * - `client-auth-type=VERIFYIFGIVEN`: a certificate that is given must chain to `ca-cert` (403).
 * - `internal-port=true`: `/internal/*` needs a client certificate signed by `ca-cert`, on top of
 *   the cluster token (401), so that the token alone does not let a stranger in.
 */
import type { TLSSocket } from 'node:tls';
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { errorBody } from './errors.js';
import type { ClientAuthType } from './tls-options.js';

export interface ClientCertOptions {
  clientAuth: ClientAuthType;
  internalPort: boolean;
}

function isInternal(url: string): boolean {
  return url === '/internal' || url.startsWith('/internal/') || url.startsWith('/internal?');
}

const clientCertPlugin: FastifyPluginAsync<ClientCertOptions> = async (app, opts) => {
  app.addHook('onRequest', async (req, reply) => {
    const socket = req.raw.socket as Partial<TLSSocket>;
    if (socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function') return;
    const given = Object.keys(socket.getPeerCertificate()).length > 0;
    const verified = socket.authorized === true;
    if (opts.internalPort && isInternal(req.url) && !verified) {
      req.log.warn({ url: req.url, ip: req.ip }, 'internal route: no verified client certificate');
      return reply
        .code(401)
        .send(
          errorBody(
            401,
            'UNAUTHORIZED',
            'internal routes need a client certificate signed by the cluster CA (--tls internal-port=true)',
          ),
        );
    }
    if (opts.clientAuth === 'REQUIREANY' && !given) {
      return reply
        .code(401)
        .send(
          errorBody(
            401,
            'UNAUTHORIZED',
            'this node needs a client certificate (client-auth-type=REQUIREANY)',
          ),
        );
    }
    if (opts.clientAuth === 'VERIFYIFGIVEN' && given && !verified) {
      req.log.warn({ ip: req.ip, why: socket.authorizationError }, 'client certificate not trusted');
      return reply
        .code(403)
        .send(errorBody(403, 'FORBIDDEN', 'the client certificate is not signed by a CA this node trusts'));
    }
  });
};

/** Registered at the root of a TLS node's app, before its routes. */
export const clientCert = fp(clientCertPlugin, { name: 'client-cert' });
