/**
 * Dgraph's gRPC API on the Alpha (src/alpha/grpc/): a raw grpc-js client built from Strata's
 * api.proto against an in-process Zero and two Alphas (groups 1 and 2): CheckVersion, Alter,
 * Query with commit-now mutations (N-Quads, JSON, an upsert), queries back, error statuses, the
 * auth token and the limits of a malformed request. gRPC over TLS is tested end to end in
 * e2e/tests/tls.test.ts (dgraph-js against a real Alpha with --tls).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PROTO, createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'grpc-test-cluster-token-0123456789';
const AUTH = 'grpc-test-auth-token-abcdef';
const root = mkdtempSync(path.join(tmpdir(), 'strata-grpc-test-'));

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type Unary = (req: unknown, md: grpc.Metadata, cb: Callback<Record<string, unknown>>) => void;
type DgraphClient = grpc.Client & Record<string, Unary>;

const def = protoLoader.loadSync(API_PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
const api = (grpc.loadPackageDefinition(def) as unknown as { api: { Dgraph: grpc.ServiceClientConstructor } })
  .api;

function client(port: number): DgraphClient {
  return new api.Dgraph(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as DgraphClient;
}

interface Answer {
  json: Buffer;
  uids: Record<string, string>;
  txn: { start_ts: string; commit_ts: string; aborted: boolean; preds: string[] };
  latency: { total_ns: string; processing_ns: string };
}

function call<T = Record<string, unknown>>(
  c: DgraphClient,
  method: string,
  req: unknown,
  md: Record<string, string> = {},
): Promise<T> {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(md)) m.set(k, v);
  return new Promise((resolve, reject) => {
    c[method]!.call(c, req, m, (err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

async function statusOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details };
  }
  throw new Error('the call succeeded');
}

const json = (a: Answer): unknown => JSON.parse(a.json.toString('utf8'));

let zero: Zero;
let a1: Alpha;
let a2: Alpha;
let c1: DgraphClient;
let c2: DgraphClient;

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  const common = { zero: `127.0.0.1:${zero.port}`, port: 0, token: TOKEN, grpcPort: 0 };
  a1 = await createAlpha({ ...common, group: 1, dataDir: path.join(root, 'p1') });
  a2 = await createAlpha({ ...common, group: 2, dataDir: path.join(root, 'p2') });
  c1 = client(a1.grpcPort!);
  c2 = client(a2.grpcPort!);
});

afterAll(async () => {
  c1?.close();
  c2?.close();
  await a1?.close();
  await a2?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('gRPC api.Dgraph', () => {
  it('listens on its own port and answers CheckVersion with a v-tag', async () => {
    expect(a1.grpcPort).toBeGreaterThan(0);
    expect(a1.grpcPort).not.toBe(a1.port);
    const v = await call<{ tag: string }>(c1, 'CheckVersion', {});
    expect(v.tag).toMatch(/^v\d+\.\d+\.\d+-strata\.\d+\.\d+\.\d+$/);
  });

  it('Alter sets a schema, Query with commit-now N-Quads and JSON mutations, and reads back', async () => {
    await call(c1, 'Alter', {
      schema: 'gname: string @index(exact) .\ngage: int .\ngfriend: [uid] @reverse .',
    });
    const schema = json(await call<Answer>(c2, 'Query', { query: 'schema(pred: [gname]) { type index }' }));
    expect(schema).toEqual({ schema: [{ predicate: 'gname', type: 'string', index: true }] });

    const m1 = await call<Answer>(c1, 'Query', {
      mutations: [{ set_nquads: Buffer.from('_:alice <gname> "Alice" .\n_:alice <gage> "31" .') }],
      commit_now: true,
    });
    expect(Object.keys(m1.uids)).toEqual(['alice']);
    expect(m1.uids.alice).toMatch(/^0x[0-9a-f]+$/);
    expect(BigInt(m1.txn.commit_ts)).toBeGreaterThan(BigInt(m1.txn.start_ts));
    expect(m1.json.length).toBe(0);

    // JSON on the other Alpha, commit_now on the mutation itself, an edge to Alice
    const m2 = await call<Answer>(c2, 'Query', {
      mutations: [
        {
          set_json: Buffer.from(
            JSON.stringify({ uid: '_:bob', gname: 'Bob', gage: 27, gfriend: [{ uid: m1.uids.alice }] }),
          ),
          commit_now: true,
        },
      ],
    });
    expect(m2.uids.bob).toMatch(/^0x[0-9a-f]+$/);
    expect(m2.uids.bob).not.toBe(m1.uids.alice);

    const q = await call<Answer>(c1, 'Query', {
      query:
        'query q($n: string) { q(func: eq(gname, $n)) { gname gage gfriend { gname ~gfriend { gname } } } }',
      vars: { $n: 'Bob' },
    });
    expect(json(q)).toEqual({
      q: [{ gname: 'Bob', gage: 27, gfriend: [{ gname: 'Alice', '~gfriend': [{ gname: 'Bob' }] }] }],
    });
    expect(BigInt(q.txn.start_ts)).toBeGreaterThanOrEqual(BigInt(m2.txn.commit_ts));
    expect(BigInt(q.latency.total_ns)).toBeGreaterThan(0n);

    const ro = await call<Answer>(c2, 'Query', {
      query: '{ q(func: eq(gname, "Alice")) { uid gage } }',
      read_only: true,
      best_effort: true,
    });
    expect(json(ro)).toEqual({ q: [{ uid: m1.uids.alice, gage: 31 }] });
  });

  it('runs an upsert (query + conditional mutation) and answers the query in json', async () => {
    const upsert = (name: string) =>
      call<Answer>(c1, 'Query', {
        query: `{ v as var(func: eq(gname, "${name}")) q(func: uid(v)) { gname } }`,
        mutations: [
          {
            set_nquads: Buffer.from(`uid(v) <gname> "${name}" .\nuid(v) <gage> "40" .`),
            cond: '@if(eq(len(v), 0))',
          },
        ],
        commit_now: true,
      });
    const first = await upsert('Carol');
    expect(json(first)).toEqual({ q: [] });
    expect(Object.keys(first.uids)).toHaveLength(1);
    const second = await upsert('Carol');
    expect(json(second)).toEqual({ q: [{ gname: 'Carol' }] });
    expect(second.uids).toEqual({});
    const all = await call<Answer>(c2, 'Query', { query: '{ q(func: eq(gname, "Carol")) { count(uid) } }' });
    expect(json(all)).toEqual({ q: [{ count: 1 }] });
  });

  it('drops data with drop_op, a predicate with drop_attr', async () => {
    const before = await call<Answer>(c1, 'Query', {
      query: '{ q(func: eq(gname, "Alice")) { gname gage } }',
    });
    expect(json(before)).toEqual({ q: [{ gname: 'Alice', gage: 31 }] });
    await call(c2, 'Alter', { drop_attr: 'gage' });
    const q = await call<Answer>(c1, 'Query', { query: '{ q(func: eq(gname, "Alice")) { gname gage } }' });
    expect(json(q)).toEqual({ q: [{ gname: 'Alice' }] });
    await call(c1, 'Alter', { drop_op: 'DATA' });
    const gone = await call<Answer>(c1, 'Query', { query: '{ q(func: has(gname)) { gname } }' });
    expect(json(gone)).toEqual({ q: [] });
  });

  it('answers errors as statuses: bad DQL, bad JSON, RDF, unknown methods, empty operations', async () => {
    const bad = await statusOf(call(c1, 'Query', { query: '{ q(func: eq(gname, "x") { gname }' }));
    expect(bad.code).toBe(grpc.status.UNKNOWN);
    expect(bad.details).toMatch(/line 1, column \d+/);

    const badJson = await statusOf(
      call(c1, 'Query', { mutations: [{ set_json: Buffer.from('{"gname": ') }], commit_now: true }),
    );
    expect(badJson.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badJson.details).toMatch(/mutations\[0\]\.set_json is not valid JSON/);

    const badRdf = await statusOf(
      call(c1, 'Query', { mutations: [{ set_nquads: Buffer.from('_:a <gname> "x" ') }], commit_now: true }),
    );
    expect(badRdf.code).toBe(grpc.status.UNKNOWN);
    expect(badRdf.details).toMatch(/line 1/);

    const rdf = await statusOf(
      call(c1, 'Query', { query: '{ q(func: has(gname)) { gname } }', resp_format: 'RDF' }),
    );
    expect(rdf.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(rdf.details).toMatch(/RDF/);

    const be = await statusOf(
      call(c1, 'Query', { query: '{ q(func: has(gname)) { gname } }', best_effort: true }),
    );
    expect(be.details).toBe('A best effort query must be read-only.');

    const runDql = await statusOf(call(c1, 'RunDQL', { dql_query: '{ q(func: has(gname)) { gname } }' }));
    expect(runDql.code).toBe(grpc.status.UNIMPLEMENTED);

    const empty = await statusOf(call(c1, 'Alter', {}));
    expect(empty.code).toBe(grpc.status.INVALID_ARGUMENT);

    const login = await statusOf(call(c1, 'Login', { userid: 'groot', password: 'password' }));
    expect(login.code).toBe(grpc.status.UNKNOWN);
    expect(login.details).toMatch(/^invalid username or password/);

    const noTxn = await statusOf(call(c1, 'CommitOrAbort', { start_ts: '0' }));
    expect(noTxn.code).toBe(grpc.status.INVALID_ARGUMENT);

    // the server is still up after all of that
    expect((await call<{ tag: string }>(c1, 'CheckVersion', {})).tag).toMatch(/strata/);
  });

  it('answers bytes that are not a Request with a status and stays up', async () => {
    const raw = new grpc.Client(`127.0.0.1:${a1.grpcPort}`, grpc.credentials.createInsecure());
    try {
      const garbage = await new Promise<grpc.ServiceError | null>((resolve) => {
        raw.makeUnaryRequest(
          '/api.Dgraph/Query',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
          (err) => resolve(err),
        );
      });
      expect(garbage?.code).toBe(grpc.status.INTERNAL);
    } finally {
      raw.close();
    }
    expect((await call<{ tag: string }>(c1, 'CheckVersion', {})).tag).toMatch(/strata/);
  });
});

describe('gRPC with --security', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-grpc-sec-'));
  let z: Zero;
  let all: Alpha;
  let cAll: DgraphClient;
  afterAll(async () => {
    cAll?.close();
    await all?.close();
    await z?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the auth-token metadata on every data call under token-for=all, compared exactly', async () => {
    z = await createZero({ dataDir: path.join(dir, 'zw'), port: 0, token: TOKEN, groups: 1 });
    all = await createAlpha({
      zero: `127.0.0.1:${z.port}`,
      port: 0,
      grpcPort: 0,
      token: TOKEN,
      group: 1,
      dataDir: path.join(dir, 'p1'),
      security: { token: AUTH, tokenFor: 'all' },
    });
    cAll = client(all.grpcPort!);
    const metadatas: Record<string, string>[] = [
      {},
      { 'auth-token': 'wrong' },
      { 'auth-token': `${AUTH}x` },
      { 'x-dgraph-authtoken': AUTH },
    ];
    for (const md of metadatas) {
      const q = await statusOf(call(cAll, 'Query', { query: '{ q(func: has(name)) { uid } }' }, md));
      expect(q.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(q.details).toMatch(/auth-token/);
      expect(q.details).not.toContain(AUTH);
      const a = await statusOf(call(cAll, 'Alter', { schema: 'name: string .' }, md));
      expect(a.code).toBe(grpc.status.PERMISSION_DENIED);
      const c = await statusOf(call(cAll, 'CommitOrAbort', { start_ts: '5' }, md));
      expect(c.code).toBe(grpc.status.PERMISSION_DENIED);
    }
    await call(cAll, 'Alter', { schema: 'name: string @index(exact) .' }, { 'auth-token': AUTH });
    const m = await call<Answer>(
      cAll,
      'Query',
      { mutations: [{ set_nquads: Buffer.from('_:x <name> "Xena" .') }], commit_now: true },
      { 'auth-token': AUTH },
    );
    expect(m.uids.x).toMatch(/^0x/);
    const q = await call<Answer>(
      cAll,
      'Query',
      { query: '{ q(func: eq(name, "Xena")) { name } }' },
      { 'auth-token': AUTH },
    );
    expect(json(q)).toEqual({ q: [{ name: 'Xena' }] });
    // CheckVersion reads nothing (as /health)
    expect((await call<{ tag: string }>(cAll, 'CheckVersion', {})).tag).toMatch(/strata/);
  });

  it('under token-for=admin only Alter needs it', async () => {
    const z2 = await createZero({ dataDir: path.join(dir, 'zw2'), port: 0, token: TOKEN, groups: 1 });
    const adminOnly = await createAlpha({
      zero: `127.0.0.1:${z2.port}`,
      port: 0,
      grpcPort: 0,
      token: TOKEN,
      group: 1,
      dataDir: path.join(dir, 'p2'),
      security: { token: AUTH, tokenFor: 'admin' },
    });
    const c = client(adminOnly.grpcPort!);
    try {
      const a = await statusOf(call(c, 'Alter', { schema: 'name: string .' }));
      expect(a.code).toBe(grpc.status.PERMISSION_DENIED);
      await call(c, 'Alter', { schema: 'name: string .' }, { 'auth-token': AUTH });
      const m = await call<Answer>(c, 'Query', {
        mutations: [{ set_nquads: Buffer.from('_:y <name> "Yann" .') }],
        commit_now: true,
      });
      expect(m.uids.y).toMatch(/^0x/);
    } finally {
      c.close();
      await adminOnly.close();
      await z2.close();
    }
  });
});
