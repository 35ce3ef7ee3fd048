/** The error a Strata client reports when a server (Zero or an Alpha) fails a request. */
import { StrataError, type StrataErrorOptions } from '../errors.js';

/**
 * Why a request to a Strata server failed: the server could not be reached (or did not answer in
 * time), answered with a body that is not JSON, or answered and refused the request (an HTTP
 * error status, or GraphQL errors); or the client stopped waiting for it (`CANCELLED`: aborted,
 * `TIMEOUT`: a time limit passed).
 */
export type ServiceErrorReason = 'UNREACHABLE' | 'BAD_RESPONSE' | 'REFUSED' | 'CANCELLED' | 'TIMEOUT';

export interface ServiceErrorOptions extends StrataErrorOptions {
  /** The server as the message names it, e.g. `Zero at 127.0.0.1:6080` or `the Alpha at URL`. */
  service: string;
  /** The URL requested. */
  url: string;
  /** The HTTP status the server answered (absent when it was not reached). */
  status?: number | undefined;
  /** The `code` of the server's error body, when it sent one. */
  remoteCode?: string | undefined;
  /** The cause without the service: a socket error code, or the server's own message. */
  detail: string;
}

/**
 * A Strata server (Zero, an Alpha's `/admin`) failed a request. The message names the server and
 * its URL and says why; the fields let a caller (the server's own error handler, the CLI) decide
 * what to do with it.
 */
export class ServiceError extends StrataError {
  readonly reason: ServiceErrorReason;
  readonly service: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly remoteCode: string | undefined;
  readonly detail: string;

  constructor(reason: ServiceErrorReason, message: string, options: ServiceErrorOptions) {
    super('SERVICE', message, options);
    this.reason = reason;
    this.service = options.service;
    this.url = options.url;
    this.status = options.status;
    this.remoteCode = options.remoteCode;
    this.detail = options.detail;
  }
}
