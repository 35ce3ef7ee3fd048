/**
 * The handlers of Dgraph's gRPC service `api.Dgraph` (api.proto beside this file): each request is
 * checked (auth token, readiness), mapped onto the shared request layer (../requests.ts, ../alter.ts)
 * and answered in Dgraph's messages; every failure becomes a gRPC status, never an exception.
 */
import { status as Status, Metadata, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { parseNativeMessage } from '@strata/core';
import { alter, type AlterBody } from '../alter.js';
import type { Cluster } from '../cluster.js';
import {
  commitOrAbort,
  mutateRequest,
  mutationRequestFromParts,
  query,
  type MutationPart,
} from '../requests.js';
import { HttpError } from '../../http/errors.js';
import type { TokenScope } from '../../http/security-options.js';
import { tokenDigest, tokenMatches } from '../../http/token.js';
import { ParseError } from '../../parse/errors.js';

/** The metadata key Dgraph's Alpha reads its `--security token=` from (edgraph's poor man's auth). */
export const GRPC_AUTH_TOKEN_KEY = 'auth-token';

/** uint64 fields arrive as decimal strings (proto-loader `longs: String`). */
type U64 = string | number;

export interface ApiMutation {
  set_json?: Buffer;
  delete_json?: Buffer;
  set_nquads?: Buffer;
  del_nquads?: Buffer;
  set?: unknown[];
  del?: unknown[];
  cond?: string;
  commit_now?: boolean;
}

export interface ApiRequest {
  start_ts?: U64;
  query?: string;
  vars?: Record<string, string>;
  read_only?: boolean;
  best_effort?: boolean;
  mutations?: ApiMutation[];
  commit_now?: boolean;
  resp_format?: string | number;
  hash?: string;
}

export interface ApiTxnContext {
  start_ts?: U64;
  commit_ts?: U64;
  aborted?: boolean;
  keys?: string[];
  preds?: string[];
  hash?: string;
}

export interface ApiOperation {
  schema?: string;
  drop_attr?: string;
  drop_all?: boolean;
  drop_op?: string | number;
  drop_value?: string;
  run_in_background?: boolean;
}

interface ApiLatency {
  parsing_ns: U64;
  processing_ns: U64;
  encoding_ns: U64;
  assign_timestamp_ns: U64;
  total_ns: U64;
}

export interface ApiResponse {
  json: Buffer;
  txn: ApiTxnContext;
  latency?: ApiLatency;
  metrics?: { num_uids: Record<string, U64> };
  uids: Record<string, string>;
}

/** A gRPC status with a message for the client. */
export class GrpcError extends Error {
  constructor(
    readonly code: Status,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

/** What dgraph-js and pydgraph recognise an aborted transaction by (with status ABORTED). */
export const ABORTED_MESSAGE = 'Transaction has been aborted. Please retry';

interface Logger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The gRPC status of an error the request layer threw. */
export function grpcStatusOf(err: unknown, log?: Logger, method = ''): GrpcError {
  if (err instanceof GrpcError) return err;
  if (err instanceof ParseError) return new GrpcError(Status.UNKNOWN, err.message);
  if (err instanceof HttpError) {
    const s = err.statusCode;
    if (s === 409 && err.code === 'TXN_ABORTED') return new GrpcError(Status.ABORTED, ABORTED_MESSAGE);
    if (s >= 500) log?.warn({ err, method }, 'gRPC request failed in the cluster');
    // Dgraph answers a bad query or mutation with a plain error (UNKNOWN) and its message.
    if (s === 400 || s === 409 || s === 413 || s === 415) return new GrpcError(Status.UNKNOWN, err.message);
    if (s === 401) return new GrpcError(Status.UNAUTHENTICATED, err.message);
    if (s === 403) return new GrpcError(Status.PERMISSION_DENIED, err.message);
    if (s === 404) return new GrpcError(Status.NOT_FOUND, err.message);
    if (s === 503) return new GrpcError(Status.UNAVAILABLE, err.message);
    if (s === 502) return new GrpcError(Status.UNAVAILABLE, err.message);
    return new GrpcError(Status.INTERNAL, err.message);
  }
  const native = err instanceof Error ? parseNativeMessage(err.message) : undefined;
  if (native?.code === 'INVALID_ARGUMENT') return new GrpcError(Status.UNKNOWN, native.text);
  log?.error({ err, method }, 'gRPC request failed');
  return new GrpcError(Status.INTERNAL, 'internal error');
}

export interface DgraphServiceOptions {
  cluster: Cluster;
  /** Strata's package version (CheckVersion's tag). */
  version: string;
  /** `--security`'s auth token (clients send it as `auth-token` metadata). */
  authToken?: string | undefined;
  tokenFor?: TokenScope;
  log?: Logger;
}

function u64(v: U64 | undefined, what: string): bigint {
  if (v === undefined || v === '') return 0n;
  try {
    const b = BigInt(v);
    if (b < 0n || b >= 1n << 64n) throw new RangeError();
    return b;
  } catch {
    throw new GrpcError(Status.INVALID_ARGUMENT, `${what} is not a uint64: ${String(v)}`);
  }
}

function text(b: Buffer | undefined): string | undefined {
  return b && b.length > 0 ? b.toString('utf8') : undefined;
}

function json(b: Buffer | undefined, what: string): unknown {
  const t = text(b);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch (e) {
    throw new GrpcError(Status.INVALID_ARGUMENT, `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

const DROP_OPS = ['NONE', 'ALL', 'DATA', 'ATTR', 'TYPE'];

/** An api.Operation in the shape of Dgraph's HTTP /alter body. */
export function alterBodyOf(op: ApiOperation): AlterBody {
  const dropOp = typeof op.drop_op === 'number' ? DROP_OPS[op.drop_op] : op.drop_op;
  if (dropOp === undefined) throw new GrpcError(Status.INVALID_ARGUMENT, `unknown drop_op ${op.drop_op}`);
  if (op.drop_all || dropOp === 'ALL') return { drop_all: true };
  if (dropOp === 'DATA') return { drop_op: 'DATA' };
  if (dropOp === 'ATTR') return { drop_op: 'ATTR', drop_value: op.drop_value ?? '' };
  if (dropOp === 'TYPE') {
    if (!op.drop_value)
      throw new GrpcError(Status.INVALID_ARGUMENT, 'drop_op TYPE needs drop_value (the type name)');
    return { drop_op: 'TYPE', drop_value: op.drop_value };
  }
  if (op.drop_attr) return { drop_attr: op.drop_attr };
  if (op.schema !== undefined && op.schema !== '') return { schema: op.schema };
  throw new GrpcError(
    Status.INVALID_ARGUMENT,
    'the operation is empty: give schema, drop_all, drop_op or drop_attr',
  );
}

function latencyOf(l: Record<string, number> | undefined): ApiLatency | undefined {
  if (!l) return undefined;
  const n = (k: string): string => String(Math.max(0, Math.round(l[k] ?? 0)));
  return {
    parsing_ns: n('parsing_ns'),
    processing_ns: n('processing_ns'),
    encoding_ns: n('encoding_ns'),
    assign_timestamp_ns: n('assign_timestamp_ns'),
    total_ns: n('total_ns'),
  };
}

function txnOf(t: {
  start_ts?: number | string;
  commit_ts?: number | string;
  preds?: string[];
  keys?: string[];
  aborted?: boolean;
}): ApiTxnContext {
  return {
    start_ts: String(t.start_ts ?? 0),
    commit_ts: String(t.commit_ts ?? 0),
    aborted: t.aborted ?? false,
    keys: t.keys ?? [],
    preds: t.preds ?? [],
  };
}

/** The Dgraph service's logic, one method per rpc, independent of grpc-js's call objects. */
export class DgraphService {
  private readonly expected: Buffer | undefined;

  constructor(private readonly opts: DgraphServiceOptions) {
    this.expected = opts.authToken === undefined ? undefined : tokenDigest(opts.authToken);
  }

  /** Refuses a call without the auth token where `--security` asks for one. */
  checkToken(md: Metadata, admin: boolean): void {
    if (this.expected === undefined) return;
    if (!admin && (this.opts.tokenFor ?? 'all') === 'admin') return;
    const given = md.get(GRPC_AUTH_TOKEN_KEY)[0];
    if (!tokenMatches(typeof given === 'string' ? given : undefined, this.expected)) {
      // PERMISSION_DENIED, not UNAUTHENTICATED: the official clients take UNAUTHENTICATED for an
      // expired ACL login and retry with a refresh token, which would hide this message.
      throw new GrpcError(
        Status.PERMISSION_DENIED,
        `this Alpha needs its auth token in the "${GRPC_AUTH_TOKEN_KEY}" gRPC metadata`,
      );
    }
  }

  /** As the HTTP routes: 503 until registered with Zero, and while a restore swaps the store. */
  checkServing(): void {
    const c = this.opts.cluster;
    if (!c.ready) throw new GrpcError(Status.UNAVAILABLE, 'the Alpha is starting: try again shortly');
    if (!c.local.owner.serving) {
      throw new GrpcError(Status.UNAVAILABLE, `group ${c.groupId} is being restored: try again shortly`);
    }
  }

  checkVersion(): { tag: string } {
    return { tag: `v25.4.0-strata.${this.opts.version}` };
  }

  login(): never {
    // Dgraph without ACL finds no such user and answers "invalid username or password".
    throw new GrpcError(
      Status.UNKNOWN,
      'invalid username or password (Strata has no ACL: there are no users to log in as; use --security token-file= and the auth-token metadata)',
    );
  }

  async query(req: ApiRequest): Promise<ApiResponse> {
    const format = req.resp_format ?? 'JSON';
    if (format !== 'JSON' && format !== 0) {
      throw new GrpcError(Status.UNIMPLEMENTED, 'resp_format RDF is not supported by Strata: ask for JSON');
    }
    const startTs = u64(req.start_ts, 'start_ts');
    const mutations = req.mutations ?? [];
    const q = req.query ?? '';
    if (mutations.length === 0) {
      if (req.best_effort && !req.read_only) {
        throw new GrpcError(Status.UNKNOWN, 'A best effort query must be read-only.');
      }
      if (q.trim() === '')
        throw new GrpcError(Status.INVALID_ARGUMENT, 'empty request: no query and no mutations');
      const r = await query(this.opts.cluster, {
        query: q,
        vars: req.vars ?? {},
        ...(startTs === 0n ? {} : { startTs }),
        readOnly: req.read_only ?? false,
        bestEffort: req.best_effort ?? false,
      });
      return {
        json: Buffer.from(JSON.stringify(r.data)),
        txn: txnOf({ start_ts: r.extensions.txn.start_ts }),
        latency: latencyOf(r.extensions.server_latency),
        uids: {},
      };
    }
    if (req.read_only)
      throw new GrpcError(Status.INVALID_ARGUMENT, 'a read-only request cannot run mutations');
    const parts: MutationPart[] = mutations.map((m, i) => {
      if ((m.set?.length ?? 0) > 0 || (m.del?.length ?? 0) > 0) {
        throw new GrpcError(
          Status.UNIMPLEMENTED,
          'mutations as NQuad messages (Mutation.set/del) are not supported by Strata: use set_nquads/del_nquads or set_json/delete_json',
        );
      }
      const p: MutationPart = {};
      const sj = json(m.set_json, `mutations[${i}].set_json`);
      const dj = json(m.delete_json, `mutations[${i}].delete_json`);
      const sn = text(m.set_nquads);
      const dn = text(m.del_nquads);
      if (sj !== undefined) p.setJson = sj;
      if (dj !== undefined) p.deleteJson = dj;
      if (sn !== undefined) p.setNquads = sn;
      if (dn !== undefined) p.delNquads = dn;
      if (m.cond) p.cond = m.cond;
      return p;
    });
    const commitNow = (req.commit_now ?? false) || mutations.some((m) => m.commit_now === true);
    const mreq = mutationRequestFromParts(parts, q === '' ? undefined : q);
    const r = await mutateRequest(this.opts.cluster, mreq, {
      ...(startTs === 0n ? {} : { startTs }),
      commitNow,
    });
    const ext = r.extensions as {
      txn: { start_ts: number; commit_ts: number; preds: string[]; keys?: string[] };
      server_latency?: Record<string, number>;
    };
    // Dgraph: a request without a query answers no JSON; an upsert its query's answer.
    const queries = r.data.queries;
    return {
      json: Buffer.from(q === '' ? '' : JSON.stringify(queries ?? {})),
      txn: txnOf(ext.txn),
      latency: latencyOf(ext.server_latency),
      uids: r.data.uids,
    };
  }

  async alter(op: ApiOperation): Promise<{ Data: Buffer }> {
    await alter(this.opts.cluster, alterBodyOf(op));
    return { Data: Buffer.alloc(0) };
  }

  async commitOrAbort(t: ApiTxnContext): Promise<ApiTxnContext> {
    const startTs = u64(t.start_ts, 'start_ts');
    if (startTs === 0n)
      throw new GrpcError(
        Status.INVALID_ARGUMENT,
        'start_ts is required: the transaction to commit or abort',
      );
    // The keys tell whether it mutated: a transaction that did but is not open here is refused.
    const a = await commitOrAbort(this.opts.cluster, startTs, t.aborted === true, t.keys ?? []);
    return txnOf(a);
  }
}

/** `unimplemented` answers for the v25 methods Strata does not serve. */
function unimplemented(name: string) {
  return (_call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>): void => {
    cb({ code: Status.UNIMPLEMENTED, details: `${name} is not implemented by Strata` });
  };
}

type Handler = (call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => void;

/** grpc-js handlers for the `api.Dgraph` service. */
export function dgraphHandlers(svc: DgraphService, log?: Logger): Record<string, Handler> {
  const wrap =
    (name: string, auth: 'none' | 'data' | 'admin', f: (req: unknown) => unknown): Handler =>
    (call, cb) => {
      void (async () => {
        try {
          if (auth !== 'none') svc.checkToken(call.metadata, auth === 'admin');
          if (name !== 'CheckVersion') svc.checkServing();
          const out = await f(call.request);
          cb(null, out);
        } catch (err) {
          const s = grpcStatusOf(err, log, name);
          cb({ code: s.code, details: s.message });
        }
      })();
    };
  return {
    Login: wrap('Login', 'none', () => svc.login()),
    Query: wrap('Query', 'data', (r) => svc.query(r as ApiRequest)),
    Alter: wrap('Alter', 'admin', (r) => svc.alter(r as ApiOperation)),
    CommitOrAbort: wrap('CommitOrAbort', 'data', (r) => svc.commitOrAbort(r as ApiTxnContext)),
    CheckVersion: wrap('CheckVersion', 'none', () => svc.checkVersion()),
    RunDQL: unimplemented('RunDQL'),
    AllocateIDs: unimplemented('AllocateIDs'),
    CreateNamespace: unimplemented('CreateNamespace'),
    DropNamespace: unimplemented('DropNamespace'),
    ListNamespaces: unimplemented('ListNamespaces'),
  };
}
