/**
 * Dgraph's JSON mutations: `{"set": obj | [obj], "delete": obj | [obj]}` as N-Quads, the way
 * Dgraph reads them. An object is a node: `"uid"` names it (`"_:b"` a blank node, `"0x1"` a uid;
 * none: a new node named `dg.<n>.<i>`), every other key a predicate (`"name@en"` a language,
 * `"pred|facet"` a facet of `pred`'s value, or, inside a nested object, of the edge to it). Values:
 * strings (converted to the schema's type later), integers, floats, booleans, GeoJSON objects
 * (`{"type", "coordinates"}`), nested objects (edges) and arrays of either. In `delete`, `null`
 * deletes every value of the predicate and an object with only `"uid"` every predicate of the node.
 */
import { ValueError } from './errors.js';
import { facetValue, type Facet, type NodeRef, type NQuad, type NQuadObject, type VarRef } from './nquads.js';
import type { Mutation } from './mutation.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** At most this many objects nested in one another (a bound on the recursion). */
const MAX_DEPTH = 64;

function fail(message: string): never {
  throw new ValueError(`JSON mutation: ${message}`);
}

function isObj(v: Json): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isGeo(v: Obj): boolean {
  return typeof v.type === 'string' && ('coordinates' in v || 'geometries' in v);
}

/** A facet from a JSON value: strings (datetimes when they parse as one), numbers, booleans. */
function jsonFacet(key: string, v: Json): Facet {
  if (typeof v === 'string') {
    const f = facetValue(key, v, true);
    try {
      const dt = facetValue(key, v, false);
      if (dt.valType === 'datetime') return dt;
    } catch {
      // a plain string
    }
    return f;
  }
  if (typeof v === 'boolean') return facetValue(key, String(v), false);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`facet ${key} is not a finite number`);
    return facetValue(key, String(v), false);
  }
  fail(`facet ${key} must be a string, number or boolean`);
}

class Reader {
  private anon = 0;
  readonly out: NQuad[] = [];
  constructor(
    private readonly op: 'set' | 'delete',
    private readonly prefix: string,
    private readonly allowVars: boolean,
  ) {}

  private nodeOf(o: Obj): NodeRef | Extract<VarRef, { kind: 'var' }> {
    const u = o.uid;
    const v =
      typeof u === 'string' && this.allowVars ? /^uid\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(u) : null;
    if (v) {
      ++this.anon;
      return { kind: 'var', name: v[1]! };
    }
    // Every object takes a number, named or not; the unnamed are called by theirs (as Dgraph).
    const n = ++this.anon;
    if (u === undefined || u === null) return { kind: 'blank', name: `${this.prefix}.${n}` };
    if (typeof u !== 'string') fail(`"uid" must be a string, got ${JSON.stringify(u)}`);
    if (u.startsWith('_:')) {
      if (u.length === 2) fail('"uid": "_:" names no blank node');
      return { kind: 'blank', name: u.slice(2) };
    }
    if (/^0[xX][0-9a-fA-F]{1,16}$/.test(u) || /^\d{1,20}$/.test(u)) {
      const v = BigInt(u);
      if (v === 0n || v >= 1n << 64n) fail(`"uid" ${u} is out of range`);
      return { kind: 'uid', uid: v };
    }
    fail(`"uid" must be "_:name" or a uid (0x...), got ${JSON.stringify(u)}`);
  }

  private literal(pred: string, v: Json, lang: string | undefined): NQuadObject | undefined {
    const lit = (value: string, valType: 'default' | 'int' | 'float' | 'bool' | 'geo'): NQuadObject => ({
      kind: 'literal',
      value,
      valType,
      ...(lang ? { lang } : {}),
    });
    if (typeof v === 'string') {
      const val = this.allowVars ? /^val\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(v) : null;
      if (val) return { kind: 'val', name: val[1]! };
      return lit(v, 'default');
    }
    if (typeof v === 'boolean') return lit(String(v), 'bool');
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`${pred}: ${v} is not a finite number`);
      return Number.isInteger(v) ? lit(String(v), 'int') : lit(String(v), 'float');
    }
    if (isObj(v) && isGeo(v)) return lit(JSON.stringify(v), 'geo');
    return undefined;
  }

  /** Reads node `o` (at `depth`); its ref. */
  node(o: Obj, depth: number): NodeRef | Extract<VarRef, { kind: 'var' }> {
    if (depth > MAX_DEPTH) fail(`objects are nested more than ${MAX_DEPTH} deep`);
    const subject = this.nodeOf(o);
    const keys = Object.keys(o).filter((k) => k !== 'uid' && !k.includes('|'));
    // Only a top-level object with nothing but "uid" deletes the node's predicates; nested, it
    // names the edge's target.
    if (depth === 0 && keys.length === 0 && this.op === 'delete' && o.uid !== undefined) {
      this.out.push({ subject, predicate: '*', object: { kind: 'star' }, facets: [], line: 0 });
    }
    for (const key of keys) {
      const at = key.indexOf('@');
      const pred = at > 0 ? key.slice(0, at) : key;
      const lang = at > 0 ? key.slice(at + 1) : undefined;
      if (!pred) fail(`a predicate name is empty in key ${JSON.stringify(key)}`);
      if (lang !== undefined && !/^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(lang))
        fail(`invalid language tag in key ${JSON.stringify(key)}`);
      const facets = this.facetsOf(o, pred);
      const value = o[key]!;
      if (value === null) {
        if (this.op === 'delete')
          this.out.push({ subject, predicate: pred, object: { kind: 'star' }, facets: [], line: 0 });
        continue;
      }
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === null) continue;
        const lit = this.literal(key, item, lang);
        if (lit) {
          this.out.push({ subject, predicate: pred, object: lit, facets, line: 0 });
          continue;
        }
        if (Array.isArray(item)) fail(`${key}: arrays inside arrays are not values`);
        if (!isObj(item)) fail(`${key}: unexpected value ${JSON.stringify(item)}`);
        // A nested node: the edge to it, with facets read from its `pred|key` keys.
        const child = this.node(item, depth + 1);
        this.out.push({
          subject,
          predicate: pred,
          object: child,
          facets: this.facetsOf(item, pred),
          line: 0,
        });
      }
    }
    return subject;
  }

  /** The facets of `pred` written in `o` as `pred|key`, sorted by key as Dgraph keeps them. */
  private facetsOf(o: Obj, pred: string): Facet[] {
    const out: Facet[] = [];
    for (const [k, v] of Object.entries(o)) {
      if (!k.startsWith(`${pred}|`)) continue;
      const key = k.slice(pred.length + 1);
      if (!key) fail(`a facet name is empty in key ${JSON.stringify(k)}`);
      out.push(jsonFacet(key, v));
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** The `set`/`delete` parts of a JSON mutation body (already parsed JSON); a `ValueError` names what is wrong. */
export function jsonMutation(body: Record<string, unknown>, anonPrefix: string, allowVars = false): Mutation {
  const out: Mutation = { set: [], del: [] };
  for (const [part, op] of [
    ['set', 'set'],
    ['delete', 'delete'],
  ] as const) {
    const v = body[part] as Json | undefined;
    if (v === undefined || v === null) continue;
    const r = new Reader(op, anonPrefix, allowVars);
    for (const o of Array.isArray(v) ? v : [v]) {
      if (!isObj(o)) fail(`"${part}" must hold objects, got ${JSON.stringify(o)}`);
      r.node(o, 0);
    }
    (op === 'set' ? out.set : out.del).push(...r.out);
  }
  return out;
}

/** Whether a body is a JSON mutation (`{"set": ...}`, `{"delete": ...}`) rather than RDF. */
export function isJsonMutation(text: string): boolean {
  return /^\s*\{\s*"(set|delete|query|mutations|cond)"\s*:/.test(text);
}
