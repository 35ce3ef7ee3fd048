/** Zero's public routes, shaped like Dgraph Zero's HTTP API: `/state`, `/assign`, `/health`. */
import type { FastifyPluginAsync } from 'fastify';
import type { LeaseKind } from '../state.js';
import { assignQuerySchema, leaseKindSchema, MAX_ASSIGN, memberSchema, withErrors } from './schemas.js';

const stateSchema = {
  type: 'object',
  properties: {
    counter: { type: 'string' },
    groups: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          members: { type: 'object', additionalProperties: memberSchema },
          tablets: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              properties: { groupId: { type: 'integer' }, predicate: { type: 'string' } },
            },
          },
          snapshotTs: { type: 'string' },
          checksum: { type: 'string' },
        },
      },
    },
    zeros: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { id: { type: 'string' }, addr: { type: 'string' }, leader: { type: 'boolean' } },
      },
    },
    maxUID: { type: 'string' },
    maxTxnTs: { type: 'string' },
    maxNsID: { type: 'string' },
    maxRaftId: { type: 'string' },
    removed: { type: 'array', items: {} },
    cid: { type: 'string' },
  },
} as const;

const publicRoutes: FastifyPluginAsync = async (app) => {
  app.get('/state', { schema: { response: { 200: stateSchema } } }, async () => app.zero.snapshot());

  app.get<{ Querystring: { what: LeaseKind; num: number } }>(
    '/assign',
    {
      preHandler: app.leaderOnly,
      schema: {
        querystring: assignQuerySchema(leaseKindSchema.enum, MAX_ASSIGN),
        response: withErrors({
          type: 'object',
          required: ['startId', 'endId'],
          properties: { startId: { type: 'string' }, endId: { type: 'string' } },
        }),
      },
    },
    async (req) => app.zero.assign(req.query.what, req.query.num),
  );

  const started = Date.now();
  app.get(
    '/health',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              instance: { type: 'string' },
              groups: { type: 'integer' },
              uptime: { type: 'integer' },
            },
          },
        },
      },
    },
    async () => ({
      status: 'healthy',
      instance: 'zero',
      groups: app.zero.groupCount,
      uptime: Math.floor((Date.now() - started) / 1000),
    }),
  );
};

export default publicRoutes;
