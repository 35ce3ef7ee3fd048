/**
 * The demo data set's N-Quads, generated from a seeded PRNG: the same options give the same lines,
 * byte for byte, on every run and machine. With the defaults it holds about 300,000 N-Quads:
 * 7,500 people, 24 cities (names in several languages, GeoJSON point and polygon), ~190
 * companies, 15,000 posts and 25 accounts, with facets on the `works_at` and `follows` edges.
 */
import { prng } from '../util/prng.js';
import {
  ADJECTIVES,
  CITIES,
  CITY_LANGS,
  COMPANY_KINDS,
  COMPANY_WORDS,
  FIRST_NAMES,
  HOBBIES,
  INDUSTRIES,
  LAST_NAMES,
  ROLES,
  TITLE_WORDS,
  TOPICS,
  type DemoCity,
} from './vocabulary.js';

export interface DemoOptions {
  /** People in the set (default 7,500); the other node counts follow from it. */
  people?: number;
  /** PRNG seed (default 12). */
  seed?: number;
}

export const DEMO_DEFAULT_PEOPLE = 7500;
export const DEMO_DEFAULT_SEED = 12;

/** Node counts of the set generated for `opts`. */
export interface DemoCounts {
  people: number;
  cities: number;
  companies: number;
  posts: number;
  accounts: number;
}

export function demoCounts(opts: DemoOptions = {}): DemoCounts {
  const people = opts.people ?? DEMO_DEFAULT_PEOPLE;
  if (!Number.isSafeInteger(people) || people < 10)
    throw new RangeError('demo data: people must be an integer >= 10');
  return {
    people,
    cities: CITIES.length,
    companies: Math.max(4, Math.round(people / 40)),
    posts: people * 2,
    accounts: Math.max(2, Math.floor(people / 300)),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** Coordinates with two decimals, as JSON numbers. */
const deg = (x: number) => String(Math.round(x * 100) / 100);

function geo(json: string): string {
  return `"${json.replace(/"/g, '\\"')}"^^<geo:geojson>`;
}

function pointOf(c: DemoCity): string {
  return `{"type":"Point","coordinates":[${deg(c.lonLat[0])},${deg(c.lonLat[1])}]}`;
}

/** A square of ±0.1° around the city (a closed ring, counter-clockwise). */
function squareOf(c: DemoCity): string {
  const [x, y] = c.lonLat;
  const ring = [
    [x - 0.1, y - 0.1],
    [x + 0.1, y - 0.1],
    [x + 0.1, y + 0.1],
    [x - 0.1, y + 0.1],
    [x - 0.1, y - 0.1],
  ];
  return `{"type":"Polygon","coordinates":[[${ring.map(([a, b]) => `[${deg(a!)},${deg(b!)}]`).join(',')}]]}`;
}

/** Blank-node names of the set. */
export const demoNode = {
  person: (i: number) => `_:person.${i}`,
  city: (key: string) => `_:city.${key}`,
  company: (i: number) => `_:company.${i}`,
  post: (i: number) => `_:post.${i}`,
  account: (i: number) => `_:account.${i}`,
};

/** The email of person `i` (unique; `email` has a hash index). */
export function demoEmail(first: string, last: string, i: number): string {
  return `${first}.${last}.${i}@example.org`.toLowerCase();
}

/** Yields the N-Quad lines of the set (without their newline). */
export function* demoLines(opts: DemoOptions = {}): Generator<string> {
  const n = demoCounts(opts);
  const rnd = prng(opts.seed ?? DEMO_DEFAULT_SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const date = (y0: number, y1: number, withTime: boolean) => {
    const d = `${int(y0, y1)}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
    return withTime ? `${d}T${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}Z` : `${d}T00:00:00Z`;
  };
  const str = (s: string) => `"${s}"`;

  // Draw where people live first: a city's population is its number of residents.
  const cityOf = new Uint16Array(n.people);
  const population = new Array<number>(CITIES.length).fill(0);
  for (let i = 0; i < n.people; i++) {
    const r = rnd();
    const c = Math.floor(r * r * CITIES.length);
    cityOf[i] = c;
    population[c]!++;
  }

  for (let c = 0; c < CITIES.length; c++) {
    const city = CITIES[c]!;
    const s = demoNode.city(city.key);
    yield `${s} <dgraph.type> "City" .`;
    yield `${s} <name> ${str(city.name)} .`;
    for (const lang of CITY_LANGS) yield `${s} <name> ${str(city.names[lang]!)}@${lang} .`;
    yield `${s} <population> "${population[c]}" .`;
    yield `${s} <location> ${geo(pointOf(city))} .`;
    yield `${s} <area> ${geo(squareOf(city))} .`;
  }

  for (let i = 0; i < n.companies; i++) {
    const s = demoNode.company(i);
    const word = COMPANY_WORDS[i % COMPANY_WORDS.length]!;
    const round = Math.floor(i / COMPANY_WORDS.length);
    const kind = COMPANY_KINDS[round % COMPANY_KINDS.length]!;
    const suffix = round >= COMPANY_KINDS.length ? ` ${Math.floor(round / COMPANY_KINDS.length) + 1}` : '';
    yield `${s} <dgraph.type> "Company" .`;
    yield `${s} <name> ${str(`${word} ${kind}${suffix}`)} .`;
    yield `${s} <industry> ${str(pick(INDUSTRIES))} .`;
    yield `${s} <founded> "${date(1950, 2020, false)}" .`;
    yield `${s} <headquarters> ${demoNode.city(CITIES[Math.floor(rnd() * CITIES.length)]!.key)} .`;
  }

  for (let i = 0; i < n.people; i++) {
    const s = demoNode.person(i);
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const city = CITIES[cityOf[i]!]!;
    const age = int(18, 79);
    yield `${s} <dgraph.type> "Person" .`;
    yield `${s} <name> ${str(`${first} ${last}`)} .`;
    yield `${s} <email> ${str(demoEmail(first, last, i))} .`;
    const bio = `${cap(pick(ADJECTIVES))} ${pick(ROLES)} from ${city.name}, into ${pick(HOBBIES)} and ${pick(HOBBIES)}.`;
    yield `${s} <bio> ${str(bio)} .`;
    yield `${s} <age> "${age}" .`;
    yield `${s} <height> "${(1.5 + rnd() * 0.5).toFixed(2)}" .`;
    yield `${s} <verified> "${rnd() < 0.3}" .`;
    yield `${s} <born> "${date(2025 - age, 2025 - age, false)}" .`;
    yield `${s} <joined> "${date(2012, 2025, true)}" .`;
    yield `${s} <last_seen> "${date(2025, 2025, true)}" .`;
    yield `${s} <lives_in> ${demoNode.city(city.key)} .`;
    if (rnd() < 0.8) {
      const facets = `role=${str(pick(ROLES))}, since=${date(2005, 2025, false)}, hours=${int(10, 45)}`;
      yield `${s} <works_at> ${demoNode.company(Math.floor(rnd() * n.companies))} (${facets}) .`;
    }
    const follows = new Set<number>();
    for (let k = int(0, 16); k > 0; k--) {
      const j = Math.floor(rnd() * n.people);
      if (j !== i) follows.add(j);
    }
    for (const j of follows) {
      const facets = `close=${rnd() < 0.2}, weight=${rnd().toFixed(2)}`;
      yield `${s} <follows> ${demoNode.person(j)} (${facets}) .`;
    }
    const likes = new Set<number>();
    for (let k = int(0, 12); k > 0; k--) likes.add(Math.floor(rnd() * n.posts));
    for (const p of likes) yield `${s} <likes> ${demoNode.post(p)} .`;
  }

  for (let p = 0; p < n.posts; p++) {
    const s = demoNode.post(p);
    const topic = pick(TOPICS);
    const tags = new Set([topic]);
    for (let k = int(0, 2); k > 0; k--) tags.add(pick(TOPICS));
    yield `${s} <dgraph.type> "Post" .`;
    yield `${s} <title> ${str(`${cap(pick(TITLE_WORDS))} on ${topic}`)} .`;
    yield `${s} <body> ${str(`A ${pick(ADJECTIVES)} post about ${[...tags].join(', ')} (number ${p}).`)} .`;
    for (const t of tags) yield `${s} <tags> ${str(t)} .`;
    yield `${s} <published> "${date(2018, 2025, true)}" .`;
    yield `${s} <author> ${demoNode.person(Math.floor(rnd() * n.people))} .`;
  }

  for (let a = 0; a < n.accounts; a++) {
    const s = demoNode.account(a);
    yield `${s} <dgraph.type> "Account" .`;
    yield `${s} <handle> ${str(`admin-${pad(a + 1)}`)} .`;
    yield `${s} <password> ${str(`demo-password-${a + 1}`)} .`;
    yield `${s} <note> ${str(`rotates keys every ${int(2, 12)} months`)} .`;
    yield `${s} <owner> ${demoNode.person(Math.floor(rnd() * n.people))} .`;
  }
}

/** The set as text chunks of whole lines (each ending in "\n"), about `chunkChars` long. */
export function* demoRdfChunks(opts: DemoOptions = {}, chunkChars = 1 << 16): Generator<string> {
  let buf = '';
  for (const line of demoLines(opts)) {
    buf += `${line}\n`;
    if (buf.length >= chunkChars) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}
