/**
 * `/internal/*`: what Alphas and restore ask of Zero. Every route requires the cluster token
 * (see ../plugins/cluster-token.ts, registered in this scope by the app).
 */
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../../http/errors.js';
import { MAX_GROUPS, U64_MAX, type LeaseKind } from '../state.js';
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
      preHandler: app.leaderOnly,
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
        const released = await app.backupLock.release(b.id);
        if (released) await app.backupLock.persist();
        return { released };
      }
      const timeoutMs = b.timeoutMs ?? 30_000;
      if (b.op === 'renew') {
        const held = await app.backupLock.renew(b.id, timeoutMs);
        return { renewed: true, id: held.id, expires: new Date(held.expires).toISOString() };
      }
      const held = await app.backupLock.acquire({
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
};

export default internalRoutes;
