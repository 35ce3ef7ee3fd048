/**
 * How an Alpha reaches the rest of its cluster: Zero (leases, tablets, the timestamp oracle,
 * membership) and the owner group of each predicate, either itself (in process) or another
 * Alpha (HTTP `/internal/*` with the cluster token).
 */
import { InflightCommits } from './inflight-commits.js';
import {
  CLUSTER_TOKEN_HEADER,
  fetchExport,
  LineReader,
  PLAIN_HTTP,
  requestJson,
  type ExportReader,
  type LineSource,
  ServiceError,
  type Transport,
  type ZeroClient,
  type ZeroStateJson,
} from '@strata/core';
import { HttpError, type HttpErrorCode } from '../http/errors.js';
import { OpenTxns } from './open-txns.js';
import type { GroupOwner, PredicateInfo, Prepared, WireAlter, WireSchemaPredicate } from './owner.js';
import type {
  WireCompare,
  WireEdge,
  WireHas,
  WireGeo,
  WireNodeFacts,
  WirePattern,
  WireTextMatch,
} from './wire.js';

/**
 * The HttpError a failed request to another node answers with: an unreachable node is 503, a
 * node that answered nonsense or failed itself 502, a refusal keeps the node's code and status.
 */
export function toHttpError(err: unknown): Error {
  if (!(err instanceof ServiceError)) return err as Error;
  if (err.reason === 'REFUSED') {
    const status = err.status === undefined || err.status >= 500 ? 502 : err.status;
    const code = (err.remoteCode ?? 'BAD_REQUEST') as HttpErrorCode;
    return new HttpError(code, `${err.service}: ${err.detail}`, status);
  }
  if (err.reason === 'BAD_RESPONSE') {
    return new HttpError(
      'GROUP_UNAVAILABLE',
      `${err.service} answered ${err.status} with a body that is not JSON`,
      502,
    );
  }
  return new HttpError('GROUP_UNAVAILABLE', `${err.service} is unreachable (${err.detail})`, 503);
}

/** How an Alpha reaches its peers: the cluster token, and http or https (`--tls`). */
export interface PeerAccess {
  token: string;
  transport: Transport;
}

/** A call to another Alpha's `/internal/*` route at `addr` (`host:port`). */
export async function call<T>(
  addr: string,
  what: string,
  method: 'GET' | 'POST',
  route: string,
  peers: PeerAccess,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<T> {
  try {
    return await requestJson<T>({
      service: what,
      url: `${peers.transport.scheme}://${addr}${route}`,
      method,
      headers: { [CLUSTER_TOKEN_HEADER]: peers.token },
      body,
      timeoutMs,
      dispatcher: peers.transport.dispatcher,
    });
  } catch (err) {
    throw toHttpError(err);
  }
}

/** What a coordinator asks of a group (wire forms). */
export interface GroupApi {
  readonly group: number;
  readonly addr: string;
  prepare(txnId: string, edges: WireEdge[]): Promise<Prepared>;
  commit(txnId: string, commitTs: bigint): Promise<{ keys: number }>;
  /**
   * Whether `commit` has queued the commit in order by the time it returns (an in-process owner),
   * so that the next commit may take its timestamp before this one is applied.
   */
  readonly queuesOnCall: boolean;
  abort(txnId: string): Promise<unknown>;
  /** An open transaction's uncommitted edges on this group (all of them; `[]` forgets them). */
  setPending(startTs: bigint, edges: WireEdge[]): Promise<unknown>;
  alter(commitTs: bigint, req: WireAlter, dryRun: boolean): Promise<unknown>;
  read(
    uids: string[],
    predicates: string[] | null,
    readTs: bigint,
  ): Promise<{ nodes: WireNodeFacts[]; schema: Record<string, PredicateInfo> }>;
  has(m: WireHas, readTs: bigint): Promise<string[]>;
  /** Through the index; given `among`, only those subjects, read from their data. */
  compare(m: WireCompare, readTs: bigint, among?: string[]): Promise<string[]>;
  textMatch(m: WireTextMatch, readTs: bigint): Promise<string[]>;
  /** A geo function over every value of the predicate, or only `among`'s. */
  geo(m: WireGeo, readTs: bigint, among?: string[]): Promise<string[]>;
  /** `regexp` / `match` through the trigram index, or only among `among`. */
  pattern(m: WirePattern, readTs: bigint, among?: string[]): Promise<string[]>;
  reverse(
    predicate: string,
    objects: string[],
    readTs: bigint,
  ): Promise<{ object: string; subjects: string[] }[]>;
  /** Opens the group's streamed export at `readTs` (its store is scanned first). */
  openExport(readTs: bigint): Promise<GroupExport>;
  /** The schema entries of the group's predicates. */
  schema(): Promise<WireSchemaPredicate[]>;
}

/** One group's export as a coordinator merges it: its schema and its sorted unique lines. */
export interface GroupExport {
  schema: Buffer;
  lines: LineSource & { readonly what: string; close(): Promise<void> };
}

/** This Alpha's own group, called in process. */
export class LocalGroup implements GroupApi {
  readonly queuesOnCall = true;
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
  async setPending(startTs: bigint, edges: WireEdge[]) {
    return this.owner.setPending(String(startTs), edges);
  }
  async alter(commitTs: bigint, req: WireAlter, dryRun: boolean) {
    if (dryRun) return this.owner.checkAlter(req);
    return this.owner.alter(commitTs, req);
  }
  read(uids: string[], predicates: string[] | null, readTs: bigint) {
    return this.owner.read(uids, predicates, String(readTs));
  }
  has(m: WireHas, readTs: bigint) {
    return this.owner.has(m, String(readTs));
  }
  compare(m: WireCompare, readTs: bigint, among?: string[]) {
    return this.owner.compare(m, String(readTs), among);
  }
  textMatch(m: WireTextMatch, readTs: bigint) {
    return this.owner.textMatch(m, String(readTs));
  }
  geo(m: WireGeo, readTs: bigint, among?: string[]) {
    return this.owner.geo(m, String(readTs), among);
  }
  pattern(m: WirePattern, readTs: bigint, among?: string[]) {
    return this.owner.pattern(m, String(readTs), among);
  }
  reverse(predicate: string, objects: string[], readTs: bigint) {
    return this.owner.reverse(predicate, objects, String(readTs));
  }
  async schema() {
    return this.owner.schemaPredicates();
  }
  async openExport(readTs: bigint): Promise<GroupExport> {
    const o = await this.owner.openExport(String(readTs));
    return { schema: o.schema, lines: new LineReader(o.chunks, `the export of group ${this.group}`) };
  }
}

/** Another Alpha, over HTTP. */
export class RemoteGroup implements GroupApi {
  readonly queuesOnCall = false;
  constructor(
    readonly group: number,
    readonly addr: string,
    private readonly peers: PeerAccess,
  ) {}
  private post<T>(route: string, body: unknown, timeoutMs?: number): Promise<T> {
    return call<T>(
      this.addr,
      `group ${this.group} (Alpha at ${this.addr})`,
      'POST',
      route,
      this.peers,
      body,
      timeoutMs,
    );
  }
  prepare(txnId: string, edges: WireEdge[]) {
    return this.post<Prepared>('/internal/prepare', { txnId, edges });
  }
  commit(txnId: string, commitTs: bigint) {
    return this.post<{ keys: number }>('/internal/commit', { txnId, commitTs: String(commitTs) });
  }
  abort(txnId: string) {
    return this.post('/internal/abort', { txnId }, 5_000);
  }
  setPending(startTs: bigint, edges: WireEdge[]) {
    return this.post('/internal/pending', { startTs: String(startTs), edges });
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
  async has(m: WireHas, readTs: bigint) {
    return (await this.post<{ uids: string[] }>('/internal/has', { ...m, readTs: String(readTs) })).uids;
  }
  async schema() {
    return (await this.post<{ predicates: WireSchemaPredicate[] }>('/internal/schema', {})).predicates;
  }
  async compare(m: WireCompare, readTs: bigint, among?: string[]) {
    return (
      await this.post<{ uids: string[] }>('/internal/compare', {
        ...m,
        readTs: String(readTs),
        ...(among ? { among } : {}),
      })
    ).uids;
  }
  async textMatch(m: WireTextMatch, readTs: bigint) {
    return (await this.post<{ uids: string[] }>('/internal/text-match', { ...m, readTs: String(readTs) }))
      .uids;
  }
  async geo(m: WireGeo, readTs: bigint, among?: string[]) {
    const body = { ...m, readTs: String(readTs), ...(among ? { among } : {}) };
    return (await this.post<{ uids: string[] }>('/internal/geo', body)).uids;
  }
  async pattern(m: WirePattern, readTs: bigint, among?: string[]) {
    const body = { ...m, readTs: String(readTs), ...(among ? { among } : {}) };
    return (await this.post<{ uids: string[] }>('/internal/pattern', body)).uids;
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
  async openExport(readTs: bigint): Promise<GroupExport> {
    const what = `group ${this.group} (Alpha at ${this.addr})`;
    let r: ExportReader;
    try {
      r = await fetchExport({
        service: what,
        url: `${this.peers.transport.scheme}://${this.addr}/internal/export`,
        method: 'POST',
        headers: { [CLUSTER_TOKEN_HEADER]: this.peers.token },
        body: { readTs: String(readTs) },
        dispatcher: this.peers.transport.dispatcher,
      });
    } catch (err) {
      throw toHttpError(err);
    }
    if (r.header.readTs !== String(readTs)) {
      await r.close();
      throw new HttpError(
        'GROUP_UNAVAILABLE',
        `${what} exported at readTs ${r.header.readTs}, not ${readTs}`,
        502,
      );
    }
    return { schema: Buffer.from(r.header.schema, 'utf8'), lines: r };
  }
}

/** The cluster as seen from one Alpha. */
export class Cluster {
  private state: { at: number; json: ZeroStateJson } | undefined;
  /** False until the Alpha has registered with Zero and has its initial schema. */
  ready = false;

  /** The cluster token and the transport to the other Alphas. */
  readonly peers: PeerAccess;
  /** The open transactions this Alpha coordinates. */
  readonly txns: OpenTxns;
  /** Commits between their timestamp and their `done` (reported to Zero; inflight-commits.ts). */
  readonly inflight = new InflightCommits();

  constructor(
    readonly zero: ZeroClient,
    readonly local: LocalGroup,
    clusterToken: string,
    transport: Transport = PLAIN_HTTP,
  ) {
    this.peers = { token: clusterToken, transport };
    this.txns = new OpenTxns(this);
  }

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
    return this.peers.token;
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

  /** The Alpha serving a group: its most recently registered member, a live one first. */
  async groupApi(group: number): Promise<GroupApi> {
    if (group === this.local.group) return this.local;
    for (const fresh of [false, true]) {
      const g = (await this.zeroState(fresh)).groups[String(group)];
      const members = Object.values(g?.members ?? {});
      if (members.length === 0) continue;
      members.sort(
        (a, b) =>
          Number(a.amDead) - Number(b.amDead) ||
          Number(b.lastUpdate) - Number(a.lastUpdate) ||
          Number(b.id) - Number(a.id),
      );
      return new RemoteGroup(group, members[0]!.addr, this.peers);
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
