/** Helpers shared by the commands that run servers (`strata alpha`, `strata start`). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';

export function intArg(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** `a,b,c` → `['a','b','c']` (empty entries dropped). */
export function listArg(v: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

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

/** `host:port` → a base URL. */
export function baseUrl(addr: string): string {
  return /^https?:\/\//.test(addr) ? addr.replace(/\/$/, '') : `http://${addr}`;
}
