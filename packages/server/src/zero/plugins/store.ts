/** Decorates the app with Zero's state store and timestamp oracle (the domain services the routes use). */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Oracle } from '../oracle.js';
import type { ZeroStore } from '../state.js';
import { BackupLock } from '../backup-lock.js';

declare module 'fastify' {
  interface FastifyInstance {
    zero: ZeroStore;
    oracle: Oracle;
    backupLock: BackupLock;
  }
}

const store: FastifyPluginAsync<{ store: ZeroStore; oracle: Oracle }> = async (app, opts) => {
  app.decorate('zero', opts.store);
  app.decorate('oracle', opts.oracle);
  const lock = new BackupLock(Date.now, opts.store.dataDir);
  await lock.load();
  app.decorate('backupLock', lock);
};

export default fp(store, { name: 'zero-store' });
