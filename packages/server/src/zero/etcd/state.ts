/**
 * Zero's state in etcd, shared by every Zero started with the same `--etcd` endpoints and prefix.
 *
 * | key (under the prefix)   | value                          | written                                   |
 * |--------------------------|--------------------------------|-------------------------------------------|
 * | `cluster`                | `{format, cid, groups}`        | by the first Zero (absent → put); grown by CAS |
 * | `lease/<kind>`           | the ceiling (decimal)          | by the oracle leader, fenced by its epoch |
 * | `members/<addr>`         | the member (id, group, …)      | by the Zero an Alpha connects through     |
 * | `alive/<addr>`           | `1`, under a lease per Alpha   | at connect; renewed by its heartbeats     |
 * | `counter/raft`           | the last member id             | CAS                                       |
 * | `tablets/<predicate>`    | `{groupId}`                    | first assignment wins (absent → put)      |
 * | `restores/<id>`          | `commit` or `abort`            | once (absent → put), with its tablet moves |
 *
 * Ids (timestamps, uids, namespace ids) come from the oracle leader (leader.ts) alone, as in
 * Dgraph, where Zero's followers forward id requests to their leader: one ordered sequence of
 * timestamps, and a restore's "every uid from now on is above X" holds for the whole cluster. The
 * leader reserves blocks of `leaseBlock` ids ahead of use, as the file state does; a new leader
 * starts above the stored ceiling, so nothing an old leader might have handed out is handed out
 * again. Everything else any Zero serves, each change one etcd transaction.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../../http/errors.js';
import {
  DEFAULT_LEASE_BLOCK,
  KEPT_RESTORE_DECISIONS,
  U64_MAX,
  groupsProblem,
  leastLoadedGroup,
  predicateProblem,
  type LeaseKind,
  type LeaseResult,
  type Member,
  type RestoreDecision,
  type RestoreOutcome,
  type TabletResult,
  type ZeroState,
  type ZeroStateJson,
} from '../state.js';
import type { BackupLockService } from '../backup-lock.js';
import { EtcdKv, type EtcdConnectOptions, type EtcdEntry, type Op } from './client.js';
import { LEADER_KEY, OracleLeader, ZEROS_PREFIX, type LeaderOptions } from './leader.js';
import { EtcdBackupLock } from './backup-lock.js';
import { IdLeases } from '../id-leases.js';

const CLUSTER_KEY = 'cluster';
const RAFT_COUNTER = 'counter/raft';
/** Compare-and-swap retries before giving up (each lost race means another Zero moved on). */
const CAS_TRIES = 50;

interface ClusterInfo {
  format: 1;
  cid: string;
  groups: number;
}

export interface EtcdZeroStoreOptions extends EtcdConnectOptions, LeaderOptions {
  /** This Zero's advertised `host:port` (its id among the Zeros). */
  addr: string;
  /** The number of groups (1..1000); grows a stored cluster, never shrinks it. */
  groups?: number;
  leaseBlock?: bigint;
  /** An Alpha not heard of for this long is listed dead (`amDead`; default 10 s). */
  memberTtlSeconds?: number;
}

interface Block {
  /** The leader term the block was reserved in (a block does not outlive its term). */
  term: number;
  next: bigint;
  ceiling: bigint;
}

/** A compare-and-swap that lost CAS_TRIES races in a row: other Zeros kept changing the key. */
function casGaveUp(what: string): HttpError {
  return new HttpError('ETCD_UNAVAILABLE', `could not ${what} in etcd: too many concurrent changes`, 503);
}

function parseCluster(e: EtcdEntry): ClusterInfo {
  let v: Partial<ClusterInfo>;
  try {
    v = JSON.parse(e.value) as Partial<ClusterInfo>;
  } catch {
    v = {};
  }
  if (v.format !== 1 || typeof v.cid !== 'string' || !Number.isInteger(v.groups)) {
    throw new HttpError('STATE_CORRUPT', `etcd key ${e.key} is not a Strata cluster record (format 1)`, 500);
  }
  return v as ClusterInfo;
}

function parseCeiling(e: EtcdEntry | undefined): bigint {
  if (!e) return 0n;
  if (!/^\d{1,20}$/.test(e.value)) {
    throw new HttpError('STATE_CORRUPT', `etcd key ${e.key} is not a decimal integer`, 500);
  }
  return BigInt(e.value);
}

function parseJson<T>(e: EtcdEntry): T {
  try {
    return JSON.parse(e.value) as T;
  } catch {
    throw new HttpError('STATE_CORRUPT', `etcd key ${e.key} does not hold JSON`, 500);
  }
}

export class EtcdZeroStore extends IdLeases implements ZeroState {
  readonly leaseBlock: bigint;
  private cluster: ClusterInfo;
  private readonly blocks = new Map<LeaseKind, Block>();
  private readonly ceilings: Record<LeaseKind, bigint> = { uids: 0n, timestamps: 0n, nsids: 0n };
  /** The etcd lease keeping each Alpha listed alive, as last known here. */
  private readonly aliveLeases = new Map<string, string>();
  memberTtlSeconds = 10;

  private constructor(
    private readonly kv: EtcdKv,
    readonly leader: OracleLeader,
    cluster: ClusterInfo,
    public addr: string,
    leaseBlock: bigint,
  ) {
    super();
    this.cluster = cluster;
    this.leaseBlock = leaseBlock;
  }

  /** Connects, creates or checks the cluster record, and joins the oracle election. */
  static async open(opts: EtcdZeroStoreOptions): Promise<EtcdZeroStore> {
    const leaseBlock = opts.leaseBlock ?? DEFAULT_LEASE_BLOCK;
    if (leaseBlock < 1n) throw new HttpError('BAD_REQUEST', 'leaseBlock must be at least 1');
    const groupsBad = groupsProblem(opts.groups);
    if (groupsBad) throw new HttpError('BAD_REQUEST', groupsBad);
    if (opts.addr.trim() === '')
      throw new HttpError('BAD_REQUEST', 'a Zero on etcd needs its address (--my)');
    const kv = new EtcdKv(opts);
    try {
      const cluster = await EtcdZeroStore.joinCluster(kv, opts.groups);
      const leader = new OracleLeader(kv, opts.addr, opts);
      const store = new EtcdZeroStore(kv, leader, cluster, opts.addr, leaseBlock);
      if (opts.memberTtlSeconds !== undefined) store.memberTtlSeconds = opts.memberTtlSeconds;
      await leader.start();
      return store;
    } catch (err) {
      kv.close();
      throw err;
    }
  }

  private static async joinCluster(kv: EtcdKv, groups: number | undefined): Promise<ClusterInfo> {
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await kv.get(CLUSTER_KEY);
      if (!cur) {
        const fresh: ClusterInfo = { format: 1, cid: randomUUID(), groups: groups ?? 1 };
        const r = await kv.txn(
          [{ key: CLUSTER_KEY, absent: true }],
          [{ put: CLUSTER_KEY, value: JSON.stringify(fresh) }],
        );
        if (r.succeeded) return fresh;
        continue;
      }
      const info = parseCluster(cur);
      const wanted = groups ?? info.groups;
      if (wanted < info.groups) {
        throw new HttpError(
          'BAD_REQUEST',
          `the cluster in etcd (${kv.prefix}) has ${info.groups} groups; it cannot shrink to ${wanted}`,
        );
      }
      if (wanted === info.groups) return info;
      const grown = { ...info, groups: wanted };
      const r = await kv.txn(
        [{ key: CLUSTER_KEY, modRevision: cur.modRevision }],
        [{ put: CLUSTER_KEY, value: JSON.stringify(grown) }],
      );
      if (r.succeeded) return grown;
    }
    throw casGaveUp('record the cluster');
  }

  get groupCount(): number {
    return this.cluster.groups;
  }

  protected async reserve(what: LeaseKind, num: bigint, atLeast: bigint | undefined): Promise<LeaseResult> {
    if (num < 0n) throw new HttpError('BAD_REQUEST', 'num must not be negative');
    this.leader.assertLeader();
    const term = this.leader.term;
    let block = this.blocks.get(what);
    if (block?.term !== term) block = undefined; // a new term starts above the stored ceiling
    let next = block?.next ?? 0n;
    if (atLeast !== undefined && atLeast >= next) next = atLeast + 1n;
    let end = next + num - 1n;
    const need = end > next - 1n ? end : next - 1n;
    if (!block || need > block.ceiling) {
      const fresh = await this.reserveBlock(what, next, num, atLeast, term);
      block = fresh;
      next = fresh.next;
      end = next + num - 1n;
    }
    if (end >= U64_MAX) throw new HttpError('BAD_REQUEST', `the ${what} lease would pass 2^64 - 1`);
    // The liveness check again, right before the ids leave: a pause during the etcd round trip
    // may have outlived the lease.
    this.leader.assertLeader();
    block.next = end + 1n > next ? end + 1n : next;
    this.blocks.set(what, block);
    const result: LeaseResult = { what, nextId: String(block.next), maxLeased: String(block.ceiling) };
    if (num > 0n) {
      result.startId = String(next);
      result.endId = String(end);
    }
    return result;
  }

  /** Reserves a block above the stored ceiling (and above `from - 1`), fenced to this leader's epoch. */
  private async reserveBlock(
    what: LeaseKind,
    from: bigint,
    num: bigint,
    atLeast: bigint | undefined,
    term: number,
  ): Promise<Block> {
    const key = `lease/${what}`;
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await this.kv.get(key);
      const stored = parseCeiling(cur);
      let next = stored + 1n > from ? stored + 1n : from;
      if (atLeast !== undefined && atLeast >= next) next = atLeast + 1n;
      const end = next + num - 1n;
      const need = end > next - 1n ? end : next - 1n;
      if (need >= U64_MAX) throw new HttpError('BAD_REQUEST', `the ${what} lease would pass 2^64 - 1`);
      let ceiling = need + this.leaseBlock;
      if (ceiling > U64_MAX - 1n) ceiling = U64_MAX - 1n;
      const fence = this.leader.fence();
      const r = await this.kv.txn(
        [fence, cur ? { key, modRevision: cur.modRevision } : { key, absent: true }],
        [{ put: key, value: String(ceiling) }],
        [{ get: LEADER_KEY }],
      );
      if (r.succeeded) {
        this.ceilings[what] = ceiling;
        return { term, next, ceiling };
      }
      const leaderNow = r.reads[0];
      if (!leaderNow || leaderNow.modRevision !== fence.modRevision) {
        this.leader.lost();
        this.leader.assertLeader(); // throws NOT_LEADER
      }
    }
    throw casGaveUp(`reserve ${what}`);
  }

  async connect(groupId: number, addr: string): Promise<Member> {
    await this.checkGroup(groupId);
    if (addr.trim() === '' || /\s/.test(addr) || addr.includes('/')) {
      throw new HttpError('BAD_REQUEST', `addr must be a host:port without spaces, got "${addr}"`);
    }
    const key = `members/${addr}`;
    for (let i = 0; i < CAS_TRIES; i++) {
      const cur = await this.kv.get(key);
      const now = String(Math.floor(Date.now() / 1000));
      if (cur) {
        const m = parseJson<Member>(cur);
        if (m.groupId !== groupId) {
          throw new HttpError('CONFLICT', `${addr} is already a member of group ${m.groupId}`, 409);
        }
        const updated: Member = { ...m, lastUpdate: now, amDead: false };
        const r = await this.kv.txn(
          [{ key, modRevision: cur.modRevision }],
          [{ put: key, value: JSON.stringify(updated) }],
        );
        if (!r.succeeded) continue;
        await this.markAlive(addr);
        return updated;
      }
      const counter = await this.kv.get(RAFT_COUNTER);
      const id = parseCeiling(counter) + 1n;
      const inGroup = (await this.kv.list('members/')).some((e) => parseJson<Member>(e).groupId === groupId);
      const member: Member = {
        id: String(id),
        groupId,
        addr,
        leader: !inGroup,
        amDead: false,
        lastUpdate: now,
      };
      const r = await this.kv.txn(
        [
          { key, absent: true },
          counter
            ? { key: RAFT_COUNTER, modRevision: counter.modRevision }
            : { key: RAFT_COUNTER, absent: true },
        ],
        [
          { put: key, value: JSON.stringify(member) },
          { put: RAFT_COUNTER, value: String(id) },
        ],
      );
      if (!r.succeeded) continue;
      await this.markAlive(addr);
      return member;
    }
    throw casGaveUp(`record member ${addr}`);
  }

  /** Lists a member alive under a new lease of `memberTtlSeconds`. */
  private async markAlive(addr: string): Promise<void> {
    const lease = await this.kv.grantLease(this.memberTtlSeconds);
    await this.kv.txn([], [{ put: `alive/${addr}`, value: '1', lease }]);
    this.aliveLeases.set(addr, lease);
  }

  async liveMembers(): Promise<string[]> {
    return (await this.kv.list('alive/')).map((e) => e.key.slice('alive/'.length));
  }

  async heartbeat(addr: string): Promise<void> {
    let lease = this.aliveLeases.get(addr);
    if (lease === undefined) {
      // Listed through another Zero: its lease id is on the key.
      const e = await this.kv.get(`alive/${addr}`);
      if (e && e.lease !== '0') lease = e.lease;
    }
    if (lease !== undefined && (await this.kv.keepAliveOnce(lease)) > 0) {
      this.aliveLeases.set(addr, lease);
      return;
    }
    this.aliveLeases.delete(addr);
    // Its lease ended (a pause, or etcd lost it): a known member comes back alive; others are ignored.
    if (await this.kv.get(`members/${addr}`)) await this.markAlive(addr);
  }

  /** Checks a group id, reading the cluster record again first when another Zero may have grown it. */
  private async checkGroup(groupId: number): Promise<void> {
    if (Number.isInteger(groupId) && groupId > this.cluster.groups) {
      const cur = await this.kv.get(CLUSTER_KEY);
      if (cur) this.cluster = parseCluster(cur);
    }
    if (!Number.isInteger(groupId) || groupId < 1 || groupId > this.cluster.groups) {
      throw new HttpError(
        'UNKNOWN_GROUP',
        `unknown group ${groupId}: this cluster has groups 1 to ${this.cluster.groups}`,
      );
    }
  }

  async tablet(predicate: string): Promise<TabletResult> {
    const problem = predicateProblem(predicate);
    if (problem) throw new HttpError('BAD_REQUEST', problem);
    const key = `tablets/${predicate}`;
    const cur = await this.kv.get(key);
    if (cur) return { groupId: parseJson<{ groupId: number }>(cur).groupId, predicate, assigned: false };
    const loads = new Map<number, number>();
    for (let g = 1; g <= this.cluster.groups; g++) loads.set(g, 0);
    for (const e of await this.kv.list('tablets/')) {
      const g = parseJson<{ groupId: number }>(e).groupId;
      loads.set(g, (loads.get(g) ?? 0) + 1);
    }
    const groupId = leastLoadedGroup(predicate, loads);
    const r = await this.kv.txn(
      [{ key, absent: true }],
      [{ put: key, value: JSON.stringify({ groupId }) }],
      [{ get: key }],
    );
    if (r.succeeded) return { groupId, predicate, assigned: true };
    // Another Zero assigned it first: its choice stands.
    const won = r.reads[0];
    if (!won)
      throw new HttpError('ETCD_UNAVAILABLE', `the tablet of ${predicate} vanished while assigned`, 503);
    return { groupId: parseJson<{ groupId: number }>(won).groupId, predicate, assigned: false };
  }

  async moveTablet(predicate: string, groupId: number): Promise<TabletResult> {
    const problem = predicateProblem(predicate);
    if (problem) throw new HttpError('BAD_REQUEST', problem);
    await this.checkGroup(groupId);
    const key = `tablets/${predicate}`;
    const cur = await this.kv.get(key);
    if (cur && parseJson<{ groupId: number }>(cur).groupId === groupId) {
      return { groupId, predicate, assigned: false };
    }
    await this.kv.txn([], [{ put: key, value: JSON.stringify({ groupId }) }]);
    return { groupId, predicate, assigned: true };
  }

  async restoreDecision(id: string): Promise<RestoreDecision> {
    const cur = await this.kv.get(`restores/${id}`);
    return cur?.value === 'commit' || cur?.value === 'abort' ? cur.value : 'pending';
  }

  async decideRestore(
    id: string,
    outcome: RestoreOutcome,
    tablets: readonly { predicate: string; group: number }[] = [],
  ): Promise<RestoreOutcome> {
    for (const t of tablets) {
      const problem = predicateProblem(t.predicate);
      if (problem) throw new HttpError('BAD_REQUEST', problem);
      await this.checkGroup(t.group);
    }
    const key = `restores/${id}`;
    const moves: Op[] =
      outcome === 'commit'
        ? tablets.map((t) => ({ put: `tablets/${t.predicate}`, value: JSON.stringify({ groupId: t.group }) }))
        : [];
    // The decision and its tablet moves in one transaction: decided once, whoever asks first.
    const r = await this.kv.txn(
      [{ key, absent: true }],
      [{ put: key, value: outcome }, ...moves],
      [{ get: key }],
    );
    if (!r.succeeded) {
      const known = r.reads[0]?.value;
      return known === 'abort' ? 'abort' : 'commit';
    }
    await this.forgetOldRestores();
    return outcome;
  }

  /** Keeps the newest KEPT_RESTORE_DECISIONS decisions. */
  private async forgetOldRestores(): Promise<void> {
    const all = await this.kv.list('restores/');
    if (all.length <= KEPT_RESTORE_DECISIONS) return;
    all.sort((a, b) => (a.createRevision < b.createRevision ? -1 : 1));
    const old = all.slice(0, all.length - KEPT_RESTORE_DECISIONS);
    await this.kv.txn(
      [],
      old.map((e) => ({ del: e.key })),
    );
  }

  leased(kind: LeaseKind): bigint {
    return this.ceilings[kind];
  }

  oracleTerm(): number {
    return this.leader.term;
  }

  assertOracleLeader(): void {
    this.leader.assertLeader();
  }

  async leaderToForward(): Promise<string | undefined> {
    if (this.leader.isLeader()) return undefined;
    return this.leader.lookUpLeader().catch(() => undefined);
  }

  /** The etcd-backed backup/restore lock (an etcd lease: a dead holder frees it within its TTL). */
  openBackupLock(): Promise<BackupLockService> {
    return Promise.resolve(new EtcdBackupLock(this.kv));
  }

  async snapshot(): Promise<ZeroStateJson> {
    const all = await this.kv.list('');
    const record = all.find((e) => e.key === CLUSTER_KEY);
    if (record) this.cluster = parseCluster(record); // another Zero may have grown it
    const groups: ZeroStateJson['groups'] = {};
    for (let g = 1; g <= this.cluster.groups; g++) {
      groups[String(g)] = { members: {}, tablets: {}, snapshotTs: '0', checksum: '0' };
    }
    const zeros: ZeroStateJson['zeros'] = {};
    const leases: Record<LeaseKind, string> = { uids: '0', timestamps: '0', nsids: '0' };
    let maxRaftId = '0';
    let counter = 0n;
    const leader = this.leader.leader;
    const alive = new Set(
      all.filter((e) => e.key.startsWith('alive/')).map((e) => e.key.slice('alive/'.length)),
    );
    for (const e of all) {
      if (e.modRevision > counter) counter = e.modRevision;
      if (e.key.startsWith('members/')) {
        const m = parseJson<Member>(e);
        const g = groups[String(m.groupId)];
        if (g) g.members[m.id] = { ...m, amDead: !alive.has(m.addr) };
      } else if (e.key.startsWith('tablets/')) {
        const predicate = e.key.slice('tablets/'.length);
        const groupId = parseJson<{ groupId: number }>(e).groupId;
        const g = groups[String(groupId)];
        if (g) g.tablets[predicate] = { groupId, predicate };
      } else if (e.key.startsWith(ZEROS_PREFIX)) {
        const addr = e.key.slice(ZEROS_PREFIX.length);
        const id = String(Object.keys(zeros).length + 1);
        zeros[id] = { id, addr, leader: addr === leader };
      } else if (e.key.startsWith('lease/')) {
        const kind = e.key.slice('lease/'.length) as LeaseKind;
        if (kind in leases) leases[kind] = String(parseCeiling(e));
      } else if (e.key === RAFT_COUNTER) {
        maxRaftId = String(parseCeiling(e));
      }
    }
    return {
      counter: String(counter),
      groups,
      zeros,
      maxUID: leases.uids,
      maxTxnTs: leases.timestamps,
      maxNsID: leases.nsids,
      maxRaftId,
      removed: [],
      cid: this.cluster.cid,
    };
  }

  /** Leaves the election (another Zero takes over at once) and disconnects. */
  async close(): Promise<void> {
    await this.serial.idle();
    await this.leader.close();
    this.kv.close();
  }
}
