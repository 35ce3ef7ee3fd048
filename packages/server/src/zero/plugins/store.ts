/** Decorates the app with Zero's state store and timestamp oracle (the domain services the routes use). */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Oracle } from '../oracle.js';
import type { ZeroStore } from '../state.js';

declare module 'fastify' {
  interface FastifyInstance {
    zero: ZeroStore;
    oracle: Oracle;
  }
}

const store: FastifyPluginAsync<{ store: ZeroStore; oracle: Oracle }> = async (app, opts) => {
  app.decorate('zero', opts.store);
  app.decorate('oracle', opts.oracle);
};

export default fp(store, { name: 'zero-store' });
