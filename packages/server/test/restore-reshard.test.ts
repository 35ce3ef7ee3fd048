// Online re-sharding and partial restore (issue 18): a series backed up by a 3-group cluster is
// restored by the `restore` mutation into a 2-group cluster (DQL answers as on the source, Zero's
// tablets on the layout's groups), then partially (`predicates`), which replaces the data by the
// subset; `sameGroups` refuses, and unknown names are refused naming what the backup holds, with
// nothing changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { layoutTablets, restoreOffline } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero, type ZeroStore } from '../src/index.js';

const TOKEN = 'reshard-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-reshard-test-'));
const backups = path.join(root, 'backups');

interface Cluster {
  zero: Zero;
  alphas: Alpha[];
}
let source: Cluster;
let target: Cluster;

async function cluster(name: string, groups: number): Promise<Cluster> {
  const zero = await createZero({ dataDir: path.join(root, name, 'zw'), port: 0, token: TOKEN, groups });
  const alphas: Alpha[] = [];
  for (let g = 1; g <= groups; g++) {
    alphas.push(
      await createAlpha({
        zero: `127.0.0.1:${zero.port}`,
        port: 0,
        token: TOKEN,
        restoreDirs: [root],
        group: g,
        dataDir: path.join(root, name, `p${g}`),
      }),
    );
  }
  return { zero, alphas };
}

async function post(c: Cluster, url: string, type: string, payload: string | object) {
  return c.alphas[0]!.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
}

async function admin(c: Cluster, query: string): Promise<Record<string, unknown>> {
  return (await post(c, '/admin', 'application/json', { query })).json() as Record<string, unknown>;
}

async function query(c: Cluster, q: string): Promise<unknown> {
  const r = await post(c, '/query', 'application/dql', q);
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { data: unknown }).data;
}

async function mutate(c: Cluster, rdf: string): Promise<void> {
  const r = await post(c, '/mutate?commitNow=true', 'application/rdf', `{ set { ${rdf} } }`);
  expect(r.statusCode, r.body).toBe(200);
}

function tablets(c: Cluster): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [gid, g] of Object.entries((c.zero.store as ZeroStore).toJSON().groups)) {
    for (const t of Object.keys(g.tablets)) out[t] = Number(gid);
  }
  return out;
}

async function restore(c: Cluster, args: string): Promise<{ status: string; errors: string[] }> {
  const r = (await admin(
    c,
    `mutation { restore(input: {location: "${backups}"${args}}) { code message restoreId } }`,
  )) as {
    data?: { restore: { code: string; restoreId: number } };
    errors?: { message: string }[];
  };
  if (!r.data?.restore) return { status: 'REFUSED', errors: (r.errors ?? []).map((e) => e.message) };
  for (let i = 0; i < 300; i++) {
    const s = (await admin(
      c,
      `{ restoreStatus(restoreId: ${r.data.restore.restoreId}) { status errors } }`,
    )) as {
      data: { restoreStatus: { status: string; errors: string[] } };
    };
    if (s.data.restoreStatus.status !== 'IN_PROGRESS') return s.data.restoreStatus;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('restore did not finish');
}

const QUERIES = [
  '{ q(func: eq(name, "person 7")) { name age city friend { name } } }',
  '{ q(func: ge(age, 25), orderasc: age) { name age } }',
  '{ q(func: type(Person), first: 5, orderasc: name) { name ~friend { name } } }',
  '{ q(func: has(city)) { count(uid) } }',
  '{ q(func: has(name)) { count(uid) } }',
];

let expected: unknown[];

beforeAll(async () => {
  source = await cluster('source', 3);
  const alter = await post(
    source,
    '/alter',
    'application/dql',
    'name: string @index(exact) .\nage: int @index(int) .\nfriend: [uid] @reverse .\ncity: string .\n' +
      'type Person { name age friend }\ntype Place { city }',
  );
  expect(alter.statusCode, alter.body).toBe(200);
  const rdf = (from: number, to: number) =>
    Array.from(
      { length: to - from },
      (_, k) =>
        `_:p${from + k} <name> "person ${from + k}" .\n_:p${from + k} <age> "${from + k}" .\n` +
        `_:p${from + k} <dgraph.type> "Person" .\n_:p${from + k} <city> "city ${(from + k) % 4}" .\n` +
        (k > 0 ? `_:p${from + k} <friend> _:p${from + k - 1} .\n` : ''),
    ).join('');
  await mutate(source, rdf(0, 20));
  expect(
    JSON.stringify(
      await admin(source, `mutation { backup(input: {destination: "${backups}"}) { response { code } } }`),
    ),
  ).toContain('Success');
  await mutate(source, rdf(20, 30));
  expect(
    JSON.stringify(
      await admin(source, `mutation { backup(input: {destination: "${backups}"}) { response { code } } }`),
    ),
  ).toContain('Success');
  expected = [];
  for (const q of QUERIES) expected.push(await query(source, q));
  // the source spreads its predicates over its 3 groups
  const t = tablets(source);
  expect(new Set(['name', 'age', 'friend', 'city'].map((p) => t[p])).size).toBeGreaterThan(1);
  target = await cluster('target', 2);
  await post(target, '/alter', 'application/dql', 'other: string .');
  await mutate(target, '_:x <other> "old data" .');
}, 120_000);

afterAll(async () => {
  for (const c of [source, target]) {
    for (const a of c?.alphas ?? []) await a.close();
    await c?.zero.close();
  }
  rmSync(root, { recursive: true, force: true });
});

describe('online restore into another group count', () => {
  it('sameGroups refuses a 3-group backup on 2 groups, changing nothing', async () => {
    const r = await restore(target, ', sameGroups: true');
    expect(r.status).toBe('REFUSED');
    expect(r.errors.join()).toMatch(/the backup has 3 groups \(1, 2, 3\) but the cluster has 2 groups/);
    expect(JSON.stringify(await query(target, '{ q(func: has(other)) { other } }'))).toContain('old data');
  });

  it('re-shards a 3-group series onto 2 groups: the same DQL answers, Zero’s tablets on the layout', async () => {
    const r = await restore(target, '');
    expect(r, JSON.stringify(r)).toEqual({ status: 'OK', errors: [] });
    for (const [i, q] of QUERIES.entries()) expect(await query(target, q), q).toEqual(expected[i]);
    expect(await query(target, '{ q(func: has(other)) { other } }')).toEqual({ q: [] });
    const plan = await restoreOffline({
      location: backups,
      pdir: path.join(root, 'dry'),
      targetGroups: 2,
      dryRun: true,
    });
    expect(plan.layout.resharded).toBe(true);
    const t = tablets(target);
    for (const { predicate, group } of layoutTablets(plan.layout))
      expect(t[predicate], predicate).toBe(group);
    // whole predicates, Zero's rule: dgraph.* on group 1, the user predicates balanced
    expect(t['dgraph.type']).toBe(1);
    expect(
      ['age', 'city', 'friend', 'name'].map((p) => t[p]).filter((g) => g === 2).length,
    ).toBeGreaterThanOrEqual(2);
    // new writes go where Zero says, and are read back
    await mutate(target, '_:n <name> "newcomer" .\n_:n <age> "99" .');
    expect(await query(target, '{ q(func: eq(name, "newcomer")) { age } }')).toEqual({ q: [{ age: 99 }] });
  });

  it('a partial restore (predicates) replaces the data by the subset, types trimmed to it', async () => {
    const r = await restore(target, ', predicates: ["name", "friend"]');
    expect(r, JSON.stringify(r)).toEqual({ status: 'OK', errors: [] });
    expect(await query(target, QUERIES[4]!)).toEqual(expected[4]);
    expect(await query(target, '{ q(func: has(age)) { count(uid) } }')).toEqual({ q: [{ count: 0 }] });
    expect(await query(target, '{ q(func: has(city)) { count(uid) } }')).toEqual({ q: [{ count: 0 }] });
    expect(await query(target, '{ q(func: eq(name, "newcomer")) { name } }')).toEqual({ q: [] });
    expect(await query(target, '{ q(func: eq(name, "person 7")) { name friend { name } } }')).toEqual({
      q: [{ name: 'person 7', friend: [{ name: 'person 6' }] }],
    });
    const schema = JSON.stringify(await query(target, 'schema {}'));
    expect(schema).not.toContain('"age"');
    // Person keeps name and friend; Place (city only) is gone
    expect(schema).toMatch(/"name":"Person","fields":\[\{"name":"name"\},\{"name":"friend"\}\]/);
    expect(schema).not.toContain('Place');
  });

  it('namespaces and exclude travel to every group: namespace 0 without city', async () => {
    const r = await restore(target, ', namespaces: ["0x0"], exclude: ["city"]');
    expect(r, JSON.stringify(r)).toEqual({ status: 'OK', errors: [] });
    expect(await query(target, QUERIES[4]!)).toEqual(expected[4]);
    expect(await query(target, QUERIES[1]!)).toEqual(expected[1]);
    expect(await query(target, '{ q(func: has(city)) { count(uid) } }')).toEqual({ q: [{ count: 0 }] });
    const schema = JSON.stringify(await query(target, 'schema {}'));
    expect(schema).toMatch(
      /"name":"Person","fields":\[\{"name":"name"\},\{"name":"age"\},\{"name":"friend"\}\]/,
    );
    expect(schema).not.toContain('Place');
  });

  it('refuses a predicate or namespace the backup does not hold, naming what it holds; nothing changed', async () => {
    const before = await query(target, QUERIES[4]!);
    const r = await restore(target, ', predicates: ["name", "nope"]');
    expect(r.status).toBe('REFUSED');
    expect(r.errors.join()).toMatch(
      /predicates: "nope" is not in the backup, which holds: age, city, dgraph\.drop\.op, dgraph\.type, friend, name/,
    );
    const ns = await restore(target, ', namespaces: ["9"]');
    expect(ns.errors.join()).toContain('namespace 9 is not in the backup (it holds namespaces 0)');
    const bad = await restore(target, ', exclude: ["~friend"]');
    expect(bad.errors.join()).toContain('reverse edge');
    expect(await query(target, QUERIES[4]!)).toEqual(before);
  });
});
