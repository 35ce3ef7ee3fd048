/**
 * `pnpm bench` (e2e): how backup and restore times grow with the number of groups (issue 19).
 *
 * The same data (`BENCH_SCALE_QUADS` N-Quads, default 1,000,000: persons with 24 predicates, 12
 * strings with a term index and 12 ints with an int index, so that whole-predicate tablets spread
 * evenly over 1, 2, 3, 4, 6, 8, 12 or 24 groups) is loaded into clusters of 1, 3, 6 and 12 groups
 * (`BENCH_SCALE_GROUPS`). Each cluster runs on a 3-member etcd with 3 Zeros (`strata zero --etcd`),
 * one Alpha per group. Per cluster, each timed as the whole command or request:
 * 1. `strata load` through group 1's Alpha;
 * 2. a full backup to local disk, and one to a MinIO of 4 drives (one server, erasure coded across
 *    them, `STRATA_MINIO_DRIVES=4`);
 * 3. an offline `strata restore` of the local backup (one store per group);
 * 4. an online restore of the MinIO backup into a new cluster of as many groups, whose answer to a
 *    count query must equal the source's (the bench fails otherwise).
 * The table, with each time against the 1-group cluster's, is printed and written into
 * docs/scale.md between its `bench:scale` markers. Everything runs on this one machine (2 cores),
 * so more groups means more processes sharing the same two cores: the figures show the cost of the
 * coordination, not a speed-up.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEtcd, type EtcdCluster } from '../../packages/server/test/etcd-harness.js';
import { StrataOnEtcd } from '../tests/etcd-cluster.js';
import { repoRoot } from '../tests/paths.js';
import { killAll, post, run } from '../tests/procs.js';
import { diskBytes, fileBytes } from './footprint.js';
import { restoreOnline } from './strata-node.js';
import { nquadsOf, writeTables } from './doc-tables.js';

const QUADS = Number(process.env.BENCH_SCALE_QUADS ?? 1_000_000);
const GROUPS = (process.env.BENCH_SCALE_GROUPS ?? '1,3,6,12').split(',').map(Number);
const PREDICATES = 24;
const TOKEN = 'bench-scale-token-0123456789';
const COUNT = '{ q(func: has(i01)) { count(uid) } }';

/** `people` persons of 24 N-Quads each: s01..s12 strings, i01..i12 ints (seeded, reproducible). */
async function writeWide(file: string, people: number): Promise<void> {
  const out = createWriteStream(file);
  const words = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'heath', 'inlet', 'juniper'];
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) & 0x7fffffff);
  for (let p = 0; p < people; p++) {
    let chunk = '';
    for (let k = 1; k <= PREDICATES / 2; k++) {
      const n = String(k).padStart(2, '0');
      chunk += `_:p${p} <s${n}> "${words[next() % 10]} ${words[next() % 10]} ${p}" .\n`;
      chunk += `_:p${p} <i${n}> "${next() % 100000}" .\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function wideSchema(): string {
  const lines: string[] = [];
  for (let k = 1; k <= PREDICATES / 2; k++) {
    const n = String(k).padStart(2, '0');
    lines.push(`s${n}: string @index(term) .`, `i${n}: int @index(int) .`);
  }
  return lines.join('\n') + '\n';
}

interface MinioEnv {
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  privateBucket: string;
}

/** A private MinIO of 4 drives for this run (e2e/minio/minio.sh with its own run folder). */
async function startMinio(runDir: string): Promise<{ env: MinioEnv; stop(): Promise<void> }> {
  const script = path.join(repoRoot, 'e2e/minio/minio.sh');
  const env = { ...process.env, STRATA_MINIO_RUN: runDir, STRATA_MINIO_DRIVES: '4' };
  const { stdout } = await promisify(execFile)('bash', [script, 'start'], { env });
  const m = JSON.parse(readFileSync(stdout.trim(), 'utf8')) as MinioEnv;
  return {
    env: m,
    stop: async () => void (await promisify(execFile)('bash', [script, 'stop'], { env })),
  };
}

async function strata(args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const r = await run(args, env);
  if (r.code !== 0) throw new Error(`strata ${args[0]} failed (${r.code}): ${r.stderr.slice(-2000)}`);
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

async function count(alphaUrl: string): Promise<number> {
  const r = await post(`${alphaUrl}/query`, COUNT, 'application/dql');
  const q = (r.json.data as { q?: { count: number }[] } | undefined)?.q;
  if (r.status !== 200 || !q?.[0]) throw new Error(`count query: ${JSON.stringify(r.json).slice(0, 300)}`);
  return q[0].count;
}

interface Row {
  groups: number;
  load: number;
  backupLocal: number;
  backupBytes: number;
  backupMinio: number;
  offline: number;
  restoredBytes: number;
  online: number;
}

/** One cluster of `groups` groups through every step. */
async function measure(
  tmp: string,
  etcd: EtcdCluster,
  m: MinioEnv,
  files: { data: string; schema: string },
  groups: number,
): Promise<Row> {
  const dir = path.join(tmp, `g${groups}`);
  const alphaEnv = { ...process.env, MINIO_ACCESS_KEY: m.accessKey, MINIO_SECRET_KEY: m.secretKey };
  const base = { endpoints: etcd.endpoints, groups, token: TOKEN, alphaEnv };
  const local = path.join(dir, 'backups');
  const remote = `minio://${m.host}:${m.port}/${m.privateBucket}/scale-g${groups}?secure=false`;
  const c = await StrataOnEtcd.start({
    ...base,
    prefix: `/strata-scale-${groups}/`,
    dir: path.join(dir, 'src'),
  });
  let row: Row;
  let source: number;
  try {
    const addr = c.alphaAddr(0);
    const load = await seconds(() => strata(['load', files.data, '--schema', files.schema, '--alpha', addr]));
    source = await count(c.alphaUrl(0));
    const backupLocal = await seconds(() => strata(['backup', '--alpha', addr, '-d', local]));
    const backupMinio = await seconds(() => strata(['backup', '--alpha', addr, '-d', remote]));
    row = {
      groups,
      load,
      backupLocal,
      backupBytes: fileBytes(local, (p) => p.endsWith('.backup')),
      backupMinio,
      offline: 0,
      restoredBytes: 0,
      online: 0,
    };
  } finally {
    await c.stop();
  }
  const out = path.join(dir, 'restored');
  row.offline = await seconds(() => strata(['restore', '-l', local, '-p', out, '--force_zero=false']));
  row.restoredBytes = diskBytes(out);
  const dst = await StrataOnEtcd.start({
    ...base,
    prefix: `/strata-scale-${groups}-dst/`,
    dir: path.join(dir, 'dst'),
  });
  try {
    row.online = await seconds(() => restoreOnline(dst.alphaUrl(0), remote));
    const restored = await count(dst.alphaUrl(0));
    if (restored !== source)
      throw new Error(`${groups} groups: restored ${restored} persons, the source had ${source}`);
  } finally {
    await dst.stop();
  }
  return row;
}

const SEC = (t: number, base?: number) => `${t.toFixed(1)} s${base ? ` (${(t / base).toFixed(2)}×)` : ''}`;
const MB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

function table(rows: Row[], when: string): string {
  const one = rows.find((r) => r.groups === 1);
  const head =
    `#### ${QUADS.toLocaleString('en-US')} N-Quads, ${PREDICATES} predicates (${when})\n\n` +
    '| groups | load | full backup, local disk | full backup, MinIO (4 drives) | offline restore (local) | online restore (from MinIO) | backup size | restored size |\n' +
    '|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.groups} | ${SEC(r.load, one?.load)} | ${SEC(r.backupLocal, one?.backupLocal)} | ` +
          `${SEC(r.backupMinio, one?.backupMinio)} | ${SEC(r.offline, one?.offline)} | ${SEC(r.online, one?.online)} | ` +
          `${MB(r.backupBytes)} | ${MB(r.restoredBytes)} |`,
      )
      .join('\n') +
    "\n\nIn brackets: the time against the 1-group cluster's.\n"
  );
}

export async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'strata-bench-scale-'));
  const etcd = await startEtcd(3);
  const minio = await startMinio(path.join(tmp, 'minio-run'));
  try {
    const files = { data: path.join(tmp, 'wide.rdf'), schema: path.join(tmp, 'wide.schema') };
    writeFileSync(files.schema, wideSchema());
    await writeWide(files.data, Math.round(QUADS / PREDICATES));
    const rows: Row[] = [];
    for (const g of GROUPS) {
      console.log(`scale: ${g} group${g === 1 ? '' : 's'} ...`);
      const row = await measure(tmp, etcd, minio.env, files, g);
      console.log(`scale: ${JSON.stringify(row)}`);
      rows.push(row);
      rmSync(path.join(tmp, `g${g}`), { recursive: true, force: true });
    }
    const t = table(rows, new Date().toISOString().slice(0, 10));
    console.log(`\n${t}`);
    writeTables(path.join(repoRoot, 'docs/scale.md'), 'scale', [t], nquadsOf);
  } finally {
    await killAll();
    await minio.stop().catch(() => undefined);
    await etcd.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
