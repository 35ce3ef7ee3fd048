/**
 * `POST /query`: the DQL subset (parse/query.ts) executed at one read timestamp from Zero's
 * oracle. Each level of a block is read in one batch per owner group (`/internal/read`), reverse
 * edges from the predicate's owner, and the result is shaped like Dgraph's JSON.
 */
import { runSchemaQuery } from './schema-query.js';
import { HttpError } from '../http/errors.js';
import { parseQuery, type OrderKey, type QueryBlock, type Selection } from '../parse/query.js';
import { checkPassword } from '../parse/values.js';
import type { Cluster } from './cluster.js';
import { facetJson, hexUid, jsonValue } from './decode.js';
import { byUid, Functions } from './functions.js';
import { orderUids } from './order.js';
import type { PredicateInfo } from './owner.js';
import type { WireFacet, WireFactValue } from './wire.js';

type Obj = Record<string, unknown>;

interface Facts {
  uids: string[];
  values: WireFactValue[];
  /** The facets of uid edges, by target. */
  uidFacets: Map<string, WireFacet[]>;
}

/** `pred|key` entries of `facets`, only `keys` when given (Dgraph's `@facets` output). */
function facetEntries(predicate: string, facets: WireFacet[] | undefined, keys: string[] | undefined): Obj {
  const out: Obj = {};
  for (const f of facets ?? []) {
    if (keys && !keys.includes(f.key)) continue;
    out[`${predicate}|${f.key}`] = facetJson(f.valType, Buffer.from(f.value, 'base64'));
  }
  return out;
}

export interface QueryResult {
  data: Record<string, Obj[]>;
  extensions: { txn: { start_ts: number } };
}

function page<T>(list: T[], p: { first?: number; offset?: number }): T[] {
  let out = list;
  if (p.offset) out = out.slice(p.offset);
  if (p.first !== undefined) out = p.first >= 0 ? out.slice(0, p.first) : out.slice(p.first);
  return out;
}

class Executor {
  /** Schema facts of every predicate read so far. */
  private readonly info = new Map<string, PredicateInfo>();
  private readonly fns: Functions;

  constructor(
    private readonly cluster: Cluster,
    private readonly readTs: bigint,
  ) {
    this.fns = new Functions(cluster, readTs);
  }

  /** The block's nodes: its root function, then its filter, its order, then first/offset. */
  async rootUids(b: QueryBlock): Promise<string[]> {
    let uids = await this.fns.all(b.func);
    if (b.filter) uids = await this.fns.filter(b.filter, uids);
    if (b.order) uids = await this.ordered(uids, b.order);
    return page(uids, b);
  }

  /** `uids` in the order of `keys` (orderasc/orderdesc), reading the keys' values. */
  private async ordered(uids: string[], keys: OrderKey[]): Promise<string[]> {
    const facts = await this.read(
      uids,
      keys.map((k) => k.predicate),
    );
    for (const k of keys) {
      if (this.info.get(k.predicate)?.list) {
        throw new HttpError(
          'BAD_REQUEST',
          `ordering by a list predicate (${k.predicate}) is not supported yet`,
        );
      }
    }
    return orderUids(uids, keys, (u, p) => facts.get(u)?.get(p)?.values);
  }

  /** Reads `predicates` of `uids`, one batch per owner group. */
  private async read(uids: string[], predicates: string[]): Promise<Map<string, Map<string, Facts>>> {
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

  private async reverse(predicate: string, objects: string[]): Promise<Map<string, string[]>> {
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

  private scalar(facts: Facts | undefined, lang: string | undefined): unknown[] {
    if (!facts) return [];
    return facts.values
      .filter((v) => (lang === undefined ? !v.lang : v.lang === lang))
      .map((v) => jsonValue(Buffer.from(v.value, 'base64'), v.valType))
      .filter((v) => v !== undefined);
  }

  /** Renders the nodes `uids` with `sels`; nodes with nothing to show are left out. */
  async render(uids: string[], sels: Selection[]): Promise<Map<string, Obj>> {
    const forward = new Set<string>();
    const expand = sels.some((s) => s.kind === 'expand');
    for (const s of sels) {
      if ((s.kind === 'predicate' || s.kind === 'count') && !s.reverse) forward.add(s.predicate);
      if (s.kind === 'checkpwd') forward.add(s.predicate);
    }
    if (expand) forward.add('dgraph.type');
    const facts = await this.read(uids, [...forward]);
    // expand(_all_): the fields of each node's types.
    const expanded = new Map<string, string[]>();
    if (expand) {
      const extra = new Set<string>();
      for (const u of uids) {
        const types = this.scalar(facts.get(u)?.get('dgraph.type'), undefined).map(String);
        const fields = this.typeFields(types);
        expanded.set(u, fields);
        for (const f of fields) if (!forward.has(f)) extra.add(f);
      }
      if (extra.size > 0) {
        const more = await this.read(uids, [...extra]);
        for (const [u, m] of more) {
          const have = facts.get(u) ?? new Map<string, Facts>();
          for (const [p, f] of m) have.set(p, f);
          facts.set(u, have);
        }
      }
    }
    // Reverse edges, then the nested levels (one batch per selection).
    const reverse = new Map<string, Map<string, string[]>>();
    for (const s of sels) {
      if ((s.kind === 'predicate' || s.kind === 'count') && s.reverse && !reverse.has(s.predicate)) {
        reverse.set(s.predicate, await this.reverse(s.predicate, uids));
      }
    }
    // An edge's @filter, evaluated once over the targets of every node of this level.
    const kept = new Map<Selection, Set<string>>();
    const edgesOf = (s: Selection & { kind: 'predicate' }, u: string): string[] | undefined => {
      const list = s.reverse ? reverse.get(s.predicate)?.get(u) : facts.get(u)?.get(s.predicate)?.uids;
      const k = kept.get(s);
      return k && list ? list.filter((c) => k.has(c)) : list;
    };
    for (const s of sels) {
      if (s.kind !== 'predicate' || !s.filter) continue;
      const targets = new Set<string>();
      for (const u of uids) for (const c of edgesOf(s, u) ?? []) targets.add(c);
      kept.set(s, new Set(await this.fns.filter(s.filter, [...targets].sort(byUid))));
    }
    // An edge's order: the targets of every node of this level sorted once, each list in that order.
    const rank = new Map<Selection, Map<string, number>>();
    for (const s of sels) {
      if (s.kind !== 'predicate' || !s.order) continue;
      const targets = new Set<string>();
      for (const u of uids) for (const c of edgesOf(s, u) ?? []) targets.add(c);
      const sorted = await this.ordered([...targets].sort(byUid), s.order);
      rank.set(s, new Map(sorted.map((u, i) => [u, i])));
    }
    const edgesOfOrdered = (s: Selection & { kind: 'predicate' }, u: string): string[] | undefined => {
      const list = edgesOf(s, u);
      const r = rank.get(s);
      return r && list ? [...list].sort((a, b) => r.get(a)! - r.get(b)!) : list;
    };
    const nested = new Map<Selection, Map<string, Obj>>();
    for (const s of sels) {
      if (s.kind !== 'predicate' || !s.children) continue;
      const children = new Set<string>();
      for (const u of uids) {
        for (const c of page(edgesOfOrdered(s, u) ?? [], s)) children.add(c);
      }
      nested.set(
        s,
        await this.render(
          [...children].sort(byUid),
          s.children.filter((c) => !isUidCount(c)),
        ),
      );
    }

    const out = new Map<string, Obj>();
    for (const u of uids) {
      const node = facts.get(u);
      const o: Obj = {};
      for (const s of sels) {
        switch (s.kind) {
          case 'uid':
            o[s.alias ?? 'uid'] = hexUid(BigInt(u));
            break;
          case 'count': {
            const n = s.reverse
              ? (reverse.get(s.predicate)?.get(u)?.length ?? 0)
              : (node?.get(s.predicate)?.uids.length ?? 0) + (node?.get(s.predicate)?.values.length ?? 0);
            o[s.alias ?? `count(${s.reverse ? '~' : ''}${s.predicate})`] = n;
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
          case 'expand':
            for (const f of expanded.get(u) ?? []) {
              const i = this.info.get(f);
              if (!i || i.valueType === 'uid' || o[f] !== undefined) continue;
              const vals = this.scalar(node?.get(f), undefined);
              if (vals.length) o[f] = i.list ? vals : vals[0];
              // As Dgraph: the facets of a single value too, as `pred|key`.
              if (vals.length && !i.list) {
                Object.assign(
                  o,
                  facetEntries(f, node?.get(f)?.values.find((v) => !v.lang)?.facets, undefined),
                );
              }
              // As Dgraph: each language-tagged value too, under `pred@lang`.
              for (const lang of new Set(
                node
                  ?.get(f)
                  ?.values.map((v) => v.lang)
                  .filter((l) => !!l),
              )) {
                const tagged = this.scalar(node?.get(f), lang);
                if (tagged.length) o[`${f}@${lang}`] = tagged[0];
              }
            }
            break;
          case 'predicate': {
            const key = s.alias ?? `${s.reverse ? '~' : ''}${s.predicate}${s.lang ? `@${s.lang}` : ''}`;
            const i = this.info.get(s.predicate);
            const edges = edgesOfOrdered(s, u);
            if (s.reverse || i?.valueType === 'uid' || (edges && edges.length > 0)) {
              const list = page(edges ?? [], s);
              const facetsOf = (c: string): Obj =>
                s.facets
                  ? facetEntries(s.predicate, node?.get(s.predicate)?.uidFacets.get(c), s.facets.keys)
                  : {};
              const rendered = s.children
                ? [
                    ...uidCountObject(s.children, list.length),
                    ...list
                      .map((c) => {
                        const child = nested.get(s)!.get(c);
                        return child && { ...child, ...facetsOf(c) };
                      })
                      .filter((x): x is Obj => x !== undefined),
                  ]
                : list.map((c) => ({ uid: hexUid(BigInt(c)), ...facetsOf(c) }));
              if (rendered.length === 0) break;
              o[key] = !s.reverse && i && !i.list ? rendered[0] : rendered;
              break;
            }
            const vals = this.scalar(node?.get(s.predicate), s.lang);
            if (vals.length === 0) break;
            o[key] = i?.list ? page(vals, s) : vals[0];
            if (s.facets) {
              if (i?.list) {
                throw new HttpError(
                  'BAD_REQUEST',
                  `@facets on a list of values (${s.predicate}) is not supported yet`,
                );
              }
              const v = node
                ?.get(s.predicate)
                ?.values.find((x) => (s.lang === undefined ? !x.lang : x.lang === s.lang));
              Object.assign(o, facetEntries(key, v?.facets, s.facets.keys));
            }
            break;
          }
        }
      }
      if (Object.keys(o).length > 0) out.set(u, o);
    }
    return out;
  }
}

/** `count(uid)` in a block: Dgraph answers it as one `{"count": N}` object for the block's nodes. */
function isUidCount(s: Selection): s is Extract<Selection, { kind: 'count' }> {
  return s.kind === 'count' && s.predicate === 'uid' && !s.reverse;
}

function uidCountObject(sels: Selection[], n: number): Obj[] {
  const c = sels.find(isUidCount);
  return c ? [{ [c.alias ?? 'count']: n }] : [];
}

export async function runQuery(cluster: Cluster, text: string): Promise<QueryResult> {
  const q = parseQuery(text);
  const readTs = await cluster.zero.readTs();
  if (q.schema) {
    return {
      data: await runSchemaQuery(cluster, q.schema),
      extensions: { txn: { start_ts: Number(readTs) } },
    };
  }
  const ex = new Executor(cluster, readTs);
  const data: Record<string, Obj[]> = {};
  for (const b of q.blocks) {
    const uids = await ex.rootUids(b);
    const sels = b.children.filter((s) => !isUidCount(s));
    const objs = await ex.render(uids, sels);
    data[b.name] = [
      ...uidCountObject(b.children, uids.length),
      ...uids.map((u) => objs.get(u)).filter((o): o is Obj => o !== undefined),
    ];
  }
  return { data, extensions: { txn: { start_ts: Number(readTs) } } };
}
