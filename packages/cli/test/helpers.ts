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
