// Several Zeros on etcd, as real processes: a 3-member etcd, 3 `strata zero --etcd`, 6 groups (one
// Alpha each, given all three Zeros). Writers commit throughout while the oracle leader is killed
// (-9), an etcd member is killed, the leader is paused past its etcd lease (SIGSTOP, then
// SIGCONT), and a backup runs while its Zero dies. Every acknowledged commit must be in the data,
// no commit timestamp and no uid may be handed out twice, and the next backup must succeed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdCluster } from '../../packages/server/test/etcd-harness.js';
import { StrataOnEtcd } from './etcd-cluster.js';
import { RESTORE, STATUS } from './harness.js';
import { killAll, post, run } from './procs.js';

const TOKEN = 'e2e-etcd-cluster-token-0123456789';
const GROUPS = 6;
const PREDS = Array.from({ length: GROUPS }, (_, i) => `p${i + 1}`);
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-zero-etcd-'));
let etcd: EtcdCluster;
let c: StrataOnEtcd;
/** Every commit of any test, acknowledged or not (each test's writers add theirs). */
const all: { acks: Ack[]; failedValues: string[] } = { acks: [], failedValues: [] };

const alphaUrl = (i: number) => c.alphaUrl(i);

interface State {
  zeros: Record<string, { addr: string; leader: boolean }>;
  groups: Record<string, { tablets: Record<string, unknown> }>;
}

/** The oracle leader's index, asked of any live Zero; waits through an election. */
async function leaderIndex(ms = 30_000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    for (let i = 0; i < c.zeros.length; i++) {
      if (!c.zeroRunning(i)) continue;
      try {
        const s = (await (
          await fetch(`${c.zeroUrl(i)}/state`, { signal: AbortSignal.timeout(2000) })
        ).json()) as State;
        const lead = Object.values(s.zeros).find((x) => x.leader);
        const idx = lead ? c.zeros.findIndex((_, k) => c.zeroAddr(k) === lead.addr) : -1;
        if (idx >= 0) return idx;
      } catch {
        // paused or down: ask the next
      }
    }
    if (Date.now() > end) throw new Error('no oracle leader among the Zeros');
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Ack {
  value: string;
  commitTs: bigint;
  uid: string;
  /** performance.now() when the answer came. */
  at: number;
}

/** Prints a fault's figures (for docs/scale.md): the longest pause between acknowledged commits. */
function figures(fault: string, w: { acks: Ack[]; failed: number }, more: Record<string, number> = {}): void {
  let pause = 0;
  const at = w.acks.map((a) => a.at).sort((x, y) => x - y);
  for (let i = 1; i < at.length; i++) pause = Math.max(pause, at[i]! - at[i - 1]!);
  const shown = Object.entries(more).map(([k, v]) => `, ${k} ${v.toFixed(1)} s`);
  console.log(
    `failover figures: ${fault}: ${w.acks.length} commits acknowledged, ${w.failed} failed, ` +
      `longest pause between acknowledgements ${(pause / 1000).toFixed(1)} s${shown.join('')}`,
  );
}

/** Writers committing until `stop()`: each commit writes a unique value to 3 of the 6 groups. */
function writers(n: number) {
  const acks: Ack[] = [];
  /** The values of the commits that got no acknowledgement (an error, or no answer). */
  const failedValues: string[] = [];
  let stopped = false;
  const loops = Array.from({ length: n }, async (_, w) => {
    for (let i = 0; !stopped; i++) {
      const value = `w${w}-${i}-${acks.length}`;
      const preds = [PREDS[i % GROUPS]!, PREDS[(i + 2) % GROUPS]!, PREDS[(i + 4) % GROUPS]!];
      const rdf = preds.map((p) => `_:n <${p}> "${value}" .`).join('\n');
      try {
        const r = await post(
          `${alphaUrl((w + i) % GROUPS)}/mutate?commitNow=true`,
          `{ set {\n${rdf}\n} }`,
          'application/rdf',
        );
        const j = r.json as {
          data?: { uids?: Record<string, string> };
          extensions?: { txn?: { commit_ts?: string | number } };
        };
        const ts = j.extensions?.txn?.commit_ts;
        const uid = j.data?.uids?.n;
        if (r.status === 200 && ts !== undefined && uid !== undefined)
          acks.push({ value, commitTs: BigInt(ts), uid, at: performance.now() });
        else failedValues.push(value);
      } catch {
        failedValues.push(value);
      }
    }
  });
  return {
    acks,
    failedValues,
    get failed() {
      return failedValues.length;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** The 3 predicates a writer's commit `value` writes. */
function predsOf(value: string): string[] {
  const i = Number(value.split('-')[1]);
  return [PREDS[i % GROUPS]!, PREDS[(i + 2) % GROUPS]!, PREDS[(i + 4) % GROUPS]!];
}

/**
 * Every acknowledged value, on each of its 3 predicates, is in the data; no ts or uid twice; a
 * commit without an acknowledgement is on all 3 of its predicates or on none (never partial).
 */
async function check(w: { acks: Ack[]; failedValues: string[] }): Promise<void> {
  const acks = w.acks;
  if (w !== all) {
    all.acks.push(...w.acks);
    all.failedValues.push(...w.failedValues);
  }
  const ts = acks.map((a) => a.commitTs);
  expect(new Set(ts).size, 'a commit timestamp handed out twice').toBe(ts.length);
  const uids = acks.map((a) => a.uid);
  expect(new Set(uids).size, 'a uid handed out twice').toBe(uids.length);
  const seen = new Map<string, Set<string>>();
  for (const p of PREDS) {
    const r = await post(`${alphaUrl(0)}/query`, `{ q(func: has(${p})) { uid v: ${p} } }`, 'application/dql');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const rows = (r.json.data as { q: { uid: string; v: string }[] }).q;
    seen.set(p, new Set(rows.map((x) => `${x.uid}=${x.v}`)));
  }
  const missing: string[] = [];
  for (const a of acks) {
    for (const p of predsOf(a.value)) {
      if (!seen.get(p)!.has(`${a.uid}=${a.value}`))
        missing.push(`${p} of ${a.uid} (${a.value}, ts ${a.commitTs})`);
    }
  }
  expect(missing, 'acknowledged commits missing').toEqual([]);
  const values = new Map<string, Set<string>>();
  for (const [p, rows] of seen) values.set(p, new Set([...rows].map((r) => r.slice(r.indexOf('=') + 1))));
  const partial = w.failedValues.filter((v) => {
    const on = predsOf(v).filter((p) => values.get(p)!.has(v)).length;
    return on !== 0 && on !== 3;
  });
  expect(partial, 'commits applied on some of their groups only').toEqual([]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  etcd = await startEtcd(3);
  c = await StrataOnEtcd.start({
    endpoints: etcd.endpoints,
    prefix: '/strata-e2e/',
    groups: GROUPS,
    dir: tmp,
    token: TOKEN,
    alphaFlags: ['--restore_dirs', tmp],
  });
  await c.alter(PREDS.map((p) => `${p}: string @index(exact) .`).join('\n'));
}, 120_000);

afterAll(async () => {
  await killAll();
  await etcd?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('3 Zeros on a 3-member etcd, 6 groups', () => {
  it('serves tablets from all 6 groups, and lists the 3 Zeros', async () => {
    // dgraph.* predicates stay on group 1, the others go to the group with the fewest tablets.
    const s = (await (await fetch(`${c.zeroUrl(0)}/state`)).json()) as State;
    const used = Object.values(s.groups).filter((g) => Object.keys(g.tablets).length > 0);
    expect(used).toHaveLength(GROUPS);
    expect(Object.values(s.zeros)).toHaveLength(3);
  });

  it('kill -9 of the oracle leader during commits: a new leader, nothing acknowledged lost', async () => {
    const w = writers(3);
    await sleep(2000);
    const old = await leaderIndex();
    const killed = performance.now();
    c.zeros[old]!.proc!.child.kill('SIGKILL');
    await c.zeros[old]!.proc!.exited;
    let next = old;
    while (next === old) next = await leaderIndex();
    const elected = (performance.now() - killed) / 1000;
    await sleep(3000);
    const before = w.acks.length;
    await sleep(2000);
    await w.stop();
    expect(w.acks.length, 'commits go on under the new leader').toBeGreaterThan(before);
    await check(w);
    figures('kill -9 of the oracle leader', w, { 'new leader after': elected });
    c.startZero(old);
    await c.waitZero(old);
  }, 120_000);

  it('kill -9 of an etcd member: commits go on (quorum kept)', async () => {
    const w = writers(2);
    await sleep(1000);
    etcd.members[2]!.proc.kill('SIGKILL');
    await sleep(4000);
    const before = w.acks.length;
    await sleep(2000);
    await w.stop();
    expect(w.acks.length).toBeGreaterThan(before);
    await check(w);
    figures('kill -9 of an etcd member', w);
  }, 60_000);

  it('the leader paused past its etcd lease: it steps down, hands out nothing twice', async () => {
    const w = writers(3);
    await sleep(1000);
    const paused = await leaderIndex();
    const child = c.zeros[paused]!.proc!.child;
    const stopped = performance.now();
    let elected = 0;
    child.kill('SIGSTOP');
    try {
      // Another Zero leads once the paused one's 10 s lease ends.
      const end = Date.now() + 30_000;
      let next = paused;
      while (next === paused && Date.now() < end) {
        await sleep(500);
        next = await leaderIndex();
      }
      expect(next).not.toBe(paused);
      elected = (performance.now() - stopped) / 1000;
      await sleep(1000);
    } finally {
      child.kill('SIGCONT');
    }
    // Awake: it must not hand out ids under its old lease. Asked as the leader, it refuses; asked
    // as any Zero, it forwards to the new leader.
    await sleep(3000);
    const r = await fetch(`${c.zeroUrl(paused)}/assign?what=uids&num=1`, {
      headers: { 'x-strata-forwarded': '1' },
    });
    const body = (await r.json()) as { code?: string; message?: string };
    expect(r.status, JSON.stringify(body)).toBe(503);
    expect(body.code).toBe('NOT_LEADER');
    const fwd = await fetch(`${c.zeroUrl(paused)}/assign?what=uids&num=1`);
    expect(fwd.status).toBe(200);
    await w.stop();
    await check(w);
    figures('SIGSTOP of the oracle leader past its lease', w, { 'new leader after': elected });
  }, 120_000);

  it('a backup whose Zero dies completes or fails cleanly, and the next backup succeeds', async () => {
    const dest = path.join(tmp, 'backups');
    const lead = await leaderIndex();
    const backup = run(['backup', '--alpha', c.alphaAddr(0), '-d', dest]);
    await sleep(300);
    c.zeros[lead]!.proc!.child.kill('SIGKILL');
    const first = await backup;
    console.log(
      `failover figures: leader Zero killed during a backup: ${first.code === 0 ? 'the backup completed' : `the backup failed: ${first.stderr.trim().split('\n').pop()}`}`,
    );
    // Either it finished (the lock and ids came through another Zero) or it said why it failed.
    if (first.code !== 0) expect(first.stderr).toMatch(/Zero|lock|lease|backup/i);
    c.startZero(lead);
    await c.waitZero(lead);
    const second = await run(['backup', '--alpha', c.alphaAddr(0), '-d', dest]);
    expect(second.code, second.stderr).toBe(0);
    const verify = await run(['verify', dest]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 180_000);

  it('an online restore whose Zero dies completes, or fails cleanly and the next one completes', async () => {
    const dest = path.join(tmp, 'backups');
    const gql = async (query: string, variables: Record<string, unknown>) =>
      (await post(`${c.alphaUrl(0)}/admin`, JSON.stringify({ query, variables }), 'application/json'))
        .json as {
        data?: Record<string, { code?: string; restoreId?: number; status?: string; errors?: string[] }>;
        errors?: unknown;
      };
    const restore = async (killLeader: boolean): Promise<string> => {
      const r = await gql(RESTORE, { input: { location: dest } });
      expect(r.errors, JSON.stringify(r)).toBeUndefined();
      const id = r.data!.restore!.restoreId!;
      if (killLeader) {
        await sleep(200);
        const lead = await leaderIndex();
        c.zeros[lead]!.proc!.child.kill('SIGKILL');
        await c.zeros[lead]!.proc!.exited;
        c.startZero(lead);
      }
      for (const end = Date.now() + 120_000; Date.now() < end; await sleep(200)) {
        const s = (await gql(STATUS, { id })).data?.restoreStatus;
        if (s?.status === 'OK') return 'OK';
        if (s?.status === 'ERR') return `ERR ${JSON.stringify(s.errors)}`;
      }
      return 'TIMEOUT';
    };
    const first = await restore(true);
    console.log(`failover figures: leader Zero killed during an online restore: ${first}`);
    expect(first).not.toBe('TIMEOUT');
    for (let i = 0; i < 3; i++) await c.waitZero(i);
    if (first !== 'OK') expect(await restore(false)).toBe('OK');
    // The restored data is the backup's: every commit acknowledged before it.
    await check(all);
  }, 300_000);
});
