// Interop with the real Dgraph (v24.0.5 and v25.4.0, built by scripts/setup/dgraph.sh), both ways,
// on a 3-group cluster and a backup series of four points (full; incremental after deletes and
// new nodes; after a DROP_ATTR and a type change; after a DROP_DATA and new nodes):
// - Dgraph → Strata: every point of Dgraph's series, restored offline by `strata restore` and
//   online by Strata's `restore` mutation, has Dgraph's schema (predicates, types and their
//   fields), Dgraph's data (its RDF export) and answers every query of the corpus as Dgraph did.
// - Strata → Dgraph: every point of Strata's series, in each layout Strata writes (v20.11, v21.03,
//   v24, v25), restored online by Dgraph's `restore` mutation, and the last one offline by
//   `dgraph restore`, has Strata's schema and data and answers every query as Strata did, in every
//   Dgraph release that reads the layout (v25 only for the v25 layout: v24 reads no S2 framing).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BIG_LIST,
  DGRAPH_ONLY_SCHEMA,
  EMPTY_BY_DESIGN,
  FULLTEXT_QUERIES,
  ORDERED_QUERIES,
  QUERIES,
  placeOf,
  PREDICATES,
  SCHEMA,
  TYPE_CHANGE,
  dgraphOnlyFacts,
  people,
} from '../interop/dataset.js';
import {
  canonical,
  dgraphExportLines,
  dgraphSchema,
  strataExportLines,
  strataSchema,
  type SchemaView,
} from '../interop/compare.js';
import { DGRAPH_VERSIONS, DgraphCluster, dgraphRestore, type DgraphVersion } from './dgraph-peer.js';
import { TestCluster, readDump, restoreOnline } from './harness.js';
import { killAll, post, run } from './procs.js';
import { MANIFEST_LAYOUTS, type ManifestLayout } from '@strata/core';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-interop-'));
const TYPES = ['Person', 'Team'];
/** Dgraph → Strata also compares the predicates only Dgraph writes (carried verbatim). */
const DGRAPH_PREDS = [...PREDICATES, 'emb'];
const GROUPS = 3;

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** What one side said at one backup point. */
interface Point {
  num: number;
  schema: SchemaView;
  /** The `schema {}` query's answer, restricted to the data set. */
  schemaAnswer: unknown;
  data: string[];
  answers: unknown[];
}

/** A `schema {}` answer restricted to `preds` and the data set's types, arrays sorted. */
function schemaAnswer(data: Record<string, unknown>, preds: readonly string[]): unknown {
  const schema = (data.schema ?? []) as { predicate: string }[];
  const types = (data.types ?? []) as { name: string }[];
  return canonical({
    schema: schema.filter((p) => preds.includes(p.predicate)),
    types: types.filter((t) => TYPES.includes(t.name)),
  });
}

/** The unordered queries (answers compared with arrays sorted), then the ordered ones. */
const ALL_QUERIES = [...QUERIES, ...ORDERED_QUERIES];

function queries(uid: string): string[] {
  return ALL_QUERIES.map((q) => q.replaceAll('{{uid}}', uid));
}

async function dgraphAnswers(d: DgraphCluster, uid: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [i, q] of queries(uid).entries()) out.push(canonical(await d.query(q), i < QUERIES.length));
  return out;
}

async function strataQuery(c: TestCluster, q: string): Promise<Record<string, unknown>> {
  const r = await post(`${c.url}/query`, q, 'application/dql');
  expect(r.status, `${q}: ${JSON.stringify(r.json)}`).toBe(200);
  return (r.json as { data: Record<string, unknown> }).data;
}

async function strataAnswers(c: TestCluster, uid: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [i, q] of queries(uid).entries())
    out.push(canonical(await strataQuery(c, q), i < QUERIES.length));
  return out;
}

/** Everything Dgraph says at this point: schema, export and answers. */
let exports = 0;

async function dgraphPoint(
  d: DgraphCluster,
  num: number,
  uid: string,
  preds: readonly string[],
  dir: string,
): Promise<Point> {
  const exp = await d.export(path.join(dir, `dgraph-export-${num}-${++exports}`));
  return {
    num,
    schema: dgraphSchema(await d.query('schema {}'), preds, TYPES),
    schemaAnswer: schemaAnswer(await d.query('schema {}'), preds),
    data: dgraphExportLines(exp.data, preds),
    answers: await dgraphAnswers(d, uid),
  };
}

/** The same for a Strata cluster. */
async function strataPoint(
  c: TestCluster,
  num: number,
  uid: string,
  preds: readonly string[],
): Promise<Point> {
  const dump = await c.export(`strata-${c.name}-${num}-${++exports}`);
  return {
    num,
    schema: strataSchema(dump.schema, preds, TYPES),
    schemaAnswer: schemaAnswer(await strataQuery(c, 'schema {}'), preds),
    data: strataExportLines(dump.data, preds),
    answers: await strataAnswers(c, uid),
  };
}

/**
 * Dgraph's fulltext and geo answers on data Strata wrote (its index keys came from Strata's
 * backup): each fulltext query finds exactly the nodes whose exported `about` holds the query's
 * text in its language, and near() finds exactly the nodes at the point asked for.
 */
async function expectFulltext(d: DgraphCluster, p: Point): Promise<void> {
  for (const f of FULLTEXT_QUERIES) {
    const want = p.data
      .filter(
        (l) => l.includes('<about>') && l.includes(f.text) && l.endsWith(f.lang ? `"@${f.lang} .` : '" .'),
      )
      .map((l) => l.slice(1, l.indexOf('>')))
      .sort();
    const got = (((await d.query(f.q)).q ?? []) as { uid: string }[]).map((n) => n.uid).sort();
    expect(got, `point ${p.num}: ${f.q}`).toEqual(want);
    if (p.num === 1) expect(want.length, f.q).toBeGreaterThan(5);
  }
  // geo: near() on the S2 cells Strata indexed finds the nodes at that point
  const at = placeOf(3);
  const q = `{ q(func: near(place, [${at.join(', ')}], 10)) { uid } }`;
  const want = p.data
    .filter((l) => l.includes('<place>') && l.includes(`[${at.join(',')}]`))
    .map((l) => l.slice(1, l.indexOf('>')))
    .sort();
  const got = (((await d.query(q)).q ?? []) as { uid: string }[]).map((n) => n.uid).sort();
  expect(got, `point ${p.num}: ${q}`).toEqual(want);
  if (p.num === 1) expect(want.length, q).toBe(1);
}

function expectSame(got: Point, want: Point, what: string): void {
  expect(got.schema, `${what}: schema`).toEqual(want.schema);
  expect(got.schemaAnswer, `${what}: schema {}`).toEqual(want.schemaAnswer);
  expect(got.data, `${what}: data`).toEqual(want.data);
  got.answers.forEach((a, i) => expect(a, `${what}: ${ALL_QUERIES[i]}`).toEqual(want.answers[i]));
}

describe.each(DGRAPH_VERSIONS.map((v) => [v]))('Dgraph %s → Strata', (version: DgraphVersion) => {
  const dir = path.join(tmp, `${version}-from-dgraph`);
  const location = path.join(dir, 'backups');
  const points: Point[] = [];
  let dgraph: DgraphCluster | undefined;
  let uid = '';
  afterAll(async () => dgraph?.stop());

  it(`Dgraph writes a series of four backups on ${GROUPS} groups`, { timeout: 600_000 }, async () => {
    dgraph = await DgraphCluster.start({ version, dir: path.join(dir, 'dgraph'), alphas: GROUPS });
    await dgraph.alter(SCHEMA + DGRAPH_ONLY_SCHEMA);
    const uids = await dgraph.mutate(`${people(40, 'a')}\n${dgraphOnlyFacts(40, 'a')}`);
    uid = uids.a3!;
    await dgraph.backup(location, true);
    points.push(await dgraphPoint(dgraph, 1, uid, DGRAPH_PREDS, dir));

    await dgraph.mutate(
      `<${uids.a5}> <age> * .\n<${uids.a6}> <name> * .\n<${uids.a3}> <friend> <${uids.a4}> .`,
      true,
    );
    await dgraph.mutate(people(10, 'b'));
    await dgraph.backup(location, false);
    points.push(await dgraphPoint(dgraph, 2, uid, DGRAPH_PREDS, dir));

    await dgraph.alter(JSON.stringify({ drop_attr: 'code' }));
    await dgraph.alter(TYPE_CHANGE);
    await dgraph.backup(location, false);
    points.push(await dgraphPoint(dgraph, 3, uid, DGRAPH_PREDS, dir));

    await dgraph.alter(JSON.stringify({ drop_op: 'DATA' }));
    await dgraph.mutate(people(6, 'c'));
    await dgraph.backup(location, false);
    points.push(await dgraphPoint(dgraph, 4, uid, DGRAPH_PREDS, dir));
    expect(points[0]!.data.length).toBeGreaterThan(500);
    expect(points[2]!.data.some((l) => l.includes('<code>'))).toBe(false);
    expect(points[2]!.schema.types.Team).toContain('nick');
    // after DROP_DATA only the six new people are left (each series has one big tags list)
    const facts = (p: Point) => p.data.filter((l) => !l.includes('<tags>')).length;
    expect(facts(points[3]!)).toBeLessThan(facts(points[2]!) / 4);
    expect(points[0]!.data.filter((l) => l.includes('<tags>'))).toHaveLength(BIG_LIST);
    // Every query asks something: in the first point all but those empty by design find nodes.
    const wrong = ALL_QUERIES.filter((q, i) => {
      const a = JSON.stringify(points[0]!.answers[i]);
      return (a === '{"q":[]}' || a === '{"q":[{"count":0}]}') !== EMPTY_BY_DESIGN.includes(q);
    });
    expect(wrong).toEqual([]);
  });

  it(
    'each point restored offline by strata restore has Dgraph’s schema and data',
    { timeout: 300_000 },
    async () => {
      expect(points).toHaveLength(4);
      const ls = await run(['ls', location, '--json']);
      expect(ls.code, ls.stderr).toBe(0);
      // strata inspect names the framing Dgraph wrote: S2 for v25, golang/snappy for v24
      const folder = readdirSync(location).find((d) => d.startsWith('dgraph.'))!;
      const file = readdirSync(path.join(location, folder)).find((f) => f.endsWith('.backup'))!;
      const inspect = await run(['inspect', path.join(location, folder, file), '--json']);
      expect(inspect.code, inspect.stderr).toBe(0);
      expect(JSON.parse(inspect.stdout).framing).toBe(version.startsWith('v25') ? 's2' : 'snappy');
      for (const p of points) {
        const out = path.join(dir, `strata-offline-${p.num}`);
        const r = await run([
          'restore',
          '-l',
          location,
          '-p',
          out,
          '--backup_num',
          String(p.num),
          '--force_zero=false',
        ]);
        expect(r.code, r.stderr).toBe(0);
        const exp = path.join(dir, `strata-offline-export-${p.num}`);
        const e = await run(['export', '-p', out, '-o', exp]);
        expect(e.code, e.stderr).toBe(0);
        const dump = readDump(exp);
        expect(strataSchema(dump.schema, DGRAPH_PREDS, TYPES), `point ${p.num}: schema`).toEqual(p.schema);
        expect(strataExportLines(dump.data, DGRAPH_PREDS), `point ${p.num}: data`).toEqual(p.data);
      }
    },
  );

  it(
    'each point restored online into Strata answers every query as Dgraph did',
    { timeout: 300_000 },
    async () => {
      expect(points).toHaveLength(4);
      const c = new TestCluster(dir, 'strata', GROUPS);
      await c.start();
      try {
        for (const p of points) {
          await restoreOnline(c, { location, backupNum: p.num });
          expectSame(await strataPoint(c, p.num, uid, DGRAPH_PREDS), p, `point ${p.num}`);
        }
      } finally {
        await c.stop();
      }
    },
  );
});

/** The Dgraph releases that restore a layout (v24 reads no S2 framing). */
const READERS: Record<ManifestLayout, readonly DgraphVersion[]> = {
  'v20.11': DGRAPH_VERSIONS,
  'v21.03': DGRAPH_VERSIONS,
  v24: DGRAPH_VERSIONS,
  v25: ['v25.4.0'],
};

describe.each(MANIFEST_LAYOUTS.map((l) => [l]))('Strata (%s layout) → Dgraph', (layout: ManifestLayout) => {
  const dir = path.join(tmp, `from-strata-${layout}`);
  const location = path.join(dir, 'backups');
  const points: Point[] = [];
  let uid = '';

  it(`Strata writes a series of four backups on ${GROUPS} groups`, { timeout: 300_000 }, async () => {
    const c = new TestCluster(dir, 'strata', GROUPS);
    await c.start();
    try {
      const backup = (full: boolean) => c.backupCli(location, { format: layout, full });
      await c.alter(SCHEMA);
      const { uids } = await c.mutate(people(40, 'a'));
      uid = uids.a3!;
      await backup(true);
      points.push(await strataPoint(c, 1, uid, PREDICATES));

      await c.del(`<${uids.a5}> <age> * .\n<${uids.a6}> <name> * .\n<${uids.a3}> <friend> <${uids.a4}> .`);
      await c.mutate(people(10, 'b'));
      await backup(false);
      points.push(await strataPoint(c, 2, uid, PREDICATES));

      await c.alter(JSON.stringify({ drop_attr: 'code' }));
      await c.alter(TYPE_CHANGE);
      await backup(false);
      points.push(await strataPoint(c, 3, uid, PREDICATES));

      await c.alter(JSON.stringify({ drop_op: 'DATA' }));
      await c.mutate(people(6, 'c'));
      await backup(false);
      points.push(await strataPoint(c, 4, uid, PREDICATES));
    } finally {
      await c.stop();
    }
  });

  describe.each(READERS[layout].map((v) => [v]))('read by Dgraph %s', (version: DgraphVersion) => {
    it(
      'each point restored online by Dgraph has Strata’s schema, data and answers',
      { timeout: 600_000 },
      async () => {
        expect(points).toHaveLength(4);
        const d = await DgraphCluster.start({
          version,
          dir: path.join(dir, `${version}-online`),
          alphas: GROUPS,
        });
        try {
          for (const p of points) {
            await d.restoreOnline(location, '{ q(func: has(email), first: 1) { uid } }', p.num);
            expectSame(await dgraphPoint(d, p.num, uid, PREDICATES, dir), p, `point ${p.num}`);
            await expectFulltext(d, p);
          }
        } finally {
          await d.stop();
        }
      },
    );

    it(
      'the last point restored offline by dgraph restore has Strata’s schema, data and answers',
      { timeout: 600_000 },
      async () => {
        expect(points).toHaveLength(4);
        const out = path.join(dir, `${version}-offline`);
        await dgraphRestore(version, location, out);
        const postings = Array.from({ length: GROUPS }, (_, i) => path.join(out, `p${i + 1}`));
        const d = await DgraphCluster.start({
          version,
          dir: path.join(dir, `${version}-offline-run`),
          postings,
        });
        try {
          await d.lease(10_000_000, 1_000_000);
          expectSame(await dgraphPoint(d, 4, uid, PREDICATES, dir), points.at(-1)!, 'offline');
          await expectFulltext(d, points.at(-1)!);
        } finally {
          await d.stop();
        }
      },
    );
  });
});
