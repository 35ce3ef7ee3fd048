/**
 * Zero's state: the UID, timestamp and namespace-id leases, groups and their members, tablets
 * (predicate → group) and online restore decisions, behind one interface with two homes:
 * `state-file.ts` (one JSON file in the data folder, one Zero: the laptop default) and
 * `etcd/state.ts` (etcd, shared by several Zeros: `strata zero --etcd`).
 */
import type { ZeroMember as Member, ZeroStateJson, ZeroTablet as Tablet } from '@strata/core';
import type { BackupLockService } from './backup-lock.js';

/** Ids reserved per persisted lease block (Dgraph's Zero also leases in blocks of 10,000). */
export const DEFAULT_LEASE_BLOCK = 10_000n;
export const MAX_GROUPS = 1000;
export const U64_MAX = (1n << 64n) - 1n;

export type LeaseKind = 'uids' | 'timestamps' | 'nsids';
export const LEASE_KINDS: readonly LeaseKind[] = ['uids', 'timestamps', 'nsids'];

export type {
  ZeroMember as Member,
  ZeroTablet as Tablet,
  ZeroGroup as Group,
  ZeroStateJson,
} from '@strata/core';

/** An online restore's outcome, recorded once (the switch point of the two-phase restore). */
export type RestoreOutcome = 'commit' | 'abort';
export type RestoreDecision = RestoreOutcome | 'pending';

/** Decisions kept (the oldest are forgotten; a restore is decided and finished in minutes). */
export const KEPT_RESTORE_DECISIONS = 64;

export interface AssignResult {
  startId: string;
  endId: string;
}

export interface LeaseResult {
  what: LeaseKind;
  startId?: string;
  endId?: string;
  /** The next id this Zero will hand out. */
  nextId: string;
  /** The persisted ceiling. */
  maxLeased: string;
}

export interface TabletResult extends Tablet {
  /** True when this call assigned (or moved) the tablet. */
  assigned: boolean;
}

/** What Zero's routes and oracle need of the cluster's state, wherever it is kept. */
export interface ZeroState {
  /** The address other nodes reach this Zero at (shown in /state `zeros`). */
  addr: string;
  readonly groupCount: number;
  /** Hands out `num` consecutive ids of a kind (Dgraph's `/assign`). */
  assign(what: LeaseKind, num: number): Promise<AssignResult>;
  /** Moves a lease past `atLeast` (never backwards), then hands out `num` ids (0: none). */
  lease(what: LeaseKind, num: number, atLeast?: bigint): Promise<LeaseResult>;
  /** Registers an Alpha as the member of a group (idempotent for the same address). */
  connect(groupId: number, addr: string): Promise<Member>;
  /**
   * An Alpha's heartbeat (its report of pending starts, every second): keeps it listed alive. The
   * file state keeps no liveness (its members never show `amDead`); etcd's ends with a lease.
   */
  heartbeat(addr: string): Promise<void>;
  /** The Alphas listed alive now (etcd: their heartbeat leases); the file state keeps none. */
  liveMembers(): Promise<string[]>;
  /** The group serving a predicate, assigning one on first use. */
  tablet(predicate: string): Promise<TabletResult>;
  /** Forces a predicate onto a group (used by restore). */
  moveTablet(predicate: string, groupId: number): Promise<TabletResult>;
  /** An online restore's decision ('pending' until decideRestore). */
  restoreDecision(id: string): Promise<RestoreDecision>;
  /** Records an online restore's outcome unless one is recorded, and returns the recorded one. */
  decideRestore(
    id: string,
    outcome: RestoreOutcome,
    tablets?: readonly { predicate: string; group: number }[],
  ): Promise<RestoreOutcome>;
  /** The highest id of a kind leased so far, as last seen by this Zero (metrics). */
  leased(kind: LeaseKind): bigint;
  /**
   * The oracle's term: it changes when this Zero becomes the oracle leader again after another
   * Zero led, so that the oracle forgets the conflict memory and pending commits of its old term.
   */
  oracleTerm(): number;
  /**
   * Throws NOT_LEADER (503, naming the leader) unless this Zero runs the oracle: only the leader
   * hands out ids and keeps the oracle's pending commits and conflict memory.
   */
  assertOracleLeader(): void;
  /** The leader's address when another Zero leads (requests go there); else undefined. */
  leaderToForward(): Promise<string | undefined>;
  /** The backup/restore lock, kept where the state is. */
  openBackupLock(): Promise<BackupLockService>;
  /** `GET /state`. */
  snapshot(): Promise<ZeroStateJson>;
  close(): Promise<void>;
}

/** Checks a predicate name given to the tablet routes; returns a message for a bad one. */
export function predicateProblem(predicate: string): string | undefined {
  if (predicate.length === 0) return 'predicate must not be empty';
  if (predicate.startsWith('~')) return `"${predicate}" is a reverse edge, not a predicate`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\s\u0000-\u001f<>"{}|^`\\]/.test(predicate)) {
    return `predicate "${predicate}" holds a character not allowed in a predicate name`;
  }
  return undefined;
}

/** Checks `--groups` (1..MAX_GROUPS); returns a message for a bad one. */
export function groupsProblem(groups: number | undefined): string | undefined {
  if (groups === undefined || (Number.isInteger(groups) && groups >= 1 && groups <= MAX_GROUPS)) {
    return undefined;
  }
  return `groups must be an integer from 1 to ${MAX_GROUPS}, got ${groups}`;
}

/** The group with the fewest tablets (the lowest id on a tie); `dgraph.*` predicates stay on group 1. */
export function leastLoadedGroup(predicate: string, loads: ReadonlyMap<number, number>): number {
  if (predicate.startsWith('dgraph.')) return 1;
  let groupId = 1;
  let best = Infinity;
  for (const [gid, load] of [...loads].sort((a, b) => a[0] - b[0])) {
    if (load < best) {
      best = load;
      groupId = gid;
    }
  }
  return groupId;
}
