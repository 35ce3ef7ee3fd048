/**
 * The process test runs the built CLI (`packages/cli/dist/main.js zero`), which imports this
 * package's dist. `turbo run test` builds first; when run on their own, build what is missing here
 * (server, core, cli: `tsc` only; the native addon is not built here, run `pnpm build` for that).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const coreDir = path.resolve(serverDir, '../core');
const cliDir = path.resolve(serverDir, '../cli');

function tsc(dir: string): void {
  const bin = createRequire(path.join(dir, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [bin, '-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
}

export default function setup(): void {
  if (!existsSync(path.join(serverDir, 'dist/index.js'))) tsc(serverDir);
  if (!existsSync(path.join(coreDir, 'dist/index.js'))) tsc(coreDir);
  if (!existsSync(path.join(cliDir, 'dist/commands/zero.js'))) tsc(cliDir);
}
