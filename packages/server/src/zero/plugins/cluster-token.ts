/**
 * The cluster token check for `/internal/*`: the `x-strata-token` header must equal the token,
 * compared in constant time (SHA-256 of both sides, so that lengths leak nothing either).
 * A missing or wrong token gets a bare 401.
 */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import { CLUSTER_TOKEN_HEADER } from '@strata/core';
import { errorBody } from '../../http/errors.js';
import { tokenDigest, tokenMatches } from '../../http/token.js';

export const TOKEN_HEADER = CLUSTER_TOKEN_HEADER;
export { tokenMatches };

const clusterTokenPlugin: FastifyPluginAsync<{ token: string }> = async (app, opts) => {
  const expected = tokenDigest(opts.token);
  app.addHook('onRequest', async (req, reply) => {
    if (!tokenMatches(req.headers[TOKEN_HEADER], expected)) {
      req.log.warn(
        { method: req.method, url: req.url, ip: req.ip },
        'internal route: missing or wrong cluster token',
      );
      return reply.code(401).send(errorBody(401, 'UNAUTHORIZED', 'unauthorized'));
    }
  });
};

/**
 * Registered inside the `/internal` scope: fastify-plugin lifts the hook into that scope (so it
 * covers the routes registered next to it) and no further.
 */
export const clusterToken = fp(clusterTokenPlugin, { name: 'cluster-token' });
