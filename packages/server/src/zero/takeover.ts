/**
 * The wait of a new oracle leader (Zeros on etcd). The commits its predecessor handed out may still
 * be applying at the groups when it takes over, and it has no record of them. If it handed out a
 * commit timestamp at once, a group could apply that newer commit before an older one and then
 * refuse the older one (a store applies commits in timestamp order). A read timestamp handed out
 * at once could see such a commit at one group and not yet at another.
 *
 * So no timestamp leaves a new term's oracle until every Alpha listed alive has reported, after the
 * takeover, that it applies no commit at or below the takeover's ceiling (each Alpha reports its
 * oldest commit in flight every second, with its pending starts). This usually takes a second or
 * two. After `maxWaitMs` (the oracle's pending timeout) the wait ends anyway: a coordinator silent
 * that long is presumed dead, as the oracle presumes of a pending commit.
 */
const MAX_REPORTERS = 10_000;

interface Report {
  at: number;
  inflight: bigint | undefined;
}

interface Open {
  ceiling: bigint;
  since: number;
  deadline: number;
  wait?: Promise<void>;
}

export class TakeoverGate {
  private readonly reports = new Map<string, Report>();
  private open: Open | undefined;

  constructor(
    /** The Alphas listed alive (their heartbeat leases in etcd). */
    private readonly liveMembers: () => Promise<string[]>,
    private readonly maxWaitMs: number,
    private readonly pollMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** An Alpha's report: the oldest commit it is still applying (undefined: none). */
  report(addr: string, inflight: bigint | undefined): void {
    this.reports.delete(addr);
    if (this.reports.size >= MAX_REPORTERS) {
      const oldest = this.reports.keys().next().value;
      if (oldest !== undefined) this.reports.delete(oldest);
    }
    this.reports.set(addr, { at: this.now(), inflight });
  }

  /** A new term begins: every timestamp at or below `ceiling` was the predecessors'. */
  begin(ceiling: bigint): void {
    const now = this.now();
    this.open = { ceiling, since: now, deadline: now + this.maxWaitMs };
  }

  /** Whether a timestamp may leave now (no takeover is waiting). */
  get settled(): boolean {
    return this.open === undefined;
  }

  /** Resolves when the takeover's wait is over (at once when there is none). */
  wait(): Promise<void> {
    const t = this.open;
    if (!t) return Promise.resolve();
    t.wait ??= this.waitFor(t);
    return t.wait;
  }

  private clear(t: Open, live: string[]): boolean {
    return live.every((addr) => {
      const r = this.reports.get(addr);
      return r !== undefined && r.at >= t.since && (r.inflight === undefined || r.inflight > t.ceiling);
    });
  }

  private async waitFor(t: Open): Promise<void> {
    while (this.now() < t.deadline) {
      const live = await this.liveMembers().catch(() => undefined);
      if (live && this.clear(t, live)) break;
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    if (this.open === t) this.open = undefined;
  }
}
