/**
 * The one error type of Zero's and the Alpha's HTTP APIs, and the body every error answer has:
 * `{statusCode, error, code, message}` (plus `line`/`column` for parse errors, or a typed error's
 * details), or on Dgraph's own routes (`/query`, `/mutate`, `/commit`, `/alter`) Dgraph's
 * `{errors: [{message, extensions: {code}}], data: null}`. The codes and what they mean:
 * @strata/core's ERROR_CODES.
 */
import type { HttpErrorCode } from '@strata/core';

export type { HttpErrorCode } from '@strata/core';

/** An error whose status code and message are safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly statusCode = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

/** `code` is an HttpErrorCode, or Fastify's own (`FST_ERR_*`) for the 4xx it raises itself. */
export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', code, message, ...extra };
}

/** The routes Dgraph's clients call: their errors come in Dgraph's shape. */
export const DGRAPH_ROUTES: ReadonlySet<string> = new Set(['/query', '/mutate', '/commit', '/alter']);

/** Dgraph's `extensions.code` for a status. */
function dgraphCode(statusCode: number): string {
  if (statusCode === 401 || statusCode === 403) return 'ErrorUnauthorized';
  if (statusCode === 405) return 'ErrorInvalidMethod';
  if (statusCode < 500) return 'ErrorInvalidRequest';
  return 'Error';
}

export interface DgraphErrorBody {
  errors: { message: string; extensions: Record<string, unknown> }[];
  data: null;
}

/**
 * An error as Dgraph answers it on its routes, and the status it answers with: 200 for a request
 * it refuses (Dgraph's clients read `errors`), the status itself otherwise. Strata's own code and
 * details go in `extensions` beside Dgraph's code.
 */
export function dgraphError(
  statusCode: number,
  code: string,
  message: string,
  extra?: Record<string, unknown>,
): { status: number; body: DgraphErrorBody } {
  return {
    status: statusCode === 400 || statusCode === 409 ? 200 : statusCode,
    body: {
      errors: [{ message, extensions: { code: dgraphCode(statusCode), strata: code, ...extra } }],
      data: null,
    },
  };
}
