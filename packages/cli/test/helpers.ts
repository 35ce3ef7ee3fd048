/** What the CLI tests share: the built `strata` command run as a real process, the fixtures. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PKG_DIR = path.resolve(here, '..');
const MAIN = path.join(PKG_DIR, 'dist/main.js');
/** <repo>/../shared/fixtures/dgraph, read in place (never copied into the repo). */
export const DGRAPH = path.resolve(PKG_DIR, '../../../shared/fixtures/dgraph');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `strata ARGS...` (dist/main.js) and resolves with its exit code and output. */
export function strata(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...process.env, STRATA_DEBUG: '' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The JSON events a `--json` run printed, one object per line (each line must parse). */
export function jsonEvents(stdout: string): Array<Record<string, unknown> & { event: string }> {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown> & { event: string });
}

/** The final `summary` event of a `--json` run: the command's result, `ok` and `seconds`. */
export function jsonSummary(stdout: string): Record<string, unknown> {
  const events = jsonEvents(stdout);
  const last = events[events.length - 1];
  if (last?.event !== 'summary') throw new Error(`no summary event last in:\n${stdout}`);
  return last;
}
