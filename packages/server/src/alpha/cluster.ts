/**
 * How an Alpha reaches the rest of its cluster: Zero (leases, tablets, the timestamp oracle,
 * membership) and the owner group of each predicate, either itself (in process) or another
 * Alpha (HTTP `/internal/*` with the cluster token).
 */
import { TOKEN_HEADER } from '../zero/plugins/cluster-token.js';
import type { ZeroStateJson } from '../zero/state.js';
import { HttpError, type ErrorBody, type HttpErrorCode } from '../http/errors.js';
import type { GroupOwner, PredicateInfo, WireAlter } from './owner.js';
import type { WireEdge, WireNodeFacts } from './wire.js';

function reason(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export async function call<T>(
  base: string,
  what: string,
  method: 'GET' | 'POST',
  route: string,
  token: string,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${route}`, {
      method,
      headers: {
        [TOKEN_HEADER]: token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new HttpError('GROUP_UNAVAILABLE', `${what} is unreachable (${reason(err)})`, 503);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(
      'GROUP_UNAVAILABLE',
      `${what} answered ${res.status} with a body that is not JSON`,
      502,
    );
  }
  if (!res.ok) {
    const e = json as Partial<ErrorBody>;
    const status = res.status >= 500 ? 502 : res.status;
    const code = (e.code ?? 'BAD_REQUEST') as HttpErrorCode;
    throw new HttpError(code, `${what}: ${e.message ?? `HTTP ${res.status}`}`, status);
  }
  return json as T;
}

/** Zero's HTTP API as an Alpha uses it. */
export class ZeroClient {
  readonly base: string;
  private readonly tablets = new Map<string, number>();

  constructor(
    readonly addr: string,
    private readonly token: string,
  ) {
    this.base = addr.startsWith('http') ? addr.replace(/\/$/, '') : `http://${addr}`;
  }

  private req<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    return call<T>(this.base, `Zero at ${this.addr}`, method, route, this.token, body);
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

  async done(commitTs: bigint, committed: boolean): Promise<void> {
    await this.req('POST', '/internal/oracle/done', { commitTs: String(commitTs), committed });
  }

  async readTs(): Promise<bigint> {
    return BigInt((await this.req<{ readTs: string }>('GET', '/internal/oracle/read-ts')).readTs);
  }

  /** Moves a lease past `atLeast` (never backwards) and hands out `num` ids. */
  async lease(
    what: 'uids' | 'timestamps' | 'nsids',
    num: number,
    atLeast?: bigint,
  ): Promise<{ startId?: string; endId?: string; nextId: string }> {
    return this.req('POST', '/internal/lease', {
      what,
      num,
      ...(atLeast === undefined ? {} : { atLeast: String(atLeast) }),
    });
  }

  moveTablet(predicate: string, group: number): Promise<unknown> {
    return this.req('POST', '/internal/move-tablet', { predicate, group });
  }

  /** The cluster-wide backup/restore lock; acquiring a held lock fails with Zero's message (409). */
  backupLock(body: {
    op: 'acquire' | 'release';
    id: string;
    kind?: 'backup' | 'restore';
    holder?: string;
    description?: string;
    timeoutMs?: number;
  }): Promise<{ acquired?: boolean; released?: boolean }> {
    return this.req('POST', '/internal/backup-lock', body);
  }
}

/** What a coordinator asks of a group (wire forms). */
export interface GroupApi {
  readonly group: number;
  readonly addr: string;
  prepare(txnId: string, edges: WireEdge[]): Promise<unknown>;
  commit(txnId: string, commitTs: bigint): Promise<{ keys: number }>;
  abort(txnId: string): Promise<unknown>;
  alter(commitTs: bigint, req: WireAlter, dryRun: boolean): Promise<unknown>;
  read(
    uids: string[],
    predicates: string[] | null,
    readTs: bigint,
  ): Promise<{ nodes: WireNodeFacts[]; schema: Record<string, PredicateInfo> }>;
  has(predicate: string, readTs: bigint): Promise<string[]>;
  eq(predicate: string, values: string[], readTs: bigint): Promise<string[]>;
  reverse(
    predicate: string,
    objects: string[],
    readTs: bigint,
  ): Promise<{ object: string; subjects: string[] }[]>;
  exportRdf(readTs: bigint): Promise<{ data: string; schema: string; facts: number }>;
}

/** This Alpha's own group, called in process. */
export class LocalGroup implements GroupApi {
  constructor(
    readonly owner: GroupOwner,
    /** The address registered with Zero (set once listening). */
    public addr: string,
  ) {}
  get group(): number {
    return this.owner.group;
  }
  async prepare(txnId: string, edges: WireEdge[]) {
    return this.owner.prepare(txnId, edges);
  }
  commit(txnId: string, commitTs: bigint) {
    return this.owner.commit(txnId, commitTs);
  }
  async abort(txnId: string) {
    return this.owner.abort(txnId);
  }
  async alter(commitTs: bigint, req: WireAlter, dryRun: boolean) {
    if (dryRun) return this.owner.checkAlter(req);
    return this.owner.alter(commitTs, req);
  }
  read(uids: string[], predicates: string[] | null, readTs: bigint) {
    return this.owner.read(uids, predicates, String(readTs));
  }
  has(predicate: string, readTs: bigint) {
    return this.owner.has(predicate, String(readTs));
  }
  eq(predicate: string, values: string[], readTs: bigint) {
    return this.owner.eq(predicate, values, String(readTs));
  }
  reverse(predicate: string, objects: string[], readTs: bigint) {
    return this.owner.reverse(predicate, objects, String(readTs));
  }
  exportRdf(readTs: bigint) {
    return this.owner.exportRdf(String(readTs));
  }
}

/** Another Alpha, over HTTP. */
export class RemoteGroup implements GroupApi {
  private readonly base: string;
  constructor(
    readonly group: number,
    readonly addr: string,
    private readonly token: string,
  ) {
    this.base = `http://${addr}`;
  }
  private post<T>(route: string, body: unknown, timeoutMs?: number): Promise<T> {
    return call<T>(
      this.base,
      `group ${this.group} (Alpha at ${this.addr})`,
      'POST',
      route,
      this.token,
      body,
      timeoutMs,
    );
  }
  prepare(txnId: string, edges: WireEdge[]) {
    return this.post('/internal/prepare', { txnId, edges });
  }
  commit(txnId: string, commitTs: bigint) {
    return this.post<{ keys: number }>('/internal/commit', { txnId, commitTs: String(commitTs) });
  }
  abort(txnId: string) {
    return this.post('/internal/abort', { txnId }, 5_000);
  }
  alter(commitTs: bigint, req: WireAlter, dryRun: boolean) {
    return this.post('/internal/alter', { commitTs: String(commitTs), dryRun, ...req });
  }
  read(uids: string[], predicates: string[] | null, readTs: bigint) {
    return this.post<{ nodes: WireNodeFacts[]; schema: Record<string, PredicateInfo> }>('/internal/read', {
      uids,
      predicates,
      readTs: String(readTs),
    });
  }
  async has(predicate: string, readTs: bigint) {
    return (await this.post<{ uids: string[] }>('/internal/has', { predicate, readTs: String(readTs) })).uids;
  }
  async eq(predicate: string, values: string[], readTs: bigint) {
    return (
      await this.post<{ uids: string[] }>('/internal/eq', { predicate, values, readTs: String(readTs) })
    ).uids;
  }
  async reverse(predicate: string, objects: string[], readTs: bigint) {
    return (
      await this.post<{ results: { object: string; subjects: string[] }[] }>('/internal/reverse', {
        predicate,
        objects,
        readTs: String(readTs),
      })
    ).results;
  }
  exportRdf(readTs: bigint) {
    return this.post<{ data: string; schema: string; facts: number }>('/internal/export', {
      readTs: String(readTs),
    });
  }
}

/** The cluster as seen from one Alpha. */
export class Cluster {
  private state: { at: number; json: ZeroStateJson } | undefined;
  /** False until the Alpha has registered with Zero and has its initial schema. */
  ready = false;

  constructor(
    readonly zero: ZeroClient,
    readonly local: LocalGroup,
    private readonly clusterToken: string,
  ) {}

  get groupId(): number {
    return this.local.group;
  }

  /** Zero's /state, cached for a second (`fresh` forces a new read). */
  /** Forgets cached tablets and state (after a restore moved tablets). */
  forgetCaches(): void {
    this.state = undefined;
    this.zero.forgetTablets();
  }

  /** The address of the Alpha serving a group (its most recently registered member). */
  async groupAddr(group: number): Promise<string> {
    return (await this.groupApi(group)).addr;
  }

  get token(): string {
    return this.clusterToken;
  }

  async zeroState(fresh = false): Promise<ZeroStateJson> {
    if (!fresh && this.state && Date.now() - this.state.at < 1_000) return this.state.json;
    const json = await this.zero.state();
    this.state = { at: Date.now(), json };
    return json;
  }

  async groupIds(): Promise<number[]> {
    return Object.keys((await this.zeroState()).groups)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The Alpha serving a group: its most recently registered member. */
  async groupApi(group: number): Promise<GroupApi> {
    if (group === this.local.group) return this.local;
    for (const fresh of [false, true]) {
      const g = (await this.zeroState(fresh)).groups[String(group)];
      const members = Object.values(g?.members ?? {});
      if (members.length === 0) continue;
      members.sort((a, b) => Number(b.lastUpdate) - Number(a.lastUpdate) || Number(b.id) - Number(a.id));
      return new RemoteGroup(group, members[0]!.addr, this.clusterToken);
    }
    throw new HttpError(
      'GROUP_UNAVAILABLE',
      `group ${group} has no Alpha: start one with --group ${group}`,
      503,
    );
  }

  /** The group serving a predicate for writes (assigned on first use). */
  writeGroup(predicate: string): Promise<number> {
    return this.zero.tablet(predicate);
  }

  /** The group serving a predicate for reads, or undefined when no group has it (no data). */
  async readGroup(predicate: string): Promise<number | undefined> {
    for (const fresh of [false, true]) {
      for (const [gid, g] of Object.entries((await this.zeroState(fresh)).groups)) {
        if (g.tablets[predicate]) return Number(gid);
      }
    }
    return undefined;
  }
}
