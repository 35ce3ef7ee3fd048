/**
 * The synthetic social graph of the store benchmark (bench/store.ts): `people` persons of ten
 * N-Quads each, the same bytes for the same arguments (a seeded generator), so that Dgraph and
 * Strata load identical files and two runs load the same data.
 *
 * Each person: a name in English and in German (hash, term, exact indexes, @lang), an age (int
 * index), a score (float), an active flag (bool), a birth date (year index), a location (geo
 * point), the type `Person`, and two `friend` edges with facets (`[uid] @reverse @count`).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { prng } from '@strata/core';

export const QUADS_PER_PERSON = 10;

export const SOCIAL_SCHEMA = `name: string @index(hash, term, exact) @lang .
age: int @index(int) .
score: float .
active: bool .
born: datetime @index(year) .
loc: geo .
friend: [uid] @reverse @count .
type Person {
  name
  age
  score
  active
  born
  loc
  friend
}
`;

const FIRST = ['Ada', 'Ben', 'Cleo', 'Dara', 'Emil', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea'];
const LAST = ['Moss', 'Nash', 'Oak', 'Pike', 'Quill', 'Reed', 'Stone', 'Thorn', 'Vale', 'Wren', 'Yew'];
const WORDS = ['von', 'der', 'am', 'zu', 'vom', 'im'];

/** The N-Quads of persons `from`..`from+count-1`, friends among persons `from`..`from+count-1`. */
export function* socialLines(from: number, count: number, seed = 7): Generator<string> {
  const r = prng(seed + from);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  for (let i = from; i < from + count; i++) {
    const p = `_:p${i}`;
    const name = `${pick(FIRST)} ${pick(LAST)} ${i % 997}`;
    const year = 1950 + Math.floor(r() * 55);
    const month = String(1 + Math.floor(r() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(r() * 28)).padStart(2, '0');
    const lon = (r() * 360 - 180).toFixed(5);
    const lat = (r() * 170 - 85).toFixed(5);
    yield `${p} <name> "${name}"@en .`;
    yield `${p} <name> "${name} ${pick(WORDS)} ${pick(LAST)}"@de .`;
    yield `${p} <age> "${18 + Math.floor(r() * 70)}"^^<xs:int> .`;
    yield `${p} <score> "${(r() * 100).toFixed(3)}"^^<xs:float> .`;
    yield `${p} <active> "${r() < 0.5}"^^<xs:boolean> .`;
    yield `${p} <born> "${year}-${month}-${day}T10:00:00Z"^^<xs:dateTime> .`;
    yield `${p} <loc> "{'type':'Point','coordinates':[${lon},${lat}]}"^^<geo:geojson> .`;
    yield `${p} <dgraph.type> "Person" .`;
    for (let k = 0; k < 2; k++) {
      const f = from + Math.floor(r() * count);
      const since = 2000 + Math.floor(r() * 25);
      yield `${p} <friend> _:p${f} (since=${since}-01-01T00:00:00Z, weight=${r().toFixed(2)}) .`;
    }
  }
}

/** Writes persons `from`..`from+count-1` to `file` as gzip'd N-Quads. */
export async function writeSocial(file: string, from: number, count: number): Promise<void> {
  const lines = socialLines(from, count);
  async function* chunks() {
    let buf: string[] = [];
    for (const l of lines) {
      buf.push(l);
      if (buf.length === 10_000) {
        yield buf.join('\n') + '\n';
        buf = [];
      }
    }
    if (buf.length) yield buf.join('\n') + '\n';
  }
  const out = createWriteStream(file);
  await pipeline(Readable.from(chunks()), createGzip({ level: 1 }), out);
  if (!out.closed) await once(out, 'close');
}
