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
  const r = await app.inject({ method: 'POST', url: '/internal/oracle/commit-ts', headers });
  expect(r.statusCode).toBe(200);
  return BigInt(r.json<{ commitTs: string }>().commitTs);
}

async function done(app: FastifyInstance, ts: bigint, committed = true) {
  return app.inject({
    method: 'POST',
    url: '/internal/oracle/done',
    headers,
    payload: { commitTs: String(ts), committed },
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
});
