/**
 * Zero's state in one small JSON file in the data folder (the laptop default, one Zero): the
 * timestamp, UID and namespace-id leases, groups and their members, tablets (predicate → group)
 * and online restore decisions.
 *
 * Never backwards: a lease is persisted AHEAD of use. Zero writes a ceiling (the highest id it may
 * hand out) in blocks of `leaseBlock` ids and only hands out ids at or below a persisted ceiling; a
 * restart (clean or after a crash) continues from ceiling + 1. Every write is atomic (temp file +
 * fsync + rename + fsync of the folder), and every mutation runs under one lock, persisted before
 * it is applied in memory and before the client hears of it.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, openBlob, sealBlob, storeDataKey, type KeyProvider } from '@strata/core';
import { HttpError } from '../http/errors.js';
import {
  DEFAULT_LEASE_BLOCK,
  KEPT_RESTORE_DECISIONS,
  LEASE_KINDS,
  U64_MAX,
  groupsProblem,
  leastLoadedGroup,
  predicateProblem,
  type Group,
  type LeaseKind,
  type LeaseResult,
  type Member,
  type RestoreDecision,
  type RestoreOutcome,
  type Tablet,
  type TabletResult,
  type ZeroState,
  type ZeroStateJson,
} from './state.js';
import { BackupLock, type BackupLockService } from './backup-lock.js';
import { IdLeases } from './id-leases.js';

export const STATE_FILE = 'zero-state.json';
/** The state sealed under the folder's data key (encryption at rest; `keys.json` beside it). */
export const SEALED_STATE_FILE = 'zero-state.sealed';
const SEAL_AAD = 'strata zero state v1';
export const LOCK_FILE = 'LOCK';

/** The file's shape (bigints as decimal strings). */
interface PersistedState {
  format: 1;
  cid: string;
  counter: string;
  maxRaftId: string;
  /** Lease ceilings: every id <= ceiling may have been handed out. */
  leases: Record<LeaseKind, string>;
  groups: Record<string, Group>;
  /** Online restore decisions (restore id → outcome), newest last; see decideRestore. */
  restores?: Record<string, RestoreOutcome>;
}

export interface ZeroStoreOptions {
  dataDir: string;
  /** The number of groups (1..1000); grows a stored cluster, never shrinks it. Default: stored, or 1. */
  groups?: number;
  /** Ids reserved per persisted lease block. */
  leaseBlock?: bigint;
  /** The address other nodes reach this Zero at (shown in /state `zeros`). */
  addr?: string;
  /**
   * `--encryption`: the master key the state is sealed under (its data key wrapped in `keys.json`
   * beside it, as a posting store's). A plaintext state with a key, or a sealed one without, is
   * refused.
   */
  atRest?: KeyProvider | undefined;
}

function parseBig(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) {
    throw new HttpError('STATE_CORRUPT', `state file: ${what} is not a decimal integer`, 500);
  }
  return BigInt(value);
}

/** Zero's state in one JSON file of its data folder (one Zero per cluster: the laptop default). */
export class ZeroStore extends IdLeases implements ZeroState {
  readonly dataDir: string;
  readonly leaseBlock: bigint;
  addr: string;
  private state: PersistedState;
  /** The next id to hand out, per kind (in memory only: restarts continue from ceiling + 1). */
  private readonly next: Record<LeaseKind, bigint>;
  private lockHandle: Awaited<ReturnType<typeof open>> | undefined;
  /** The data key the state file is sealed under (undefined: plaintext). */
  private sealKey: Buffer | undefined;

  private constructor(dataDir: string, state: PersistedState, leaseBlock: bigint, addr: string) {
    super();
    this.dataDir = dataDir;
    this.state = state;
    this.leaseBlock = leaseBlock;
    this.addr = addr;
    this.next = {
      uids: BigInt(state.leases.uids) + 1n,
      timestamps: BigInt(state.leases.timestamps) + 1n,
      nsids: BigInt(state.leases.nsids) + 1n,
    };
  }

  /** Opens (or creates) the data folder, takes its lock, loads the state. */
  static async open(opts: ZeroStoreOptions): Promise<ZeroStore> {
    const dataDir = path.resolve(opts.dataDir);
    const leaseBlock = opts.leaseBlock ?? DEFAULT_LEASE_BLOCK;
    if (leaseBlock < 1n) throw new HttpError('BAD_REQUEST', 'leaseBlock must be at least 1');
    const groupsBad = groupsProblem(opts.groups);
    if (groupsBad) throw new HttpError('BAD_REQUEST', groupsBad);
    await mkdir(dataDir, { recursive: true });
    const lockHandle = await takeLock(dataDir);
    let sealKey: Buffer | undefined;
    try {
      const master = opts.atRest ? await opts.atRest.getKey() : undefined;
      try {
        sealKey = await storeDataKey(dataDir, master, true, STATE_FILE);
      } finally {
        master?.fill(0);
      }
      let state = await readState(dataDir, sealKey);
      const fresh = state === undefined;
      state ??= {
        format: 1,
        cid: randomUUID(),
        counter: '0',
        maxRaftId: '0',
        leases: { uids: '0', timestamps: '0', nsids: '0' },
        groups: {},
      };
      const stored = Object.keys(state.groups).length;
      const wanted = opts.groups ?? Math.max(stored, 1);
      if (wanted < stored) {
        throw new HttpError(
          'BAD_REQUEST',
          `the data folder holds a cluster of ${stored} groups; it cannot shrink to ${wanted}`,
        );
      }
      for (let g = stored + 1; g <= wanted; g++) state.groups[String(g)] = { members: {}, tablets: {} };
      const store = new ZeroStore(dataDir, state, leaseBlock, opts.addr ?? '');
      store.lockHandle = lockHandle;
      store.sealKey = sealKey;
      if (fresh || wanted > stored) await store.persist(state);
      return store;
    } catch (err) {
      sealKey?.fill(0);
      await releaseLock(dataDir, lockHandle);
      throw err;
    }
  }

  get groupCount(): number {
    return Object.keys(this.state.groups).length;
  }

  /** Releases the data folder's lock. Waits for a write in flight. */
  async close(): Promise<void> {
    await this.serial.idle();
    this.sealKey?.fill(0);
    if (this.lockHandle) {
      const h = this.lockHandle;
      this.lockHandle = undefined;
      await releaseLock(this.dataDir, h);
    }
  }

  /** Writes `next` atomically, then makes it the state. */
  private async persist(next: PersistedState): Promise<void> {
    const file = path.join(this.dataDir, this.sealKey ? SEALED_STATE_FILE : STATE_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    const text = `${JSON.stringify(next, null, 2)}\n`;
    const h = await open(tmp, 'w', 0o600);
    try {
      await h.writeFile(this.sealKey ? sealBlob(this.sealKey, Buffer.from(text), SEAL_AAD) : text);
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, file);
    await fsyncDir(this.dataDir);
    this.state = next;
  }

  private copy(): PersistedState {
    return structuredClone(this.state);
  }

  private bump(s: PersistedState): void {
    s.counter = String(BigInt(s.counter) + 1n);
  }

  protected async reserve(what: LeaseKind, num: bigint, atLeast: bigint | undefined): Promise<LeaseResult> {
    if (num < 0n) throw new HttpError('BAD_REQUEST', 'num must not be negative');
    let next = this.next[what];
    if (atLeast !== undefined && atLeast >= next) next = atLeast + 1n;
    const end = next + num - 1n;
    if (end >= U64_MAX) throw new HttpError('BAD_REQUEST', `the ${what} lease would pass 2^64 - 1`);
    const ceiling = BigInt(this.state.leases[what]);
    // Ids up to `need` must be covered by the persisted ceiling before anyone sees them.
    const need = end > next - 1n ? end : next - 1n;
    if (need > ceiling) {
      let target = need + this.leaseBlock;
      if (target > U64_MAX - 1n) target = U64_MAX - 1n;
      const s = this.copy();
      s.leases[what] = String(target);
      this.bump(s);
      await this.persist(s);
    }
    this.next[what] = end + 1n > next ? end + 1n : next;
    const result: LeaseResult = { what, nextId: String(this.next[what]), maxLeased: this.state.leases[what] };
    if (num > 0n) {
      result.startId = String(next);
      result.endId = String(end);
    }
    return result;
  }

  private group(groupId: number): Group {
    const g = Number.isInteger(groupId) ? this.state.groups[String(groupId)] : undefined;
    if (!g) {
      throw new HttpError(
        'UNKNOWN_GROUP',
        `unknown group ${groupId}: this cluster has groups 1 to ${this.groupCount}`,
      );
    }
    return g;
  }

  /** Registers an Alpha as the member of a group (idempotent for the same address). */
  connect(groupId: number, addr: string): Promise<Member> {
    return this.serial.run(async () => {
      this.group(groupId);
      if (addr.trim() === '' || /\s/.test(addr)) {
        throw new HttpError('BAD_REQUEST', `addr must be a host:port without spaces, got "${addr}"`);
      }
      for (const [gid, g] of Object.entries(this.state.groups)) {
        for (const m of Object.values(g.members)) {
          if (m.addr === addr && Number(gid) !== groupId) {
            throw new HttpError('CONFLICT', `${addr} is already a member of group ${gid}`, 409);
          }
        }
      }
      const s = this.copy();
      const g = s.groups[String(groupId)]!;
      const now = String(Math.floor(Date.now() / 1000));
      let member = Object.values(g.members).find((m) => m.addr === addr);
      if (member) {
        member.lastUpdate = now;
        member.amDead = false;
      } else {
        const id = String(BigInt(s.maxRaftId) + 1n);
        s.maxRaftId = id;
        member = {
          id,
          groupId,
          addr,
          leader: Object.keys(g.members).length === 0,
          amDead: false,
          lastUpdate: now,
        };
        g.members[id] = member;
      }
      this.bump(s);
      await this.persist(s);
      return { ...member };
    });
  }

  private findTablet(predicate: string): Tablet | undefined {
    for (const g of Object.values(this.state.groups)) {
      const t = g.tablets[predicate];
      if (t) return t;
    }
    return undefined;
  }

  /** The group serving a predicate, assigning one on first use. */
  tablet(predicate: string): Promise<TabletResult> {
    const problem = predicateProblem(predicate);
    if (problem) return Promise.reject(new HttpError('BAD_REQUEST', problem));
    return this.serial.run(async () => {
      const existing = this.findTablet(predicate);
      if (existing) return { ...existing, assigned: false };
      const loads = new Map<number, number>();
      for (const [gid, g] of Object.entries(this.state.groups))
        loads.set(Number(gid), Object.keys(g.tablets).length);
      const groupId = leastLoadedGroup(predicate, loads);
      const s = this.copy();
      s.groups[String(groupId)]!.tablets[predicate] = { groupId, predicate };
      this.bump(s);
      await this.persist(s);
      return { groupId, predicate, assigned: true };
    });
  }

  /** Forces a predicate onto a group (used by restore). */
  moveTablet(predicate: string, groupId: number): Promise<TabletResult> {
    const problem = predicateProblem(predicate);
    if (problem) return Promise.reject(new HttpError('BAD_REQUEST', problem));
    return this.serial.run(async () => {
      this.group(groupId);
      const existing = this.findTablet(predicate);
      if (existing?.groupId === groupId) return { ...existing, assigned: false };
      const s = this.copy();
      if (existing) delete s.groups[String(existing.groupId)]!.tablets[predicate];
      s.groups[String(groupId)]!.tablets[predicate] = { groupId, predicate };
      this.bump(s);
      await this.persist(s);
      return { groupId, predicate, assigned: true };
    });
  }

  /** An online restore's decision ('pending' until decideRestore). */
  restoreDecision(id: string): Promise<RestoreDecision> {
    return Promise.resolve(this.state.restores?.[id] ?? 'pending');
  }

  /**
   * Records an online restore's outcome unless one is recorded already, and returns the recorded
   * one (so a coordinator's commit and a participant's abort cannot both win). A commit moves the
   * restored predicates' tablets onto their groups in the same atomic write.
   */
  decideRestore(
    id: string,
    outcome: RestoreOutcome,
    tablets: readonly { predicate: string; group: number }[] = [],
  ): Promise<RestoreOutcome> {
    for (const t of tablets) {
      const problem = predicateProblem(t.predicate);
      if (problem) return Promise.reject(new HttpError('BAD_REQUEST', problem));
    }
    return this.serial.run(async () => {
      const known = this.state.restores?.[id];
      if (known) return known;
      for (const t of tablets) this.group(t.group);
      const s = this.copy();
      if (outcome === 'commit') {
        for (const t of tablets) {
          for (const g of Object.values(s.groups)) delete g.tablets[t.predicate];
          s.groups[String(t.group)]!.tablets[t.predicate] = { groupId: t.group, predicate: t.predicate };
        }
      }
      const kept = Object.entries(s.restores ?? {}).slice(-(KEPT_RESTORE_DECISIONS - 1));
      s.restores = { ...Object.fromEntries(kept), [id]: outcome };
      this.bump(s);
      await this.persist(s);
      return outcome;
    });
  }

  /** The highest uid, timestamp and namespace id leased so far. */
  leased(kind: LeaseKind): bigint {
    return BigInt(this.state.leases[kind]);
  }

  /** One Zero, always the oracle: one term. */
  oracleTerm(): number {
    return 0;
  }

  assertOracleLeader(): void {}

  /** One Zero: it always leads. */
  leaderToForward(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  heartbeat(_addr: string): Promise<void> {
    return Promise.resolve();
  }

  liveMembers(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** The lock, persisted beside the state file (a restart gives its holder one more TTL). */
  async openBackupLock(): Promise<BackupLockService> {
    const lock = new BackupLock(Date.now, this.dataDir);
    await lock.load();
    return lock;
  }

  snapshot(): Promise<ZeroStateJson> {
    return Promise.resolve(this.toJSON());
  }

  /** `GET /state`. */
  toJSON(): ZeroStateJson {
    const s = this.state;
    const groups: ZeroStateJson['groups'] = {};
    for (const [gid, g] of Object.entries(s.groups)) {
      groups[gid] = { ...structuredClone(g), snapshotTs: '0', checksum: '0' };
    }
    return {
      counter: s.counter,
      groups,
      zeros: { '1': { id: '1', addr: this.addr, leader: true } },
      maxUID: s.leases.uids,
      maxTxnTs: s.leases.timestamps,
      maxNsID: s.leases.nsids,
      maxRaftId: s.maxRaftId,
      removed: [],
      cid: s.cid,
    };
  }
}

/** The state file's bytes; undefined when there is none. */
async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readState(dataDir: string, sealKey: Buffer | undefined): Promise<PersistedState | undefined> {
  const sealedFile = path.join(dataDir, SEALED_STATE_FILE);
  const plainFile = path.join(dataDir, STATE_FILE);
  const sealed = await readIfThere(sealedFile);
  const plain = await readIfThere(plainFile);
  // Never start over silently beside a state of the other kind: that would hand out timestamps
  // and uids again.
  if (!sealKey && sealed) {
    throw new HttpError(
      'STATE_CORRUPT',
      `${sealedFile} is encrypted at rest; its keys.json is missing or no key was given (--encryption)`,
      500,
    );
  }
  if (sealKey && plain) {
    throw new HttpError(
      'STATE_CORRUPT',
      `${plainFile} is plaintext beside a sealed state; refusing to start`,
      500,
    );
  }
  const file = sealKey ? sealedFile : plainFile;
  const bytes = sealKey ? sealed : plain;
  if (bytes === undefined) return undefined;
  const text = (sealKey ? openBlob(sealKey, bytes, SEAL_AAD, file) : bytes).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Never start over silently: that would hand out timestamps and uids again.
    throw new HttpError('STATE_CORRUPT', `${file} is not valid JSON; refusing to start`, 500);
  }
  const s = raw as Partial<PersistedState>;
  if (s === null || typeof s !== 'object' || s.format !== 1 || !s.leases || !s.groups) {
    throw new HttpError('STATE_CORRUPT', `${file} is not a Strata Zero state file (format 1)`, 500);
  }
  for (const k of LEASE_KINDS) parseBig(s.leases[k], `leases.${k}`);
  parseBig(s.counter, 'counter');
  parseBig(s.maxRaftId, 'maxRaftId');
  return s as PersistedState;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One Zero per data folder: a LOCK file holding the owner's pid (a dead owner's lock is taken over). */
async function takeLock(dataDir: string): Promise<Awaited<ReturnType<typeof open>>> {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await open(file, 'wx', 0o600);
      await h.writeFile(`${process.pid}\n`);
      return h;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new HttpError('DATA_DIR_LOCKED', `${dataDir} is in use by another Zero (pid ${pid})`, 500);
      }
      if (pid === process.pid) {
        throw new HttpError('DATA_DIR_LOCKED', `${dataDir} is already open in this process`, 500);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new HttpError('DATA_DIR_LOCKED', `could not lock ${dataDir}`, 500);
}

async function releaseLock(dataDir: string, h: Awaited<ReturnType<typeof open>>): Promise<void> {
  await h.close().catch(() => undefined);
  await unlink(path.join(dataDir, LOCK_FILE)).catch(() => undefined);
}
