/**
 * Directives after a block's arguments or an edge: `@filter(...)`, `@facets` (keys with aliases
 * and variables, a filter, an order), `@cascade[(fields)]`, `@normalize`, `@groupby(preds)`,
 * `@recurse(depth: n, loop: bool)` and `@ignorereflex`, as Dgraph spells them.
 */
import type { Lexer } from './lexer.js';
import {
  COMPARE_FUNCS,
  type Directives,
  type EqValue,
  type FacetFilter,
  type FacetsSpec,
} from './query-ast.js';
import { boolExpr, eqValue, filterExpr, predName } from './query-func.js';

/** Dgraph's directive names: after a predicate, `@` and one of these is not a language tag. */
export const DIRECTIVES = ['filter', 'facets', 'cascade', 'normalize', 'groupby', 'recurse', 'ignorereflex'];

/** One facet function: `eq(key, value)`, `ge(key, v)`, `between(key, lo, hi)`, `has(key)`. */
function facetFunc(lx: Lexer): FacetFilter {
  const f = lx.next();
  const name = f.text;
  if (!(COMPARE_FUNCS as readonly string[]).includes(name) && name !== 'has') {
    throw lx.error(
      f.start,
      `${name} is not a function facets can be filtered with (eq le lt ge gt between has)`,
    );
  }
  lx.expectPunct('(', `after ${name}`);
  const k = lx.next();
  if (k.kind !== 'word') throw lx.error(k.start, `expected a facet name, got ${lx.describe(k)}`);
  const values: EqValue[] = [];
  const n = name === 'has' ? 0 : name === 'between' ? 2 : 1;
  for (let i = 0; i < n; i++) {
    lx.expectPunct(',', `after ${name}(${k.text}`);
    values.push(eqValue(lx));
  }
  lx.expectPunct(')', `to close ${name}(`);
  return { op: 'func', name: name as Extract<FacetFilter, { op: 'func' }>['name'], key: k.text, values };
}

/** `@facets(...)`'s body (the `(` read). */
function facets(lx: Lexer): FacetsSpec {
  const spec: FacetsSpec = {};
  const t = lx.peek();
  const isFilter =
    (t.kind === 'word' && lx.isPunct('(', 1) && t.text !== 'orderasc' && t.text !== 'orderdesc') ||
    lx.isPunct('(') ||
    (t.kind === 'word' && t.text.toLowerCase() === 'not');
  if (isFilter) {
    spec.filter = boolExpr<FacetFilter>(lx, () => facetFunc(lx), {
      and: (args) => ({ op: 'and', args }),
      or: (args) => ({ op: 'or', args }),
      not: (arg) => ({ op: 'not', arg }),
    });
    lx.expectPunct(')', 'to close @facets(');
    return spec;
  }
  const keys: NonNullable<FacetsSpec['keys']> = [];
  for (;;) {
    const k = lx.next();
    if (k.kind !== 'word') throw lx.error(k.start, `expected a facet name, got ${lx.describe(k)}`);
    if ((k.text === 'orderasc' || k.text === 'orderdesc') && lx.isPunct(':')) {
      lx.next();
      const o = lx.next();
      if (o.kind !== 'word') throw lx.error(o.start, `expected a facet name, got ${lx.describe(o)}`);
      if (spec.order) throw lx.error(k.start, 'Only one facet can be used for ordering');
      spec.order = { key: o.text, desc: k.text === 'orderdesc' };
    } else if (lx.isPunct(':')) {
      lx.next();
      const key = lx.next();
      if (key.kind !== 'word') throw lx.error(key.start, `expected a facet name, got ${lx.describe(key)}`);
      keys.push({ key: key.text, alias: k.text });
    } else if (lx.peek().text === 'as' && lx.peek().kind === 'word') {
      lx.next();
      const key = lx.next();
      if (key.kind !== 'word') throw lx.error(key.start, `expected a facet name, got ${lx.describe(key)}`);
      keys.push({ key: key.text, varName: k.text });
    } else {
      keys.push({ key: k.text });
    }
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') break;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or ")" in @facets(...), got ${lx.describe(sep)}`);
    }
  }
  if (keys.length) spec.keys = keys;
  return spec;
}

/** `(a, b)`: predicate names, at least one unless `empty`. */
function names(lx: Lexer, directive: string): { predicate: string; reverse: boolean }[] {
  lx.expectPunct('(', `after @${directive}`);
  const out: { predicate: string; reverse: boolean }[] = [];
  for (;;) {
    const p = predName(lx, `a predicate in @${directive}(...)`);
    out.push({ predicate: p.name, reverse: p.reverse });
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') return out;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or ")" in @${directive}(...), got ${lx.describe(sep)}`);
    }
    if (lx.isPunct(')')) throw lx.error(sep.start, `Unnecessary comma in ${directive}()`);
  }
}

function recurse(lx: Lexer): NonNullable<Directives['recurse']> {
  const r: NonNullable<Directives['recurse']> = { loop: false };
  if (!lx.isPunct('(')) return r;
  lx.next();
  while (!lx.isPunct(')')) {
    const k = lx.next();
    lx.expectPunct(':', `after ${k.text}`);
    const v = lx.next();
    if (k.text === 'depth') {
      if (!/^\d+$/.test(v.text))
        throw lx.error(v.start, `depth must be a whole number, got ${lx.describe(v)}`);
      r.depth = Number(v.text);
    } else if (k.text === 'loop') {
      if (v.text !== 'true' && v.text !== 'false')
        throw lx.error(v.start, `loop must be true or false, got ${lx.describe(v)}`);
      r.loop = v.text === 'true';
    } else {
      throw lx.error(k.start, `unknown argument ${lx.describe(k)} of @recurse: expected depth or loop`);
    }
    if (lx.isPunct(',')) lx.next();
  }
  lx.next();
  return r;
}

/** Reads the directives at the lexer's position into `into`. */
export function directives(lx: Lexer, into: Directives): void {
  while (lx.isPunct('@')) {
    const d = lx.peek(1);
    const name = d.kind === 'word' ? d.text : '';
    if (!DIRECTIVES.includes(name)) throw lx.error(lx.peek().start, `Unknown directive [${name}]`);
    lx.next();
    lx.next();
    switch (name) {
      case 'filter':
        if (into.filter) throw lx.error(d.start, 'Use and/or to combine filters: @filter is given twice');
        lx.expectPunct('(', 'after @filter');
        into.filter = filterExpr(lx);
        lx.expectPunct(')', 'to close @filter(');
        break;
      case 'facets':
        if (!lx.isPunct('(')) {
          (into.facets ??= []).push({});
          break;
        }
        lx.next();
        (into.facets ??= []).push(facets(lx));
        break;
      case 'cascade':
        into.cascade = lx.isPunct('(') ? names(lx, 'cascade').map((n) => n.predicate) : true;
        break;
      case 'normalize':
        into.normalize = true;
        break;
      case 'groupby':
        into.groupby = names(lx, 'groupby');
        break;
      case 'recurse':
        into.recurse = recurse(lx);
        break;
      case 'ignorereflex':
        into.ignoreReflex = true;
        break;
    }
  }
}
