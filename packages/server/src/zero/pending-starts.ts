/**
 * What the Alphas say they may still commit: each reports, about once a second, the oldest start ts
 * among its open transactions and the writes it is running (../alpha/pending-report.ts). Zero's
 * conflict memory (conflicts.ts) may forget the commits older than the oldest of them, as Dgraph's
 * Zero purges its commit keys below the Alphas' oldest pending start ts.
 *
 * Only fresh reports count: an Alpha silent for `freshMs` is down or cut off, and a transaction it
 * still holds is refused at commit as too old (never let through unchecked).
 */
export interface PendingReport {
  /** The oldest start ts the Alpha may still commit; undefined when it has nothing pending. */
  oldest: bigint | undefined;
  at: number;
}

/** How many Alphas' reports are kept at most (a report names its Alpha's advertised address). */
const MAX_REPORTERS = 10_000;

export class PendingStarts {
  private readonly reports = new Map<string, PendingReport>();

  constructor(private readonly freshMs = 10_000) {}

  report(from: string, oldest: bigint | undefined, now = Date.now()): void {
    this.reports.delete(from);
    this.reports.set(from, { oldest, at: now });
    this.dropStale(now);
    if (this.reports.size > MAX_REPORTERS) this.reports.delete(this.reports.keys().next().value!);
  }

  /**
   * The oldest start ts a live Alpha may still commit: `null` when none has anything pending,
   * `undefined` when no Alpha reported lately (nothing is known, nothing may be forgotten for it).
   */
  floor(now = Date.now()): bigint | null | undefined {
    this.dropStale(now);
    if (this.reports.size === 0) return undefined;
    let min: bigint | null = null;
    for (const r of this.reports.values())
      if (r.oldest !== undefined && (min === null || r.oldest < min)) min = r.oldest;
    return min;
  }

  private dropStale(now: number): void {
    // Insertion order is report order (a report moves its Alpha last): the stale ones come first.
    for (const [from, r] of this.reports) {
      if (r.at >= now - this.freshMs) break;
      this.reports.delete(from);
    }
  }
}
