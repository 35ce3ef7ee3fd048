/**
 * The DQL differential data set: the interop data set (people with every value type, language
 * tags, facets, geo, passwords) and the film data set of `../shared/datasets` (films, directors and
 * their names in many languages), loaded into the real Dgraph and into Strata with the same uids.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SCHEMA as INTEROP_SCHEMA, PREDICATES, people } from '../interop/dataset.js';

/** The film predicates kept (the data set's few schema facts about itself are left out). */
const FILM_PREDICATES = ['name', 'directed_by', 'initial_release_date', 'director.film'];

/** Every predicate of the data set (the exports of Dgraph and Strata are compared on these). */
export const DQL_PREDICATES: readonly string[] = [...new Set([...PREDICATES, ...FILM_PREDICATES])];

export const SCHEMA = `${INTEROP_SCHEMA}
directed_by: [uid] @reverse .
director.film: [uid] @reverse @count .
initial_release_date: datetime @index(year) .
`;

/**
 * The film data set's first `lines` N-Quads of the predicates above, with the external ids
 * (`<m.0gdqy>`) as blank nodes (`_:m.0gdqy`), as Dgraph's live loader maps them.
 */
export function filmNquads(datasets: string, lines: number): string[] {
  const gz = readFileSync(path.join(datasets, 'dgraph-film-200k', 'goldendata_first_200k.rdf.gz'));
  const out: string[] = [];
  for (const line of gunzipSync(gz).toString('utf8').split('\n').slice(0, lines)) {
    const parts = line.split('\t');
    if (parts.length < 3) continue;
    const pred = parts[1]!.slice(1, -1);
    if (!FILM_PREDICATES.includes(pred)) continue;
    const node = (t: string) => (t.startsWith('<') ? `_:${t.slice(1, -1)}` : t);
    out.push(`${node(parts[0]!)} <${pred}> ${node(parts[2]!)} .`);
  }
  return out;
}

/** The people of the interop data set (two groups, `a` and `b`), as N-Quads. */
export function peopleNquads(): string[] {
  return [...people(60, 'a').split('\n'), ...people(12, 'b').split('\n')];
}
