/** The film data set (200,000 N-Quads in two forms), read in place from ../shared/datasets. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeValue, parseNQuadsFile, type NQuad } from '../src/index.js';
import { FILM_DATA } from './helpers.js';

const DATA = FILM_DATA;

async function all(file: string): Promise<NQuad[]> {
  const out: NQuad[] = [];
  for await (const batch of parseNQuadsFile(path.join(DATA, file), { batchSize: 5000 })) {
    expect(batch.length).toBeLessThanOrEqual(5000);
    for (const q of batch) out.push(q);
  }
  return out;
}

describe('film data set', () => {
  it('goldendata_first_200k.rdf.gz: all 200,000 lines parse', async () => {
    const qs = await all('goldendata_first_200k.rdf.gz');
    expect(qs).toHaveLength(200_000);
    expect(qs[199_999]!.line).toBe(200_000);
    expect(qs[0]).toEqual({
      subject: { kind: 'iri', iri: 'director.film' },
      predicate: 'http://www.w3.org/2000/01/rdf-schema#domain',
      object: { kind: 'iri', iri: 'director' },
      facets: [],
      line: 1,
    });
    expect(qs[2]!.object).toEqual({
      kind: 'literal',
      value: 'Films directed',
      valType: 'default',
      lang: 'en',
    });
    expect(qs[16]).toMatchObject({
      subject: { kind: 'iri', iri: 'g.112yf7mpn' },
      predicate: 'initial_release_date',
      object: {
        kind: 'literal',
        value: '1976-06-19',
        valType: 'datetime',
        datatype: 'http://www.w3.org/2001/XMLSchema#date',
      },
      line: 17,
    });
    expect(qs[18]!.object).toEqual({ kind: 'literal', value: '脱走遊戯', valType: 'default', lang: 'ja' });
    const dates = qs.filter((q) => q.object.kind === 'literal' && q.object.valType === 'datetime');
    expect(dates.length).toBe(23125 + 18159 + 2288 + 1);
    const gYear = dates.find((q) => q.object.kind === 'literal' && q.object.datatype?.endsWith('#gYear'))!;
    expect(gYear.object.kind === 'literal' && /^\d{4}$/.test(gYear.object.value)).toBe(true);
    const langs = new Set(
      qs.flatMap((q) => (q.object.kind === 'literal' && q.object.lang ? [q.object.lang] : [])),
    );
    expect([...langs].sort()).toEqual(['en', 'en-GB', 'en-US', 'ja', 'zh', 'zh-HK', 'zh-Hant', 'zh-TW']);
  });

  it('goldendata_export.rdf.gz: all 200,000 lines parse', async () => {
    const qs = await all('goldendata_export.rdf.gz');
    expect(qs).toHaveLength(200_000);
    expect(qs[0]).toEqual({
      subject: { kind: 'blank', name: 'uidf906e' },
      predicate: 'director.film',
      object: { kind: 'blank', name: 'uid1b9e5c' },
      facets: [],
      line: 1,
    });
    const quoted = qs.find((q) => q.object.kind === 'literal' && q.object.value.startsWith('Jero on Jero'))!;
    expect(quoted.object).toMatchObject({
      value: 'Jero on Jero: "A Balinese Trance Seance" Observed',
      lang: 'en',
    });
    const d = qs.find((q) => q.object.kind === 'literal' && q.object.valType === 'datetime')!;
    expect(d.object).toMatchObject({ datatype: 'xs:dateTime' });
    if (d.object.kind === 'literal') {
      const bytes = encodeValue(d.object.value, 'datetime').bytes;
      expect(bytes.length).toBe(15);
      expect(bytes.readInt16BE(13)).toBe(-1);
    }
    expect(new Set(qs.map((q) => q.subject.kind))).toEqual(new Set(['blank']));
  });
});
