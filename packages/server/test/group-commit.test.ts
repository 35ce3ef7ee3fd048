/**
 * Group commit on a one-group cluster (a Zero and one Alpha in process, real stores): the commits
 * that queue up behind a busy store take their timestamps at once and are applied together, in
 * timestamp order, each visible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'group-commit-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-group-commit-test-'));
let zero: Zero;
let alpha: Alpha;

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 1 });
  alpha = await createAlpha({
    zero: `127.0.0.1:${zero.port}`,
    port: 0,
    token: TOKEN,
    group: 1,
    dataDir: path.join(root, 'p'),
  });
});

afterAll(async () => {
  await alpha?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

const mutate = (body: string) =>
  alpha.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: body,
  });

describe('group commit', () => {
  it('applies the commits queued behind a busy store in one group, in timestamp order', async () => {
    // The first commit is held at the store until the others have queued behind it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const store = alpha.store;
    const single = store.applyMutations.bind(store);
    const group = store.applyMutationsGroup.bind(store);
    const calls: bigint[][] = [];
    store.applyMutations = async (ts, edges) => {
      calls.push([ts]);
      if (calls.length === 1) await gate;
      return single(ts, edges);
    };
    store.applyMutationsGroup = async (commits) => {
      calls.push(commits.map((c) => c.commitTs));
      return group(commits);
    };
    try {
      const first = mutate('_:a <gc_label> "g0" .');
      for (let i = 0; i < 500 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(calls).toHaveLength(1);
      // While the first is held, the next seven each get a timestamp and queue.
      const rest = Array.from({ length: 7 }, (_, i) => mutate(`_:b <gc_label> "g${i + 1}" .`));
      for (let i = 0; i < 500 && zero.app.oracle.pendingCount < 8; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(zero.app.oracle.pendingCount).toBe(8);
      release();
      for (const r of await Promise.all([first, ...rest])) expect(r.statusCode, r.body).toBe(200);
      expect(calls).toHaveLength(2);
      expect(calls[1]).toHaveLength(7);
      const all = calls.flat();
      expect([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(all);
    } finally {
      release();
      delete (store as Partial<typeof store>).applyMutations;
      delete (store as Partial<typeof store>).applyMutationsGroup;
    }
    const r = await alpha.app.inject({
      method: 'POST',
      url: '/query',
      headers: { 'content-type': 'application/dql' },
      payload: '{ q(func: has(gc_label), orderasc: gc_label) { gc_label } }',
    });
    const labels = r.json<{ data: { q: { gc_label: string }[] } }>().data.q.map((n) => n.gc_label);
    expect(labels).toEqual(Array.from({ length: 8 }, (_, i) => `g${i}`));
  });
});
