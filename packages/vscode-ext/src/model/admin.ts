/**
 * A client of an Alpha's GraphQL `/admin` endpoint, shaped like Dgraph's admin API:
 *   mutation backup(input: {destination, forceFull, ...credentials}) { response { code message } }
 *   mutation restore(input: {location, backupId, backupNum, ...}) { code message restoreId }
 *   query restoreStatus(restoreId) { status errors }   status: OK | ERR | IN_PROGRESS | UNKNOWN
 * (waitForRestore polls while IN_PROGRESS; UNKNOWN, an id the Alpha does not know, ends it too)
 */

export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

export interface RemoteCredentials {
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  anonymous?: boolean;
}

export interface BackupRequest extends RemoteCredentials {
  destination: string;
  forceFull: boolean;
}

export interface RestoreRequest extends RemoteCredentials {
  location: string;
  backupId: string;
  backupNum: number;
  encryptionKeyFile?: string;
}

export interface BackupResult {
  code: string;
  message: string;
}

export interface RestoreResult {
  code: string;
  message: string;
  restoreId: number;
}

export interface RestoreStatus {
  status: string;
  errors: string[];
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ ok: boolean; status: number; statusText: string; text(): Promise<string> }>;

const BACKUP = `mutation ($input: BackupInput!) {
  backup(input: $input) { response { code message } }
}`;
const RESTORE = `mutation ($input: RestoreInput!) {
  restore(input: $input) { code message restoreId }
}`;
const RESTORE_STATUS = `query ($restoreId: Int!) {
  restoreStatus(restoreId: $restoreId) { status errors }
}`;

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export class AlphaAdmin {
  readonly url: string;
  readonly #fetch: FetchLike;

  constructor(url: string, fetchImpl?: FetchLike) {
    if (!/^https?:\/\//i.test(url)) {
      throw new AdminError(
        `strata.alphaAdminUrl must be an http(s) URL such as http://127.0.0.1:8080/admin, got "${url}"`,
      );
    }
    this.url = url;
    this.#fetch = fetchImpl ?? (globalThis.fetch as unknown as FetchLike);
  }

  async graphql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    let res;
    try {
      res = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
        ...(signal && { signal }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new AdminError(
        `cannot reach the Alpha at ${this.url} (${why}): check strata.alphaAdminUrl and that the Alpha runs`,
      );
    }
    const text = await res.text();
    let body: { data?: T; errors?: { message: string }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new AdminError(
        `the Alpha at ${this.url} answered ${res.status} ${res.statusText} with no GraphQL response: ${text.slice(0, 200)}`,
      );
    }
    if (body.errors && body.errors.length > 0) {
      throw new AdminError(
        `the Alpha at ${this.url} refused the request: ${body.errors.map((e) => e.message).join('; ')}`,
      );
    }
    if (!res.ok || body.data === undefined) {
      throw new AdminError(`the Alpha at ${this.url} answered ${res.status} ${res.statusText}`);
    }
    return body.data;
  }

  async backup(req: BackupRequest): Promise<BackupResult> {
    const data = await this.graphql<{ backup: { response: BackupResult | null } | null }>(BACKUP, {
      input: clean({ ...req }),
    });
    const r = data.backup?.response;
    if (!r) throw new AdminError('the Alpha answered the backup request without a response');
    if (r.code !== 'Success') throw new AdminError(`backup failed: ${r.message || r.code}`);
    return r;
  }

  async restore(req: RestoreRequest): Promise<RestoreResult> {
    const data = await this.graphql<{ restore: RestoreResult | null }>(RESTORE, { input: clean({ ...req }) });
    const r = data.restore;
    if (!r) throw new AdminError('the Alpha answered the restore request without a result');
    if (r.code !== 'Success') throw new AdminError(`restore failed: ${r.message || r.code}`);
    return r;
  }

  async restoreStatus(restoreId: number, signal?: AbortSignal): Promise<RestoreStatus> {
    const data = await this.graphql<{ restoreStatus: { status: string; errors: string[] | null } | null }>(
      RESTORE_STATUS,
      { restoreId },
      signal,
    );
    const s = data.restoreStatus;
    if (!s) throw new AdminError(`the Alpha knows no restore ${restoreId}`);
    return { status: s.status, errors: s.errors ?? [] };
  }

  /**
   * Polls restoreStatus until it is OK, ERR or UNKNOWN (or `signal` aborts / `timeoutMs` passes).
   * Calls `onStatus` with every status seen.
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
    for (;;) {
      const stopped = (): AdminError =>
        new AdminError(`stopped waiting for restore ${restoreId} (it goes on on the Alpha)`);
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
      if (Date.now() > deadline)
        throw new AdminError(`restore ${restoreId} still ${s.status} after the time limit`);
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

/** A restore status as one line: "restore 3: OK", "restore 3: ERR — a; b". */
export function formatRestoreStatus(restoreId: number, s: RestoreStatus): string {
  return `restore ${restoreId}: ${s.status}${s.errors.length > 0 ? ` — ${s.errors.join('; ')}` : ''}`;
}
