/**
 * Open transactions (Dgraph's `/mutate` without `commitNow`, gRPC mutations without
 * `commit_now`): a transaction is known by its start ts; its mutations are kept here, split by
 * owner group, until `/commit` (two-phase commit with Zero's conflict check at that start ts) or
 * an abort drops them. Queries at its start ts read that snapshot with the transaction's own
 * writes on top, as Dgraph's do: each owner group holds the transaction's edges as pending writes
 * of its store (owner.setPending, native `store/live/pending.rs`), up to `MAX_OWN_READS` edges; a
 * bigger transaction's reads are refused (requests.ts) rather than answered without them.
 *
 * A transaction lives on the Alpha that took its first mutation, as long as `ttlMs` (10 min; Zero
 * forgets conflicts older than that, so an older one could not be checked). Memory is bounded:
 * at most `maxOpen` transactions and `maxEdges` edges in all of them.
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
  /** Its reads see its writes (false past `MAX_OWN_READS` edges). */
  ownReads: boolean;
  expires: NodeJS.Timeout;
  /** Its mutations, one at a time (concurrent ones would each hand the groups a partial list). */
  queue: Promise<unknown>;
}

/** A transaction holding more edges than this cannot read its own writes (the store's bound). */
export const MAX_OWN_READS = 100_000;

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

/** The groups of `more`, each with `base`'s edges there followed by `more`'s (new lists). */
export function mergedGroups(
  base: Map<number, WireEdge[]>,
  more: Map<number, WireEdge[]>,
): Map<number, WireEdge[]> {
  const out = new Map<number, WireEdge[]>();
  for (const [g, list] of more) out.set(g, [...(base.get(g) ?? []), ...list]);
  return out;
}

export class OpenTxns {
  private readonly open = new Map<bigint, OpenTxn>();
  /** Start ts of the mutations and commits running now, each with how many run at it. */
  private readonly writing = new Map<bigint, number>();
  /** The edges held by every open transaction together. */
  private held = 0;
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

  /**
   * Adds a mutation's edges to the transaction at `startTs` (opened by its first mutation), and
   * hands each group it touches all of the transaction's edges there, for its reads. A group that
   * refuses them (a value its predicate's type cannot take) refuses the mutation: the transaction
   * stays as it was.
   */
  async add(startTs: bigint, byGroup: Map<number, WireEdge[]>, preds: Iterable<string>): Promise<OpenTxn> {
    let t = this.open.get(startTs);
    if (!t) {
      if (this.open.size >= this.maxOpen) {
        throw new HttpError(
          'BAD_REQUEST',
          `too many open transactions on this Alpha (${this.maxOpen}): commit or abort some, or use commitNow`,
        );
      }
      const expires = setTimeout(() => this.drop(startTs), this.ttlMs);
      expires.unref();
      t = {
        startTs,
        byGroup: new Map(),
        preds: new Set(),
        edges: 0,
        ownReads: true,
        expires,
        queue: Promise.resolve(),
      };
      this.open.set(startTs, t);
    }
    const txn = t;
    const run = txn.queue.then(
      () => this.addNow(txn, byGroup, preds),
      () => this.addNow(txn, byGroup, preds),
    );
    txn.queue = run.catch(() => undefined);
    return run;
  }

  private async addNow(
    t: OpenTxn,
    byGroup: Map<number, WireEdge[]>,
    preds: Iterable<string>,
  ): Promise<OpenTxn> {
    const startTs = t.startTs;
    let n = 0;
    for (const list of byGroup.values()) n += list.length;
    if (this.held + n > this.maxEdges) {
      if (t.edges === 0) this.drop(startTs);
      throw new HttpError(
        'BAD_REQUEST',
        `the open transactions on this Alpha would hold more than ${this.maxEdges} uncommitted edges: commit large loads with commitNow, or in several transactions`,
      );
    }
    const merged = mergedGroups(t.byGroup, byGroup);
    if (t.ownReads && t.edges + n > MAX_OWN_READS) {
      // Too big to read its own writes: its reads are refused from now on.
      t.ownReads = false;
      this.forgetPending(t);
    } else if (t.ownReads) {
      const set: number[] = [];
      try {
        for (const [g, list] of merged) {
          await (await this.cluster.groupApi(g)).setPending(startTs, list);
          set.push(g);
        }
      } catch (e) {
        // Back to what the groups held before this mutation.
        for (const g of set) {
          const api = await this.cluster.groupApi(g).catch(() => undefined);
          await api?.setPending(startTs, t.byGroup.get(g) ?? []).catch(() => undefined);
        }
        if (t.edges === 0) this.drop(startTs);
        throw e;
      }
    }
    for (const [g, list] of merged) t.byGroup.set(g, list);
    for (const p of preds) t.preds.add(p);
    t.edges += n;
    this.held += n;
    return t;
  }

  /** Tells the transaction's groups to forget its pending edges (best effort: they expire too). */
  private forgetPending(t: OpenTxn): void {
    for (const g of t.byGroup.keys()) {
      void this.cluster
        .groupApi(g)
        .then((api) => api.setPending(t.startTs, []))
        .catch(() => undefined);
    }
  }

  /** Runs `fn`, a write of the transaction at `startTs`, counting that ts pending meanwhile. */
  async writingAt<T>(startTs: bigint, fn: () => Promise<T>): Promise<T> {
    this.writing.set(startTs, (this.writing.get(startTs) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const n = (this.writing.get(startTs) ?? 1) - 1;
      if (n > 0) this.writing.set(startTs, n);
      else this.writing.delete(startTs);
    }
  }

  /**
   * The oldest start ts this Alpha may still commit (an open transaction, or a mutation or commit
   * running now), undefined when none: what it reports to Zero (pending-report.ts).
   */
  oldestPending(): bigint | undefined {
    let min: bigint | undefined;
    for (const m of [this.open, this.writing] as Map<bigint, unknown>[])
      for (const ts of m.keys()) if (min === undefined || ts < min) min = ts;
    return min;
  }

  /** Forgets the transaction at `startTs` (abort), returning it. */
  drop(startTs: bigint): OpenTxn | undefined {
    const t = this.open.get(startTs);
    if (!t) return undefined;
    clearTimeout(t.expires);
    this.open.delete(startTs);
    this.held -= t.edges;
    if (t.ownReads) this.forgetPending(t);
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
    const r = await this.writingAt(startTs, () => commitEdges(this.cluster, t.byGroup, startTs));
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
    this.held = 0;
  }
}
