/**
 * The DQL subset Strata serves:
 *
 *   { q(func: uid(0x1, 0x2), first: 10, offset: 0) { uid name friend { name } ~friend { name }
 *       expand(_all_) dgraph.type count(friend) alias: name@en } }
 *
 * Functions `uid(...)`, `has(pred)`, `type(Name)` (`eq(dgraph.type, "Name")`), `uid_in(pred, uid
 * or [uids])` (filters only), `eq(pred, value)`, `eq(pred, [v1, v2])`, `le lt ge gt(pred,
 * value)`, `between(pred, low, high)` and the word matches
 * `anyofterms allofterms anyoftext alloftext` (`(pred[@lang], "words")`) and the geo functions
 * `near within contains intersects` (see query-geo.ts), `regexp` and `match` (query-pattern.ts),
 * at the root and in
 * `@filter(...)` with `and`, `or`, `not` and parentheses (at the root and on uid edges); several
 * blocks per query. Variables are not supported (yet).
 *
 * Schema queries, as Dgraph: `schema {}`, `schema(pred: [name, age]) { type index }`,
 * `schema(type: Person) {}`.
 */
import { DECIMAL, Lexer, type Token } from './lexer.js';
import { GEO_FUNCS, type GeoFunc, geoFuncArgs, isGeoFunc } from './query-geo.js';
import { isPatternFunc, PATTERN_FUNCS, type PatternFunc, patternFuncArgs } from './query-pattern.js';

const U64_MAX = (1n << 64n) - 1n;

export type EqValue = string | bigint | number | boolean;

/** The word-matching functions: term index (`...ofterms`) or fulltext index (`...oftext`). */
export const TEXT_FUNCS = ['anyofterms', 'allofterms', 'anyoftext', 'alloftext'] as const;
export type TextFuncName = (typeof TEXT_FUNCS)[number];

/** The comparisons: `eq` (any of its values), `between` (two values), the others one. */
export const COMPARE_FUNCS = ['eq', 'le', 'lt', 'ge', 'gt', 'between'] as const;
export type CompareFuncName = (typeof COMPARE_FUNCS)[number];

export type RootFunc =
  | { name: 'uid'; uids: bigint[] }
  | { name: 'has'; predicate: string }
  /** `uid_in(pred, uid)` or `uid_in(pred, [uids])`: filters only, as Dgraph. */
  | { name: 'uid_in'; predicate: string; uids: bigint[] }
  /** `count`: compares the number of edges (or values) of `predicate`, `~predicate` if reverse. */
  | { name: CompareFuncName; predicate: string; values: EqValue[]; count?: { reverse: boolean } }
  /** `lang`: the predicate's `@lang` in the call ("." for any), absent when none. */
  | { name: TextFuncName; predicate: string; lang?: string; text: string }
  | GeoFunc
  | PatternFunc;

/** A `@filter(...)` expression. */
export type Filter =
  { op: 'func'; func: RootFunc } | { op: 'and' | 'or'; args: Filter[] } | { op: 'not'; arg: Filter };

/** One `orderasc: pred` / `orderdesc: pred` argument. */
export interface OrderKey {
  predicate: string;
  desc: boolean;
}

export interface Pagination {
  /** Sort keys, in the order written; applied before first/offset. */
  order?: OrderKey[];
  first?: number;
  offset?: number;
}

export type Selection =
  | { kind: 'uid'; alias?: string }
  | { kind: 'expand'; arg: '_all_' }
  | { kind: 'count'; predicate: string; reverse: boolean; alias?: string }
  /** `checkpwd(pred, "password")`: whether the node's password matches. */
  | { kind: 'checkpwd'; predicate: string; password: string; alias?: string }
  | ({
      kind: 'predicate';
      predicate: string;
      reverse: boolean;
      alias?: string;
      lang?: string;
      /** Nested block; absent for a scalar. */
      children?: Selection[];
      /** `@filter(...)` on a uid edge. */
      filter?: Filter;
      /** `@facets` / `@facets(keys)`: the facets of the edge or value, as `pred|key`. */
      facets?: { keys?: string[] };
    } & Pagination);

export interface QueryBlock extends Pagination {
  name: string;
  func: RootFunc;
  filter?: Filter;
  children: Selection[];
  line: number;
  column: number;
}

/** The fields a schema query may ask for (Dgraph's names); none asked: all. */
export const SCHEMA_FIELDS = [
  'type',
  'index',
  'tokenizer',
  'reverse',
  'count',
  'list',
  'upsert',
  'lang',
  'unique',
  'no_conflict',
] as const;
export type SchemaField = (typeof SCHEMA_FIELDS)[number];

export interface SchemaQuery {
  /** `pred:`: only these predicates (and no types). */
  predicates?: string[];
  /** `type:`: only these types (and no predicates). */
  types?: string[];
  fields: SchemaField[];
}

export interface Query {
  name?: string;
  blocks: QueryBlock[];
  /** A schema query (then `blocks` is empty). */
  schema?: SchemaQuery;
}

/** A name or a `[name, ...]` list (schema query arguments). */
function nameList(lx: Lexer, what: string): string[] {
  const one = () => {
    const t = lx.next();
    if (t.kind !== 'word' && t.kind !== 'iri')
      throw lx.error(t.start, `expected ${what}, got ${lx.describe(t)}`);
    return t.text;
  };
  if (!lx.isPunct('[')) return [one()];
  lx.next();
  const out: string[] = [];
  for (;;) {
    if (lx.isPunct(']') && out.length > 0) {
      lx.next();
      return out;
    }
    out.push(one());
    if (lx.isPunct(',')) lx.next();
    else if (!lx.isPunct(']')) throw lx.error(lx.peek().start, `expected "," or "]" in the list of ${what}s`);
  }
}

/** `schema [(pred: ... | type: ...)] { field ... }` (the `schema` word already read). */
function schemaQuery(lx: Lexer): SchemaQuery {
  const q: SchemaQuery = { fields: [] };
  if (lx.isPunct('(')) {
    lx.next();
    const arg = lx.next();
    if (arg.kind !== 'word' || (arg.text !== 'pred' && arg.text !== 'type')) {
      throw lx.error(arg.start, `expected "pred:" or "type:" in schema(...), got ${lx.describe(arg)}`);
    }
    lx.expectPunct(':', `after ${arg.text}`);
    if (arg.text === 'pred') q.predicates = nameList(lx, 'a predicate name');
    else q.types = nameList(lx, 'a type name');
    lx.expectPunct(')', 'to close schema(');
  }
  lx.expectPunct('{', 'to open the schema fields');
  for (;;) {
    const t = lx.next();
    if (t.kind === 'punct' && t.text === '}') break;
    const f = SCHEMA_FIELDS.find((x) => t.kind === 'word' && x === t.text);
    if (!f)
      throw lx.error(
        t.start,
        `expected a schema field (${SCHEMA_FIELDS.join(', ')}) or "}", got ${lx.describe(t)}`,
      );
    if (!q.fields.includes(f)) q.fields.push(f);
  }
  return q;
}

function uidOf(lx: Lexer, t: Token): bigint {
  if (t.kind !== 'word' || !(/^0[xX][0-9a-fA-F]+$/.test(t.text) || /^\d+$/.test(t.text))) {
    throw lx.error(t.start, `expected a uid (0x.. or a decimal), got ${lx.describe(t)}`);
  }
  const v = BigInt(t.text);
  if (v === 0n || v > U64_MAX) throw lx.error(t.start, `uid ${t.text} is out of range`);
  return v;
}

function predName(lx: Lexer, what: string): { name: string; reverse: boolean; tok: Token } {
  let reverse = false;
  if (lx.isPunct('~')) {
    lx.next();
    reverse = true;
  }
  const t = lx.next();
  if (t.kind === 'iri') {
    if (t.text.startsWith('~')) return { name: t.text.slice(1), reverse: true, tok: t };
    return { name: t.text, reverse, tok: t };
  }
  if (t.kind !== 'word' || !/^[A-Za-z_\u0080-\uffff][A-Za-z0-9_.\-\u0080-\uffff]*$/.test(t.text)) {
    throw lx.error(t.start, `expected ${what}, got ${lx.describe(t)}`);
  }
  return { name: t.text, reverse, tok: t };
}

function eqValue(lx: Lexer): EqValue {
  const t = lx.next();
  if (t.kind === 'string') return t.text;
  if (t.kind === 'word') {
    if (t.text === 'true') return true;
    if (t.text === 'false') return false;
    if (/^[+-]?\d+$/.test(t.text)) return BigInt(t.text);
    if (DECIMAL.test(t.text)) return Number(t.text);
  }
  throw lx.error(t.start, `expected a value (a "string", a number, true or false), got ${lx.describe(t)}`);
}

const FUNCS = [
  'uid',
  'has',
  'type',
  'uid_in',
  ...COMPARE_FUNCS,
  ...TEXT_FUNCS,
  ...GEO_FUNCS,
  ...PATTERN_FUNCS,
];

function isTextFunc(name: string): name is TextFuncName {
  return (TEXT_FUNCS as readonly string[]).includes(name);
}

/** `@lang` or `@.` after a predicate inside a function call, if there. */
function funcLang(lx: Lexer): string | undefined {
  if (!lx.isPunct('@')) return undefined;
  lx.next();
  const t = lx.next();
  if (t.kind === 'punct' && t.text === '.') return '.';
  if (t.kind !== 'word' || !/^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(t.text)) {
    throw lx.error(t.start, `expected a language tag or "." after @, got ${lx.describe(t)}`);
  }
  return t.text;
}

/** One item, or `[item, ...]` (`what` names the list in errors). */
function oneOrList<T>(lx: Lexer, item: () => T, what: string): T[] {
  if (!lx.isPunct('[')) return [item()];
  lx.next();
  const out: T[] = [];
  for (;;) {
    out.push(item());
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ']') return out;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or "]" in ${what}, got ${lx.describe(sep)}`);
    }
  }
}

function rootFunc(lx: Lexer): RootFunc {
  const f = lx.next();
  if (f.kind !== 'word') throw lx.error(f.start, `expected a function, got ${lx.describe(f)}`);
  if (!FUNCS.includes(f.text)) {
    throw lx.error(f.start, `unknown function ${f.text}: expected ${FUNCS.join(', ')}`);
  }
  lx.expectPunct('(', `after ${f.text}`);
  let fn: RootFunc;
  if (f.text === 'type') {
    const t = lx.next();
    if (t.kind !== 'word' && t.kind !== 'iri' && t.kind !== 'string')
      throw lx.error(t.start, `expected a type name in type(...), got ${lx.describe(t)}`);
    lx.expectPunct(')', 'to close type(');
    return { name: 'eq', predicate: 'dgraph.type', values: [t.text] };
  }
  if (f.text === 'uid') {
    const uids: bigint[] = [];
    for (;;) {
      uids.push(uidOf(lx, lx.next()));
      const sep = lx.next();
      if (sep.kind === 'punct' && sep.text === ')') break;
      if (sep.kind !== 'punct' || sep.text !== ',') {
        throw lx.error(sep.start, `expected "," or ")" in uid(...), got ${lx.describe(sep)}`);
      }
    }
    return { name: 'uid', uids };
  }
  if (
    (COMPARE_FUNCS as readonly string[]).includes(f.text) &&
    lx.peek().text === 'count' &&
    lx.isPunct('(', 1)
  ) {
    lx.next();
    lx.next();
    const c = predName(lx, 'a predicate to count');
    lx.expectPunct(')', 'to close count(');
    const name = f.text as CompareFuncName;
    const values: EqValue[] = [];
    for (let i = 0; i < (name === 'between' ? 2 : 1); i++) {
      lx.expectPunct(',', `after ${name}(count(${c.name})${i ? ', ...' : ''}`);
      const v = lx.next();
      if (v.kind !== 'word' || !/^\d+$/.test(v.text))
        throw lx.error(v.start, `a count is compared with a whole number, got ${lx.describe(v)}`);
      values.push(BigInt(v.text));
    }
    lx.expectPunct(')', `to close ${name}(`);
    return { name, predicate: c.name, values, count: { reverse: c.reverse } };
  }
  const p = predName(lx, 'a predicate');
  if (p.reverse) throw lx.error(p.tok.start, `${f.text}() takes a predicate, not a reverse edge`);
  if (f.text === 'has') {
    fn = { name: 'has', predicate: p.name };
  } else if (f.text === 'uid_in') {
    lx.expectPunct(',', `after uid_in(${p.name}`);
    const uids = oneOrList(lx, () => uidOf(lx, lx.next()), 'the uid list');
    fn = { name: 'uid_in', predicate: p.name, uids };
  } else if (isTextFunc(f.text)) {
    const lang = funcLang(lx);
    lx.expectPunct(',', `after ${f.text}(${p.name}`);
    const t = lx.next();
    if (t.kind !== 'string')
      throw lx.error(t.start, `${f.text}() takes a "string" of words, got ${lx.describe(t)}`);
    fn = { name: f.text, predicate: p.name, text: t.text };
    if (lang !== undefined) fn.lang = lang;
  } else if (isPatternFunc(f.text)) {
    fn = patternFuncArgs(lx, f.text, p.name, funcLang(lx));
  } else if (isGeoFunc(f.text)) {
    fn = geoFuncArgs(lx, f.text, p.name);
  } else if (f.text === 'eq') {
    lx.expectPunct(',', `after eq(${p.name}`);
    const values = oneOrList(lx, () => eqValue(lx), 'the value list');
    fn = { name: 'eq', predicate: p.name, values };
  } else {
    const name = f.text as Exclude<CompareFuncName, 'eq'>;
    const values: EqValue[] = [];
    for (let i = 0; i < (name === 'between' ? 2 : 1); i++) {
      lx.expectPunct(',', `after ${name}(${p.name}${i ? ', ...' : ''}`);
      values.push(eqValue(lx));
    }
    fn = { name, predicate: p.name, values };
  }
  lx.expectPunct(')', `to close ${f.text}(`);
  return fn;
}

/** A word `and`, `or` or `not` (any case) at the lexer's position. */
function isOp(lx: Lexer, op: 'and' | 'or' | 'not', ahead = 0): boolean {
  const t = lx.peek(ahead);
  return t.kind === 'word' && t.text.toLowerCase() === op;
}

/** One operand: `not x`, `( expr )` or a function. */
function filterTerm(lx: Lexer, depth: number): Filter {
  const t = lx.peek();
  if (depth > 64) throw lx.error(t.start, 'filter is nested too deeply');
  if (isOp(lx, 'not')) {
    lx.next();
    return { op: 'not', arg: filterTerm(lx, depth + 1) };
  }
  if (lx.isPunct('(')) {
    lx.next();
    const e = filterExpr(lx, depth + 1);
    lx.expectPunct(')', 'to close "(" in the filter');
    return e;
  }
  return { op: 'func', func: rootFunc(lx) };
}

/** `a and b or c`: `and` binds tighter than `or`, as in Dgraph. */
function filterExpr(lx: Lexer, depth: number): Filter {
  const ors: Filter[] = [];
  for (;;) {
    const ands: Filter[] = [filterTerm(lx, depth)];
    while (isOp(lx, 'and')) {
      lx.next();
      ands.push(filterTerm(lx, depth));
    }
    ors.push(ands.length === 1 ? ands[0]! : { op: 'and', args: ands });
    if (!isOp(lx, 'or')) break;
    lx.next();
  }
  return ors.length === 1 ? ors[0]! : { op: 'or', args: ors };
}

/** Dgraph's directive names: after a predicate, `@` and one of these is not a language tag. */
const DIRECTIVES = ['filter', 'facets', 'cascade', 'normalize', 'groupby', 'recurse', 'ignorereflex'];

/** `@filter(...)` if there; any other directive is refused. */
interface Directives {
  filter?: Filter;
  /** `@facets` (every key: `keys` absent) or `@facets(k1, k2)`. */
  facets?: { keys?: string[] };
}

/** `@filter(...)` and, where `facets` is allowed, `@facets[(keys)]`, into `into`; others are refused. */
function directives(lx: Lexer, into: Directives, facets: boolean): void {
  while (lx.isPunct('@')) {
    const d = lx.peek(1);
    const name = d.kind === 'word' ? d.text : '';
    if (name !== 'filter' && !(facets && name === 'facets')) {
      throw lx.error(lx.peek().start, `@${name} is not supported${name === 'facets' ? ' here' : ''}`);
    }
    if (into[name]) throw lx.error(d.start, `@${name} is given twice`);
    lx.next();
    lx.next();
    if (name === 'filter') {
      lx.expectPunct('(', 'after @filter');
      into.filter = filterExpr(lx, 0);
      lx.expectPunct(')', 'to close @filter(');
      continue;
    }
    into.facets = {};
    if (!lx.isPunct('(')) continue;
    lx.next();
    const keys: string[] = [];
    for (;;) {
      const k = lx.next();
      if (k.kind !== 'word' || lx.isPunct('(') || lx.isPunct(':')) {
        throw lx.error(
          k.start,
          `@facets(...) takes facet names (filters and aliases are not supported yet), got ${lx.describe(k)}`,
        );
      }
      keys.push(k.text);
      const sep = lx.next();
      if (sep.kind === 'punct' && sep.text === ')') break;
      if (sep.kind !== 'punct' || sep.text !== ',') {
        throw lx.error(sep.start, `expected "," or ")" in @facets(...), got ${lx.describe(sep)}`);
      }
    }
    into.facets.keys = keys;
  }
}

function paginationArg(lx: Lexer, target: Pagination): void {
  const k = lx.next();
  if (k.kind !== 'word' || !['first', 'offset', 'orderasc', 'orderdesc'].includes(k.text)) {
    throw lx.error(
      k.start,
      `unknown argument ${lx.describe(k)}: expected first, offset, orderasc or orderdesc`,
    );
  }
  lx.expectPunct(':', `after ${k.text}`);
  if (k.text === 'orderasc' || k.text === 'orderdesc') {
    const p = predName(lx, 'a predicate to order by');
    if (p.reverse) throw lx.error(p.tok.start, `${k.text} takes a predicate, not a reverse edge`);
    if (lx.isPunct('@'))
      throw lx.error(lx.peek().start, `ordering by a language (${p.name}@...) is not supported yet`);
    (target.order ??= []).push({ predicate: p.name, desc: k.text === 'orderdesc' });
    return;
  }
  const key = k.text as 'first' | 'offset';
  const v = lx.next();
  if (v.kind !== 'word' || !/^-?\d+$/.test(v.text) || !Number.isSafeInteger(Number(v.text))) {
    throw lx.error(v.start, `${key} must be an integer, got ${lx.describe(v)}`);
  }
  const n = Number(v.text);
  if (key === 'offset' && n < 0) throw lx.error(v.start, 'offset must not be negative');
  if (target[key] !== undefined) throw lx.error(k.start, `${key} is given twice`);
  target[key] = n;
}

function selections(lx: Lexer, depth: number): Selection[] {
  const open = lx.expectPunct('{', 'to open a block');
  if (depth > 64) throw lx.error(open.start, 'query is nested too deeply');
  const out: Selection[] = [];
  for (;;) {
    const t = lx.peek();
    if (t.kind === 'eof') throw lx.error(open.start, 'unterminated block: expected "}"');
    if (t.kind === 'punct' && t.text === '}') {
      lx.next();
      return out;
    }
    if (t.kind === 'punct' && t.text === ',') {
      lx.next();
      continue;
    }
    let alias: string | undefined;
    if ((t.kind === 'word' || t.kind === 'iri') && lx.isPunct(':', 1)) {
      alias = t.text;
      lx.next();
      lx.next();
    }
    const w = lx.peek();
    if (w.kind === 'word' && w.text === 'uid' && !lx.isPunct('(', 1)) {
      lx.next();
      out.push(alias ? { kind: 'uid', alias } : { kind: 'uid' });
      continue;
    }
    if (w.kind === 'word' && w.text === 'expand' && lx.isPunct('(', 1)) {
      lx.next();
      lx.next();
      const a = lx.next();
      if (a.kind !== 'word' || a.text !== '_all_') {
        throw lx.error(a.start, `only expand(_all_) is supported, got expand(${lx.describe(a)})`);
      }
      lx.expectPunct(')', 'to close expand(');
      if (alias) throw lx.error(w.start, 'expand(_all_) cannot have an alias');
      if (lx.isPunct('{')) throw lx.error(lx.peek().start, 'a block after expand(_all_) is not supported');
      out.push({ kind: 'expand', arg: '_all_' });
      continue;
    }
    if (w.kind === 'word' && w.text === 'count' && lx.isPunct('(', 1)) {
      lx.next();
      lx.next();
      const p = predName(lx, 'a predicate to count');
      lx.expectPunct(')', 'to close count(');
      const sel: Selection = { kind: 'count', predicate: p.name, reverse: p.reverse };
      if (alias) sel.alias = alias;
      out.push(sel);
      continue;
    }
    if (w.kind === 'word' && w.text === 'checkpwd' && lx.isPunct('(', 1)) {
      lx.next();
      lx.next();
      const p = predName(lx, 'a password predicate');
      lx.expectPunct(',', `after checkpwd(${p.name}`);
      const pw = lx.next();
      if (pw.kind !== 'string')
        throw lx.error(pw.start, `checkpwd() takes a "password", got ${lx.describe(pw)}`);
      lx.expectPunct(')', 'to close checkpwd(');
      const sel: Selection = { kind: 'checkpwd', predicate: p.name, password: pw.text };
      if (alias) sel.alias = alias;
      out.push(sel);
      continue;
    }
    const p = predName(lx, 'a predicate, uid, count(...) or expand(_all_)');
    const sel: Selection & { kind: 'predicate' } = {
      kind: 'predicate',
      predicate: p.name,
      reverse: p.reverse,
    };
    if (alias) sel.alias = alias;
    if (lx.isPunct('@') && lx.peek(1).kind === 'word' && !DIRECTIVES.includes(lx.peek(1).text)) {
      lx.next();
      const lang = lx.next();
      if (!/^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(lang.text))
        throw lx.error(lang.start, `invalid language tag @${lang.text}`);
      sel.lang = lang.text;
    }
    // Arguments and directives, in either order (as Dgraph).
    const dirs: Directives = {};
    directives(lx, dirs, !p.reverse);
    if (lx.isPunct('(')) {
      lx.next();
      for (;;) {
        paginationArg(lx, sel);
        const sep = lx.next();
        if (sep.kind === 'punct' && sep.text === ')') break;
        if (sep.kind !== 'punct' || sep.text !== ',') {
          throw lx.error(sep.start, `expected "," or ")" in arguments, got ${lx.describe(sep)}`);
        }
      }
      directives(lx, dirs, !p.reverse);
    }
    if (lx.isPunct('{')) sel.children = selections(lx, depth + 1);
    if (dirs.filter) {
      if (!sel.children)
        throw lx.error(p.tok.start, `@filter on ${p.name} needs a block { ... } of its nodes`);
      sel.filter = dirs.filter;
    }
    if (dirs.facets) sel.facets = dirs.facets;
    out.push(sel);
  }
}

function block(lx: Lexer): QueryBlock {
  const n = lx.next();
  if (n.kind !== 'word' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n.text)) {
    throw lx.error(n.start, `expected a block name, got ${lx.describe(n)}`);
  }
  const pos = lx.positions.at(n.start);
  lx.expectPunct('(', `after block name ${n.text}`);
  const f = lx.next();
  if (f.kind !== 'word' || f.text !== 'func') {
    throw lx.error(f.start, `expected "func:" as the first argument of ${n.text}, got ${lx.describe(f)}`);
  }
  lx.expectPunct(':', 'after func');
  const b: QueryBlock = {
    name: n.text,
    func: rootFunc(lx),
    children: [],
    line: pos.line,
    column: pos.column,
  };
  for (;;) {
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') break;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or ")" after the root function, got ${lx.describe(sep)}`);
    }
    paginationArg(lx, b);
  }
  const dirs: Directives = {};
  directives(lx, dirs, false);
  if (dirs.filter) b.filter = dirs.filter;
  b.children = selections(lx, 1);
  return b;
}

export function parseQuery(text: string): Query {
  const lx = new Lexer(text);
  const q: Query = { blocks: [] };
  const first = lx.peek();
  if (first.kind === 'word' && first.text === 'query') {
    lx.next();
    const n = lx.peek();
    if (n.kind === 'word') {
      q.name = n.text;
      lx.next();
    }
    if (lx.isPunct('(')) throw lx.error(lx.peek().start, 'query variables are not supported');
  }
  const s0 = lx.peek();
  if (s0.kind === 'word' && s0.text === 'schema') {
    lx.next();
    q.schema = schemaQuery(lx);
    const rest = lx.peek();
    if (rest.kind !== 'eof')
      throw lx.error(rest.start, `unexpected ${lx.describe(rest)} after the schema query`);
    return q;
  }
  const open = lx.expectPunct('{', 'to open the query');
  const names = new Set<string>();
  for (;;) {
    const t = lx.peek();
    if (t.kind === 'eof') throw lx.error(open.start, 'unterminated query: expected "}"');
    if (t.kind === 'punct' && t.text === '}') {
      lx.next();
      break;
    }
    const b = block(lx);
    if (names.has(b.name)) throw lx.error(t.start, `block name ${b.name} is used twice`);
    names.add(b.name);
    q.blocks.push(b);
  }
  if (q.blocks.length === 0) throw lx.error(open.start, 'the query has no blocks');
  const rest = lx.peek();
  if (rest.kind !== 'eof') throw lx.error(rest.start, `unexpected ${lx.describe(rest)} after the query`);
  return q;
}
