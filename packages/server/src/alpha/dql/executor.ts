/**
 * One DQL query run at one read timestamp: a block's root nodes (function, filter, order,
 * pagination) and its levels, each read in one batch per owner group (`/internal/read`), reverse
 * edges from the predicate's owner. A level knows each node's edges after facet filters,
 * `@filter`, order and pagination, defines its variables, renders the level below, then builds
 * each node's object as Dgraph's JSON shows it.
 */
import { HttpError } from '../../http/errors.js';
import type { Cascade, OrderKey, Pagination, QueryBlock, Selection } from '../../parse/query.js';
import { checkPassword } from '../../parse/values.js';
import type { Cluster } from '../cluster.js';
import { hexUid, jsonValue } from '../decode.js';
import type { PredicateInfo } from '../owner.js';
import type { WireFacet, WireFactValue } from '../wire.js';
import { aggregate } from './aggregate.js';
import { applyCascade } from './cascade.js';
import {
  facetEntries,
  facetValue,
  facetVarValue,
  facetsPass,
  listFacetEntries,
  showsFacets,
} from './facets.js';
import { byUid, Functions } from './functions.js';
import { langNotAllowed, pickValues } from './langs.js';
import { groupBy } from './groupby.js';
import { evalMath } from './math.js';
import { normalize } from './normalize.js';
import { orderUids } from './order.js';
import { varJson, varValueOf, type VarStore, type VarValue } from './vars.js';

export type Obj = Record<string, unknown>;
type PredSel = Extract<Selection, { kind: 'predicate' }>;

interface Facts {
  uids: string[];
  values: WireFactValue[];
  /** The facets of uid edges, by target. */
  uidFacets: Map<string, WireFacet[]>;
}

/** What rendering one level found: each node's object, edges and the levels below. */
export interface Level {
  uids: string[];
  sels: Selection[];
  objs: Map<string, Obj>;
  /** Per uid-edge selection: each node's targets, in the order shown. */
  edges: Map<Selection, Map<string, string[]>>;
  nested: Map<Selection, Level>;
  /** Per `@groupby` edge: each node's groups. */
  groups: Map<Selection, Map<string, Obj[]>>;
  /** The cascade this level applies (inherited by the levels below). */
  cascade: Cascade | undefined;
  /** Per `~pred` with `@facets`: the facets of each forward edge, by subject then object. */
  reverseFacets?: Map<string, Map<string, Map<string, WireFacet[]>>>;
}

/** `after`, then `offset`, then `first` (negative: the last ones), as Dgraph pages. */
export function page<T>(list: T[], p: Pagination, uidOf?: (x: T) => string): T[] {
  let out = list;
  if (p.after !== undefined && uidOf) out = out.filter((x) => BigInt(uidOf(x)) > p.after!);
  if (p.offset) out = out.slice(p.offset);
  if (p.first !== undefined && p.first !== 0) out = p.first >= 0 ? out.slice(0, p.first) : out.slice(p.first);
  return out;
}

/** `count(uid)`: Dgraph answers it as one `{"count": N}` object for the block's nodes. */
export function isUidCount(s: Selection): s is Extract<Selection, { kind: 'count' }> {
  return s.kind === 'count' && s.predicate === 'uid' && !s.reverse;
}

export function uidCountObject(sels: Selection[], n: number): Obj[] {
  const c = sels.find(isUidCount);
  return c ? [{ [c.alias ?? 'count']: n }] : [];
}

/** The variables a selection's subtree defines. */
function definesIn(s: Selection, out = new Set<string>()): Set<string> {
  if ('varName' in s && s.varName) out.add(s.varName);
  if ((s.kind === 'val' || s.kind === 'aggregate') && s.defines) out.add(s.defines);
  if (s.kind === 'predicate')
    for (const f of s.facets ?? []) for (const k of f.keys ?? []) if (k.varName) out.add(k.varName);
  if ((s.kind === 'predicate' || s.kind === 'expand') && s.children)
    for (const c of s.children) definesIn(c, out);
  return out;
}

/** The key a predicate selection's value shows under. */
export function predicateKey(s: PredSel): string {
  return s.alias ?? `${s.reverse ? '~' : ''}${s.predicate}${s.langs ? `@${s.langs.join(':')}` : ''}`;
}

export class Executor {
  /** Schema facts of every predicate read so far. */
  readonly info = new Map<string, PredicateInfo>();
  readonly fns: Functions;

  constructor(
    readonly cluster: Cluster,
    readonly readTs: bigint,
    readonly vars: VarStore,
  ) {
    this.fns = new Functions(cluster, readTs, vars);
  }

  /**
   * The block's nodes: its root function, then its filter, its order, then after/offset/first
   * (under @cascade only `after`: Dgraph pages what cascade leaves).
   */
  async rootUids(b: QueryBlock): Promise<string[]> {
    if (!b.func) return [];
    let uids = await this.fns.all(b.func);
    if (b.filter) uids = await this.fns.filter(b.filter, uids);
    if (b.order) uids = await this.ordered(uids, b.order);
    if (b.cascade) return page(uids, b.after !== undefined ? { after: b.after } : {}, (u) => u);
    // Dgraph's has() at the root takes first/offset itself (no filter, no order): it ignores an
    // offset without first, and a negative first stops it after one node.
    if (b.func.name === 'has' && !b.filter && !b.order) {
      if (b.first === undefined) return page(uids, { ...b, offset: 0 }, (u) => u);
      if (b.first < 0) return page(uids, { ...b, offset: 0, first: 1 }, (u) => u);
    }
    return page(uids, b, (u) => u);
  }

  /** `uids` in the order of `keys` (orderasc/orderdesc), reading the keys' values. */
  async ordered(uids: string[], keys: OrderKey[]): Promise<string[]> {
    const preds = keys.filter((k) => !k.valueVar).map((k) => k.predicate);
    const facts = await this.read(uids, preds);
    for (const k of keys) {
      if (!k.valueVar && this.info.get(k.predicate)?.list) {
        throw new HttpError('BAD_REQUEST', `Sorting not supported on attr: ${k.predicate} of type: [scalar]`);
      }
    }
    return orderUids(uids, keys, (u, k) =>
      k.valueVar ? this.vars.values.get(k.valueVar)?.get(u) : facts.get(u)?.get(k.predicate)?.values,
    );
  }

  /** Reads `predicates` of `uids`, one batch per owner group. */
  async read(uids: string[], predicates: string[]): Promise<Map<string, Map<string, Facts>>> {
    const out = new Map<string, Map<string, Facts>>();
    if (uids.length === 0 || predicates.length === 0) return out;
    const byGroup = new Map<number, string[]>();
    for (const p of new Set(predicates)) {
      const g = await this.cluster.readGroup(p);
      if (g === undefined) continue;
      let list = byGroup.get(g);
      if (!list) byGroup.set(g, (list = []));
      list.push(p);
    }
    const parts = await Promise.all(
      [...byGroup].map(async ([g, preds]) => (await this.cluster.groupApi(g)).read(uids, preds, this.readTs)),
    );
    for (const part of parts) {
      for (const [name, i] of Object.entries(part.schema)) this.info.set(name, i);
      for (const n of part.nodes) {
        let m = out.get(n.uid);
        if (!m) out.set(n.uid, (m = new Map()));
        for (const p of n.predicates) {
          m.set(p.predicate, {
            uids: p.uids,
            values: p.values,
            uidFacets: new Map(p.uidFacets?.map((x) => [x.uid, x.facets])),
          });
        }
      }
    }
    return out;
  }

  async reverse(predicate: string, objects: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const g = await this.cluster.readGroup(predicate);
    if (g === undefined || objects.length === 0) return out;
    const r = await (await this.cluster.groupApi(g)).reverse(predicate, objects, this.readTs);
    for (const x of r) out.set(x.object, [...x.subjects].sort(byUid));
    return out;
  }

  private typeFields(types: string[]): string[] {
    const fields = new Set<string>();
    for (const t of types) {
      for (const f of this.cluster.local.owner.typeFields(t) ?? []) if (!f.startsWith('~')) fields.add(f);
    }
    return [...fields];
  }

  private json(values: WireFactValue[]): unknown[] {
    return values
      .map((v) => jsonValue(Buffer.from(v.value, 'base64'), v.valType))
      .filter((v) => v !== undefined);
  }

  /**
   * A node's value of a variable at a level: its own, or (defined further down) the sum of the
   * values below it, as Dgraph carries values up.
   */
  valueAt(level: Level, u: string, name: string): VarValue | undefined {
    const own = this.vars.values.get(name)?.get(u);
    if (own !== undefined) return own;
    const below = this.valuesBelow(level, u, name);
    if (below.length === 0) return undefined;
    return aggregate(
      'sum',
      below.filter((v) => v.t === 'int' || v.t === 'float'),
    );
  }

  /** The values of a variable defined below `level`, reached from node `u`. */
  valuesBelow(level: Level, u: string, name: string): VarValue[] {
    const out: VarValue[] = [];
    for (const s of level.sels) {
      if (s.kind !== 'predicate' || !s.children || !definesIn(s).has(name)) continue;
      const nested = level.nested.get(s);
      // Defined on the targets themselves (a facet of the edge, or a field of the level below),
      // or further down.
      const onTargets =
        !!s.facets?.some((f) => f.keys?.some((k) => k.varName === name)) ||
        s.children.some((x) => definesIn(x).has(name) && !(x.kind === 'predicate' && x.children));
      const values = this.vars.values.get(name);
      for (const c of level.edges.get(s)?.get(u) ?? []) {
        const v = values?.get(c);
        if (v !== undefined && onTargets) out.push(v);
        else if (nested) out.push(...this.valuesBelow(nested, c, name));
      }
    }
    return out;
  }

  /** The targets of each node's uid edge `s`: facet filter, @filter, order, pagination. */
  private async edgeLists(
    s: PredSel,
    uids: string[],
    raw: (u: string) => string[] | undefined,
    facetsOf: (u: string, c: string) => WireFacet[] | undefined,
    cascaded: boolean,
  ): Promise<Map<string, string[]>> {
    const lists = new Map<string, string[]>();
    const facetFilters = (s.facets ?? []).flatMap((f) => (f.filter ? [f.filter] : []));
    for (const u of uids) {
      let list = raw(u);
      if (!list) continue;
      if (facetFilters.length)
        list = list.filter((c) => facetFilters.every((f) => facetsPass(f, facetsOf(u, c))));
      lists.set(u, list);
    }
    if (s.filter) {
      const targets = new Set<string>();
      for (const l of lists.values()) for (const c of l) targets.add(c);
      const kept = new Set(await this.fns.filter(s.filter, [...targets].sort(byUid)));
      for (const [u, l] of lists)
        lists.set(
          u,
          l.filter((c) => kept.has(c)),
        );
    }
    const facetOrder = s.facets?.find((f) => f.order)?.order;
    if (s.order) {
      const targets = new Set<string>();
      for (const l of lists.values()) for (const c of l) targets.add(c);
      const sorted = await this.ordered([...targets].sort(byUid), s.order);
      const rank = new Map(sorted.map((c, i) => [c, i]));
      for (const [u, l] of lists)
        lists.set(
          u,
          [...l].sort((a, b) => rank.get(a)! - rank.get(b)!),
        );
    } else if (facetOrder) {
      for (const [u, l] of lists) {
        const key = (c: string) => {
          const f = facetsOf(u, c)?.find((x) => x.key === facetOrder.key);
          return f ? facetValue(f) : undefined;
        };
        const sorted = [...l].sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
          const c =
            (x as number | string) < (y as number | string)
              ? -1
              : (x as number | string) > (y as number | string)
                ? 1
                : 0;
          return facetOrder.desc ? -c : c;
        });
        lists.set(u, sorted);
      }
    }
    // Under @cascade, first/offset wait until cascade has left out nodes (see predicateValue).
    const p: Pagination = cascaded ? (s.after !== undefined ? { after: s.after } : {}) : s;
    for (const [u, l] of lists)
      lists.set(
        u,
        page(l, p, (c) => c),
      );
    return lists;
  }

  /**
   * Renders the nodes `uids` with `sels`; nodes with nothing to show are left out. `cascade`: the
   * fields each node must have (`true`: all of them), inherited by the levels below when `true`.
   */
  async render(uids: string[], sels: Selection[], cascade?: Cascade): Promise<Level> {
    const level: Level = {
      uids,
      sels: [...sels],
      objs: new Map(),
      edges: new Map(),
      nested: new Map(),
      groups: new Map(),
      cascade,
    };
    for (const s of sels) {
      if (s.kind === 'aggregate' && 'varName' in s.of) {
        const name = s.of.varName;
        if (!sels.some((x) => x !== s && definesIn(x).has(name))) {
          throw new HttpError('BAD_REQUEST', 'Invalid variable aggregation. Check the levels.');
        }
      }
    }
    const forward = new Set<string>();
    const expands = sels.filter((s): s is Extract<Selection, { kind: 'expand' }> => s.kind === 'expand');
    for (const s of sels) {
      if ((s.kind === 'predicate' || s.kind === 'count') && !s.reverse && s.predicate !== 'uid')
        forward.add(s.predicate);
      if (s.kind === 'checkpwd') forward.add(s.predicate);
    }
    if (expands.length) forward.add('dgraph.type');
    const facts = await this.read(uids, [...forward]);
    for (const s of sels) {
      if (s.kind !== 'predicate' || !s.langs?.length || s.reverse) continue;
      const i = this.info.get(s.predicate);
      if (i && !i.lang) throw langNotAllowed(s.predicate);
    }
    // expand(_all_) / expand(Type): the fields of the type named, or, as Dgraph, of every type of
    // every node at this level (a node without a type shows its values of the others' fields).
    const expanded = new Map<string, string[]>();
    for (const e of expands) {
      const extra = new Set<string>();
      const types = new Set<string>();
      if (e.arg !== '_all_') types.add(e.arg);
      else
        for (const u of uids)
          for (const t of this.json(facts.get(u)?.get('dgraph.type')?.values ?? [])) types.add(String(t));
      // expand(val(x)): the predicates x's values name (every node's value, as Dgraph).
      const fields = e.valueVar
        ? [
            ...new Set([...(this.vars.values.get(e.valueVar)?.values() ?? [])].map((v) => String(v.v))),
          ].filter((f) => f !== '')
        : this.typeFields([...types]);
      // As Dgraph: a field both asked for and expanded (same predicate, no language, count or
      // filter) is refused.
      for (const f of fields) {
        const twice = sels.find(
          (x) => x.kind === 'predicate' && x.predicate === f && !x.reverse && !x.langs?.length && !x.filter,
        );
        if (twice) throw new HttpError('BAD_REQUEST', `: Repeated subgraph: [${f}] while using expand()`);
      }
      for (const f of fields) if (!forward.has(f)) extra.add(f);
      for (const u of uids) expanded.set(u, [...new Set([...(expanded.get(u) ?? []), ...fields])]);
      if (extra.size > 0) {
        const more = await this.read(uids, [...extra]);
        for (const f of extra) forward.add(f);
        for (const [u, m] of more) {
          const have = facts.get(u) ?? new Map<string, Facts>();
          for (const [p, f] of m) have.set(p, f);
          facts.set(u, have);
        }
      }
      // expand(...) { block }: each uid field of the types, rendered with the block.
      if (e.children) {
        const uidFields = new Set<string>();
        for (const fields of expanded.values())
          for (const f of fields) if (this.info.get(f)?.valueType === 'uid') uidFields.add(f);
        for (const f of uidFields) {
          if (level.sels.some((s) => s.kind === 'predicate' && s.predicate === f && !s.reverse && !s.alias))
            continue;
          // As Dgraph: with every facet of the edges.
          level.sels.push({
            kind: 'predicate',
            predicate: f,
            reverse: false,
            children: e.children,
            facets: [{}],
          });
        }
      }
    }
    const all = level.sels;
    // Reverse edges.
    const reverse = new Map<string, Map<string, string[]>>();
    for (const s of all) {
      if ((s.kind === 'predicate' || s.kind === 'count') && s.reverse && !reverse.has(s.predicate)) {
        reverse.set(s.predicate, await this.reverse(s.predicate, uids));
      }
    }
    const isEdge = (s: PredSel) =>
      s.reverse ||
      this.info.get(s.predicate)?.valueType === 'uid' ||
      uids.some((u) => (facts.get(u)?.get(s.predicate)?.uids.length ?? 0) > 0);
    // The facets of a reverse edge are those of its forward edge, read from the subjects.
    for (const s of all) {
      if (s.kind !== 'predicate' || !s.reverse || !s.facets?.length) continue;
      level.reverseFacets ??= new Map();
      if (level.reverseFacets.has(s.predicate)) continue;
      const subjects = new Set<string>();
      for (const u of uids) for (const c of reverse.get(s.predicate)?.get(u) ?? []) subjects.add(c);
      const forwardFacts = await this.read([...subjects], [s.predicate]);
      const bySubject = new Map<string, Map<string, WireFacet[]>>();
      for (const [c, m] of forwardFacts) bySubject.set(c, m.get(s.predicate)?.uidFacets ?? new Map());
      level.reverseFacets.set(s.predicate, bySubject);
    }
    const facetsOf = (s: PredSel) => (u: string, c: string) =>
      s.reverse
        ? level.reverseFacets?.get(s.predicate)?.get(c)?.get(u)
        : facts.get(u)?.get(s.predicate)?.uidFacets.get(c);
    for (const s of all) {
      if (s.kind !== 'predicate' || !isEdge(s)) continue;
      const raw = (u: string) =>
        s.reverse ? reverse.get(s.predicate)?.get(u) : facts.get(u)?.get(s.predicate)?.uids;
      const cascaded = !!s.children && !!(s.cascade ?? cascade);
      level.edges.set(s, await this.edgeLists(s, uids, raw, facetsOf(s), cascaded));
    }
    // Variables read straight from this level: edges, values, counts, facets.
    for (const s of all) {
      if (s.kind === 'uid' && s.varName) this.vars.addUids(s.varName, uids);
      if (s.kind === 'count' && s.varName) {
        for (const u of uids)
          this.vars.setValue(s.varName, u, { t: 'int', v: this.countOf(s, u, facts, reverse) });
      }
      if (s.kind !== 'predicate') continue;
      const edges = level.edges.get(s);
      if (s.varName) {
        if (edges) {
          this.vars.addUids(s.varName, []);
          for (const l of edges.values()) this.vars.addUids(s.varName, l);
        } else {
          if (this.info.get(s.predicate)?.list)
            throw new HttpError(
              'BAD_REQUEST',
              ': Value variables not supported for predicate with list type.',
            );
          this.vars.valueMap(s.varName);
          for (const u of uids) {
            const v = pickValues(facts.get(u)?.get(s.predicate)?.values ?? [], s.langs)[0];
            const vv = v && varValueOf(v);
            if (vv) this.vars.setValue(s.varName, u, vv);
          }
        }
      }
      for (const spec of s.facets ?? []) {
        for (const k of spec.keys ?? []) {
          if (!k.varName) continue;
          this.vars.valueMap(k.varName);
          for (const u of uids) {
            if (edges) {
              for (const c of edges.get(u) ?? []) {
                const f = facetsOf(s)(u, c)?.find((x) => x.key === k.key);
                const v = f && facetVarValue(f);
                if (v) this.vars.setValue(k.varName, c, v);
              }
            } else if (!this.info.get(s.predicate)?.list) {
              // As Dgraph: the facets of a list of values define no variable.
              const val = pickValues(facts.get(u)?.get(s.predicate)?.values ?? [], s.langs)[0];
              const f = val?.facets?.find((x) => x.key === k.key);
              const v = f && facetVarValue(f);
              if (v) this.vars.setValue(k.varName, u, v);
            }
          }
        }
      }
    }
    // The levels below (one batch per selection), or each node's groups under @groupby.
    for (const s of all) {
      if (s.kind !== 'predicate' || !s.children) continue;
      if (s.groupby) {
        const groups = new Map<string, Obj[]>();
        for (const [u, l] of level.edges.get(s) ?? [])
          groups.set(u, await groupBy(this, l, s.groupby, s.children));
        level.groups.set(s, groups);
        continue;
      }
      const children = new Set<string>();
      for (const l of level.edges.get(s)?.values() ?? []) for (const c of l) children.add(c);
      // Cascade fields are inherited (and apply where a level selects them), as in Dgraph.
      const inherit = s.cascade ?? cascade;
      level.nested.set(
        s,
        await this.render(
          [...children].sort(byUid),
          s.children.filter((c) => !isUidCount(c)),
          inherit,
        ),
      );
    }
    // Variables computed at this level, in the order written.
    for (const s of all) {
      if (s.kind === 'math' && s.varName) {
        this.vars.valueMap(s.varName);
        for (const u of uids) this.vars.setValue(s.varName, u, this.math(level, s, u));
      } else if (s.kind === 'val' && s.defines) {
        for (const u of uids) {
          const v = this.valueAt(level, u, s.varName);
          if (v) this.vars.setValue(s.defines, u, v);
        }
      } else if (s.kind === 'aggregate' && s.defines && 'varName' in s.of) {
        for (const u of uids) {
          const v = aggregate(s.fn, this.valuesBelow(level, u, s.of.varName));
          if (v) this.vars.setValue(s.defines, u, v);
        }
      }
    }
    for (const u of uids) {
      const o = await this.object(level, u, facts, reverse, expanded);
      if (Object.keys(o).length > 0) level.objs.set(u, o);
    }
    if (cascade) applyCascade(level, cascade);
    return level;
  }

  private countOf(
    s: Extract<Selection, { kind: 'count' }>,
    u: string,
    facts: Map<string, Map<string, Facts>>,
    reverse: Map<string, Map<string, string[]>>,
  ): number {
    if (s.reverse) return reverse.get(s.predicate)?.get(u)?.length ?? 0;
    const f = facts.get(u)?.get(s.predicate);
    return (f?.uids.length ?? 0) + (f?.values.length ?? 0);
  }

  private math(level: Level, s: Extract<Selection, { kind: 'math' }>, u: string): VarValue {
    return evalMath(s.expr, (name) => this.valueAt(level, u, name));
  }

  /** Node `u`'s object. */
  private async object(
    level: Level,
    u: string,
    facts: Map<string, Map<string, Facts>>,
    reverse: Map<string, Map<string, string[]>>,
    expanded: Map<string, string[]>,
  ): Promise<Obj> {
    const node = facts.get(u);
    const o: Obj = {};
    for (const s of level.sels) {
      switch (s.kind) {
        case 'uid':
          o[s.alias ?? 'uid'] = hexUid(BigInt(u));
          break;
        case 'count': {
          if (s.filter) {
            const list = s.reverse ? reverse.get(s.predicate)?.get(u) : node?.get(s.predicate)?.uids;
            o[s.alias ?? `count(${s.reverse ? '~' : ''}${s.predicate})`] = (
              await this.fns.filter(s.filter, list ?? [])
            ).length;
            break;
          }
          o[s.alias ?? `count(${s.reverse ? '~' : ''}${s.predicate})`] = this.countOf(s, u, facts, reverse);
          break;
        }
        case 'checkpwd': {
          const i = this.info.get(s.predicate);
          if (i && i.valueType !== 'password') {
            throw new HttpError(
              'BAD_REQUEST',
              `checkpwd fn can only be used on attr: [${s.predicate}] with schema type password. Got type: ${i.valueType}`,
            );
          }
          const hash = node?.get(s.predicate)?.values[0];
          o[s.alias ?? `checkpwd(${s.predicate})`] =
            hash !== undefined &&
            checkPassword(s.password, Buffer.from(hash.value, 'base64').toString('utf8'));
          break;
        }
        case 'val': {
          const v = this.valueAt(level, u, s.varName);
          if (v !== undefined) o[s.alias ?? `val(${s.varName})`] = varJson(v);
          break;
        }
        case 'math': {
          const v = s.varName ? this.vars.values.get(s.varName)?.get(u) : this.math(level, s, u);
          if (v !== undefined) o[s.alias ?? `val(${s.varName})`] = varJson(v);
          break;
        }
        case 'aggregate': {
          if (!('varName' in s.of)) break;
          const v = aggregate(s.fn, this.valuesBelow(level, u, s.of.varName));
          if (v !== undefined) o[s.alias ?? `${s.fn}(val(${s.of.varName}))`] = varJson(v);
          break;
        }
        case 'expand':
          for (const f of expanded.get(u) ?? []) {
            const i = this.info.get(f);
            if (!i || i.valueType === 'uid' || o[f] !== undefined) continue;
            const untagged = node?.get(f)?.values.filter((v) => !v.lang) ?? [];
            const vals = this.json(untagged);
            if (vals.length) o[f] = i.list ? vals : vals[0];
            // As Dgraph: the facets of the values too, as `pred|key` (by place for a list).
            if (vals.length && !i.list) Object.assign(o, facetEntries(f, untagged[0]?.facets, [{}]));
            if (vals.length && i.list) Object.assign(o, listFacetEntries(f, untagged, [{}]));
            // As Dgraph: each language-tagged value too, under `pred@lang`.
            for (const v of node?.get(f)?.values ?? []) {
              if (v.lang && o[`${f}@${v.lang}`] === undefined) o[`${f}@${v.lang}`] = this.json([v])[0];
            }
          }
          break;
        case 'predicate':
          this.predicateValue(level, s, u, node, o);
          break;
      }
    }
    return o;
  }

  private predicateValue(
    level: Level,
    s: PredSel,
    u: string,
    node: Map<string, Facts> | undefined,
    o: Obj,
  ): void {
    const key = predicateKey(s);
    const i = this.info.get(s.predicate);
    const edges = level.edges.get(s);
    const groups = level.groups.get(s)?.get(u);
    if (groups) {
      if (groups.length) o[key] = [{ '@groupby': groups }];
      return;
    }
    if (edges) {
      const list = edges.get(u) ?? [];
      const facetsOf = (c: string): Obj =>
        !showsFacets(s.facets)
          ? {}
          : s.reverse
            ? facetEntries(
                `~${s.predicate}`,
                level.reverseFacets?.get(s.predicate)?.get(c)?.get(u),
                s.facets!,
              )
            : facetEntries(s.predicate, node?.get(s.predicate)?.uidFacets.get(c), s.facets!);
      const nested = level.nested.get(s);
      let children = list
        .map((c) => {
          const child = nested?.objs.get(c);
          return child && { ...child, ...facetsOf(c) };
        })
        .filter((x): x is Obj => x !== undefined);
      // Under @cascade, first/offset apply to the nodes cascade left.
      if (s.children && (s.cascade ?? level.cascade)) children = page(children, { ...s, after: undefined });
      let rendered = s.children
        ? [...uidCountObject(s.children, list.length), ...children]
        : list.map((c) => ({ uid: hexUid(BigInt(c)), ...facetsOf(c) }));
      if (s.normalize && s.children) rendered = rendered.flatMap((x) => normalize(x, s.children!));
      if (rendered.length === 0) return;
      o[key] = !s.reverse && i && !i.list && !s.children?.some(isUidCount) ? rendered[0] : rendered;
      return;
    }
    const all = node?.get(s.predicate)?.values ?? [];
    if (s.langs?.length === 1 && s.langs[0] === '*') {
      for (const v of all) {
        const k = v.lang ? `${s.predicate}@${v.lang}` : s.predicate;
        if (o[k] === undefined) o[k] = this.json([v])[0];
      }
      return;
    }
    let picked = pickValues(all, s.langs);
    if (i?.list && s.facets?.length) {
      // A list of values: a facet filter keeps the values it passes; each shown facet is a map
      // from the value's place in the list to the facet's value (`"tags|k": {"0": 1}`), as Dgraph.
      const filters = s.facets.flatMap((f) => (f.filter ? [f.filter] : []));
      picked = picked.filter((v) => filters.every((f) => facetsPass(f, v.facets)));
    }
    const vals = this.json(picked);
    if (vals.length === 0) return;
    // Dgraph pages no list of values: first/offset apply to edges only.
    o[key] = i?.list ? vals : vals[0];
    if (!showsFacets(s.facets)) return;
    if (!i?.list) {
      Object.assign(o, facetEntries(key, picked[0]?.facets, s.facets!));
      return;
    }
    Object.assign(o, listFacetEntries(key, picked, s.facets!));
  }
}
