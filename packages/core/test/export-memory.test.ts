/**
 * The streamed export keeps memory bounded: a child process exports a store whose dump is many
 * times the run buffer, once buffered (`exportRdf`, the whole dump in memory) and once streamed
 * (`exportRdfStream` with a 1 MiB run buffer, written to a file). The test samples the child's
 * RssAnon (anonymous memory: the store's mmap pages are file pages and do not count). The
 * streaming child runs the GC every few chunks: V8 collects the chunks' Buffers only once its
 * external memory passes a fixed limit (tens of MiB, whatever the dump), and the test is about
 * the native side.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeBinding } from '../src/native.js';
import { tempDir } from './helpers.js';

const coreDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const native = createRequire(path.join(coreDir, 'package.json'))('@strata/native') as NativeBinding;
const SUBJECTS = 400_000;
const tmp = tempDir();
const store = path.join(tmp.dir, 'p1');

beforeAll(async () => {
  const s = new native.PostingStore(store, { group: 1, create: true });
  await s.alter(1n, {
    predicates: [
      { predicate: 'name', valueType: 'string' },
      { predicate: 'friend', valueType: 'uid', list: true },
    ],
  });
  let ts = 2n;
  for (let start = 1; start <= SUBJECTS; start += 20_000) {
    const edges = [];
    for (let u = start; u < start + 20_000; u++) {
      const text = `person ${u} of the export memory test, with a longer name to fill the line`;
      edges.push({
        op: 'set' as const,
        subject: BigInt(u),
        predicate: 'name',
        value: Buffer.from(text),
        valType: 9,
      });
      edges.push({
        op: 'set' as const,
        subject: BigInt(u),
        predicate: 'friend',
        objectUid: BigInt(((u * 7919) % SUBJECTS) + 1),
      });
    }
    await s.applyMutations(ts++, edges);
  }
  s.close();
}, 120_000);
afterAll(() => tmp.cleanup());

const CHILD = `
import { createRequire } from 'node:module';
import { writeFileSync, openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
const [mode, store, out, coreDir] = process.argv.slice(1);
const native = createRequire(coreDir + '/package.json')('@strata/native');
const tick = () => new Promise((r) => setTimeout(r, 50));
await tick();
process.stdout.write('ready\\n');
await tick();
if (mode === 'buffered') {
  const r = await native.exportRdf([store]);
  writeFileSync(out, r.data);
} else {
  mkdirSync(out + '.d');
  const s = native.exportRdfStream([store], { runBytes: 1 << 20, tmpDir: out + '.d' });
  const fd = openSync(out, 'w');
  let n = 0;
  for (let c = await s.next(); c !== null; c = await s.next()) {
    writeSync(fd, c);
    if (++n % 4 === 0) gc();
  }
  closeSync(fd);
}
await tick();
`;

function rssAnonKiB(pid: number): number {
  try {
    const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs the child; returns its RssAnon when ready (before exporting) and its peak, in MiB. */
async function measure(mode: string, out: string): Promise<{ base: number; peak: number }> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', CHILD, mode, store, out, coreDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let base = -1;
  let peak = 0;
  child.stdout.on('data', () => {
    if (base < 0) base = rssAnonKiB(child.pid!);
  });
  const timer = setInterval(() => {
    peak = Math.max(peak, rssAnonKiB(child.pid!));
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  expect(code).toBe(0);
  return { base: base / 1024, peak: peak / 1024 };
}

describe('export memory', () => {
  it('streams a dump many times the run buffer in bounded memory, byte-identical to the buffered one', async () => {
    const buffered = await measure('buffered', path.join(tmp.dir, 'buffered.rdf'));
    const streamed = await measure('streamed', path.join(tmp.dir, 'streamed.rdf'));
    const dumpMiB = statSync(path.join(tmp.dir, 'buffered.rdf')).size / 2 ** 20;
    expect(dumpMiB).toBeGreaterThan(40);
    const same = readFileSync(path.join(tmp.dir, 'streamed.rdf')).equals(
      readFileSync(path.join(tmp.dir, 'buffered.rdf')),
    );
    expect(same, 'streamed.rdf differs from buffered.rdf').toBe(true);
    expect(readdirSync(path.join(tmp.dir, 'streamed.rdf.d'))).toEqual([]);
    const grewBuffered = buffered.peak - buffered.base;
    const grewStreamed = streamed.peak - streamed.base;
    console.log(
      `dump ${dumpMiB.toFixed(1)} MiB; RssAnon growth buffered ${grewBuffered.toFixed(1)} MiB, streamed ${grewStreamed.toFixed(1)} MiB`,
    );
    // the buffered export holds the dump (lines, then the file) at least once
    expect(grewBuffered).toBeGreaterThan(dumpMiB);
    // the stream holds the 1 MiB run buffer, read buffers, a chunk and allocator slack: about
    // 12-16 MiB whatever the dump (19 MiB in all for a 250 MiB dump), far below the dump
    expect(grewStreamed, `streamed grew ${grewStreamed} MiB for a ${dumpMiB} MiB dump`).toBeLessThan(
      Math.min(dumpMiB, grewBuffered) / 2,
    );
  }, 120_000);
});
