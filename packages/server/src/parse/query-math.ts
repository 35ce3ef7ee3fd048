/**
 * `math(...)` expressions, as Dgraph reads them: numbers, value variables, `+ - * / %`, the
 * comparisons `< > <= >= == !=`, and the functions `min max pow logbase` (two arguments), `exp ln
 * sqrt floor ceil since` (one) and `cond(test, then, else)`. `*`, `/` and `%` bind tighter than
 * `+` and `-`, which bind tighter than the comparisons; a unary minus applies to one operand.
 */

export type MathExpr =
  | { op: 'num'; value: number; int: boolean }
  | { op: 'var'; name: string }
  | { op: 'call'; fn: string; args: MathExpr[] };

/** Functions by their number of arguments. */
export const MATH_FUNCS: Record<string, number> = {
  min: 2,
  max: 2,
  pow: 2,
  logbase: 2,
  exp: 1,
  ln: 1,
  sqrt: 1,
  floor: 1,
  ceil: 1,
  since: 1,
  cond: 3,
};

/** How deep parentheses, calls and minus signs may nest (a bound on the parser's stack). */
const MAX_DEPTH = 64;

const LEVELS: string[][] = [
  ['<', '>', '<=', '>=', '==', '!='],
  ['+', '-'],
  ['*', '/', '%'],
];

interface Tok {
  text: string;
  at: number;
  kind: 'num' | 'name' | 'op';
}

/** An error at `at` (an offset in the expression's text). */
export class MathError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

function tokens(src: string): Tok[] {
  const out: Tok[] = [];
  let p = 0;
  while (p < src.length) {
    const c = src[p]!;
    if (/\s/.test(c)) {
      p++;
      continue;
    }
    const rest = src.slice(p);
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    const op = /^(<=|>=|==|!=|[-+*/%<>(),])/.exec(rest);
    const m = num ?? name ?? op;
    if (!m) throw new MathError(p, `unexpected character ${JSON.stringify(c)} in math()`);
    out.push({ text: m[0], at: p, kind: num ? 'num' : name ? 'name' : 'op' });
    p += m[0].length;
  }
  return out;
}

/** Parses the text between `math(` and its `)`. */
export function parseMath(src: string): MathExpr {
  const toks = tokens(src);
  let i = 0;
  const peek = () => toks[i];
  const end = src.length;
  const expect = (text: string, what: string) => {
    const t = toks[i];
    if (t?.text !== text) throw new MathError(t?.at ?? end, `expected "${text}" ${what} in math()`);
    i++;
  };
  let depth = 0;
  const level = (n: number): MathExpr => {
    if (n === LEVELS.length) return unary();
    if (n === 0 && ++depth > MAX_DEPTH) throw new MathError(peek()?.at ?? end, 'math() is nested too deeply');
    let left = level(n + 1);
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'op' || !LEVELS[n]!.includes(t.text)) return left;
      i++;
      left = { op: 'call', fn: t.text, args: [left, level(n + 1)] };
    }
  };
  const top = (): MathExpr => {
    const e = level(0);
    depth--;
    return e;
  };
  const unary = (): MathExpr => {
    const t = peek();
    if (t?.text === '-') {
      i++;
      if (++depth > MAX_DEPTH) throw new MathError(t.at, 'math() is nested too deeply');
      const e: MathExpr = { op: 'call', fn: 'neg', args: [unary()] };
      depth--;
      return e;
    }
    return operand();
  };
  const operand = (): MathExpr => {
    const t = toks[i++];
    if (!t) throw new MathError(end, 'math() ends where an operand was expected');
    if (t.kind === 'num') return { op: 'num', value: Number(t.text), int: /^\d+$/.test(t.text) };
    if (t.text === '(') {
      const e = top();
      expect(')', 'to close "("');
      return e;
    }
    if (t.kind !== 'name') throw new MathError(t.at, `unexpected "${t.text}" in math()`);
    if (peek()?.text !== '(') return { op: 'var', name: t.text };
    const arity = MATH_FUNCS[t.text];
    if (arity === undefined) throw new MathError(t.at, `unknown function ${t.text} in math()`);
    i++;
    const args: MathExpr[] = [];
    for (;;) {
      args.push(top());
      if (peek()?.text === ',') {
        i++;
        continue;
      }
      expect(')', `to close ${t.text}(`);
      break;
    }
    if (args.length !== arity) {
      throw new MathError(t.at, `${t.text}() in math() takes ${arity} argument(s), got ${args.length}`);
    }
    return { op: 'call', fn: t.text, args };
  };
  if (toks.length === 0) throw new MathError(0, 'empty math()');
  const e = top();
  const rest = peek();
  if (rest) throw new MathError(rest.at, `unexpected "${rest.text}" in math()`);
  return e;
}

/** The variables an expression reads. */
export function mathVars(e: MathExpr, out = new Set<string>()): Set<string> {
  if (e.op === 'var') out.add(e.name);
  if (e.op === 'call') for (const a of e.args) mathVars(a, out);
  return out;
}
