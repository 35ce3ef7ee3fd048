/**
 * A client of an Alpha's GraphQL `/admin` endpoint, shaped like Dgraph's admin API:
 *   mutation backup(input: {destination, forceFull, format, resume, ...credentials}) { response { code message } taskId }
 *   mutation restore(input: {location, backupId, backupNum, ...}) { code message restoreId }
 *   query restoreStatus(restoreId) { status errors }   status: OK | ERR | IN_PROGRESS | UNKNOWN
 *     (and, from a Strata Alpha, each group's progress: bytes, files and keys done)
 * Failures throw {@link ServiceError} naming the URL.
 */
import { InvalidArgumentError } from '../errors.js';
import type { DestinationCredentials } from '../destinations/types.js';
import type { ManifestLayout } from '../manifest/serialize.js';
import { ServiceError } from './errors.js';
import { baseUrl, fetchJson } from './http.js';
import { PLAIN_HTTP, type Transport } from './transport.js';

/** The header an Alpha reads its admin auth token from (as Dgraph's `--security token`). */
export const AUTH_TOKEN_HEADER = 'X-Dgraph-AuthToken';

export interface BackupRequest extends DestinationCredentials {
  destination: string;
  /** Start a new series with a full backup. */
  forceFull?: boolean;
  /** Layout of the backup (default: the location's latest backup's, or v20.11). */
  format?: ManifestLayout;
  /**
   * Strata Alphas: continue an interrupted backup of the location (their default, true); false
   * discards it and starts anew. Leave it out for Dgraph's Alphas (their schema has no such field).
   */
  resume?: boolean;
}

export interface BackupResult {
  code: string;
  message: string;
  taskId: string | null;
}

export interface RestoreRequest extends DestinationCredentials {
  location: string;
  backupId?: string;
  backupNum?: number;
  /** Path of the key file on the Alpha's machine (an encrypted series). */
  encryptionKeyFile?: string;
}

export interface RestoreResult {
  code: string;
  message: string;
  restoreId: number;
}

export interface RestoreStatus {
  status: string;
  errors: string[];
  /** How far the restore has come (Strata Alphas; absent from Dgraph's). */
  progress?: RestoreProgressReport | undefined;
}

/** A Strata Alpha's `backupProgress`: the backup it coordinates now, or its last one. */
export interface BackupProgressReport {
  taskId: string;
  running: boolean;
  /** plan, groups (the group files are written), manifest, done or failed. */
  phase: string;
  type?: string | undefined;
  backupId?: string | undefined;
  backupNum?: number | undefined;
  bytesDone: number;
  seconds: number;
  groups: { group: number; bytesDone: number; done: boolean }[];
}

/** A Strata Alpha's `restoreStatus` progress: the current phase's bytes over every group, and each group's. */
export interface RestoreProgressReport {
  bytesDone: number;
  /** Undefined while a group does not know its total. */
  bytesTotal?: number | undefined;
  keysDone: number;
  groups: RestoreGroupProgress[];
}

export interface RestoreGroupProgress {
  group: number;
  /** `checksums`, `load`, `staged` or `failed`. */
  phase: string;
  bytesDone: number;
  bytesTotal?: number | undefined;
  filesDone: number;
  filesTotal?: number | undefined;
  keysDone: number;
}

export interface AdminClientOptions {
  /** Sent as `X-Dgraph-AuthToken` when given (an Alpha configured with an admin token needs it). */
  authToken?: string | undefined;
  /** Per-request time limit (default 6 h: the backup mutation answers when the backup is done). */
  timeoutMs?: number;
  /** https and its TLS agent for an Alpha started with `--tls` (default plain http). */
  transport?: Transport;
}

const BACKUP = `mutation ($input: BackupInput!) {
  backup(input: $input) { response { code message } taskId }
}`;
const RESTORE = `mutation ($input: RestoreInput!) {
  restore(input: $input) { code message restoreId }
}`;
const RESTORE_STATUS = `query ($restoreId: Int!) {
  restoreStatus(restoreId: $restoreId) { status errors }
}`;
const BACKUP_PROGRESS = `query {
  backupProgress { taskId running phase type backupId backupNum bytesDone seconds groups { group bytesDone done } }
}`;
const RESTORE_STATUS_PROGRESS = `query ($restoreId: Int!) {
  restoreStatus(restoreId: $restoreId) {
    status errors bytesDone bytesTotal keysDone
    groups { group phase bytesDone bytesTotal filesDone filesTotal keysDone }
  }
}`;

type Nullable<T> = { [K in keyof T]?: T[K] | null };

/** GraphQL's nulls as undefined. */
function groupProgress(g: Nullable<RestoreGroupProgress>): RestoreGroupProgress {
  return {
    group: g.group ?? 0,
    phase: g.phase ?? '',
    bytesDone: g.bytesDone ?? 0,
    bytesTotal: g.bytesTotal ?? undefined,
    filesDone: g.filesDone ?? 0,
    filesTotal: g.filesTotal ?? undefined,
    keysDone: g.keysDone ?? 0,
  };
}

/** The object without its undefined and empty-string fields. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export class AdminClient {
  /** The `/admin` URL. */
  readonly url: string;
  private readonly service: string;

  /** `url` is the `/admin` URL (http or https); see {@link AdminClient.forAlpha} for `host:port`. */
  constructor(
    url: string,
    private readonly options: AdminClientOptions = {},
  ) {
    if (!/^https?:\/\/[^/]/i.test(url)) {
      throw new InvalidArgumentError(
        `an Alpha's /admin URL must be an http(s) URL such as http://127.0.0.1:8080/admin, got "${url}"`,
      );
    }
    this.url = url;
    this.service = `the Alpha at ${url}`;
  }

  /** The client of the Alpha at `host:port` (or a base URL): its `/admin`. */
  static forAlpha(addr: string, options?: AdminClientOptions): AdminClient {
    return new AdminClient(`${baseUrl(addr, (options?.transport ?? PLAIN_HTTP).scheme)}/admin`, options);
  }

  private refused(detail: string, status?: number): ServiceError {
    return new ServiceError('REFUSED', `${this.service} refused the request: ${detail}`, {
      service: this.service,
      url: this.url,
      status,
      detail,
    });
  }

  /** Posts a GraphQL operation; GraphQL errors and HTTP errors throw a `REFUSED` ServiceError. */
  async graphql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const answer = await fetchJson({
      service: this.service,
      url: this.url,
      method: 'POST',
      headers: this.options.authToken ? { [AUTH_TOKEN_HEADER]: this.options.authToken } : {},
      body: { query, variables },
      timeoutMs: this.options.timeoutMs ?? 6 * 3600_000,
      dispatcher: this.options.transport?.dispatcher,
      ...(signal && { signal }),
    });
    const body = (answer.json ?? {}) as {
      data?: T | null;
      errors?: { message?: string }[];
      message?: string;
    };
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      throw this.refused(body.errors.map((e) => e.message ?? String(e)).join('; '), answer.status);
    }
    if (answer.status < 200 || answer.status >= 300 || body.data === undefined || body.data === null) {
      const why = typeof body.message === 'string' ? `: ${body.message}` : '';
      throw this.refused(`HTTP ${answer.status} ${answer.statusText}${why}`.trim(), answer.status);
    }
    return body.data;
  }

  /** Takes a backup (the mutation answers when it is complete); a code other than Success throws. */
  async backup(req: BackupRequest): Promise<BackupResult> {
    const data = await this.graphql<{
      backup: { response: { code: string; message: string } | null; taskId?: string | null } | null;
    }>(BACKUP, { input: clean({ ...req }) });
    const r = data.backup?.response;
    if (!r) throw this.refused('the backup answer has no response');
    if (r.code !== 'Success') throw this.refused(`backup failed: ${r.message || r.code}`);
    return { code: r.code, message: r.message, taskId: data.backup?.taskId ?? null };
  }

  /** Starts a restore; poll it with {@link restoreStatus} or {@link waitForRestore}. */
  async restore(req: RestoreRequest): Promise<RestoreResult> {
    const data = await this.graphql<{ restore: RestoreResult | null }>(RESTORE, { input: clean({ ...req }) });
    const r = data.restore;
    if (!r) throw this.refused('the restore answer has no result');
    if (r.code !== 'Success') throw this.refused(`restore failed: ${r.message || r.code}`);
    return r;
  }

  /**
   * A Strata Alpha's running (or last) backup; undefined from an Alpha without `backupProgress`
   * (Dgraph's) or before its first backup.
   */
  async backupProgress(signal?: AbortSignal): Promise<BackupProgressReport | undefined> {
    type Answer = {
      backupProgress: (Nullable<Omit<BackupProgressReport, 'taskId'>> & { taskId: string }) | null;
    };
    let data: Answer;
    try {
      data = await this.graphql<Answer>(BACKUP_PROGRESS, {}, signal);
    } catch (err) {
      if (/Cannot query field/.test((err as Error).message)) return undefined;
      throw err;
    }
    const b = data.backupProgress;
    if (!b) return undefined;
    return {
      taskId: b.taskId,
      running: b.running ?? false,
      phase: b.phase ?? '',
      type: b.type ?? undefined,
      backupId: b.backupId ?? undefined,
      backupNum: b.backupNum ?? undefined,
      bytesDone: b.bytesDone ?? 0,
      seconds: b.seconds ?? 0,
      groups: (b.groups ?? []).map((g) => ({ group: g.group, bytesDone: g.bytesDone, done: g.done })),
    };
  }

  /** Whether the Alpha answers restoreStatus's progress fields (false once a Dgraph Alpha refused them). */
  private progressFields = true;

  async restoreStatus(restoreId: number, signal?: AbortSignal): Promise<RestoreStatus> {
    type Answer = {
      restoreStatus:
        | ({ status: string; errors: string[] | null } & Nullable<{
            bytesDone: number;
            bytesTotal: number;
            keysDone: number;
            groups: Nullable<RestoreGroupProgress>[];
          }>)
        | null;
    };
    let data: Answer;
    try {
      data = await this.graphql<Answer>(
        this.progressFields ? RESTORE_STATUS_PROGRESS : RESTORE_STATUS,
        { restoreId },
        signal,
      );
    } catch (err) {
      // Dgraph's schema has no progress fields: ask it again without them, and from now on.
      if (!this.progressFields || !/Cannot query field/.test((err as Error).message)) throw err;
      this.progressFields = false;
      return this.restoreStatus(restoreId, signal);
    }
    const s = data.restoreStatus;
    if (!s) throw this.refused(`no restore ${restoreId} is known`);
    const groups = s.groups?.map(groupProgress);
    return {
      status: s.status,
      errors: s.errors ?? [],
      ...(groups && groups.length > 0
        ? {
            progress: {
              bytesDone: s.bytesDone ?? 0,
              bytesTotal: s.bytesTotal ?? undefined,
              keysDone: s.keysDone ?? 0,
              groups,
            },
          }
        : {}),
    };
  }

  /**
   * Polls restoreStatus until it is OK, ERR or UNKNOWN (an id the Alpha does not know), or until
   * `signal` aborts or `timeoutMs` passes. Calls `onStatus` with every status seen.
   */
  async waitForRestore(
    restoreId: number,
    opts: {
      intervalMs?: number;
      timeoutMs?: number;
      signal?: AbortSignal;
      onStatus?: (s: RestoreStatus) => void;
    } = {},
  ): Promise<RestoreStatus> {
    const interval = opts.intervalMs ?? 1000;
    const deadline = Date.now() + (opts.timeoutMs ?? 6 * 3600_000);
    const stopped = (): ServiceError =>
      new ServiceError('CANCELLED', `stopped waiting for restore ${restoreId} (it goes on on the Alpha)`, {
        service: this.service,
        url: this.url,
        detail: 'stopped waiting',
      });
    for (;;) {
      if (opts.signal?.aborted) throw stopped();
      let s: RestoreStatus;
      try {
        s = await this.restoreStatus(restoreId, opts.signal);
      } catch (err) {
        if (opts.signal?.aborted) throw stopped();
        throw err;
      }
      opts.onStatus?.(s);
      if (s.status === 'OK' || s.status === 'ERR') return s;
      if (s.status === 'UNKNOWN') {
        return {
          status: 'UNKNOWN',
          errors: [...s.errors, `the Alpha knows no restore with id ${restoreId}`],
        };
      }
      if (Date.now() > deadline) {
        const detail = `restore ${restoreId} still ${s.status} after the time limit`;
        throw new ServiceError('TIMEOUT', detail, { service: this.service, url: this.url, detail });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, interval);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
