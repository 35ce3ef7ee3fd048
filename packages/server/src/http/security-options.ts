/**
 * `--security`, in the shape of Dgraph's superflag: `"token-file=F; whitelist=CIDR,CIDR; token-for=all"`.
 *
 * - `token-file=F`: the auth token clients send in `X-Dgraph-AuthToken`, read from a file (its first
 *   line). `STRATA_AUTH_TOKEN` in the environment is the other way to give it. Dgraph's inline
 *   `token=SECRET` is refused: a command line is visible to every user of the machine (`ps`).
 * - `whitelist=…`: CIDRs besides loopback allowed to use `/admin` (as Dgraph's).
 * - `token-for=all` (the default when a token is set): every endpoint that reads or changes data
 *   needs the token; `token-for=admin`: only `/admin`, `/alter` and `/export`, as in Dgraph.
 */
import { readFileSync } from 'node:fs';
import { secretFileWarning } from '@strata/core';

export type TokenScope = 'all' | 'admin';

export interface SecurityOptions {
  /** The auth token; undefined when none is set (then only the loopback/whitelist rules apply). */
  token?: string | undefined;
  /** Where the token came from, for start-up messages (never the token itself). */
  tokenSource?: string | undefined;
  whitelist: string[];
  tokenFor: TokenScope;
  /** Warnings for the operator, e.g. a token file others can read. */
  warnings: string[];
}

export class SecurityFlagError extends Error {
  override name = 'SecurityFlagError';
}

const KEYS = ['token-file', 'whitelist', 'token-for'] as const;

/** Reads a secret from a file: its first line, trimmed. Errors name the file, never its contents. */
export function readSecretFile(file: string, what: string): { secret: string; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new SecurityFlagError(`${what} file ${file} cannot be read (${code})`);
  }
  const secret = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (!secret) throw new SecurityFlagError(`${what} file ${file} is empty`);
  const warning = secretFileWarning(file, what);
  return warning ? { secret, warning } : { secret };
}

/** Parses `--security`; `env` supplies STRATA_AUTH_TOKEN. Throws SecurityFlagError on anything unclear. */
export function parseSecurityFlag(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): SecurityOptions {
  const out: SecurityOptions = { whitelist: [], tokenFor: 'all', warnings: [] };
  for (const part of (flag ?? '').split(';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (key === 'token') {
      throw new SecurityFlagError(
        '--security token=... would put the secret on the command line (visible in ps): ' +
          'write it to a file (chmod 600) and give --security "token-file=FILE", or set STRATA_AUTH_TOKEN',
      );
    }
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new SecurityFlagError(`--security: unknown option "${key}" (options: ${KEYS.join(', ')})`);
    }
    if (!value) throw new SecurityFlagError(`--security: ${key} needs a value (${key}=...)`);
    if (key === 'token-file') {
      const { secret, warning } = readSecretFile(value, 'auth token');
      out.token = secret;
      out.tokenSource = value;
      if (warning) out.warnings.push(warning);
    } else if (key === 'whitelist') {
      out.whitelist.push(
        ...value
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    } else {
      if (value !== 'all' && value !== 'admin') {
        throw new SecurityFlagError(`--security: token-for is "all" or "admin", not "${value}"`);
      }
      out.tokenFor = value;
    }
  }
  const fromEnv = env.STRATA_AUTH_TOKEN?.trim();
  if (out.token === undefined && fromEnv) {
    out.token = fromEnv;
    out.tokenSource = 'STRATA_AUTH_TOKEN';
  }
  return out;
}
