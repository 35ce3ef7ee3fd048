/** The generated demo data set: deterministic, the expected size, every schema predicate used. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CITIES,
  CITY_LANGS,
  DEMO_PREDICATES,
  DEMO_SCHEMA,
  DEMO_TYPES,
  demoCounts,
  demoLines,
  demoRdfChunks,
  writeDemoFiles,
  type DemoOptions,
} from '../src/demo/index.js';

/**
 * sha256 of the default set. It changes only when the generator, its word lists or its seed do:
 * update it then (and say so: loaded stores and README figures change with it).
 */
const DEFAULT_SHA256 = '84d15e980157ebd405b7a8ee48fca931b0ec49b334b20602d73e03899a5afb97';

function digest(opts?: DemoOptions): { sha: string; bytes: number; lines: number } {
  const h = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  for (const c of demoRdfChunks(opts)) {
    h.update(c);
    bytes += Buffer.byteLength(c);
    for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) lines++;
  }
  return { sha: h.digest('hex'), bytes, lines };
}

/** `_:s <p> object (facets) .` → its parts (the generator writes no `>` inside literals). */
const LINE_RE = /^(_:[a-z]+\.[\w-]+) <([\w.]+)> (.+?)(?: \((.+)\))? \.$/;

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-demo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('demo data set', () => {
  const first = digest();

  it('is the same bytes on every run (and the pinned ones)', () => {
    expect(digest()).toEqual(first);
    expect(first.sha).toBe(DEFAULT_SHA256);
  });

  it('holds about 300,000 N-Quads (10-20 MB of text)', () => {
    expect(first.lines).toBeGreaterThan(280_000);
    expect(first.lines).toBeLessThan(320_000);
    expect(first.bytes).toBeGreaterThan(10e6);
    expect(first.bytes).toBeLessThan(20e6);
  });

  it('another seed or size gives other data', () => {
    expect(digest({ seed: 13 }).sha).not.toBe(first.sha);
    const small = digest({ people: 100 });
    expect(small.lines).toBeGreaterThan(3_000);
    expect(small.lines).toBeLessThan(6_000);
    expect(() => digest({ people: 3 })).toThrow(RangeError);
  });

  it('uses every predicate of its schema, and only those; every node has a schema type', () => {
    const n = demoCounts();
    const preds = new Map<string, number>();
    const types = new Map<string, number>();
    const langs = new Set<string>();
    const facets = new Map<string, Set<string>>();
    const livesIn = new Map<string, number>();
    const population = new Map<string, number>();
    for (const line of demoLines()) {
      const m = LINE_RE.exec(line);
      if (!m) throw new Error(`unexpected line: ${line}`);
      const [, s, p, o, f] = m;
      preds.set(p!, (preds.get(p!) ?? 0) + 1);
      if (p === 'dgraph.type') {
        const t = JSON.parse(o!) as string;
        types.set(t, (types.get(t) ?? 0) + 1);
      }
      const lang = /"@([a-z]+)$/.exec(o!);
      if (lang) langs.add(lang[1]!);
      if (f)
        for (const kv of f.split(', '))
          (facets.get(p!) ?? facets.set(p!, new Set()).get(p!)!).add(kv.split('=')[0]!);
      if (p === 'lives_in') livesIn.set(o!, (livesIn.get(o!) ?? 0) + 1);
      if (p === 'population') population.set(s!, Number(JSON.parse(o!)));
    }
    expect([...preds.keys()].sort()).toEqual([...DEMO_PREDICATES, 'dgraph.type'].sort());
    expect(Object.fromEntries(types)).toEqual({
      City: n.cities,
      Company: n.companies,
      Person: n.people,
      Post: n.posts,
      Account: n.accounts,
    });
    expect([...types.keys()].sort()).toEqual([...DEMO_TYPES].sort());
    expect([...langs].sort()).toEqual([...CITY_LANGS].sort());
    expect([...facets.keys()].sort()).toEqual(['follows', 'works_at']);
    expect([...facets.get('works_at')!].sort()).toEqual(['hours', 'role', 'since']);
    // A city's population is its number of residents (what count(~lives_in) answers).
    expect(population.size).toBe(CITIES.length);
    for (const [city, pop] of population) expect(livesIn.get(city) ?? 0, city).toBe(pop);
    expect(preds.get('lives_in')).toBe(n.people);
  });

  it('the schema declares each index kind Strata builds, and none it cannot', () => {
    for (const tok of [
      'exact',
      'hash',
      'term',
      'trigram',
      'int',
      'float',
      'bool',
      'year',
      'month',
      'day',
      'hour',
    ]) {
      expect(DEMO_SCHEMA).toMatch(new RegExp(`@index\\([^)]*\\b${tok}\\b`));
    }
    expect(DEMO_SCHEMA).not.toMatch(/\b(fulltext|sha256|geo)\s*[,)]/);
    for (const d of [
      '@reverse',
      '@count',
      '@upsert',
      '@lang',
      '[string]',
      '[uid]',
      ': password',
      ': default',
      ': geo',
    ])
      expect(DEMO_SCHEMA).toContain(d);
  });

  it('writeDemoFiles writes the schema and the same N-Quads, gzip-compressed', async () => {
    const r = await writeDemoFiles(path.join(tmp, 'out'), { people: 200 });
    expect(readFileSync(r.schema, 'utf8')).toBe(DEMO_SCHEMA);
    const text = gunzipSync(readFileSync(r.rdf)).toString('utf8');
    expect(text).toBe([...demoRdfChunks({ people: 200 })].join(''));
    expect(r.quads).toBe(text.split('\n').length - 1);
    expect(r.bytes).toBe(Buffer.byteLength(text));
    const again = await writeDemoFiles(path.join(tmp, 'again'), { people: 200 });
    expect(readFileSync(again.rdf).equals(readFileSync(r.rdf))).toBe(true);
  });
});
