/**
 * A Strata cluster on etcd as real processes, for the e2e failover test and the scale bench:
 * `count` Zeros started with `--etcd` (sharing one etcd prefix), then one Alpha per group, each
 * given every Zero (`--zero a,b,c`). Zeros can be killed and started again on their port.
 */
import path from 'node:path';
import { alphaArgs, freePort, post, secretFile, start, waitHealthy, type Proc } from './procs.js';

export interface EtcdClusterOptions {
  /** The etcd members' `host:port`s. */
  endpoints: string[];
  /** This cluster's etcd key prefix (one per cluster sharing an etcd). */
  prefix: string;
  groups: number;
  /** Folder for the Zeros' data folders and the Alphas' stores. */
  dir: string;
  token: string;
  /** Number of Zeros (default 3). */
  zeros?: number;
  /** The Alphas' environment (default this process's). */
  alphaEnv?: NodeJS.ProcessEnv;
  /** More flags for every Alpha (e.g. `--restore_dirs`). */
  alphaFlags?: string[];
}

export class StrataOnEtcd {
  readonly zeros: { port: number; proc?: Proc }[] = [];
  readonly alphas: { port: number; group: number; proc?: Proc }[] = [];

  private constructor(readonly opts: EtcdClusterOptions) {}

  static async start(opts: EtcdClusterOptions): Promise<StrataOnEtcd> {
    const c = new StrataOnEtcd(opts);
    for (let i = 0; i < (opts.zeros ?? 3); i++) c.zeros.push({ port: await freePort() });
    for (let i = 0; i < c.zeros.length; i++) c.startZero(i);
    for (let i = 0; i < c.zeros.length; i++) await waitHealthy(c.zeroUrl(i), c.zeros[i]!.proc!, 60_000);
    const zeroList = c.zeros.map((_, i) => c.zeroAddr(i)).join(',');
    for (let g = 1; g <= opts.groups; g++) {
      const port = await freePort();
      const args = alphaArgs({
        group: g,
        zeroPort: 0,
        dir: path.join(opts.dir, `p${g}`),
        port,
        token: opts.token,
      });
      args[args.indexOf('--zero') + 1] = zeroList;
      args.push(...(opts.alphaFlags ?? []));
      c.alphas.push({ port, group: g, proc: start(args, opts.alphaEnv ? { env: opts.alphaEnv } : {}) });
    }
    for (let i = 0; i < opts.groups; i++) await waitHealthy(c.alphaUrl(i), c.alphas[i]!.proc!, 60_000);
    return c;
  }

  zeroAddr(i: number): string {
    return `127.0.0.1:${this.zeros[i]!.port}`;
  }

  zeroUrl(i: number): string {
    return `http://${this.zeroAddr(i)}`;
  }

  alphaAddr(i = 0): string {
    return `127.0.0.1:${this.alphas[i]!.port}`;
  }

  alphaUrl(i = 0): string {
    return `http://${this.alphaAddr(i)}`;
  }

  /** (Re)starts Zero `i` on its port; wait with {@link waitZero}. */
  startZero(i: number): Proc {
    const z = this.zeros[i]!;
    z.proc = start([
      'zero',
      '--etcd',
      this.opts.endpoints.join(','),
      '--etcd_prefix',
      this.opts.prefix,
      '--port',
      String(z.port),
      '--host',
      '127.0.0.1',
      '--data',
      path.join(this.opts.dir, `zw${i + 1}`),
      '--groups',
      String(this.opts.groups),
      '--token_file',
      secretFile(this.opts.token),
    ]);
    return z.proc;
  }

  waitZero(i: number): Promise<void> {
    return waitHealthy(this.zeroUrl(i), this.zeros[i]!.proc!);
  }

  /** Whether Zero `i` runs (not killed; a paused one counts as running). */
  zeroRunning(i: number): boolean {
    const c = this.zeros[i]?.proc?.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  async alter(schema: string): Promise<void> {
    const r = await post(`${this.alphaUrl(0)}/alter`, schema);
    if (r.status !== 200) throw new Error(`alter: ${JSON.stringify(r.json)}`);
  }

  /** Stops every process of this cluster (SIGKILL) and waits for them. */
  async stop(): Promise<void> {
    const all = [...this.alphas, ...this.zeros].map((p) => p.proc).filter((p): p is Proc => p !== undefined);
    for (const p of all) p.child.kill('SIGKILL');
    await Promise.all(all.map((p) => p.exited));
  }
}
