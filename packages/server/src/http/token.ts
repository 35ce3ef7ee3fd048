/**
 * Token comparison for the cluster token and the auth token: SHA-256 of both sides compared in
 * constant time, so that neither the token's bytes nor its length leak through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function tokenDigest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenMatches(given: unknown, expected: Buffer): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(tokenDigest(given), expected);
}
