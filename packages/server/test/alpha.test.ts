/**
 * The Alpha through `fastify.inject`, on real posting stores (temp folders) with a real Zero
 * listening on a free loopback port: two groups in one process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXPORT_CONTENT_TYPE, ExportReader } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, TOKEN_HEADER, type Alpha, type Zero } from '../src/index.js';
import { dgraphErrorOf, refusal } from './helpers.js';

const TOKEN = 'alpha-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-alpha-test-'));
let zero: Zero;
let a1: Alpha;
let a2: Alpha;

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  const common = { zero: `127.0.0.1:${zero.port}`, port: 0, token: TOKEN };
  a1 = await createAlpha({
    ...common,
    group: 1,
    dataDir: path.join(root, 'p1'),
    adminWhitelist: ['10.9.0.0/16'],
  });
  a2 = await createAlpha({ ...common, group: 2, dataDir: path.join(root, 'p2') });
});

afterAll(async () => {
  await a1?.close();
  await a2?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

function mutate(a: Alpha, body: string) {
  return a.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: body,
  });
}
function alter(a: Alpha, body: string | object) {
  return a.app.inject({
    method: 'POST',
    url: '/alter',
    ...(typeof body === 'string'
      ? { payload: body, headers: { 'content-type': 'text/plain' } }
      : { payload: body }),
  });
}
async function query(a: Alpha, q: string) {
  const r = await a.app.inject({
    method: 'POST',
    url: '/query',
    headers: { 'content-type': 'application/dql' },
    payload: q,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{ data: Record<string, Record<string, unknown>[]> }>().data;
}
/** GET /export, read as strata-export/1 (header, lines, trailer). */
async function exported(
  a: Alpha,
): Promise<{ data: string; schema: string; facts: number; groups: number[] }> {
  const r = await a.app.inject('/export');
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toBe(EXPORT_CONTENT_TYPE);
  const reader = await ExportReader.open(
    (async function* () {
      yield r.rawPayload;
    })(),
    'GET /export',
  );
  const lines: Buffer[] = [];
  for (let l = await reader.next(); l !== null; l = await reader.next()) lines.push(l);
  return {
    data: Buffer.concat(lines).toString('utf8'),
    schema: reader.header.schema,
    facts: reader.facts!,
    groups: reader.header.groups,
  };
}
async function dump(a: Alpha): Promise<string> {
  return (await exported(a)).data;
}

const SCHEMA = `
name: string @index(hash, term) @lang .
age: int @index(int) .
born: datetime .
score: float .
active: bool .
pw: password .
friend: [uid] @reverse @count .
best: uid .
type Person { name age friend best }
`;

describe('Alpha', () => {
  it('answers /health like Dgraph', async () => {
    const r = await a1.app.inject('/health');
    expect(r.json()).toEqual([expect.objectContaining({ instance: 'alpha', status: 'healthy', group: '1' })]);
  });

  it('alters the schema, spreading predicates over the groups', async () => {
    const r = await alter(a1, SCHEMA);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ data: { code: 'Success', message: 'Done' } });
    const state = await zero.store.snapshot();
    expect(Object.keys(state.groups['1']!.tablets).length).toBeGreaterThan(0);
    expect(Object.keys(state.groups['2']!.tablets).length).toBeGreaterThan(0);
  });

  it('answers schema queries from every group, as Dgraph', async () => {
    const all = await query(a2, 'schema {}');
    const preds = (all.schema as { predicate: string }[]).map((p) => p.predicate);
    expect(preds).toEqual([...preds].sort());
    expect(preds).toEqual(expect.arrayContaining(['name', 'age', 'friend', 'best', 'dgraph.type']));
    expect(all.schema).toContainEqual({
      predicate: 'name',
      type: 'string',
      index: true,
      tokenizer: ['hash', 'term'],
      lang: true,
    });
    expect(all.schema).toContainEqual({
      predicate: 'friend',
      type: 'uid',
      reverse: true,
      count: true,
      list: true,
    });
    expect(all.types).toContainEqual({
      name: 'Person',
      fields: [{ name: 'name' }, { name: 'age' }, { name: 'friend' }, { name: 'best' }],
    });
    expect(await query(a1, 'schema(pred: [age, friend]) { type reverse }')).toEqual({
      schema: [
        { predicate: 'age', type: 'int' },
        { predicate: 'friend', type: 'uid', reverse: true },
      ],
    });
    expect(await query(a1, 'schema(type: Person) {}')).toEqual({
      types: [
        { name: 'Person', fields: [{ name: 'name' }, { name: 'age' }, { name: 'friend' }, { name: 'best' }] },
      ],
    });
  });

  it('refuses schema text with its line and column', async () => {
    const r = await alter(a1, 'name: string .\nage: integer .');
    expect(refusal(r.statusCode, r.json())).toMatchObject({ strata: 'PARSE_ERROR', line: 2, column: 6 });
  });

  it('computes every index the schema can name, and refuses a value it cannot index as Dgraph', async () => {
    const r = await alter(a1, 'blurb: string @index(fulltext) @lang .\nspot: geo @index(geo) .\nok2: int .');
    expect(r.statusCode, r.body).toBe(200);
    // geo: points and polygons are indexed (S2 cells as Dgraph's)
    const pt = await mutate(
      a1,
      `{ set { _:s <spot> "{'type':'Point','coordinates':[2.35,48.85]}"^^<geo:geojson> . } }`,
    );
    expect(pt.statusCode, pt.body).toBe(200);
    const small = await mutate(
      a1,
      `{ set { _:s <spot> "{'type':'Polygon','coordinates':[[[2,48],[3,48],[3,49],[2,48]]]}"^^<geo:geojson> . } }`,
    );
    expect(small.statusCode, small.body).toBe(200);
    const poly = await mutate(
      a1,
      `{ set { _:s <ok2> "7" .\n_:s <spot> "{'type':'Polygon','coordinates':[[[40,0],[50,0],[50,5],[40,0]]]}"^^<geo:geojson> . } }`,
    );
    // a polygon across a cube face border: indexed on both faces, found from either side
    expect(poly.statusCode, poly.body).toBe(200);
    for (const x of [44.5, 45.5]) {
      const ring = `[[${x}, 1], [${x + 0.2}, 1], [${x + 0.2}, 1.2], [${x}, 1]]`;
      const hit = await query(a1, `{ q(func: intersects(spot, [${ring}])) { ok2 } }`);
      expect(hit.q, `intersects at ${x}`).toEqual([{ ok2: 7 }]);
    }
    // fulltext is computed (Dgraph's analyzer); a language it lacks is refused at the write
    expect((await alter(a1, 'blurb: string @index(fulltext) @lang .')).statusCode).toBe(200);
    expect((await mutate(a1, '{ set { _:b <blurb> "Foxes running"@en . } }')).statusCode).toBe(200);
    const bad = await mutate(a1, '{ set { _:b <blurb> "Ten tekst"@qaa . } }');
    expect(refusal(bad.statusCode, bad.json()).message).toContain('language tag "qaa" is not supported yet');
    // exact on a language-tagged value: Dgraph's collation key, unless Strata cannot tell which
    // collation Go picks for the tag (a variant)
    expect((await alter(a1, 'label: string @index(exact) @lang .')).statusCode).toBe(200);
    expect((await mutate(a1, '{ set { _:l <label> "plain" . } }')).statusCode).toBe(200);
    expect((await mutate(a1, '{ set { _:l <label> "étiquette"@fr . } }')).statusCode).toBe(200);
    const tagged = await mutate(a1, '{ set { _:l <label> "Etikett"@de-DE-1996 . } }');
    expect(refusal(tagged.statusCode, tagged.json()).message).toContain('cannot tell which collation');
    // sha256 is computed (Dgraph's: the value's first 64 bytes)
    expect((await alter(a1, 'qh: string @index(sha256) .')).statusCode).toBe(200);
    const v = `${'ab'.repeat(32)} query`;
    expect((await mutate(a1, `{ set { _:q <qh> "${v}" . } }`)).statusCode).toBe(200);
    expect((await query(a1, `{ q(func: eq(qh, "${v}")) { qh } }`)).q).toEqual([{ qh: v }]);
  });

  it('has(pred) of an @lang predicate counts untagged values only; expand(_all_) shows every language, as Dgraph', async () => {
    expect((await alter(a1, 'title: string @index(hash) @lang .\ntype Doc {\n  title\n}')).statusCode).toBe(
      200,
    );
    const r = await mutate(
      a1,
      '{ set { _:d1 <title> "Tagged only"@de .\n_:d1 <dgraph.type> "Doc" .\n_:d2 <title> "Plain" .\n_:d2 <title> "Franc"@fr .\n_:d2 <dgraph.type> "Doc" . } }',
    );
    expect(r.statusCode, r.body).toBe(200);
    const { d1, d2 } = r.json().data.uids as Record<string, string>;
    const data = await query(
      a1,
      `{ h(func: has(title)) { uid } e(func: uid(${d1}, ${d2})) { uid expand(_all_) } }`,
    );
    expect(data.h).toEqual([{ uid: d2 }]);
    expect(data.e).toEqual([
      { uid: d1, 'title@de': 'Tagged only' },
      { uid: d2, title: 'Plain', 'title@fr': 'Franc' },
    ]);
  });

  it('expand(val(x)) expands the predicates x names; Dgraph refusals: a field also expanded, a list value variable, a language without @lang', async () => {
    expect((await alter(a1, 'pn: string .\nword: [string] .\nlabel: string .')).statusCode).toBe(200);
    const r = await mutate(
      a1,
      '{ set { _:e1 <pn> "label" .\n_:e1 <label> "one" .\n_:e1 <word> "w" .\n_:e2 <pn> "word" .\n_:e2 <label> "two" . } }',
    );
    expect(r.statusCode, r.body).toBe(200);
    const { e1, e2 } = r.json().data.uids as Record<string, string>;
    const data = await query(
      a1,
      `{ var(func: uid(${e1}, ${e2})) { p as pn } q(func: uid(${e1}, ${e2})) { uid expand(val(p)) } }`,
    );
    expect(data.q).toEqual([
      { uid: e1, label: 'one', word: ['w'] },
      { uid: e2, label: 'two' },
    ]);
    const refused = async (q: string) => {
      const res = await a1.app.inject({
        method: 'POST',
        url: '/query',
        headers: { 'content-type': 'application/dql' },
        payload: q,
      });
      return (res.json() as { errors?: { message: string }[] }).errors?.[0]?.message;
    };
    expect(
      await refused(`{ var(func: uid(${e1})) { p as pn } q(func: uid(${e1})) { label expand(val(p)) } }`),
    ).toBe(': Repeated subgraph: [label] while using expand()');
    expect(await refused(`{ var(func: uid(${e1})) { w as word } q(func: uid(${e1})) { x: val(w) } }`)).toBe(
      ': Value variables not supported for predicate with list type.',
    );
    expect(await refused(`{ q(func: uid(${e1})) { label@en } }`)).toBe(
      ': Language tags can only be used with predicates of string type having @lang directive in schema. Got: [label]',
    );
  });

  it('mutates across groups and queries the result, typed', async () => {
    const r = await mutate(
      a2,
      [
        '{ set {',
        '_:alice <name> "Alice" .',
        '_:alice <name> "Alicia"@es .',
        '_:alice <age> "31" .',
        '_:alice <born> "1990-05-01T10:00:00Z" .',
        '_:alice <score> "1.5" .',
        '_:alice <active> "true" .',
        '_:alice <pw> "secret123" .',
        '_:alice <dgraph.type> "Person" .',
        '_:bob <name> "Bob" .',
        '_:bob <age> "40" .',
        '_:alice <friend> _:bob .',
        '_:alice <best> _:bob .',
        '} }',
      ].join('\n'),
    );
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{
      data: { code: string; uids: Record<string, string> };
      extensions: { txn: { commit_ts: number } };
    }>();
    expect(body.data.code).toBe('Success');
    expect(Object.keys(body.data.uids).sort()).toEqual(['alice', 'bob']);
    expect(body.extensions.txn.commit_ts).toBeGreaterThan(0);

    const data = await query(
      a1,
      `{ q(func: eq(name, "Alice")) { uid name name@es age born score active pw dgraph.type count(friend)
           friend { name ~friend { name } } best { name } }
         h(func: has(age), first: 1, offset: 1) { name }
         e(func: eq(age, 40)) { expand(_all_) } }`,
    );
    expect(data.q).toEqual([
      {
        uid: body.data.uids.alice,
        name: 'Alice',
        'name@es': 'Alicia',
        age: 31,
        born: '1990-05-01T10:00:00Z',
        score: 1.5,
        active: true,
        'dgraph.type': ['Person'],
        'count(friend)': 1,
        friend: [{ name: 'Bob', '~friend': [{ name: 'Alice' }] }],
        best: { name: 'Bob' },
      },
    ]);
    expect(data.h).toEqual([{ name: 'Bob' }]);
    expect(data.e).toEqual([]); // Bob has no dgraph.type: nothing to expand

    // count(uid) answers one {"count": N} object per block, as Dgraph does.
    const counted = await query(
      a1,
      '{ c(func: has(age)) { count(uid) } n(func: eq(name, "Alice")) { friend { count(uid) name } } }',
    );
    expect(counted.c).toEqual([{ count: 2 }]);
    expect(counted.n).toEqual([{ friend: [{ count: 1 }, { name: 'Bob' }] }]);
  });

  it('refuses malformed RDF with line and column and commits nothing', async () => {
    const before = await dump(a1);
    const r = await mutate(a1, '{ set {\n_:x <name> "X" .\n_:x <name "Y" .\n} }');
    expect(refusal(r.statusCode, r.json())).toMatchObject({ strata: 'PARSE_ERROR', line: 3, column: 10 });
    expect(await dump(a1)).toBe(before);
  });

  it('refuses a value that does not parse as its type, naming it, and commits nothing', async () => {
    const before = await dump(a1);
    const r = await mutate(a1, '{ set {\n_:x <name> "X" .\n_:x <age> "old" .\n} }');
    expect(refusal(r.statusCode, r.json()).message).toMatch(
      /line 3: predicate <age> \(type int\): "old" is not a valid int/,
    );
    const uidIntoScalar = await mutate(a1, '{ set {\n_:x <age> _:y .\n} }');
    expect(refusal(uidIntoScalar.statusCode, uidIntoScalar.json()).message).toMatch(/age> is of type int/);
    expect(await dump(a1)).toBe(before);
  });

  it('refuses a schema type change of a predicate that holds data', async () => {
    const r = await alter(a1, 'age: string .');
    const refused = refusal(r.statusCode, r.json());
    expect(refused.strata).toBe('SCHEMA_CONFLICT');
    expect(refused.message).toMatch(/<age> is of type int and holds data/);
  });

  it('star deletes: <s> <p> * and <s> * *', async () => {
    const [alice] = (await query(a1, '{ q(func: eq(name, "Alice")) { uid } }')).q!;
    const uid = alice!.uid as string;
    let r = await mutate(a1, `{ delete {\n<${uid}> <score> * .\n} }`);
    expect(r.statusCode, r.body).toBe(200);
    expect((await query(a1, `{ q(func: uid(${uid})) { score age } }`)).q).toEqual([{ age: 31 }]);
    r = await mutate(a1, `{ delete {\n<${uid}> * * .\n} }`);
    expect(r.statusCode, r.body).toBe(200);
    expect((await query(a1, `{ q(func: uid(${uid})) { name age friend { uid } dgraph.type } }`)).q).toEqual(
      [],
    );
  });

  it('JSON mutations: nested nodes, languages, facets, lists; null and uid-only deletes, as Dgraph', async () => {
    const json = (body: unknown) =>
      a1.app.inject({
        method: 'POST',
        url: '/mutate?commitNow=true',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    let r = await json({
      set: [
        {
          uid: '_:j',
          name: 'Jay',
          'name@fr': 'Jé',
          age: 41,
          score: 2.5,
          active: true,
          'dgraph.type': 'Person',
          friend: [
            { uid: '_:k', name: 'Kay', 'friend|close': true, 'friend|since': '2020-01-01T00:00:00Z' },
            { name: 'Lee' },
          ],
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const uids = r.json<{ data: { uids: Record<string, string> } }>().data.uids;
    expect(Object.keys(uids).sort()).toEqual([expect.stringMatching(/^dg\.\d+\.3$/), 'j', 'k']);
    const q = `{ q(func: uid(${uids.j})) { name name@fr age score active dgraph.type friend @facets { name } } }`;
    expect((await query(a1, q)).q).toEqual([
      {
        name: 'Jay',
        'name@fr': 'Jé',
        age: 41,
        score: 2.5,
        active: true,
        'dgraph.type': ['Person'],
        friend: [
          { name: 'Kay', 'friend|close': true, 'friend|since': '2020-01-01T00:00:00Z' },
          { name: 'Lee' },
        ],
      },
    ]);
    // Sent as text with another content type, it is still read as JSON.
    r = await mutate(a1, JSON.stringify({ delete: { uid: uids.j, name: null, friend: { uid: uids.k } } }));
    expect(r.statusCode, r.body).toBe(200);
    expect((await query(a1, `{ q(func: uid(${uids.j})) { name name@fr age friend { name } } }`)).q).toEqual([
      { age: 41, friend: [{ name: 'Lee' }] },
    ]);
    // The edge's target (named by "uid" alone inside) keeps its own predicates.
    expect((await query(a1, `{ q(func: uid(${uids.k})) { name } }`)).q).toEqual([{ name: 'Kay' }]);
    // Only "uid": every predicate of the node's types.
    r = await json({ delete: [{ uid: uids.j }] });
    expect(r.statusCode, r.body).toBe(200);
    expect((await query(a1, `{ q(func: uid(${uids.j})) { name age friend { name } } }`)).q).toEqual([]);
    // Refused with the reason, nothing written.
    const before = await dump(a1);
    for (const [body, msg] of [
      [{ set: [{ uid: 'x1', name: 'N' }] }, /"uid" must be "_:name" or a uid/],
      [{ set: [{ name: 'N', 'name@': 'M' }] }, /invalid language tag/],
      [{ set: [{ age: 'old' }] }, /"old" is not a valid int/],
      [{ set: [[1]] }, /"set" must hold objects/],
    ] as const) {
      const bad = await json(body);
      expect(refusal(bad.statusCode, bad.json()).message).toMatch(msg);
    }
    expect(await dump(a1)).toBe(before);
  });

  it('upsert blocks: the query’s variables in the mutations, @if, a new node for an empty uid(v)', async () => {
    const upsert = (body: string, type = 'application/rdf') =>
      a1.app.inject({
        method: 'POST',
        url: '/mutate?commitNow=true',
        headers: { 'content-type': type },
        payload: body,
      });
    const block = `upsert {
  query { q(func: eq(name, "Uma")) { v as uid  a as age } }
  mutation @if(eq(len(v), 0)) { set {
uid(v) <name> "Uma" .
uid(v) <age> "28" .
} }
  mutation @if(gt(len(v), 0)) { set {
uid(v) <score> val(a) .
} }
}`;
    let r = await upsert(block);
    expect(r.statusCode, r.body).toBe(200);
    const first = r.json<{ data: { queries: { q: unknown[] }; uids: Record<string, string> } }>().data;
    expect(first.queries).toEqual({ q: [] });
    const uma = first.uids['uid(v)']!;
    expect(uma).toMatch(/^0x[0-9a-f]+$/);
    // The second time the node is found: only the second mutation runs, with its age as score.
    r = await upsert(block);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ data: { queries: unknown; uids: unknown } }>().data).toMatchObject({
      queries: { q: [{ uid: uma, age: 28 }] },
      uids: {},
    });
    expect((await query(a1, `{ q(func: uid(${uma})) { name age score } }`)).q).toEqual([
      { name: 'Uma', age: 28, score: 28 },
    ]);
    // JSON: "query", then "mutations" with "cond".
    r = await upsert(
      JSON.stringify({
        query: '{ q(func: eq(name, "Uma")) { v as uid } }',
        mutations: [
          { cond: '@if(eq(len(v), 1))', set: [{ uid: 'uid(v)', active: true }] },
          { cond: '@if(eq(len(v), 0))', set: [{ uid: 'uid(v)', name: 'never' }] },
        ],
      }),
      'application/json',
    );
    expect(r.statusCode, r.body).toBe(200);
    expect((await query(a1, `{ q(func: uid(${uma})) { active } }`)).q).toEqual([{ active: true }]);
    expect((await query(a1, '{ q(func: eq(name, "never")) { uid } }')).q).toEqual([]);
    // uid(v) outside an upsert block, and a variable the query never uses, are refused.
    r = await upsert('{ set {\nuid(v) <name> "x" .\n} }');
    expect(refusal(r.statusCode, r.json()).message).toMatch(
      /only allowed in the mutations of an upsert block/,
    );
    r = await upsert(
      'upsert {\n  query { q(func: eq(name, "Uma")) { v as uid  w as age } }\n  mutation { set {\nuid(v) <age> "1" .\n} }\n}',
    );
    expect(refusal(r.statusCode, r.json()).message).toMatch(/defined but not used\nDefined:\[v w\]/);
  });

  it('aborts everywhere when an owner group is down', async () => {
    // A predicate of each group, then group 2 goes away.
    await zero.store.moveTablet('t_one', 1);
    await zero.store.moveTablet('t_two', 2);
    const before = await dump(a1);
    const port2 = a2.port;
    await a2.close();
    const r = await mutate(a1, '{ set {\n_:n <t_one> "1" .\n_:n <t_two> "2" .\n} }');
    expect(r.statusCode).toBe(503);
    expect(dgraphErrorOf(r.json()).message).toMatch(
      /nothing was committed: group 2 \(Alpha at 127\.0\.0\.1:\d+\) is unreachable/,
    );
    // Back on the same folder and port: nothing of the failed mutation anywhere.
    a2 = await createAlpha({
      zero: `127.0.0.1:${zero.port}`,
      port: port2,
      token: TOKEN,
      group: 2,
      dataDir: path.join(root, 'p2'),
    });
    expect(await dump(a1)).toBe(before);
  });

  it('records drops as dgraph.drop.op facts', async () => {
    expect((await alter(a1, { drop_attr: 'score' })).statusCode).toBe(200);
    expect(await dump(a1)).toMatch(/<dgraph\.drop\.op> "DROP_ATTR;score" \.\n/);
    expect((await alter(a1, { drop_op: 'DATA' })).statusCode).toBe(200);
    expect(await dump(a1)).toMatch(/^<0x[0-9a-f]+> <dgraph\.drop\.op> "DROP_DATA;" \.\n$/);
    expect((await alter(a1, { drop_all: true })).statusCode).toBe(200);
    expect(await exported(a1)).toMatchObject({
      data: expect.stringMatching(/^<0x[0-9a-f]+> <dgraph\.drop\.op> "DROP_ALL;" \.\n$/),
      schema: 'dgraph.drop.op: string .\ndgraph.type: [string] @index(exact) .\n',
      facts: 1,
      groups: [1, 2],
    });
  });

  it('serves /export only with the auth token when one is set; both coordinators stream the same dump', async () => {
    const port2 = a2.port;
    await a2.close();
    const auth = 'export-auth-token-0123456789abcdef';
    a2 = await createAlpha({
      zero: `127.0.0.1:${zero.port}`,
      port: port2,
      token: TOKEN,
      group: 2,
      dataDir: path.join(root, 'p2'),
      security: { token: auth, tokenFor: 'admin' },
    });
    const bare = await a2.app.inject('/export');
    expect(bare.statusCode).toBe(401);
    expect(bare.body).not.toContain('strata-export');
    const ok = await a2.app.inject({ url: '/export', headers: { 'x-dgraph-authtoken': auth } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.body).toBe(
      (await a1.app.inject('/export?readTs=' + JSON.parse(ok.body.split('\n')[0]!).readTs)).body,
    );
  });

  it('leases uids on /assign (what=uids only), past every uid handed out, as Zero does', async () => {
    const lease = async (q: string) => a1.app.inject(`/assign?${q}`);
    const one = await lease('what=uids&num=5');
    expect(one.statusCode, one.body).toBe(200);
    const a = JSON.parse(one.body) as { startId: string; endId: string };
    expect(BigInt(a.endId) - BigInt(a.startId)).toBe(4n);
    const b = JSON.parse((await lease('what=uids&num=1')).body) as { startId: string };
    expect(BigInt(b.startId)).toBeGreaterThan(BigInt(a.endId));
    // a mutation's new node comes after the leased ones
    const m = JSON.parse((await mutate(a1, '{ set { _:n <name> "leased" . } }')).body) as {
      data: { uids: Record<string, string> };
    };
    expect(BigInt(m.data.uids.n!)).toBeGreaterThan(BigInt(b.startId));
    for (const bad of ['what=timestamps&num=1', 'what=uids&num=0', 'what=uids&num=1000001', 'what=uids']) {
      expect((await lease(bad)).statusCode, bad).toBe(400);
    }
  });

  it('serves /admin to loopback and whitelisted clients only', async () => {
    const q = { query: '{ health { instance status group } state { groups { id } } }' };
    const ok = await a1.app.inject({ method: 'POST', url: '/admin', payload: q });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      data: { health: [{ instance: 'alpha', status: 'healthy', group: '1' }] },
    });
    const far = await a1.app.inject({ method: 'POST', url: '/admin', payload: q, remoteAddress: '10.1.2.3' });
    expect(far.statusCode).toBe(403);
    const listed = await a1.app.inject({
      method: 'POST',
      url: '/admin',
      payload: q,
      remoteAddress: '10.9.8.7',
    });
    expect(listed.statusCode).toBe(200);
  });

  it("accepts Dgraph's dialect on /admin: empty parentheses, as in Dgraph's own examples", async () => {
    for (const query of ['query health() { health() { status } }', '{ health ( ) { status } }']) {
      const r = await a1.app.inject({ method: 'POST', url: '/admin', payload: { query } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual({ data: { health: [{ status: 'healthy' }] } });
    }
    const get = await a1.app.inject({
      method: 'GET',
      url: `/admin?query=${encodeURIComponent('query h() { health { status } }')}`,
    });
    expect(get.json(), get.body).toEqual({ data: { health: [{ status: 'healthy' }] } });
  });

  it('exports through the admin mutation', async () => {
    const r = await a1.app.inject({
      method: 'POST',
      url: '/admin',
      payload: {
        query: 'mutation { export(input: {format: "rdf"}) { response { code message } exportedFiles } }',
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    const e = r.json<{ data: { export: { response: { code: string }; exportedFiles: string[] } } }>().data
      .export;
    expect(e.response.code).toBe('Success');
    expect(e.exportedFiles.map((f) => path.basename(f))).toEqual(['data.rdf', 'schema.txt']);
  });

  it('needs the cluster token on /internal', async () => {
    const r = await a1.app.inject({ method: 'POST', url: '/internal/export', payload: { readTs: '1' } });
    expect(r.statusCode).toBe(401);
    const ok = await a1.app.inject({
      method: 'POST',
      url: '/internal/export',
      payload: { readTs: '1' },
      headers: { [TOKEN_HEADER]: TOKEN },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body.split('\n')[0]).toMatch(
      /^\{"format":"strata-export\/1","readTs":"1","groups":\[1\],"schema":/,
    );
    expect(ok.body).toMatch(/\n\n\{"facts":\d+\}\n$/);
  });

  it("refuses to start on another group's folder", async () => {
    await expect(
      createAlpha({
        zero: `127.0.0.1:${zero.port}`,
        port: 0,
        token: TOKEN,
        group: 2,
        dataDir: path.join(root, 'p1'),
      }),
    ).rejects.toThrow(/group/);
  });
});
