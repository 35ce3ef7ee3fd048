/** Opens a streamed export (`strata-export/1`, see export/wire.ts) from a Strata server. */
import { fetch, type Dispatcher } from 'undici';
import { ExportReader } from '../export/wire.js';
import { ServiceError } from './errors.js';
import { transportHint } from './transport.js';

export interface ExportRequest {
  /** The server as messages name it, e.g. `the Alpha at 127.0.0.1:8080`. */
  service: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Time allowed until the response headers arrive (the stores are scanned first); default 10 min. */
  headersTimeoutMs?: number;
  /** The TLS agent of a cluster running with `--tls` (absent: plain http or the system CAs). */
  dispatcher?: Dispatcher | undefined;
}

function reasonOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string } | undefined;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/**
 * Sends the request and reads the export's header. The body is then read as the caller pulls
 * lines ({@link ExportReader}), so a slow caller slows the server down instead of filling memory.
 * Throws {@link ServiceError}: `UNREACHABLE` (no answer), `REFUSED` (an error status, with the
 * server's code and message), `BAD_RESPONSE` (not an export).
 */
export async function fetchExport(req: ExportRequest): Promise<ExportReader> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error('no answer in time')), req.headersTimeoutMs ?? 600_000);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: {
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: ctl.signal,
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
  } catch (err) {
    clearTimeout(timer);
    const detail = reasonOf(err);
    throw new ServiceError(
      'UNREACHABLE',
      `cannot reach ${req.service} (${detail}${transportHint(req.url, detail)})`,
      {
        service: req.service,
        url: req.url,
        detail,
        cause: err,
      },
    );
  }
  clearTimeout(timer);
  if (res.status < 200 || res.status >= 300) {
    const text = (await res.text()).slice(0, 4096);
    let body: { code?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: the status alone
    }
    const detail = typeof body.message === 'string' ? body.message : `HTTP ${res.status}`;
    throw new ServiceError('REFUSED', `${req.service}: ${detail}`, {
      service: req.service,
      url: req.url,
      status: res.status,
      remoteCode: typeof body.code === 'string' ? body.code : undefined,
      detail,
    });
  }
  if (!res.body) {
    throw new ServiceError('BAD_RESPONSE', `${req.service} answered ${res.status} without a body`, {
      service: req.service,
      url: req.url,
      status: res.status,
      detail: 'no body',
    });
  }
  const body = res.body[Symbol.asyncIterator]();
  try {
    return await ExportReader.open(body, req.service);
  } catch (err) {
    await body.return?.();
    const detail = (err as Error).message;
    throw new ServiceError('BAD_RESPONSE', detail, {
      service: req.service,
      url: req.url,
      status: res.status,
      detail,
      cause: err,
    });
  }
}
