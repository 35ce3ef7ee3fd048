/**
 * The commit timestamps this Alpha holds between Zero's answer (`commit-ts`) and its `done`: the
 * commits it is applying at the groups. Reported to Zero with every pending-starts report, so that
 * a Zero that has just become the oracle leader (on etcd) knows when the commits its predecessor
 * handed out are all finished, and hands out no timestamp before then (../zero/oracle.ts).
 */
export class InflightCommits {
  private readonly held = new Map<bigint, number>();

  add(ts: bigint): void {
    this.held.set(ts, (this.held.get(ts) ?? 0) + 1);
  }

  remove(ts: bigint): void {
    const n = this.held.get(ts) ?? 0;
    if (n <= 1) this.held.delete(ts);
    else this.held.set(ts, n - 1);
  }

  /** The oldest commit in flight (undefined: none). */
  oldest(): bigint | undefined {
    let min: bigint | undefined;
    for (const ts of this.held.keys()) if (min === undefined || ts < min) min = ts;
    return min;
  }
}
