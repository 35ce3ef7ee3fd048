/**
 * Real etcd members for the tests of Zero's etcd-backed state: each in its own temp folder, on
 * free loopback ports, stopped (SIGKILL) after the test file. Needs /usr/bin/etcd (Debian's
 * etcd-server; `bash scripts/setup/etcd.sh` installs it, as `pnpm test`'s setup stage does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../src/http/free-port.js';

export const ETCD_BIN = process.env.STRATA_ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  /** `127.0.0.1:port`, as `--etcd` takes it. */
  endpoint: string;
  proc: ChildProcess;
  dir: string;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  /** Kills every member and removes their folders. */
  stop(): Promise<void>;
}

async function healthy(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(`${url}/health`);
      const body = (await r.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`etcd at ${url} did not become healthy`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts an etcd cluster of `size` members (1 or 3) and waits until every member is healthy. */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`${ETCD_BIN} is missing: run bash scripts/setup/etcd.sh (Debian's etcd-server)`);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'strata-etcd-'));
  const specs: { name: string; client: number; peer: number }[] = [];
  for (let i = 0; i < size; i++)
    specs.push({ name: `m${i + 1}`, client: await freePort('127.0.0.1'), peer: await freePort('127.0.0.1') });
  const initial = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const members: EtcdMember[] = specs.map((s) => {
    const dir = path.join(root, s.name);
    const clientUrl = `http://127.0.0.1:${s.client}`;
    const proc = spawn(
      ETCD_BIN,
      [
        `--name=${s.name}`,
        `--data-dir=${dir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${s.peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.peer}`,
        `--initial-cluster=${initial}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=strata-test',
        // Fast elections on loopback (defaults: 100 ms heartbeat, 1 s election).
        '--heartbeat-interval=50',
        '--election-timeout=500',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc.stderr?.resume();
    return { name: s.name, clientUrl, endpoint: `127.0.0.1:${s.client}`, proc, dir };
  });
  const deadline = Date.now() + 20_000;
  const stop = async () => {
    for (const m of members) {
      if (m.proc.exitCode === null && m.proc.signalCode === null) {
        const exited = new Promise((r) => m.proc.once('exit', r));
        m.proc.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(members.map((m) => healthy(m.clientUrl, deadline)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { members, endpoints: members.map((m) => m.endpoint), stop };
}
