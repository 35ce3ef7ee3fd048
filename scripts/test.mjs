#!/usr/bin/env node
// The README's test command (`pnpm test`): build everything (turbo, cached), run every package's
// tests through turbo, then print one closing line `total: N passed, N failed` summed over the
// vitest and cargo summaries. Exits non-zero when the build or any test fails.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cacheDir = process.env.STRATA_CACHE ?? join(homedir(), '.cache', 'strata');
mkdirSync(cacheDir, { recursive: true });
const turboCache = `--cache-dir=${join(cacheDir, 'turbo')}`;

function run(args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['exec', 'turbo', ...args], {
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    });
    let text = '';
    const tee = (stream, out) =>
      stream?.on('data', (d) => {
        text += d.toString();
        out.write(d);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

const build = await run(['run', 'build', turboCache]);
if (build.code !== 0) {
  console.log('\ntotal: 0 passed, 1 failed (the build failed)');
  process.exit(build.code);
}

const extra = process.argv.slice(2);
const test = await run(['run', 'test', '--concurrency=1', turboCache, ...extra], { capture: true });

// eslint-disable-next-line no-control-regex
const plain = test.text.replace(/\x1b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of plain.split('\n')) {
  const v = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (v) {
    passed += Number(/(\d+) passed/.exec(v[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(v[1])?.[1] ?? 0);
    skipped += Number(/(\d+) skipped/.exec(v[1])?.[1] ?? 0);
    continue;
  }
  const c = /test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(line);
  if (c) {
    passed += Number(c[1]);
    failed += Number(c[2]);
    skipped += Number(c[3]);
  }
}
if (test.code !== 0 && failed === 0) failed = 1; // a runner crashed before printing its summary
console.log(`\ntotal: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(test.code);
