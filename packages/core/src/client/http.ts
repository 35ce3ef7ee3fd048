/** JSON over HTTP to a Strata server, with failures as {@link ServiceError}s. */
import { ServiceError } from './errors.js';

/** `host:port` (or an http(s) URL) → a base URL without a trailing slash. */
export function baseUrl(addr: string): string {
  return /^https?:\/\//i.test(addr) ? addr.replace(/\/+$/, '') : `http://${addr}`;
}

/** The socket error code (ECONNREFUSED, ...) or message of a failed `fetch`. */
function socketReason(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string } | undefined;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export interface JsonRequest {
  /** The server as messages name it, e.g. `Zero at 127.0.0.1:6080`. */
  service: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The parsed JSON body and status of an answer (any status: the caller judges it). */
export interface JsonAnswer {
  status: number;
  statusText: string;
  json: unknown;
}

/**
 * Sends one request and parses the JSON answer. Throws {@link ServiceError}: `UNREACHABLE` when
 * the server cannot be reached or does not answer in time, `BAD_RESPONSE` when the body is not
 * JSON. HTTP error statuses are returned, not thrown.
 */
export async function fetchJson(req: JsonRequest): Promise<JsonAnswer> {
  const timeout = AbortSignal.timeout(req.timeoutMs ?? 60_000);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal: req.signal ? AbortSignal.any([req.signal, timeout]) : timeout,
    });
  } catch (err) {
    const detail = socketReason(err);
    throw new ServiceError('UNREACHABLE', `cannot reach ${req.service} (${detail})`, {
      service: req.service,
      url: req.url,
      detail,
      cause: err,
    });
  }
  const text = await res.text();
  try {
    return { status: res.status, statusText: res.statusText, json: text ? JSON.parse(text) : {} };
  } catch {
    const detail = `${res.status} ${res.statusText}`.trim();
    throw new ServiceError(
      'BAD_RESPONSE',
      `${req.service} answered ${detail} with a body that is not JSON: ${text.slice(0, 200)}`,
      { service: req.service, url: req.url, status: res.status, detail },
    );
  }
}

/** An error body as every Strata server answers it. */
interface ErrorBody {
  code?: unknown;
  message?: unknown;
}

/**
 * {@link fetchJson} for a Strata REST route: an HTTP error status throws a `REFUSED`
 * {@link ServiceError} carrying the server's error code and message.
 */
export async function requestJson<T>(req: JsonRequest): Promise<T> {
  const answer = await fetchJson(req);
  if (answer.status >= 200 && answer.status < 300) return answer.json as T;
  const e = (answer.json ?? {}) as ErrorBody;
  const detail = typeof e.message === 'string' ? e.message : `HTTP ${answer.status}`;
  throw new ServiceError('REFUSED', `${req.service}: ${detail}`, {
    service: req.service,
    url: req.url,
    status: answer.status,
    remoteCode: typeof e.code === 'string' ? e.code : undefined,
    detail,
  });
}
