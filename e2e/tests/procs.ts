/** Real processes for e2e tests: free ports, the built `strata` CLI as a child process, HTTP helpers. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { portFree } from './dgraph-peer.js';
import { strataBin } from './paths.js';

let secretDir: string | undefined;
let secretCount = 0;

/**
 * `STRATA_E2E_AUDIT_DIR` (set by `pnpm test`'s e2e stage): every secret a test hands a process is
 * noted in `secrets.jsonl` there, and every process's output is kept in `logs/`, so that
 * scripts/check-log-secrets.mjs can prove that no secret of the whole run reached a log.
 */
const AUDIT = process.env.STRATA_E2E_AUDIT_DIR;
let auditLogs = 0;

/** Notes secrets for the log audit (values under 6 characters are too common to look for). */
export function noteSecret(...values: string[]): void {
  if (!AUDIT) return;
  const lines = values.filter((v) => v.length >= 6).map((v) => `${JSON.stringify(v)}\n`);
  if (lines.length > 0) appendFileSync(path.join(AUDIT, 'secrets.jsonl'), lines.join(''));
}

/** The values of an environment's tokens, secrets and passwords, noted for the audit. */
function noteEnvSecrets(env: NodeJS.ProcessEnv | undefined): void {
  if (!AUDIT || !env) return;
  for (const [k, v] of Object.entries(env)) {
    if (v && /TOKEN|SECRET|PASSWORD/i.test(k)) noteSecret(v);
  }
}

/** A new file in the audit's `logs/` that `write` appends a process's output to. */
function auditLog(what: string): (chunk: string) => void {
  if (!AUDIT) return () => undefined;
  const dir = path.join(AUDIT, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${++auditLogs}-${what.replace(/[^a-z0-9-]/gi, '_')}.log`);
  return (chunk) => appendFileSync(file, chunk);
}

/**
 * `value` in a new mode-600 file, for the flags that take a secret as a file (`--token_file`,
 * `--secret_key_file`): secrets never go on a command line. The files go when the process exits,
 * or at the latest with the run.
 */
export function secretFile(value: string): string {
  if (secretDir === undefined) {
    // Under the run's folder (secrets/global-setup.ts), which teardown removes.
    const root = process.env.STRATA_E2E_PRIVATE_FILES ?? tmpdir();
    const dir = mkdtempSync(path.join(root, 'strata-e2e-secrets-'));
    secretDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const file = path.join(secretDir, `secret-${++secretCount}`);
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  noteSecret(value);
  return file;
}

export interface Proc {
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

/** Processes still running (each test file has its own module instance). */
export const procs = new Set<Proc>();
/** Everything every process and command printed (for checks that no secret is ever logged). */
export const output: string[] = [];

/** Ports `freePort` handed out in this process. */
const handedOut = new Set<number>();

/**
 * A free loopback port for a process a test starts, taken at random below Linux's ephemeral range
 * (32768 and up). A port the kernel handed out from that range and was closed again can become the
 * local port of any outgoing connection before the process binds it: the EADDRINUSE that failed a
 * cluster's start in CI. Checked by binding it; never handed out twice by this process.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (handedOut.has(port) || !(await portFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free loopback port in 10000-31999');
}

/**
 * Starts `strata ARGS` in the background, with `env` (default: this process's environment) and
 * the log level `logLevel` (default `info`: every backup and restore phase is logged, and the
 * audit checks those lines too).
 */
export function start(args: string[], opts: { env?: NodeJS.ProcessEnv; logLevel?: string } = {}): Proc {
  noteEnvSecrets(opts.env ?? process.env);
  const child = spawn(process.execPath, [strataBin, ...args], {
    env: { ...(opts.env ?? process.env), STRATA_LOG_LEVEL: opts.logLevel ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const audit = auditLog(args[0] ?? 'strata');
  const keep = (d: Buffer) => {
    out.push(d.toString());
    output.push(d.toString());
    audit(d.toString());
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

/** `strata alpha` for `group` on 127.0.0.1:`port`, its store in `dir`, Zero at 127.0.0.1:`zeroPort`. */
export function alphaArgs(a: {
  group: number;
  zeroPort: number;
  dir: string;
  port: number;
  token: string;
}): string[] {
  return [
    'alpha',
    '--group',
    String(a.group),
    '--zero',
    `127.0.0.1:${a.zeroPort}`,
    '-p',
    a.dir,
    '--port',
    String(a.port),
    '--host',
    '127.0.0.1',
    '--token_file',
    secretFile(a.token),
  ];
}

/** `strata restore` of backups 1..backupNum of a series into `pdir`, offline (no Zero). */
export function restoreArgs(
  location: string,
  pdir: string,
  p: { backupId: string; backupNum: number },
): string[] {
  return [
    'restore',
    '-l',
    location,
    '-p',
    pdir,
    '--backup_id',
    p.backupId,
    '--backup_num',
    String(p.backupNum),
    '--force_zero=false',
  ];
}

/** Runs `strata ARGS` to the end. */
export function run(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  noteEnvSecrets(env);
  return new Promise((resolve) => {
    execFile(process.execPath, [strataBin, ...args], { maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
      output.push(stdout, stderr);
      auditLog(args[0] ?? 'strata')(stdout + stderr);
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Waits until `url` answers 2xx; fails early when `proc` (the process serving it) exits. */
export async function waitUrl(url: string, proc?: Proc, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc && proc.child.exitCode !== null)
      throw new Error(`exited ${proc.child.exitCode}: ${proc.out.join('')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not healthy after ${ms} ms: ${proc?.out.join('') ?? ''}`);
}

/** Waits until a Strata server at `base` answers `/health`. */
export function waitHealthy(base: string, proc: Proc, ms?: number): Promise<void> {
  return waitUrl(`${base}/health`, proc, ms);
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
