/**
 * Error text for notifications: the same message the CLI prints after `strata: error: `
 * (typed errors keep their message, with the same hints; anything else its message).
 */
import { ServiceError, StrataError } from '@strata/core';

const HINTS: Partial<Record<string, string>> = {
  ENCRYPTED_NO_KEY: 'choose the key file when asked',
  WRONG_KEY: 'check the key file you chose',
};

/** The message of an error as the CLI shows it (without the `strata: error: ` prefix). */
export function errorText(err: unknown): string {
  if (err instanceof ServiceError && err.reason === 'UNREACHABLE') {
    return `${err.message}: check strata.alphaAdminUrl and that the Alpha runs`;
  }
  if (err instanceof StrataError) {
    const hint = HINTS[err.code];
    return `${err.message}${hint ? ` (${hint})` : ''}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An error's code when it is one of Strata's typed errors. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof StrataError ? err.code : undefined;
}
