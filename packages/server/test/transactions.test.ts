/**
 * Open transactions over Dgraph's HTTP API, on two groups: `/mutate` without commitNow keeps the
 * mutation until `/commit?startTs=`, `abort=true` drops it, the transaction's own reads see its
 * writes, and conflicting commits abort as Dgraph's do (the same scalar, an `@upsert` index token;
 * not values added to a list).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'txn-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-txn-test-'));
let zero: Zero;
let alphas: Alpha[] = [];

interface Answer {
  data?: Record<string, unknown> & { uids?: Record<string, string>; q?: unknown[] };
  extensions?: { txn?: { start_ts: number; commit_ts?: number; keys?: string[]; preds?: string[] } };
  errors?: { message: string; extensions?: { strata?: string } }[];
  code?: string;
}

async function post(url: string, payload: string, type = 'application/rdf', a = 0): Promise<Answer> {
  const r = await alphas[a]!.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<Answer>();
}

const mutate = (rdf: string, q = '', a = 0) =>
  post(`/mutate${q ? `?${q}` : ''}`, `{ set {\n${rdf}\n} }`, undefined, a);
const commit = (t: Answer, a = 0) =>
  post(
    `/commit?startTs=${t.extensions!.txn!.start_ts}`,
    JSON.stringify({ keys: t.extensions!.txn!.keys, preds: t.extensions!.txn!.preds }),
    'application/json',
    a,
  );
const query = async (q: string, startTs?: number) =>
  (await post(`/query${startTs ? `?startTs=${startTs}` : ''}`, q, 'application/dql')).data!.q;

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  const common = { zero: `127.0.0.1:${zero.port}`, port: 0, token: TOKEN };
  alphas = [
    await createAlpha({ ...common, group: 1, dataDir: path.join(root, 'p1') }),
    await createAlpha({ ...common, group: 2, dataDir: path.join(root, 'p2') }),
  ];
  await post(
    '/alter',
    'name: string @index(exact) .\nemail: string @index(exact) @upsert .\nnick: [string] .\nage: int .',
    'text/plain',
  );
});

afterAll(async () => {
  for (const a of alphas) await a.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('open transactions', () => {
  it('keep their mutations invisible until /commit, then commit them all at once', async () => {
    const t = await mutate('_:x <name> "Txn One" .\n_:x <age> "7" .');
    expect(t.extensions!.txn!.commit_ts).toBeUndefined();
    expect(t.extensions!.txn!.keys!.length).toBeGreaterThan(0);
    expect(t.extensions!.txn!.preds).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+-0-name$/)]));
    const x = t.data!.uids!.x!;
    const more = await mutate(`<${x}> <nick> "one" .`, `startTs=${t.extensions!.txn!.start_ts}`);
    expect(more.extensions!.txn!.start_ts).toBe(t.extensions!.txn!.start_ts);
    const q = `{ q(func: uid(${x})) { name age nick } }`;
    expect(await query(q)).toEqual([]);
    // Its own reads see its writes, through the data and the indexes, on both groups.
    const mine = t.extensions!.txn!.start_ts;
    expect(await query(q, mine)).toEqual([{ name: 'Txn One', age: 7, nick: ['one'] }]);
    expect(await query('{ q(func: eq(name, "Txn One")) { age } }', mine)).toEqual([{ age: 7 }]);
    expect(await query('{ q(func: eq(name, "Txn One")) { age } }')).toEqual([]);
    const c = await commit({
      extensions: {
        txn: { ...t.extensions!.txn!, keys: [...t.extensions!.txn!.keys!, ...more.extensions!.txn!.keys!] },
      },
    });
    expect(c.extensions!.txn!.commit_ts).toBeGreaterThan(t.extensions!.txn!.start_ts);
    expect(await query(q)).toEqual([{ name: 'Txn One', age: 7, nick: ['one'] }]);
    // The snapshot at the start ts still shows nothing.
    expect(await query(q, t.extensions!.txn!.start_ts)).toEqual([]);
  });

  it('abort drops them', async () => {
    const t = await mutate('_:x <name> "Never Seen" .');
    const r = await post(`/commit?startTs=${t.extensions!.txn!.start_ts}&abort=true`, '', 'application/json');
    expect(r).toEqual({ code: 'Success', message: 'Done' });
    expect(await query('{ q(func: eq(name, "Never Seen")) { uid } }')).toEqual([]);
    // Committing it afterwards, with its keys, is refused rather than reported as done.
    const late = await commit(t);
    expect(late.errors?.[0]?.message).toMatch(/not open on this Alpha.*nothing was committed/);
  });

  it('the second committer of the same scalar aborts; values added to a list both commit', async () => {
    const base = await mutate('_:n <name> "Contended" .', 'commitNow=true');
    const n = base.data!.uids!.n!;
    const a = await mutate(`<${n}> <age> "1" .\n<${n}> <nick> "a" .`);
    const b = await mutate(`<${n}> <age> "2" .`);
    const c = await mutate(`<${n}> <nick> "c" .`);
    expect((await commit(a)).errors).toBeUndefined();
    const lost = await commit(b);
    expect(lost.errors?.[0]?.message).toBe(
      'rpc error: code = Aborted desc = Transaction has been aborted. Please retry',
    );
    expect(lost.errors?.[0]?.extensions?.strata).toBe('TXN_ABORTED');
    expect((await commit(c)).errors).toBeUndefined();
    expect(await query(`{ q(func: uid(${n})) { age nick } }`)).toEqual([
      { age: 1, nick: expect.arrayContaining(['a', 'c']) },
    ]);
  });

  it('two nodes given the same @upsert e-mail: the second committer aborts', async () => {
    const a = await mutate('_:a <email> "same@example.com" .');
    const b = await mutate('_:b <email> "same@example.com" .');
    expect((await commit(b)).errors).toBeUndefined();
    expect((await commit(a)).errors?.[0]?.message).toMatch(/Transaction has been aborted/);
    expect(await query('{ q(func: eq(email, "same@example.com")) { count(uid) } }')).toEqual([{ count: 1 }]);
  });

  it('a commitNow mutation in an open transaction commits the earlier ones with it', async () => {
    const t = await mutate('_:s <name> "Step one" .');
    const s = t.data!.uids!.s!;
    const now = await mutate(`<${s}> <age> "2" .`, `startTs=${t.extensions!.txn!.start_ts}&commitNow=true`);
    expect(now.extensions!.txn!.commit_ts).toBeGreaterThan(0);
    expect(await query(`{ q(func: uid(${s})) { name age } }`)).toEqual([{ name: 'Step one', age: 2 }]);
  });

  it('a transaction started on one Alpha cannot be committed on another', async () => {
    const t = await mutate('_:o <name> "Elsewhere" .');
    const r = await commit(t, 1);
    expect(r.errors?.[0]?.message).toMatch(/not open on this Alpha/);
    expect((await commit(t, 0)).errors).toBeUndefined();
  });

  it("a transaction's reads see its replaced and deleted values, and an abort forgets them", async () => {
    const base = await mutate(
      '_:r <name> "Before" .\n_:r <nick> "keep" .\n_:r <nick> "drop" .',
      'commitNow=true',
    );
    const r = base.data!.uids!.r!;
    const t = await post('/mutate', `{ set { <${r}> <name> "After" . } delete { <${r}> <nick> "drop" . } }`);
    const ts = t.extensions!.txn!.start_ts;
    expect(await query(`{ q(func: eq(name, "After")) { name nick } }`, ts)).toEqual([
      { name: 'After', nick: ['keep'] },
    ]);
    expect(await query(`{ q(func: eq(name, "Before")) { uid } }`, ts)).toEqual([]);
    expect(await query(`{ q(func: eq(name, "Before")) { nick } }`)).toEqual([
      { nick: expect.arrayContaining(['keep', 'drop']) },
    ]);
    await post(`/commit?startTs=${ts}&abort=true`, '', 'application/json');
    expect(await query(`{ q(func: uid(${r})) { name } }`, ts)).toEqual([{ name: 'Before' }]);
  });

  it('a value its predicate cannot take is refused at the mutation; the transaction goes on', async () => {
    const t = await mutate('_:v <age> "40" .');
    const bad = await mutate('_:w <age> "not a number" .', `startTs=${t.extensions!.txn!.start_ts}`);
    expect(bad.errors?.[0]?.message).toMatch(/not a valid int/);
    expect((await commit(t)).errors).toBeUndefined();
    expect(await query(`{ q(func: uid(${t.data!.uids!.v})) { age } }`)).toEqual([{ age: 40 }]);
  });

  it('concurrent mutations in one transaction all commit, and its reads see all of them', async () => {
    const t = await mutate('_:c <name> "Concurrent" .');
    const c = t.data!.uids!.c!;
    const ts = t.extensions!.txn!.start_ts;
    const more = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((v) => mutate(`<${c}> <nick> "${v}" .`, `startTs=${ts}`)),
    );
    for (const m of more) expect(m.errors).toBeUndefined();
    expect(await query(`{ q(func: uid(${c})) { nick } }`, ts)).toEqual([
      { nick: expect.arrayContaining(['a', 'b', 'c', 'd', 'e']) },
    ]);
    expect((await commit(t)).errors).toBeUndefined();
    const after = (await query(`{ q(func: uid(${c})) { nick } }`)) as { nick: string[] }[];
    expect([...after[0]!.nick].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses a start ts not handed out yet, and a commit without one', async () => {
    const r = await post('/query?startTs=999999999', '{ q(func: has(name)) { uid } }', 'application/dql');
    expect(r.errors?.[0]?.message).toMatch(/startTs 999999999 has not been handed out yet/);
    const c = await post('/commit', '[]', 'application/json');
    expect(c.errors?.[0]?.message).toBe('startTs parameter is mandatory while trying to commit');
    const m = await post('/commit?startTs=3', '', 'application/json');
    expect(m.errors?.[0]?.message).toBe('unexpected end of JSON input');
  });

  it('an upsert block in an open transaction reads its snapshot and commits later', async () => {
    const body = `upsert {
  query { q(func: eq(email, "upsert-txn@example.com")) { v as uid } }
  mutation @if(eq(len(v), 0)) { set { uid(v) <email> "upsert-txn@example.com" . } }
}`;
    const t = await post('/mutate', body);
    expect(t.data!.uids!['uid(v)']).toMatch(/^0x/);
    expect(await query('{ q(func: eq(email, "upsert-txn@example.com")) { uid } }')).toEqual([]);
    // The same upsert again in the transaction finds the node it made: nothing new.
    const again = await post(`/mutate?startTs=${t.extensions!.txn!.start_ts}`, body);
    expect(again.data!.uids).toEqual({});
    expect((await commit(t)).errors).toBeUndefined();
    expect(await query('{ q(func: eq(email, "upsert-txn@example.com")) { uid } }')).toEqual([
      { uid: t.data!.uids!['uid(v)'] },
    ]);
  });

  it("each Alpha tells Zero the oldest start ts it may still commit (what Zero's conflict memory keeps)", async () => {
    const floor = () => zero.app.oracle.pendingStarts.floor();
    const until = async (want: bigint | null) => {
      for (let i = 0; i < 50 && floor() !== want; i++) await new Promise((r) => setTimeout(r, 100));
      return floor();
    };
    expect(await until(null)).toBeNull(); // both Alphas report, nothing pending
    const t = await mutate('_:p <name> "pending-report" .', '', 1);
    const startTs = BigInt(t.extensions!.txn!.start_ts);
    expect(await until(startTs)).toBe(startTs);
    expect((await commit(t, 1)).errors).toBeUndefined();
    expect(await until(null)).toBeNull();
  });

  it('Zero answers each report with the oldest start ts open on any Alpha, and every store holds it', async () => {
    // The transaction writes through Alpha 1 only; Alpha 0's store is told too (its reads at that
    // ts must find what they need: native store/live/horizon.rs, tested there).
    const told = alphas.map((a) => vi.spyOn(a.store, 'holdFrom'));
    const t = await mutate('_:h <name> "held" .', '', 1);
    const startTs = BigInt(t.extensions!.txn!.start_ts);
    const heard = async (i: number, want: bigint | null) => {
      for (let n = 0; n < 50 && told[i]!.mock.lastCall?.[0] !== want; n++)
        await new Promise((r) => setTimeout(r, 100));
      return told[i]!.mock.lastCall?.[0];
    };
    expect(await heard(0, startTs)).toBe(startTs);
    expect(await heard(1, startTs)).toBe(startTs);
    expect((await commit(t, 1)).errors).toBeUndefined();
    expect(await heard(0, null)).toBeNull();
    expect(await heard(1, null)).toBeNull();
    for (const spy of told) spy.mockRestore();
  });
});
