/**
 * The nodes' logs: pino (Fastify's own logger), one JSON object per line when stdout is not a
 * terminal, pino-pretty's coloured lines when it is. `--log_level` picks the level (default info:
 * start-up, one line per backup/restore phase, warnings and errors; requests only at debug).
 * Secrets never reach a line: requests' headers and bodies are not logged, and the fields that
 * could hold a credential are redacted should one ever be logged by mistake.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './log-levels.js';

/** Field names whose values are replaced by `[redacted]` wherever they appear, one level deep. */
const SECRET_FIELDS = [
  'authorization',
  'x-dgraph-authtoken',
  'x-strata-token',
  'token',
  'authToken',
  'secretKey',
  'secret_key',
  'sessionToken',
  'session_token',
  'key',
  'secretId',
  'secret_id',
  'password',
];

export interface ServerLoggerOptions {
  level: LogLevel;
  /** The node's name on every line (`zero`, `alpha-1`). */
  name: string;
  /** Human-readable lines (default: when stdout is a terminal). */
  pretty?: boolean;
  /** Where lines go (default stdout); tests pass their own. */
  destination?: NodeJS.WritableStream;
}

export function serverLogger(opts: ServerLoggerOptions): Logger {
  const paths = SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`, `req.headers["${f}"]`]);
  const options = { level: opts.level, name: opts.name, redact: { paths, censor: '[redacted]' } };
  const out = opts.destination ?? process.stdout;
  const human = opts.pretty ?? (out as { isTTY?: boolean }).isTTY === true;
  if (human) {
    return pino(options, pretty({ destination: out, colorize: true, ignore: 'pid,hostname', sync: true }));
  }
  return pino(options, out);
}
