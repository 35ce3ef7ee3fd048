/** Errors that Zero reports to its clients: the status code and message are safe to show. */
export type ZeroErrorCode =
  'BAD_REQUEST' | 'UNKNOWN_GROUP' | 'CONFLICT' | 'UNAUTHORIZED' | 'STATE_CORRUPT' | 'DATA_DIR_LOCKED';

export class ZeroError extends Error {
  constructor(
    readonly code: ZeroErrorCode,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = 'ZeroError';
  }
}
