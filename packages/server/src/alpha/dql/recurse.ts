/**
 * `@recurse(depth: n, loop: bool)`: the block's fields at every level, its edges followed level by
 * level as Dgraph expands them: `depth` levels of fields, the last level's edges not shown. Like Dgraph, each edge followed at one level brings its own copy
 * of the block's fields for the nodes it reaches (a node reached by two edges shows twice, each
 * copy on its own), `depth` bounds the levels (no bound without it), and without `loop` each edge
 * (predicate, from, to) is followed once, in the order Dgraph visits them: level by level, each
 * level's copies in the order they were made, nodes by uid.
 */
import { HttpError } from '../../http/errors.js';
import type { Selection } from '../../parse/query.js';
import { hexUid, jsonValue } from '../decode.js';
import { byUid } from './functions.js';
import { predicateKey, type Executor, type Obj } from './executor.js';
import { pickValues } from './langs.js';

type PredSel = Extract<Selection, { kind: 'predicate' }>;

/** One field of one copy of the block: its nodes, and their values or edges' targets. */
interface Copy {
  sel: PredSel;
  src: string[];
  values?: Map<string, unknown[]>;
  edges?: Map<string, string[]>;
  /** The copies of the block for this edge's targets (absent at the last level). */
  below?: Copy[];
}

/** At most this many levels, whatever `depth` says (a bound on the work one query does). */
const MAX_LEVELS = 1000;
/** At most this many copies in all (Dgraph's own count grows the same way). */
const MAX_COPIES = 100_000;

export async function recurse(
  ex: Executor,
  roots: string[],
  sels: readonly Selection[],
  spec: { depth?: number; loop: boolean },
): Promise<Map<string, Obj>> {
  if (spec.loop && spec.depth === undefined) {
    throw new HttpError('BAD_REQUEST', 'Depth must be > 0 when loop is true for recurse query');
  }
  const preds = sels.filter((s): s is PredSel => s.kind === 'predicate');
  const copiesOf = (src: string[]): Copy[] => preds.map((sel) => ({ sel, src }));
  const top = copiesOf(roots);
  const maxDepth = Math.min(spec.depth ?? MAX_LEVELS, MAX_LEVELS);
  const seen = new Set<string>();
  let exec = top;
  let made = exec.length;
  for (let depth = 0; depth < maxDepth && exec.length > 0; depth++) {
    // One read per level: every copy's nodes, every predicate.
    const forward = new Set<string>();
    const all = new Set<string>();
    for (const c of exec) {
      for (const u of c.src) all.add(u);
      if (!c.sel.reverse) forward.add(c.sel.predicate);
    }
    const nodes = [...all].sort(byUid);
    const facts = await ex.read(nodes, [...forward]);
    const reverse = new Map<string, Map<string, string[]>>();
    for (const c of exec) {
      if (c.sel.reverse && !reverse.has(c.sel.predicate)) {
        reverse.set(c.sel.predicate, await ex.reverse(c.sel.predicate, nodes));
      }
    }
    const next: Copy[] = [];
    for (const c of exec) {
      const s = c.sel;
      if (!s.reverse && ex.info.get(s.predicate)?.valueType !== 'uid') {
        c.values = new Map();
        for (const u of c.src) {
          const vals = pickValues(facts.get(u)?.get(s.predicate)?.values ?? [], s.langs).map((v) =>
            jsonValue(Buffer.from(v.value, 'base64'), v.valType),
          );
          if (vals.length) c.values.set(u, vals);
        }
        continue;
      }
      c.edges = new Map();
      const dest = new Set<string>();
      for (const u of c.src) {
        let list =
          (s.reverse ? reverse.get(s.predicate)?.get(u) : facts.get(u)?.get(s.predicate)?.uids) ?? [];
        if (!spec.loop) {
          list = list.filter((t) => {
            const key = `${s.reverse ? '~' : ''}${s.predicate}|${u}|${t}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
        }
        if (list.length) c.edges.set(u, list);
        for (const t of list) dest.add(t);
      }
      if (dest.size > 0 && depth + 1 < maxDepth) {
        c.below = copiesOf([...dest].sort(byUid));
        next.push(...c.below);
      }
    }
    made += next.length;
    if (made > MAX_COPIES)
      throw new HttpError('BAD_REQUEST', '@recurse reaches too many nodes: give a smaller depth');
    exec = next;
  }
  const objectOf = (u: string, copies: Copy[] | undefined): Obj | undefined => {
    const o: Obj = {};
    for (const s of sels) {
      if (s.kind === 'uid') o[s.alias ?? 'uid'] = hexUid(BigInt(u));
      if (s.kind !== 'predicate') continue;
      const c = copies?.find((x) => x.sel === s);
      if (!c) continue;
      const key = predicateKey(s);
      if (c.values) {
        const vals = c.values.get(u);
        if (vals) o[key] = ex.info.get(s.predicate)?.list ? vals : vals[0];
        continue;
      }
      // The last level's edges show nothing (Dgraph shows no node it did not expand).
      if (!c.below) continue;
      const list = (c.edges?.get(u) ?? [])
        .map((t) => objectOf(t, c.below))
        .filter((x): x is Obj => x !== undefined);
      if (list.length) o[key] = !s.reverse && !ex.info.get(s.predicate)?.list ? list[0] : list;
    }
    return Object.keys(o).length ? o : undefined;
  };
  const out = new Map<string, Obj>();
  for (const u of roots) {
    const o = objectOf(u, top);
    if (o) out.set(u, o);
  }
  return out;
}
