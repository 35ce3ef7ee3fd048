#!/usr/bin/env node
// Coverage-guided fuzzing of every decoder and parser (docs/security.md, "Fuzzing"):
//   Rust   packages/native/fuzz   cargo-fuzz + libFuzzer, stable toolchain (`-s none`)
//   TS     fuzz/                  Jazzer.js (libFuzzer) on the built parsers
// Builds every target, writes the seed corpora from the fixtures (scripts/lib/fuzz-seeds.mjs),
// runs each target in turn for N seconds and prints a table (target, executions, exec/s,
// crashes, peak RSS). Exits 1 if any target crashed, hung, or went over the memory limit.
//   node scripts/fuzz.mjs                       every target, 60 s each
//   node scripts/fuzz.mjs --seconds 30 kv_list  one target, 30 s
//   node scripts/fuzz.mjs --runs 10000000 ...   stop at N executions (or at --seconds)
// Needs the native addon and the TypeScript packages built (`pnpm build`). Everything it makes
// lives in $STRATA_CACHE/fuzz: the instrumented build, seeds, corpora, crash inputs, each run's log
// (cargo-fuzz itself in $STRATA_CACHE/cargo-fuzz-<version>).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jazzerEnv } from './lib/jazzer-addon.mjs';
import { writeSeeds } from './lib/fuzz-seeds.mjs';

const CARGO_FUZZ_VERSION = '0.13.2';
/** libFuzzer's limits: memory (MiB) and one input's time (s). A Node process running Jazzer.js
 * already holds ~175 MiB before the first input and V8 collects lazily, so the TypeScript
 * targets get 256 MiB above that: a single input replayed alone stays at the baseline. */
const RSS_LIMIT_MB = 256;
const NODE_RSS_LIMIT_MB = 512;
const TIMEOUT_S = 10;
/**
 * Executions per Node process of a TypeScript target. Jazzer.js's own state grows over millions of
 * runs (the parsers alone stay flat: 5 M GeoJSON inputs in a plain loop keep ~100 MiB RSS), which
 * would trip the RSS limit on no particular input; longer runs are several fresh processes on the
 * same corpus.
 */
const NODE_RUNS_PER_PROCESS = 1_000_000;
/**
 * V8's old-space cap for a TypeScript target (MiB). Without it V8 grows its heap rather than
 * collect when the machine is busy, and one CI run crossed the RSS limit after 1.65 M GeoJSON
 * inputs with no input to blame (libFuzzer saved an empty one). With the cap V8 collects first; a
 * parser that really holds more than this dies with a heap-out-of-memory, which is a finding.
 */
const NODE_HEAP_MB = 192;
const RUST = [
  'gzip_members',
  'snappy_framed',
  'snappy_block',
  'backup_reader',
  'kv_list',
  'posting_list',
  'wkb_geo',
  'geo_query',
  'dql_regex',
  'collation_key',
  'keys_values',
];
const TS = ['nquads', 'geojson', 'manifest', 'dql', 'mutation'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = process.env.STRATA_CACHE ?? join(homedir(), '.cache', 'strata');
const shared = process.env.STRATA_SHARED ?? join(root, '..', 'shared');
const work = join(cacheDir, 'fuzz');
const native = join(root, 'packages', 'native');
const fuzzDir = join(root, 'fuzz');
const targetDir = join(work, 'target');

const args = process.argv.slice(2).filter((a) => a !== '--');
let seconds = Number(process.env.STRATA_FUZZ_SECONDS ?? 60);
let runs = 0;
const names = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] ?? '';
  if (a === '--seconds') seconds = Number(args[++i]);
  else if (a === '--runs') runs = Number(args[++i]);
  else names.push(a);
}
const unknown = names.filter((n) => !RUST.includes(n) && !TS.includes(n));
if (unknown.length > 0 || !(seconds > 0) || !(runs >= 0)) {
  console.error(
    `usage: fuzz.mjs [--seconds N] [--runs N] [target...]; targets: ${[...RUST, ...TS].join(', ')}`,
  );
  process.exit(2);
}
const chosen = names.length > 0 ? names : [...RUST, ...TS];

/** Runs a build step; exits on failure. */
function step(label, cmd, argv, opts = {}) {
  console.log(`fuzz: ${label}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`fuzz: ${label} failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

// cargo-fuzz, installed once per version into the cache.
const cargoFuzzRoot = join(cacheDir, `cargo-fuzz-${CARGO_FUZZ_VERSION}`);
const cargoFuzz = join(cargoFuzzRoot, 'bin', 'cargo-fuzz');
if (chosen.some((t) => RUST.includes(t))) {
  if (!existsSync(cargoFuzz)) {
    step(`installing cargo-fuzz ${CARGO_FUZZ_VERSION}`, 'cargo', [
      'install',
      '--locked',
      '--version',
      CARGO_FUZZ_VERSION,
      '--root',
      cargoFuzzRoot,
      'cargo-fuzz',
    ]);
  }
  // `-s none`: no sanitizer, so the stable toolchain builds it (coverage instrumentation is a
  // stable flag); `-a`: debug assertions and overflow checks on.
  step('building the Rust targets', cargoFuzz, ['fuzz', 'build', '-s', 'none', '-a'], {
    cwd: native,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
  });
}
if (chosen.some((t) => TS.includes(t))) {
  step('building the TypeScript targets', 'pnpm', ['--filter', '@strata/fuzz', 'build'], { cwd: root });
}
const seeds = join(work, 'seeds');
const made = await writeSeeds({ root: seeds, repo: root, shared });
console.log(
  `fuzz: seeds in ${seeds}: ${Object.entries(made)
    .map(([t, v]) => `${t} ${v.seeds}`)
    .join(', ')}`,
);
const tsEnv = chosen.some((t) => TS.includes(t)) ? jazzerEnv({ fuzzDir, cacheDir: work }) : {};
tsEnv.NODE_OPTIONS = [tsEnv.NODE_OPTIONS, `--max-old-space-size=${NODE_HEAP_MB}`].filter(Boolean).join(' ');

/** libFuzzer flags shared by every target, for a run of `seconds` s or `runs` executions. */
function flags(target, seconds, runs) {
  const rss = TS.includes(target) ? NODE_RSS_LIMIT_MB : RSS_LIMIT_MB;
  const artifacts = join(work, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  return [
    `-max_total_time=${seconds}`,
    ...(runs > 0 ? [`-runs=${runs}`] : []),
    `-rss_limit_mb=${rss}`,
    `-malloc_limit_mb=${RSS_LIMIT_MB}`,
    `-timeout=${TIMEOUT_S}`,
    '-print_final_stats=1',
    `-artifact_prefix=${join(artifacts, `${target}-`)}`,
  ];
}

/**
 * Runs one target; resolves to its row of the table. TypeScript targets run as several processes
 * of at most NODE_RUNS_PER_PROCESS executions; the row sums them (peak RSS: the highest).
 */
async function fuzz(target) {
  if (!TS.includes(target)) return fuzzProcess(target, seconds, runs);
  const t0 = Date.now();
  let row;
  for (;;) {
    const left = seconds - (Date.now() - t0) / 1000;
    const done = row?.executions ?? 0;
    const chunk = runs > 0 ? Math.min(NODE_RUNS_PER_PROCESS, runs - done) : NODE_RUNS_PER_PROCESS;
    const r = await fuzzProcess(target, Math.max(1, Math.floor(left)), chunk);
    row = row
      ? {
          ...r,
          executions: row.executions + r.executions,
          seconds: (Date.now() - t0) / 1000,
          peakRssMb: Math.max(row.peakRssMb, r.peakRssMb),
        }
      : r;
    row.execPerSec = Math.round(row.executions / Math.max(1, row.seconds));
    const finished = runs > 0 ? row.executions >= runs : left <= 1 || r.executions < chunk;
    if (r.crashes > 0 || finished || (Date.now() - t0) / 1000 >= seconds) return row;
  }
}

/** One fuzzing process of `target`: `seconds` s or `runs` executions (0: no limit). */
function fuzzProcess(target, seconds, runs) {
  const corpus = join(work, 'corpus', target);
  mkdirSync(corpus, { recursive: true });
  const seedDir = join(seeds, target);
  const [cmd, argv, cwd, env] = RUST.includes(target)
    ? [
        join(targetDir, 'x86_64-unknown-linux-gnu', 'release', target),
        [corpus, seedDir, ...flags(target, seconds, runs)],
        root,
        {},
      ]
    : [
        join(fuzzDir, 'node_modules', '.bin', 'jazzer'),
        [
          join('dist', `${target}.js`),
          '--sync',
          // Jazzer.js enforces its own per-input timeout (default 5 s): the same limit as the others
          `--timeout=${TIMEOUT_S * 1000}`,
          corpus,
          seedDir,
          '--',
          ...flags(target, seconds, runs),
        ],
        fuzzDir,
        tsEnv,
      ];
  console.log(`\n--- fuzz ${target} (${seconds} s${runs > 0 ? ` or ${runs} runs` : ''}) ---`);
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const keep = (d) => {
      text += d.toString();
      if (text.length > 1 << 20) text = text.slice(-(1 << 19));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => keep(`\nfuzz: ${e.message}\n`));
    child.on('close', (code) => {
      // libFuzzer's final stats; Jazzer.js prints none, so also its status lines
      // (`#N ... exec/s: X rss: YMb`) and `Done N runs in S second(s)`.
      const status = [...text.matchAll(/^#(\d+)\s.*exec\/s: (\d+) rss: (\d+)Mb/gm)];
      const done = /^Done (\d+) runs in (\d+) second/m.exec(text);
      const last = status.at(-1);
      const fallback = {
        number_of_executed_units: done?.[1] ?? last?.[1],
        average_exec_per_sec: done
          ? String(Math.round(Number(done[1]) / Math.max(1, Number(done[2]))))
          : last?.[2],
        peak_rss_mb: status.length > 0 ? String(Math.max(...status.map((m) => Number(m[3])))) : undefined,
      };
      const stat = (name) =>
        Number(new RegExp(`stat::${name}:\\s*(\\d+)`).exec(text)?.[1] ?? fallback[name] ?? NaN);
      mkdirSync(join(work, 'logs'), { recursive: true });
      writeFileSync(join(work, 'logs', `${target}.log`), text);
      const crashed = code !== 0;
      if (crashed) {
        // the report: libFuzzer's and the panic's lines, without the mutation log
        const lines = text.split('\n').filter((l) => !/^#\d+\s/.test(l));
        console.log(lines.slice(-60).join('\n'));
      }
      resolve({
        target,
        executions: stat('number_of_executed_units'),
        execPerSec: stat('average_exec_per_sec'),
        seconds: (Date.now() - t0) / 1000,
        crashes: crashed ? 1 : 0,
        peakRssMb: stat('peak_rss_mb'),
        corpus: readdirSync(corpus).length,
        code,
      });
    });
  });
}

const rows = [];
for (const t of chosen) {
  const row = await fuzz(t);
  rows.push(row);
  console.log(
    `fuzz ${t}: ${row.crashes ? `FAILED (exit ${row.code})` : 'ok'}, ${row.executions} executions, ` +
      `${row.execPerSec} exec/s, peak RSS ${row.peakRssMb} MiB`,
  );
}

const head = ['target', 'executions', 'exec/s', 'seconds', 'crashes', 'peak RSS MiB', 'corpus'];
const table = rows.map((r) => [
  r.target,
  String(r.executions),
  String(r.execPerSec),
  r.seconds.toFixed(0),
  String(r.crashes),
  String(r.peakRssMb),
  String(r.corpus),
]);
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
const line = (cells) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
console.log(
  `\nfuzzing (libFuzzer, -rss_limit_mb=${RSS_LIMIT_MB} (TypeScript: ${NODE_RSS_LIMIT_MB}) -timeout=${TIMEOUT_S}; crash inputs in ${join(work, 'artifacts')})`,
);
console.log(line(head));
for (const r of table) console.log(line(r));
const failed = rows.filter((r) => r.crashes > 0).map((r) => r.target);
if (failed.length > 0) {
  console.log(`\nfuzz: ${failed.length} target(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nfuzz: ${rows.length} targets, no crash`);
