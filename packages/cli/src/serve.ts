/** Helpers shared by the commands that run servers (`strata zero`, `strata alpha`, `strata start`). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  DEFAULT_LOG_LEVEL,
  LOG_LEVELS,
  parseSecurityFlag,
  type LogLevel,
  type SecurityOptions,
  type ServerTls,
} from '@strata/server/cli';
import { intArg } from './options.js';

/** Reads `dir/cluster_token`, or creates it (mode 0600) with a random token. */
export function tokenFile(
  dir: string,
  name = 'cluster_token',
): { token: string; file: string; created: boolean } {
  const file = path.join(dir, name);
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t) return { token: t, file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file, created: true };
}

/** Resolves on the first SIGINT or SIGTERM, after running `stop`. */
export function untilSignal(name: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.write(`${name}: ${signal}: shutting down\n`);
      stop().then(resolve, reject);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `--host`: loopback unless told otherwise (a node is reachable from other hosts only when asked). */
export const HOST_OPTION = [
  '--host <addr>',
  'address to listen on (default loopback only: give 0.0.0.0 or an interface address to be reachable from other hosts)',
  '127.0.0.1',
] as const;

/** `--security`, Dgraph's superflag shape; the token itself never on the command line. */
export const SECURITY_OPTION = [
  '--security <options>',
  '"token-file=FILE; whitelist=CIDR,...; token-for=all|admin": with an auth token (from FILE or ' +
    '$STRATA_AUTH_TOKEN) every request that reads or changes data needs X-Dgraph-AuthToken ' +
    '(token-for=admin: only /admin, /alter and /export, as in Dgraph); whitelist: CIDRs besides ' +
    'loopback allowed on /admin',
] as const;

/** Parses `--security` (and $STRATA_AUTH_TOKEN); its warnings go to stderr under `name`. */
export function securityFrom(flag: string | undefined, name: string): SecurityOptions {
  const s = parseSecurityFlag(flag);
  for (const w of s.warnings) process.stderr.write(`${name}: warning: ${w}\n`);
  return s;
}

/** What a newcomer needs to know about who can reach a node, for the start-up line. */
export function exposure(host: string, s: SecurityOptions, tls?: ServerTls): string {
  const where =
    host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'loopback only' : `on ${host}`;
  const token =
    s.token === undefined
      ? 'no auth token'
      : `auth token from ${s.tokenSource} required for ${s.tokenFor === 'all' ? 'every data request' : '/admin, /alter, /export'}`;
  const transport = !tls
    ? 'plain http (no --tls)'
    : `TLS, client certificates ${tls.clientAuth}${tls.internalPort ? ', mutual TLS between nodes' : ''}`;
  return `${where}, ${token}, ${transport}`;
}

/** --port, -o/--port_offset and --host of a server listening on `defaultPort` + offset. */
export function addPortOptions(cmd: Command, defaultPort: number): Command {
  return cmd
    .option(
      '--port <n>',
      `HTTP port (default ${defaultPort} + --port_offset; 0 picks a free port)`,
      intArg(0, 65535),
    )
    .option('-o, --port_offset <n>', 'added to the default port', intArg(0, 65535), 0)
    .option(...HOST_OPTION);
}

/**
 * `--log_level`: the node's log level (default $STRATA_LOG_LEVEL, else info). Lines go to stdout:
 * JSON, or pino-pretty's lines on a terminal.
 */
export function addLogOption(cmd: Command): Command {
  const env = process.env.STRATA_LOG_LEVEL as LogLevel | undefined;
  return cmd.addOption(
    new Option(
      '--log_level <level>',
      'log level: one JSON line per event on stdout (pretty lines on a terminal); info logs start-up and every backup/restore phase, debug every request',
    )
      .choices(LOG_LEVELS)
      .default(env && (LOG_LEVELS as readonly string[]).includes(env) ? env : DEFAULT_LOG_LEVEL),
  );
}
