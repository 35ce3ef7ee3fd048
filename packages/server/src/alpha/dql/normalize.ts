/**
 * `@normalize`: each node becomes the flat objects of its aliased fields, one for each
 * combination of its edges' (themselves flattened) nodes, as Dgraph answers; fields without an
 * alias are left out.
 */
import type { Selection } from '../../parse/query.js';
import { predicateKey, type Obj } from './executor.js';

export function normalize(o: Obj, sels: readonly Selection[]): Obj[] {
  let rows: Obj[] = [{}];
  for (const s of sels) {
    if (s.kind === 'predicate' && s.children) {
      const v = o[predicateKey(s)];
      const children = (Array.isArray(v) ? v : v === undefined ? [] : [v]) as Obj[];
      const sub = children.flatMap((c) => normalize(c, s.children!));
      if (sub.length === 0) continue;
      rows = rows.flatMap((r) => sub.map((x) => ({ ...r, ...x })));
    } else if ('alias' in s && s.alias !== undefined && o[s.alias] !== undefined) {
      const key = s.alias;
      rows = rows.map((r) => ({ ...r, [key]: o[key] }));
    }
  }
  return rows.filter((r) => Object.keys(r).length > 0);
}
