#!/usr/bin/env node
// `pnpm bench` (after codec.mjs): backup throughput and Alpha memory, local disk vs MinIO on
// loopback. Starts a 1-group cluster (Zero + Alpha through the built CLI) in a temp dir and a MinIO
// (e2e/minio/minio.sh, which builds/caches it), loads a generated data set of incompressible
// strings (bench/dataset.mjs) in two steps, and after each step takes a full backup to a local
// folder and one to MinIO, measuring wall time, throughput (backup file bytes / s) and the Alpha's
// peak RSS during each backup (VmHWM after resetting it through /proc/<pid>/clear_refs, with VmRSS
// sampled every 20 ms as a fallback). Prints MinIO / local speed and the RSS growth between sizes.
// Usage: node bench/backup.mjs [--mb1 110] [--mb2 270]   (MB of string values after each step)
// Needs the built CLI (pnpm build) and Go on a cold machine (MinIO is built once).
/* global fetch, setTimeout, setInterval, clearInterval */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { writeBlobRdf } from './dataset.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const cli = path.join(repo, 'packages/cli/dist/main.js');
const minioSh = path.join(repo, 'e2e/minio/minio.sh');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MB = 1e6;
const VALUE_BYTES = 1536; // 2048 base64 characters per value
const steps = [opt('--mb1', 110), opt('--mb2', 270)];
const TOKEN = 'bench-backup-token-0123456789';
const execFileP = promisify(execFile);

if (!existsSync(cli)) {
  console.error(`bench/backup.mjs: ${cli} not found: run pnpm build first`);
  process.exit(1);
}
if (process.platform !== 'linux') {
  console.log('bench/backup.mjs: skipped (reads /proc for the Alpha RSS; Linux only)');
  process.exit(0);
}

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-bench-backup-'));
const minioRun = path.join(tmp, 'minio-run');
const minioEnv = { ...process.env, STRATA_MINIO_RUN: minioRun };
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function startStrata(cmdArgs) {
  const child = spawn(process.execPath, [cli, ...cmdArgs], {
    env: { ...process.env, STRATA_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  children.push(child);
  return Object.assign(child, { log: () => err });
}

async function waitHealthy(url, child, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${child.log()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not healthy after ${ms} ms`);
}

async function strata(cmdArgs) {
  try {
    return await execFileP(process.execPath, [cli, ...cmdArgs], {
      maxBuffer: 64 << 20,
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    });
  } catch (e) {
    const failure = /** @type {{ stderr?: string, message: string }} */ (e);
    throw new Error(`strata ${cmdArgs[0]} failed: ${failure.stderr || failure.message}`);
  }
}

const status = (pid, field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};

/**
 * Runs `fn` and measures the Alpha's peak RSS meanwhile: VmHWM (after resetting it), and the peaks
 * of RssAnon (heap, buffers) and RssFile (mapped files, e.g. the posting store) sampled every 20 ms.
 */
async function withPeakRss(pid, fn) {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    hwmReset = false;
  }
  const before = status(pid, 'VmRSS');
  const anonBefore = status(pid, 'RssAnon');
  let sampled = before;
  let anon = anonBefore;
  let file = status(pid, 'RssFile');
  const sample = () => {
    try {
      sampled = Math.max(sampled, status(pid, 'VmRSS'));
      anon = Math.max(anon, status(pid, 'RssAnon'));
      file = Math.max(file, status(pid, 'RssFile'));
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await fn();
    sample();
    const peak = hwmReset ? Math.max(status(pid, 'VmHWM'), sampled) : sampled;
    return { result, before, peak, anonBefore, anon, file };
  } finally {
    clearInterval(timer);
  }
}

function localBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.backup'))
      n += statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

async function bucketBytes(m, prefix) {
  const s3 = new S3Client({
    endpoint: m.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKey, secretAccessKey: m.secretKey },
  });
  let n = 0;
  let token;
  try {
    do {
      const r = await s3.send(
        new ListObjectsV2Command({ Bucket: m.privateBucket, Prefix: `${prefix}/`, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? []) if (o.Key.endsWith('.backup')) n += o.Size;
      token = r.NextContinuationToken;
    } while (token);
  } finally {
    s3.destroy();
  }
  return n;
}

const fmtMB = (b) => `${(b / MB).toFixed(1)} MB`;
const rows = [];

async function main() {
  const t0 = Date.now();
  // MinIO first (a cold machine builds it once), in our own run folder.
  const { stdout } = await execFileP('bash', [minioSh, 'start'], { env: minioEnv, maxBuffer: 1 << 20 });
  const m = JSON.parse(readFileSync(stdout.trim().split('\n').pop() ?? '', 'utf8'));

  const zeroPort = await freePort();
  const zero = startStrata([
    'zero',
    '--port',
    String(zeroPort),
    '--host',
    '127.0.0.1',
    '--data',
    path.join(tmp, 'zw'),
    '--groups',
    '1',
    '--token',
    TOKEN,
  ]);
  await waitHealthy(`http://127.0.0.1:${zeroPort}`, zero);
  const alphaPort = await freePort();
  const alpha = startStrata([
    'alpha',
    '--group',
    '1',
    '--zero',
    `127.0.0.1:${zeroPort}`,
    '-p',
    path.join(tmp, 'p'),
    '--port',
    String(alphaPort),
    '--host',
    '127.0.0.1',
    '--token',
    TOKEN,
  ]);
  await waitHealthy(`http://127.0.0.1:${alphaPort}`, alpha);
  const addr = `127.0.0.1:${alphaPort}`;

  let loadedChars = 0;
  for (const [i, targetMb] of steps.entries()) {
    const facts = Math.max(0, Math.ceil((targetMb * MB - loadedChars) / ((VALUE_BYTES * 4) / 3)));
    const rdf = path.join(tmp, `step${i}.rdf`);
    let t = Date.now();
    loadedChars += await writeBlobRdf(rdf, { facts, valueBytes: VALUE_BYTES, prefix: `s${i}_` });
    const genS = (Date.now() - t) / 1000;
    t = Date.now();
    await strata(['load', rdf, '--alpha', addr, '--batch', '500']);
    const loadS = (Date.now() - t) / 1000;
    rmSync(rdf, { force: true });
    console.error(
      `step ${i + 1}: ${facts} facts, ${fmtMB(loadedChars)} of values in total (generated in ${genS.toFixed(1)} s, loaded in ${loadS.toFixed(1)} s)`,
    );

    const local = path.join(tmp, `local-${i}`);
    t = Date.now();
    const l = await withPeakRss(alpha.pid, () =>
      strata(['backup', '--alpha', addr, '--destination', local, '--force_full']),
    );
    const localS = (Date.now() - t) / 1000;
    const lBytes = localBytes(local);
    rmSync(local, { recursive: true, force: true });

    const prefix = `bench-${i}-${Date.now()}`;
    const loc = `minio://${m.host}:${m.port}/${m.privateBucket}/${prefix}?secure=false`;
    t = Date.now();
    const r = await withPeakRss(alpha.pid, () =>
      strata([
        'backup',
        '--alpha',
        addr,
        '--destination',
        loc,
        '--force_full',
        '--access_key',
        m.accessKey,
        '--secret_key',
        m.secretKey,
      ]),
    );
    const minioS = (Date.now() - t) / 1000;
    const rBytes = await bucketBytes(m, prefix);
    rows.push({
      step: i + 1,
      values: loadedChars,
      local: { s: localS, bytes: lBytes, rssBefore: l.before, peak: l.peak, anon: l.anon, file: l.file },
      minio: { s: minioS, bytes: rBytes, rssBefore: r.before, peak: r.peak, anon: r.anon, file: r.file },
    });
  }

  console.log(`backup benchmark: 1-group cluster, full backups, Alpha peak RSS during each backup`);
  console.log(
    `${'data'.padEnd(10)} ${'target'.padEnd(7)} ${'files'.padStart(10)} ${'wall s'.padStart(7)} ${'MB/s'.padStart(7)} ${'RSS before'.padStart(11)} ${'peak RSS'.padStart(9)} ${'growth'.padStart(9)} ${'anon peak'.padStart(10)} ${'file peak'.padStart(10)}`,
  );
  for (const row of rows) {
    for (const [name, x] of [
      ['local', row.local],
      ['minio', row.minio],
    ]) {
      console.log(
        `${fmtMB(row.values).padEnd(10)} ${name.padEnd(7)} ${fmtMB(x.bytes).padStart(10)} ${x.s.toFixed(2).padStart(7)} ${(x.bytes / MB / x.s).toFixed(1).padStart(7)} ${fmtMB(x.rssBefore).padStart(11)} ${fmtMB(x.peak).padStart(9)} ${fmtMB(x.peak - x.rssBefore).padStart(9)} ${fmtMB(x.anon).padStart(10)} ${fmtMB(x.file).padStart(10)}`,
      );
    }
  }
  for (const row of rows) {
    const ratio = row.minio.bytes / row.minio.s / (row.local.bytes / row.local.s);
    console.log(
      `step ${row.step}: MinIO / local speed = ${(ratio * 100).toFixed(0)}% (target >= 60%) ${ratio >= 0.6 ? 'OK' : 'BELOW TARGET'}`,
    );
  }
  if (rows.length >= 2) {
    const [a, b] = [rows[0], rows.at(-1)];
    const dataX = b.local.bytes / a.local.bytes;
    for (const k of ['local', 'minio']) {
      const growth = b[k].peak / a[k].peak;
      const anonGrowth = b[k].anon / a[k].anon;
      const flat = (x) => (x < 1 + (dataX - 1) / 4 ? 'flat' : 'GROWS with data');
      console.log(
        `${k}: data x${dataX.toFixed(2)}, peak RSS ${fmtMB(a[k].peak)} -> ${fmtMB(b[k].peak)} (x${growth.toFixed(2)}, ${flat(growth)}); ` +
          `anonymous RSS ${fmtMB(a[k].anon)} -> ${fmtMB(b[k].anon)} (x${anonGrowth.toFixed(2)}, ${flat(anonGrowth)})`,
      );
    }
  }
  console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

let code = 0;
try {
  await main();
} catch (err) {
  console.error(`bench/backup.mjs: ${err instanceof Error ? err.stack : String(err)}`);
  code = 1;
} finally {
  for (const c of children) c.kill('SIGKILL');
  await execFileP('bash', [minioSh, 'stop'], { env: minioEnv }).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
