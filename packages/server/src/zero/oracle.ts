/**
 * The timestamp oracle for snapshot-correct reads (Dgraph's MaxAssigned watermark).
 *
 * A commit reserves a timestamp (`commitTs()`), which stays *pending* until the coordinator says
 * it is finished (`done(ts, committed)`). A read timestamp `ts` is only handed out such that every
 * commit at or below `ts` is finished: `readTs()` takes a fresh timestamp, waits briefly for the
 * commits pending below it, and if some are still pending returns one below the lowest of them.
 * Entries pending longer than `pendingTimeoutMs` are treated as aborted (their coordinator died).
 *
 * Commits are serialised cluster-wide: the next commit timestamp is handed out only when the
 * previous commit is finished, or queued in order at every group it writes (`queued(ts)`: its
 * owners apply their commits in the order they queued them). Every group's store therefore applies
 * commits in timestamp order (a store refuses a commit older than its newest), whatever the
 * interleaving of concurrent transactions. Only the short commit phase is serialised: prepares and
 * reads run concurrently, and commits queued behind a busy store are applied together.
 *
 * A commit that names its transaction's start ts and conflict keys is checked first, as Dgraph's
 * Zero does (conflicts.ts): when a transaction committed after that start ts wrote one of the keys,
 * no timestamp is handed out and the caller aborts.
 */
import { Conflicts, type ConflictCheck } from './conflicts.js';
import { PendingStarts } from './pending-starts.js';
import { TakeoverGate } from './takeover.js';
import type { ZeroState } from './state.js';

export interface OracleOptions {
  /** A pending commit older than this is treated as aborted (default 30 s). */
  pendingTimeoutMs?: number;
  /** How long `readTs()` waits for commits pending below it (default 2 s). */
  readWaitMs?: number;
}

interface Pending {
  since: number;
  waiters: Array<() => void>;
  /** Lets the next commit take its timestamp. */
  release: () => void;
  expiry: NodeJS.Timeout;
}

export class Oracle {
  private readonly pending = new Map<bigint, Pending>();
  /** Resolved when the latest commit slot is finished. */
  private commitSlot: Promise<void> = Promise.resolve();
  readonly pendingTimeoutMs: number;
  readonly readWaitMs: number;
  /** The oldest start ts each Alpha may still commit (what the conflict memory must keep). */
  readonly pendingStarts = new PendingStarts();
  /** The keys of recent commits (conflict detection); new at each oracle term. */
  conflicts = this.newConflicts();
  /**
   * The store's oracle term this memory belongs to (see ZeroState.oracleTerm): 0 until the first
   * timestamp, so that a Zero on etcd that leads from its start waits for its predecessors' commits
   * too (takeover.ts). The file state's term is always 0: one Zero, no predecessor.
   */
  private term = 0;
  /** A new term's wait for its predecessors' commits (takeover.ts). */
  private readonly takeover: TakeoverGate;

  constructor(
    private readonly store: ZeroState,
    opts: OracleOptions = {},
  ) {
    this.pendingTimeoutMs = opts.pendingTimeoutMs ?? 30_000;
    this.readWaitMs = opts.readWaitMs ?? 2_000;
    this.takeover = new TakeoverGate(() => store.liveMembers(), this.pendingTimeoutMs);
  }

  /** An Alpha's oldest commit in flight (its pending-starts report), for a takeover's wait. */
  reportInflight(addr: string, inflight: bigint | undefined): void {
    this.takeover.report(addr, inflight);
  }

  private newConflicts(): Conflicts {
    return new Conflicts({ pendingFloor: () => this.pendingStarts.floor() });
  }

  /** The next timestamp; `newTerm` when this Zero leads again after another Zero led. */
  private async nextTs(): Promise<{ ts: bigint; newTerm: boolean }> {
    const r = await this.store.assign('timestamps', 1);
    const ts = BigInt(r.startId);
    const term = this.store.oracleTerm();
    const newTerm = term !== this.term;
    if (newTerm) this.startTerm(term, ts);
    this.conflicts.startAt(ts);
    await this.takeover.wait();
    return { ts, newTerm };
  }

  /**
   * What this oracle knew is out of date once another Zero led: its pending commits are dropped
   * (their coordinators' `done` finds them unknown) and its conflict memory starts empty, so that
   * every transaction started before this term is refused, as Dgraph's new Zero leader does.
   */
  private startTerm(term: number, first: bigint): void {
    this.term = term;
    this.takeover.begin(first - 1n);
    for (const t of [...this.pending.keys()]) this.done(t, false);
    this.conflicts = this.newConflicts();
  }

  /**
   * Reserves a commit timestamp and marks it pending, once the previous commit is finished; with
   * `check`, answers `'conflict'` instead when a commit since its start ts wrote one of its keys.
   */
  async commitTs(check?: ConflictCheck): Promise<bigint | 'conflict'> {
    const previous = this.commitSlot;
    let release!: () => void;
    this.commitSlot = new Promise<void>((resolve) => (release = resolve));
    await previous;
    if (check && this.conflicts.conflicts(check)) {
      release();
      return 'conflict';
    }
    let ts: bigint;
    try {
      const next = await this.nextTs();
      ts = next.ts;
      // Checked against the old term's memory above: the new, empty one refuses it.
      if (check && next.newTerm && this.conflicts.conflicts(check)) {
        release();
        return 'conflict';
      }
    } catch (err) {
      release();
      throw err;
    }
    if (check) this.conflicts.record(check, ts);
    const expiry = setTimeout(() => this.done(ts, false), this.pendingTimeoutMs);
    expiry.unref();
    this.pending.set(ts, { since: Date.now(), waiters: [], release, expiry });
    return ts;
  }

  /**
   * The commit at `ts` is queued in order at every group it writes: the next commit may take its
   * timestamp. It stays pending for reads until `done`. Whether `ts` is pending.
   */
  queued(ts: bigint): boolean {
    const p = this.pending.get(ts);
    p?.release();
    return p !== undefined;
  }

  /** Marks a commit finished (committed or aborted). Unknown or expired timestamps are ignored. */
  done(ts: bigint, _committed: boolean): boolean {
    const p = this.pending.get(ts);
    if (!p) return false;
    this.pending.delete(ts);
    clearTimeout(p.expiry);
    p.release();
    for (const w of p.waiters) w();
    return true;
  }

  /** Pending commit timestamps below `ts`, dropping the expired ones. */
  private pendingBelow(ts: bigint): bigint[] {
    const now = Date.now();
    const out: bigint[] = [];
    for (const [t, p] of this.pending) {
      if (now - p.since > this.pendingTimeoutMs) {
        this.done(t, false);
        continue;
      }
      if (t < ts) out.push(t);
    }
    return out;
  }

  /** A read timestamp such that every commit at or below it is finished. */
  async readTs(): Promise<bigint> {
    const { ts } = await this.nextTs();
    const deadline = Date.now() + this.readWaitMs;
    for (;;) {
      const below = this.pendingBelow(ts);
      if (below.length === 0) return ts;
      const left = deadline - Date.now();
      if (left <= 0) {
        let min = below[0]!;
        for (const t of below) if (t < min) min = t;
        return min - 1n;
      }
      // Wait for the first of them to finish (or a short tick, to re-check expiry and the deadline).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        for (const t of below) {
          this.pending.get(t)?.waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        }
      });
    }
  }

  /** The number of commits pending (tests, /health). */
  get pendingCount(): number {
    return this.pending.size;
  }
}
