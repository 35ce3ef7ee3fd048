#!/usr/bin/env node
// `pnpm bench`: backup codec throughput, Node's built-in pipeline against Strata's, in one run.
// Each measurement runs in its own child process so that its peak RSS is its own.
// Usage: node bench/codec.mjs [--mb 256] [--levels 1,3,4,5,6] [--levels4 4,5] [--only scenario,...]
// (--only runs just the named scenarios, e.g. dec-strata-t1 or enc-strata-l4-b4, and prints JSON rows)
// CPU s is user+system time of the whole process during the run; cores = CPU s / wall s.
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  openSync,
  readSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { generateFrames } from './synthetic.mjs';

const MiB = 1 << 20;
const KEY = Buffer.alloc(32, 7); // fixed benchmark key (not a secret)
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

/** `total` is a whole number of pool copies, so the stream ends on a frame boundary. */
function source(pool, total) {
  return Readable.from(
    (function* () {
      for (let done = 0; done < total; done += pool.length) {
        for (let at = 0; at < pool.length; at += MiB)
          yield pool.subarray(at, Math.min(at + MiB, pool.length));
      }
    })(),
    { objectMode: false },
  );
}

function sink() {
  let bytes = 0;
  const w = new Writable({
    write(chunk, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  return { w, bytes: () => bytes, add: (n) => (bytes += n) };
}

async function child(scenario, mb, dir) {
  const core = await import('@strata/core');
  const result = { scenario, mb };
  let cpu0;
  if (scenario.startsWith('enc-')) {
    const pool = generateFrames(32 * MiB, 42);
    const total = Math.max(1, Math.round((mb * MiB) / pool.length)) * pool.length;
    const file = join(dir, `${scenario}.backup`);
    cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (scenario === 'enc-node') {
      const iv = randomBytes(16);
      const out = createWriteStream(file);
      out.write(iv);
      await pipeline(
        source(pool, total),
        zlib.createGzip({ level: 6 }),
        createCipheriv('aes-256-ctr', KEY, iv),
        out,
      );
    } else {
      const m = /^enc-strata-l(\d+)(?:-b(\d+))?$/.exec(scenario);
      const level = Number(m?.[1] ?? 6);
      const blockSize = m?.[2] ? Number(m[2]) * MiB : undefined;
      await pipeline(
        source(pool, total),
        core.createBackupEncoder({ level, key: KEY, ...(blockSize && { blockSize }) }),
        createWriteStream(file),
      );
    }
    result.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    result.inBytes = total;
    result.outBytes = statSync(file).size;
  } else {
    const file = join(
      dir,
      scenario === 'dec-node' || scenario === 'dec-strata-on-node'
        ? 'enc-node.backup'
        : 'enc-strata-l6.backup',
    );
    const s = sink();
    cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (scenario === 'dec-node') {
      const fd = openSync(file, 'r');
      const iv = Buffer.alloc(16);
      readSync(fd, iv, 0, 16, 0);
      closeSync(fd);
      await pipeline(
        createReadStream(file, { start: 16, highWaterMark: MiB }),
        createDecipheriv('aes-256-ctr', KEY, iv),
        zlib.createGunzip(),
        s.w,
      );
    } else if (scenario === 'dec-strata-stats') {
      const dec = core.createBackupDecoder({ key: KEY, mode: 'stats' });
      await pipeline(createReadStream(file, { highWaterMark: MiB }), dec);
      s.add(dec.stats?.bytesDecompressed ?? 0);
    } else {
      const t = /-t(\d+)$/.exec(scenario)?.[1];
      await pipeline(
        createReadStream(file, { highWaterMark: MiB }),
        core.createBackupDecoder({ key: KEY, mode: 'bytes', ...(t && { threads: Number(t) }) }),
        s.w,
      );
    }
    result.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    result.inBytes = statSync(file).size;
    result.outBytes = s.bytes();
  }
  const cpu = process.cpuUsage(cpu0);
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  result.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(scenario, mb, dir) {
  const r = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), '--child', scenario, '--mb', String(mb), '--dir', dir],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (r.status !== 0) throw new Error(`benchmark ${scenario} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
}

const plainOf = (r) => (r.scenario.startsWith('enc') ? r.inBytes : r.outBytes);
const mbpsOf = (r) => plainOf(r) / MiB / r.seconds;

async function main() {
  const mb = Number(opt('--mb', '256'));
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-'));
  try {
    const rows = {};
    const levels = opt('--levels', '1,3,4,5,6').split(',').map(Number);
    if (!levels.includes(6)) levels.push(6);
    // Larger gzip members (4 MiB instead of the 1 MiB default) compress a little better.
    const big4 = opt('--levels4', '4,5').split(',').filter(Boolean).map(Number);
    const encodes = [...levels.map((l) => `enc-strata-l${l}`), ...big4.map((l) => `enc-strata-l${l}-b4`)];
    const decodes = ['dec-node', 'dec-strata', 'dec-strata-t1', 'dec-strata-on-node', 'dec-strata-stats'];
    const only = opt('--only');
    const list = only ? only.split(',') : ['enc-node', ...encodes, ...decodes];
    for (const s of list) {
      rows[s] = runChild(s, mb, dir);
      if (only)
        console.log(
          JSON.stringify({
            ...rows[s],
            mibps: +mbpsOf(rows[s]).toFixed(1),
            mibPerCpuS: +(plainOf(rows[s]) / MiB / rows[s].cpuSeconds).toFixed(1),
            cores: +(rows[s].cpuSeconds / rows[s].seconds).toFixed(2),
          }),
        );
    }
    if (only) return;
    // Memory must not grow with the data: the same pipeline on 4x the input.
    const big = mb * 4;
    const rssBigEnc = runChild('enc-strata-l6', big, dir);
    const rssBigDec = runChild('dec-strata', big, dir); // decodes the big file just written
    const mbps = mbpsOf;
    const fmt = (x, d = 1) => x.toFixed(d);
    console.log(
      `\nBackup codec benchmark: ${mb} MiB of synthetic framed KV lists (seeded), AES-256-CTR, 2 cores\n`,
    );
    console.log(
      'scenario                 MB/s (of plain)   output MiB   ratio   peak RSS MiB   CPU s   MiB/CPU-s   cores',
    );
    for (const r of Object.values(rows)) {
      const out = r.scenario.startsWith('enc') ? r.outBytes : r.outBytes;
      console.log(
        `${r.scenario.padEnd(24)} ${fmt(mbps(r)).padStart(14)}   ${fmt(out / MiB).padStart(10)}   ${r.scenario.startsWith('enc') ? fmt(r.inBytes / r.outBytes, 2).padStart(5) : '    -'}   ${fmt(r.maxRssMiB).padStart(12)}   ${fmt(r.cpuSeconds, 2).padStart(5)}   ${fmt(plainOf(r) / MiB / r.cpuSeconds).padStart(9)}   ${fmt(r.cpuSeconds / r.seconds, 2).padStart(5)}`,
      );
    }
    const encN = rows['enc-node'];
    const enc6 = rows['enc-strata-l6'];
    const encF = rows[`enc-strata-l${Math.min(...levels)}`];
    const within = encodes
      .map((s) => rows[s])
      .filter((r) => r.outBytes <= encN.outBytes * 1.03)
      .sort((a, b) => mbps(b) - mbps(a))[0];
    console.log('\nratios against Node (same run):');
    console.log(
      `  encode, Strata level 6 : ${fmt(mbps(enc6) / mbps(encN), 2)}x speed, output ${fmt((enc6.outBytes / encN.outBytes - 1) * 100, 2)}% vs Node   (target >= 5x at <= +3%)`,
    );
    console.log(
      `  encode, Strata fastest (${encF.scenario}): ${fmt(mbps(encF) / mbps(encN), 2)}x speed, output ${fmt((encF.outBytes / encN.outBytes - 1) * 100, 2)}% vs Node`,
    );
    if (within) {
      console.log(
        `  encode, fastest Strata level within +3% of Node's size (${within.scenario}): ${fmt(mbps(within) / mbps(encN), 2)}x speed, output ${fmt((within.outBytes / encN.outBytes - 1) * 100, 2)}% vs Node`,
      );
    }
    console.log(
      `  decode, Strata         : ${fmt(mbps(rows['dec-strata']) / mbps(rows['dec-node']), 2)}x speed   (target >= 4x)`,
    );
    console.log(
      `  decode, Strata on Node's single-member file: ${fmt(mbps(rows['dec-strata-on-node']) / mbps(rows['dec-node']), 2)}x speed`,
    );
    console.log(
      `  peak RSS, Strata encode: ${fmt(enc6.maxRssMiB)} MiB at ${mb} MiB input, ${fmt(rssBigEnc.maxRssMiB)} MiB at ${big} MiB (x${fmt(rssBigEnc.maxRssMiB / enc6.maxRssMiB, 2)} for x4 data; Node's pipeline: ${fmt(encN.maxRssMiB)} MiB)`,
    );
    console.log(
      `  peak RSS, Strata decode: ${fmt(rows['dec-strata'].maxRssMiB)} MiB at ${mb} MiB output, ${fmt(rssBigDec.maxRssMiB)} MiB at ${big} MiB (x${fmt(rssBigDec.maxRssMiB / rows['dec-strata'].maxRssMiB, 2)} for x4 data; Node's pipeline: ${fmt(rows['dec-node'].maxRssMiB)} MiB)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--child') await child(args[1], Number(opt('--mb', '256')), opt('--dir'));
else await main();
