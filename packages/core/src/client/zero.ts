/**
 * A client of Zero's HTTP API: `GET /state`, `GET /assign`, and the `/internal/*` routes (leases,
 * tablets, the timestamp oracle, membership, the backup lock) that need the cluster token.
 */
import { ServiceError } from './errors.js';
import { baseUrl, requestJson } from './http.js';
import { PLAIN_HTTP, type Transport } from './transport.js';

/** The header that carries the cluster token on `/internal/*` routes. */
export const CLUSTER_TOKEN_HEADER = 'x-strata-token';

/** An Alpha registered with Zero. */
export interface ZeroMember {
  id: string;
  groupId: number;
  addr: string;
  leader: boolean;
  amDead: boolean;
  lastUpdate: string;
}

/** A predicate served by a group. */
export interface ZeroTablet {
  groupId: number;
  predicate: string;
}

export interface ZeroGroup {
  members: Record<string, ZeroMember>;
  tablets: Record<string, ZeroTablet>;
}

/** The JSON of `GET /state`, close to Dgraph Zero's (64-bit numbers as decimal strings). */
export interface ZeroStateJson {
  counter: string;
  groups: Record<string, ZeroGroup & { snapshotTs: string; checksum: string }>;
  zeros: Record<string, { id: string; addr: string; leader: boolean }>;
  maxUID: string;
  maxTxnTs: string;
  maxNsID: string;
  maxRaftId: string;
  removed: never[];
  cid: string;
}

export type ZeroLeaseKind = 'uids' | 'timestamps' | 'nsids';

export interface ZeroClientOptions {
  /**
   * Turns a failed request into the error to throw (default: the {@link ServiceError} itself).
   * The server maps it to the HTTP error it answers with.
   */
  mapError?: (err: ServiceError) => Error;
  /** Per-request time limit (default 60 s). */
  timeoutMs?: number;
  /** https and its TLS agent when the cluster runs with `--tls` (default plain http). */
  transport?: Transport;
  /**
   * With several Zeros (`a:6080,b:6080`), how long a request keeps moving to the next Zero while
   * none answers or none leads (default 20 s: past the leader's 10 s etcd lease).
   */
  failoverMs?: number;
}

/** Zero's HTTP API. Failures throw {@link ServiceError} (or what `mapError` makes of it). */
/** A commit's conflict check as Zero's `/internal/oracle/commit-ts` takes it (u64s as decimal text). */
export interface ConflictCheckJson {
  startTs: string;
  keys: string[];
  preds: string[];
  coarse: string[];
}

/** A call of Zero's backup/restore lock route (`/internal/backup-lock`). */
export interface BackupLockRequest {
  op: 'acquire' | 'renew' | 'release';
  id: string;
  /** `expire`: a retention run removing backups (it must not overlap a backup or a restore either). */
  kind?: 'backup' | 'restore' | 'expire';
  holder?: string;
  description?: string;
  timeoutMs?: number;
}

/** Whether a failed request may go to another Zero: none reached, or not the oracle leader. */
function movesOn(err: unknown, several: boolean): boolean {
  if (!(err instanceof ServiceError)) return false;
  if (err.reason === 'UNREACHABLE') return several;
  return err.status === 503 && err.remoteCode === 'NOT_LEADER';
}

export class ZeroClient {
  /** The Zero answering now (the first of `addr`'s list until one fails). */
  base: string;
  private readonly bases: string[];
  private readonly addrs: string[];
  private current = 0;
  private readonly tablets = new Map<string, number>();

  constructor(
    /** `host:port` or an http(s) URL, or several, comma-separated (Zeros sharing one etcd). */
    readonly addr: string,
    private readonly token: string,
    private readonly options: ZeroClientOptions = {},
  ) {
    this.addrs = addr
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    if (this.addrs.length === 0) this.addrs = [addr];
    const scheme = (options.transport ?? PLAIN_HTTP).scheme;
    this.bases = this.addrs.map((a) => baseUrl(a, scheme));
    this.base = this.bases[0]!;
  }

  private async req<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const several = this.bases.length > 1;
    const deadline = Date.now() + (this.options.failoverMs ?? 20_000);
    let tried = 0;
    for (;;) {
      const i = this.current;
      try {
        return await requestJson<T>({
          service: `Zero at ${this.addrs[i]}`,
          url: `${this.bases[i]}${route}`,
          method,
          headers: { [CLUSTER_TOKEN_HEADER]: this.token },
          body,
          ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
          dispatcher: this.options.transport?.dispatcher,
        });
      } catch (err) {
        if (!movesOn(err, several) || Date.now() >= deadline) {
          throw this.options.mapError ? this.options.mapError(err as ServiceError) : err;
        }
        // The next Zero; after a whole round without an answer, a pause (an election takes seconds).
        this.current = (i + 1) % this.bases.length;
        this.base = this.bases[this.current]!;
        tried += 1;
        if (tried % this.bases.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  connect(group: number, addr: string): Promise<{ id: string; groupId: number; addr: string }> {
    return this.req('POST', '/internal/connect', { group, addr });
  }

  state(): Promise<ZeroStateJson> {
    return this.req('GET', '/state');
  }

  async assignUids(num: number): Promise<{ start: bigint; end: bigint }> {
    const r = await this.req<{ startId: string; endId: string }>('GET', `/assign?what=uids&num=${num}`);
    return { start: BigInt(r.startId), end: BigInt(r.endId) };
  }

  /** The group of a predicate, assigned by Zero on first use (cached: tablets do not move). */
  async tablet(predicate: string): Promise<number> {
    const cached = this.tablets.get(predicate);
    if (cached !== undefined) return cached;
    const r = await this.req<{ groupId: number }>('POST', '/internal/tablet', { predicate });
    this.tablets.set(predicate, r.groupId);
    return r.groupId;
  }

  forgetTablets(): void {
    this.tablets.clear();
  }

  async commitTs(): Promise<bigint> {
    return BigInt((await this.req<{ commitTs: string }>('POST', '/internal/oracle/commit-ts', {})).commitTs);
  }

  /**
   * A commit timestamp for the transaction started at `check.startTs`, or `'conflict'` when a
   * transaction committed since then wrote one of its keys (it must abort).
   */
  async commitTsChecked(check: ConflictCheckJson): Promise<bigint | 'conflict'> {
    const r = await this.req<{ commitTs?: string; conflict?: boolean }>(
      'POST',
      '/internal/oracle/commit-ts',
      check,
    );
    if (r.conflict) return 'conflict';
    if (r.commitTs === undefined) throw new Error('Zero answered a commit without a timestamp');
    return BigInt(r.commitTs);
  }

  /**
   * The commit at `commitTs` is queued, in order, at every group it writes: the next commit may
   * take its timestamp (reads still wait for `done`).
   */
  async queued(commitTs: bigint): Promise<void> {
    await this.req('POST', '/internal/oracle/queued', { commitTs: String(commitTs) });
  }

  async done(commitTs: bigint, committed: boolean): Promise<void> {
    await this.req('POST', '/internal/oracle/done', { commitTs: String(commitTs), committed });
  }

  /**
   * Tells Zero the oldest start ts this Alpha (`addr`) may still commit, or that it has nothing
   * pending (`oldest` undefined): Zero's conflict memory keeps no commits older than that. Answers
   * the oldest one of every Alpha (undefined: none), whose reads the Alpha's store keeps.
   */
  async reportPendingStarts(
    addr: string,
    oldest: bigint | undefined,
    /** The oldest commit this Alpha is still applying (between its commit ts and `done`). */
    inflight?: bigint,
  ): Promise<bigint | undefined> {
    const r = await this.req<{ oldestOpen?: string }>('POST', '/internal/oracle/pending-starts', {
      addr,
      ...(oldest === undefined ? {} : { oldest: String(oldest) }),
      ...(inflight === undefined ? {} : { inflight: String(inflight) }),
    });
    return r.oldestOpen === undefined ? undefined : BigInt(r.oldestOpen);
  }

  async readTs(): Promise<bigint> {
    return BigInt((await this.req<{ readTs: string }>('GET', '/internal/oracle/read-ts')).readTs);
  }

  /**
   * Moves a lease past `atLeast` (never backwards) and hands out `num` ids; `num` 0 only reads
   * (and, with `atLeast`, moves) the lease.
   */
  lease(
    what: ZeroLeaseKind,
    num: number,
    atLeast?: bigint,
  ): Promise<{ startId?: string; endId?: string; nextId: string }> {
    return this.req('POST', '/internal/lease', {
      what,
      num,
      ...(atLeast === undefined ? {} : { atLeast: String(atLeast) }),
    });
  }

  /** An online restore's decision at Zero ('pending' until one is recorded). */
  async restoreDecision(id: string): Promise<'pending' | 'commit' | 'abort'> {
    return (
      await this.req<{ decision: 'pending' | 'commit' | 'abort' }>('POST', '/internal/restore-decision', {
        id,
      })
    ).decision;
  }

  /**
   * Records an online restore's decision unless one is recorded already; answers the recorded
   * one. A commit moves `tablets` in the same step.
   */
  async decideRestore(
    id: string,
    decide: 'commit' | 'abort',
    tablets: { predicate: string; group: number }[] = [],
  ): Promise<'commit' | 'abort'> {
    const r = await this.req<{ decision: 'commit' | 'abort' }>('POST', '/internal/restore-decision', {
      id,
      decide,
      tablets,
    });
    return r.decision;
  }

  moveTablet(predicate: string, group: number): Promise<unknown> {
    return this.req('POST', '/internal/move-tablet', { predicate, group });
  }

  /** The cluster-wide backup/restore lock; acquiring a held lock fails with Zero's message (409). */
  backupLock(
    body: BackupLockRequest,
  ): Promise<{ acquired?: boolean; renewed?: boolean; released?: boolean; expires?: string }> {
    return this.req('POST', '/internal/backup-lock', body);
  }
}
