/**
 * The coordinator's side of Zero's backup/restore lock: a lease with a time to live, renewed on a
 * heartbeat (every third of the TTL) for as long as the backup or restore runs. When a renewal is
 * refused (the lease ended, another holder has it, Zero restarted) or Zero cannot be reached until
 * the lease has run out, the lease is lost: {@link Lease.check} throws from then on and
 * {@link Lease.lost} settles, so the holder stops before it writes anything that makes its work
 * visible.
 */
import type { BackupLockRequest } from '@strata/core';
import { HttpError } from '../../http/errors.js';

/** Default TTL; `STRATA_BACKUP_LEASE_MS` (tests) sets another (at least 1000). */
export const DEFAULT_LEASE_TTL_MS = 30_000;

export function leaseTtlMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.STRATA_BACKUP_LEASE_MS;
  if (raw === undefined || raw === '') return DEFAULT_LEASE_TTL_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1000 || n > 3600_000) {
    throw new Error(`STRATA_BACKUP_LEASE_MS must be an integer between 1000 and 3600000 (got "${raw}")`);
  }
  return n;
}

/** Zero's lock route, as the lease calls it. */
export type LockCall = (body: BackupLockRequest) => Promise<unknown>;

function text(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Zero at [^:]+:\d+: /, '');
}

/** A lease taken by {@link Lease.acquire}; call {@link release} when done. */
export class Lease {
  #lostError: HttpError | undefined;
  #released = false;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  /** When the lease ends unless renewed, by this process's clock (conservative: taken before the call). */
  #until: number;
  #onLost: (err: HttpError) => void = () => undefined;
  /** Settles (never rejects) with the error once the lease is lost. */
  readonly lost: Promise<HttpError>;

  private constructor(
    readonly id: string,
    readonly kind: 'backup' | 'restore' | 'expire',
    readonly ttlMs: number,
    private readonly call: LockCall,
    start: number,
    private readonly now: () => number,
    private readonly warn: (msg: string) => void,
  ) {
    this.#until = start + ttlMs;
    this.lost = new Promise((resolve) => (this.#onLost = resolve));
  }

  /** Takes Zero's lock for `id` (409 CONFLICT naming the holder when held) and starts the heartbeat. */
  static async acquire(o: {
    id: string;
    kind: 'backup' | 'restore' | 'expire';
    holder: string;
    description: string;
    ttlMs: number;
    call: LockCall;
    now?: () => number;
    warn?: (msg: string) => void;
  }): Promise<Lease> {
    const now = o.now ?? Date.now;
    const start = now();
    await o.call({
      op: 'acquire',
      id: o.id,
      kind: o.kind,
      holder: o.holder,
      description: o.description,
      timeoutMs: o.ttlMs,
    });
    const lease = new Lease(o.id, o.kind, o.ttlMs, o.call, start, now, o.warn ?? (() => undefined));
    lease.#timer = setInterval(() => void lease.renew(), Math.max(100, Math.floor(o.ttlMs / 3)));
    lease.#timer.unref();
    return lease;
  }

  /** The error of a lost lease, or undefined while it is held. */
  get lostError(): HttpError | undefined {
    return this.#lostError;
  }

  /** Throws the lease-lost error once the lease is lost. */
  check(): void {
    if (this.#lostError) throw this.#lostError;
  }

  /** Renews now and throws when the lease is lost: the last check before a write that publishes. */
  async confirm(): Promise<void> {
    await this.renew();
    this.check();
  }

  /** One renewal (concurrent calls share it). */
  renew(): Promise<void> {
    if (this.#lostError || this.#released) return Promise.resolve();
    this.#renewing ??= this.#renewOnce().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #renewOnce(): Promise<void> {
    const start = this.now();
    // A renewal that takes longer than the rest of the lease cannot save it.
    const budget = Math.max(1, this.#until - start);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.call({ op: 'renew', id: this.id, timeoutMs: this.ttlMs }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${budget} ms`)), budget);
        }),
      ]);
      if (!this.#released) this.#until = start + this.ttlMs;
    } catch (err) {
      if (this.#released) return;
      if (err instanceof HttpError && err.statusCode === 409) {
        this.#lose(text(err));
      } else if (this.now() >= this.#until) {
        this.#lose(
          `Zero could not be reached to renew it before it ended at ${new Date(this.#until).toISOString()}: ${text(err)}`,
        );
      } else {
        this.warn(`could not renew the ${this.kind} lease ${this.id} (retrying): ${text(err)}`);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #lose(why: string): void {
    if (this.#lostError) return;
    this.#stop();
    const msg = why.startsWith(`the lease ${this.id} is lost`) ? why : `the lease ${this.id} is lost: ${why}`;
    this.#lostError = new HttpError(
      'CONFLICT',
      `${this.kind} stopped: it lost Zero's backup/restore lock (${msg}); nothing of it was published`,
      409,
    );
    this.#onLost(this.#lostError);
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the heartbeat and gives the lock back (best effort: it ends by itself anyway). */
  async release(): Promise<void> {
    this.#stop();
    this.#released = true;
    await this.call({ op: 'release', id: this.id }).catch((err: unknown) => {
      this.warn(`could not release the ${this.kind} lock ${this.id} (it ends by itself): ${text(err)}`);
    });
  }
}
