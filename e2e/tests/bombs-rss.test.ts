// The decompression and length bombs of the security review, written as backup locations and fed
// to every reader a user runs: `strata inspect`, `strata verify`, offline `strata restore` and an
// online restore through `/admin`. Each must end with a typed error (or succeed on valid data) and
// a peak resident set of at most 256 MiB; the Alpha that receives the online restore lives on.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, RESTORE, STATUS } from './harness.js';
import { strataBin } from './paths.js';
import { killAll } from './procs.js';

const MIB = 1 << 20;
/** The bound on any reader's peak RSS, whatever the input. */
const RSS_LIMIT = 256 * MIB;
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-bombs-'));

/** What a run of `strata ARGS` printed, how it ended, and its peak RSS (from the kernel's rusage). */
interface Measured {
  code: number | null;
  signal: string | null;
  out: string;
  peakRss: number;
}

// Python's resource module reads the waited child's ru_maxrss (KiB on Linux): the exact peak,
// which polling /proc cannot give for a process that has exited.
const RUSAGE = `
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True)
sys.stdout.buffer.write(r.stdout + r.stderr)
sys.stderr.write("%d %d" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode))
`;

function measure(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', RUSAGE, process.execPath, strataBin, ...args],
      { maxBuffer: 64 * MIB },
      (err, stdout, stderr) => {
        const m = /^(\d+) (-?\d+)$/.exec(stderr.trim());
        if (!m) return reject(new Error(`no rusage from the wrapper: ${String(err)} ${stderr}`));
        const rc = Number(m[2]);
        resolve({
          code: rc >= 0 ? rc : null,
          signal: rc < 0 ? `signal ${-rc}` : null,
          out: stdout,
          peakRss: Number(m[1]) * 1024,
        });
      },
    );
  });
}

/** Peak RSS of a running process (VmHWM). */
function vmHwm(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) * 1024;
}

/** `parts` then `zeros` bytes of zeros in one gzip member at level 9, streamed (never all in memory). */
async function gzipStream(parts: Buffer[], zeros: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (d: Buffer) => out.push(d));
  const done = new Promise((res, rej) => {
    gz.once('end', res);
    gz.once('error', rej);
  });
  for (const p of parts) gz.write(p);
  const block = Buffer.alloc(MIB);
  for (let n = 0; n < zeros / MIB; n++) {
    if (!gz.write(block)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

const S2_STREAM_ID = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x53, 0x32, 0x73, 0x54, 0x77, 0x4f]);

/** 65,536 S2 chunks of 12 bytes, each claiming 4 MiB uncompressed (256 GiB in all). */
function s2LyingChunks(): Buffer {
  const chunk = Buffer.from([0x00, 0x08, 0x00, 0x00, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x02]);
  return Buffer.concat([S2_STREAM_ID, ...Array<Buffer>(65_536).fill(chunk)]);
}

interface Bomb {
  name: string;
  /** The manifest layout the file sits in: gzip (v20.11 folder) or S2 (2105 master). */
  layout: 'v20.11' | '2105';
  file: () => Promise<Buffer>;
  /** A typed error the readers must give; undefined: the data is valid and reading succeeds. */
  error?: RegExp;
}

const BOMBS: Bomb[] = [
  { name: 's2-lying-chunks', layout: '2105', file: async () => s2LyingChunks(), error: /CORRUPT|corrupt/ },
  // ~1 MB of gzip inflating to 1 GiB of zeros: 128 Mi empty frames, valid.
  { name: 'gzip-1gib-member', layout: 'v20.11', file: () => gzipStream([], 1024 * MIB) },
  {
    name: 'frame-header-1gib',
    layout: 'v20.11',
    file: async () => {
      const head = Buffer.alloc(8);
      head.writeBigUInt64LE(1n << 30n);
      return gzipSync(Buffer.concat([head, Buffer.alloc(MIB)]));
    },
    error: /TOO_LARGE|too large|claims 1073741824 bytes/,
  },
];

const BACKUP_ID = 'bomb_series';
const FOLDER = 'dgraph.20261202.000000.000';

/** A one-group backup location holding `file` as its only data file. */
function writeLocation(b: Bomb, file: Buffer): string {
  const loc = path.join(tmp, `loc-${b.name}`);
  mkdirSync(path.join(loc, FOLDER), { recursive: true });
  writeFileSync(path.join(loc, FOLDER, 'r10-g1.backup'), file);
  const entry = {
    type: 'full',
    since: b.layout === 'v20.11' ? 10 : 0,
    groups: { '1': b.layout === 'v20.11' ? ['name'] : ['0-name'] },
    backup_id: BACKUP_ID,
    backup_num: 1,
    encrypted: false,
    drop_operations: null,
  };
  if (b.layout === 'v20.11') {
    writeFileSync(path.join(loc, FOLDER, 'manifest.json'), JSON.stringify(entry));
  } else {
    const master = { ...entry, read_ts: 10, version: 2105, path: FOLDER, compression: 'snappy' };
    writeFileSync(path.join(loc, 'manifest.json'), JSON.stringify({ Manifests: [master] }));
  }
  return loc;
}

const locations = new Map<string, string>();
/** Peak RSS per bomb and reader, printed at the end (the figures of docs/security.md). */
const figures: string[] = [];

beforeAll(async () => {
  for (const b of BOMBS) locations.set(b.name, writeLocation(b, await b.file()));
}, 120_000);

afterAll(async () => {
  if (figures.length > 0) console.log(`peak RSS (MiB) by bomb and reader:\n${figures.join('\n')}`);
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** The common verdict: no crash, the expected typed error (or success), RSS within the bound. */
function expectBounded(b: Bomb, m: Measured, what: string): void {
  const tag = `${b.name}: ${what}: ${m.out.slice(0, 400)}`;
  figures.push(`${b.name}\t${what}\t${(m.peakRss / MIB).toFixed(1)}\texit ${m.code}`);
  expect(m.signal, tag).toBeNull();
  if (b.error) {
    expect(m.code, tag).not.toBe(0);
    expect(m.out, tag).toMatch(b.error);
    expect(m.out, tag).not.toMatch(/panicked|RangeError|Aborted|out of memory/);
  } else {
    expect(m.code, tag).toBe(0);
  }
  expect(m.peakRss, `${tag}: peak RSS ${(m.peakRss / MIB).toFixed(1)} MiB`).toBeLessThanOrEqual(RSS_LIMIT);
}

describe.each(BOMBS)('bomb $name', (b) => {
  const loc = () => locations.get(b.name)!;

  it('strata inspect: typed outcome within 256 MiB', async () => {
    expectBounded(b, await measure(['inspect', path.join(loc(), FOLDER, 'r10-g1.backup')]), 'inspect');
  });

  it('strata verify: typed outcome within 256 MiB', async () => {
    expectBounded(b, await measure(['verify', loc()]), 'verify');
  });

  it('offline strata restore: typed outcome within 256 MiB, no half-written store left', async () => {
    const pdir = path.join(tmp, `p-${b.name}`);
    const m = await measure(['restore', '-l', loc(), '-p', pdir, '--force_zero=false']);
    expectBounded(b, m, 'offline restore');
    if (b.error) {
      const left = existsSync(pdir) ? readdirSync(pdir) : [];
      expect(left, `${b.name}: leftovers in ${pdir}`).toEqual([]);
    }
  });
});

describe('online restore of every bomb into one live Alpha', () => {
  const cluster = new TestCluster(tmp, 'bombs', 1);
  afterAll(() => cluster.stop());

  it('starts a one-group cluster', async () => {
    await cluster.start();
  });

  it.each(BOMBS)(
    '$name: restoreStatus names the error (or OK), the Alpha lives on within 256 MiB',
    async (b) => {
      const r = await cluster.gql<{ restore: { code: string; restoreId: number } }>(RESTORE, {
        input: { location: locations.get(b.name)!, backupId: BACKUP_ID },
      });
      let outcome: string;
      if (r.errors) {
        // refused before it started (the coordinator's checks read the files)
        outcome = r.errors.map((e) => e.message).join('; ');
      } else {
        const id = r.data!.restore.restoreId;
        for (;;) {
          const s = await cluster.gql<{ restoreStatus: { status: string; errors: string[] } }>(STATUS, {
            id,
          });
          const st = s.data!.restoreStatus;
          if (st.status !== 'IN_PROGRESS') {
            outcome = `${st.status} ${st.errors.join('; ')}`;
            break;
          }
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      if (b.error) expect(outcome).toMatch(b.error);
      else expect(outcome).toBe('OK ');
      const alpha = cluster.alphas[0]!.proc!;
      expect(alpha.child.exitCode, alpha.out.join('')).toBeNull();
      expect((await fetch(`${cluster.url}/health`)).ok).toBe(true);
      const peak = vmHwm(alpha.child.pid!);
      figures.push(
        `${b.name}\tonline restore (Alpha VmHWM so far)\t${(peak / MIB).toFixed(1)}\t${outcome.slice(0, 60)}`,
      );
      expect(peak, `Alpha peak RSS ${(peak / MIB).toFixed(1)} MiB`).toBeLessThanOrEqual(RSS_LIMIT);
    },
  );
});
