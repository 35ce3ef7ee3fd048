/** The backup/restore lock as a lease: renewed on a heartbeat, lost when it ends, freed by a dead holder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lease, type LockCall } from '../src/alpha/backup/lease.js';
import { HttpError } from '../src/http/errors.js';
import { BackupLock, buildZeroApp, TOKEN_HEADER, ZeroStore } from '../src/index.js';

const TOKEN = 'test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-lease-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Polls `f` every 50 ms until it is true; fails after `limitMs` (a bound, not a timing claim). */
async function eventually(f: () => Promise<boolean> | boolean, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`not true within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Zero's lock route through fastify.inject, as the Alpha's Zero client calls it (409 → HttpError). */
async function zeroLock(name: string) {
  const store = await ZeroStore.open({ dataDir: path.join(root, name) });
  const app = await buildZeroApp({ store, token: TOKEN });
  const call: LockCall = async (body) => {
    const r = await app.inject({
      method: 'POST',
      url: '/internal/backup-lock',
      headers: { [TOKEN_HEADER]: TOKEN },
      payload: body,
    });
    if (r.statusCode !== 200) throw new HttpError('CONFLICT', r.json().message as string, r.statusCode);
    return r.json();
  };
  return { call, close: async () => (await app.close(), await store.close()) };
}

const TTL = 1000;

describe('backup lease', () => {
  it('a holder that stops renewing (killed) frees the lock within its TTL', async () => {
    const z = await zeroLock('z1');
    try {
      // A holder that died right after taking the lock: no heartbeat.
      await z.call({
        op: 'acquire',
        id: 'backup-dead',
        kind: 'backup',
        holder: 'a:1',
        description: 'd',
        timeoutMs: TTL,
      });
      const refused = await z
        .call({ op: 'acquire', id: 'backup-next', timeoutMs: TTL })
        .catch((e: Error) => e);
      expect((refused as Error).message).toMatch(
        /another backup is running: d \(id backup-dead, coordinated by a:1, .*lease until/,
      );
      await eventually(
        () =>
          z.call({ op: 'acquire', id: 'backup-next', timeoutMs: TTL }).then(
            () => true,
            () => false,
          ),
        10 * TTL,
      );
    } finally {
      await z.close();
    }
  });

  it('a live holder keeps the lock past its TTL by renewing it', async () => {
    const z = await zeroLock('z2');
    const lease = await Lease.acquire({
      id: 'backup-live',
      kind: 'backup',
      holder: 'a:1',
      description: 'd',
      ttlMs: TTL,
      call: z.call,
    });
    try {
      // Several TTLs later another holder is still refused (renewals happen every TTL/3).
      let renewals = 0;
      await eventually(async () => {
        await lease.renew();
        return ++renewals >= 4;
      }, 20 * TTL);
      await new Promise((r) => setTimeout(r, TTL + 200));
      await expect(z.call({ op: 'acquire', id: 'backup-other', timeoutMs: TTL })).rejects.toThrow(
        /backup-live/,
      );
      expect(lease.lostError).toBeUndefined();
    } finally {
      await lease.release();
      await z.close();
    }
    expect(lease.lostError).toBeUndefined();
  });

  it('a lease that ended is lost for good: renew never re-takes it, check() throws', async () => {
    const z = await zeroLock('z3');
    try {
      const lease = await Lease.acquire({
        id: 'backup-a',
        kind: 'backup',
        holder: 'a:1',
        description: 'd',
        ttlMs: TTL,
        call: z.call,
      });
      // Zero forgets it (as after a restart) and another backup takes the lock.
      await z.call({ op: 'release', id: 'backup-a' });
      await z.call({
        op: 'acquire',
        id: 'backup-b',
        kind: 'backup',
        holder: 'b:2',
        description: 'other',
        timeoutMs: 60_000,
      });
      const err = await lease.lost;
      expect(err.message).toMatch(
        /^backup stopped: it lost Zero's backup\/restore lock \(the lease backup-a is lost: the lock is now held by another backup: other \(id backup-b, coordinated by b:2/,
      );
      expect(() => lease.check()).toThrow(err.message);
      await expect(lease.confirm()).rejects.toThrow(/lost/);
      await lease.release();
    } finally {
      await z.close();
    }
  });

  it('Zero unreachable until the lease ends: lost', async () => {
    let now = 0;
    let up = true;
    const call: LockCall = async (body) => {
      if (!up && body.op !== 'acquire') throw new Error('connect ECONNREFUSED');
      return {};
    };
    const lease = await Lease.acquire({
      id: 'backup-x',
      kind: 'backup',
      holder: 'a',
      description: 'd',
      ttlMs: TTL,
      call,
      now: () => now,
    });
    up = false;
    now = TTL / 2;
    await lease.renew();
    expect(lease.lostError).toBeUndefined();
    now = TTL + 1;
    await lease.renew();
    expect(lease.lostError?.message).toMatch(/Zero could not be reached to renew it before it ended/);
    await lease.release();
  });

  it('a Zero restart keeps the holder (one more TTL, renewable); unrenewed, it frees within that TTL', async () => {
    let z = await zeroLock('z4');
    await z.call({
      op: 'acquire',
      id: 'backup-a',
      kind: 'backup',
      holder: 'a:1',
      description: 'd',
      timeoutMs: TTL,
    });
    await z.close();
    z = await zeroLock('z4');
    try {
      await expect(z.call({ op: 'acquire', id: 'backup-b', timeoutMs: TTL })).rejects.toThrow(/id backup-a/);
      await z.call({ op: 'renew', id: 'backup-a', timeoutMs: TTL });
      await z.call({ op: 'release', id: 'backup-a' });
    } finally {
      await z.close();
    }
    // Released before the restart: free after it.
    z = await zeroLock('z4');
    try {
      await z.call({ op: 'acquire', id: 'backup-c', timeoutMs: TTL });
    } finally {
      await z.close();
    }
    // Held but never renewed after a restart: free within the TTL.
    z = await zeroLock('z4');
    try {
      await eventually(
        () =>
          z.call({ op: 'acquire', id: 'backup-d', timeoutMs: TTL }).then(
            () => true,
            () => false,
          ),
        10 * TTL,
      );
    } finally {
      await z.close();
    }
  });

  it('BackupLock.renew refuses an id it does not hold', () => {
    let t = 0;
    const l = new BackupLock(() => t);
    l.acquire({ id: 'a', kind: 'backup', timeoutMs: 1000 });
    t = 900;
    expect(l.renew('a', 1000).expires).toBe(1900);
    t = 1901;
    expect(() => l.renew('a', 1000)).toThrow(
      /the lease a is lost: it ended without renewal, or Zero restarted/,
    );
    expect(l.current()).toBeUndefined();
  });
});
