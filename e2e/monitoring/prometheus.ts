/**
 * A real Prometheus for the monitoring test: Debian's `prometheus` package (scripts/setup/prometheus.sh)
 * started on a free loopback port with its own config and storage in a temp folder, and its HTTP API.
 * STRATA_PROMETHEUS / STRATA_PROMTOOL name other binaries.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PROMETHEUS = process.env.STRATA_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.STRATA_PROMTOOL ?? '/usr/bin/promtool';

/** Throws (never skips) when a binary is missing: the setup stage installs them. */
export function requireBinaries(): void {
  for (const bin of [PROMETHEUS, PROMTOOL]) {
    if (!existsSync(bin))
      throw new Error(`${bin} not found: run scripts/setup/prometheus.sh (Debian's prometheus package)`);
  }
}

/** Runs `promtool ARGS` in `cwd`; resolves to its exit code and output. */
export function promtool(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/** One series of an instant (`value`) or range (`values`) answer. */
export interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface ScrapeJob {
  job: string;
  targets: string[];
  /** A file whose content Prometheus sends as `Authorization: Bearer <content>`. */
  credentialsFile?: string;
}

/** A Prometheus process: `start` writes its config (1 s scrapes and rule evaluations) and waits until ready. */
export class Prometheus {
  port = 0;
  child?: ChildProcess;
  log = '';

  constructor(
    /** Its folder: prometheus.yml, the rule files, data/. */
    readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Writes `prometheus.yml` (jobs, and `ruleFiles` relative to `dir`) and starts Prometheus on `port`. */
  async start(port: number, jobs: ScrapeJob[], ruleFiles: string[]): Promise<void> {
    this.port = port;
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
      'scrape_configs:',
      ...jobs.flatMap((j) => [
        `  - job_name: ${JSON.stringify(j.job)}`,
        '    static_configs:',
        `      - targets: ${JSON.stringify(j.targets)}`,
        ...(j.credentialsFile === undefined
          ? []
          : [
              '    authorization:',
              '      type: Bearer',
              `      credentials_file: ${JSON.stringify(j.credentialsFile)}`,
            ]),
      ]),
      '',
    ].join('\n');
    const file = path.join(this.dir, 'prometheus.yml');
    writeFileSync(file, config);
    const check = await promtool(['check', 'config', file]);
    if (check.code !== 0) throw new Error(`promtool check config:\n${check.out}`);
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${file}`,
        `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const keep = (d: Buffer) => (this.log += d.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const end = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${this.log}`);
      const r = await fetch(`${this.url}/-/ready`).catch(() => undefined);
      if (r?.ok) return;
      if (Date.now() > end) throw new Error(`prometheus not ready after 30 s:\n${this.log}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  private async api<T>(pathAndQuery: string): Promise<T> {
    const r = await fetch(`${this.url}${pathAndQuery}`);
    const body = (await r.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? r.status}`);
    return body.data;
  }

  /** An instant query at now. */
  async query(expr: string): Promise<Series[]> {
    const d = await this.api<{ result: Series[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
    return d.result;
  }

  /** A range query from `start` to `end` (unix seconds), one point every `step` seconds. */
  async queryRange(expr: string, start: number, end: number, step: number): Promise<Series[]> {
    const q = new URLSearchParams({
      query: expr,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    const d = await this.api<{ result: Series[] }>(`/api/v1/query_range?${q.toString()}`);
    return d.result;
  }

  async alerts(): Promise<Alert[]> {
    return (await this.api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
  }

  async targets(): Promise<Target[]> {
    return (await this.api<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((res) => c.once('exit', res));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a value (not undefined); throws with `what` after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`${what}: not after ${ms / 1000} s${last ? ` (${String(last)})` : ''}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}
