// What building the extension and the UI test's harness extension share: the esbuild options of a
// VS Code extension bundle, and `vsce package`.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * One CommonJS file for VS Code's extension host (Node 20 and later); `vscode` is external.
 * @type {{ bundle: true, platform: 'node', format: 'cjs', target: string, external: string[], logLevel: 'warning' }}
 */
export const EXTENSION_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  logLevel: 'warning',
};

/**
 * `vsce package --no-dependencies` of the extension in `cwd`, written to `out`.
 * @param {string} cwd
 * @param {string} out
 * @param {{ extraArgs?: string[], stdio?: import('node:child_process').StdioOptions }} [options]
 */
export function vscePackage(cwd, out, { extraArgs = [], stdio = 'inherit' } = {}) {
  const vsce = createRequire(import.meta.url).resolve('@vscode/vsce/vsce');
  execFileSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      ...extraArgs,
      '--out',
      out,
    ],
    { cwd, stdio },
  );
}
