/**
 * `@facets` on an edge or a value: which facets show and under which names (`pred|key`, or an
 * alias), the filter an edge's facets must pass, the facet edges are ordered by, and facet values
 * as variables (`w as weight`).
 */
import type { EqValue, FacetFilter, FacetsSpec } from '../../parse/query.js';
import { facetJson } from '../decode.js';
import type { WireFacet } from '../wire.js';
import { varValueOfJson, type VarValue } from './vars.js';

type Obj = Record<string, unknown>;

/** Facet value types by their id (`api.Facet.ValType`). */
const FACET_TYPES = ['string', 'int', 'float', 'bool', 'datetime'];

/** A facet's value as JSON. */
export function facetValue(f: WireFacet): unknown {
  return facetJson(f.valType, Buffer.from(f.value, 'base64'));
}

/** A facet's value as a variable value. */
export function facetVarValue(f: WireFacet): VarValue | undefined {
  return varValueOfJson(facetValue(f), FACET_TYPES[f.valType]);
}

/** Whether the specs ask for facets to be shown (keys, `@facets` alone, or an order's key). */
export function showsFacets(specs: readonly FacetsSpec[] | undefined): boolean {
  return !!specs?.some((s) => !s.filter);
}

/** The facet entries to show for one edge or value: `prefix|key` (or the alias) → value. */
export function facetEntries(
  prefix: string,
  facets: WireFacet[] | undefined,
  specs: readonly FacetsSpec[],
): Obj {
  const out: Obj = {};
  const shown = specs.filter((s) => !s.filter);
  if (shown.length === 0) return out;
  // `@facets(orderasc: k)` shows `k`, as Dgraph does.
  const all = shown.some((s) => !s.keys && !s.order);
  const named = new Map<string, string | undefined>();
  for (const s of shown) {
    for (const k of s.keys ?? []) named.set(k.key, k.alias);
    if (s.order && !named.has(s.order.key)) named.set(s.order.key, undefined);
  }
  for (const f of facets ?? []) {
    if (!all && !named.has(f.key)) continue;
    out[named.get(f.key) ?? `${prefix}|${f.key}`] = facetValue(f);
  }
  return out;
}

/**
 * The facets of a list of values, as Dgraph shows them: each facet a map from the value's place in
 * the list to the facet's value (`"tags|k": {"0": 1, "2": 5}`).
 */
export function listFacetEntries(
  prefix: string,
  values: readonly { facets?: WireFacet[] }[],
  specs: readonly FacetsSpec[],
): Obj {
  const out: Obj = {};
  values.forEach((v, at) => {
    for (const [k, f] of Object.entries(facetEntries(prefix, v.facets, specs))) {
      const byPlace = (out[k] ??= {}) as Obj;
      byPlace[String(at)] = f;
    }
  });
  return out;
}

function compareFacet(v: unknown, x: EqValue): number | undefined {
  if (typeof v === 'number') {
    const n = typeof x === 'bigint' ? Number(x) : typeof x === 'number' ? x : Number(x);
    if (Number.isNaN(n)) return undefined;
    return v < n ? -1 : v > n ? 1 : 0;
  }
  if (typeof v === 'boolean') {
    if (typeof x !== 'boolean') return undefined;
    return v === x ? 0 : v ? 1 : -1;
  }
  if (typeof v === 'string') {
    const s = String(x);
    return v < s ? -1 : v > s ? 1 : 0;
  }
  return undefined;
}

/** Whether an edge's facets pass a facet filter. */
export function facetsPass(filter: FacetFilter, facets: WireFacet[] | undefined): boolean {
  switch (filter.op) {
    case 'not':
      return !facetsPass(filter.arg, facets);
    case 'and':
      return filter.args.every((a) => facetsPass(a, facets));
    case 'or':
      return filter.args.some((a) => facetsPass(a, facets));
    case 'func': {
      const f = facets?.find((x) => x.key === filter.key);
      if (!f) return false;
      if (filter.name === 'has') return true;
      const v = facetValue(f);
      const c = (i: number) => compareFacet(v, filter.values[i]!);
      switch (filter.name) {
        case 'eq':
          return filter.values.some((_, i) => c(i) === 0);
        case 'le':
          return (c(0) ?? 1) <= 0;
        case 'lt':
          return (c(0) ?? 0) < 0;
        case 'ge':
          return (c(0) ?? -1) >= 0;
        case 'gt':
          return (c(0) ?? 0) > 0;
        case 'between':
          return (c(0) ?? -1) >= 0 && (c(1) ?? 1) <= 0;
      }
    }
  }
}
