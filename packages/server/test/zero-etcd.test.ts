/**
 * Zero's state on a real etcd (`createZero({etcd})`, `strata zero --etcd`): several Zeros share it,
 * one oracle leader hands out every id, the others refuse id routes naming it; the Zero client
 * moves on to the Zero that leads; tablets, restore decisions and the backup lock are shared; a
 * new leader starts above every id handed out before and refuses transactions started before it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError, ZeroClient } from '@strata/core';
import { createZero, EtcdZeroStore, type Zero } from '../src/index.js';
import { startEtcd, type EtcdCluster } from './etcd-harness.js';

const TOKEN = 'etcd-test-token-0123456789';
let etcd: EtcdCluster;
const dataRoot = mkdtempSync(path.join(tmpdir(), 'strata-zero-etcd-'));
let prefixN = 0;
const open: Zero[] = [];

beforeAll(async () => {
  etcd = await startEtcd(1);
}, 30_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dataRoot, { recursive: true, force: true });
});
afterEach(async () => {
  for (const z of open.splice(0)) await z.close();
});

/** A fresh cluster prefix per test: the tests share one etcd. */
function newPrefix(): string {
  prefixN += 1;
  return `/strata-test-${prefixN}/`;
}

async function zeroOn(
  prefix: string,
  opts: { groups?: number; leaseBlock?: bigint; ttl?: number; memberTtl?: number } = {},
): Promise<Zero> {
  const z = await createZero({
    dataDir: dataRoot,
    port: 0,
    token: TOKEN,
    etcd: {
      endpoints: etcd.endpoints,
      prefix,
      leaderTtlSeconds: opts.ttl ?? 3,
      memberTtlSeconds: opts.memberTtl ?? 10,
    },
    ...(opts.groups === undefined ? {} : { groups: opts.groups }),
    ...(opts.leaseBlock === undefined ? {} : { leaseBlock: opts.leaseBlock }),
  });
  open.push(z);
  return z;
}

async function closeZero(z: Zero): Promise<void> {
  open.splice(open.indexOf(z), 1);
  await z.close();
}

function addrOf(z: Zero): string {
  return z.url.replace(/^https?:\/\//, '');
}

function client(zs: Zero[], failoverMs = 20_000): ZeroClient {
  return new ZeroClient(zs.map(addrOf).join(','), TOKEN, { failoverMs });
}

describe('Zeros sharing one etcd', () => {
  it('share one cluster; one leads the oracle, the other forwards id routes to it', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 3 });
    const b = await zeroOn(prefix);
    const sa = await new ZeroClient(addrOf(a), TOKEN).state();
    const sb = await new ZeroClient(addrOf(b), TOKEN).state();
    expect(sb.cid).toBe(sa.cid);
    expect(Object.keys(sb.groups)).toEqual(['1', '2', '3']);
    const zeros = Object.values(sb.zeros);
    expect(zeros.map((z) => z.addr).sort()).toEqual([addrOf(a), addrOf(b)].sort());
    expect(zeros.filter((z) => z.leader).map((z) => z.addr)).toEqual([addrOf(a)]);

    // The follower forwards what only the leader answers: ids continue the leader's sequence.
    const viaLeader = await new ZeroClient(addrOf(a), TOKEN).assignUids(5);
    const viaFollower = await new ZeroClient(addrOf(b), TOKEN).assignUids(5);
    expect(viaFollower.start).toBe(viaLeader.end + 1n);
    const headers = { 'x-strata-token': TOKEN };
    const read = await fetch(`${b.url}/internal/oracle/read-ts`, { headers });
    expect(read.status).toBe(200);
    // Asked as the leader (a forwarded request), a follower refuses, naming the leader.
    const r = await fetch(`${b.url}/assign?what=uids&num=5`, { headers: { 'x-strata-forwarded': '1' } });
    expect(r.status).toBe(503);
    const body = (await r.json()) as { code: string; message: string };
    expect(body.code).toBe('NOT_LEADER');
    expect(body.message).toContain(addrOf(a));
    // The token is still checked first on a follower.
    const noToken = await fetch(`${b.url}/internal/oracle/read-ts`);
    expect(noToken.status).toBe(401);
  });

  it('concurrent ids through both Zeros: no uid twice, commit timestamps distinct and increasing', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { leaseBlock: 7n });
    const b = await zeroOn(prefix, { leaseBlock: 7n });
    // Half the clients start at the follower (their first request moves on), half at the leader.
    const clients = [client([a, b]), client([b, a]), client([b, a]), client([a, b])];
    const uids: Array<[bigint, bigint]> = [];
    const ts: bigint[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < 40; k++) {
          if ((k + i) % 2 === 0) uids.push(Object.values(await c.assignUids(3)) as [bigint, bigint]);
          else ts.push(await c.readTs());
        }
      }),
    );
    uids.sort((x, y) => (x[0] < y[0] ? -1 : 1));
    for (let i = 1; i < uids.length; i++) expect(uids[i]![0]).toBeGreaterThan(uids[i - 1]![1]);
    expect(new Set(ts).size).toBe(ts.length);
    // One leader hands out every timestamp: strictly increasing in the order they were handed out.
    const c = client([b, a]);
    const seq: bigint[] = [];
    for (let k = 0; k < 20; k++) {
      seq.push(await c.commitTs());
      await c.done(seq[k]!, true); // the next commit timestamp waits for this one
    }
    for (let k = 1; k < seq.length; k++) expect(seq[k]!).toBeGreaterThan(seq[k - 1]!);
    expect(seq[0]!).toBeGreaterThan(ts.reduce((m, t) => (t > m ? t : m), 0n));
  });

  it('a predicate gets one group whichever Zero is asked first', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 4 });
    const b = await zeroOn(prefix);
    const preds = Array.from({ length: 24 }, (_, i) => `p${i}`);
    const ca = new ZeroClient(addrOf(a), TOKEN);
    const cb = new ZeroClient(addrOf(b), TOKEN);
    const [ga, gb] = await Promise.all([
      Promise.all(preds.map((p) => ca.tablet(p))),
      Promise.all(preds.map((p) => cb.tablet(p))),
    ]);
    expect(gb).toEqual(ga);
    expect(new Set(ga).size).toBe(4); // spread over the groups
    const st = await ca.state();
    const listed = Object.values(st.groups).reduce((n, g) => n + Object.keys(g.tablets).length, 0);
    expect(listed).toBe(preds.length);
  });

  it('a restore is decided once, whichever Zero hears first, with its tablet moves', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 2 });
    const b = await zeroOn(prefix);
    const ca = new ZeroClient(addrOf(a), TOKEN);
    const cb = new ZeroClient(addrOf(b), TOKEN);
    expect(await cb.tablet('name')).toBe(1);
    const [x, y] = await Promise.all([
      ca.decideRestore('r1', 'commit', [{ predicate: 'name', group: 2 }]),
      cb.decideRestore('r1', 'abort'),
    ]);
    expect(x).toBe(y);
    expect(await ca.restoreDecision('r1')).toBe(x);
    ca.forgetTablets();
    expect(await ca.tablet('name')).toBe(x === 'commit' ? 2 : 1);
    expect(await cb.restoreDecision('unknown')).toBe('pending');
  });

  it('the backup lock: taken through one Zero, renewed through another, freed by its etcd lease', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix);
    const b = await zeroOn(prefix);
    const ca = new ZeroClient(addrOf(a), TOKEN);
    const cb = new ZeroClient(addrOf(b), TOKEN);
    await ca.backupLock({
      op: 'acquire',
      id: 'b1',
      kind: 'backup',
      holder: 'alpha-1',
      description: 'backup to /x',
      timeoutMs: 2000,
    });
    await cb.backupLock({ op: 'renew', id: 'b1', timeoutMs: 2000 });
    const refused = await cb
      .backupLock({ op: 'acquire', id: 'b2', kind: 'backup', timeoutMs: 2000 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).status).toBe(409);
    expect((refused as ServiceError).message).toContain('backup to /x');
    // Not renewed: etcd ends the lease within its TTL (2 s) whichever Zero took it.
    await new Promise((r) => setTimeout(r, 3500));
    const lost = await ca.backupLock({ op: 'renew', id: 'b1', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect((lost as ServiceError).message).toContain('the lease b1 is lost');
    await cb.backupLock({ op: 'acquire', id: 'b2', kind: 'backup', timeoutMs: 2000 });
    expect(await ca.backupLock({ op: 'release', id: 'b2' })).toMatchObject({ released: true });
  }, 20_000);

  it('a new leader takes over, starts above every id handed out, and refuses older transactions', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { leaseBlock: 1000n, ttl: 2 });
    const b = await zeroOn(prefix, { leaseBlock: 1000n, ttl: 2 });
    const c = client([a, b]);
    const start = await c.readTs();
    const before = await c.commitTs();
    await c.done(before, true);
    const uidsBefore = await c.assignUids(10);
    await closeZero(a); // gives up its etcd lease: b campaigns within a second
    const after = await c.readTs();
    expect(after).toBeGreaterThan(before);
    const uidsAfter = await c.assignUids(10);
    expect(uidsAfter.start).toBeGreaterThan(uidsBefore.end);
    // Started under the old leader: the new one has no memory of what committed since, so refuses.
    expect(await c.commitTsChecked({ startTs: String(start), keys: ['k'], preds: [], coarse: [] })).toBe(
      'conflict',
    );
    const fresh = await c.readTs();
    const ts = await c.commitTsChecked({ startTs: String(fresh), keys: ['k'], preds: [], coarse: [] });
    expect(typeof ts).toBe('bigint');
    const st = await new ZeroClient(addrOf(b), TOKEN).state();
    expect(Object.values(st.zeros).map((z) => [z.addr, z.leader])).toEqual([[addrOf(b), true]]);
  }, 20_000);

  it('the state outlives every Zero: a new one continues above the stored ceilings', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 2, leaseBlock: 50n });
    const ca = new ZeroClient(addrOf(a), TOKEN);
    const u = await ca.assignUids(120);
    const t = await ca.readTs();
    expect(await ca.tablet('friend')).toBe(1);
    const member = await ca.connect(2, '127.0.0.1:9999');
    await closeZero(a);
    const b = await zeroOn(prefix);
    const cb = new ZeroClient(addrOf(b), TOKEN);
    expect((await cb.assignUids(1)).start).toBeGreaterThan(u.end);
    expect(await cb.readTs()).toBeGreaterThan(t);
    expect(await cb.tablet('friend')).toBe(1);
    expect(await cb.connect(2, '127.0.0.1:9999')).toMatchObject({ id: member.id, groupId: 2 });
    await expect(cb.connect(1, '127.0.0.1:9999')).rejects.toThrow(/already a member of group 2/);
    const st = await cb.state();
    expect(Object.keys(st.groups)).toEqual(['1', '2']);
    expect(BigInt(st.maxUID)).toBeGreaterThan(u.end);
    await expect(zeroOn(prefix, { groups: 1 })).rejects.toThrow(/has 2 groups; it cannot shrink to 1/);
  });

  it('an Alpha is listed alive while its heartbeats come, through any Zero, and dead after', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 2, memberTtl: 1 });
    const b = await zeroOn(prefix, { memberTtl: 1 });
    const ca = new ZeroClient(addrOf(a), TOKEN);
    await ca.connect(1, '127.0.0.1:7001'); // listed through a, heartbeats through the leader
    await ca.connect(2, '127.0.0.1:7002'); // never heard of again
    const dead = async () => {
      const st = await new ZeroClient(addrOf(b), TOKEN).state();
      return Object.fromEntries(
        Object.values(st.groups).flatMap((g) => Object.values(g.members).map((m) => [m.addr, m.amDead])),
      );
    };
    expect(await dead()).toEqual({ '127.0.0.1:7001': false, '127.0.0.1:7002': false });
    const c = client([b, a]);
    for (let i = 0; i < 8; i++) {
      await c.reportPendingStarts('127.0.0.1:7001', undefined);
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(await dead()).toEqual({ '127.0.0.1:7001': false, '127.0.0.1:7002': true });
    // Back after its lease ended: listed alive again (an unknown address is not listed at all).
    await new Promise((r) => setTimeout(r, 2500));
    expect((await dead())['127.0.0.1:7001']).toBe(true);
    await c.reportPendingStarts('127.0.0.1:7001', undefined);
    await c.reportPendingStarts('127.0.0.1:7999', undefined);
    expect(await dead()).toEqual({ '127.0.0.1:7001': false, '127.0.0.1:7002': true });
  }, 20_000);

  it('a Zero started with more groups grows the cluster for every Zero', async () => {
    const prefix = newPrefix();
    const a = await zeroOn(prefix, { groups: 2 });
    await zeroOn(prefix, { groups: 3 });
    const ca = new ZeroClient(addrOf(a), TOKEN);
    expect(Object.keys((await ca.state()).groups)).toEqual(['1', '2', '3']);
    expect(await ca.connect(3, '127.0.0.1:7303')).toMatchObject({ groupId: 3 });
    await expect(ca.connect(4, '127.0.0.1:7304')).rejects.toThrow(
      /unknown group 4: this cluster has groups 1 to 3/,
    );
  });

  it('etcd out of reach: a clear error naming the endpoints, nothing listening', async () => {
    const err = await EtcdZeroStore.open({
      endpoints: ['127.0.0.1:1'],
      prefix: newPrefix(),
      addr: '127.0.0.1:7',
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/etcd \(http:\/\/127\.0\.0\.1:1\) failed to read cluster/);
    expect((err as { code?: string }).code).toBe('ETCD_UNAVAILABLE');
  }, 20_000);
});
