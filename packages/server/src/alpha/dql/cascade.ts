/**
 * `@cascade`: a node missing any field of its block (or, with `@cascade(f1, f2)`, any of those) is
 * left out, after pagination, as Dgraph does; the levels below were cascaded first, so an edge whose
 * nodes were all left out counts as missing.
 */
import type { Cascade, Selection } from '../../parse/query.js';
import { predicateKey, type Level } from './executor.js';

/** The key a selection shows under, for the selections cascade looks at (predicates). */
function keyOf(s: Selection): { key: string; predicate: string } | undefined {
  return s.kind === 'predicate' ? { key: predicateKey(s), predicate: s.predicate } : undefined;
}

export function applyCascade(level: Level, cascade: Cascade): void {
  const fields = level.sels
    .map(keyOf)
    .filter((k): k is { key: string; predicate: string } => k !== undefined)
    .filter((k) => cascade === true || cascade.includes(k.predicate) || cascade.includes(k.key));
  for (const [u, o] of level.objs) {
    const ok = fields.every((f) => {
      const v = o[f.key];
      return v !== undefined && !(Array.isArray(v) && v.length === 0);
    });
    if (!ok) level.objs.delete(u);
  }
}
