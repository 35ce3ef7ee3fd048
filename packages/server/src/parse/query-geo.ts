/**
 * The arguments of DQL's geo functions, read as Dgraph reads them:
 *
 *   near(pred, [lng, lat], metres)   within(pred, [[[lng, lat], ...]])
 *   contains(pred, [lng, lat] or a polygon)   intersects(pred, a polygon or multipolygon)
 *
 * A geometry is bare coordinates (`[..]` a point, `[[[..]]]` a polygon, `[[[[..]]]]` a
 * multipolygon) or a GeoJSON geometry in a string. It travels on as GeoJSON text; the group owning
 * the predicate turns it into WKB and the store decides which geometries Dgraph accepts for which
 * function.
 */
import { DECIMAL, type Lexer } from './lexer.js';

export const GEO_FUNCS = ['near', 'within', 'contains', 'intersects'] as const;
export type GeoFuncName = (typeof GEO_FUNCS)[number];

export interface GeoFunc {
  name: GeoFuncName;
  predicate: string;
  /** The query geometry as GeoJSON text. */
  geometry: string;
  /** `near`'s distance in metres. */
  maxDistance?: number;
}

export function isGeoFunc(name: string): name is GeoFuncName {
  return (GEO_FUNCS as readonly string[]).includes(name);
}

type Coords = number | Coords[];

/** Nested coordinate arrays as deep as a multipolygon's, numbers at the leaves. */
function coords(lx: Lexer, depth: number): Coords {
  const t = lx.next();
  if (t.kind === 'word' && DECIMAL.test(t.text)) {
    const n = Number(t.text);
    if (Number.isFinite(n)) return n;
  }
  if (t.kind !== 'punct' || t.text !== '[') {
    throw lx.error(t.start, `expected a coordinate (a number) or "[", got ${lx.describe(t)}`);
  }
  if (depth >= 4) throw lx.error(t.start, 'coordinates nest deeper than a multipolygon');
  const out: Coords[] = [];
  if (lx.isPunct(']')) {
    lx.next();
    return out;
  }
  for (;;) {
    out.push(coords(lx, depth + 1));
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ']') return out;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or "]" in coordinates, got ${lx.describe(sep)}`);
    }
  }
}

/** How many arrays open before the first number (Dgraph looks at the leading "["s). */
function depthOf(c: Coords): number {
  let d = 0;
  while (Array.isArray(c)) {
    d++;
    c = c[0] as Coords;
  }
  return d;
}

const KIND_BY_DEPTH: Record<number, string> = { 1: 'Point', 3: 'Polygon', 4: 'MultiPolygon' };

/** A geometry argument: bare coordinates or a GeoJSON string, as GeoJSON text. */
function geometry(lx: Lexer, fn: string): string {
  const t = lx.peek();
  if (t.kind === 'string') return lx.next().text;
  const c = coords(lx, 0);
  const kind = KIND_BY_DEPTH[depthOf(c)];
  if (!kind) {
    throw lx.error(
      t.start,
      `${fn}() takes a point [lng, lat], a polygon [[[lng, lat], ...]] or a multipolygon [[[[...]]]]`,
    );
  }
  return JSON.stringify({ type: kind, coordinates: c });
}

/** The arguments after `fn(pred`, up to and without the closing ")". */
export function geoFuncArgs(lx: Lexer, name: GeoFuncName, predicate: string): GeoFunc {
  lx.expectPunct(',', `after ${name}(${predicate}`);
  const fn: GeoFunc = { name, predicate, geometry: geometry(lx, name) };
  if (name === 'near') {
    lx.expectPunct(',', `after near(${predicate}, [...]: the distance in metres`);
    const t = lx.next();
    const n = t.kind === 'word' && DECIMAL.test(t.text) ? Number(t.text) : Number.NaN;
    if (!Number.isFinite(n)) {
      throw lx.error(t.start, `near() takes a distance in metres (a number), got ${lx.describe(t)}`);
    }
    if (n < 0) throw lx.error(t.start, 'Distance cannot be negative');
    fn.maxDistance = n;
  }
  return fn;
}
