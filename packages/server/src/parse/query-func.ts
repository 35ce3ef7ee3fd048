/**
 * DQL functions (a block's `func:` and `@filter(...)`'s operands) and filter expressions:
 *
 *   uid(0x1, f)  has(pred)  has(~pred)  has(pred@en)  type(Name)  uid_in(pred, 0x1 | [..] | uid(f))
 *   eq le lt ge gt (pred[@lang] | val(x) | count(pred), value | [values] | val(a))  between(.., lo, hi)
 *   anyofterms allofterms anyoftext alloftext (pred[@lang], "words")
 *   near within contains intersects (query-geo.ts)  regexp match (query-pattern.ts)
 *
 * and `and`, `or`, `not` and parentheses (`and` binds tighter than `or`, as in Dgraph).
 */
import { DECIMAL, type Lexer, type Token } from './lexer.js';
import {
  COMPARE_FUNCS,
  TEXT_FUNCS,
  type CompareFuncName,
  type EqValue,
  type Filter,
  type RootFunc,
  type TextFuncName,
} from './query-ast.js';
import { GEO_FUNCS, geoFuncArgs, isGeoFunc } from './query-geo.js';
import { isPatternFunc, PATTERN_FUNCS, patternFuncArgs } from './query-pattern.js';

const U64_MAX = (1n << 64n) - 1n;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const FUNCS = [
  'uid',
  'has',
  'type',
  'uid_in',
  ...COMPARE_FUNCS,
  ...TEXT_FUNCS,
  ...GEO_FUNCS,
  ...PATTERN_FUNCS,
];

/** A uid literal (`0x..` or decimal; a string from a query variable too). */
export function uidOf(lx: Lexer, t: Token): bigint {
  if (
    (t.kind !== 'word' && t.kind !== 'string') ||
    !(/^0[xX][0-9a-fA-F]+$/.test(t.text) || /^\d+$/.test(t.text))
  ) {
    throw lx.error(t.start, `expected a uid (0x.. or a decimal), got ${lx.describe(t)}`);
  }
  const v = BigInt(t.text);
  if (v === 0n || v > U64_MAX) throw lx.error(t.start, `uid ${t.text} is out of range`);
  return v;
}

/** Whether `t` names a variable rather than spelling a uid. */
function isVarName(t: Token): boolean {
  return t.kind === 'word' && NAME.test(t.text) && !/^\d/.test(t.text);
}

export function predName(lx: Lexer, what: string): { name: string; reverse: boolean; tok: Token } {
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

/** A literal value: a string, an integer, a decimal number, true or false. */
export function eqValue(lx: Lexer): EqValue {
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

function isTextFunc(name: string): name is TextFuncName {
  return (TEXT_FUNCS as readonly string[]).includes(name);
}

/** `@lang` or `@.` after a predicate inside a function call, if there. */
export function funcLang(lx: Lexer): string | undefined {
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

/** `val(x)` at the lexer's position: the variable's name, or undefined when not there. */
function valVar(lx: Lexer): string | undefined {
  if (lx.peek().text !== 'val' || !lx.isPunct('(', 1)) return undefined;
  lx.next();
  lx.next();
  const v = lx.next();
  if (!isVarName(v)) throw lx.error(v.start, `expected a variable in val(...), got ${lx.describe(v)}`);
  lx.expectPunct(')', 'to close val(');
  return v.text;
}

/** `uid(...)`'s arguments up to and with `)`: uids and variable names. */
function uidArgs(lx: Lexer, into: { uids: bigint[]; vars: string[] }): void {
  for (;;) {
    const t = lx.next();
    if (isVarName(t)) into.vars.push(t.text);
    else into.uids.push(uidOf(lx, t));
    const sep = lx.next();
    if (sep.kind === 'punct' && sep.text === ')') return;
    if (sep.kind !== 'punct' || sep.text !== ',') {
      throw lx.error(sep.start, `expected "," or ")" in uid(...), got ${lx.describe(sep)}`);
    }
  }
}

/** The values of a comparison after its subject: literals, or `val(a)`. */
function compareValues(
  lx: Lexer,
  name: CompareFuncName,
  subject: string,
): { values: EqValue[]; valueVars?: string[] } {
  const values: EqValue[] = [];
  const valueVars: string[] = [];
  const one = () => {
    const v = valVar(lx);
    if (v !== undefined) valueVars.push(v);
    else values.push(eqValue(lx));
  };
  if (name === 'eq') {
    lx.expectPunct(',', `after eq(${subject}`);
    if (lx.isPunct('[')) oneOrList(lx, () => values.push(eqValue(lx)), 'the value list');
    else one();
  } else {
    for (let i = 0; i < (name === 'between' ? 2 : 1); i++) {
      lx.expectPunct(',', `after ${name}(${subject}${i ? ', ...' : ''}`);
      one();
    }
  }
  return valueVars.length ? { values, valueVars } : { values };
}

export function rootFunc(lx: Lexer): RootFunc {
  const f = lx.next();
  if (f.kind !== 'word') throw lx.error(f.start, `expected a function, got ${lx.describe(f)}`);
  if (!FUNCS.includes(f.text)) throw lx.error(f.start, `Function name: ${f.text} is not valid.`);
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
    const u: RootFunc = { name: 'uid', uids: [], vars: [] };
    uidArgs(lx, u);
    return u;
  }
  const compare = (COMPARE_FUNCS as readonly string[]).includes(f.text);
  if (compare && lx.peek().text === 'count' && lx.isPunct('(', 1)) {
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
  if (compare) {
    const v = valVar(lx);
    if (v !== undefined) {
      const name = f.text as CompareFuncName;
      fn = { name, predicate: `val(${v})`, ofVar: v, ...compareValues(lx, name, `val(${v})`) };
      lx.expectPunct(')', `to close ${f.text}(`);
      return fn;
    }
  }
  const p = predName(lx, 'a predicate');
  if (f.text === 'has') {
    const lang = p.reverse ? undefined : funcLang(lx);
    fn = { name: 'has', predicate: p.name };
    if (p.reverse) fn.reverse = true;
    if (lang !== undefined) fn.lang = lang;
    lx.expectPunct(')', 'to close has(');
    return fn;
  }
  if (p.reverse) throw lx.error(p.tok.start, `${f.text}() takes a predicate, not a reverse edge`);
  if (f.text === 'uid_in') {
    lx.expectPunct(',', `after uid_in(${p.name}`);
    const u: RootFunc = { name: 'uid_in', predicate: p.name, uids: [], vars: [] };
    if (lx.peek().text === 'uid' && lx.isPunct('(', 1)) {
      lx.next();
      lx.next();
      uidArgs(lx, u);
    } else {
      u.uids = oneOrList(lx, () => uidOf(lx, lx.next()), 'the uid list');
    }
    fn = u;
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
  } else {
    const name = f.text as CompareFuncName;
    const lang = funcLang(lx);
    const c: RootFunc = { name, predicate: p.name, ...compareValues(lx, name, p.name) };
    if (lang !== undefined) c.lang = lang;
    fn = c;
  }
  lx.expectPunct(')', `to close ${f.text}(`);
  return fn;
}

/** A word `and`, `or` or `not` (any case) at the lexer's position. */
export function isOp(lx: Lexer, op: 'and' | 'or' | 'not', ahead = 0): boolean {
  const t = lx.peek(ahead);
  return t.kind === 'word' && t.text.toLowerCase() === op;
}

/**
 * `a and b or c` over operands read by `term` (a function, for filters and facet filters alike):
 * `not x`, `( expr )` or one term.
 */
export function boolExpr<T>(
  lx: Lexer,
  term: () => T,
  wrap: { and: (a: T[]) => T; or: (a: T[]) => T; not: (a: T) => T },
  depth = 0,
): T {
  const operand = (): T => {
    const t = lx.peek();
    if (depth > 64) throw lx.error(t.start, 'filter is nested too deeply');
    if (isOp(lx, 'not')) {
      lx.next();
      depth++;
      const a = operand();
      depth--;
      return wrap.not(a);
    }
    if (lx.isPunct('(')) {
      lx.next();
      const e = boolExpr(lx, term, wrap, depth + 1);
      lx.expectPunct(')', 'to close "(" in the filter');
      return e;
    }
    if (t.kind !== 'word') throw lx.error(t.start, 'Invalid filter statement');
    return term();
  };
  const ors: T[] = [];
  for (;;) {
    const ands: T[] = [operand()];
    while (isOp(lx, 'and')) {
      lx.next();
      ands.push(operand());
    }
    ors.push(ands.length === 1 ? ands[0]! : wrap.and(ands));
    if (!isOp(lx, 'or')) break;
    lx.next();
  }
  return ors.length === 1 ? ors[0]! : wrap.or(ors);
}

/** A `@filter(...)` body. */
export function filterExpr(lx: Lexer): Filter {
  return boolExpr<Filter>(lx, () => ({ op: 'func', func: rootFunc(lx) }), {
    and: (args) => ({ op: 'and', args }),
    or: (args) => ({ op: 'or', args }),
    not: (arg) => ({ op: 'not', arg }),
  });
}
