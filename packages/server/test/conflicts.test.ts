/** Zero's conflict memory (src/zero/conflicts.ts): bounded, and never lets an unchecked commit through. */
import { describe, expect, it } from 'vitest';
import { Conflicts } from '../src/zero/conflicts.js';

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
