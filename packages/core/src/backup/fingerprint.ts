/** A fingerprint of an encryption key, stored in Strata's manifests (never the key). */
import { createHmac, timingSafeEqual } from 'node:crypto';

const LABEL = 'strata backup key fingerprint v1';

/** First 8 bytes (hex) of HMAC-SHA-256(key, "strata backup key fingerprint v1"). */
export function keyFingerprint(key: Uint8Array): string {
  return createHmac('sha256', key).update(LABEL).digest().subarray(0, 8).toString('hex');
}

/** True when `key` has the fingerprint `fp` (constant time). */
export function keyMatchesFingerprint(key: Uint8Array, fp: string): boolean {
  const a = Buffer.from(keyFingerprint(key), 'hex');
  const b = Buffer.from(fp, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
