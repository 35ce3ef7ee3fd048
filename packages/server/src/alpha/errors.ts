/** Errors an Alpha reports to its clients: the status code and message are safe to show. */
export type AlphaErrorCode =
  | 'BAD_REQUEST'
  | 'PARSE_ERROR'
  | 'INVALID_VALUE'
  | 'SCHEMA_CONFLICT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'GROUP_UNAVAILABLE'
  | 'TXN_ABORTED'
  | 'STORE'
  | 'CONFLICT'
  | 'BACKUP_FAILED';

export class AlphaError extends Error {
  constructor(
    readonly code: AlphaErrorCode,
    message: string,
    readonly statusCode = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AlphaError';
  }
}
