/**
 * How a client reaches a Strata node: plain http, or https through an undici Agent that trusts the
 * CA of `--tls ca-cert=` and presents `client-cert`/`client-key` when given (mutual TLS).
 */
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { InvalidArgumentError } from '../errors.js';
import { readCaFile, readKeyPair } from './tls-files.js';

export interface Transport {
  scheme: 'http' | 'https';
  /** The TLS agent (absent: undici's default one, system CAs, no client certificate). */
  dispatcher?: Dispatcher;
}

export const PLAIN_HTTP: Transport = { scheme: 'http' };

/**
 * The `fetch` that takes a transport's `dispatcher` (undici's): callers outside core use this one
 * rather than importing undici themselves, so an installed strata loads one copy of it.
 */
export { fetch as transportFetch } from 'undici';

/** The client half of `--tls` (Dgraph's names). */
export interface ClientTlsOptions {
  /** CA certificates the node's certificate must chain to. */
  caCert?: string | undefined;
  /** Also trust the system's CAs (default true, as Dgraph). */
  useSystemCa?: boolean | undefined;
  /** The certificate and key presented to the node (mutual TLS). */
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  /** The name the node's certificate must carry (default: the host of its address). */
  serverName?: string | undefined;
}

/** The https transport for `opts`; `warnings` are for the operator (a key file others can read). */
export function tlsTransport(opts: ClientTlsOptions): { transport: Transport; warnings: string[] } {
  const warnings: string[] = [];
  if ((opts.clientCert === undefined) !== (opts.clientKey === undefined)) {
    throw new InvalidArgumentError('--tls: client-cert and client-key go together (give both or neither)');
  }
  const ca = opts.caCert === undefined ? undefined : readCaFile(opts.caCert);
  const pair =
    opts.clientCert === undefined || opts.clientKey === undefined
      ? undefined
      : readKeyPair(opts.clientCert, opts.clientKey, 'client');
  if (pair?.warning) warnings.push(pair.warning);
  const dispatcher = new Agent({
    connect: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(ca === undefined ? {} : { ca: opts.useSystemCa === false ? [ca] : [...rootCertificates, ca] }),
      ...(pair ? { cert: pair.cert, key: pair.key } : {}),
      ...(opts.serverName ? { servername: opts.serverName } : {}),
    },
  });
  return { transport: { scheme: 'https', dispatcher }, warnings };
}

/** What to do about a failed connection, for the common TLS mistakes (empty when none applies). */
export function transportHint(url: string, code: string): string {
  const https = /^https:/i.test(url);
  if (!https && /^(UND_ERR_SOCKET|ECONNRESET|HPE_)/.test(code)) {
    return ': if the node runs with --tls, use an https:// address and --tls "ca-cert=..."';
  }
  if (https && /WRONG_VERSION_NUMBER|EPROTO|packet length too long/i.test(code)) {
    return ': the node does not speak TLS (give an http:// address, or start it with --tls)';
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/i.test(code)) {
    return ': the node\'s certificate is not trusted or does not name this address (check --tls "ca-cert=...; server-name=...")';
  }
  if (/alert (certificate required|bad certificate|unknown ca)|HANDSHAKE_FAILURE/i.test(code)) {
    return ': the node wants a client certificate it trusts (--tls "client-cert=...; client-key=...")';
  }
  return '';
}
