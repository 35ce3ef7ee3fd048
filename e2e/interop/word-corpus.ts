/**
 * Text to compare Strata's term and fulltext tokens with Dgraph's: common words of many languages
 * (wordfreq's frequency lists, fetched by scripts/setup/wordlists.sh) as they are, capitalised,
 * upper-cased and in sentences; the film names of the shared data set with their language tags;
 * and code points sampled across Unicode in the contexts the checked-character table was made from.
 */
import { decode } from '@msgpack/msgpack';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../tests/paths.js';
import type { TokRequest } from './tok-oracle.js';

const WORDFREQ = '3.1.1';

/** Dgraph's fulltext languages that wordfreq has lists for, with the tag each is written with. */
export const LANGS: Record<string, string> = {
  ar: 'ar',
  bg: 'bg',
  ca: 'ca',
  cs: 'cs',
  da: 'da',
  de: 'de',
  el: 'el',
  en: 'en',
  es: 'es',
  fa: 'fa',
  fi: 'fi',
  fr: 'fr',
  hi: 'hi',
  hu: 'hu',
  id: 'id',
  it: 'it',
  ja: 'ja',
  ko: 'ko',
  nb: 'no',
  nl: 'nl',
  pt: 'pt',
  ro: 'ro',
  ru: 'ru',
  sv: 'sv',
  tr: 'tr',
  zh: 'zh',
};

function wordList(lang: string, n: number): string[] {
  const cache = process.env.STRATA_CACHE ?? path.join(homedir(), '.cache', 'strata');
  const file = path.join(cache, 'wordfreq', WORDFREQ, `small_${lang}.msgpack.gz`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/setup/wordlists.sh`);
  // [header, bucket, bucket, ...]: buckets of words from the most frequent down
  const buckets = decode(gunzipSync(readFileSync(file))) as unknown[];
  return (buckets.slice(1) as string[][]).flat().slice(0, n);
}

/** A deterministic pseudo-random sequence (xorshift32). */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Words, their capitalised and upper-case forms, and 8-word sentences, per language. */
export function wordRequests(perLang: number): { lang: string; reqs: TokRequest[] }[] {
  return Object.entries(LANGS).map(([list, tag]) => {
    const words = wordList(list, perLang);
    const next = rng(words.length);
    const values = [
      ...words,
      ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)),
      ...words.filter((_, i) => i % 3 === 0).map((w) => w.toUpperCase()),
    ];
    for (let i = 0; i < words.length / 4; i++)
      values.push(Array.from({ length: 8 }, () => words[Math.floor(next() * words.length)]).join(' '));
    const reqs: TokRequest[] = [];
    for (const v of values) {
      reqs.push({ t: 'fulltext', lang: tag, v });
      reqs.push({ t: 'term', lang: tag, v });
      reqs.push({ t: 'exact', lang: tag, v });
    }
    // a region subtag and the untagged (English) analysis of the same text
    for (const v of values.slice(0, 200)) {
      reqs.push({ t: 'fulltext', lang: `${tag}-XY`, v });
      reqs.push({ t: 'exact', lang: `${tag}-XY`, v });
      reqs.push({ t: 'fulltext', lang: '', v });
    }
    return { lang: tag, reqs };
  });
}

/**
 * Sorani (ckb), which wordfreq lacks: stems of Kurdish letters with every suffix Dgraph's Sorani
 * stemmer knows, alone and stacked, and random letter runs.
 */
export function soraniRequests(): TokRequest[] {
  const letters = [...'کوردستانیەێبپتجچحخزژسشعغفڤقگلڵمنهۆوێ'];
  const suffixes = ['دا', 'نا', 'ەوە', 'مان', 'یان', 'تان', 'ێکی', 'یەکی', 'ێک', 'یەک', 'ەکە', 'کە'];
  suffixes.push('ەکان', 'کان', 'یانی', 'انی', 'ان', 'یانە', 'انە', 'ایە', 'ەیە', 'ە', 'ی');
  const next = rng(7);
  const pick = <T>(a: T[]) => a[Math.floor(next() * a.length)]!;
  const word = (n: number) => Array.from({ length: n }, () => pick(letters)).join('');
  const values: string[] = [];
  for (const s of suffixes)
    for (let len = 0; len < 8; len++)
      for (let k = 0; k < 6; k++) values.push(word(len) + s, word(len) + pick(suffixes) + s);
  for (let k = 0; k < 3000; k++) values.push(`${word(1 + Math.floor(next() * 12))} ${word(3)}`);
  return values.map((v) => ({ t: 'fulltext', lang: 'ckb', v }));
}

/**
 * Every two-letter language code (registered or not), alone and with a region and a script, on
 * one English sentence: the base Dgraph derives from the tag decides the stop words and stemmer.
 */
export function langTagRequests(): TokRequest[] {
  const out: TokRequest[] = [];
  const abc = 'abcdefghijklmnopqrstuvwxyz';
  for (const a of abc)
    for (const b of abc)
      for (const lang of [a + b, `${a}${b}-US`, `${a.toUpperCase()}${b}_Latn-DE`, `${a}${b}-${b}${a}`]) {
        out.push({ t: 'fulltext', lang, v: 'The quick brown foxes were running under the bridges' });
        out.push({ t: 'exact', lang, v: 'Åsa chata ñu Straße ıi ﬁ 中文 한국어 ddraig dzsungel' });
      }
  // scripts and regions that select a collation of their own
  const m49 = ['001', '003', '005', '009', '013', '019', '021', '035', '142', '150', '154', '419'];
  for (const lang of [
    'zh-Hant',
    'zh-Hans-TW',
    'zh-Hant-CN',
    'sr-Latn',
    'sr-Cyrl',
    'sh',
    'bs-Cyrl',
    ...m49.map((r) => `zh-${r}`),
  ])
    out.push({ t: 'exact', lang, v: '中文 漢字 džungla Љубав ljubav' });
  // Chinese: the region decides between the Simplified and the Traditional order
  for (const a of abc)
    for (const b of abc) out.push({ t: 'exact', lang: `zh-${(a + b).toUpperCase()}`, v: '中文 漢字' });
  return out;
}

/** The film names of the shared data set (en, ja, zh, zh-Hant ... tags), term, fulltext and exact. */
export function filmRequests(): TokRequest[] {
  const file = path.resolve(repoRoot, '../shared/datasets/dgraph-film-200k/goldendata_first_200k.rdf.gz');
  const out: TokRequest[] = [];
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    const m = /^<[^>]*>\s+<name>\s+("(?:[^"\\]|\\.)*")@([A-Za-z-]+)\s+\.$/.exec(line.trim());
    if (!m) continue;
    const v = JSON.parse(m[1]!) as string;
    out.push(
      { t: 'term', lang: m[2]!, v },
      { t: 'fulltext', lang: m[2]!, v },
      { t: 'exact', lang: m[2]!, v },
    );
  }
  return out;
}

/** Tags whose collations differ most: tailored contractions, Thai, Hangul, Han orders. */
const COLLATION_TAGS = [
  'en',
  'cs',
  'ja',
  'ko',
  'th',
  'zh-TW',
  'sv',
  'vi',
  'ar',
  'hi',
  'cy',
  'hu',
  'ln',
  'si',
];

/** Every `step`-th code point below U+30000 in the contexts the character table was measured in. */
export function codePointRequests(step: number): TokRequest[] {
  const out: TokRequest[] = [];
  for (let cp = 0x20; cp < 0x30000; cp += step) {
    if (cp >= 0xd800 && cp < 0xe000) continue;
    const c = String.fromCodePoint(cp);
    for (const v of [c, `x${c}y`, `1${c}2`, `ΑΣ${c}`, c + c, `a ${c}b`, `x${c}${c}y`])
      out.push({ t: 'term', lang: '', v });
    out.push({ t: 'fulltext', lang: 'zh', v: c + c + c });
    // collation: the code point alone, after a contraction's start and between combining marks
    const lang = COLLATION_TAGS[cp % COLLATION_TAGS.length]!;
    for (const v of [c, `c${c}h`, `a\u0301${c}\u0323`]) out.push({ t: 'exact', lang, v });
  }
  return out;
}

/** A 2D point as little-endian WKB (what Strata stores for a geo value). */
export function pointWkb(lng: number, lat: number): Buffer {
  const b = Buffer.alloc(21);
  b.writeUInt8(1, 0);
  b.writeUInt32LE(1, 1);
  b.writeDoubleLE(lng, 5);
  b.writeDoubleLE(lat, 13);
  return b;
}

/** Points over the whole globe: random ones, rounded ones and a whole-degree grid. */
export function geoPoints(): [number, number][] {
  const next = rng(11);
  const out: [number, number][] = [];
  for (let k = 0; k < 20_000; k++) out.push([next() * 360 - 180, next() * 180 - 90]);
  for (let k = 0; k < 5_000; k++)
    out.push([Math.round((next() * 360 - 180) * 100) / 100, Math.round((next() * 180 - 90) * 100) / 100]);
  for (let lng = -180; lng <= 180; lng += 5) for (let lat = -90; lat <= 90; lat += 5) out.push([lng, lat]);
  return out;
}

/** Polygons of one ring each, as little-endian WKB of a multipolygon. */
export function multiPolygonWkb(rings: [number, number][][]): Buffer {
  const head = Buffer.alloc(9);
  head.writeUInt8(1, 0);
  head.writeUInt32LE(6, 1);
  head.writeUInt32LE(rings.length, 5);
  return Buffer.concat([head, ...rings.map(polygonWkb)]);
}

/** A polygon of one ring (closed: first position repeated last), as little-endian WKB. */
export function polygonWkb(ring: [number, number][]): Buffer {
  const b = Buffer.alloc(13 + 16 * ring.length);
  b.writeUInt8(1, 0);
  b.writeUInt32LE(3, 1);
  b.writeUInt32LE(1, 5);
  b.writeUInt32LE(ring.length, 9);
  ring.forEach(([x, y], i) => {
    b.writeDoubleLE(x, 13 + 16 * i);
    b.writeDoubleLE(y, 21 + 16 * i);
  });
  return b;
}

/**
 * Closed rings of 3 to 62 vertices around random centres over the globe, from a ten-thousandth of
 * a degree to about 20 degrees across, every fourth star-shaped (concave), a third of them
 * clockwise (Dgraph turns those around).
 */
export function geoPolygons(): [number, number][][] {
  const next = rng(23);
  const out: [number, number][][] = [];
  for (let k = 0; k < 20_000; k++) {
    const n = 3 + Math.floor(next() * 60);
    const star = k % 4 === 0;
    const [cx, cy] = [next() * 340 - 170, next() * 160 - 80];
    const size = 10 ** (-4 + next() * 5.3);
    const ring: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const a = (i / n) * 2 * Math.PI + next() * 0.05;
      const r = size * (star && i % 2 === 1 ? 0.3 : 0.6 + next() * 0.4);
      ring.push([Number((cx + r * Math.cos(a)).toFixed(6)), Number((cy + r * Math.sin(a)).toFixed(6))]);
    }
    if (next() < 0.3) ring.reverse();
    ring.push(ring[0]!);
    out.push(ring);
  }
  return out;
}
