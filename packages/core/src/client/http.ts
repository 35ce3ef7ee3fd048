/** JSON over HTTP(S) to a Strata server, with failures as {@link ServiceError}s. */
import { fetch, type Dispatcher } from 'undici';
import { ServiceError } from './errors.js';
import { transportHint } from './transport.js';

/**
 * `host:port` (or an http(s) URL) → a base URL without a trailing slash; a bare address gets
 * `scheme` (https when the cluster runs with `--tls`).
 */
export function baseUrl(addr: string, scheme: 'http' | 'https' = 'http'): string {
  return /^https?:\/\//i.test(addr) ? addr.replace(/\/+$/, '') : `${scheme}://${addr}`;
}

/** The socket or TLS error code (ECONNREFUSED, ERR_SSL_..., ...) or message of a failed `fetch`. */
function socketReason(err: unknown): string {
  const e = err as
    { cause?: { code?: string; message?: string; cause?: { code?: string } }; message?: string } | undefined;
  const code = e?.cause?.code;
  // A TLS failure's message says more than its code (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED).
  if (code && e?.cause?.message && /SSL|TLS|CERT/i.test(code)) return `${code}: ${e.cause.message}`;
  return code ?? e?.cause?.message ?? e?.message ?? String(err);
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
  /** The TLS agent of an https node (see transport.ts). */
  dispatcher?: Dispatcher | undefined;
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
  let res: Awaited<ReturnType<typeof fetch>>;
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
      ...(req.dispatcher ? { dispatcher: req.dispatcher } : {}),
    });
  } catch (err) {
    const reason = socketReason(err);
    const detail = `${reason}${transportHint(req.url, reason)}`;
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
