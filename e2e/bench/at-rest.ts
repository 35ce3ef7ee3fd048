/**
 * `pnpm bench` (e2e): the cost of encryption at rest. The same generated social graph
 * (bench/social.ts; `BENCH_AT_REST_QUADS` N-Quads, default 3M) goes through one node without
 * encryption at rest and one with it (`strata start --encryption key-file=...`), in the same run:
 * 1. `strata load` (batches of 1000);
 * 2. a fixed mix of DQL queries (index lookups by exact name and by term, an int range with a
 *    count, a reverse edge), `QUERY_ROUNDS` times over HTTP;
 * 3. a full backup (the sealed node's is encrypted with its key, as Dgraph's are by default);
 * 4. an offline `strata restore` (the sealed side writes sealed stores) and an online restore into
 *    a new node of the same kind.
 * Each step's time and the serving process's peak anonymous RSS are printed with the ratio sealed /
 * plain, and the table is written into the README between its `bench:at-rest` markers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../tests/paths.js';
import { killAll, run, start, waitHealthy, type Proc } from '../tests/procs.js';
import { nquadsOf, writeTables } from './doc-tables.js';
import { diskBytes, sampleRss, type RssPeak } from './footprint.js';
import { QUADS_PER_PERSON, SOCIAL_SCHEMA, writeSocial } from './social.js';
import { call, freeOffset, restoreOnline } from './strata-node.js';

const QUADS = Number(process.env.BENCH_AT_REST_QUADS ?? 3_000_000);
const QUERY_ROUNDS = 25;
/** The query mix: each names persons the generator writes at any size. */
const QUERIES = [
  '{ q(func: eq(name@en, "Ada Moss 5"), first: 20) { uid name@en age friend { name@en } } }',
  '{ q(func: anyofterms(name@de, "Quill Thorn"), first: 200) { uid age } }',
  '{ q(func: between(age, 40, 42), first: 500) { uid name@en count(friend) } }',
  '{ q(func: eq(name@en, "Lea Yew 17"), first: 20) { uid ~friend { uid name@en } } }',
];

interface Step {
  seconds: number;
  rss?: RssPeak;
  bytes?: number;
}
type Side = Record<string, Step>;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function measured(pid: number, f: () => Promise<unknown>): Promise<Step> {
  const rss = sampleRss(pid, 'strata start');
  try {
    const seconds = await Promise.race([timed(f), rss.gone]);
    return { seconds, rss: rss.stop() };
  } catch (e) {
    rss.stop();
    throw e;
  }
}

async function strata(args: string[]): Promise<string> {
  const r = await run(args);
  if (r.code !== 0) throw new Error(`strata ${args[0]} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

async function node(dir: string, tmp: string, atRest: string[]): Promise<{ proc: Proc; addr: string }> {
  const o = await freeOffset();
  const proc = start(['start', '--data', dir, '-o', String(o), '--restore_dirs', tmp, ...atRest]);
  const addr = `127.0.0.1:${8080 + o}`;
  await waitHealthy(`http://${addr}`, proc, 60_000);
  return { proc, addr };
}

async function stop(p: Proc): Promise<void> {
  p.child.kill('SIGTERM');
  await p.exited;
}

/** One side's steps; `atRest` are the flags that seal its stores (none: plain). */
async function side(
  tmp: string,
  name: string,
  atRest: string[],
  file: string,
  schema: string,
): Promise<Side> {
  const s: Side = {};
  const dir = path.join(tmp, name);
  const loc = path.join(tmp, `${name}-backups`);
  const n = await node(path.join(dir, 'node'), tmp, atRest);
  const pid = n.proc.child.pid!;
  try {
    s.load = await measured(pid, () => strata(['load', file, '--schema', schema, '--alpha', n.addr]));
    s.load.bytes = diskBytes(path.join(dir, 'node', 'p'));
    s.query = await measured(pid, async () => {
      for (let r = 0; r < QUERY_ROUNDS; r++)
        for (const q of QUERIES) await call(`http://${n.addr}/query`, q, 'application/dql');
    });
    s.backup = await measured(pid, () => strata(['backup', '--alpha', n.addr, '-d', loc]));
  } finally {
    await stop(n.proc);
  }
  const out = path.join(dir, 'restored');
  s.offline = {
    seconds: await timed(() => strata(['restore', '-l', loc, '-p', out, '--force_zero=false', ...atRest])),
  };
  s.offline.bytes = diskBytes(out);
  const n2 = await node(path.join(dir, 'node2'), tmp, atRest);
  try {
    s.online = await measured(n2.proc.child.pid!, () => restoreOnline(`http://${n2.addr}`, loc));
  } finally {
    await stop(n2.proc);
  }
  return s;
}

const SEC = (t?: number) => (t === undefined ? '—' : `${t.toFixed(1)} s`);
const MIB = (r?: RssPeak) => (r ? `${Math.round(r.anonMiB)} MiB` : '—');
const MB = (b?: number) => (b === undefined ? '—' : `${(b / 1e6).toFixed(0)} MB`);
const X = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

function table(when: string, p: Side, s: Side): string {
  const queries = QUERY_ROUNDS * QUERIES.length;
  const qps = (st?: Step) => (st ? `${Math.round(queries / st.seconds)} queries/s` : '—');
  const nq = (st?: Step) =>
    st ? `${Math.round(QUADS / st.seconds).toLocaleString('en-US')} N-Quads/s` : '—';
  const rows = [
    [
      'load',
      `${SEC(p.load?.seconds)}, ${nq(p.load)}`,
      `${SEC(s.load?.seconds)}, ${nq(s.load)}`,
      X(s.load?.seconds, p.load?.seconds),
    ],
    ['store on disk after load', MB(p.load?.bytes), MB(s.load?.bytes), X(s.load?.bytes, p.load?.bytes)],
    [
      `queries (${queries}, one at a time)`,
      qps(p.query),
      qps(s.query),
      X(s.query?.seconds, p.query?.seconds),
    ],
    ['full backup', SEC(p.backup?.seconds), SEC(s.backup?.seconds), X(s.backup?.seconds, p.backup?.seconds)],
    [
      'offline restore',
      SEC(p.offline?.seconds),
      SEC(s.offline?.seconds),
      X(s.offline?.seconds, p.offline?.seconds),
    ],
    [
      'restored store on disk',
      MB(p.offline?.bytes),
      MB(s.offline?.bytes),
      X(s.offline?.bytes, p.offline?.bytes),
    ],
    [
      'online restore',
      SEC(p.online?.seconds),
      SEC(s.online?.seconds),
      X(s.online?.seconds, p.online?.seconds),
    ],
    [
      'peak RSS (anonymous): load / backup / online restore',
      [p.load, p.backup, p.online].map((x) => MIB(x?.rss)).join(' / '),
      [s.load, s.backup, s.online].map((x) => MIB(x?.rss)).join(' / '),
      X(s.load?.rss?.anonMiB, p.load?.rss?.anonMiB),
    ],
  ];
  return (
    `#### ${QUADS.toLocaleString('en-US')} N-Quads (${when})\n\n` +
    '| step | plaintext store | encrypted at rest | encrypted / plaintext (time or size) |\n|---|---|---|---|\n' +
    rows.map((r) => `| ${r.join(' | ')} |`).join('\n') +
    '\n'
  );
}

export async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'strata-bench-at-rest-'));
  try {
    const people = Math.round(QUADS / QUADS_PER_PERSON);
    const file = path.join(tmp, 'social.rdf.gz');
    const schema = path.join(tmp, 'social.schema');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(schema, SOCIAL_SCHEMA);
    await writeSocial(file, 0, people);
    const key = path.join(tmp, 'master.key');
    writeFileSync(key, randomBytes(32), { mode: 0o600 });
    console.log(`${QUADS.toLocaleString('en-US')} N-Quads: plaintext ...`);
    const plain = await side(tmp, 'plain', [], file, schema);
    console.log(`${QUADS.toLocaleString('en-US')} N-Quads: encrypted at rest ...`);
    const sealed = await side(tmp, 'sealed', ['--encryption', `key-file=${key}`], file, schema);
    console.log(`measured: ${JSON.stringify({ plain, sealed })}`);
    const t = table(new Date().toISOString().slice(0, 10), plain, sealed);
    console.log(`\n${t}`);
    writeTables(path.join(repoRoot, 'README.md'), 'at-rest', [t], nquadsOf);
  } finally {
    await killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
