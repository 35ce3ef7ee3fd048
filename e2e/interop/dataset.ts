/**
 * The interop data set: one schema and a series of changes that both Strata and the real Dgraph
 * apply, and the DQL queries whose answers must agree. Deterministic: the same text every run.
 *
 * It uses only what both can write; what Dgraph alone can write (float32 vectors under an HNSW
 * index) is in {@link DGRAPH_ONLY_SCHEMA}.
 */

/** Predicates and types both write. */
export const SCHEMA = `
name: string @index(term, hash, trigram) @lang .
nick: [string] @index(exact) .
age: int @index(int) .
score: float @index(float) .
active: bool @index(bool) .
born: datetime @index(year) .
seen: datetime @index(hour) .
email: string @index(exact) @upsert .
code: string @index(trigram) .
qhash: string @index(sha256) .
bio: string .
about: string @index(fulltext) @lang .
title: string @index(exact) @lang .
place: geo @index(geo) .
area: geo @index(geo) .
friend: [uid] @reverse @count .
boss: uid @reverse .
pw: password .
tags: [string] .
type Person {
  name
  nick
  age
  score
  active
  born
  seen
  email
  code
  qhash
  bio
  about
  title
  place
  area
  friend
  boss
  pw
}
type Team {
  name
  boss
}
`;

/** A type change between two backups of the series: Team gains a field. */
export const TYPE_CHANGE = `
type Team {
  name
  boss
  nick
}
`;

/** Predicates only Dgraph can write here (its backups carry them to Strata verbatim). */
export const DGRAPH_ONLY_SCHEMA = `
emb: float32vector @index(hnsw(metric:"euclidean")) .
`;

/** The predicates of the data set (what the comparisons look at). */
export const PREDICATES = [
  'name',
  'nick',
  'age',
  'score',
  'active',
  'born',
  'seen',
  'email',
  'code',
  'qhash',
  'bio',
  'about',
  'title',
  'place',
  'area',
  'friend',
  'boss',
  'pw',
  'tags',
  'dgraph.type',
] as const;

const LANGS = ['en', 'de', 'fr', 'es', 'ja'];

/** Fulltext values (language, text): English, German, French and untagged (analysed as English). */
export const ABOUT: readonly (readonly [string, string])[] = [
  ['en', 'The quick brown foxes jumped over lazy dogs'],
  ['de', 'Die schnellen braunen Füchse springen über faule Hunde'],
  ['fr', 'Les chevaux mangeaient des pommes délicieuses'],
  ['', 'Running quickly through the dark forests'],
];
const ABOUT_TAG = (i: number) => (ABOUT[i % ABOUT.length]![0] ? `@${ABOUT[i % ABOUT.length]![0]}` : '');

/**
 * Values under `exact` with a language tag (Dgraph indexes them by collation key): tailored
 * letters and contractions, compatibility forms, Han and Hangul, and one untagged.
 */
const TITLES: readonly (readonly [string, string])[] = [
  ['sv', 'Åsa på ängen'],
  ['cs', 'Chata u řeky'],
  ['de', 'Straße der Füchse'],
  ['ja', 'ｶﾀｶﾅの本'],
  ['zh-TW', '中文書名'],
  ['ko', '한국어 제목'],
  ['es', 'Niño y señor'],
  ['', 'Plain title'],
];

/**
 * Fulltext queries, each with the language and words whose value (ABOUT) every answer must hold
 * (checked against the export, and in {@link QUERIES} against the other side's answers).
 */
export const FULLTEXT_QUERIES: readonly { q: string; lang: string; text: string }[] = [
  { q: '{ q(func: alloftext(about@en, "jumping fox")) { uid } }', lang: 'en', text: ABOUT[0]![1] },
  { q: '{ q(func: anyoftext(about@de, "Fuchs springt Füchse")) { uid } }', lang: 'de', text: ABOUT[1]![1] },
  { q: '{ q(func: alloftext(about@fr, "cheval pomme")) { uid } }', lang: 'fr', text: ABOUT[2]![1] },
  { q: '{ q(func: alloftext(about, "run forest")) { uid } }', lang: '', text: ABOUT[3]![1] },
];

/**
 * Values in the `tags` list of each data set's first person: about 1.1 MB of postings, over the
 * 512 KiB at which Dgraph splits a list into parts (its backups merge them again).
 */
export const BIG_LIST = 20_000;

/** Nodes `_:p0` .. `_:p{n-1}` (people) and `_:t0` .. (teams), as N-Quads. */
export function people(n: number, tag: string): string {
  const out: string[] = [];
  const pad = (i: number, w: number) => String(i).padStart(w, '0');
  for (let i = 0; i < n; i++) {
    const s = `_:${tag}${i}`;
    out.push(`${s} <dgraph.type> "Person" .`);
    // Every 11th person has only a language-tagged name (has(name) leaves it out, as Dgraph does).
    if (i % 11 !== 10) out.push(`${s} <name> "Person ${tag}${i}" .`);
    out.push(`${s} <name> "Person ${tag}${i} in ${LANGS[i % LANGS.length]}"@${LANGS[i % LANGS.length]} .`);
    for (let k = 0; k < (i % 4) + 1; k++) out.push(`${s} <nick> "nick-${(i * 7 + k) % 23}" .`);
    out.push(`${s} <age> "${18 + (i % 60)}" .`);
    out.push(`${s} <score> "${((i * 37) % 1000) / 8}" .`);
    out.push(`${s} <active> "${i % 3 === 0 ? 'true' : 'false'}" .`);
    out.push(`${s} <born> "${1950 + (i % 50)}-${pad((i % 12) + 1, 2)}-${pad((i % 28) + 1, 2)}T00:00:00Z" .`);
    out.push(`${s} <seen> "2024-03-${pad((i % 28) + 1, 2)}T${pad(i % 24, 2)}:15:00Z" .`);
    out.push(
      `${s} <email> "${tag}${i}@example.com" (verified=${i % 2 === 0}, since=2020-0${(i % 9) + 1}-01T00:00:00Z) .`,
    );
    out.push(`${s} <code> "code-${(i * 13) % 97}-xyz" .`);
    out.push(`${s} <qhash> "${(i * 2654435761).toString(16).padStart(16, '0').repeat(4)}${tag}${i}" .`);
    if (i % 5 === 0) out.push(`${s} <bio> "He said \\"hi\\"\\nand left: ${tag}${i}" .`);
    out.push(`${s} <pw> "secret-${tag}${i}" .`);
    out.push(`${s} <place> "{'type':'Point','coordinates':[${placeOf(i).join(',')}]}"^^<geo:geojson> .`);
    out.push(`${s} <area> ${areaOf(i)}^^<geo:geojson> .`);
    out.push(`${s} <about> ${JSON.stringify(`${ABOUT[i % ABOUT.length]![1]} ${tag}${i}`)}${ABOUT_TAG(i)} .`);
    const [tl, tt] = TITLES[i % TITLES.length]!;
    out.push(`${s} <title> ${JSON.stringify(`${tt} ${tag}${i}`)}${tl ? `@${tl}` : ''} .`);
    if (i % 3 === 0) out.push(`${s} <title> "Title of ${tag}${i}"@en .`);
    for (const d of [1, 2, 5])
      if (i + d < n)
        out.push(`${s} <friend> _:${tag}${i + d} (close=${d === 1}, weight=${d / 4}, note="d${d}") .`);
    if (i > 0) out.push(`${s} <boss> _:${tag}${Math.floor(i / 4)} .`);
    if (i === 0)
      for (let k = 0; k < BIG_LIST; k++) out.push(`${s} <tags> "tag ${tag} ${k} of a long list" .`);
  }
  out.push(`_:team${tag} <dgraph.type> "Team" .`);
  out.push(`_:team${tag} <name> "Team ${tag}" .`);
  out.push(`_:team${tag} <boss> _:${tag}0 .`);
  return out.join('\n');
}

/** The point (longitude, latitude) of person `i` of {@link people}. */
export function placeOf(i: number): [number, number] {
  return [(i % 360) - 180 + 0.5, (i % 170) - 85 + 0.25];
}

/** Person `i`'s area: a one-degree right triangle at {@link placeOf}, as a GeoJSON literal. */
export function areaOf(i: number): string {
  const [x, y] = placeOf(i);
  const ring = [
    [x, y],
    [x + 1, y],
    [x + 1, y + 1],
    [x, y],
  ]
    .map((p) => `[${p.join(',')}]`)
    .join(',');
  return `"{'type':'Polygon','coordinates':[[${ring}]]}"`;
}

/**
 * Dgraph-only facts for the nodes of {@link people}: float32 vectors under an HNSW index (whose
 * graph Strata carries through backup and restore unchanged).
 */
export function dgraphOnlyFacts(n: number, tag: string): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const [x, y] = placeOf(i);
    out.push(`_:${tag}${i} <emb> "[${x}, ${y}, ${(i % 7) / 4}]" .`);
  }
  return out.join('\n');
}

/** Queries of {@link QUERIES} that find nothing by design (all others find nodes in the first point). */
export const EMPTY_BY_DESIGN: readonly string[] = [
  `{ q(func: anyofterms(name, "")) { uid } }`,
  // the index finds the tagged names ("Person a1 in en"), but without a language only the
  // untagged value ("Person a1") is checked, as Dgraph does
  `{ q(func: allofterms(name, "person in")) { uid } }`,
  `{ q(func: anyoftext(about@de, "der die das")) { uid } }`,
];

/**
 * DQL queries in the subset Strata answers (uid/has/eq and word-match roots, geo functions, regexp
 * and match, @filter, nested blocks, ~reverse, count, expand(_all_)); `{{uid}}` is replaced by a
 * uid of the data set.
 */
export const QUERIES: string[] = [
  `{ q(func: has(email)) { uid name email age score active born seen nick code qhash bio dgraph.type } }`,
  `{ q(func: has(name)) { uid name@en name@de name@fr name@es name@ja } }`,
  `{ q(func: has(title)) { uid title title@en title@sv title@cs title@de title@ja title@zh-TW title@ko title@es } }`,
  `{ q(func: eq(title, ["Plain title a7", "Plain title b7"])) { uid title title@en } }`,
  `{ q(func: eq(email, "a3@example.com")) { uid name age friend { uid name } ~friend { uid } } }`,
  `{ q(func: eq(name, "Person a7")) { uid email } }`,
  `{ q(func: eq(age, 30)) { uid name } }`,
  `{ q(func: eq(age, [18, 19, 77])) { uid age } }`,
  `{ q(func: eq(score, 9.25)) { uid score } }`,
  `{ q(func: eq(active, true)) { uid } }`,
  `{ q(func: eq(born, "1960-11-11T00:00:00Z")) { uid born } }`,
  `{ q(func: eq(nick, "nick-3")) { uid nick } }`,
  `{ q(func: has(friend)) { uid count(friend) count(~friend) } }`,
  `{ q(func: has(boss)) { uid boss { uid name } ~boss { uid } } }`,
  `{ q(func: has(email)) { expand(_all_) } }`,
  `{ q(func: uid({{uid}})) { uid name friend { name friend { name } } } }`,
  `{ q(func: has(nick)) { uid expand(_all_) } }`,
  // word matches: term index (name has @lang: without a language only the untagged value counts)
  `{ q(func: anyofterms(name, "a7 A8 b3 nobody")) { uid name } }`,
  `{ q(func: allofterms(name, "person a7")) { uid name } }`,
  `{ q(func: allofterms(name, "person in")) { uid } }`,
  `{ q(func: anyofterms(name@en, "a5 a10 a11")) { uid name@en } }`,
  `{ q(func: allofterms(name@de, "in de")) { count(uid) } }`,
  `{ q(func: allofterms(name@., "person in")) { count(uid) } }`,
  `{ q(func: anyofterms(name, "")) { uid } }`,
  // the index finds the tagged names ("Person a1 in en"), but without a language only the
  // untagged value ("Person a1") is checked, as Dgraph does
  `{ q(func: allofterms(name, "person in")) { uid } }`,
  // fulltext, per language
  ...FULLTEXT_QUERIES.map((f) => f.q.replace('{ uid }', '{ uid about@en about@de about@fr about }')),
  `{ q(func: anyoftext(about@., "dog Hunde")) { count(uid) } }`,
  `{ q(func: anyoftext(about@de, "der die das")) { uid } }`,
  `{ q(func: anyoftext(about@fr, "manger POMME")) { uid } }`,
  // comparisons through the int, float, year, hour and exact indexes (float and dates are lossy)
  `{ q(func: ge(age, 50)) { uid age } }`,
  `{ q(func: lt(age, 20)) { uid age } }`,
  `{ q(func: between(age, 30, 32)) { count(uid) } }`,
  `{ q(func: gt(score, 120.5)) { uid score } }`,
  `{ q(func: le(score, 1.5)) { uid score } }`,
  `{ q(func: between(born, "1960-01-01", "1961-06-30T12:00:00Z")) { uid born } }`,
  `{ q(func: ge(seen, "2024-03-27T20:00:00Z")) { uid seen } }`,
  `{ q(func: lt(email, "a12")) { uid email } }`,
  `{ q(func: gt(nick, "nick-7")) { count(uid) } }`,
  // @filter at the root and on edges, before first/offset
  `{ q(func: has(email)) @filter(eq(active, true) and not anyofterms(name, "a3 a6")) { uid } }`,
  `{ q(func: anyoftext(about, "forest")) @filter(has(bio) or eq(age, [18, 19, 20])) { uid age bio } }`,
  `{ q(func: has(friend), first: 4, offset: 1) @filter(NOT (eq(active, true) OR has(bio))) { uid } }`,
  `{ q(func: uid({{uid}})) { friend @filter(has(bio)) { uid } ~friend @filter(not eq(active, true)) { uid } } }`,
  `{ q(func: has(friend), first: 5) @filter(anyofterms(name, "a1 a2 a3 a4 a5 a6")) { uid friend @filter(alloftext(about@en, "dog")) (first: 2) { uid name } } }`,
  `{ q(func: has(boss)) @filter(uid({{uid}}) or allofterms(name, "a2")) { uid } }`,
  `{ q(func: has(email)) @filter(ge(age, 40) and lt(score, 50) and not eq(active, true)) { uid } }`,
  `{ q(func: has(email)) @filter(between(born, "1970-01-01", "1975-01-01") or ge(bio, "He")) { uid } }`,
  `{ q(func: uid({{uid}})) { friend @filter(le(age, 25) or ge(age, 60)) { uid age } } }`,
  // a list large enough for Dgraph to split
  `{ q(func: has(tags)) { uid count(tags) } }`,
  `{ q(func: has(tags)) { tags } }`,
  // schema queries of one type and of some predicates
  `schema(type: Person) {}`,
  `schema(type: [Team, Person]) {}`,
  `schema(pred: [name, age, friend, about, place]) { type index tokenizer reverse count list lang upsert }`,
  // counts (friend has @count) and passwords (Dgraph's bcrypt hashes read by Strata and back)
  `{ q(func: ge(count(friend), 3)) { uid count(friend) } }`,
  `{ q(func: eq(count(friend), 1)) { uid } }`,
  `{ q(func: has(email)) @filter(ge(count(~friend), 3) and lt(count(nick), 3)) { uid } }`,
  `{ q(func: eq(email, ["a3@example.com", "a4@example.com"])) { email checkpwd(pw, "secret-a3") } }`,
  `{ q(func: has(pw), first: 4) { email ok: checkpwd(pw, "secret-a1") } }`,
  // geo functions on points (place) and on polygons (area)
  `{ q(func: near(place, [-170.5, -75.75], 400000)) { email } }`,
  `{ q(func: within(place, [[[-175, -82], [-160, -82], [-160, -65], [-175, -65], [-175, -82]]])) { email } }`,
  `{ q(func: has(email)) @filter(near(place, [-170.5, -75.75], 200000) or intersects(place, [[[-150, -60], [-140, -60], [-140, -40], [-150, -60]]])) { email } }`,
  `{ q(func: contains(area, [-170.2, -75.6])) { uid } }`,
  `{ q(func: intersects(area, [[[[-175, -82], [-160, -82], [-160, -65], [-175, -82]]], [[[-150, -60], [-140, -60], [-140, -40], [-150, -60]]]])) { uid } }`,
  `{ q(func: within(area, [[[-175, -82], [-160, -82], [-160, -65], [-175, -65], [-175, -82]]])) { uid } }`,
  // regexp (the trigram index at the root, any candidates in a filter) and match (fuzzy)
  `{ q(func: regexp(name, /^Person a1[0-9]$/)) { uid name } }`,
  `{ q(func: regexp(name@en, /in EN$/i)) { uid } }`,
  `{ q(func: has(email)) @filter(regexp(email, /^a[0-9]@/) and not regexp(name, /[13579]$/)) { email } }`,
  `{ q(func: match(name, "Person a17", 1)) { name } }`,
  `{ q(func: has(email)) @filter(match(name@de, "Person a1 in de", 2)) { email } }`,
  // facets on values and on uid edges, all of them or some
  `{ q(func: eq(email, ["a3@example.com", "a4@example.com"])) { email @facets friend @facets { email } } }`,
  `{ q(func: has(friend), first: 6) { email @facets(verified) friend @facets(close, weight) { uid } } }`,
];

/**
 * Queries whose answers are compared in order (orderasc/orderdesc): keys chosen so that no two nodes
 * tie (Dgraph's sort is not stable), or ties only between nodes without a value, which Dgraph and
 * Strata both leave in uid order.
 */
export const ORDERED_QUERIES: string[] = [
  `{ q(func: has(email), orderdesc: email, first: 7) { uid email } }`,
  `{ q(func: has(email), orderasc: score, orderdesc: email, first: 12) { email score } }`,
  `{ q(func: anyofterms(name, "a1 a2 a3 b1 b2 c4"), orderasc: born, orderasc: email) { email born } }`,
  `{ q(func: uid({{uid}})) { friend (orderdesc: score, orderasc: email) { email score } } }`,
  `{ q(func: has(email), orderasc: bio) { email bio } }`,
  `{ q(func: has(email), orderdesc: seen, orderasc: email, offset: 3, first: 5) @filter(lt(age, 40)) { email seen } }`,
];
