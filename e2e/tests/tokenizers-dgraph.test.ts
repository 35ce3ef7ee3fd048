/**
 * Strata's term, fulltext, exact (collation keys of tagged values) and geo index tokens against
 * Dgraph's own tokenizers (its `tok` package, run
 * as tok-oracle), value by value: every token Strata writes must be the one Dgraph writes, and
 * Strata may only refuse a value (INVALID_ARGUMENT: it cannot index it exactly), never index it
 * differently. Refusals are counted so that the check cannot pass by refusing everything.
 */
import { describe, expect, it } from 'vitest';
import { indexTokens } from '@strata/core';
import { DGRAPH_VERSIONS } from './dgraph-peer.js';
import { dgraphTokens, type TokRequest } from '../interop/tok-oracle.js';
import {
  codePointRequests,
  filmRequests,
  geoPoints,
  geoPolygons,
  langTagRequests,
  multiPolygonWkb,
  pointWkb,
  polygonWkb,
  soraniRequests,
  wordRequests,
} from '../interop/word-corpus.js';

type Outcome = { hex: string[] } | { refused: string };

function strataTokens(r: TokRequest): Outcome {
  try {
    return { hex: indexTokens(r.t, r.v, r.lang).map((b) => b.toString('hex')) };
  } catch (e) {
    if ((e as { code?: string }).code === 'INVALID_ARGUMENT') return { refused: (e as Error).message };
    throw e;
  }
}

interface Tally {
  checked: number;
  refused: number;
  diffs: string[];
}

async function compare(version: (typeof DGRAPH_VERSIONS)[number], reqs: TokRequest[]): Promise<Tally> {
  const want = await dgraphTokens(version, reqs);
  const tally: Tally = { checked: 0, refused: 0, diffs: [] };
  reqs.forEach((r, i) => {
    const mine = strataTokens(r);
    if ('refused' in mine) {
      tally.refused++;
      return;
    }
    tally.checked++;
    const w = want[i]!;
    const theirs = typeof w === 'string' ? w : [...w].sort().join(' ');
    const ours = [...mine.hex].sort().join(' ');
    if (theirs !== ours)
      tally.diffs.push(
        `${r.t} ${JSON.stringify(r.lang)} ${JSON.stringify(r.v)}: Strata [${ours}] Dgraph [${theirs}]`,
      );
  });
  return tally;
}

describe.each(DGRAPH_VERSIONS)('term, fulltext, exact and geo tokens vs Dgraph %s', (version) => {
  it('common words of 26 languages, as they are, capitalised, upper-cased and in sentences', async () => {
    let total = 0;
    const shares: string[] = [];
    for (const { lang, reqs } of wordRequests(3000)) {
      const t = await compare(version, reqs);
      total += t.checked;
      shares.push(`${lang} ${t.checked}/${reqs.length}`);
      expect(t.diffs.slice(0, 10), `${lang}: tokens that differ`).toEqual([]);
      // Refusing is allowed (characters whose split is unproven), but not as a way to pass.
      expect(t.refused / reqs.length, `${lang}: share of values refused`).toBeLessThan(0.05);
    }
    console.log(`tokens equal to Dgraph ${version}'s (values checked/asked): ${shares.join(', ')}`);
    expect(total).toBeGreaterThan(400_000);
  }, 600_000);

  it('geo tokens of points over the whole globe (S2 cells, levels 5 to 16)', async () => {
    const points = geoPoints();
    const reqs = points.map(([x, y]) => ({
      t: 'geo',
      lang: '',
      v: JSON.stringify({ type: 'Point', coordinates: [x, y] }),
    }));
    const want = await dgraphTokens(version, reqs);
    const diffs: string[] = [];
    points.forEach(([x, y], i) => {
      const ours = indexTokens('geo', pointWkb(x, y))
        .map((b) => b.toString('hex'))
        .sort()
        .join(' ');
      const w = want[i]!;
      const theirs = typeof w === 'string' ? w : [...w].sort().join(' ');
      if (ours !== theirs) diffs.push(`[${x}, ${y}]: Strata [${ours}] Dgraph [${theirs}]`);
    });
    expect(diffs.slice(0, 10)).toEqual([]);
    expect(points.length).toBeGreaterThan(25_000);
  });

  it('geo tokens of polygons and multipolygons: the S2 covering Dgraph indexes, across cube faces too', async () => {
    const rings = geoPolygons();
    // every ring alone, then pairs of them as multipolygons
    const shapes = [
      ...rings.map((r) => [r]),
      ...Array.from({ length: 1000 }, (_, k) => [rings[2 * k]!, rings[2 * k + 1]!]),
    ];
    const reqs = shapes.map((s) => ({
      t: 'geo',
      lang: '',
      v: JSON.stringify(
        s.length === 1
          ? { type: 'Polygon', coordinates: s }
          : { type: 'MultiPolygon', coordinates: s.map((r) => [r]) },
      ),
    }));
    const want = await dgraphTokens(version, reqs);
    const diffs: string[] = [];
    let refused = 0;
    shapes.forEach((s, i) => {
      const w = want[i]!;
      const theirs = typeof w === 'string' ? w : [...w].sort().join(' ');
      let ours: string;
      try {
        ours = indexTokens('geo', s.length === 1 ? polygonWkb(s[0]!) : multiPolygonWkb(s))
          .map((b) => b.toString('hex'))
          .sort()
          .join(' ');
      } catch (e) {
        if ((e as { code?: string }).code !== 'INVALID_ARGUMENT') throw e;
        refused++;
        return;
      }
      if (ours !== theirs) diffs.push(`${JSON.stringify(s)}: Strata [${ours}] Dgraph [${theirs}]`);
    });
    console.log(
      `polygon tokens equal to Dgraph ${version}'s: ${shapes.length - refused - diffs.length} of ${shapes.length} (${refused} refused)`,
    );
    expect(diffs.slice(0, 5)).toEqual([]);
    // none is refused: across cube faces too, every ring is under 20,000 vertices
    expect(refused).toBe(0);
  });

  it('every two-letter language tag maps to the base and collation Dgraph derives', async () => {
    const reqs = langTagRequests();
    const t = await compare(version, reqs);
    expect(t.diffs.slice(0, 10)).toEqual([]);
    expect(t.refused).toBe(0);
  });

  it('Sorani words built from every suffix its stemmer knows', async () => {
    const reqs = soraniRequests();
    const t = await compare(version, reqs);
    expect(t.diffs.slice(0, 10)).toEqual([]);
    expect(t.refused).toBe(0);
    expect(reqs.length).toBeGreaterThan(5000);
  });

  it('the film names of the shared data set with their language tags', async () => {
    const reqs = filmRequests();
    const t = await compare(version, reqs);
    expect(t.diffs.slice(0, 10)).toEqual([]);
    expect(reqs.length).toBeGreaterThan(100_000);
    expect(t.refused / reqs.length).toBeLessThan(0.001);
  }, 300_000);

  it('code points across Unicode in the contexts of the checked-character table', async () => {
    const reqs = codePointRequests(3);
    const t = await compare(version, reqs);
    expect(t.diffs.slice(0, 10)).toEqual([]);
    expect(t.checked).toBeGreaterThan(reqs.length / 2);
  }, 300_000);
});
