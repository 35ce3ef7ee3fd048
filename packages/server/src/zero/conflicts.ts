/**
 * Conflict detection for commits, as Dgraph's Zero does it: each commit names the start ts of its
 * transaction and the conflict keys its groups computed at prepare (../alpha/conflict-keys.ts);
 * the commit is refused when a transaction that committed after that start ts wrote one of them.
 *
 * A transaction with too many keys sends its predicates as coarse keys instead: it conflicts with
 * every commit since its start that touched them, and later transactions touching them conflict
 * with it. A commit is remembered while a transaction that may still commit started before it:
 * once it is older than the oldest start ts the Alphas report pending (pending-starts.ts) and
 * older than `graceMs` (a transaction that has a start ts but has not written yet is known to no
 * Alpha), it is forgotten. Memory is bounded besides: commits older than `maxAgeMs`, and the oldest
 * beyond `maxKeys` entries, are forgotten too. A transaction that started before the newest
 * forgotten commit (or before this Zero started) is refused as too old, never let through unchecked.
 */

export interface ConflictCheck {
  startTs: bigint;
  /** Hashed keys (data keys, list values, @upsert index tokens). */
  keys: string[];
  /** Every predicate the transaction writes. */
  preds: string[];
  /** Predicates whose keys were too many to send: any write to them since `startTs` conflicts. */
  coarse: string[];
}

interface Entry {
  ts: bigint;
  at: number;
}

/** base64url digit values by character code (-1: not one). */
const B64 = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries())
  B64[c.charCodeAt(0)] = i;

/**
 * A key as a number of 52 bits: the first 52 bits of the Alphas' base64url SHA-1 keys
 * (../alpha/conflict-keys.ts), anything else through FNV-1a. A number key takes about half the
 * memory of the string in a Map (2M keys: ~206 MB of RSS against ~313 MB); two keys sharing 52 bits
 * only cost a needless abort.
 */
function slot(k: string): number {
  let n = 0;
  for (let i = 0; i < 9 && i < k.length; i++) {
    const c = k.charCodeAt(i);
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) break;
    if (i === 8) return n * 16 + (v >> 2);
    n = n * 64 + v;
  }
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < k.length; i++) h = ((h ^ BigInt(k.charCodeAt(i))) * 0x100000001b3n) & 0xfffffffffffffn;
  return Number(h);
}

export interface ConflictsOptions {
  maxAgeMs?: number;
  maxKeys?: number;
  /** How long a commit is kept at least, for transactions no Alpha knows of yet (default 30 s). */
  graceMs?: number;
  /**
   * The oldest start ts the Alphas may still commit (PendingStarts.floor): `null` for none,
   * `undefined` when unknown (then only `maxAgeMs` and `maxKeys` bound the memory).
   */
  pendingFloor?: () => bigint | null | undefined;
}

export class Conflicts {
  /** key ({@link slot}) → its newest commit; insertion order is commit order (an update moves a key last). */
  private readonly keys = new Map<number, Entry>();
  /** predicate → its newest commit of any kind, and of a coarse one. */
  private readonly anyPred = new Map<string, Entry>();
  private readonly coarsePred = new Map<string, Entry>();
  /** Transactions that started before this cannot be checked any more. */
  private horizon: bigint | undefined;
  private readonly maxAgeMs: number;
  private readonly maxKeys: number;
  private readonly graceMs: number;
  private readonly pendingFloor: () => bigint | null | undefined;

  constructor(opts: ConflictsOptions = {}) {
    this.maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
    this.maxKeys = opts.maxKeys ?? 2_000_000;
    this.graceMs = opts.graceMs ?? 30_000;
    this.pendingFloor = opts.pendingFloor ?? (() => undefined);
  }

  /** The first timestamp this Zero hands out: older transactions were not tracked here. */
  startAt(ts: bigint): void {
    this.horizon ??= ts;
  }

  /** Whether the commit must be refused (a conflicting newer commit, or too old to tell). */
  conflicts(c: ConflictCheck): boolean {
    this.forget();
    if (this.horizon === undefined || c.startTs < this.horizon) return true;
    const after = (e: Entry | undefined) => e !== undefined && e.ts > c.startTs;
    for (const k of c.keys) if (after(this.keys.get(slot(k)))) return true;
    for (const p of c.preds) if (after(this.coarsePred.get(p))) return true;
    for (const p of c.coarse) if (after(this.anyPred.get(p))) return true;
    return false;
  }

  /** Records a commit's keys at its commit ts. */
  record(c: ConflictCheck, ts: bigint): void {
    const e: Entry = { ts, at: Date.now() };
    const put = <K>(m: Map<K, Entry>, k: K) => {
      m.delete(k);
      m.set(k, e);
    };
    for (const k of c.keys) put(this.keys, slot(k));
    for (const p of c.preds) put(this.anyPred, p);
    for (const p of c.coarse) put(this.coarsePred, p);
    this.forget();
  }

  /** The number of keys remembered (tests). */
  get size(): number {
    return this.keys.size;
  }

  private forget(): void {
    const now = Date.now();
    const floor = this.pendingFloor();
    // Not needed by any transaction that may still commit (and past the grace), or past the bounds.
    const done = (e: Entry) =>
      floor !== undefined && (floor === null || e.ts < floor) && e.at < now - this.graceMs;
    const tooOld = (e: Entry) => e.at < now - this.maxAgeMs;
    for (const m of [this.keys, this.anyPred, this.coarsePred] as Map<unknown, Entry>[]) {
      const bounded = m === (this.keys as Map<unknown, Entry>);
      // Insertion order is commit order (ts and time grow): stop at the first commit still needed.
      for (const [k, e] of m) {
        if (!done(e) && !tooOld(e) && !(bounded && m.size > this.maxKeys)) break;
        m.delete(k);
        if (this.horizon === undefined || e.ts > this.horizon) this.horizon = e.ts;
      }
    }
  }
}
