/**
 * `--tls` on the command line: the nodes' superflag (`strata zero|alpha|start`) and the client
 * half for the commands that call a node (`strata backup|export|load|restore -z`). Parsing is
 * @strata/server's parseTlsFlag; the files are read here, at start, and their warnings printed.
 */
import type { Command } from 'commander';
import { PLAIN_HTTP, tlsTransport, type Transport } from '@strata/core';
import { parseTlsFlag, serverTls, type ServerTls } from '@strata/server/cli';

export const TLS_SERVER_OPTION = [
  '--tls <options>',
  '"ca-cert=FILE; server-cert=FILE; server-key=FILE; client-auth-type=REQUEST|REQUIREANY|' +
    'VERIFYIFGIVEN|REQUIREANDVERIFY; internal-port=true; client-cert=FILE; client-key=FILE; ' +
    'server-name=NAME; use-system-ca=true" (Dgraph\'s superflag): serve https with server-cert/key; ' +
    'internal-port=true: mutual TLS between nodes (/internal needs a client certificate signed by ca-cert)',
] as const;

/** The node's TLS, or undefined without `--tls`; warnings go to stderr under `name`. */
export function serverTlsFrom(flag: string | undefined, name: string): ServerTls | undefined {
  const parsed = parseTlsFlag(flag, 'server');
  if (!parsed) return undefined;
  const tls = serverTls(parsed);
  for (const w of tls.warnings) process.stderr.write(`${name}: warning: ${w}\n`);
  return tls;
}

export interface ClientTlsFlags {
  tls?: string;
}

export function addClientTlsOption(cmd: Command): Command {
  return cmd.option(
    '--tls <options>',
    '"ca-cert=FILE; client-cert=FILE; client-key=FILE; server-name=NAME; use-system-ca=true": ' +
      'talk https to a node started with --tls (ca-cert: the CA its certificate chains to; ' +
      'client-cert/key: for a node that wants one)',
  );
}

/**
 * Plain http without `--tls`; with it, https through an agent trusting `ca-cert` (an https://
 * address alone uses the system's CAs).
 */
export function clientTransportFrom(flags: ClientTlsFlags, name: string): Transport {
  const parsed = parseTlsFlag(flags.tls, 'client');
  if (!parsed) return PLAIN_HTTP;
  const { transport, warnings } = tlsTransport(parsed);
  for (const w of warnings) process.stderr.write(`${name}: warning: ${w}\n`);
  return transport;
}
