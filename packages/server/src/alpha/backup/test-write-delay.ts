/**
 * Test only: `STRATA_TEST_BACKUP_GROUP_DELAY_MS` (unset or 0 in production: off) slows each group
 * file's write by that many milliseconds times the group id, half before its first byte and half
 * before its end, so that kill -9 tortures can land while a file is half written and while one
 * group is done and another is not (e2e/torture/backup-resume-torture.ts). Logged once at start.
 */
import type { Destination } from '@strata/core';

export const TEST_DELAY_ENV = 'STRATA_TEST_BACKUP_GROUP_DELAY_MS';

/** The delay per group id asked for, 0 when off (a value that is not a whole number is ignored). */
export function testWriteDelayMs(env: Record<string, string | undefined> = process.env): number {
  const v = env[TEST_DELAY_ENV];
  if (!v || !/^\d{1,6}$/.test(v)) return 0;
  return Number(v);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `dest` whose streamed writes wait `ms` in all, half before the first chunk, half before the end. */
export function delayedWrites(dest: Destination, ms: number): Destination {
  if (ms <= 0) return dest;
  const write: Destination['write'] = async (path, data) => {
    if (data instanceof Uint8Array) return dest.write(path, data);
    async function* slow(): AsyncIterable<Uint8Array> {
      await sleep(ms / 2);
      for await (const c of data as AsyncIterable<Uint8Array>) yield c;
      await sleep(ms / 2);
    }
    return dest.write(path, slow());
  };
  return new Proxy(dest, {
    get(target, prop, receiver) {
      if (prop === 'write') return write;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
