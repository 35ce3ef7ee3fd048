#!/usr/bin/env node
// The README's test command (`pnpm test`), the one CI runs. In stages, each timed:
//   build     the native addon, then every TypeScript package (turbo, cached)
//   setup     what the tests run against, built once into $STRATA_CACHE: MinIO, code-server with
//             Chromium, the real Dgraph peers (only where ../shared/peers is beside the clone);
//             Debian's Prometheus for the monitoring test, Debian's etcd for Zero's etcd state
//   lint      cargo fmt --check, cargo clippy -D warnings, eslint + tsc --noEmit over every
//             package's sources, tests, benches and e2e, prettier --check
//   unit      every package's own tests (native, core, server, cli, the extension's unit tests)
//   e2e       the built programs as real processes (e2e/), then the log audit: no secret the
//             tests used appears in any process's output (scripts/check-log-secrets.mjs)
//   vscode    the extension in a real VS Code (code-server) driven by Chromium
//   fuzz      every decoder/parser fuzz target for a bounded time (scripts/fuzz.mjs; 45 s each,
//             STRATA_FUZZ_SECONDS); fails on any crash, hang or input over 256 MiB
// Every stage runs even when an earlier one failed (but for the build), so one run shows every
// problem. It ends with a table of stage times and one line `total: N passed, N failed`.
//   pnpm test                   everything
//   pnpm test -- unit e2e       only the stages named (build always runs)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countResults } from './lib/count-results.mjs';
import { failureLines } from './lib/failures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.STRATA_CACHE ?? join(homedir(), '.cache', 'strata');
mkdirSync(cacheDir, { recursive: true });
const turboCache = `--cache-dir=${join(cacheDir, 'turbo')}`;
const shared = process.env.STRATA_SHARED ?? join(root, '..', 'shared');
const DGRAPH_VERSIONS = ['v24.0.5', 'v25.4.0'];

const ALL = ['setup', 'lint', 'unit', 'e2e', 'vscode', 'fuzz'];
const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !ALL.includes(a));
if (unknown.length > 0) {
  console.error(`scripts/test.mjs: unknown stage ${unknown.join(', ')} (stages: ${ALL.join(', ')})`);
  process.exit(2);
}
const stages = asked.length > 0 ? asked : ALL;

/** Runs a command from the repository root; resolves to its exit code and (when captured) output. */
function run(cmd, args, { capture = false, env = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0', ...env },
    });
    let text = '';
    const tee = (stream, out) =>
      stream?.on('data', (d) => {
        text += d.toString();
        out.write(d);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('error', (err) => {
      console.error(`scripts/test.mjs: ${cmd}: ${err.message}`);
      resolve({ code: 127, text });
    });
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

const turbo = (args, opts) => run('pnpm', ['exec', 'turbo', ...args, turboCache], opts);

const times = [];
let passed = 0;
let failed = 0;
let skipped = 0;
/** What each failed stage said failed, printed again at the very end (CI keeps the log's tail). */
const failures = [];

/** Runs one timed stage; `body` resolves to an exit code, or to `{code, text}` whose test summaries count. */
async function stage(name, body) {
  console.log(`\n=== stage ${name} ===`);
  const t0 = Date.now();
  const r = await body();
  const { code, text } = typeof r === 'number' ? { code: r, text: undefined } : r;
  const seconds = (Date.now() - t0) / 1000;
  if (text !== undefined) {
    const c = countResults(text);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    if (code !== 0 && c.failed === 0) failed += 1; // a runner crashed, or a hook failed and its tests were skipped
    if (code !== 0) failures.push({ name, lines: failureLines(text) });
  } else if (code !== 0) {
    failed += 1; // a stage without test summaries (build, setup, lint) counts as one failure
  }
  times.push({ name, seconds, ok: code === 0 });
  console.log(
    `=== stage ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s ===`,
  );
  return code === 0;
}

/** Runs several commands at once (setup steps are mostly downloads and single-threaded builds). */
async function parallel(steps) {
  const results = await Promise.all(
    steps.map(async ([label, cmd, args]) => {
      const t0 = Date.now();
      const { code } = await run(cmd, args, { capture: false });
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      console.log(`setup: ${label} ${code === 0 ? 'ready' : `FAILED (exit ${code})`} after ${s} s`);
      times.push({ name: `  setup: ${label}`, seconds: Number(s), ok: code === 0 });
      return code;
    }),
  );
  return results.find((c) => c !== 0) ?? 0;
}

const install = Number(process.env.STRATA_CI_INSTALL_SECONDS);
if (Number.isFinite(install) && install > 0) times.push({ name: 'install', seconds: install, ok: true });

const t0 = Date.now();
let ok = await stage('build: native', () => turbo(['run', 'build', '--filter=@strata/native']));
ok = ok && (await stage('build: typescript', () => turbo(['run', 'build'])));
if (!ok) {
  console.log('\ntotal: 0 passed, 1 failed (the build failed)');
  process.exit(1);
}

if (stages.includes('setup')) {
  const steps = [
    ['MinIO', 'bash', ['e2e/minio/minio.sh', 'build']],
    ['code-server + Chromium', 'bash', ['packages/vscode-ext/scripts/install-code-server.sh']],
    ['word lists', 'bash', ['scripts/setup/wordlists.sh']],
    ['pydgraph', 'bash', ['scripts/setup/pydgraph.sh']],
    ['Prometheus', 'bash', ['scripts/setup/prometheus.sh']],
    ['etcd', 'bash', ['scripts/setup/etcd.sh']],
  ];
  if (existsSync(join(shared, 'peers'))) {
    for (const v of DGRAPH_VERSIONS) steps.push([`Dgraph ${v}`, 'bash', ['scripts/setup/dgraph.sh', v]]);
  } else {
    console.log(`setup: no ${join(shared, 'peers')}: the real Dgraph peers are not built`);
  }
  await stage('setup', () => parallel(steps));
}
if (stages.includes('lint')) {
  await stage('lint', async () => {
    const a = await turbo(['run', 'lint', '--concurrency=1']);
    const b = await run('pnpm', ['exec', 'prettier', '--check', '.']);
    return a.code || b.code;
  });
}
if (stages.includes('unit')) {
  const env = { STRATA_SKIP_UI_TEST: '1' };
  await stage('unit', () =>
    turbo(['run', 'test', '--concurrency=1', '--filter=!@strata/e2e'], { capture: true, env }),
  );
}
if (stages.includes('e2e')) {
  // Every secret the e2e tests use is looked for in every log of the run (e2e/tests/procs.ts).
  const audit = mkdtempSync(join(tmpdir(), 'strata-e2e-audit-'));
  await stage('e2e', () =>
    turbo(['run', 'test', '--concurrency=1', '--filter=@strata/e2e'], {
      capture: true,
      env: { STRATA_E2E_AUDIT_DIR: audit },
    }),
  );
  await stage('e2e: secrets in logs', async () => {
    const { code } = await run('node', ['scripts/check-log-secrets.mjs', audit]);
    rmSync(audit, { recursive: true, force: true });
    return code;
  });
}
if (stages.includes('vscode')) {
  await stage('vscode', () =>
    run('pnpm', ['--filter', 'strata-vscode', 'exec', 'vitest', 'run', '--project', 'ui'], { capture: true }),
  );
}
if (stages.includes('fuzz')) {
  const seconds = process.env.STRATA_FUZZ_SECONDS ?? '45';
  await stage('fuzz', async () => (await run('node', ['scripts/fuzz.mjs', '--seconds', seconds])).code);
}

const total = (Date.now() - t0) / 1000 + (Number.isFinite(install) && install > 0 ? install : 0);
console.log('\nstage times');
for (const t of times) {
  console.log(
    `  ${t.name.padEnd(34)} ${String(Math.round(t.seconds)).padStart(6)} s  ${t.ok ? 'ok' : 'FAILED'}`,
  );
}
console.log(
  `  ${'total'.padEnd(34)} ${String(Math.round(total)).padStart(6)} s  (${(total / 60).toFixed(1)} min)`,
);
for (const f of failures) {
  console.log(`\nwhat failed in ${f.name}:`);
  for (const line of f.lines.length > 0 ? f.lines : ['(no FAIL line found: see the stage output above)']) {
    console.log(`  ${line}`);
  }
}
console.log(`\ntotal: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || times.some((t) => !t.ok) ? 1 : 0);
