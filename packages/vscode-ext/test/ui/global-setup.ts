/**
 * Global setup of the UI test: makes sure code-server (with its Node 24), Chromium and the
 * extension's .vsix exist, and packages the harness extension into a temp dir.
 *   - code-server + Node 24 + apt packages: scripts/install-code-server.sh (idempotent; into
 *     ${STRATA_CACHE:-~/.cache/strata}/code-server/4.139.1, outside the repo)
 *   - dist/strata-vscode.vsix: `node scripts/build.mjs` when missing (turbo builds it first)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { TestProject } from 'vitest/node';
import { EXTENSION_BUNDLE, vscePackage } from '../../scripts/vsix.mjs';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    codeServerDir: string;
    vsix: string;
    harnessVsix: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const t0 = Date.now();
  const codeServerDir = execFileSync('bash', [path.join(pkgDir, 'scripts/install-code-server.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  }).trim();
  const vsix = path.join(pkgDir, 'dist/strata-vscode.vsix');
  if (!existsSync(vsix))
    execFileSync(process.execPath, [path.join(pkgDir, 'scripts/build.mjs')], {
      cwd: pkgDir,
      stdio: 'inherit',
    });

  // The harness: bundled with esbuild, packaged with vsce in a temp dir.
  const work = mkdtempSync(path.join(tmpdir(), 'strata-harness-'));
  const src = path.join(pkgDir, 'test/ui/harness');
  copyFileSync(path.join(src, 'package.json'), path.join(work, 'package.json'));
  await esbuild.build({
    entryPoints: [path.join(src, 'extension.ts')],
    outfile: path.join(work, 'extension.js'),
    ...EXTENSION_BUNDLE,
  });
  const harnessVsix = path.join(work, 'strata-ui-harness.vsix');
  vscePackage(work, harnessVsix, { stdio: 'ignore' });
  project.provide('codeServerDir', codeServerDir);
  project.provide('vsix', vsix);
  project.provide('harnessVsix', harnessVsix);
  console.log(`ui global setup: ${Date.now() - t0} ms`);
  return () => rmSync(work, { recursive: true, force: true });
}
