/**
 * DQL as Strata reads it (Dgraph's grammar): blocks `name(func: f, first: n, offset: n, after: uid,
 * orderasc: pred[@lang] | val(x))` with directives (query-directives.ts), `var` blocks and
 * `x as name(...)`, aggregate-only blocks `name()`, `shortest(from:, to:, numpaths:)`, and in
 * them: `uid`, predicates (`name@en:fr:.`, `name@*`, `~edge`, `x as pred`, nested blocks with
 * their own arguments and directives), `count(pred)`, `count(uid)`, `expand(_all_)`, `val(x)`,
 * `math(...)` (query-math.ts), `min max sum avg (val(x))`, `checkpwd(pred, "pw")`, aliases.
 * Functions and filters: query-func.ts; GraphQL-style query variables: query-vars.ts.
 *
 * Schema queries, as Dgraph: `schema {}`, `schema(pred: [name, age]) { type index }`,
 * `schema(type: Person) {}`.
 */
import { Lexer, type Token } from './lexer.js';
import {
  AGGREGATES,
  SCHEMA_FIELDS,
  type AggregateName,
  type Directives,
  type Langs,
  type Pagination,
  type Query,
  type QueryBlock,
  type SchemaQuery,
  type Selection,
  type ShortestSpec,
} from './query-ast.js';
import { DIRECTIVES, directives } from './query-directives.js';
import { predName, rootFunc, uidOf } from './query-func.js';
import { MathError, parseMath } from './query-math.js';
import { readQueryVars } from './query-vars.js';

export * from './query-ast.js';

const VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

/** `val(x)`'s variable (the `val` word read). */
function valArg(lx: Lexer): string {
  lx.expectPunct('(', 'after val');
  const v = lx.next();
  if (v.kind !== 'word' || !VAR.test(v.text))
    throw lx.error(v.start, `expected a variable in val(...), got ${lx.describe(v)}`);
  lx.expectPunct(')', 'to close val(');
  return v.text;
}

function paginationArg(lx: Lexer, target: Pagination): void {
  const k = lx.next();
  if (k.kind !== 'word' || !['first', 'offset', 'after', 'orderasc', 'orderdesc'].includes(k.text)) {
    throw lx.error(
      k.start,
      `unknown argument ${lx.describe(k)}: expected first, offset, after, orderasc or orderdesc`,
    );
  }
  lx.expectPunct(':', `after ${k.text}`);
  if (k.text === 'orderasc' || k.text === 'orderdesc') {
    const desc = k.text === 'orderdesc';
    if (lx.peek().text === 'val' && lx.isPunct('(', 1)) {
      lx.next();
      const v = valArg(lx);
      if (target.order?.length)
        throw lx.error(k.start, `Val() is not allowed in multiple sorting. Got: [${v}]`);
      (target.order ??= []).push({ predicate: `val(${v})`, desc, valueVar: v });
      return;
    }
    if (target.order?.some((o) => o.valueVar)) {
      throw lx.error(
        k.start,
        `Val() is not allowed in multiple sorting. Got: [${target.order[0]!.valueVar}]`,
      );
    }
    const p = predName(lx, 'a predicate to order by');
    if (p.reverse) throw lx.error(p.tok.start, `${k.text} takes a predicate, not a reverse edge`);
    const key: NonNullable<Pagination['order']>[number] = { predicate: p.name, desc };
    if (lx.isPunct('@')) {
      lx.next();
      const l = lx.next();
      if (l.kind !== 'word')
        throw lx.error(l.start, `expected a language after ${p.name}@, got ${lx.describe(l)}`);
      key.lang = l.text;
    }
    (target.order ??= []).push(key);
    return;
  }
  const v = lx.next();
  if (k.text === 'after') {
    if (target.after !== undefined) throw lx.error(k.start, 'after is given twice');
    target.after = uidOf(lx, v);
    return;
  }
  const key = k.text as 'first' | 'offset';
  if (v.kind !== 'word' || !/^-?\d+$/.test(v.text) || !Number.isSafeInteger(Number(v.text))) {
    throw lx.error(v.start, `${key} must be an integer, got ${lx.describe(v)}`);
  }
  const n = Number(v.text);
  if (key === 'offset' && n < 0) throw lx.error(v.start, 'offset must not be negative');
  if (target[key] !== undefined) throw lx.error(k.start, `${key} is given twice`);
  target[key] = n;
}

/** `(arg: v, ...)` of pagination arguments, if there. */
function paginationArgs(lx: Lexer, target: Pagination): void {
  if (!lx.isPunct('(')) return;
  lx.next();
  for (;;) {
    paginationArg(lx, target);
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') return;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or ")" in arguments, got ${lx.describe(sep)}`);
    }
  }
}

/** `@en`, `@en:fr:.`, `@.`, `@*` after a predicate (the `@` next), or undefined. */
function langs(lx: Lexer): Langs | undefined {
  if (!lx.isPunct('@')) return undefined;
  const d = lx.peek(1);
  if (d.kind === 'word' && DIRECTIVES.includes(d.text)) return undefined;
  lx.next();
  const out: string[] = [];
  for (;;) {
    const t = lx.next();
    if (t.kind === 'punct' && (t.text === '.' || t.text === '*')) out.push(t.text);
    else if (t.kind === 'word' && /^[A-Za-z]+(-[A-Za-z0-9]+)*$/.test(t.text)) out.push(t.text);
    else throw lx.error(t.start, `invalid language tag @${t.text}`);
    if (!lx.isPunct(':')) break;
    // `name@en: x` cannot be an alias here: a language list goes on after ":".
    lx.next();
  }
  if (out.includes('*') && out.length > 1)
    throw lx.error(lx.peek().start, 'If * is used, no other languages are allowed in the language list');
  return out;
}

/** The word `w` followed by `(`. */
function isCall(lx: Lexer, w: Token, name: string): boolean {
  return w.kind === 'word' && w.text === name && lx.isPunct('(', 1);
}

function mathSel(lx: Lexer): Selection {
  lx.next();
  lx.expectPunct('(', 'after math');
  const raw = lx.next();
  if (raw.kind !== 'raw') throw lx.error(raw.start, 'expected an expression in math(...)');
  lx.expectPunct(')', 'to close math(');
  try {
    return { kind: 'math', expr: parseMath(raw.text), text: raw.text.trim() };
  } catch (e) {
    if (e instanceof MathError) throw lx.error(raw.start + e.at, e.message);
    throw e;
  }
}

/** One selection (its alias and variable already read). */
function selection(
  lx: Lexer,
  depth: number,
  alias: string | undefined,
  varName: string | undefined,
): Selection {
  const w = lx.peek();
  const named = <T extends Selection>(s: T): T => {
    if (alias !== undefined) (s as { alias?: string }).alias = alias;
    return s;
  };
  if (w.kind === 'word' && w.text === 'uid' && !lx.isPunct('(', 1)) {
    lx.next();
    return named({ kind: 'uid', ...(varName ? { varName } : {}) });
  }
  if (isCall(lx, w, 'expand')) {
    lx.next();
    lx.next();
    const a = lx.next();
    if (a.kind !== 'word')
      throw lx.error(a.start, `expected _all_, a type or val(x) in expand(...), got ${lx.describe(a)}`);
    let valueVar: string | undefined;
    if (a.text === 'val' && lx.isPunct('(')) {
      lx.next();
      const v = lx.next();
      if (v.kind !== 'word')
        throw lx.error(v.start, `expected a variable in val(...), got ${lx.describe(v)}`);
      valueVar = v.text;
      lx.expectPunct(')', 'to close val(');
    }
    lx.expectPunct(')', 'to close expand(');
    if (alias) throw lx.error(w.start, 'expand() cannot have an alias');
    const s: Selection = { kind: 'expand', arg: a.text, ...(valueVar ? { valueVar } : {}) };
    if (lx.isPunct('{')) s.children = selections(lx, depth + 1);
    return s;
  }
  if (isCall(lx, w, 'count')) {
    lx.next();
    lx.next();
    const p = predName(lx, 'a predicate to count');
    const dirs: Directives = {};
    directives(lx, dirs);
    lx.expectPunct(')', 'to close count(');
    const s: Selection = named({ kind: 'count', predicate: p.name, reverse: p.reverse });
    if (varName) s.varName = varName;
    if (dirs.filter) s.filter = dirs.filter;
    return s;
  }
  if (isCall(lx, w, 'checkpwd')) {
    lx.next();
    lx.next();
    const p = predName(lx, 'a password predicate');
    lx.expectPunct(',', `after checkpwd(${p.name}`);
    const pw = lx.next();
    if (pw.kind !== 'string')
      throw lx.error(pw.start, `checkpwd() takes a "password", got ${lx.describe(pw)}`);
    lx.expectPunct(')', 'to close checkpwd(');
    return named({ kind: 'checkpwd', predicate: p.name, password: pw.text });
  }
  if (isCall(lx, w, 'val')) {
    lx.next();
    const s: Selection = named({ kind: 'val', varName: valArg(lx) });
    if (varName) s.defines = varName;
    return s;
  }
  if (isCall(lx, w, 'math')) {
    if (alias === undefined && varName === undefined)
      throw lx.error(w.start, 'Function math should be used with a variable or have an alias');
    const s = named(mathSel(lx));
    if (varName) (s as { varName?: string }).varName = varName;
    return s;
  }
  if (w.kind === 'word' && (AGGREGATES as readonly string[]).includes(w.text) && lx.isPunct('(', 1)) {
    lx.next();
    lx.next();
    const fn = w.text as AggregateName;
    let of: { varName: string } | { predicate: string };
    if (lx.peek().text === 'val' && lx.isPunct('(', 1)) {
      lx.next();
      of = { varName: valArg(lx) };
    } else {
      of = { predicate: predName(lx, `a predicate or val(x) in ${fn}(...)`).name };
    }
    lx.expectPunct(')', `to close ${fn}(`);
    const s: Selection = named({ kind: 'aggregate', fn, of });
    if (varName) s.defines = varName;
    return s;
  }
  const p = predName(lx, 'a predicate, uid, count(...) or expand(_all_)');
  const sel: Selection & { kind: 'predicate' } = named({
    kind: 'predicate',
    predicate: p.name,
    reverse: p.reverse,
  });
  if (varName) sel.varName = varName;
  const l = langs(lx);
  if (l) sel.langs = l;
  // Arguments and directives, in either order (as Dgraph).
  directives(lx, sel);
  paginationArgs(lx, sel);
  directives(lx, sel);
  if (lx.isPunct('{')) sel.children = selections(lx, depth + 1);
  if (sel.filter && !sel.children)
    throw lx.error(p.tok.start, `@filter on ${p.name} needs a block { ... } of its nodes`);
  return sel;
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
    let varName: string | undefined;
    const v = lx.peek();
    if (v.kind === 'word' && VAR.test(v.text) && lx.peek(1).kind === 'word' && lx.peek(1).text === 'as') {
      varName = v.text;
      lx.next();
      lx.next();
    }
    out.push(selection(lx, depth, alias, varName));
  }
}

/** `from: a, to: b, numpaths: n, depth: d, minweight: w, maxweight: w` of `shortest(` (read). */
function shortestArgs(lx: Lexer): ShortestSpec {
  const s: Partial<ShortestSpec> = { numpaths: 1 };
  for (;;) {
    const k = lx.next();
    lx.expectPunct(':', `after ${k.text}`);
    if (k.text === 'from' || k.text === 'to') {
      const v = lx.next();
      let end: ShortestSpec['from'];
      if (v.kind === 'word' && v.text === 'uid' && lx.isPunct('(')) {
        lx.next();
        const n = lx.next();
        lx.expectPunct(')', 'to close uid(');
        end = VAR.test(n.text) && !/^\d/.test(n.text) ? { varName: n.text } : { uid: uidOf(lx, n) };
      } else {
        end = { uid: uidOf(lx, v) };
      }
      s[k.text] = end;
    } else if (['numpaths', 'depth', 'minweight', 'maxweight'].includes(k.text)) {
      const v = lx.next();
      const n = Number(v.text);
      if (v.kind !== 'word' || !Number.isFinite(n))
        throw lx.error(v.start, `${k.text} must be a number, got ${lx.describe(v)}`);
      (s as Record<string, number>)[k.text] = n;
    } else {
      throw lx.error(
        k.start,
        `unknown argument ${lx.describe(k)} of shortest: expected from, to, numpaths, depth, minweight or maxweight`,
      );
    }
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') break;
    if (sep.kind !== 'punct' || sep.text !== ',')
      throw lx.error(sep.start, `expected "," or ")" in shortest(...), got ${lx.describe(sep)}`);
  }
  if (!s.from || !s.to) throw lx.error(lx.peek().start, 'shortest() needs from: and to:');
  return s as ShortestSpec;
}

function block(lx: Lexer): QueryBlock {
  let varName: string | undefined;
  if (lx.peek().kind === 'word' && lx.peek(1).text === 'as' && lx.peek(1).kind === 'word') {
    varName = lx.next().text;
    lx.next();
  }
  const n = lx.next();
  if (n.kind !== 'word' || !VAR.test(n.text))
    throw lx.error(n.start, `expected a block name, got ${lx.describe(n)}`);
  const pos = lx.positions.at(n.start);
  const b: QueryBlock = { name: n.text, children: [], line: pos.line, column: pos.column };
  if (varName) b.varName = varName;
  lx.expectPunct('(', `after block name ${n.text}`);
  if (n.text === 'shortest') {
    b.shortest = shortestArgs(lx);
  } else if (!lx.isPunct(')')) {
    const f = lx.next();
    if (f.kind !== 'word' || f.text !== 'func') {
      throw lx.error(f.start, `expected "func:" as the first argument of ${n.text}, got ${lx.describe(f)}`);
    }
    lx.expectPunct(':', 'after func');
    b.func = rootFunc(lx);
    for (;;) {
      const sep = lx.next();
      if (sep.kind === 'punct' && sep.text === ')') break;
      if (sep.kind !== 'punct' || sep.text !== ',') {
        throw lx.error(sep.start, `expected "," or ")" after the root function, got ${lx.describe(sep)}`);
      }
      paginationArg(lx, b);
    }
  } else {
    lx.next();
  }
  directives(lx, b);
  if (b.facets) throw lx.error(n.start, '@facets is not allowed at the root of a block');
  // `x as var(func: ...)` needs no fields.
  if (b.name === 'var' && b.varName && !lx.isPunct('{')) return b;
  b.children = selections(lx, 1);
  return b;
}

/** Parses a DQL query; `vars` are the request's GraphQL-style variables (`{"$a": "5"}`). */
export function parseQuery(text: string, vars: Record<string, string> = {}): Query {
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
    if (lx.isPunct('(')) readQueryVars(lx, vars);
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
    if (b.name !== 'var') {
      if (names.has(b.name)) throw lx.error(t.start, `Duplicate aliases not allowed: ${b.name}`);
      names.add(b.name);
    }
    q.blocks.push(b);
  }
  if (q.blocks.length === 0) throw lx.error(open.start, 'the query has no blocks');
  const rest = lx.peek();
  if (rest.kind !== 'eof') throw lx.error(rest.start, `unexpected ${lx.describe(rest)} after the query`);
  return q;
}
