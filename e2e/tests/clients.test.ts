/**
 * Dgraph's official clients against a real `strata start` node: dgraph-js 24.2.0 (gRPC, port
 * 9080 + offset), dgraph-js-http 20.11.0 (HTTP, 8080 + offset) and pydgraph (gRPC, Python, from
 * the venv `scripts/setup/pydgraph.sh` makes), each running the flow of its own basic example.
 * The "open transaction" cases mutate without committing, read inside the transaction, commit,
 * discard and conflict: they need the Alpha's open transactions (/commit, CommitOrAbort).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as dgraph from 'dgraph-js';
import * as dgraphHttp from 'dgraph-js-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { start, waitHealthy, type Proc } from './procs.js';

const execFileP = promisify(execFile);

/** Must match VERSION in scripts/setup/pydgraph.sh. */
const PYDGRAPH_VERSION = '25.2.0';
const cache = process.env.STRATA_CACHE ?? path.join(process.env.HOME ?? tmpdir(), '.cache/strata');
const python = path.join(cache, `pydgraph-${PYDGRAPH_VERSION}`, 'bin/python');

const SCHEMA = `
name: string @index(exact) .
email: string @index(exact) .
age: int .
friend: [uid] @reverse .
type Person {
  name
  email
  age
  friend
}
`;

const BY_NAME = `query people($a: string) {
  people(func: eq(name, $a)) { name age friend { name } ~friend { name } }
}`;

function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A --port_offset whose Zero, HTTP and gRPC ports are all free. */
async function freeOffset(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const o = 20000 + Math.floor(Math.random() * 30000);
    const ok = await Promise.all([6080 + o, 8080 + o, 9080 + o].map(portFree));
    if (ok.every(Boolean)) return o;
  }
  throw new Error('no free port offset');
}

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-clients-'));
let node: Proc;
let httpUrl: string;
let grpcAddr: string;

beforeAll(async () => {
  const offset = await freeOffset();
  node = start(['start', '--data', path.join(tmp, 'data'), '--port_offset', String(offset)]);
  httpUrl = `http://127.0.0.1:${8080 + offset}`;
  grpcAddr = `127.0.0.1:${9080 + offset}`;
  await waitHealthy(httpUrl, node);
  expect(node.out.join('')).toContain(`gRPC API (Dgraph's clients) on port ${9080 + offset}`);
});

afterAll(async () => {
  if (node && node.child.exitCode === null) {
    node.child.kill('SIGTERM');
    await node.exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

type People = {
  people: { name: string; age?: number; friend?: { name: string }[]; '~friend'?: { name: string }[] }[];
};

describe('dgraph-js 24.2.0 (gRPC)', () => {
  let stub: dgraph.DgraphClientStub;
  let client: dgraph.DgraphClient;
  beforeAll(() => {
    stub = new dgraph.DgraphClientStub(grpcAddr, grpc.credentials.createInsecure());
    client = new dgraph.DgraphClient(stub);
  });
  afterAll(() => stub?.close());

  const byName = async (name: string): Promise<People> =>
    (await client.newTxn({ readOnly: true }).queryWithVars(BY_NAME, { $a: name })).getJson() as People;

  it('checks the version, drops all, sets the schema, commits a JSON mutation, queries with variables', async () => {
    const v = await stub.checkVersion(new dgraph.Check());
    expect(v.getTag()).toMatch(/^v25\.4\.0-strata\./);

    const drop = new dgraph.Operation();
    drop.setDropAll(true);
    await client.alter(drop);
    const op = new dgraph.Operation();
    op.setSchema(SCHEMA);
    await client.alter(op);

    const txn = client.newTxn();
    const mu = new dgraph.Mutation();
    mu.setSetJson({
      uid: '_:alice',
      'dgraph.type': 'Person',
      name: 'Alice',
      age: 29,
      friend: [{ uid: '_:bob', 'dgraph.type': 'Person', name: 'Bob', age: 31 }],
    });
    mu.setCommitNow(true);
    const res = await txn.mutate(mu);
    const uids = res.getUidsMap();
    expect(uids.get('alice')).toMatch(/^0x[0-9a-f]+$/);
    expect(uids.get('bob')).toMatch(/^0x[0-9a-f]+$/);
    expect(uids.get('alice')).not.toBe(uids.get('bob'));
    expect(res.getTxn()!.getCommitTs()).toBeGreaterThan(0);

    expect(await byName('Alice')).toEqual({
      people: [{ name: 'Alice', age: 29, friend: [{ name: 'Bob' }] }],
    });
    const bob = await client
      .newTxn({ readOnly: true, bestEffort: true })
      .queryWithVars(BY_NAME, { $a: 'Bob' });
    expect(bob.getJson()).toEqual({ people: [{ name: 'Bob', age: 31, '~friend': [{ name: 'Alice' }] }] });
  });

  it('runs an upsert with txn.doRequest (query + conditional mutation, commitNow)', async () => {
    const upsert = async () => {
      const req = new dgraph.Request();
      req.setQuery('{ u as var(func: eq(name, "Alice")) e as var(func: eq(email, "alice@example.org")) }');
      const mu = new dgraph.Mutation();
      mu.setSetNquads('uid(u) <email> "alice@example.org" .');
      mu.setCond('@if(eq(len(e), 0))');
      req.addMutations(mu);
      req.setCommitNow(true);
      return client.newTxn().doRequest(req);
    };
    await upsert();
    await upsert();
    const q = await client
      .newTxn({ readOnly: true })
      .query('{ e(func: eq(email, "alice@example.org")) { name email } }');
    expect(q.getJson()).toEqual({ e: [{ name: 'Alice', email: 'alice@example.org' }] });
  });

  it('gives a DQL syntax error as the error of the call', async () => {
    await expect(client.newTxn({ readOnly: true }).query('{ q(func: eq(name, ) { name } }')).rejects.toThrow(
      /line 1, column \d+/,
    );
  });

  describe('open transactions (CommitOrAbort)', () => {
    const setNquads = (nq: string): dgraph.Mutation => {
      const mu = new dgraph.Mutation();
      mu.setSetNquads(nq);
      return mu;
    };

    it('mutates without commitNow (invisible outside the transaction), then commits', async () => {
      const txn = client.newTxn();
      try {
        const mu = new dgraph.Mutation();
        mu.setSetJson({ uid: '_:carol', name: 'Carol', age: 40 });
        const res = await txn.mutate(mu);
        expect(res.getUidsMap().get('carol')).toMatch(/^0x/);
        expect(res.getTxn()!.getCommitTs()).toBe(0);
        expect(await byName('Carol')).toEqual({ people: [] });
        await txn.commit();
      } finally {
        await txn.discard();
      }
      expect(await byName('Carol')).toEqual({ people: [{ name: 'Carol', age: 40 }] });
    });

    it('discards without writing, and aborts the second of two conflicting transactions', async () => {
      const d = client.newTxn();
      await d.mutate(setNquads('_:d <name> "Dora" .'));
      await d.discard();
      expect(await byName('Dora')).toEqual({ people: [] });

      const e = await client.newTxn().mutate(
        (() => {
          const mu = setNquads('_:e <name> "Emil" .\n_:e <age> "20" .');
          mu.setCommitNow(true);
          return mu;
        })(),
      );
      const uid = e.getUidsMap().get('e')!;
      const t1 = client.newTxn();
      const t2 = client.newTxn();
      await t1.query(`{ q(func: uid(${uid})) { age } }`);
      await t2.query(`{ q(func: uid(${uid})) { age } }`);
      await t1.mutate(setNquads(`<${uid}> <age> "21" .`));
      await t2.mutate(setNquads(`<${uid}> <age> "22" .`));
      await t1.commit();
      await expect(t2.commit()).rejects.toBe(dgraph.ERR_ABORTED);
      expect(await byName('Emil')).toEqual({ people: [{ name: 'Emil', age: 21 }] });
    });

    it("reads its own uncommitted write inside the transaction (as Dgraph's)", async () => {
      const txn = client.newTxn();
      try {
        await txn.mutate(setNquads('_:f <name> "Fern" .\n_:f <age> "33" .'));
        expect((await txn.queryWithVars(BY_NAME, { $a: 'Fern' })).getJson()).toEqual({
          people: [{ name: 'Fern', age: 33 }],
        });
        expect(await byName('Fern')).toEqual({ people: [] });
      } finally {
        await txn.discard();
      }
    });
  });
});

describe('dgraph-js-http 20.11.0 (HTTP)', () => {
  let client: dgraphHttp.DgraphClient;
  beforeAll(() => {
    client = new dgraphHttp.DgraphClient(new dgraphHttp.DgraphClientStub(httpUrl));
  });
  const byName = async (name: string): Promise<People> =>
    (await client.newTxn({ readOnly: true }).queryWithVars(BY_NAME, { $a: name })).data as People;

  it('drops all, sets the schema, commits a JSON mutation (commitNow), queries with variables', async () => {
    await client.alter({ dropAll: true });
    await client.alter({ schema: SCHEMA });
    const res = await client.newTxn().mutate({
      setJson: { uid: '_:alice', name: 'Alice', age: 29, friend: [{ uid: '_:bob', name: 'Bob', age: 31 }] },
      commitNow: true,
    });
    expect(res.data.uids.alice).toMatch(/^0x[0-9a-f]+$/);
    expect(res.data.uids.bob).toMatch(/^0x[0-9a-f]+$/);
    expect(await byName('Alice')).toEqual({
      people: [{ name: 'Alice', age: 29, friend: [{ name: 'Bob' }] }],
    });
    const q = await client
      .newTxn({ readOnly: true })
      .query('{ q(func: eq(name, "Bob")) { name ~friend { name } } }');
    expect(q.data).toEqual({ q: [{ name: 'Bob', '~friend': [{ name: 'Alice' }] }] });
  });

  it('runs an upsert block through mutate({mutation, commitNow})', async () => {
    const block = `upsert {
      query { u as var(func: eq(name, "Alice")) e as var(func: eq(email, "alice@example.org")) }
      mutation @if(eq(len(e), 0)) { set { uid(u) <email> "alice@example.org" . } }
    }`;
    await client.newTxn().mutate({ mutation: block, isJsonString: false, commitNow: true });
    await client.newTxn().mutate({ mutation: block, isJsonString: false, commitNow: true });
    const q = await client
      .newTxn({ readOnly: true })
      .query('{ e(func: eq(email, "alice@example.org")) { name } }');
    expect(q.data).toEqual({ e: [{ name: 'Alice' }] });
  });

  it('gives a DQL syntax error as an APIError with the message', async () => {
    await expect(client.newTxn().query('{ q(func: eq(name, ) { name } }')).rejects.toMatchObject({
      errors: [expect.objectContaining({ message: expect.stringMatching(/line 1, column \d+/) })],
    });
  });

  describe('open transactions (/mutate without commitNow, /commit)', () => {
    it('mutates (invisible outside until /commit), commits; discards; aborts a conflict', async () => {
      const txn = client.newTxn();
      const res = await txn.mutate({ setJson: { uid: '_:carol', name: 'Carol', age: 40 } });
      expect(res.data.uids.carol).toMatch(/^0x/);
      expect(await byName('Carol')).toEqual({ people: [] });
      await txn.commit();
      expect(await byName('Carol')).toEqual({ people: [{ name: 'Carol', age: 40 }] });

      const d = client.newTxn();
      await d.mutate({ setNquads: '_:d <name> "Dora" .' });
      await d.discard();
      expect(await byName('Dora')).toEqual({ people: [] });

      const uid = res.data.uids.carol!;
      const t1 = client.newTxn();
      const t2 = client.newTxn();
      await t1.query(`{ q(func: uid(${uid})) { age } }`);
      await t2.query(`{ q(func: uid(${uid})) { age } }`);
      await t1.mutate({ setNquads: `<${uid}> <age> "41" .` });
      await t2.mutate({ setNquads: `<${uid}> <age> "42" .` });
      await t1.commit();
      await expect(t2.commit()).rejects.toBe(dgraphHttp.ERR_ABORTED);
      expect(await byName('Carol')).toEqual({ people: [{ name: 'Carol', age: 41 }] });
    });

    it("reads its own uncommitted write inside the transaction (as Dgraph's)", async () => {
      const txn = client.newTxn();
      try {
        await txn.mutate({ setNquads: '_:f <name> "Fern" .\n_:f <age> "33" .' });
        expect((await txn.queryWithVars(BY_NAME, { $a: 'Fern' })).data).toEqual({
          people: [{ name: 'Fern', age: 33 }],
        });
        expect(await byName('Fern')).toEqual({ people: [] });
      } finally {
        await txn.discard();
      }
    });
  });
});

describe(`pydgraph ${PYDGRAPH_VERSION} (gRPC, Python)`, () => {
  const run = async (
    mode: 'basic' | 'txn' | 'own-writes' | 'delete-star',
  ): Promise<Record<string, unknown>> => {
    if (!existsSync(python)) {
      throw new Error(
        `pydgraph is not installed: no ${python}. Run \`bash scripts/setup/pydgraph.sh\` (pnpm test's setup stage does)`,
      );
    }
    const { stdout } = await execFileP(
      python,
      [path.join(repoRoot, 'e2e/clients/pydgraph_flow.py'), grpcAddr, mode],
      { timeout: 60_000, env: { ...process.env, STRATA_SCHEMA: SCHEMA } },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  it("runs the client's basic flow: schema, mutations, queries with variables, upsert, delete, errors", async () => {
    const out = await run('basic');
    expect(out.version).toMatch(/^v25\.4\.0-strata\./);
    const uids = out.uids as Record<string, string>;
    expect(Object.keys(uids).sort()).toEqual(['alice', 'bob']);
    expect(out.commit_ts).toBeGreaterThan(0);
    expect((out.carol as Record<string, string>).carol).toMatch(/^0x/);
    expect(out.alice).toEqual({ people: [{ name: 'Alice', age: 29, friend: [{ name: 'Bob' }] }] });
    expect(out.bob).toEqual({ people: [{ name: 'Bob', age: 31, '~friend': [{ name: 'Alice' }] }] });
    expect(out.emails).toEqual({ e: [{ count: 1 }] });
    expect(out.carol_after_delete).toEqual({ c: [{ name: 'Carol' }] });
    expect(out.bad_query).toEqual({ code: 'UNKNOWN', details: expect.stringMatching(/line 1, column \d+/) });
  });

  it('open transactions: commit (invisible outside until then), discard, a conflict aborted', async () => {
    const out = await run('txn');
    expect((out.dave as Record<string, string>).dave).toMatch(/^0x/);
    expect(out.outside_before_commit).toEqual({ people: [] });
    expect(out.after_commit).toEqual({ people: [{ name: 'Dave', age: 50 }] });
    expect(out.after_discard).toEqual({ people: [] });
    expect(out.conflict).toBe('aborted');
    expect(out.dave_age).toEqual({ people: [{ name: 'Dave', age: 51 }] });
  });

  it("reads its own uncommitted write inside a transaction (as Dgraph's)", async () => {
    const out = await run('own-writes');
    expect(out.inside).toEqual({ people: [{ name: 'Gus', age: 60 }] });
  });

  it('deletes every value of a predicate with <uid> <pred> * in del_nquads', async () => {
    const out = await run('delete-star');
    expect(out.before).toEqual({ people: [{ name: 'Hana', age: 70 }] });
    expect(out.after).toEqual({ people: [{ name: 'Hana' }] });
  });
});
