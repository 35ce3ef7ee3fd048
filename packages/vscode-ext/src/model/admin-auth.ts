/**
 * The Alpha's admin auth token (`--security token-file=` on the Alpha): kept in VS Code's
 * SecretStorage under a key per Alpha origin, never in settings, and sent as `X-Dgraph-AuthToken`.
 */
import { AdminClient } from '@strata/core';

/** The SecretStorage key of the token of the Alpha serving `adminUrl` (one per origin). */
export function adminTokenKey(adminUrl: string): string {
  let origin: string;
  try {
    origin = new URL(adminUrl).origin;
  } catch {
    origin = adminUrl.trim();
  }
  return `strata.alphaAuthToken:${origin}`;
}

/** The client of the Alpha at `adminUrl`, sending `token` when one is stored. */
export function alphaAdminClient(adminUrl: string, token: string | undefined): AdminClient {
  return new AdminClient(adminUrl, token ? { authToken: token } : {});
}
