/** Zero's timestamp oracle (snapshot-correct read timestamps) through `fastify.inject`. */
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { TOKEN_HEADER, type OracleOptions } from '../src/index.js';
import { zeroFactory } from './helpers.js';

const TOKEN = 'oracle-token-0123456789';
const zeros = zeroFactory('strata-oracle-test-', TOKEN);
const zero = async (oracle?: OracleOptions) => (await zeros.start({ oracle })).app;

const headers = { [TOKEN_HEADER]: TOKEN };

async function commitTs(app: FastifyInstance): Promise<bigint> {
  const r = await app.inject({ method: 'POST', url: '/internal/oracle/commit-ts', headers, payload: {} });
  expect(r.statusCode).toBe(200);
  return BigInt(r.json<{ commitTs: string }>().commitTs);
}

/** A checked commit: its ts (finished at once), or 'conflict'. */
async function checked(
  app: FastifyInstance,
  startTs: bigint,
  keys: string[],
  more: { preds?: string[]; coarse?: string[] } = {},
): Promise<bigint | 'conflict'> {
  const r = await app.inject({
    method: 'POST',
    url: '/internal/oracle/commit-ts',
    headers,
    payload: { startTs: String(startTs), keys, preds: more.preds ?? [], coarse: more.coarse ?? [] },
  });
  expect(r.statusCode).toBe(200);
  const j = r.json<{ commitTs?: string; conflict?: boolean }>();
  if (j.conflict) return 'conflict';
  const ts = BigInt(j.commitTs!);
  await done(app, ts);
  return ts;
}

async function done(app: FastifyInstance, ts: bigint, committed = true) {
  return app.inject({
    method: 'POST',
    url: '/internal/oracle/done',
    headers,
    payload: { commitTs: String(ts), committed },
  });
}

/** Tells the oracle that the commit at `ts` is queued at every group it writes. */
async function queued(app: FastifyInstance, ts: bigint) {
  return app.inject({
    method: 'POST',
    url: '/internal/oracle/queued',
    headers,
    payload: { commitTs: String(ts) },
  });
}

async function readTs(app: FastifyInstance): Promise<bigint> {
  const r = await app.inject({ method: 'GET', url: '/internal/oracle/read-ts', headers });
  expect(r.statusCode).toBe(200);
  return BigInt(r.json<{ readTs: string }>().readTs);
}

describe('timestamp oracle', () => {
  it('hands out a read ts above every finished commit', async () => {
    const app = await zero();
    const c = await commitTs(app);
    expect((await done(app, c)).json()).toEqual({ known: true });
    const r = await readTs(app);
    expect(r).toBeGreaterThan(c);
    // Timestamps are unique and increasing, and /assign keeps working beside the oracle.
    const a = await app.inject('/assign?what=timestamps&num=1');
    expect(BigInt(a.json<{ startId: string }>().startId)).toBeGreaterThan(r);
  });

  it('waits for a pending commit below it, then includes it', async () => {
    const app = await zero({ readWaitMs: 5_000 });
    const c = await commitTs(app);
    const pending = readTs(app);
    await new Promise((r) => setTimeout(r, 50));
    await done(app, c);
    expect(await pending).toBeGreaterThan(c);
  });

  it('stays below a commit still pending after the wait', async () => {
    const app = await zero({ readWaitMs: 50 });
    const c1 = await commitTs(app);
    await done(app, c1);
    const c2 = await commitTs(app);
    const r = await readTs(app);
    expect(r).toBe(c2 - 1n);
    expect(r).toBeGreaterThanOrEqual(c1);
    await done(app, c2, false);
    expect(await readTs(app)).toBeGreaterThan(c2);
  });

  it('treats commits pending past the timeout as aborted', async () => {
    const app = await zero({ readWaitMs: 1_000, pendingTimeoutMs: 30 });
    const c = await commitTs(app);
    await new Promise((r) => setTimeout(r, 60));
    expect(await readTs(app)).toBeGreaterThan(c);
    expect((await done(app, c)).json()).toEqual({ known: false });
  });

  it('hands out the next commit ts only when the previous commit is finished', async () => {
    const app = await zero({ pendingTimeoutMs: 5_000 });
    const c1 = await commitTs(app);
    let second: bigint | undefined;
    const next = commitTs(app).then((t) => (second = t));
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBeUndefined(); // still waiting for c1
    await done(app, c1);
    await next;
    expect(second).toBeGreaterThan(c1);
    await done(app, second!);
  });

  it('hands out the next commit ts once the previous one is queued; reads still wait for done', async () => {
    const app = await zero({ pendingTimeoutMs: 5_000, readWaitMs: 50 });
    const c1 = await commitTs(app);
    expect((await queued(app, c1)).json()).toEqual({ known: true });
    const c2 = await commitTs(app);
    expect(c2).toBeGreaterThan(c1);
    // c1 is queued, not applied: a read stays below it
    expect(await readTs(app)).toBe(c1 - 1n);
    await done(app, c1);
    await done(app, c2);
    expect(await readTs(app)).toBeGreaterThan(c2);
    expect((await queued(app, c1)).json()).toEqual({ known: false });
  });

  it('an expired commit frees the next one', async () => {
    const app = await zero({ pendingTimeoutMs: 50 });
    const c1 = await commitTs(app);
    const c2 = await commitTs(app); // waits for c1's expiry
    expect(c2).toBeGreaterThan(c1);
    await done(app, c2);
  });

  it('needs the cluster token and a valid body', async () => {
    const app = await zero();
    expect((await app.inject({ method: 'POST', url: '/internal/oracle/commit-ts' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/internal/oracle/read-ts' })).statusCode).toBe(401);
    const bad = await app.inject({
      method: 'POST',
      url: '/internal/oracle/done',
      headers,
      payload: { commitTs: 'x', committed: true },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses a commit when a transaction committed since its start wrote one of its keys', async () => {
    const app = await zero();
    const a = await readTs(app);
    const b = await readTs(app);
    expect(await checked(app, a, ['k1', 'k2'])).toBeTypeOf('bigint');
    // b started before a committed and writes k2: it loses.
    expect(await checked(app, b, ['k2'])).toBe('conflict');
    // Another key, or a start after a's commit, is fine.
    expect(await checked(app, b, ['k3'])).toBeTypeOf('bigint');
    const c = await readTs(app);
    expect(await checked(app, c, ['k1', 'k2'])).toBeTypeOf('bigint');
  });

  it('coarse keys conflict with any commit on their predicates, both ways', async () => {
    const app = await zero();
    const a = await readTs(app);
    const b = await readTs(app);
    expect(await checked(app, a, ['x'], { preds: ['name'] })).toBeTypeOf('bigint');
    expect(await checked(app, b, [], { preds: ['name'], coarse: ['name'] })).toBe('conflict');
    const c = await readTs(app);
    const d = await readTs(app);
    expect(await checked(app, c, [], { preds: ['name'], coarse: ['name'] })).toBeTypeOf('bigint');
    expect(await checked(app, d, ['y'], { preds: ['name'] })).toBe('conflict');
    expect(await checked(app, d, ['y'], { preds: ['age'] })).toBeTypeOf('bigint');
  });

  it('refuses a transaction older than what it still remembers', async () => {
    const app = await zero();
    const c = app.oracle.conflicts;
    const a = await readTs(app);
    // A start ts below the first this Zero handed out (a transaction from before a restart).
    expect(await checked(app, a - 1n, ['fresh'])).toBe('conflict');
    expect(await checked(app, a, ['fresh'])).toBeTypeOf('bigint');
    expect(c.size).toBe(1);
  });
});
