/**
 * `/internal/oracle/*`: the timestamp oracle (../oracle.ts) as the Alphas use it: commit and read
 * timestamps, commits queued and done, the oldest start ts each Alpha may still commit. Only the
 * oracle leader answers them: a Zero on etcd that does not lead forwards them to the leader
 * (../leader-forward.ts). Behind the cluster token, registered in the `/internal` scope by the app.
 */
import type { FastifyPluginAsync } from 'fastify';
import { u64StringSchema, withErrors } from './schemas.js';

const oracleRoutes: FastifyPluginAsync = async (app) => {
  // On a follower, forwarded to the leader (../leader-forward.ts), after the token check.
  app.addHook('preHandler', app.leaderOnly);

  // The timestamp oracle (../oracle.ts): commit timestamps are pending until done.
  const tsResponse = (field: string) =>
    withErrors({ type: 'object', required: [field], properties: { [field]: { type: 'string' } } });

  // With `startTs` and conflict keys (../conflicts.ts): `{conflict: true}` instead of a timestamp.
  const keyList = { type: 'array', maxItems: 4_000_000, items: { type: 'string', maxLength: 4096 } };
  app.post<{ Body: { startTs?: string; keys?: string[]; preds?: string[]; coarse?: string[] } }>(
    '/commit-ts',
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
    '/queued',
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
    '/done',
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
  // With the oldest commit the Alpha is still applying, which a new leader waits for (../oracle.ts).
  app.post<{ Body: { addr: string; oldest?: string; inflight?: string } }>(
    '/pending-starts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['addr'],
          additionalProperties: false,
          properties: {
            addr: { type: 'string', minLength: 1, maxLength: 512 },
            oldest: u64StringSchema,
            inflight: u64StringSchema,
          },
        },
        response: withErrors({ type: 'object', properties: { oldestOpen: { type: 'string' } } }),
      },
    },
    async (req) => {
      const { addr, oldest, inflight } = req.body;
      // The report is also the Alpha's heartbeat; a failed one costs the report nothing.
      await app.zero
        .heartbeat(addr)
        .catch((err: unknown) => req.log.warn({ err }, 'member heartbeat failed'));
      app.oracle.reportInflight(addr, inflight === undefined ? undefined : BigInt(inflight));
      const starts = app.oracle.pendingStarts;
      starts.report(addr, oldest === undefined ? undefined : BigInt(oldest));
      const floor = starts.floor();
      return floor === null || floor === undefined ? {} : { oldestOpen: String(floor) };
    },
  );

  app.get('/read-ts', { schema: { response: tsResponse('readTs') } }, async () => ({
    readTs: String(await app.oracle.readTs()),
  }));
};

export default oracleRoutes;
