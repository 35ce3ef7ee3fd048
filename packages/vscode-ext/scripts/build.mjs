#!/usr/bin/env node
// Builds the extension: esbuild bundles src/extension.ts with @strata/core (and its AWS/MinIO
// dependencies) into dist/extension.js (CommonJS, the format VS Code loads); @strata/native stays
// external and is copied beside the bundle as dist/node_modules/@strata/native (index.js, the
// .node binary, package.json), where core's loader finds it (`require('@strata/native')` from
// dist/). Then `vsce package --no-dependencies` writes dist/strata-vscode.vsix.
//   node scripts/build.mjs [--no-package]
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { EXTENSION_BUNDLE, vscePackage } from './vsix.mjs';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(pkgDir, 'dist');
const require = createRequire(path.join(pkgDir, 'package.json'));
const t0 = Date.now();

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await esbuild.build({
  entryPoints: [path.join(pkgDir, 'src/extension.ts')],
  outfile: path.join(dist, 'extension.js'),
  ...EXTENSION_BUNDLE,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  external: [...(EXTENSION_BUNDLE.external ?? []), '@strata/native', '*.node'],
  // @strata/core is ESM and finds the addon with createRequire(import.meta.url): give the CJS
  // bundle a real import.meta.url (the bundle's own file), so the lookup starts in dist/.
  define: { 'import.meta.url': '__strata_import_meta_url' },
  banner: { js: 'const __strata_import_meta_url = require("url").pathToFileURL(__filename).href;' },
});

// The native addon, unchanged, beside the bundle.
const nativeDir = path.dirname(require.resolve('@strata/native/package.json'));
const nativePkg = JSON.parse(readFileSync(path.join(nativeDir, 'package.json'), 'utf8'));
const binaries = readdirSync(nativeDir).filter((f) => f.endsWith('.node'));
if (binaries.length === 0) {
  console.error(`no .node binary in ${nativeDir}: build @strata/native first (pnpm build at the root)`);
  process.exit(1);
}
const out = path.join(dist, 'node_modules/@strata/native');
mkdirSync(out, { recursive: true });
for (const f of ['index.js', ...binaries]) copyFileSync(path.join(nativeDir, f), path.join(out, f));
writeFileSync(
  path.join(out, 'package.json'),
  JSON.stringify(
    { name: nativePkg.name, version: nativePkg.version, main: 'index.js', license: nativePkg.license },
    null,
    2,
  ) + '\n',
);
console.log(
  `bundled dist/extension.js + @strata/native ${nativePkg.version} (${binaries.join(', ')}) in ${Date.now() - t0} ms`,
);

if (!process.argv.includes('--no-package')) {
  vscePackage(pkgDir, path.join(dist, 'strata-vscode.vsix'), { extraArgs: ['--no-rewrite-relative-links'] });
  console.log(`packaged dist/strata-vscode.vsix in ${Date.now() - t0} ms total`);
}
