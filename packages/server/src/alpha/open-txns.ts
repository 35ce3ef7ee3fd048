/**
 * Open transactions (Dgraph's `/mutate` without `commitNow`, gRPC mutations without
 * `commit_now`): a transaction is known by its start ts; its mutations are kept here, split by
 * owner group, until `/commit` (two-phase commit with Zero's conflict check at that start ts) or
 * an abort drops them. Queries at its start ts read that snapshot; once it holds mutations, they
 * are refused (requests.ts): Dgraph would show the transaction its own writes, Strata cannot yet.
 *
 * A transaction lives on the Alpha that took its first mutation, as long as `ttlMs` (10 min; Zero
 * forgets conflicts older than that, so an older one could not be checked). Memory is bounded:
 * at most `maxOpen` transactions and `maxEdges` edges in each.
 */
import { HttpError } from '../http/errors.js';
import type { Cluster } from './cluster.js';
import { commitEdges } from './txn.js';
import type { WireEdge } from './wire.js';

export interface OpenTxn {
  startTs: bigint;
  byGroup: Map<number, WireEdge[]>;
  preds: Set<string>;
  edges: number;
  expires: NodeJS.Timeout;
}

export interface TxnEnd {
  start_ts: number;
  commit_ts: number;
  aborted: boolean;
  keys: string[];
  preds: string[];
}

export interface OpenTxnsOptions {
  ttlMs?: number;
  maxOpen?: number;
  maxEdges?: number;
}

/** Dgraph names a transaction's predicates `<group>-<namespace>-<predicate>`. */
export function predNames(preds: Iterable<string>, groupOf: (p: string) => number | undefined): string[] {
  return [...preds].map((p) => `${groupOf(p) ?? 1}-0-${p}`).sort();
}

export class OpenTxns {
  private readonly open = new Map<bigint, OpenTxn>();
  private readonly ttlMs: number;
  private readonly maxOpen: number;
  private readonly maxEdges: number;

  constructor(
    private readonly cluster: Cluster,
    opts: OpenTxnsOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.maxOpen = opts.maxOpen ?? 10_000;
    this.maxEdges = opts.maxEdges ?? 5_000_000;
  }

  /** The open transaction at `startTs`, if this Alpha holds one. */
  get(startTs: bigint): OpenTxn | undefined {
    return this.open.get(startTs);
  }

  /**
   * The read ts of a request that names `startTs`: that ts itself, once it is known not to be
   * in the future (an unknown one is checked against a fresh ts from Zero).
   */
  async readTsFor(startTs: bigint): Promise<bigint> {
    if (startTs <= 0n) throw new HttpError('BAD_REQUEST', `startTs must be positive, got ${startTs}`);
    if (this.open.has(startTs)) return startTs;
    const now = await this.cluster.zero.readTs();
    if (startTs > now) {
      throw new HttpError(
        'BAD_REQUEST',
        `startTs ${startTs} has not been handed out yet (the newest timestamp is ${now})`,
      );
    }
    return startTs;
  }

  /** Adds a mutation's edges to the transaction at `startTs` (opened by its first mutation). */
  add(startTs: bigint, byGroup: Map<number, WireEdge[]>, preds: Iterable<string>): OpenTxn {
    let t = this.open.get(startTs);
    if (!t) {
      if (this.open.size >= this.maxOpen) {
        throw new HttpError(
          'BAD_REQUEST',
          `too many open transactions on this Alpha (${this.maxOpen}): commit or abort some, or use commitNow`,
          503,
        );
      }
      const expires = setTimeout(() => this.open.delete(startTs), this.ttlMs);
      expires.unref();
      t = { startTs, byGroup: new Map(), preds: new Set(), edges: 0, expires };
      this.open.set(startTs, t);
    }
    let n = 0;
    for (const list of byGroup.values()) n += list.length;
    if (t.edges + n > this.maxEdges) {
      this.drop(startTs);
      throw new HttpError(
        'BAD_REQUEST',
        `transaction ${startTs} would hold more than ${this.maxEdges} edges: it was aborted; commit large loads in several transactions`,
      );
    }
    for (const [g, list] of byGroup) {
      const mine = t.byGroup.get(g);
      if (mine) for (const e of list) mine.push(e);
      else t.byGroup.set(g, [...list]);
    }
    for (const p of preds) t.preds.add(p);
    t.edges += n;
    return t;
  }

  /** Forgets the transaction at `startTs` (abort), returning it. */
  drop(startTs: bigint): OpenTxn | undefined {
    const t = this.open.get(startTs);
    if (!t) return undefined;
    clearTimeout(t.expires);
    this.open.delete(startTs);
    return t;
  }

  /**
   * Commits (or with `abort` drops) the transaction at `startTs`. One this Alpha does not hold
   * has nothing to write: its commit is empty, as Dgraph's is, unless `mutated` (the client holds
   * keys of its mutations): then it expired or lives on another Alpha, and the commit is refused.
   */
  async finish(startTs: bigint, abort: boolean, mutated = false): Promise<TxnEnd> {
    const t = this.drop(startTs);
    const preds = t ? await this.predNames(t.preds) : [];
    if (abort) return { start_ts: Number(startTs), commit_ts: 0, aborted: true, keys: [], preds };
    if (!t && mutated) {
      throw new HttpError(
        'TXN_ABORTED',
        `transaction ${startTs} is not open on this Alpha (open transactions expire after ${this.ttlMs / 60_000} min, and live on the Alpha that took their first mutation): nothing was committed`,
        409,
      );
    }
    if (!t || t.byGroup.size === 0) {
      const commitTs = await this.cluster.zero.readTs();
      return { start_ts: Number(startTs), commit_ts: Number(commitTs), aborted: false, keys: [], preds };
    }
    const r = await commitEdges(this.cluster, t.byGroup, startTs);
    return { start_ts: Number(startTs), commit_ts: Number(r.commitTs), aborted: false, keys: [], preds };
  }

  /** The `keys` a mutation in an open transaction answers (the client sends them back at commit). */
  static keysOf(startTs: bigint): string[] {
    return [`strata-txn-${startTs.toString(36)}`];
  }

  /** The `preds` of a transaction's answer. */
  async predNames(preds: Iterable<string>): Promise<string[]> {
    const groups = new Map<string, number | undefined>();
    for (const p of preds) groups.set(p, await this.cluster.readGroup(p).catch(() => undefined));
    return predNames(groups.keys(), (p) => groups.get(p));
  }

  /** Drops every open transaction (shutdown). */
  close(): void {
    for (const t of this.open.values()) clearTimeout(t.expires);
    this.open.clear();
  }
}
