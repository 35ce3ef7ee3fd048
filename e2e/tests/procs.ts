/** Real processes for e2e tests: free ports, the built `strata` CLI as a child process, HTTP helpers. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { strataBin } from './paths.js';

export interface Proc {
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

/** Processes still running (each test file has its own module instance). */
export const procs = new Set<Proc>();
/** Everything every process and command printed (for checks that no secret is ever logged). */
export const output: string[] = [];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Starts `strata ARGS` in the background (log level `error` unless given). */
export function start(args: string[], opts: { env?: Record<string, string>; logLevel?: string } = {}): Proc {
  const child = spawn(process.execPath, [strataBin, ...args], {
    env: { ...process.env, STRATA_LOG_LEVEL: opts.logLevel ?? 'error', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const keep = (d: Buffer) => {
    out.push(d.toString());
    output.push(d.toString());
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const p: Proc = {
    child,
    out,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  procs.add(p);
  void p.exited.then(() => procs.delete(p));
  return p;
}

/** Runs `strata ARGS` to the end. */
export function run(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [strataBin, ...args], { maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
      output.push(stdout, stderr);
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export async function waitHealthy(url: string, proc: Proc, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.child.exitCode !== null) throw new Error(`exited ${proc.child.exitCode}: ${proc.out.join('')}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not healthy after ${ms} ms: ${proc.out.join('')}`);
}

export async function post(url: string, body: string, type = 'text/plain') {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> & { message?: string } };
}

/** Kills every process still running and waits for them. */
export async function killAll(): Promise<void> {
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all([...procs].map((p) => p.exited));
}
