/**
 * The oracle leader election among the Zeros sharing one etcd: the Zero holding the `oracle/leader`
 * key (put under its own etcd lease) hands out every timestamp, uid and namespace id; the others
 * refuse those routes with NOT_LEADER naming it, and campaign again when the key goes.
 *
 * - **Epoch**: the key's mod revision when this Zero won. Every lease block is reserved in a
 *   transaction that compares it (`fence`), so a deposed leader reserves nothing.
 * - **Liveness**: a leader hands out ids only while its etcd lease is known alive: the start of its
 *   last successful renewal, on the monotonic clock, is less than TTL minus a margin ago. A leader
 *   that was paused (SIGSTOP) past its lease wakes, finds it stale, and steps down before answering.
 * - **Term**: counts the times this Zero became leader; the oracle starts over (empty conflict
 *   memory, no pending commits) at each new term, as Dgraph's Zero does when it becomes leader.
 *
 * Each Zero also lists itself under `zeros/<addr>` on the same lease (shown in `/state`).
 */
import { performance } from 'node:perf_hooks';
import { HttpError } from '../../http/errors.js';
import type { EtcdKv } from './client.js';

export const LEADER_KEY = 'oracle/leader';
export const ZEROS_PREFIX = 'zeros/';

export interface LeaderOptions {
  /** The etcd lease's TTL (default 10 s): a dead leader is replaced within it. */
  ttlSeconds?: number;
  /** How often a follower tries to take over (default 1 s). */
  campaignEveryMs?: number;
}

interface Held {
  epoch: bigint;
  /** performance.now() at the start of the last renewal etcd confirmed. */
  aliveSince: number;
}

export class OracleLeader {
  private lease: string | undefined;
  private held: Held | undefined;
  private leaderAddr: string | undefined;
  private termCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private busy: Promise<void> = Promise.resolve();
  readonly ttlMs: number;
  private readonly campaignEveryMs: number;

  constructor(
    private readonly kv: EtcdKv,
    /** This Zero's advertised address (its id among the Zeros). */
    private readonly addr: string,
    opts: LeaderOptions = {},
  ) {
    this.ttlMs = (opts.ttlSeconds ?? 10) * 1000;
    this.campaignEveryMs = opts.campaignEveryMs ?? 1000;
  }

  /** Joins: registers this Zero and campaigns once (a lone Zero leads when this returns). */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    // A leader renews every third of its TTL (as etcd's Go client does); a follower campaigns.
    const every = this.held ? Math.min(this.ttlMs / 3, this.campaignEveryMs * 3) : this.campaignEveryMs;
    this.timer = setTimeout(() => {
      this.busy = this.tick()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, every);
    this.timer.unref();
  }

  /** One round: renew the lease (stepping down when it is gone), or campaign for the key. */
  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.lease !== undefined) {
      const sent = performance.now();
      let ttl: number;
      try {
        ttl = await this.kv.keepAliveOnce(this.lease);
      } catch {
        this.checkAlive();
        return;
      }
      if (ttl <= 0) {
        this.stepDown();
        this.lease = undefined;
      } else if (this.held) {
        this.held.aliveSince = sent;
      }
    }
    if (this.lease === undefined) {
      this.lease = await this.kv.grantLease(Math.ceil(this.ttlMs / 1000));
      await this.kv.txn(
        [],
        [{ put: ZEROS_PREFIX + this.addr, value: JSON.stringify({ addr: this.addr }), lease: this.lease }],
      );
    }
    if (this.held) return;
    const sent = performance.now();
    const me = JSON.stringify({ addr: this.addr });
    const r = await this.kv.txn(
      [{ key: LEADER_KEY, absent: true }],
      [{ put: LEADER_KEY, value: me, lease: this.lease }],
      [{ get: LEADER_KEY }],
    );
    if (r.succeeded) {
      this.held = { epoch: r.revision, aliveSince: sent };
      this.leaderAddr = this.addr;
      this.termCount += 1;
      return;
    }
    const cur = r.reads[0];
    this.leaderAddr = cur ? leaderAddrOf(cur.value) : undefined;
    if (cur && this.leaderAddr === this.addr) {
      // Our own key from an earlier lease of this process: it goes with that lease.
      this.leaderAddr = undefined;
    }
  }

  /** Steps down when the lease's last confirmed renewal is too old to trust. */
  private checkAlive(): boolean {
    if (!this.held) return false;
    const margin = Math.min(2000, this.ttlMs / 5);
    if (performance.now() - this.held.aliveSince < this.ttlMs - margin) return true;
    this.stepDown();
    return false;
  }

  private stepDown(): void {
    if (!this.held) return;
    this.held = undefined;
    this.leaderAddr = undefined;
    const lease = this.lease;
    this.lease = undefined;
    // Revoking deletes the key now rather than at the end of the TTL; if etcd is out of reach the
    // TTL does it. Either way this Zero no longer hands out ids.
    if (lease !== undefined) void this.kv.revokeLease(lease).catch(() => undefined);
  }

  /** Whether this Zero leads now (checked before every id it hands out). */
  isLeader(): boolean {
    return this.checkAlive();
  }

  /** Throws NOT_LEADER (503) naming the leader when this Zero does not lead. */
  assertLeader(): Held {
    if (this.checkAlive() && this.held) return this.held;
    const who = this.leaderAddr ? `the leader is ${this.leaderAddr}` : 'an election is under way';
    throw new HttpError(
      'NOT_LEADER',
      `this Zero (${this.addr}) is not the oracle leader: ${who}; timestamps, uids and namespace ids come from the leader`,
      503,
      this.leaderAddr ? { leader: this.leaderAddr } : undefined,
    );
  }

  /** The compare that fences a lease reservation to this leader's epoch. */
  fence(): { key: string; modRevision: bigint } {
    return { key: LEADER_KEY, modRevision: this.assertLeader().epoch };
  }

  /** Called when a fenced transaction failed because the leader key moved. */
  lost(): void {
    this.stepDown();
  }

  get term(): number {
    return this.termCount;
  }

  get leader(): string | undefined {
    return this.held ? this.addr : this.leaderAddr;
  }

  /**
   * The leader as etcd says now, when this Zero does not lead and has not seen who does (it has
   * just stepped down or woken from a pause): one read of the leader key.
   */
  async lookUpLeader(): Promise<string | undefined> {
    if (this.isLeader()) return this.addr;
    if (this.leaderAddr !== undefined) return this.leaderAddr;
    const cur = await this.kv.get(LEADER_KEY);
    const addr = cur ? leaderAddrOf(cur.value) : undefined;
    // Our own key from a lease we lost is not a leader: it goes when that lease ends.
    if (addr !== undefined && addr !== this.addr) this.leaderAddr = addr;
    return addr === this.addr ? undefined : addr;
  }

  /** Stops campaigning and gives up the key and this Zero's entry at once. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy.catch(() => undefined);
    this.held = undefined;
    const lease = this.lease;
    this.lease = undefined;
    if (lease !== undefined) await this.kv.revokeLease(lease).catch(() => undefined);
  }
}

function leaderAddrOf(value: string): string | undefined {
  try {
    const v = JSON.parse(value) as { addr?: unknown };
    return typeof v.addr === 'string' ? v.addr : undefined;
  } catch {
    return undefined;
  }
}
