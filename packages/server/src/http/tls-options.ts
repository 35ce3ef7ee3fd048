/**
 * `--tls`, in the shape of Dgraph's superflag:
 * `"ca-cert=F; server-cert=F; server-key=F; client-auth-type=VERIFYIFGIVEN; internal-port=true;
 * client-cert=F; client-key=F; server-name=NAME; use-system-ca=true"`.
 *
 * A node (`strata zero|alpha|start`) takes every option; a client command (`strata backup`, ...)
 * takes the client half: `ca-cert`, `client-cert`, `client-key`, `server-name`, `use-system-ca`.
 * Only the parsing is here; the files are read by tls-server.ts and @strata/core's transport.
 */
import type { ClientTlsOptions } from '@strata/core';

/** How a node treats client certificates on its port (Dgraph's names, Go's tls.ClientAuthType). */
export const CLIENT_AUTH_TYPES = ['REQUEST', 'REQUIREANY', 'VERIFYIFGIVEN', 'REQUIREANDVERIFY'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

export interface TlsFlag extends ClientTlsOptions {
  serverCert?: string | undefined;
  serverKey?: string | undefined;
  /** Default VERIFYIFGIVEN, as Dgraph. */
  clientAuthType: ClientAuthType;
  /** Mutual TLS between the nodes of the cluster (`/internal/*` needs a verified client certificate). */
  internalPort: boolean;
}

export class TlsFlagError extends Error {
  override name = 'TlsFlagError';
}

const CLIENT_KEYS = ['ca-cert', 'client-cert', 'client-key', 'server-name', 'use-system-ca'] as const;
const SERVER_KEYS = [
  ...CLIENT_KEYS,
  'server-cert',
  'server-key',
  'client-auth-type',
  'internal-port',
] as const;

function bool(key: string, value: string): boolean {
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new TlsFlagError(`--tls: ${key} is true or false, not "${value}"`);
}

/**
 * Parses `--tls` for a node (`server`) or a client command (`client`); undefined when no option
 * is given. Throws TlsFlagError on an unknown option, a missing value or a bad one.
 */
export function parseTlsFlag(flag: string | undefined, role: 'server' | 'client'): TlsFlag | undefined {
  const keys: readonly string[] = role === 'server' ? SERVER_KEYS : CLIENT_KEYS;
  const out: TlsFlag = { clientAuthType: 'VERIFYIFGIVEN', internalPort: false };
  let any = false;
  for (const part of (flag ?? '').split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (!keys.includes(key)) {
      const extra = role === 'client' && SERVER_KEYS.includes(key as never) ? ' (a node option)' : '';
      throw new TlsFlagError(`--tls: unknown option "${key}"${extra} (options: ${keys.join(', ')})`);
    }
    // Dgraph's defaults are written as `key=;`: an empty value leaves the default.
    if (!value) continue;
    any = true;
    switch (key) {
      case 'ca-cert':
        out.caCert = value;
        break;
      case 'client-cert':
        out.clientCert = value;
        break;
      case 'client-key':
        out.clientKey = value;
        break;
      case 'server-name':
        out.serverName = value;
        break;
      case 'use-system-ca':
        out.useSystemCa = bool(key, value);
        break;
      case 'server-cert':
        out.serverCert = value;
        break;
      case 'server-key':
        out.serverKey = value;
        break;
      case 'internal-port':
        out.internalPort = bool(key, value);
        break;
      default: {
        const type = value.toUpperCase();
        if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(type)) {
          throw new TlsFlagError(
            `--tls: client-auth-type is one of ${CLIENT_AUTH_TYPES.join(', ')}, not "${value}"`,
          );
        }
        out.clientAuthType = type as ClientAuthType;
      }
    }
  }
  return any ? out : undefined;
}
