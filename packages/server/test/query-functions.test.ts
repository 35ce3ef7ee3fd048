/**
 * Word matches (anyofterms, allofterms, anyoftext, alloftext) and @filter through two Alphas on
 * real posting stores: each predicate is asked of whichever group owns it, through both Alphas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';
import { refusal } from './helpers.js';

const TOKEN = 'functions-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-functions-test-'));
let zero: Zero;
let alphas: Alpha[] = [];
let uid: Record<string, string> = {};

const SCHEMA = `
name: string @index(term, hash, trigram) .
about: string @index(fulltext) @lang .
age: int .
rank: int @index(int) .
score: float @index(float) .
born: datetime @index(year) .
tag: [string] @index(hash, exact) .
friend: [uid] @reverse @count .
pw: password .
place: geo @index(geo) .
area: geo .
`;

const DATA = `{ set {
_:ann <name> "Ann Blue Sky" .
_:ann <about> "The dogs were running in the park" .
_:ann <age> "30" .
_:ann <friend> _:bob (close=true, since=2020-01-02T03:04:05Z, w=2) .
_:ann <friend> _:cid (close=false, note="met at work") .
_:ann <friend> _:dee .
_:bob <name> "Bob blue river" .
_:bob <about> "Les chiens couraient"@fr .
_:cid <name> "Cid Red Sky" .
_:cid <about> "a dog runs" .
_:cid <age> "40" .
_:dee <name> "Dee" (checked=true, score=1.5) .
_:ann <rank> "-3" .
_:bob <rank> "7" .
_:cid <rank> "8" .
_:ann <score> "1.25" .
_:bob <score> "1.75" .
_:cid <score> "2.0" .
_:dee <score> "-0.5" .
_:ann <born> "1990-05-01T00:00:00Z" .
_:bob <born> "1990-12-31T23:00:00Z" .
_:cid <born> "1991-01-01T00:00:00Z" .
_:ann <tag> "red" .
_:ann <tag> "zed" .
_:bob <tag> "blue" .
_:ann <dgraph.type> "Person" .
_:bob <dgraph.type> "Person" .
_:cid <dgraph.type> "Robot" .
_:bob <friend> _:cid .
_:ann <pw> "secret-ann" .
_:ann <place> "{'type':'Point','coordinates':[2.35,48.85]}"^^<geo:geojson> .
_:bob <place> "{'type':'Point','coordinates':[2.30,48.87]}"^^<geo:geojson> .
_:cid <place> "{'type':'Point','coordinates':[13.40,52.52]}"^^<geo:geojson> .
_:dee <area> "{'type':'Point','coordinates':[2.35,48.85]}"^^<geo:geojson> .
} }`;

beforeAll(async () => {
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  const common = { zero: `127.0.0.1:${zero.port}`, port: 0, token: TOKEN };
  alphas = [
    await createAlpha({ ...common, group: 1, dataDir: path.join(root, 'p1') }),
    await createAlpha({ ...common, group: 2, dataDir: path.join(root, 'p2') }),
  ];
  const a = alphas[0]!;
  const alter = await a.app.inject({
    method: 'POST',
    url: '/alter',
    payload: SCHEMA,
    headers: { 'content-type': 'text/plain' },
  });
  expect(alter.statusCode, alter.body).toBe(200);
  const m = await a.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: DATA,
  });
  expect(m.statusCode, m.body).toBe(200);
  uid = m.json().data.uids;
});

afterAll(async () => {
  for (const a of alphas) await a.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

async function ask(a: Alpha, q: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await a.app.inject({
    method: 'POST',
    url: '/query',
    headers: { 'content-type': 'application/dql' },
    payload: q,
  });
  return { status: r.statusCode, body: r.json() };
}

/** The uids of block `q` of a query, asked of both Alphas (they must agree). */
async function uids(q: string): Promise<string[]> {
  const answers = [];
  for (const a of alphas) {
    const r = await ask(a, q);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    answers.push(((r.body.data as Record<string, { uid: string }[]>).q ?? []).map((o) => o.uid));
  }
  expect(answers[0]).toEqual(answers[1]);
  return answers[0]!;
}

const names = (...n: string[]) => n.map((x) => uid[x]);

describe('word matches and filters', () => {
  it('anyofterms / allofterms through the term index', async () => {
    expect(await uids('{ q(func: anyofterms(name, "sky BLUE")) { uid } }')).toEqual(
      names('ann', 'bob', 'cid'),
    );
    expect(await uids('{ q(func: allofterms(name, "sky blue")) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: allofterms(name, "green")) { uid } }')).toEqual([]);
  });

  it('anyoftext / alloftext stem per language; @lang picks the value checked', async () => {
    expect(await uids('{ q(func: alloftext(about, "dog run")) { uid } }')).toEqual(names('ann', 'cid'));
    expect(await uids('{ q(func: anyoftext(about@fr, "chien")) { uid } }')).toEqual(names('bob'));
    expect(await uids('{ q(func: anyoftext(about, "chien")) { uid } }')).toEqual([]);
    expect(await uids('{ q(func: anyoftext(about@., "the")) { uid } }')).toEqual([]);
  });

  it('@filter with and, or, not and parentheses, at the root and on an edge, before first/offset', async () => {
    expect(
      await uids('{ q(func: has(name)) @filter(has(age) and not anyofterms(name, "red")) { uid } }'),
    ).toEqual(names('ann'));
    expect(
      await uids(
        `{ q(func: has(name)) @filter(NOT (has(age) OR uid(${uid.bob})) and anyofterms(name, "dee")) { uid } }`,
      ),
    ).toEqual(names('dee'));
    expect(
      await uids('{ q(func: anyofterms(name, "sky blue"), first: 1) @filter(not has(age)) { uid } }'),
    ).toEqual(names('bob'));
    const r = await ask(
      alphas[1]!,
      `{ q(func: uid(${uid.ann})) { friend @filter(anyofterms(name, "sky river")) (first: 1) { name } n: friend @filter(eq(name, "Dee")) { uid } } }`,
    );
    expect(r.body.data).toEqual({ q: [{ friend: [{ name: 'Bob blue river' }], n: [{ uid: uid.dee }] }] });
    const rev = await ask(alphas[0]!, `{ q(func: uid(${uid.cid})) { ~friend @filter(has(age)) { name } } }`);
    expect(rev.body.data).toEqual({ q: [{ '~friend': [{ name: 'Ann Blue Sky' }] }] });
  });

  it('eq in a filter reads the candidates: no index needed, as Dgraph', async () => {
    expect(await uids('{ q(func: has(name)) @filter(eq(age, [40, 41])) { uid } }')).toEqual(names('cid'));
    expect(await uids('{ q(func: has(name)) @filter(not eq(age, 30)) { uid } }')).toEqual(
      names('bob', 'cid', 'dee'),
    );
    const r = await ask(alphas[0]!, '{ q(func: eq(age, 30)) { uid } }');
    refusal(r.status, r.body);
    expect(JSON.stringify(r.body)).toContain('is not indexed');
  });

  it('le, lt, ge, gt and between through a sortable index; lossy tokens checked against values', async () => {
    expect(await uids('{ q(func: ge(rank, 7)) { uid } }')).toEqual(names('bob', 'cid'));
    expect(await uids('{ q(func: gt(rank, 7)) { uid } }')).toEqual(names('cid'));
    expect(await uids('{ q(func: lt(rank, 7)) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: between(rank, -3, 7)) { uid } }')).toEqual(names('ann', 'bob'));
    expect(await uids('{ q(func: gt(score, 1.5)) { uid } }')).toEqual(names('bob', 'cid'));
    expect(await uids('{ q(func: le(score, 1.25)) { uid } }')).toEqual(names('ann', 'dee'));
    expect(await uids('{ q(func: ge(born, "1990-12-31T23:30:00Z")) { uid } }')).toEqual(names('cid'));
    expect(await uids('{ q(func: between(born, "1990-01-01", "1990-12-31T23:00:00Z")) { uid } }')).toEqual(
      names('ann', 'bob'),
    );
    expect(await uids('{ q(func: ge(tag, "s")) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: has(name)) @filter(ge(age, 31) or lt(rank, 0)) { uid } }')).toEqual(
      names('ann', 'cid'),
    );
    const r = await ask(alphas[0]!, '{ q(func: ge(age, 1)) { uid } }');
    refusal(r.status, r.body);
  });

  it('type() is eq on dgraph.type; uid_in filters on edges and is refused at the root, as Dgraph', async () => {
    expect(await uids('{ q(func: type(Person)) { uid } }')).toEqual(names('ann', 'bob'));
    expect(await uids('{ q(func: has(name)) @filter(not type(Person)) { uid } }')).toEqual(
      names('cid', 'dee'),
    );
    expect(await uids(`{ q(func: has(name)) @filter(uid_in(friend, ${uid.cid})) { uid } }`)).toEqual(
      names('ann', 'bob'),
    );
    expect(
      await uids(`{ q(func: has(name)) @filter(uid_in(friend, [${uid.dee}, ${uid.ann}])) { uid } }`),
    ).toEqual(names('ann'));
    const r = await ask(alphas[0]!, `{ q(func: uid_in(friend, ${uid.cid})) { uid } }`);
    refusal(r.status, r.body);
    expect(JSON.stringify(r.body)).toContain('uid_in function not allowed at root');
  });

  it('orderasc / orderdesc: several keys, nodes without a value last, before first/offset, on edges too', async () => {
    expect(await uids('{ q(func: has(name), orderdesc: rank) { uid } }')).toEqual(
      names('cid', 'bob', 'ann', 'dee'),
    );
    expect(await uids('{ q(func: has(name), orderasc: rank) { uid } }')).toEqual(
      names('ann', 'bob', 'cid', 'dee'),
    );
    expect(await uids('{ q(func: has(name), orderasc: born, first: 2) { uid } }')).toEqual(
      names('ann', 'bob'),
    );
    expect(await uids('{ q(func: has(name), orderdesc: score, offset: 1, first: 2) { uid } }')).toEqual(
      names('bob', 'ann'),
    );
    expect(await uids('{ q(func: has(name), orderasc: name) { uid } }')).toEqual(
      names('ann', 'bob', 'cid', 'dee'),
    );
    expect(await uids('{ q(func: type(Person), orderdesc: age, orderasc: name) { uid } }')).toEqual(
      names('ann', 'bob'),
    );
    const r = await ask(
      alphas[1]!,
      `{ q(func: uid(${uid.ann})) { friend (orderdesc: score, first: 2) { uid } } }`,
    );
    expect(r.body.data).toEqual({ q: [{ friend: [{ uid: uid.cid }, { uid: uid.bob }] }] });
    const list = await ask(alphas[0]!, '{ q(func: has(tag), orderasc: tag) { uid } }');
    refusal(list.status, list.body);
    expect(JSON.stringify(list.body)).toContain('Sorting not supported on attr: tag');
  });

  it('checkpwd(pred, "...") answers true or false for every node, as Dgraph', async () => {
    const r = await ask(
      alphas[1]!,
      `{ q(func: uid(${uid.ann}, ${uid.bob})) { checkpwd(pw, "secret-ann") ok: checkpwd(pw, "wrong-one") } }`,
    );
    expect(r.body.data).toEqual({
      q: [
        { 'checkpwd(pw)': true, ok: false },
        { 'checkpwd(pw)': false, ok: false },
      ],
    });
    const bad = await ask(alphas[0]!, `{ q(func: uid(${uid.ann})) { checkpwd(name, "x") } }`);
    refusal(bad.status, bad.body);
    expect(JSON.stringify(bad.body)).toContain('checkpwd fn can only be used on attr: [name]');
  });

  it('comparisons of count(pred) and count(~pred): @count at the root, any predicate in a filter', async () => {
    expect(await uids('{ q(func: ge(count(friend), 1)) { uid } }')).toEqual(names('ann', 'bob'));
    expect(await uids('{ q(func: eq(count(friend), 3)) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: has(name)) @filter(eq(count(~friend), 2)) { uid } }')).toEqual(names('cid'));
    expect(await uids('{ q(func: has(name)) @filter(between(count(tag), 1, 1)) { uid } }')).toEqual(
      names('bob'),
    );
    expect(await uids('{ q(func: has(name)) @filter(lt(count(friend), 1)) { uid } }')).toEqual(
      names('cid', 'dee'),
    );
    const r = await ask(alphas[0]!, '{ q(func: ge(count(tag), 1)) { uid } }');
    refusal(r.status, r.body);
    expect(JSON.stringify(r.body)).toContain(
      'Need @count directive in schema for attr: tag for fn: ge at root',
    );
  });

  it('@facets on uid edges and values, every key or the ones named', async () => {
    const r = await ask(
      alphas[1]!,
      `{ q(func: uid(${uid.ann}, ${uid.dee})) { name @facets friend @facets { name } f2: friend @facets(close, w) { uid } } }`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.data).toEqual({
      q: [
        {
          name: 'Ann Blue Sky',
          friend: [
            {
              name: 'Bob blue river',
              'friend|close': true,
              'friend|since': '2020-01-02T03:04:05Z',
              'friend|w': 2,
            },
            { name: 'Cid Red Sky', 'friend|close': false, 'friend|note': 'met at work' },
            { name: 'Dee' },
          ],
          f2: [
            { uid: uid.bob, 'friend|close': true, 'friend|w': 2 },
            { uid: uid.cid, 'friend|close': false },
            { uid: uid.dee },
          ],
        },
        { name: 'Dee', 'name|checked': true, 'name|score': 1.5 },
      ],
    });
    // A reverse edge shows its forward edge's facets, and filters on them.
    const rev = await ask(
      alphas[0]!,
      `{ q(func: uid(${uid.bob})) { ~friend @facets { name } c: ~friend @facets(eq(close, false)) { uid } } }`,
    );
    expect(rev.body.data).toEqual({
      q: [
        {
          '~friend': [
            {
              name: 'Ann Blue Sky',
              '~friend|close': true,
              '~friend|since': '2020-01-02T03:04:05Z',
              '~friend|w': 2,
            },
          ],
        },
      ],
    });
    // A list of values: each facet by the value's place in the list.
    const m = await alphas[0]!.app.inject({
      method: 'POST',
      url: '/mutate?commitNow=true',
      headers: { 'content-type': 'application/rdf' },
      payload: `{ set { <${uid.dee}> <tag> "t1" (k=1) .\n<${uid.dee}> <tag> "t2" (k=2, s="two") . } }`,
    });
    expect(m.statusCode, m.body).toBe(200);
    const list = await ask(
      alphas[0]!,
      `{ q(func: uid(${uid.dee})) { tag @facets all: tag @facets(eq(k, 2)) @facets(k) } }`,
    );
    const q = (list.body.data as { q: Record<string, unknown>[] }).q[0]!;
    const tags = q.tag as string[];
    expect([...tags].sort()).toEqual(['t1', 't2']);
    expect(q['tag|k']).toEqual({ [String(tags.indexOf('t1'))]: 1, [String(tags.indexOf('t2'))]: 2 });
    expect(q['tag|s']).toEqual({ [String(tags.indexOf('t2'))]: 'two' });
    expect(q.all).toEqual(['t2']);
  });

  it('near, within, contains, intersects on geo values, at the root and in filters', async () => {
    // Paris (ann), 4 km west of it (bob), Berlin (cid)
    expect(await uids('{ q(func: near(place, [2.35, 48.85], 1000)) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: near(place, [2.35, 48.85], 10000)) { uid } }')).toEqual(names('ann', 'bob'));
    const france = '[[[-5, 42], [8, 42], [8, 51], [-5, 51], [-5, 42]]]';
    expect(await uids(`{ q(func: within(place, ${france})) { uid } }`)).toEqual(names('ann', 'bob'));
    expect(await uids(`{ q(func: intersects(place, ${france})) { uid } }`)).toEqual(names('ann', 'bob'));
    expect(
      await uids(
        `{ q(func: has(name)) @filter(within(place, ${france}) and not near(place, [2.35, 48.85], 10)) { uid } }`,
      ),
    ).toEqual(names('bob'));
    // a GeoJSON string works as well as bare coordinates; points contain nothing
    const geojson = JSON.stringify(JSON.stringify({ type: 'Polygon', coordinates: JSON.parse(france) }));
    expect(await uids(`{ q(func: within(place, ${geojson})) { uid } }`)).toEqual(names('ann', 'bob'));
    expect(await uids('{ q(func: contains(place, [2.35, 48.85])) { uid } }')).toEqual([]);
    // what Dgraph refuses
    const refused = async (q: string, msg: string) => {
      const r = await ask(alphas[0]!, q);
      refusal(r.status, r.body);
      expect(JSON.stringify(r.body)).toContain(msg);
    };
    await refused('{ q(func: within(place, [2.35, 48.85])) { uid } }', 'Require a polygon for within query');
    await refused('{ q(func: near(place, [2.35, 48.85], 0)) { uid } }', 'Invalid max distance');
    await refused('{ q(func: near(place, [2.35, 48.85], -5)) { uid } }', 'Distance cannot be negative');
    await refused('{ q(func: near(area, [2.35, 48.85], 5)) { uid } }', 'Predicate area is not indexed');
    await refused('{ q(func: within(place, [[1, 2]])) { uid } }', 'takes a point');
    await refused(
      '{ q(func: within(place, [[[0, 0], [1, 0], [1, 1], [0, 1]]])) { uid } }',
      'Last coordinate',
    );
  });

  it('regexp and match: the trigram index at the root, any candidates in a filter', async () => {
    expect(await uids('{ q(func: regexp(name, /Sky$/)) { uid } }')).toEqual(names('ann', 'cid'));
    expect(await uids('{ q(func: regexp(name, /^(ann|bob) blue/i)) { uid } }')).toEqual(names('ann', 'bob'));
    expect(await uids('{ q(func: regexp(name, /b\\/c|blu[e]/)) { uid } }')).toEqual(names('bob'));
    expect(await uids('{ q(func: has(name)) @filter(regexp(name, /^D/)) { uid } }')).toEqual(names('dee'));
    expect(await uids('{ q(func: has(name)) @filter(regexp(about, /park/)) { uid } }')).toEqual(names('ann'));
    expect(await uids('{ q(func: match(name, "Cid Rad Sky", 1)) { uid } }')).toEqual(names('cid'));
    expect(await uids('{ q(func: match(name, "Ann Blue Sky", 8)) { uid } }')).toEqual(names('ann', 'cid'));
    const refused = async (q: string, msg: string) => {
      const r = await ask(alphas[1]!, q);
      refusal(r.status, r.body);
      expect(JSON.stringify(r.body)).toContain(msg);
    };
    await refused('{ q(func: regexp(name, /^D/)) { uid } }', 'too wide-ranging');
    await refused(
      '{ q(func: regexp(about, /park/)) { uid } }',
      'does not have trigram index for regex matching',
    );
    await refused('{ q(func: regexp(name, /park/g)) { uid } }', 'Invalid regexp modifier: g');
    await refused('{ q(func: regexp(name, /(park/)) { uid } }', 'error parsing regexp');
    await refused('{ q(func: regexp(age, /123/)) { uid } }', 'allowed only on string type');
    await refused(
      '{ q(func: has(name)) @filter(match(about, "dogs", 2)) { uid } }',
      'not indexed with type trigram',
    );
    await refused('{ q(func: match(name, "x", -1)) { uid } }', 'must be greater than 0');
    await refused('{ q(func: regexp(name, "park")) { uid } }', 'takes a /pattern/');
  });

  it('a function on a predicate without its index is refused, as Dgraph', async () => {
    const r = await ask(alphas[0]!, '{ q(func: anyoftext(name, "x")) { uid } }');
    refusal(r.status, r.body);
    expect(JSON.stringify(r.body)).toContain('Attribute name is not indexed with type fulltext');
  });
});
