/**
 * `/internal/*`: what Alphas and restore ask of Zero. Every route requires the cluster token
 * (see ../plugins/cluster-token.ts, registered in this scope by the app).
 */
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../../http/errors.js';
import { MAX_GROUPS, type LeaseKind } from '../state.js';
import {
  anyObject,
  withErrors,
  leaseKindSchema,
  MAX_ASSIGN,
  memberSchema,
  predicateSchema,
  tabletSchema,
  u64StringSchema,
} from './schemas.js';

const U64_MAX = (1n << 64n) - 1n;
const groupIdSchema = { type: 'integer', minimum: 1, maximum: MAX_GROUPS } as const;

const internalRoutes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: { group: number; addr: string } }>(
    '/connect',
    {
      schema: {
        body: {
          type: 'object',
          required: ['group', 'addr'],
          additionalProperties: false,
          properties: { group: groupIdSchema, addr: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: withErrors(memberSchema),
      },
    },
    async (req) => app.zero.connect(req.body.group, req.body.addr),
  );

  app.post<{ Body: { predicate: string } }>(
    '/tablet',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate'],
          additionalProperties: false,
          properties: { predicate: predicateSchema },
        },
        response: withErrors(tabletSchema),
      },
    },
    async (req) => app.zero.tablet(req.body.predicate),
  );

  app.post<{ Body: { predicate: string; group: number } }>(
    '/move-tablet',
    {
      schema: {
        body: {
          type: 'object',
          required: ['predicate', 'group'],
          additionalProperties: false,
          properties: { predicate: predicateSchema, group: groupIdSchema },
        },
        response: withErrors(tabletSchema),
      },
    },
    async (req) => app.zero.moveTablet(req.body.predicate, req.body.group),
  );

  app.post<{ Body: { what: LeaseKind; num?: number; atLeast?: string } }>(
    '/lease',
    {
      schema: {
        body: {
          type: 'object',
          required: ['what'],
          additionalProperties: false,
          properties: {
            what: leaseKindSchema,
            num: { type: 'integer', minimum: 0, maximum: MAX_ASSIGN, default: 0 },
            atLeast: u64StringSchema,
          },
        },
        response: withErrors({
          type: 'object',
          properties: {
            what: { type: 'string' },
            startId: { type: 'string' },
            endId: { type: 'string' },
            nextId: { type: 'string' },
            maxLeased: { type: 'string' },
          },
        }),
      },
    },
    async (req) => {
      let atLeast: bigint | undefined;
      if (req.body.atLeast !== undefined) {
        atLeast = BigInt(req.body.atLeast);
        if (atLeast >= U64_MAX) throw new HttpError('BAD_REQUEST', 'atLeast must be below 2^64 - 1');
      }
      return app.zero.lease(req.body.what, req.body.num ?? 0, atLeast);
    },
  );

  // The cluster-wide backup/restore lock, a lease renewed on a heartbeat (../backup-lock.ts).
  app.post<{
    Body: {
      op: 'acquire' | 'renew' | 'release';
      id: string;
      kind?: string;
      holder?: string;
      description?: string;
      timeoutMs?: number;
    };
  }>(
    '/backup-lock',
    {
      schema: {
        body: {
          type: 'object',
          required: ['op', 'id'],
          additionalProperties: false,
          properties: {
            op: { type: 'string', enum: ['acquire', 'renew', 'release'] },
            id: { type: 'string', minLength: 1, maxLength: 128 },
            kind: { type: 'string', enum: ['backup', 'restore', 'expire'], default: 'backup' },
            holder: { type: 'string', maxLength: 1024 },
            description: { type: 'string', maxLength: 4096 },
            timeoutMs: {
              type: 'integer',
              minimum: 1000,
              maximum: 7 * 24 * 3600 * 1000,
              default: 30_000,
            },
          },
        },
        response: withErrors(anyObject),
      },
    },
    async (req) => {
      const b = req.body;
      if (b.op === 'release') {
        const released = app.backupLock.release(b.id);
        if (released) await app.backupLock.persist();
        return { released };
      }
      const timeoutMs = b.timeoutMs ?? 30_000;
      if (b.op === 'renew') {
        const held = app.backupLock.renew(b.id, timeoutMs);
        return { renewed: true, id: held.id, expires: new Date(held.expires).toISOString() };
      }
      const held = app.backupLock.acquire({
        id: b.id,
        kind: b.kind ?? 'backup',
        ...(b.holder === undefined ? {} : { holder: b.holder }),
        ...(b.description === undefined ? {} : { description: b.description }),
        timeoutMs,
      });
      await app.backupLock.persist();
      return { acquired: true, id: held.id, expires: new Date(held.expires).toISOString() };
    },
  );

  // The timestamp oracle (../oracle.ts): commit timestamps are pending until done.
  const tsResponse = (field: string) =>
    withErrors({ type: 'object', required: [field], properties: { [field]: { type: 'string' } } });

  // With `startTs` and conflict keys (../conflicts.ts): `{conflict: true}` instead of a timestamp.
  const keyList = { type: 'array', maxItems: 4_000_000, items: { type: 'string', maxLength: 4096 } };
  app.post<{ Body: { startTs?: string; keys?: string[]; preds?: string[]; coarse?: string[] } }>(
    '/oracle/commit-ts',
    {
      bodyLimit: 128 * 1024 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { startTs: u64StringSchema, keys: keyList, preds: keyList, coarse: keyList },
        },
        response: withErrors({
          type: 'object',
          properties: { commitTs: { type: 'string' }, conflict: { type: 'boolean' } },
        }),
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const ts = await app.oracle.commitTs(
        b.startTs === undefined
          ? undefined
          : { startTs: BigInt(b.startTs), keys: b.keys ?? [], preds: b.preds ?? [], coarse: b.coarse ?? [] },
      );
      if (ts === 'conflict') {
        app.zeroMetrics.commits.inc({ outcome: 'conflict' });
        return { conflict: true };
      }
      return { commitTs: String(ts) };
    },
  );

  app.post<{ Body: { commitTs: string } }>(
    '/oracle/queued',
    {
      schema: {
        body: {
          type: 'object',
          required: ['commitTs'],
          additionalProperties: false,
          properties: { commitTs: u64StringSchema },
        },
        response: withErrors({ type: 'object', properties: { known: { type: 'boolean' } } }),
      },
    },
    async (req) => ({ known: app.oracle.queued(BigInt(req.body.commitTs)) }),
  );

  app.post<{ Body: { commitTs: string; committed: boolean } }>(
    '/oracle/done',
    {
      schema: {
        body: {
          type: 'object',
          required: ['commitTs', 'committed'],
          additionalProperties: false,
          properties: { commitTs: u64StringSchema, committed: { type: 'boolean' } },
        },
        response: withErrors({ type: 'object', properties: { known: { type: 'boolean' } } }),
      },
    },
    async (req) => {
      const known = app.oracle.done(BigInt(req.body.commitTs), req.body.committed);
      if (known) app.zeroMetrics.commits.inc({ outcome: req.body.committed ? 'committed' : 'aborted' });
      return { known };
    },
  );

  // What each Alpha may still commit (../pending-starts.ts): Zero's conflict memory keeps no more.
  // The answer, the oldest of all, is what the Alphas' stores keep for those transactions' reads.
  app.post<{ Body: { addr: string; oldest?: string } }>(
    '/oracle/pending-starts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['addr'],
          additionalProperties: false,
          properties: { addr: { type: 'string', minLength: 1, maxLength: 512 }, oldest: u64StringSchema },
        },
        response: withErrors({ type: 'object', properties: { oldestOpen: { type: 'string' } } }),
      },
    },
    async (req) => {
      const { addr, oldest } = req.body;
      const starts = app.oracle.pendingStarts;
      starts.report(addr, oldest === undefined ? undefined : BigInt(oldest));
      const floor = starts.floor();
      return floor === null || floor === undefined ? {} : { oldestOpen: String(floor) };
    },
  );

  app.get('/oracle/read-ts', { schema: { response: tsResponse('readTs') } }, async () => ({
    readTs: String(await app.oracle.readTs()),
  }));
};

export default internalRoutes;
