/**
 * `shortest(from: a, to: b, numpaths: k, depth: d, minweight: w, maxweight: w) { edges }`: the
 * cheapest paths over the block's edges (forward or `~reverse`, each with its `@filter`), an edge
 * costing its facet named in `@facets(key)` or 1, as Dgraph finds them. Equal costs are broken by
 * the smaller uid (Dgraph's own choice among them is not fixed). Answers `_path_` (each path as
 * nested hops with `_weight_`) and the nodes of the first path, in path order.
 */
import { HttpError } from '../../http/errors.js';
import type { QueryBlock, Selection } from '../../parse/query.js';
import { hexUid } from '../decode.js';
import type { WireFacet } from '../wire.js';
import type { Executor, Obj } from './executor.js';
import { facetValue } from './facets.js';
import { byUid } from './functions.js';

type PredSel = Extract<Selection, { kind: 'predicate' }>;

interface Hop {
  to: string;
  sel: PredSel;
  cost: number;
  facet?: WireFacet;
}

interface Path {
  nodes: string[];
  hops: Hop[];
  cost: number;
}

/** At most this many partial paths are looked at for one query (a bound on its work). */
const MAX_EXPANSIONS = 100_000;

class Graph {
  private readonly adj = new Map<string, Hop[]>();
  constructor(
    private readonly ex: Executor,
    private readonly sels: PredSel[],
  ) {}

  /** Reads the edges of `nodes` not read yet. */
  async expand(nodes: string[]): Promise<void> {
    const todo = nodes.filter((u) => !this.adj.has(u));
    if (todo.length === 0) return;
    const facts = await this.ex.read(
      todo,
      this.sels.filter((s) => !s.reverse).map((s) => s.predicate),
    );
    for (const u of todo) this.adj.set(u, []);
    for (const s of this.sels) {
      const weightKey = s.facets?.flatMap((f) => f.keys ?? [])[0]?.key;
      const rev = s.reverse ? await this.ex.reverse(s.predicate, todo) : undefined;
      const lists = new Map<string, string[]>();
      for (const u of todo) lists.set(u, (rev ? rev.get(u) : facts.get(u)?.get(s.predicate)?.uids) ?? []);
      if (s.filter) {
        const all = [...new Set([...lists.values()].flat())].sort(byUid);
        const kept = new Set(await this.ex.fns.filter(s.filter, all));
        for (const [u, l] of lists)
          lists.set(
            u,
            l.filter((c) => kept.has(c)),
          );
      }
      for (const [u, l] of lists) {
        for (const c of l) {
          let cost = 1;
          let facet: WireFacet | undefined;
          if (weightKey) {
            facet = facts
              .get(u)
              ?.get(s.predicate)
              ?.uidFacets.get(c)
              ?.find((f) => f.key === weightKey);
            const v = facet ? facetValue(facet) : undefined;
            if (typeof v !== 'number') continue;
            cost = v;
          }
          this.adj.get(u)!.push({ to: c, sel: s, cost, ...(facet ? { facet } : {}) });
        }
      }
    }
  }

  hops(u: string): Hop[] {
    return this.adj.get(u) ?? [];
  }
}

/** Paths in order of cost (then of their nodes' uids), simple, at most `k`. */
async function cheapest(
  g: Graph,
  from: string,
  to: string,
  k: number,
  maxHops: number,
  weight: { min: number; max: number },
): Promise<Path[]> {
  const out: Path[] = [];
  const queue: Path[] = [{ nodes: [from], hops: [], cost: 0 }];
  const settled = new Set<string>();
  let expansions = 0;
  const before = (a: Path, b: Path) => {
    if (a.cost !== b.cost) return a.cost < b.cost;
    for (let i = 0; i < Math.min(a.nodes.length, b.nodes.length); i++) {
      const c = byUid(a.nodes[i]!, b.nodes[i]!);
      if (c !== 0) return c < 0;
    }
    return a.nodes.length < b.nodes.length;
  };
  while (queue.length > 0 && out.length < k) {
    if (++expansions > MAX_EXPANSIONS)
      throw new HttpError('BAD_REQUEST', 'shortest path: too many paths to look at');
    let best = 0;
    for (let i = 1; i < queue.length; i++) if (before(queue[i]!, queue[best]!)) best = i;
    const p = queue.splice(best, 1)[0]!;
    const last = p.nodes[p.nodes.length - 1]!;
    // With one path asked, a node reached before at no greater cost needs no second look.
    if (k === 1) {
      if (settled.has(last)) continue;
      settled.add(last);
    }
    if (last === to) {
      if (p.cost >= weight.min && p.cost <= weight.max) out.push(p);
      continue;
    }
    if (p.hops.length >= maxHops) continue;
    await g.expand([last]);
    for (const h of g.hops(last)) {
      if (p.nodes.includes(h.to)) continue;
      queue.push({ nodes: [...p.nodes, h.to], hops: [...p.hops, h], cost: p.cost + h.cost });
    }
  }
  return out;
}

/** A path as Dgraph shows it: nested hops from its first node, with `_weight_`. */
function pathObject(p: Path): Obj {
  const root: Obj = { uid: hexUid(BigInt(p.nodes[0]!)) };
  let cur = root;
  for (const h of p.hops) {
    const next: Obj = { uid: hexUid(BigInt(h.to)) };
    if (h.facet) next[`${h.sel.predicate}|${h.facet.key}`] = facetValue(h.facet);
    cur[`${h.sel.reverse ? '~' : ''}${h.sel.predicate}`] = next;
    cur = next;
  }
  root._weight_ = p.cost;
  return root;
}

/** The block's paths (`_path_` objects) and the first path's nodes. */
export async function shortestPaths(ex: Executor, b: QueryBlock): Promise<{ paths: Obj[]; nodes: string[] }> {
  const spec = b.shortest!;
  const end = (e: { uid?: bigint; varName?: string }) =>
    e.uid !== undefined ? String(e.uid) : (ex.vars.nodes(e.varName!)[0] ?? undefined);
  const from = end(spec.from);
  const to = end(spec.to);
  if (from === undefined || to === undefined) return { paths: [], nodes: [] };
  const sels = b.children.filter((s): s is PredSel => s.kind === 'predicate');
  const g = new Graph(ex, sels);
  const found = await cheapest(g, from, to, Math.max(1, spec.numpaths), spec.depth ?? Infinity, {
    min: spec.minweight ?? -Infinity,
    max: spec.maxweight ?? Infinity,
  });
  return { paths: found.map(pathObject), nodes: found[0]?.nodes ?? [] };
}
