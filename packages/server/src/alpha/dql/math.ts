/**
 * Evaluates `math(...)` for one node as Dgraph does: a variable the node has no value of counts
 * as 0; an int meeting a float becomes a float; int / int and int % int stay ints (truncated);
 * `pow logbase ln exp sqrt since` give floats; comparisons give booleans.
 */
import { HttpError } from '../../http/errors.js';
import type { MathExpr } from '../../parse/query-math.js';
import type { VarValue } from './vars.js';

type Num = { t: 'int' | 'float'; v: number };

function num(v: VarValue, fn: string): Num {
  if (v.t === 'int' || v.t === 'float') return v;
  if (v.t === 'bool') return { t: 'int', v: v.v ? 1 : 0 };
  throw new HttpError('BAD_REQUEST', `Wrong type ${v.t} encountered for func ${fn}`);
}

const float = (v: number): Num => ({ t: 'float', v });

function binary(fn: string, a: VarValue, b: VarValue): VarValue {
  if (['<', '>', '<=', '>=', '==', '!='].includes(fn)) {
    const [x, y] = a.t === 'datetime' && b.t === 'datetime' ? [a.ms, b.ms] : [num(a, fn).v, num(b, fn).v];
    const r = { '<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y, '==': x === y, '!=': x !== y }[fn]!;
    return { t: 'bool', v: r };
  }
  const x = num(a, fn);
  const y = num(b, fn);
  const ints = x.t === 'int' && y.t === 'int';
  switch (fn) {
    case '+':
      return { t: ints ? 'int' : 'float', v: x.v + y.v };
    case '-':
      return { t: ints ? 'int' : 'float', v: x.v - y.v };
    case '*':
      return { t: ints ? 'int' : 'float', v: x.v * y.v };
    case '/':
      if (y.v === 0) throw new HttpError('BAD_REQUEST', 'Division by zero');
      return ints ? { t: 'int', v: Math.trunc(x.v / y.v) } : float(x.v / y.v);
    case '%':
      if (y.v === 0) throw new HttpError('BAD_REQUEST', 'Division by zero');
      return { t: ints ? 'int' : 'float', v: x.v % y.v };
    case 'min':
      return x.v <= y.v ? (ints ? x : float(x.v)) : ints ? y : float(y.v);
    case 'max':
      return x.v >= y.v ? (ints ? x : float(x.v)) : ints ? y : float(y.v);
    case 'pow':
      return float(x.v ** y.v);
    case 'logbase':
      return float(Math.log(x.v) / Math.log(y.v));
  }
  throw new HttpError('BAD_REQUEST', `Unhandled math function ${fn}`);
}

function unary(fn: string, a: VarValue): VarValue {
  if (fn === 'since') {
    if (a.t !== 'datetime')
      throw new HttpError('BAD_REQUEST', `Wrong type ${a.t} encountered for func since`);
    return float((Date.now() - a.ms) / 1000);
  }
  const x = num(a, fn);
  switch (fn) {
    case 'neg':
      return { t: x.t, v: -x.v };
    case 'ln':
      return float(Math.log(x.v));
    case 'exp':
      return float(Math.exp(x.v));
    case 'sqrt':
      return float(Math.sqrt(x.v));
    case 'floor':
      return x.t === 'int' ? x : float(Math.floor(x.v));
    case 'ceil':
      return x.t === 'int' ? x : float(Math.ceil(x.v));
  }
  throw new HttpError('BAD_REQUEST', `Unhandled math function ${fn}`);
}

/** The value of `e` with variables read through `lookup` (missing: 0). */
export function evalMath(e: MathExpr, lookup: (name: string) => VarValue | undefined): VarValue {
  switch (e.op) {
    case 'num':
      return { t: e.int ? 'int' : 'float', v: e.value };
    case 'var':
      return lookup(e.name) ?? { t: 'int', v: 0 };
    case 'call': {
      if (e.fn === 'cond') {
        const c = evalMath(e.args[0]!, lookup);
        const yes = c.t === 'bool' ? c.v : num(c, 'cond').v !== 0;
        return evalMath(e.args[yes ? 1 : 2]!, lookup);
      }
      const args = e.args.map((a) => evalMath(a, lookup));
      return args.length === 1 ? unary(e.fn, args[0]!) : binary(e.fn, args[0]!, args[1]!);
    }
  }
}
