/**
 * `POST /mutate`: RDF `{ set {...} delete {...} }` or JSON `{"set": ..., "delete": ...}` → edges
 * per owner group → two-phase commit.
 */
import { randomInt } from 'node:crypto';
import { ValueError } from '../parse/errors.js';
import { isJsonMutation, jsonMutation } from '../parse/mutation-json.js';
import { parseMutationBody, type Mutation } from '../parse/mutation.js';
import { isUpsert, parseCond, parseUpsert, type Upsert } from '../parse/upsert.js';
import type { NodeRef, NQuad, VarRef } from '../parse/nquads.js';
import type { Cluster } from './cluster.js';
import { hexUid } from './decode.js';
import { HttpError } from '../http/errors.js';
import { mergedGroups, OpenTxns } from './open-txns.js';
import { commitEdges } from './txn.js';
import type { WireEdge } from './wire.js';

export interface MutateResult {
  data: {
    code: 'Success';
    message: 'Done';
    queries: Record<string, unknown> | null;
    uids: Record<string, string>;
  };
  extensions: {
    server_latency?: { parsing_ns: number; processing_ns: number; total_ns: number };
    /** As Dgraph: `commit_ts` once committed, `keys` while open. */
    txn: { start_ts: number; commit_ts?: number; keys?: string[]; preds: string[] };
  };
}

export interface MutateOptions {
  /** The transaction's start ts (already checked: a fresh one, or an open transaction's). */
  startTs: bigint;
  /** Commit now (with the transaction's earlier mutations), or keep it open for `/commit`. */
  commitNow: boolean;
  /** An upsert's query answer, shown as Dgraph shows it. */
  queries?: Record<string, unknown>;
}

function nodeKey(n: NodeRef): string | undefined {
  if (n.kind === 'blank') return n.name;
  if (n.kind === 'iri') return n.iri;
  return undefined;
}

/** What a `/mutate` body asks for: a mutation, or an upsert block. */
export type MutationRequest = { mutation: Mutation } | { upsert: Upsert };

/** A ValueError of a JSON body as the 400 it is. */
function jsonPart<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValueError) throw new HttpError('BAD_REQUEST', e.message);
    throw e;
  }
}

/**
 * A mutation body: RDF text (`{ set { } delete { } }` or `upsert { query { } mutation { } }`), or
 * JSON (an object Fastify parsed, or text starting with `{"set"`...): `set`/`delete`, and with
 * `query` an upsert (`cond` and `set`/`delete`, or a `mutations` list of them).
 */
export function parseMutationRequest(body: unknown): MutationRequest {
  let json = body;
  if (typeof body === 'string') {
    if (isUpsert(body)) return { upsert: parseUpsert(body) };
    if (!isJsonMutation(body)) return { mutation: parseMutationBody(body) };
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new HttpError('BAD_REQUEST', `JSON mutation: ${(e as Error).message}`);
    }
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new HttpError('BAD_REQUEST', 'JSON mutation: expected an object with "set" and/or "delete"');
  }
  const o = json as Record<string, unknown>;
  // Nodes without a "uid" are named as Dgraph names them: dg.<random>.<n>.
  const prefix = `dg.${randomInt(2 ** 31)}`;
  if (o.query === undefined) return { mutation: jsonPart(() => jsonMutation(o, prefix)) };
  if (typeof o.query !== 'string')
    throw new HttpError('BAD_REQUEST', 'JSON upsert: "query" must be a string');
  const parts = Array.isArray(o.mutations) ? (o.mutations as unknown[]) : [o];
  const mutations = parts.map((p) => {
    if (p === null || typeof p !== 'object')
      throw new HttpError('BAD_REQUEST', 'JSON upsert: a mutation must be an object');
    const part = p as Record<string, unknown>;
    if (part.cond !== undefined && typeof part.cond !== 'string') {
      throw new HttpError('BAD_REQUEST', 'JSON upsert: "cond" must be a string');
    }
    const mutation = jsonPart(() => jsonMutation(part, prefix, true));
    return part.cond ? { cond: jsonPart(() => parseCond(part.cond as string)), mutation } : { mutation };
  });
  return { upsert: { query: o.query, mutations } };
}

/** An N-Quad without upsert variables (see upsert.ts, which replaces them). */
type PlainNQuad = NQuad & { subject: NodeRef; object: Exclude<NQuad['object'], VarRef> };

function plain(q: NQuad): PlainNQuad {
  if (q.subject.kind === 'var' || q.object.kind === 'var' || q.object.kind === 'val') {
    throw new HttpError(
      'BAD_REQUEST',
      'uid(...) and val(...) are only allowed in the mutations of an upsert block',
    );
  }
  return q as PlainNQuad;
}

/**
 * A mutation in the transaction at `opts.startTs`: committed now (with what the transaction
 * holds already; Zero checks conflicts since its start), or kept open (open-txns.ts).
 */
export async function mutate(
  cluster: Cluster,
  mutation: Mutation,
  opts: MutateOptions,
): Promise<MutateResult> {
  const m = { set: mutation.set.map(plain), del: mutation.del.map(plain) };
  const startTs = opts.startTs;
  // Blank nodes and external ids (<iri>) get fresh uids, one per distinct name.
  const names = new Set<string>();
  for (const q of [...m.set, ...m.del]) {
    const s = nodeKey(q.subject);
    if (s !== undefined) names.add(s);
    if (q.object.kind === 'blank' || q.object.kind === 'iri') names.add(nodeKey(q.object)!);
  }
  const uidOf = new Map<string, bigint>();
  if (names.size > 0) {
    const { start } = await cluster.zero.assignUids(names.size);
    let next = start;
    for (const n of names) uidOf.set(n, next++);
  }
  const resolve = (n: NodeRef): bigint => (n.kind === 'uid' ? n.uid : uidOf.get(nodeKey(n)!)!);

  const edges: WireEdge[] = [];
  const toEdge = (op: 'set' | 'del', q: PlainNQuad): WireEdge => {
    const e: WireEdge = { op, subject: String(resolve(q.subject)), predicate: q.predicate, line: q.line };
    const o = q.object;
    if (o.kind === 'star') e.star = true;
    else if (o.kind === 'literal') {
      e.text = o.value;
      e.valType = o.valType;
      if (o.lang) e.lang = o.lang;
    } else e.objectUid = String(resolve(o));
    if (q.facets.length) {
      e.facets = q.facets.map((f) => ({
        key: f.key,
        value: f.bytes.toString('base64'),
        valType: { string: 0, int: 1, float: 2, bool: 3, datetime: 4 }[f.valType],
      }));
    }
    return e;
  };
  for (const q of m.set) edges.push(toEdge('set', q));
  const starAll: PlainNQuad[] = [];
  for (const q of m.del) {
    if (q.predicate === '*') {
      if (q.object.kind !== 'star') {
        throw new HttpError(
          'BAD_REQUEST',
          `line ${q.line}: a delete with predicate * needs object * (<s> * * .)`,
        );
      }
      starAll.push(q);
    } else edges.push(toEdge('del', q));
  }
  if (starAll.length > 0)
    edges.push(
      ...(await expandStarAll(
        cluster,
        starAll.map((q) => resolve(q.subject)),
        startTs,
      )),
    );

  // Split per owner group. Deletes on predicates no group serves delete nothing.
  const byGroup = new Map<number, WireEdge[]>();
  for (const e of edges) {
    const g = e.op === 'set' ? await cluster.writeGroup(e.predicate) : await cluster.readGroup(e.predicate);
    if (g === undefined) continue;
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(e);
  }
  const uids: Record<string, string> = {};
  for (const [n, u] of uidOf) uids[n] = hexUid(u);
  const data = { code: 'Success', message: 'Done', queries: opts.queries ?? null, uids } as const;
  const touched = new Set(edges.map((e) => e.predicate));
  if (!opts.commitNow) {
    const t = await cluster.txns.add(startTs, byGroup, touched);
    const preds = await cluster.txns.predNames(t.preds);
    return {
      data,
      extensions: { txn: { start_ts: Number(startTs), keys: OpenTxns.keysOf(startTs), preds } },
    };
  }
  // The transaction's earlier mutations commit with this one.
  const earlier = cluster.txns.drop(startTs);
  for (const p of earlier?.preds ?? []) touched.add(p);
  const all = earlier ? new Map([...earlier.byGroup, ...mergedGroups(earlier.byGroup, byGroup)]) : byGroup;
  const preds = await cluster.txns.predNames(touched);
  if (all.size === 0)
    return { data, extensions: { txn: { start_ts: Number(startTs), commit_ts: 0, preds } } };
  const r = await commitEdges(cluster, all, startTs);
  return { data, extensions: { txn: { start_ts: Number(startTs), commit_ts: Number(r.commitTs), preds } } };
}

/**
 * `<s> * *`: every predicate of the node's `dgraph.type` types (and `dgraph.type` itself) becomes
 * a star delete. Types live in every group; the node's types are read from dgraph.type's owner.
 */
async function expandStarAll(cluster: Cluster, subjects: bigint[], readTs: bigint): Promise<WireEdge[]> {
  const out: WireEdge[] = [];
  const typeGroup = await cluster.readGroup('dgraph.type');
  const typesOf = new Map<string, string[]>();
  if (typeGroup !== undefined) {
    const api = await cluster.groupApi(typeGroup);
    const r = await api.read(subjects.map(String), ['dgraph.type'], readTs);
    for (const n of r.nodes) {
      const p = n.predicates.find((x) => x.predicate === 'dgraph.type');
      typesOf.set(
        n.uid,
        (p?.values ?? []).map((v) => Buffer.from(v.value, 'base64').toString('utf8')),
      );
    }
  }
  const owner = cluster.local.owner;
  for (const s of subjects) {
    const fields = new Set<string>();
    for (const t of typesOf.get(String(s)) ?? []) {
      for (const f of owner.typeFields(t) ?? []) if (!f.startsWith('~')) fields.add(f);
    }
    fields.add('dgraph.type');
    for (const f of fields) out.push({ op: 'del', subject: String(s), predicate: f, star: true });
  }
  return out;
}
