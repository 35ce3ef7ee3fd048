/**
 * `@recurse(depth: n, loop: bool)`: the block's fields at every level, its edges followed level by
 * level as Dgraph expands them: `depth` levels of edges (no limit without it), and without `loop`
 * each edge (predicate, from, to) followed once. Nodes of the last level show nothing.
 */
import { HttpError } from '../../http/errors.js';
import type { Selection } from '../../parse/query.js';
import { hexUid, jsonValue } from '../decode.js';
import { byUid } from './functions.js';
import { predicateKey, type Executor, type Obj } from './executor.js';
import { pickValues } from './langs.js';

type PredSel = Extract<Selection, { kind: 'predicate' }>;

interface Step {
  uids: string[];
  values: Map<string, Map<string, unknown[]>>;
  edges: Map<PredSel, Map<string, string[]>>;
}

/** At most this many levels, whatever `depth` says (a bound on the work one query does). */
const MAX_LEVELS = 1000;

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
  const maxDepth = Math.min(spec.depth ?? MAX_LEVELS, MAX_LEVELS);
  const seen = new Set<string>();
  const steps: Step[] = [];
  let current = roots;
  for (let depth = 0; depth < maxDepth && current.length > 0; depth++) {
    const facts = await ex.read(
      current,
      preds.filter((s) => !s.reverse).map((s) => s.predicate),
    );
    const step: Step = { uids: current, values: new Map(), edges: new Map() };
    const next = new Set<string>();
    for (const s of preds) {
      const rev = s.reverse ? await ex.reverse(s.predicate, current) : undefined;
      const isEdge = s.reverse || ex.info.get(s.predicate)?.valueType === 'uid';
      if (!isEdge) {
        const m = new Map<string, unknown[]>();
        for (const u of current) {
          const vals = pickValues(facts.get(u)?.get(s.predicate)?.values ?? [], s.langs).map((v) =>
            jsonValue(Buffer.from(v.value, 'base64'), v.valType),
          );
          if (vals.length) m.set(u, vals);
        }
        step.values.set(predicateKey(s), m);
        continue;
      }
      const m = new Map<string, string[]>();
      for (const u of current) {
        let list = (rev ? rev.get(u) : facts.get(u)?.get(s.predicate)?.uids) ?? [];
        if (!spec.loop) {
          list = list.filter((c) => {
            const key = `${s.reverse ? '~' : ''}${s.predicate}|${u}|${c}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          });
        }
        if (list.length) m.set(u, list);
        for (const c of list) next.add(c);
      }
      step.edges.set(s, m);
    }
    steps.push(step);
    current = [...next].sort(byUid);
  }
  // Objects from the deepest level up.
  let below = new Map<string, Obj>();
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const objs = new Map<string, Obj>();
    for (const u of step.uids) {
      const o: Obj = {};
      for (const s of sels) {
        if (s.kind === 'uid') o[s.alias ?? 'uid'] = hexUid(BigInt(u));
        if (s.kind !== 'predicate') continue;
        const key = predicateKey(s);
        const edges = step.edges.get(s);
        if (edges) {
          const list = (edges.get(u) ?? []).map((c) => below.get(c)).filter((x): x is Obj => x !== undefined);
          if (list.length) o[key] = !s.reverse && !ex.info.get(s.predicate)?.list ? list[0] : list;
        } else {
          const vals = step.values.get(key)?.get(u);
          if (vals) o[key] = ex.info.get(s.predicate)?.list ? vals : vals[0];
        }
      }
      if (Object.keys(o).length) objs.set(u, o);
    }
    below = objs;
  }
  return below;
}
