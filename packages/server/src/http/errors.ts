/**
 * The one error type of Zero's and the Alpha's HTTP APIs, and the one body every error answer
 * has: `{statusCode, error, code, message}` (plus `line`/`column` for parse errors, or a typed
 * error's details). The codes and what they mean: @strata/core's ERROR_CODES.
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
