/**
 * The oracle across leadership terms (Zeros on etcd): when this Zero leads again after another
 * Zero led, what it remembered is out of date, so it forgets its pending commits and refuses every
 * transaction that started before the new term, as Dgraph's Zero does when it becomes leader.
 */
import { describe, expect, it } from 'vitest';
import { Oracle, type ZeroState } from '../src/index.js';

/** The part of a ZeroState the oracle uses: timestamps, and a term the test moves. */
function fakeState(live: string[] = []): {
  state: ZeroState;
  setTerm(t: number): void;
  skipTo(ts: bigint): void;
} {
  let next = 1n;
  let term = 1;
  const state = {
    liveMembers: () => Promise.resolve(live),
    assign: (_what: string, num: number) => {
      const startId = String(next);
      next += BigInt(num);
      return Promise.resolve({ startId, endId: String(next - 1n) });
    },
    oracleTerm: () => term,
  } as unknown as ZeroState;
  return {
    state,
    setTerm: (t) => (term = t),
    skipTo: (ts) => (next = ts),
  };
}

const check = (startTs: bigint, keys: string[]) => ({ startTs, keys, preds: [], coarse: [] });

describe('oracle terms', () => {
  it('a new term refuses transactions started in the old one, even on keys it never saw', async () => {
    const f = fakeState();
    const o = new Oracle(f.state);
    const start = await o.readTs(); // 1
    const t1 = await o.commitTs(check(start, ['a']));
    expect(typeof t1).toBe('bigint');
    o.done(t1 as bigint, true);
    const later = await o.readTs(); // started after t1, in term 1: fine in term 1
    expect(await o.commitTs(check(later, ['b']))).not.toBe('conflict');
    o.done(later + 1n, true);

    // Another Zero led (and handed out timestamps up to 100) before this one leads again.
    const midway = await o.readTs();
    f.setTerm(2);
    f.skipTo(101n);
    expect(await o.commitTs(check(midway, ['c']))).toBe('conflict');
    const fresh = await o.readTs();
    expect(fresh).toBeGreaterThan(100n);
    const ok = await o.commitTs(check(fresh, ['c']));
    expect(ok).not.toBe('conflict');
  });

  it('a new term drops the old pending commits: reads do not wait for them', async () => {
    const f = fakeState();
    const o = new Oracle(f.state, { readWaitMs: 5_000 });
    const pending = await o.commitTs(); // never finished by its coordinator
    expect(o.pendingCount).toBe(1);
    f.setTerm(2);
    // Waiting for it would end in a read ts below it (the oracle's answer to a stuck commit).
    const r = await o.readTs();
    expect(r).toBeGreaterThan(pending as bigint);
    expect(o.pendingCount).toBe(0);
    expect(o.done(pending as bigint, true)).toBe(false); // unknown now
  });
});

describe("a new leader waits for its predecessors' commits", () => {
  it('hands out no timestamp until every live Alpha reported none in flight at or below the takeover', async () => {
    const f = fakeState(['a:1', 'b:1']);
    const o = new Oracle(f.state, { pendingTimeoutMs: 60_000 });
    let given: bigint | undefined;
    const read = o.readTs().then((ts) => (given = ts));
    await new Promise((r) => setTimeout(r, 300));
    expect(given).toBeUndefined(); // nobody reported yet
    o.reportInflight('a:1', undefined);
    o.reportInflight('b:1', 0n); // still applying a commit of the old term (ts 0 <= ceiling)
    await new Promise((r) => setTimeout(r, 300));
    expect(given).toBeUndefined();
    o.reportInflight('b:1', undefined); // done
    await read;
    expect(given).toBe(1n);
    // Settled: the next ones do not wait.
    expect(await o.readTs()).toBe(2n);
  });

  it('gives up waiting after the pending timeout (a silent coordinator is presumed dead)', async () => {
    const f = fakeState(['gone:1']);
    const o = new Oracle(f.state, { pendingTimeoutMs: 400 });
    expect(await o.readTs()).toBe(1n);
  });
});
