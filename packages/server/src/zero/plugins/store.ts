/** Decorates the app with Zero's state store and timestamp oracle (the domain services the routes use). */
import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Oracle } from '../oracle.js';
import type { ZeroState } from '../state.js';
import type { BackupLockService } from '../backup-lock.js';
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { Transport } from '@strata/core';
import { leaderOnly } from '../leader-forward.js';

declare module 'fastify' {
  interface FastifyInstance {
    zero: ZeroState;
    oracle: Oracle;
    backupLock: BackupLockService;
    /** The preHandler of routes only the oracle leader answers (forwarded by a follower). */
    leaderOnly: preHandlerAsyncHookHandler;
  }
}

const store: FastifyPluginAsync<{ store: ZeroState; oracle: Oracle; transport: Transport }> = async (
  app,
  opts,
) => {
  app.decorate('leaderOnly', leaderOnly(opts.store, opts.transport));
  app.decorate('zero', opts.store);
  app.decorate('oracle', opts.oracle);
  app.decorate('backupLock', await opts.store.openBackupLock());
};

export default fp(store, { name: 'zero-store' });
