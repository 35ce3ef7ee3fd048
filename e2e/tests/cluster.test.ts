// A real cluster as processes through the built CLI: Zero and three Alphas (groups 1..3) on free
// loopback ports; the film data set (a slice) loaded with `strata load`; queries; kill -9 and
// restart; failures that must commit nothing; `strata export --alpha` as the oracle.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { readDump } from './harness.js';
import {
  alphaArgs,
  freePort,
  killAll,
  post,
  run,
  secretFile,
  start,
  type Proc,
  waitHealthy,
} from './procs.js';

const FILM = path.resolve(repoRoot, '../shared/datasets/dgraph-film-200k');
const TOKEN = 'e2e-cluster-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-cluster-'));

let zeroPort = 0;
const alphas: { group: number; port: number; dir: string; proc?: Proc }[] = [];
const alphaUrl = (i: number) => `http://127.0.0.1:${alphas[i]!.port}`;

function startAlpha(i: number, dir = alphas[i]!.dir, group = alphas[i]!.group): Proc {
  return start(alphaArgs({ group, zeroPort, dir, port: alphas[i]!.port, token: TOKEN }));
}

async function exportAlpha(i: number, name: string): Promise<{ data: string; schema: string }> {
  const out = path.join(tmp, 'exports', name);
  const r = await run(['export', '--alpha', `127.0.0.1:${alphas[i]!.port}`, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return readDump(out);
}

async function query(i: number, q: string) {
  const r = await post(`${alphaUrl(i)}/query`, q, 'application/dql');
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.data as Record<string, Record<string, unknown>[]>;
}

async function tablets(): Promise<Record<string, string[]>> {
  const s = (await (await fetch(`http://127.0.0.1:${zeroPort}/state`)).json()) as {
    groups: Record<string, { tablets: Record<string, unknown> }>;
  };
  return Object.fromEntries(Object.entries(s.groups).map(([g, v]) => [g, Object.keys(v.tablets)]));
}

beforeAll(async () => {
  if (!existsSync(FILM)) throw new Error(`film data set not found at ${FILM}`);
  zeroPort = await freePort();
  const zero = start([
    'zero',
    '--port',
    String(zeroPort),
    '--host',
    '127.0.0.1',
    '--data',
    path.join(tmp, 'zw'),
    '--groups',
    '3',
    '--token_file',
    secretFile(TOKEN),
  ]);
  await waitHealthy(`http://127.0.0.1:${zeroPort}`, zero);
  for (const group of [1, 2, 3])
    alphas.push({ group, port: await freePort(), dir: path.join(tmp, `p${group}`) });
  for (let i = 0; i < 3; i++) alphas[i]!.proc = startAlpha(i);
  for (let i = 0; i < 3; i++) await waitHealthy(alphaUrl(i), alphas[i]!.proc!);
}, 60_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const SCHEMA_EXTRA = `
name: string @index(term, hash) @lang .
director.film: [uid] @reverse @count .
directed_by: [uid] .
`;

/** The first error of an answer in Dgraph's shape, with its extensions. */
function firstError(body: unknown): Record<string, unknown> & { message: string } {
  const e = (body as { errors?: { message: string; extensions?: Record<string, unknown> }[] }).errors?.[0];
  if (!e) throw new Error(`not an error answer: ${JSON.stringify(body)}`);
  return { message: e.message, ...e.extensions };
}

describe('a three-group cluster of real processes', () => {
  let baseline: { data: string; schema: string };

  it('alters the film schema (plus @reverse) and loads 20,000 N-Quads with strata load', async () => {
    const schema = readFileSync(path.join(FILM, 'goldendata.schema'), 'utf8').replace(/^name:.*$/m, '');
    const a = await post(`${alphaUrl(0)}/alter`, `${schema}\n${SCHEMA_EXTRA}`);
    expect(a.status, JSON.stringify(a.json)).toBe(200);
    const r = await run([
      'load',
      path.join(FILM, 'goldendata_first_200k.rdf.gz'),
      '--alpha',
      `127.0.0.1:${alphas[1]!.port}`,
      '--limit',
      '20000',
      '--batch',
      '2000',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^loaded 20,000 N-Quads \([\d,]+ nodes\) in 10 batches/);
    // The predicates are spread over the three groups.
    const t = await tablets();
    for (const g of ['1', '2', '3'])
      expect(t[g]!.filter((p) => !p.startsWith('dgraph.')).length).toBeGreaterThan(0);
  }, 120_000);

  it('answers has, eq on an indexed predicate, nested blocks and reverse edges from any Alpha', async () => {
    // eq() without a language matches untagged values (as Dgraph); the film names are all @en.
    const m = await post(
      `${alphaUrl(0)}/mutate?commitNow=true`,
      '{ set {\n_:t <name> "Coming Back" .\n_:t <name> "Coming Back"@en .\n} }',
      'application/rdf',
    );
    expect(m.status, JSON.stringify(m.json)).toBe(200);
    const d = await query(
      2,
      `{ films(func: has(director.film), first: 2) { uid name@en count(director.film) director.film(first: 1) { uid name@en initial_release_date directed_by { uid } } }
         eq(func: eq(name, "Coming Back")) { uid name@en }
         rev(func: has(director.film), first: 1) { uid director.film(first: 1) { ~director.film { uid } } } }`,
    );
    expect(d.films, JSON.stringify(d).slice(0, 2000)).toHaveLength(2);
    const f = d.films![0]!;
    expect(f['name@en']).toEqual(expect.any(String));
    expect(f['count(director.film)']).toBeGreaterThan(0);
    expect(f['director.film'], JSON.stringify(d).slice(0, 2000)).toEqual([
      expect.objectContaining({ uid: expect.stringMatching(/^0x/) }),
    ]);
    expect(d.eq).toEqual([
      { uid: (m.json.data as { uids: Record<string, string> }).uids.t, 'name@en': 'Coming Back' },
    ]);
    // The reverse edge leads back to the director.
    const director = d.rev![0]!;
    const film = (director['director.film'] as Record<string, unknown>[])[0]!;
    expect(film['~director.film']).toContainEqual({ uid: director.uid });
    // Every Alpha gives the same answer.
    expect(await query(0, '{ q(func: eq(name, "Coming Back")) { uid } }')).toEqual(
      await query(1, '{ q(func: eq(name, "Coming Back")) { uid } }'),
    );
  });

  it('strata export --alpha is byte-stable across two runs', async () => {
    baseline = await exportAlpha(0, 'first');
    const again = await exportAlpha(2, 'second');
    expect(again.data).toBe(baseline.data);
    expect(again.schema).toBe(baseline.schema);
    expect(baseline.data.split('\n').length).toBeGreaterThan(15_000);
    expect(baseline.schema).toMatch(/^director\.film: \[uid\] @count @reverse \.$/m);
  });

  it('keeps every acknowledged write across kill -9 and a restart on the same folder', async () => {
    const write = await post(
      `${alphaUrl(0)}/mutate?commitNow=true`,
      '{ set {\n_:k <name> "Killed Later"@en .\n_:k <directed_by> _:d .\n_:d <name> "Someone"@en .\n} }',
      'application/rdf',
    );
    expect(write.status, JSON.stringify(write.json)).toBe(200);
    baseline = await exportAlpha(0, 'before-kill');
    for (const i of [1, 2]) {
      alphas[i]!.proc!.child.kill('SIGKILL');
      await alphas[i]!.proc!.exited;
      alphas[i]!.proc = startAlpha(i);
      await waitHealthy(alphaUrl(i), alphas[i]!.proc!);
    }
    const after = await exportAlpha(1, 'after-kill');
    expect(after.data).toBe(baseline.data);
    expect(after.schema).toBe(baseline.schema);
  }, 60_000);

  it('fails a mutation touching a down Alpha with a clear error, committing nothing anywhere', async () => {
    const t = await tablets();
    const g3 = t['3']!.find(
      (p) =>
        !p.startsWith('dgraph.') &&
        ['name', 'directed_by', 'director.film', 'initial_release_date'].includes(p),
    )!;
    const g1 = t['1']!.find(
      (p) =>
        !p.startsWith('dgraph.') &&
        p !== g3 &&
        ['name', 'directed_by', 'director.film', 'initial_release_date'].includes(p),
    )!;
    const obj = (p: string) =>
      p === 'name' ? '"Half"@en' : p === 'initial_release_date' ? '"2001-01-01"' : '_:o';
    alphas[2]!.proc!.child.kill('SIGKILL');
    await alphas[2]!.proc!.exited;
    const r = await post(
      `${alphaUrl(0)}/mutate?commitNow=true`,
      `{ set {\n_:h <${g1}> ${obj(g1)} .\n_:h <${g3}> ${obj(g3)} .\n} }`,
      'application/rdf',
    );
    expect(r.status).toBe(503);
    expect(firstError(r.json).message).toMatch(
      /nothing was committed: group 3 \(Alpha at 127\.0\.0\.1:\d+\) is unreachable/,
    );
    alphas[2]!.proc = startAlpha(2);
    await waitHealthy(alphaUrl(2), alphas[2]!.proc);
    expect((await exportAlpha(0, 'after-down')).data).toBe(baseline.data);
  }, 60_000);

  it('refuses malformed RDF, type conflicts and bad values clearly, committing nothing', async () => {
    const bad = await post(
      `${alphaUrl(1)}/mutate?commitNow=true`,
      '{ set {\n_:x <name> "ok"@en .\n_:x <name> "no end"@en\n} }',
      'application/rdf',
    );
    // Refused as Dgraph refuses: HTTP 200 with `errors` (Strata's code and position in extensions).
    expect(bad.status).toBe(200);
    expect(firstError(bad.json)).toMatchObject({ strata: 'PARSE_ERROR', line: 3 });
    expect(firstError(bad.json).message).toMatch(/^line 3, column \d+: /);
    const value = await post(
      `${alphaUrl(1)}/mutate?commitNow=true`,
      '{ set {\n_:x <name> "ok"@en .\n_:x <initial_release_date> "not a date" .\n} }',
      'application/rdf',
    );
    expect(value.status).toBe(200);
    expect(firstError(value.json).message).toMatch(
      /predicate <initial_release_date> \(type datetime\): "not a date" is not a valid datetime/,
    );
    const conflict = await post(`${alphaUrl(0)}/alter`, 'initial_release_date: int .');
    expect(conflict.status).toBe(200);
    expect(firstError(conflict.json).message).toMatch(
      /<initial_release_date> is of type datetime and holds data/,
    );
    const badSchema = await post(`${alphaUrl(0)}/alter`, 'x: string @index(int) .');
    expect(badSchema.status).toBe(200);
    expect(firstError(badSchema.json).message).toMatch(
      /line 1, column \d+: tokenizer "int" indexes int values/,
    );
    expect((await exportAlpha(2, 'after-errors')).data).toBe(baseline.data);
  });

  it("refuses to start an Alpha on another group's folder, saying why", async () => {
    const port = await freePort();
    const p = start(alphaArgs({ group: 1, zeroPort, dir: alphas[1]!.dir, port, token: TOKEN }));
    const code = await p.exited;
    expect(code).not.toBe(0);
    expect(p.out.join('')).toMatch(/group/i);
  });
});

describe('strata start', () => {
  it('starts Zero and an Alpha in one process, serves a mutation and a query, exits 0 on SIGTERM', async () => {
    let offset = 0;
    for (let tries = 0; tries < 20 && offset === 0; tries++) {
      const o = 20000 + Math.floor(Math.random() * 30000);
      const ok = await Promise.all(
        [6080 + o, 8080 + o, 9080 + o].map(async (p) => {
          const s = createServer();
          return new Promise<boolean>((resolve) => {
            s.once('error', () => resolve(false));
            s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
          });
        }),
      );
      if (ok.every(Boolean)) offset = o;
    }
    const data = path.join(tmp, 'start-data');
    const p = start(['start', '--data', data, '--port_offset', String(offset)]);
    const url = `http://127.0.0.1:${8080 + offset}`;
    await waitHealthy(url, p);
    expect((await post(`${url}/alter`, 'title: string @index(exact) .')).status).toBe(200);
    const m = await post(
      `${url}/mutate?commitNow=true`,
      '{ set {\n_:m <title> "Hello" .\n} }',
      'application/rdf',
    );
    expect(m.status, JSON.stringify(m.json)).toBe(200);
    const q = await post(`${url}/query`, '{ q(func: eq(title, "Hello")) { title } }', 'application/dql');
    expect(q.json.data).toEqual({ q: [{ title: 'Hello' }] });
    expect(p.out.join('')).toMatch(/curl/);
    expect(existsSync(path.join(data, 'cluster_token'))).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);
});
