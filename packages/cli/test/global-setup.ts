/**
 * The CLI tests run the built `dist/main.js` as a real process. `turbo run test` builds first;
 * when run on their own, build core and cli here if their dist is missing (the native addon is
 * not built here: that takes minutes, run `pnpm build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const coreDir = path.resolve(cliDir, '../core');

function tsc(dir: string): void {
  const bin = createRequire(path.join(dir, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [bin, '-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
}

export default function setup(): void {
  if (!existsSync(path.join(coreDir, 'dist/index.js'))) tsc(coreDir);
  if (!existsSync(path.join(cliDir, 'dist/main.js'))) tsc(cliDir);
}
