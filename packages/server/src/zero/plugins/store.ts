/** Decorates the app with Zero's state store (the domain service the routes use). */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { ZeroStore } from '../state.js';

declare module 'fastify' {
  interface FastifyInstance {
    zero: ZeroStore;
  }
}

const store: FastifyPluginAsync<{ store: ZeroStore }> = async (app, opts) => {
  app.decorate('zero', opts.store);
};

export default fp(store, { name: 'zero-store' });
