/**
 * `@groupby(p1, p2)`: the nodes grouped by their values (or edges' targets) of the predicates, each
 * group shown as its key fields with `count(uid)` and aggregates of predicates (`min(age)`) over
 * its members, as Dgraph answers under `"@groupby"`. `c as count(uid)` with one uid predicate
 * makes a value variable keyed by the group's node.
 */
import { HttpError } from '../../http/errors.js';
import type { Selection } from '../../parse/query.js';
import { hexUid, jsonValue } from '../decode.js';
import { aggregate } from './aggregate.js';
import type { Executor, Obj } from './executor.js';
import { varJson, varValueOf, type VarValue } from './vars.js';

interface Group {
  key: Obj;
  /** The group's node when grouped by one uid predicate. */
  uid?: string;
  members: string[];
}

export async function groupBy(
  ex: Executor,
  uids: string[],
  keys: readonly { predicate: string; reverse: boolean }[],
  sels: readonly Selection[],
): Promise<Obj[]> {
  if (keys.some((k) => k.reverse))
    throw new HttpError('BAD_REQUEST', '@groupby on a reverse edge is not supported yet');
  const aggPreds = sels.flatMap((s) =>
    s.kind === 'aggregate' && 'predicate' in s.of ? [s.of.predicate] : [],
  );
  const facts = await ex.read(uids, [...keys.map((k) => k.predicate), ...aggPreds]);
  const groups = new Map<string, Group>();
  for (const u of uids) {
    // The node's choices for each key: its values, or its edges' targets.
    let combos: { key: Obj; uid?: string }[] = [{ key: {} }];
    for (const k of keys) {
      const f = facts.get(u)?.get(k.predicate);
      const choices: { v: unknown; uid?: string }[] = f?.uids.length
        ? f.uids.map((c) => ({ v: hexUid(BigInt(c)), uid: c }))
        : (f?.values ?? [])
            .filter((v) => !v.lang)
            .map((v) => ({ v: jsonValue(Buffer.from(v.value, 'base64'), v.valType) }));
      combos = combos.flatMap((c) =>
        choices.map((x) => ({ key: { ...c.key, [k.predicate]: x.v }, ...(x.uid ? { uid: x.uid } : {}) })),
      );
    }
    for (const c of combos) {
      const id = JSON.stringify(c.key);
      let g = groups.get(id);
      if (!g)
        groups.set(
          id,
          (g = { key: c.key, members: [], ...(keys.length === 1 && c.uid ? { uid: c.uid } : {}) }),
        );
      g.members.push(u);
    }
  }
  const out: Obj[] = [];
  for (const g of groups.values()) {
    const o: Obj = { ...g.key };
    for (const s of sels) {
      if (s.kind === 'count' && s.predicate === 'uid') {
        o[s.alias ?? 'count'] = g.members.length;
        if (s.varName && g.uid) ex.vars.setValue(s.varName, g.uid, { t: 'int', v: g.members.length });
      } else if (s.kind === 'aggregate' && 'predicate' in s.of) {
        const p = s.of.predicate;
        const vals = g.members
          .flatMap(
            (m) =>
              facts
                .get(m)
                ?.get(p)
                ?.values.filter((v) => !v.lang) ?? [],
          )
          .map(varValueOf)
          .filter((v): v is VarValue => v !== undefined);
        const v = aggregate(s.fn, vals);
        if (v !== undefined) o[s.alias ?? `${s.fn}(${p})`] = varJson(v);
      } else {
        throw new HttpError('BAD_REQUEST', 'Only aggregator/count functions allowed inside @groupby');
      }
    }
    out.push(o);
  }
  return out;
}
