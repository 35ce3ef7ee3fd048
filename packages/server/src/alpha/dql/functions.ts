/**
 * DQL functions to uid sets at one read timestamp: a block's root function, and `@filter(...)`
 * trees over a set of candidate nodes. Each function asks the group owning its predicate: at the
 * root through an index (comparisons, word matches) or a scan (`has`, counts); in a filter,
 * comparisons, counts, `has`, `uid_in`, geo functions, `regexp` and `match` read the candidates
 * (`match` still needs the trigram index, as in Dgraph), word matches use their index.
 * Variables: `uid(f)` and `uid_in(p, uid(f))` read uid variables, `eq(p, val(a))` compares with
 * a value variable's values, `ge(val(c), 3)` compares each node's value of a variable.
 */
import type { EqValue, Filter, RootFunc } from '../../parse/query.js';
import { HttpError } from '../../http/errors.js';
import type { Cluster, GroupApi } from '../cluster.js';
import type { GeoFunc } from '../../parse/query-geo.js';
import type { PatternFunc } from '../../parse/query-pattern.js';
import type { WireCompare, WireGeo, WireHas, WireNodeFacts } from '../wire.js';
import { compareVarValues, type VarStore, type VarValue } from './vars.js';

type PredicateFacts = WireNodeFacts['predicates'][number];

/** Candidates' facts of one predicate, and whether it has `@lang`. */
interface CandidateFacts {
  facts: Map<string, PredicateFacts>;
  lang: boolean;
}

export function byUid(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

type CompareFunc = Extract<RootFunc, { values: EqValue[] }>;

/** The text of a literal or variable value as a comparison carries it. */
function valueText(v: EqValue | VarValue): string {
  if (typeof v === 'object') return String(v.v);
  return typeof v === 'string' ? v : String(v);
}

function hasOf(f: Extract<RootFunc, { name: 'has' }>): WireHas {
  const m: WireHas = { predicate: f.predicate };
  if (f.reverse) m.reverse = true;
  if (f.lang) m.lang = f.lang;
  return m;
}

function geoOf(f: GeoFunc): WireGeo {
  return {
    predicate: f.predicate,
    fn: f.name,
    geometry: f.geometry,
    ...(f.maxDistance !== undefined ? { maxDistance: f.maxDistance } : {}),
  };
}

export class Functions {
  constructor(
    private readonly cluster: Cluster,
    private readonly readTs: bigint,
    private readonly vars: VarStore,
  ) {}

  /** A comparison as the owner group gets it, with a value variable's values in place of `val(a)`. */
  private compareOf(f: CompareFunc): WireCompare {
    const values: (EqValue | VarValue)[] = [...f.values];
    for (const v of f.valueVars ?? []) values.push(...(this.vars.values.get(v)?.values() ?? []));
    const m: WireCompare = {
      op: f.name,
      predicate: f.predicate,
      values: [...new Set(values.map(valueText))],
    };
    if (f.lang) m.lang = f.lang;
    return m;
  }

  /** `uid(...)`'s nodes: the uids written (duplicates kept, as Dgraph) and the variables'. */
  private uidsOf(f: { uids: bigint[]; vars: string[] }): string[] {
    // A shortest path alone keeps its order (start to end), as in Dgraph.
    const path = f.uids.length === 0 && f.vars.length === 1 ? this.vars.paths.get(f.vars[0]!) : undefined;
    if (path) return [...path];
    const out = f.uids.map(String);
    const seen = new Set(out);
    for (const v of f.vars) {
      for (const u of this.vars.nodes(v)) {
        if (seen.has(u)) continue;
        seen.add(u);
        out.push(u);
      }
    }
    return out.sort(byUid);
  }

  /** The nodes a function selects over the whole graph, ascending (distinct but for uid()). */
  async all(f: RootFunc): Promise<string[]> {
    let uids: string[];
    if (f.name === 'uid') {
      return this.uidsOf(f);
    } else if ('ofVar' in f && f.ofVar) {
      uids = this.compareVar(f, this.vars.nodes(f.ofVar));
    } else if (f.name === 'uid_in') {
      throw new HttpError('BAD_REQUEST', 'uid_in function not allowed at root');
    } else {
      const api = await this.apiFor(f.predicate);
      if (api === undefined) return [];
      if (f.name === 'has') uids = await api.has(hasOf(f), this.readTs);
      else if ('values' in f && f.count) {
        if (f.count.reverse)
          throw new HttpError('BAD_REQUEST', `count(~${f.predicate}) at the root is not supported yet`);
        const sp = (await api.schema()).find((p) => p.predicate === f.predicate);
        if (!sp?.count) {
          throw new HttpError(
            'BAD_REQUEST',
            `Need @count directive in schema for attr: ${f.predicate} for fn: ${f.name} at root`,
          );
        }
        uids = [...(await this.countAmong(f, await api.has({ predicate: f.predicate }, this.readTs)))];
      } else if ('values' in f) {
        const m = this.compareOf(f);
        uids = m.values.length ? await api.compare(m, this.readTs) : [];
      } else if ('geometry' in f) uids = await api.geo(geoOf(f), this.readTs);
      else if (f.name === 'regexp' || f.name === 'match') uids = await api.pattern(f, this.readTs);
      else {
        uids = await api.textMatch(
          { predicate: f.predicate, fn: f.name, text: f.text, lang: f.lang ?? '' },
          this.readTs,
        );
      }
    }
    return [...new Set(uids)].sort(byUid);
  }

  /** The candidates a filter keeps, in their order. */
  async filter(filter: Filter, candidates: string[]): Promise<string[]> {
    if (candidates.length === 0) return [];
    const keep = await this.keep(filter, candidates);
    return candidates.filter((u) => keep.has(u));
  }

  private async keep(filter: Filter, candidates: string[]): Promise<Set<string>> {
    switch (filter.op) {
      case 'not': {
        const out = await this.keep(filter.arg, candidates);
        return new Set(candidates.filter((u) => !out.has(u)));
      }
      case 'and': {
        let left = candidates;
        for (const a of filter.args) {
          const k = await this.keep(a, left);
          left = left.filter((u) => k.has(u));
          if (left.length === 0) break;
        }
        return new Set(left);
      }
      case 'or': {
        const out = new Set<string>();
        for (const a of filter.args) for (const u of await this.keep(a, candidates)) out.add(u);
        return out;
      }
      case 'func': {
        const f = filter.func;
        if (f.name === 'uid') return new Set(this.uidsOf(f));
        if (f.name === 'has') return this.hasAmong(f, candidates);
        if (f.name === 'uid_in') return this.uidInAmong(f.predicate, this.uidsOf(f), candidates);
        if ('ofVar' in f && f.ofVar) return new Set(this.compareVar(f, candidates));
        if ('values' in f && f.count) return this.countAmong(f, candidates);
        if ('values' in f) return this.compareAmong(f, candidates);
        if ('geometry' in f) return this.geoAmong(f, candidates);
        if (f.name === 'regexp' || f.name === 'match') return this.patternAmong(f, candidates);
        return new Set(await this.all(f));
      }
    }
  }

  /** The API of the group serving `predicate`; undefined when no group serves it. */
  private async apiFor(predicate: string): Promise<GroupApi | undefined> {
    const g = await this.cluster.readGroup(predicate);
    return g === undefined ? undefined : this.cluster.groupApi(g);
  }

  /** The candidates whose geo value satisfies a geo function (the predicate indexed, as Dgraph). */
  private async geoAmong(f: GeoFunc, candidates: string[]): Promise<Set<string>> {
    const api = await this.apiFor(f.predicate);
    return new Set(await api?.geo(geoOf(f), this.readTs, candidates));
  }

  /** The candidates whose value matches `regexp` (no index needed) or `match` (trigram index needed). */
  private async patternAmong(f: PatternFunc, candidates: string[]): Promise<Set<string>> {
    const api = await this.apiFor(f.predicate);
    return new Set(await api?.pattern(f, this.readTs, candidates));
  }

  /** The candidates whose value satisfies a comparison (no index needed, as Dgraph). */
  private async compareAmong(f: CompareFunc, candidates: string[]): Promise<Set<string>> {
    const api = await this.apiFor(f.predicate);
    const m = this.compareOf(f);
    if (!m.values.length) return new Set();
    return new Set(await api?.compare(m, this.readTs, candidates));
  }

  /** `ge(val(c), 3)`: the candidates whose value of the variable satisfies the comparison. */
  private compareVar(f: CompareFunc, candidates: string[]): string[] {
    const values = this.vars.values.get(f.ofVar!) ?? new Map<string, VarValue>();
    return candidates.filter((u) => {
      const v = values.get(u);
      if (v === undefined) return false;
      const c = (x: EqValue) => {
        const bound: VarValue =
          typeof x === 'bigint'
            ? { t: 'int', v: Number(x) }
            : typeof x === 'number'
              ? { t: 'float', v: x }
              : typeof x === 'boolean'
                ? { t: 'bool', v: x }
                : v.t === 'datetime'
                  ? { t: 'datetime', v: x, ms: Date.parse(x) }
                  : v.t === 'int' || v.t === 'float'
                    ? { t: 'float', v: Number(x) }
                    : { t: 'string', v: x };
        return compareVarValues(v, bound);
      };
      switch (f.name) {
        case 'eq':
          return f.values.some((x) => c(x) === 0);
        case 'le':
          return c(f.values[0]!) <= 0;
        case 'lt':
          return c(f.values[0]!) < 0;
        case 'ge':
          return c(f.values[0]!) >= 0;
        case 'gt':
          return c(f.values[0]!) > 0;
        case 'between':
          return c(f.values[0]!) >= 0 && c(f.values[1]!) <= 0;
      }
    });
  }

  /** The candidates whose number of edges or values of the predicate (reverse edges if asked) satisfies `f`. */
  private async countAmong(f: CompareFunc, candidates: string[]): Promise<Set<string>> {
    const counts = new Map<string, number>();
    if (f.count?.reverse) {
      const api = await this.apiFor(f.predicate);
      for (const r of (await api?.reverse(f.predicate, candidates, this.readTs)) ?? []) {
        counts.set(r.object, r.subjects.length);
      }
    } else {
      for (const [u, p] of (await this.readAmong(f.predicate, candidates)).facts)
        counts.set(u, p.uids.length + p.values.length);
    }
    const bounds = f.values.map((v) => Number(v));
    const holds = (n: number): boolean => {
      switch (f.name) {
        case 'eq':
          return bounds.includes(n);
        case 'le':
          return n <= bounds[0]!;
        case 'lt':
          return n < bounds[0]!;
        case 'ge':
          return n >= bounds[0]!;
        case 'gt':
          return n > bounds[0]!;
        case 'between':
          return n >= bounds[0]! && n <= bounds[1]!;
      }
    };
    return new Set(candidates.filter((u) => holds(counts.get(u) ?? 0)));
  }

  /** The candidates with an edge of `predicate` to one of `uids`. */
  private async uidInAmong(predicate: string, uids: string[], candidates: string[]): Promise<Set<string>> {
    const wanted = new Set(uids);
    const out = new Set<string>();
    for (const [u, p] of (await this.readAmong(predicate, candidates)).facts)
      if (p.uids.some((x) => wanted.has(x))) out.add(u);
    return out;
  }

  /**
   * The candidates with a value or edge of the predicate (only untagged values count under
   * `@lang`; `has(p@en)`: a value in that language), or with a reverse edge (`has(~p)`).
   */
  private async hasAmong(f: Extract<RootFunc, { name: 'has' }>, candidates: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (f.reverse) {
      const api = await this.apiFor(f.predicate);
      for (const r of (await api?.reverse(f.predicate, candidates, this.readTs)) ?? [])
        if (r.subjects.length > 0) out.add(r.object);
      return out;
    }
    const { facts, lang } = await this.readAmong(f.predicate, candidates);
    const wanted = (v: { lang?: string }) =>
      f.lang === undefined ? !lang || !v.lang : f.lang === '.' || v.lang === f.lang;
    for (const [u, p] of facts) if (p.uids.length > 0 || p.values.some(wanted)) out.add(u);
    return out;
  }

  /** The facts of `predicate` of each candidate that has some, read once from its owner group. */
  private async readAmong(predicate: string, candidates: string[]): Promise<CandidateFacts> {
    const facts = new Map<string, PredicateFacts>();
    const api = await this.apiFor(predicate);
    if (api === undefined) return { facts, lang: false };
    const r = await api.read(candidates, [predicate], this.readTs);
    for (const n of r.nodes) for (const p of n.predicates) if (p.predicate === predicate) facts.set(n.uid, p);
    return { facts, lang: r.schema[predicate]?.lang ?? false };
  }
}
