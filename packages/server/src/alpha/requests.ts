/**
 * Dgraph's client requests, one layer for both front ends (the HTTP routes and the gRPC
 * service): a query (at a transaction's start ts or a fresh one), a mutation or upsert (committed
 * now or kept in an open transaction), and a transaction's commit or abort.
 */
import { randomInt } from 'node:crypto';
import { HttpError } from '../http/errors.js';
import { ValueError } from '../parse/errors.js';
import { jsonMutation } from '../parse/mutation-json.js';
import { parseMutationBody, type Mutation } from '../parse/mutation.js';
import { parseCond } from '../parse/upsert.js';
import type { Cluster } from './cluster.js';
import { runQuery, type QueryResult } from './dql/run.js';
import { mutate, type MutateResult, type MutationRequest } from './mutate.js';
import { MAX_OWN_READS } from './open-txns.js';
import { upsert } from './upsert.js';

export interface QueryInput {
  query: string;
  /** GraphQL-style variables, `$name` → value text. */
  vars?: Record<string, string>;
  /** The transaction's start ts: the query reads that snapshot. */
  startTs?: bigint;
  readOnly?: boolean;
  bestEffort?: boolean;
}

/**
 * Refuses to read in a transaction too big to see its own writes (open-txns.ts): an answer
 * without them would mislead a read-modify-write.
 */
function refuseOwnWrites(cluster: Cluster, startTs: bigint): void {
  if (cluster.txns.get(startTs)?.ownReads !== false) return;
  throw new HttpError(
    'BAD_REQUEST',
    `transaction ${startTs} holds more than ${MAX_OWN_READS} uncommitted edges: its own reads cannot see them; query after the commit`,
  );
}

/** A query at the transaction's snapshot (`startTs`) or at a fresh read ts. */
export async function query(cluster: Cluster, input: QueryInput): Promise<QueryResult> {
  if (input.startTs !== undefined) refuseOwnWrites(cluster, input.startTs);
  const readTs = input.startTs === undefined ? undefined : await cluster.txns.readTsFor(input.startTs);
  return runQuery(cluster, input.query, input.vars ?? {}, readTs);
}

/** One mutation of a gRPC `Request` (api.Mutation): JSON already parsed, RDF as text. */
export interface MutationPart {
  setJson?: unknown;
  deleteJson?: unknown;
  setNquads?: string;
  delNquads?: string;
  /** An upsert's `@if(...)`. */
  cond?: string;
}

function valueErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValueError) throw new HttpError('BAD_REQUEST', e.message);
    throw e;
  }
}

/** The mutations of one request (with `query`: an upsert block) as `mutateRequest` takes them. */
export function mutationRequestFromParts(parts: MutationPart[], queryText?: string): MutationRequest {
  const prefix = `dg.${randomInt(2 ** 31)}`;
  const allowVars = queryText !== undefined && queryText !== '';
  const one = (p: MutationPart): Mutation => {
    const m: Mutation = { set: [], del: [] };
    const json: Record<string, unknown> = {};
    if (p.setJson !== undefined && p.setJson !== null) json.set = p.setJson;
    if (p.deleteJson !== undefined && p.deleteJson !== null) json.delete = p.deleteJson;
    const fromJson = valueErrors(() => jsonMutation(json, prefix, allowVars));
    m.set.push(...fromJson.set);
    m.del.push(...fromJson.del);
    if (p.setNquads) m.set.push(...parseMutationBody(p.setNquads, allowVars).set);
    if (p.delNquads) m.del.push(...parseMutationBody(p.delNquads, allowVars, 'delete').del);
    return m;
  };
  if (!allowVars) {
    const m: Mutation = { set: [], del: [] };
    for (const p of parts) {
      if (p.cond) throw new HttpError('BAD_REQUEST', 'a mutation with a condition needs a query (an upsert)');
      const x = one(p);
      m.set.push(...x.set);
      m.del.push(...x.del);
    }
    return { mutation: m };
  }
  return {
    upsert: {
      query: queryText,
      mutations: parts.map((p) =>
        p.cond ? { cond: parseCond(p.cond), mutation: one(p) } : { mutation: one(p) },
      ),
    },
  };
}

export interface MutateRequestOptions {
  /** The open transaction this mutation joins (none: a new one, at a fresh start ts). */
  startTs?: bigint;
  /** Commit the transaction with this mutation, or keep it open for a commit or abort. */
  commitNow: boolean;
}

/** A mutation or upsert block, committed now or kept in its open transaction. */
export async function mutateRequest(
  cluster: Cluster,
  req: MutationRequest,
  opts: MutateRequestOptions,
): Promise<MutateResult> {
  const t0 = process.hrtime.bigint();
  if ('upsert' in req && opts.startTs !== undefined) refuseOwnWrites(cluster, opts.startTs);
  const startTs =
    opts.startTs === undefined ? await cluster.zero.readTs() : await cluster.txns.readTsFor(opts.startTs);
  const o = { startTs, commitNow: opts.commitNow };
  const r = await cluster.txns.writingAt(startTs, () =>
    'upsert' in req ? upsert(cluster, req.upsert, o) : mutate(cluster, req.mutation, o),
  );
  const total = Number(process.hrtime.bigint() - t0);
  r.extensions = {
    server_latency: { parsing_ns: 0, processing_ns: total, total_ns: total },
    ...r.extensions,
  };
  return r;
}

/** What a commit or abort answers (Dgraph's TxnContext). */
export interface TxnAnswer {
  start_ts: number;
  commit_ts: number;
  aborted: boolean;
  keys: string[];
  preds: string[];
}

/**
 * Commits (or with `abort` drops) the open transaction started at `startTs`. A conflict with a
 * transaction committed since `startTs` aborts it: HttpError TXN_ABORTED (409). `keys` are the
 * keys the client collected from the mutations' answers: when there are some, the transaction
 * must be open here (not expired, not held by another Alpha), or the commit is refused.
 */
export async function commitOrAbort(
  cluster: Cluster,
  startTs: bigint,
  abort: boolean,
  keys: string[] = [],
): Promise<TxnAnswer> {
  return cluster.txns.finish(startTs, abort, keys.length > 0);
}
