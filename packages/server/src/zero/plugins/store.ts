/** Decorates the app with Zero's state store and timestamp oracle (the domain services the routes use). */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Oracle } from '../oracle.js';
import type { ZeroState } from '../state.js';
import type { BackupLockService } from '../backup-lock.js';

declare module 'fastify' {
  interface FastifyInstance {
    zero: ZeroState;
    oracle: Oracle;
    backupLock: BackupLockService;
  }
}

const store: FastifyPluginAsync<{ store: ZeroState; oracle: Oracle }> = async (app, opts) => {
  app.decorate('zero', opts.store);
  app.decorate('oracle', opts.oracle);
  app.decorate('backupLock', await opts.store.openBackupLock());
};

export default fp(store, { name: 'zero-store' });
