/**
 * `/internal/restore-decision`: the decision point of a two-phase online restore. Without
 * `decide` it reads a restore's decision; with it, it records one unless one is recorded
 * already, and answers the recorded one (see ZeroStore.decideRestore).
 */
import type { FastifyPluginAsync } from 'fastify';
import { MAX_GROUPS, type RestoreOutcome } from '../state.js';
import { predicateSchema, withErrors } from './schemas.js';

interface Body {
  id: string;
  decide?: RestoreOutcome;
  tablets?: { predicate: string; group: number }[];
}

const restoreDecisionRoutes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: Body }>(
    '/restore-decision',
    {
      schema: {
        body: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' },
            decide: { type: 'string', enum: ['commit', 'abort'] },
            tablets: {
              type: 'array',
              maxItems: 1_000_000,
              items: {
                type: 'object',
                required: ['predicate', 'group'],
                additionalProperties: false,
                properties: {
                  predicate: predicateSchema,
                  group: { type: 'integer', minimum: 1, maximum: MAX_GROUPS },
                },
              },
            },
          },
        },
        response: withErrors({
          type: 'object',
          required: ['decision'],
          properties: { decision: { type: 'string', enum: ['pending', 'commit', 'abort'] } },
        }),
      },
    },
    async (req) => {
      const b = req.body;
      if (b.decide === undefined) return { decision: await app.zero.restoreDecision(b.id) };
      return { decision: await app.zero.decideRestore(b.id, b.decide, b.tablets ?? []) };
    },
  );
};

export default restoreDecisionRoutes;
