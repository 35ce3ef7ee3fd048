/**
 * A node's TLS from its parsed `--tls`: the https options its port listens with, how it treats
 * client certificates, and the transport it reaches the other nodes with (https, trusting
 * `ca-cert`, presenting `client-cert` when given). Files are read and checked here, at start.
 */
import type { ServerOptions } from 'node:https';
import { readCaFile, readKeyPair, tlsTransport, type Transport } from '@strata/core';
import { TlsFlagError, type ClientAuthType, type TlsFlag } from './tls-options.js';

export interface ServerTls {
  /** Node's https.createServer options (Fastify's `https`). */
  https: ServerOptions;
  clientAuth: ClientAuthType;
  /** Mutual TLS between nodes: `/internal/*` needs a client certificate signed by `ca-cert`. */
  internalPort: boolean;
  /** How this node calls Zero and the other Alphas. */
  transport: Transport;
  /** For the operator: key files others can read. */
  warnings: string[];
}

/** Builds the node's TLS; throws TlsFlagError (or a core InvalidArgumentError naming a file). */
export function serverTls(flag: TlsFlag): ServerTls {
  if (!flag.serverCert || !flag.serverKey) {
    throw new TlsFlagError(
      '--tls: server-cert and server-key are needed to serve TLS (give both: "server-cert=FILE; server-key=FILE")',
    );
  }
  if (flag.internalPort) {
    if (!flag.clientCert || !flag.clientKey) {
      throw new TlsFlagError(
        '--tls: internal-port=true (mutual TLS between nodes) needs this node\'s client certificate: "client-cert=FILE; client-key=FILE"',
      );
    }
    if (!flag.caCert) {
      throw new TlsFlagError(
        "--tls: internal-port=true needs ca-cert=FILE, the CA that signs every node's certificates",
      );
    }
  }
  const verifies = flag.clientAuthType === 'VERIFYIFGIVEN' || flag.clientAuthType === 'REQUIREANDVERIFY';
  if (verifies && !flag.caCert && flag.useSystemCa === false) {
    throw new TlsFlagError(
      `--tls: client-auth-type=${flag.clientAuthType} needs ca-cert=FILE to verify client certificates against`,
    );
  }
  const pair = readKeyPair(flag.serverCert, flag.serverKey, 'server');
  const { transport, warnings } = tlsTransport(flag);
  if (pair.warning) warnings.unshift(pair.warning);
  return {
    https: {
      cert: pair.cert,
      key: pair.key,
      // Client certificates are checked against ca-cert only (a public CA must not vouch for a
      // cluster member); without it, against the system's CAs.
      ...(flag.caCert ? { ca: readCaFile(flag.caCert) } : {}),
      minVersion: 'TLSv1.2',
      requestCert: true,
      rejectUnauthorized: flag.clientAuthType === 'REQUIREANDVERIFY',
    },
    clientAuth: flag.clientAuthType,
    internalPort: flag.internalPort,
    transport,
    warnings,
  };
}
