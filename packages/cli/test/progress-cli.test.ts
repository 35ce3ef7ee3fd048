/**
 * Progress of the long commands as real processes: `--json` prints one event per line (each
 * phase's start and end, then a summary holding the result), piped output carries no bar and no
 * escape code, and on a terminal (a pty made by `script`) the bar is drawn on stderr.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DGRAPH, jsonEvents, jsonSummary, PKG_DIR, strata, type Run } from './helpers.js';

const LOC = path.join(DGRAPH, 'v20.11-series-2groups');
const MAIN = path.join(PKG_DIR, 'dist/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-progress-'));
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGTERM');
    await exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** Start, progress and end events (phase by phase), then the summary: a well-formed event stream. */
function phasesOf(stdout: string): string[] {
  const events = jsonEvents(stdout);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) expect(['start', 'progress', 'end', 'summary']).toContain(e.event);
  expect(events.filter((e) => e.event === 'summary')).toHaveLength(1);
  expect(events[events.length - 1]!.event).toBe('summary');
  return events.filter((e) => e.event === 'start' || e.event === 'end').map((e) => `${e.event} ${e.phase}`);
}

const event = (stdout: string, kind: string, phase: string) =>
  jsonEvents(stdout).find((e) => e.event === kind && e.phase === phase)!;

/** Piped, without --json: stderr empty, no carriage return or escape code anywhere. */
function expectPlain(r: Run): void {
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).not.toContain('\x1b');
  expect(r.stdout).not.toContain('\r');
}

/** The sizes of the files `verify` read, from its report (the chain a restore loads too). */
function chainBytes(summary: Record<string, unknown>): { bytes: number; files: number } {
  const files = (summary.backups as { files: { bytes: number }[] }[]).flatMap((b) => b.files);
  return { bytes: files.reduce((n, f) => n + f.bytes, 0), files: files.length };
}

describe('verify, restore and export -p', () => {
  let chain: { bytes: number; files: number };
  const pdir = path.join(tmp, 'restored');

  it('verify --json: the verify phase with the bytes of every file, then the report as summary', async () => {
    const r = await strata('verify', LOC, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(phasesOf(r.stdout)).toEqual(['start verify', 'end verify']);
    const summary = jsonSummary(r.stdout);
    expect(summary).toMatchObject({ event: 'summary', command: 'verify', ok: true, location: LOC });
    chain = chainBytes(summary);
    expect(chain.files).toBe(12);
    expect(event(r.stdout, 'start', 'verify')).toMatchObject({ bytesTotal: chain.bytes, itemsTotal: 12 });
    expect(event(r.stdout, 'end', 'verify')).toMatchObject({
      ok: true,
      bytesDone: chain.bytes,
      bytesTotal: chain.bytes,
      items: 12,
    });
    expect(typeof summary.seconds).toBe('number');
  });

  it('verify piped: the report only', async () => {
    const r = await strata('verify', LOC);
    expectPlain(r);
    expect(r.stdout).toMatch(/^OK +#6 /m);
  });

  it('verify --json of a broken series: the summary says ok false (exit 1)', async () => {
    const r = await strata('verify', LOC, '--backup_num', '9', '--json');
    expect(r.code).toBe(1);
    expect(jsonSummary(r.stdout)).toMatchObject({ command: 'verify', ok: false });
  });

  it('restore --json: check, then load file by file with the chain’s bytes, then the result', async () => {
    const r = await strata('restore', '-l', LOC, '-p', pdir, '--force_zero=false', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(phasesOf(r.stdout)).toEqual(['start check', 'end check', 'start load', 'end load']);
    expect(event(r.stdout, 'start', 'load')).toMatchObject({
      bytesTotal: chain.bytes,
      itemsTotal: chain.files,
    });
    expect(event(r.stdout, 'end', 'load')).toMatchObject({
      ok: true,
      bytesDone: chain.bytes,
      items: chain.files,
    });
    expect(jsonSummary(r.stdout)).toMatchObject({
      command: 'restore',
      ok: true,
      backupId: 'wizardly_blackburn2',
      backupNums: [1, 2, 3, 4, 5, 6],
      zero: null,
      leasesApplied: false,
    });
  });

  it('restore --json that fails: the phase ends with the error, the summary says ok false', async () => {
    const r = await strata('restore', '-l', LOC, '-p', pdir, '--force_zero=false', '--json');
    expect(r.code).toBe(1);
    expect(event(r.stdout, 'end', 'check')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not empty/),
    });
    expect(jsonSummary(r.stdout)).toMatchObject({ ok: false, error: expect.stringMatching(/not empty/) });
    expect(r.stderr).toMatch(/^strata: error: .*not empty/);
  });

  it('restore piped: the report only', async () => {
    const r = await strata('restore', '-l', LOC, '-p', path.join(tmp, 'restored2'), '--force_zero=false');
    expectPlain(r);
    expect(r.stdout).toMatch(/^restored series wizardly_blackburn2/);
  });

  it('export -p --json: bytes of data.rdf and its facts, then the result', async () => {
    const out = path.join(tmp, 'dump');
    const r = await strata('export', '-p', pdir, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(phasesOf(r.stdout)).toEqual(['start export', 'end export']);
    const summary = jsonSummary(r.stdout);
    expect(summary).toMatchObject({ command: 'export', ok: true, postings: pdir });
    const data = readFileSync(path.join(out, 'data.rdf'));
    expect(summary.facts).toBe(data.toString().split('\n').length - 1);
    const end = event(r.stdout, 'end', 'export');
    expect(end).toMatchObject({ ok: true, bytesDone: data.length, items: summary.facts });
    expect(end.bytesTotal).toBeUndefined();
  });

  it('export -p piped: the line it always printed', async () => {
    const r = await strata('export', '-p', pdir, '--out', path.join(tmp, 'dump2'));
    expectPlain(r);
    expect(r.stdout).toMatch(/^exported \d+ facts? from 2 stores to /);
  });

  const hasScript = existsSync('/usr/bin/script');
  it.skipIf(!hasScript)(
    'on a terminal (a pty as stderr): the bar, erased at the end; stdout still plain',
    async () => {
      const log = path.join(tmp, 'pty.log');
      const report = path.join(tmp, 'report.txt');
      // stdout to a file, stderr to the pty `script` makes.
      const cmd = `${process.execPath} ${MAIN} restore -l ${LOC} -p ${path.join(tmp, 'restored3')} --force_zero=false > ${report}`;
      await new Promise<void>((resolve, reject) =>
        execFile('script', ['-qec', cmd, log], (err) => (err ? reject(err) : resolve())),
      );
      const CLEAR = '\r\x1b[K';
      const frames = readFileSync(log, 'utf8').split(CLEAR);
      expect(frames).toContain('check  0s');
      const load = frames.filter((f) => f.startsWith('load  '));
      expect(load[0]).toMatch(/^load {2}\[-{20}\] {2}0% {2}0 B \/ \d\.\d KiB {2}0s {2}0\/12 files$/);
      expect(frames.join('')).not.toContain('restored series');
      const text = readFileSync(report, 'utf8');
      expect(text).toMatch(/^restored series wizardly_blackburn2/);
      expect(text).not.toContain('\x1b');
      expect(text).not.toContain('\r');
    },
  );
});

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('load and export --alpha (a strata start cluster)', () => {
  let alpha = '';
  const rdf = path.join(tmp, 'people.rdf.gz');
  const schema = path.join(tmp, 'people.schema');
  const N = 3000;

  beforeAll(async () => {
    const lines: string[] = [];
    for (let i = 0; i < N / 2; i++)
      lines.push(`_:p${i} <name> "person ${i}" .`, `_:p${i} <age> "${i % 90}" .`);
    writeFileSync(rdf, gzipSync(lines.join('\n') + '\n'));
    writeFileSync(schema, 'name: string @index(exact) .\nage: int .\n');
    let offset = 0;
    do offset = 1000 + Math.floor(Math.random() * 40_000);
    while (!((await bindable(6080 + offset)) && (await bindable(8080 + offset))));
    const child = spawn(
      process.execPath,
      [MAIN, 'start', '--data', path.join(tmp, 'cluster'), '--port_offset', String(offset)],
      { env: { ...process.env, STRATA_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`strata start did not come up:\n${out}`)), 60_000);
      const seen = (b: Buffer) => {
        out += b.toString();
        if (/Stop with Ctrl-C/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', seen);
      child.stderr!.on('data', seen);
      child.once('exit', (code) => reject(new Error(`strata start exited with ${code}:\n${out}`)));
    });
    alpha = `127.0.0.1:${8080 + offset}`;
  }, 90_000);

  it('load --json: schema, then load with the file’s (compressed) bytes and the N-Quads, then the totals', async () => {
    const r = await strata('load', rdf, '--schema', schema, '--alpha', alpha, '--batch', '500', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(phasesOf(r.stdout)).toEqual(['start schema', 'end schema', 'start load', 'end load']);
    const size = statSync(rdf).size;
    expect(event(r.stdout, 'start', 'load')).toMatchObject({ bytesTotal: size });
    expect(event(r.stdout, 'end', 'load')).toMatchObject({
      ok: true,
      bytesDone: size,
      bytesTotal: size,
      items: N,
    });
    expect(jsonSummary(r.stdout)).toMatchObject({
      command: 'load',
      ok: true,
      quads: N,
      nodes: N / 2,
      batches: N / 500,
      bytesRead: size,
      bytesTotal: size,
    });
  });

  it('load piped: the totals line only', async () => {
    const r = await strata('load', rdf, '--alpha', alpha, '--limit', '1000');
    expectPlain(r);
    expect(r.stdout).toMatch(/^loaded 1,000 N-Quads \(500 nodes\) in 1 batches, /);
  });

  it('export --alpha --json: bytes and facts of the dump, then the result', async () => {
    const out = path.join(tmp, 'alpha-dump');
    const r = await strata('export', '--alpha', alpha, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(phasesOf(r.stdout)).toEqual(['start export', 'end export']);
    const summary = jsonSummary(r.stdout);
    // The two loads: 3000 facts, then 1000 more on new nodes.
    expect(summary).toMatchObject({ command: 'export', ok: true, alpha, facts: N + 1000, groups: [1] });
    const data = readFileSync(path.join(out, 'data.rdf'));
    expect(event(r.stdout, 'end', 'export')).toMatchObject({ bytesDone: data.length, items: N + 1000 });
  });

  it('export --alpha piped: the line it always printed', async () => {
    const r = await strata('export', '--alpha', alpha, '--out', path.join(tmp, 'alpha-dump2'));
    expectPlain(r);
    expect(r.stdout).toMatch(/^exported 4,000 facts from 1 group at readTs \d+ to /);
  });
});
