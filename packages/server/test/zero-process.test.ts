/**
 * Zero as a real process (the built CLI, `strata zero`): timestamps and uids never go backwards
 * across a kill -9 and a restart on the same data folder; SIGTERM shuts down cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '../../cli/dist/main.js');
const TOKEN = 'process-test-token';
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-zero-proc-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startZero(dataDir: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [MAIN, 'zero', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--groups', '2'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRATA_DEBUG: '', STRATA_CLUSTER_TOKEN: TOKEN },
    },
  );
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`zero did not start:\n${out}`)), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`zero exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function assign(url: string, what: 'uids' | 'timestamps', num: number): Promise<[bigint, bigint]> {
  const r = await fetch(`${url}/assign?what=${what}&num=${num}`);
  expect(r.status).toBe(200);
  const j = (await r.json()) as { startId: string; endId: string };
  return [BigInt(j.startId), BigInt(j.endId)];
}

describe('strata zero (real process)', () => {
  it('never hands out a timestamp or uid twice across kill -9 and restart', async () => {
    const dataDir = path.join(tmp, 'zw');
    let maxTs = 0n;
    let maxUid = 0n;
    for (let round = 0; round < 3; round++) {
      const z = await startZero(dataDir);
      // What this incarnation hands out must be above everything handed out before.
      const [ts0] = await assign(z.url, 'timestamps', 1);
      const [uid0] = await assign(z.url, 'uids', 1);
      expect(ts0).toBeGreaterThan(maxTs);
      expect(uid0).toBeGreaterThan(maxUid);
      maxTs = ts0;
      maxUid = uid0;
      // Enough to cross a lease block (10,000) now and then.
      for (let i = 0; i < 20; i++) {
        const [, te] = await assign(z.url, 'timestamps', 1 + i * 97);
        const [us, ue] = await assign(z.url, 'uids', 500 + i);
        expect(us).toBeGreaterThan(maxUid);
        maxTs = te > maxTs ? te : maxTs;
        maxUid = ue;
      }
      const t = await fetch(`${z.url}/internal/tablet`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-strata-token': TOKEN },
        body: JSON.stringify({ predicate: `p${round}` }),
      });
      expect(t.status).toBe(200);
      z.child.kill('SIGKILL');
      expect((await exited(z.child)).signal).toBe('SIGKILL');
    }
    const z = await startZero(dataDir);
    const state = (await (await fetch(`${z.url}/state`)).json()) as {
      maxUID: string;
      maxTxnTs: string;
      groups: Record<string, { tablets: Record<string, unknown> }>;
    };
    expect(BigInt(state.maxUID)).toBeGreaterThanOrEqual(maxUid);
    expect(BigInt(state.maxTxnTs)).toBeGreaterThanOrEqual(maxTs);
    const tablets = Object.values(state.groups)
      .flatMap((g) => Object.keys(g.tablets))
      .sort();
    expect(tablets).toEqual(['p0', 'p1', 'p2']);
    const [ts] = await assign(z.url, 'timestamps', 1);
    const [uid] = await assign(z.url, 'uids', 1);
    expect(ts).toBeGreaterThan(maxTs);
    expect(uid).toBeGreaterThan(maxUid);

    // A clean stop on SIGTERM.
    z.child.kill('SIGTERM');
    const end = await exited(z.child);
    expect(end.code).toBe(0);
    expect(z.output()).toContain('SIGTERM: shutting down');
  });

  it('refuses a second Zero on the same data folder', async () => {
    const dataDir = path.join(tmp, 'locked');
    const z = await startZero(dataDir);
    await expect(startZero(dataDir)).rejects.toThrow(/is in use by another Zero/);
    z.child.kill('SIGINT');
    expect((await exited(z.child)).code).toBe(0);
  });
});
