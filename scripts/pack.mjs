#!/usr/bin/env node
// `pnpm pack:cli [DIR] [--no-build]`: the npm tarballs that install the `strata` command with
// `npm install -g DIR/*.tgz` on a machine with Node only (no checkout, no pnpm, no Rust), written
// into DIR (default ./dist-packs), one line per tarball printed. Nothing is published.
//   @strata/native-<platform>  the prebuilt addon of this machine (napi-rs layout: the folder
//                              packages/native/npm/<platform> made by `napi create-npm-dirs`, the
//                              binary built by `napi build --platform` copied in)
//   @strata/native             the loader napi generated; it requires the platform package, named
//                              in its optionalDependencies
//   @strata/core, @strata/server, @strata/cli
// Packed with `pnpm pack`, not `npm pack`: pnpm writes the exact version in place of each
// `workspace:*` dependency (npm would ship `workspace:*`, which npm install cannot resolve).
// Third-party dependencies (commander, fastify, the AWS SDK, ...) come from the registry at install.
// Steps: `turbo run build` for the CLI and what it depends on (cached; --no-build skips it when
// the build is known fresh), the binary into its platform package, `pnpm pack` of each package, a check that no packed
// package.json still says `workspace:` or runs a script at install.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'packages/native');
const npmDir = join(nativeDir, 'npm');

const args = process.argv.slice(2).filter((a) => a !== '--');
const build = !args.includes('--no-build');
const unknown = args.filter((a) => a.startsWith('-') && a !== '--no-build');
const dirs = args.filter((a) => !a.startsWith('-'));
if (unknown.length > 0 || dirs.length > 1) {
  console.error('usage: pnpm pack:cli [DIR] [--no-build]   (DIR defaults to ./dist-packs)');
  process.exit(2);
}
// `pnpm run` starts scripts in the repository root; a relative DIR is the caller's.
const out = resolve(process.env.INIT_CWD ?? process.cwd(), dirs[0] ?? 'dist-packs');

/**
 * Runs a command to its end; exits this script when it fails. Returns its stdout.
 * @param {string} cmd
 * @param {string[]} argv
 * @param {string} cwd
 * @param {boolean} [quiet] capture the output (shown only when the command fails)
 */
function run(cmd, argv, cwd, quiet = false) {
  const r = spawnSync(cmd, argv, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    console.error(
      `pack: \`${cmd} ${argv.join(' ')}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status}`})`,
    );
    process.exit(1);
  }
  return r.stdout ?? '';
}

if (build) {
  const cache = process.env.STRATA_CACHE ?? join(homedir(), '.cache', 'strata');
  run(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@strata/cli...', `--cache-dir=${join(cache, 'turbo')}`],
    root,
  );
}
for (const f of [
  'packages/core/dist/index.js',
  'packages/server/dist/index.js',
  'packages/cli/dist/main.js',
]) {
  if (!existsSync(join(root, f))) {
    console.error(`pack: ${f} is missing: build first (\`pnpm build\`) or drop --no-build`);
    process.exit(1);
  }
}

// The addon into its platform package: napi's `artifacts` step for the one binary built here
// (`napi build --platform` leaves it in packages/native as <binaryName>.<platform>.node, the
// platform package's `main`). Copied by hand because `napi artifacts` also rewrites the loader and
// the binary in packages/native, retiring them for a moment, which a strata starting meanwhile
// (a test) would see as a missing addon. Platforms configured but not built here are not packed.
/** @type {string[]} */
const platformPackages = [];
for (const name of readdirSync(npmDir).sort()) {
  const dir = join(npmDir, name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const binary = join(nativeDir, pkg.main);
  if (!existsSync(binary)) {
    console.error(`pack: ${pkg.name}: no ${pkg.main} built on this machine, not packed`);
    continue;
  }
  const tmp = join(dir, `.${pkg.main}.${process.pid}`);
  copyFileSync(binary, tmp);
  renameSync(tmp, join(dir, pkg.main));
  platformPackages.push(dir);
}
if (platformPackages.length === 0) {
  console.error(`pack: the native addon is not built for any package under ${npmDir}: run \`pnpm build\``);
  process.exit(1);
}

const packages = [
  ...platformPackages,
  nativeDir,
  join(root, 'packages/core'),
  join(root, 'packages/server'),
  join(root, 'packages/cli'),
];

mkdirSync(out, { recursive: true });
// Older tarballs of these packages would be installed beside the new ones by `DIR/*.tgz`.
for (const f of readdirSync(out)) {
  if (/^strata-(cli|core|server|native)(-[a-z0-9-]+)?-\d+\.\d+\.\d+.*\.tgz$/.test(f)) rmSync(join(out, f));
}

/** @type {{ name: string, file: string }[]} */
const packed = [];
for (const dir of packages) {
  const json = run('pnpm', ['pack', '--json', '--pack-destination', out], dir, true);
  const r = JSON.parse(json.slice(json.indexOf('{')));
  packed.push({ name: r.name, file: r.filename });
}

// What npm will read from each tarball: no workspace: protocol left, no install-time script.
for (const p of packed) {
  const manifest = JSON.parse(run('tar', ['-xzOf', p.file, 'package/package.json'], out, true));
  const deps = { ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies };
  const left = Object.entries(deps).filter(([, v]) => String(v).startsWith('workspace:'));
  const scripts = ['preinstall', 'install', 'postinstall'].filter((s) => manifest.scripts?.[s]);
  if (left.length > 0 || scripts.length > 0) {
    console.error(`pack: ${p.file}: ${left.map(([k, v]) => `${k}@${v}`).join(', ')} ${scripts.join(', ')}`);
    process.exit(1);
  }
}

const width = Math.max(...packed.map((p) => p.file.length - out.length));
for (const p of packed) {
  const kb = (statSync(p.file).size / 1024).toFixed(0);
  console.log(`${p.file.slice(out.length + 1).padEnd(width)} ${kb.padStart(6)} KiB  ${p.name}`);
}
console.log(`\ninstall (one command, every tarball): npm install -g ${join(out, '*.tgz')}`);
