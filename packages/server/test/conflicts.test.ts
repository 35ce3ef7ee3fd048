/** Zero's conflict memory (src/zero/conflicts.ts): bounded, and never lets an unchecked commit through. */
import { describe, expect, it } from 'vitest';
import { Conflicts } from '../src/zero/conflicts.js';
import { hash } from '../src/alpha/conflict-keys.js';
import { PendingStarts } from '../src/zero/pending-starts.js';

const check = (startTs: bigint, keys: string[]) => ({ startTs, keys, preds: [], coarse: [] });

describe('conflict memory', () => {
  it('forgets the oldest keys past its bound, and then refuses transactions older than them', () => {
    const c = new Conflicts({ maxKeys: 3 });
    c.startAt(1n);
    for (let i = 0; i < 5; i++) c.record(check(1n, [`k${i}`]), BigInt(10 + i));
    expect(c.size).toBe(3);
    // k0 (ts 10) and k1 (ts 11) are forgotten: a transaction started before 11 cannot be checked.
    expect(c.conflicts(check(10n, ['other']))).toBe(true);
    expect(c.conflicts(check(11n, ['other']))).toBe(false);
    // Remembered keys still conflict with older starts.
    expect(c.conflicts(check(13n, ['k4']))).toBe(true);
    expect(c.conflicts(check(14n, ['k4']))).toBe(false);
  });

  it('forgets commits older than its age, moving the horizon past them', async () => {
    const c = new Conflicts({ maxAgeMs: 20 });
    c.startAt(1n);
    c.record(check(1n, ['a']), 5n);
    expect(c.conflicts(check(4n, ['a']))).toBe(true);
    await new Promise((r) => setTimeout(r, 40));
    expect(c.conflicts(check(6n, ['b']))).toBe(false);
    expect(c.size).toBe(0);
    expect(c.conflicts(check(4n, ['b']))).toBe(true);
  });

  it('refuses every check until it knows where its memory starts', () => {
    const c = new Conflicts();
    expect(c.conflicts(check(5n, []))).toBe(true);
    c.startAt(5n);
    expect(c.conflicts(check(5n, []))).toBe(false);
    expect(c.conflicts(check(4n, []))).toBe(true);
  });

  it('keeps the base64url keys of the Alphas by their first 52 bits', () => {
    const c = new Conflicts();
    c.startAt(1n);
    c.record(check(1n, ['AbCd-_0123456789']), 5n);
    expect(c.conflicts(check(4n, ['AbCd-_0123456789']))).toBe(true);
    expect(c.conflicts(check(4n, ['AbCd-_012zzzzzzz']))).toBe(true); // same 52 bits: a needless abort
    expect(c.conflicts(check(4n, ['AbCd-_01Azzzzzzz']))).toBe(false);
    expect(c.conflicts(check(4n, ['BbCd-_0123456789']))).toBe(false);
  });
});

describe("forgetting below the Alphas' oldest pending start ts (zero/pending-starts.ts)", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('keeps everything while no Alpha has reported (only the age and size bounds apply)', async () => {
    const starts = new PendingStarts();
    const c = new Conflicts({ graceMs: 0, pendingFloor: () => starts.floor() });
    c.startAt(1n);
    c.record(check(1n, ['a']), 5n);
    await sleep(5);
    expect(c.conflicts(check(4n, ['x']))).toBe(false);
    expect(c.size).toBe(1);
  });

  it('forgets commits older than the oldest pending start once past the grace, never one a pending start needs', async () => {
    const starts = new PendingStarts();
    const c = new Conflicts({ graceMs: 20, pendingFloor: () => starts.floor() });
    c.startAt(1n);
    for (const [ts, k] of [
      [5n, 'a'],
      [7n, 'b'],
      [9n, 'c'],
    ] as const)
      c.record(check(1n, [k]), ts);
    starts.report('alpha-1:7080', 8n); // a transaction started at 8 may still commit
    starts.report('alpha-2:7080', undefined); // nothing pending there
    expect(c.size).toBe(3); // within the grace
    await sleep(40);
    c.record(check(8n, ['d']), 11n);
    expect(c.size).toBe(2); // 5 and 7 are gone: nothing pending started before them
    expect(c.conflicts(check(8n, ['c']))).toBe(true); // 9 still conflicts with the start at 8
    expect(c.conflicts(check(6n, ['x']))).toBe(true); // a start before 7 is too old to tell
    expect(c.conflicts(check(8n, ['x']))).toBe(false);
    // Nothing pending any more: everything past the grace goes.
    starts.report('alpha-1:7080', undefined);
    await sleep(40);
    expect(c.conflicts(check(12n, ['x']))).toBe(false);
    expect(c.size).toBe(0);
    expect(c.conflicts(check(10n, ['x']))).toBe(true);
  });

  it('counts only fresh reports: a silent Alpha stops holding commits back', () => {
    const starts = new PendingStarts(30);
    starts.report('a', 3n, 1000);
    starts.report('b', 9n, 1000);
    expect(starts.floor(1010)).toBe(3n);
    starts.report('b', 9n, 1020);
    expect(starts.floor(1040)).toBe(9n); // a went silent
    expect(starts.floor(1100)).toBeUndefined(); // nobody reports: unknown
  });
});

describe('conflict key hash (alpha/conflict-keys.ts)', () => {
  it('gives 16 base64url characters, the same for the same parts, different ones for near keys', () => {
    const k = hash(['d', 'name', '12']);
    expect(k).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(hash(['d', 'name', '12'])).toBe(k);
    // the part boundary counts, and a buffer hashes by its bytes
    expect(hash(['d', 'name1', '2'])).not.toBe(k);
    expect(hash(['d', 'name', Buffer.from('12')])).toBe(k);
    // 300,000 keys that differ in one character: distinct in the 52 bits Zero keeps
    const c = new Conflicts();
    c.startAt(1n);
    for (let i = 0; i < 300_000; i++)
      c.record(check(1n, [hash(['d', 'friend', String(i), `u${i + 1}`])]), 2n);
    expect(c.size).toBe(300_000);
  });
});
