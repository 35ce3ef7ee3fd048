/**
 * Dgraph's upsert blocks: a query whose variables the mutations use, and mutations run only when
 * their condition holds:
 *
 *   upsert {
 *     query { q(func: eq(email, "a@x")) { v as uid  n as name } }
 *     mutation @if(eq(len(v), 0)) { set { _:new <email> "a@x" . } }
 *     mutation @if(gt(len(v), 0) and not lt(len(v), 2)) { set { uid(v) <nick> val(n) . } }
 *   }
 *
 * and the JSON form `{"query": "...", "cond": "@if(...)", "set": ..., "delete": ...}` or
 * `{"query": "...", "mutations": [{"cond", "set", "delete"}, ...]}`.
 */
import { ParseError, Positions, ValueError } from './errors.js';
import { parseMutationBody, type Mutation } from './mutation.js';

/** `@if(...)`: comparisons of the number of a variable's nodes. */
export type UpsertCond =
  | { op: 'len'; fn: 'eq' | 'lt' | 'le' | 'gt' | 'ge'; varName: string; n: number }
  | { op: 'and' | 'or'; args: UpsertCond[] }
  | { op: 'not'; arg: UpsertCond };

export interface Upsert {
  /** The DQL query text (`{ blocks }`). */
  query: string;
  mutations: { cond?: UpsertCond; mutation: Mutation }[];
}

const CMP = ['eq', 'lt', 'le', 'gt', 'ge'] as const;

/** Parses `@if(expr)`'s text (with or without `@if(...)`). */
export function parseCond(text: string): UpsertCond {
  let src = text.trim();
  const m = /^@if\s*\(([\s\S]*)\)$/.exec(src);
  if (m) src = m[1]!;
  const toks = src.match(/\(|\)|,|[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g) ?? [];
  let i = 0;
  const peek = () => toks[i]?.toLowerCase();
  const expect = (t: string) => {
    if (toks[i] !== t) throw new ValueError(`@if: expected "${t}", got ${toks[i] ?? 'the end'}`);
    i++;
  };
  const term = (depth: number): UpsertCond => {
    if (depth > 64) throw new ValueError('@if is nested too deeply');
    if (peek() === 'not') {
      i++;
      return { op: 'not', arg: term(depth + 1) };
    }
    if (peek() === '(') {
      i++;
      const e = expr(depth + 1);
      expect(')');
      return e;
    }
    const fn = toks[i++];
    if (!fn || !(CMP as readonly string[]).includes(fn)) {
      throw new ValueError(`@if: expected eq, lt, le, gt or ge, got ${fn ?? 'the end'}`);
    }
    expect('(');
    expect('len');
    expect('(');
    const varName = toks[i++];
    if (!varName || !/^[A-Za-z_]/.test(varName)) throw new ValueError('@if: expected a variable in len(...)');
    expect(')');
    expect(',');
    const n = toks[i++];
    if (!n || !/^\d+$/.test(n))
      throw new ValueError(`@if: ${fn}(len(${varName}), ...) compares with a whole number`);
    expect(')');
    return { op: 'len', fn: fn as (typeof CMP)[number], varName, n: Number(n) };
  };
  const expr = (depth: number): UpsertCond => {
    const ors: UpsertCond[] = [];
    for (;;) {
      const ands = [term(depth)];
      while (peek() === 'and') {
        i++;
        ands.push(term(depth));
      }
      ors.push(ands.length === 1 ? ands[0]! : { op: 'and', args: ands });
      if (peek() !== 'or') break;
      i++;
    }
    return ors.length === 1 ? ors[0]! : { op: 'or', args: ors };
  };
  const e = expr(0);
  if (i < toks.length) throw new ValueError(`@if: unexpected ${toks[i]}`);
  return e;
}

/** The text of the balanced `{...}` or `(...)` starting at `from` (strings skipped), and where it ends. */
function balanced(src: string, from: number, positions: Positions): { text: string; end: number } {
  const open = src[from]!;
  const close = open === '{' ? '}' : ')';
  let depth = 0;
  for (let p = from; p < src.length; p++) {
    const c = src[p];
    if (c === '"') {
      for (p++; p < src.length && src[p] !== '"'; p++) if (src[p] === '\\') p++;
      continue;
    }
    if (c === '#') {
      while (p < src.length && src[p] !== '\n') p++;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return { text: src.slice(from, p + 1), end: p + 1 };
  }
  throw positions.error(from, `unterminated "${open}": expected "${close}"`);
}

/** Whether a mutation text is an upsert block. */
export function isUpsert(text: string): boolean {
  return /^\s*upsert\s*\{/.test(text);
}

/** Parses an RDF upsert block. */
export function parseUpsert(text: string): Upsert {
  const positions = new Positions(text);
  const ws = (p: number) => {
    for (;;) {
      while (p < text.length && /\s/.test(text[p]!)) p++;
      if (text[p] !== '#') return p;
      while (p < text.length && text[p] !== '\n') p++;
    }
  };
  let p = ws(0);
  p = ws(p + 'upsert'.length);
  if (text[p] !== '{') throw positions.error(p, 'expected "{" after upsert');
  const outer = balanced(text, p, positions);
  const out: Upsert = { query: '', mutations: [] };
  p = ws(p + 1);
  while (p < outer.end - 1) {
    const word = /^[A-Za-z]+/.exec(text.slice(p, p + 16))?.[0] ?? '';
    if (word === 'query') {
      p = ws(p + word.length);
      if (text[p] !== '{') throw positions.error(p, 'expected "{" after query');
      if (out.query) throw positions.error(p, 'an upsert block has one query');
      const q = balanced(text, p, positions);
      out.query = q.text;
      p = ws(q.end);
    } else if (word === 'mutation') {
      p = ws(p + word.length);
      let cond: UpsertCond | undefined;
      if (text.startsWith('@if', p)) {
        p = ws(p + 3);
        if (text[p] !== '(') throw positions.error(p, 'expected "(" after @if');
        const c = balanced(text, p, positions);
        try {
          cond = parseCond(c.text.slice(1, -1));
        } catch (e) {
          if (e instanceof ValueError) throw positions.error(p, e.message);
          throw e;
        }
        p = ws(c.end);
      }
      if (text[p] !== '{') throw positions.error(p, 'expected "{" to open the mutation');
      const m = balanced(text, p, positions);
      let mutation: Mutation;
      try {
        mutation = parseMutationBody(m.text, true);
      } catch (e) {
        // Positions inside the mutation, made positions of the whole text.
        if (e instanceof ParseError) throw positions.error(p + offsetOf(m.text, e.line, e.column), e.reason);
        throw e;
      }
      out.mutations.push(cond ? { cond, mutation } : { mutation });
      p = ws(m.end);
    } else {
      throw positions.error(
        p,
        `expected "query" or "mutation" in the upsert block, got ${JSON.stringify(text.slice(p, p + 12))}`,
      );
    }
  }
  if (!out.query) throw positions.error(0, 'an upsert block needs a query');
  if (out.mutations.length === 0) throw positions.error(0, 'an upsert block needs a mutation');
  if (ws(outer.end) < text.length) throw positions.error(outer.end, 'unexpected text after the upsert block');
  return out;
}

/** The offset of (line, column) in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) off = text.indexOf('\n', off) + 1;
  return off + column - 1;
}
