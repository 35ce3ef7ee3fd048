/**
 * The DQL subset Strata serves:
 *
 *   { q(func: uid(0x1, 0x2), first: 10, offset: 0) { uid name friend { name } ~friend { name }
 *       expand(_all_) dgraph.type count(friend) alias: name@en } }
 *
 * Root functions `uid(...)`, `has(pred)`, `eq(pred, value)` and `eq(pred, [v1, v2])`; several
 * blocks per query. `@filter` and variables are not supported (yet).
 *
 * Schema queries, as Dgraph: `schema {}`, `schema(pred: [name, age]) { type index }`,
 * `schema(type: Person) {}`.
 */
import { Lexer, type Token } from './lexer.js';

const U64_MAX = (1n << 64n) - 1n;

export type EqValue = string | bigint | number | boolean;

export type RootFunc =
  | { name: 'uid'; uids: bigint[] }
  | { name: 'has'; predicate: string }
  | { name: 'eq'; predicate: string; values: EqValue[] };

export interface Pagination {
  first?: number;
  offset?: number;
}

export type Selection =
  | { kind: 'uid'; alias?: string }
  | { kind: 'expand'; arg: '_all_' }
  | { kind: 'count'; predicate: string; reverse: boolean; alias?: string }
  | ({
      kind: 'predicate';
      predicate: string;
      reverse: boolean;
      alias?: string;
      lang?: string;
      /** Nested block; absent for a scalar. */
      children?: Selection[];
    } & Pagination);

export interface QueryBlock extends Pagination {
  name: string;
  func: RootFunc;
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
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t.text)) return Number(t.text);
  }
  throw lx.error(t.start, `expected a value (a "string", a number, true or false), got ${lx.describe(t)}`);
}

function rootFunc(lx: Lexer): RootFunc {
  const f = lx.next();
  if (f.kind !== 'word') throw lx.error(f.start, `expected a function, got ${lx.describe(f)}`);
  if (f.text !== 'uid' && f.text !== 'has' && f.text !== 'eq') {
    throw lx.error(f.start, `unknown root function ${f.text}: expected uid, has or eq`);
  }
  lx.expectPunct('(', `after ${f.text}`);
  let fn: RootFunc;
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
  const p = predName(lx, 'a predicate');
  if (p.reverse) throw lx.error(p.tok.start, `${f.text}() takes a predicate, not a reverse edge`);
  if (f.text === 'has') {
    fn = { name: 'has', predicate: p.name };
  } else {
    lx.expectPunct(',', `after eq(${p.name}`);
    const values: EqValue[] = [];
    if (lx.isPunct('[')) {
      lx.next();
      for (;;) {
        values.push(eqValue(lx));
        const sep = lx.next();
        if (sep.kind === 'punct' && sep.text === ']') break;
        if (sep.kind !== 'punct' || sep.text !== ',') {
          throw lx.error(sep.start, `expected "," or "]" in the value list, got ${lx.describe(sep)}`);
        }
      }
    } else {
      values.push(eqValue(lx));
    }
    fn = { name: 'eq', predicate: p.name, values };
  }
  lx.expectPunct(')', `to close ${f.text}(`);
  return fn;
}

function paginationArg(lx: Lexer, target: Pagination): void {
  const k = lx.next();
  if (k.kind !== 'word' || (k.text !== 'first' && k.text !== 'offset')) {
    throw lx.error(k.start, `unknown argument ${lx.describe(k)}: expected first or offset`);
  }
  lx.expectPunct(':', `after ${k.text}`);
  const v = lx.next();
  if (v.kind !== 'word' || !/^-?\d+$/.test(v.text) || !Number.isSafeInteger(Number(v.text))) {
    throw lx.error(v.start, `${k.text} must be an integer, got ${lx.describe(v)}`);
  }
  const n = Number(v.text);
  if (k.text === 'offset' && n < 0) throw lx.error(v.start, 'offset must not be negative');
  if (target[k.text] !== undefined) throw lx.error(k.start, `${k.text} is given twice`);
  target[k.text] = n;
}

function noDirective(lx: Lexer): void {
  if (lx.isPunct('@')) {
    const d = lx.peek(1);
    throw lx.error(lx.peek().start, `@${d.kind === 'word' ? d.text : ''} is not supported`);
  }
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
    const p = predName(lx, 'a predicate, uid, count(...) or expand(_all_)');
    const sel: Selection & { kind: 'predicate' } = {
      kind: 'predicate',
      predicate: p.name,
      reverse: p.reverse,
    };
    if (alias) sel.alias = alias;
    if (lx.isPunct('@') && lx.peek(1).kind === 'word' && lx.peek(1).text !== 'filter') {
      lx.next();
      const lang = lx.next();
      if (!/^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(lang.text))
        throw lx.error(lang.start, `invalid language tag @${lang.text}`);
      sel.lang = lang.text;
    }
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
    }
    noDirective(lx);
    if (lx.isPunct('{')) sel.children = selections(lx, depth + 1);
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
  noDirective(lx);
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
