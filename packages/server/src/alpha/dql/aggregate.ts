/**
 * `min max sum avg` over a set of values, as Dgraph aggregates: min and max keep the values' type
 * (numbers, datetimes, strings), sum and avg take numbers (sum of ints is an int, avg a float).
 */
import { HttpError } from '../../http/errors.js';
import type { AggregateName } from '../../parse/query.js';
import { compareVarValues, type VarValue } from './vars.js';

export function aggregate(fn: AggregateName, values: readonly VarValue[]): VarValue | undefined {
  if (values.length === 0) return undefined;
  if (fn === 'min' || fn === 'max') {
    let best = values[0]!;
    for (const v of values.slice(1)) {
      const c = compareVarValues(v, best);
      if (fn === 'min' ? c < 0 : c > 0) best = v;
    }
    return best;
  }
  let sum = 0;
  let ints = true;
  for (const v of values) {
    if (v.t !== 'int' && v.t !== 'float') {
      throw new HttpError('BAD_REQUEST', `Wrong type encountered for func ${fn}: ${v.t}`);
    }
    if (v.t === 'float') ints = false;
    sum += v.v;
  }
  if (fn === 'avg') return { t: 'float', v: sum / values.length };
  return { t: ints ? 'int' : 'float', v: sum };
}
