/**
 * `pnpm bench` (e2e): load, store size, memory, backup and restore, Strata against the real Dgraph
 * v25.4.0 on the same generated social graph (bench/social.ts), measured in the same run.
 *
 * For each size (N-Quads; `BENCH_STORE_QUADS`, comma-separated, default 3M and 30M):
 * 1. Dgraph: one Zero and one Alpha; `dgraph live` loads the file (its defaults: batches of 1000,
 *    10 concurrent); the Alpha's `p` folder is measured; a full backup; `dgraph live` loads 1%
 *    more N-Quads (new persons); an incremental backup; an offline `dgraph restore` of the series
 *    and an online restore into a new cluster.
 * 2. Strata: `strata start`; `strata load` of the same file (batches of 1000); the store folder; a
 *    full backup in the default layout and one in v21.03; the same 1% more; incrementals in both;
 *    an offline `strata restore` and an online restore into a new `strata start`.
 * Peak resident memory of the serving process is sampled every 100 ms in each step, anonymous and
 * file-backed apart. Times are wall clock of the whole command or request. The table (ratios:
 * Strata / Dgraph, or Dgraph / Strata for times, so that > 1 is better for Strata) is printed and
 * written into docs/performance.md between its `bench:store` markers.
 *
 * Needs `pnpm build` and the Dgraph binary (scripts/setup/dgraph.sh v25.4.0). Dgraph runs with
 * jemalloc, as its release builds do, when `scripts/setup/dgraph.sh v25.4.0 jemalloc` has built
 * that variant, else without; the table and the doc text say which.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DgraphCluster, dgraphBenchBuild, dgraphRestore, type DgraphBuild } from '../tests/dgraph-peer.js';
import { repoRoot } from '../tests/paths.js';
import { killAll, run, start, waitHealthy, type Proc } from '../tests/procs.js';
import { diskBytes, fileBytes, sampleRss, type RssPeak } from './footprint.js';
import { QUADS_PER_PERSON, SOCIAL_SCHEMA, writeSocial } from './social.js';
import { freeOffset, restoreOnline } from './strata-node.js';
import { nquadsOf, writeTables } from './doc-tables.js';

const VERSION = 'v25.4.0' as const;
const SIZES = (process.env.BENCH_STORE_QUADS ?? '3000000,30000000').split(',').map(Number);
// has(age): Dgraph's has() finds no node of a @lang predicate whose values all have a language.
const PROBE = '{ q(func: has(age), first: 1) { uid } }';
/**
 * The sides to run (`BENCH_STORE_SIDES`, comma-separated; default both). At 30M N-Quads Dgraph's
 * load needs more memory than this machine kind has (docs/performance.md), so `strata` alone
 * measures Strata's growth; the Dgraph column then says it was not run.
 */
const SIDES = new Set((process.env.BENCH_STORE_SIDES ?? 'dgraph,strata').split(','));
/**
 * `BENCH_STORE_KEEP=1` keeps each size's folder (the data, its stores and backups) and prints where,
 * to profile a step again on the same data (`perf record` of a `strata restore` of its backups).
 */
const KEEP = process.env.BENCH_STORE_KEEP === '1';
/** How long one of Dgraph's backups or online restores may take (at 30M N-Quads: minutes). */
const TASK_MS = 3 * 3600_000;

/** Why a side stopped before its last step. */
interface Failures {
  dgraph?: string;
  strata?: string;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

/** One measured step of one side. */
interface Step {
  seconds?: number;
  bytes?: number;
  rss?: RssPeak;
}
type Side = Record<string, Step>;

async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/**
 * Runs `fn` while sampling the memory of `pid`; seconds and the peaks. Fails as soon as the
 * process exits (at 30M N-Quads Dgraph's Alpha can outgrow the machine's memory).
 */
async function measured(pid: number, fn: () => Promise<unknown>, name: string): Promise<Step> {
  const rss = sampleRss(pid, name);
  try {
    const { seconds } = await Promise.race([timed(fn), rss.gone]);
    return { seconds, rss: rss.stop() };
  } catch (e) {
    rss.stop();
    throw e;
  }
}

function exec(bin: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(bin, args, { maxBuffer: 64 << 20, signal }, (err, stdout, stderr) =>
      err
        ? reject(new Error(`${bin} ${args[0]}: ${err.message}\n${stderr.slice(-2000)}`))
        : resolve(stdout + stderr),
    ),
  );
}

async function strata(args: string[]): Promise<string> {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`strata ${args[0]} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

interface Files {
  full: string;
  inc: string;
  schema: string;
}

/** Dgraph's steps, each written into `s` as it ends (so that a failed run still shows the rest). */
async function dgraphSide(tmp: string, f: Files, dg: DgraphBuild, s: Side): Promise<void> {
  const loc = path.join(tmp, 'dgraph-backups');
  const c = await DgraphCluster.start({
    version: VERSION,
    bin: dg.bin,
    dir: path.join(tmp, 'dgraph'),
    taskMs: TASK_MS,
  });
  // The loader is stopped with the cluster: it would retry forever against a dead Alpha.
  const loader = new AbortController();
  const alpha = 'Dgraph Alpha';
  try {
    const live = (file: string) =>
      exec(dg.bin, ['live', '-f', file, '-s', f.schema, '-a', c.grpc(), '-z', c.zeroGrpc], loader.signal);
    s.load = await measured(c.alphaPid(), () => live(f.full), alpha);
    s.store = { bytes: diskBytes(c.postings()) };
    s.full = await measured(c.alphaPid(), () => c.backup(loc, true), alpha);
    s.full.bytes = fileBytes(loc, (p) => p.endsWith('.backup'));
    await live(f.inc);
    s.inc = await measured(c.alphaPid(), () => c.backup(loc, false), alpha);
    s.inc.bytes = fileBytes(loc, (p) => p.endsWith('.backup')) - s.full.bytes;
  } finally {
    loader.abort();
    await c.stop();
  }
  const out = path.join(tmp, 'dgraph-restored');
  s.offline = { seconds: (await timed(() => dgraphRestore(VERSION, loc, out, dg.bin))).seconds, bytes: 0 };
  s.offline.bytes = diskBytes(out);
  const c2 = await DgraphCluster.start({
    version: VERSION,
    bin: dg.bin,
    dir: path.join(tmp, 'dgraph2'),
    taskMs: TASK_MS,
  });
  try {
    s.online = await measured(c2.alphaPid(), () => c2.restoreOnline(loc, PROBE), alpha);
  } finally {
    await c2.stop();
  }
}

async function strataNode(dir: string, restoreDirs: string): Promise<{ proc: Proc; addr: string }> {
  const o = await freeOffset();
  const proc = start(['start', '--data', dir, '-o', String(o), '--restore_dirs', restoreDirs]);
  const addr = `127.0.0.1:${8080 + o}`;
  await waitHealthy(`http://${addr}`, proc, 60_000);
  return { proc, addr };
}

/** Strata's steps, each written into `s` as it ends. */
async function strataSide(tmp: string, f: Files, s: Side): Promise<void> {
  const loc = path.join(tmp, 'strata-backups');
  const loc03 = path.join(tmp, 'strata-backups-v2103');
  const data = path.join(tmp, 'strata');
  const { proc, addr } = await strataNode(data, tmp);
  const pid = proc.child.pid!;
  const node = 'strata start';
  const backup = (l: string, ...more: string[]) => strata(['backup', '--alpha', addr, '-d', l, ...more]);
  try {
    s.load = await measured(pid, () => strata(['load', f.full, '--schema', f.schema, '--alpha', addr]), node);
    s.store = { bytes: diskBytes(path.join(data, 'p')) };
    s.full = await measured(pid, () => backup(loc), node);
    s.full.bytes = fileBytes(loc, (p) => p.endsWith('.backup'));
    s.full03 = await measured(pid, () => backup(loc03, '--format', 'v21.03'), node);
    s.full03.bytes = fileBytes(loc03, (p) => p.endsWith('.backup'));
    await strata(['load', f.inc, '--alpha', addr]);
    s.inc = await measured(pid, () => backup(loc), node);
    s.inc.bytes = fileBytes(loc, (p) => p.endsWith('.backup')) - s.full.bytes;
    s.inc03 = await measured(pid, () => backup(loc03), node);
    s.inc03.bytes = fileBytes(loc03, (p) => p.endsWith('.backup')) - s.full03.bytes;
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  const out = path.join(tmp, 'strata-restored');
  const restore = () => strata(['restore', '-l', loc, '-p', out, '--force_zero=false']);
  s.offline = { seconds: (await timed(restore)).seconds, bytes: 0 };
  s.offline.bytes = diskBytes(out);
  const n2 = await strataNode(path.join(tmp, 'strata2'), tmp);
  try {
    s.online = await measured(n2.proc.child.pid!, () => restoreOnline(`http://${n2.addr}`, loc), node);
  } finally {
    n2.proc.child.kill('SIGTERM');
    await n2.proc.exited;
  }
}

const MB = (b?: number) => (b === undefined ? '—' : `${(b / 1e6).toFixed(1)} MB`);
const SEC = (t?: number) => (t === undefined ? '—' : `${t.toFixed(1)} s`);
const MIB = (r?: RssPeak) => (r ? `${Math.round(r.anonMiB)} / ${Math.round(r.fileMiB)} MiB` : '—');
const X = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

/** The markdown table of one size (`dgraph`: the name of the Dgraph build); ratios > 1 favour Strata. */
function table(quads: number, when: string, dgraph: string, d: Side, s: Side, failed: Failures): string {
  const rows: string[][] = [
    ['load', SEC(d.load?.seconds), SEC(s.load?.seconds), X(d.load?.seconds, s.load?.seconds)],
    ['load rate (N-Quads/s)', rate(quads, d.load), rate(quads, s.load), X(d.load?.seconds, s.load?.seconds)],
    ['store on disk after load', MB(d.store?.bytes), MB(s.store?.bytes), X(d.store?.bytes, s.store?.bytes)],
    [
      'peak RSS anon / file, load',
      MIB(d.load?.rss),
      MIB(s.load?.rss),
      X(d.load?.rss?.anonMiB, s.load?.rss?.anonMiB),
    ],
    [
      'full backup',
      `${SEC(d.full?.seconds)}, ${MB(d.full?.bytes)}`,
      `${SEC(s.full?.seconds)}, ${MB(s.full?.bytes)}`,
      X(d.full?.seconds, s.full?.seconds),
    ],
    [
      'full backup, v21.03 layout',
      '',
      `${SEC(s.full03?.seconds)}, ${MB(s.full03?.bytes)}`,
      X(d.full?.seconds, s.full03?.seconds),
    ],
    [
      'peak RSS anon / file, full backup',
      MIB(d.full?.rss),
      MIB(s.full?.rss),
      X(d.full?.rss?.anonMiB, s.full?.rss?.anonMiB),
    ],
    [
      'incremental after 1%',
      `${SEC(d.inc?.seconds)}, ${MB(d.inc?.bytes)} new`,
      `${SEC(s.inc?.seconds)}, ${MB(s.inc?.bytes)} new`,
      X(d.inc?.seconds, s.inc?.seconds),
    ],
    [
      'incremental bytes, default / v21.03 layout',
      '',
      `${MB(s.inc?.bytes)} / ${MB(s.inc03?.bytes)}`,
      X(d.inc?.bytes, s.inc?.bytes),
    ],
    [
      'offline restore',
      `${SEC(d.offline?.seconds)}, ${MB(d.offline?.bytes)} on disk`,
      `${SEC(s.offline?.seconds)}, ${MB(s.offline?.bytes)} on disk`,
      X(d.offline?.seconds, s.offline?.seconds),
    ],
    [
      'restored store size',
      MB(d.offline?.bytes),
      MB(s.offline?.bytes),
      X(d.offline?.bytes, s.offline?.bytes),
    ],
    [
      'online restore',
      SEC(d.online?.seconds),
      SEC(s.online?.seconds),
      X(d.online?.seconds, s.online?.seconds),
    ],
    [
      'peak RSS anon / file, online restore',
      MIB(d.online?.rss),
      MIB(s.online?.rss),
      X(d.online?.rss?.anonMiB, s.online?.rss?.anonMiB),
    ],
  ];
  const head = `#### ${quads.toLocaleString('en-US')} N-Quads (${when})\n\n| step | ${dgraph} | Strata | Dgraph / Strata (> 1: Strata better) |\n|---|---|---|---|\n`;
  const notes = Object.entries(failed).map(
    ([who, why]) => `\n${who === 'dgraph' ? dgraph : 'Strata'}: ${why}\n`,
  );
  return head + rows.map((r) => `| ${r.join(' | ')} |`).join('\n') + '\n' + notes.join('');
}

function rate(quads: number, st?: Step): string {
  return st?.seconds ? Math.round(quads / st.seconds).toLocaleString('en-US') : '—';
}

/** Writes the tables into docs/performance.md between its `bench:store` markers (doc-tables.ts). */
function writeDoc(intro: string | undefined, fresh: string[]): void {
  writeTables(path.join(repoRoot, 'docs/performance.md'), 'store', fresh, nquadsOf, intro);
}

/**
 * The Dgraph build to measure. A run without the Dgraph side (`BENCH_STORE_SIDES=strata`) does not
 * need it built: `bin` is then empty and the label names the version only.
 */
function benchBuild(): DgraphBuild {
  if (SIDES.has('dgraph')) return dgraphBenchBuild(VERSION);
  try {
    return dgraphBenchBuild(VERSION);
  } catch {
    return { bin: '', jemalloc: false, label: `Dgraph ${VERSION}` };
  }
}

export async function main(): Promise<void> {
  const dg = benchBuild();
  console.log(`Dgraph: ${dg.label}, ${dg.bin || 'not built (not run)'}`);
  const tables: string[] = [];
  for (const quads of SIZES) {
    const tmp = mkdtempSync(path.join(tmpdir(), 'strata-bench-store-'));
    try {
      const people = Math.round(quads / QUADS_PER_PERSON);
      const f: Files = {
        full: path.join(tmp, 'social.rdf.gz'),
        inc: path.join(tmp, 'social-inc.rdf.gz'),
        schema: path.join(tmp, 'social.schema'),
      };
      mkdirSync(tmp, { recursive: true });
      writeFileSync(f.schema, SOCIAL_SCHEMA);
      await writeSocial(f.full, 0, people);
      await writeSocial(f.inc, people, Math.max(1, Math.round(people / 100)));
      const d: Side = {};
      const s: Side = {};
      // A side that fails (Dgraph's Alpha outgrowing the machine's memory) is reported under the
      // table with what it measured before; the other side still runs.
      const failed: Failures = {};
      const size = quads.toLocaleString('en-US');
      /** Runs one side unless `BENCH_STORE_SIDES` leaves it out; a failure is noted, not thrown. */
      const side = async (who: keyof Failures, label: string, steps: () => Promise<void>) => {
        if (!SIDES.has(who)) return void (failed[who] = 'not run in this run (BENCH_STORE_SIDES)');
        console.log(`${size} N-Quads: ${label} ...`);
        await steps().catch((e: unknown) => void (failed[who] = `did not finish: ${firstLine(e)}`));
      };
      await side('dgraph', dg.label, () => dgraphSide(tmp, f, dg, d));
      await side('strata', 'Strata', () => strataSide(tmp, f, s));
      console.log(`${size} N-Quads measured: ${JSON.stringify({ dgraph: d, strata: s, failed })}`);
      if (failed.strata?.startsWith('did not finish'))
        throw new Error(`Strata failed at ${size} N-Quads: ${failed.strata}`);
      const t = table(quads, new Date().toISOString().slice(0, 10), dg.label, d, s, failed);
      console.log(`\n${t}`);
      tables.push(t);
    } finally {
      await killAll();
      if (KEEP) console.log(`kept (BENCH_STORE_KEEP): ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!dg.bin) return writeDoc(undefined, tables);
  const alloc = dg.jemalloc
    ? "with jemalloc as in Dgraph's release builds (5.3.0 from Debian's source package, je_ prefix, " +
      'background_thread:true,metadata_thp:auto)'
    : 'without jemalloc (its release builds use it)';
  writeDoc(
    `Measured by \`pnpm bench\` on the date beside each size (2 cores, 24 GiB; ${dg.label}: built here from the ` +
      `module proxy, ${alloc}). Peak RSS: anonymous / file-backed, of the serving process.`,
    tables,
  );
}
