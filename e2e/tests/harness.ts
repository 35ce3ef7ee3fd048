/** A Strata cluster of real processes for e2e tests: Zero plus one Alpha per group, via the built CLI. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { alphaArgs, freePort, post, run, secretFile, start, waitHealthy, type Proc } from './procs.js';

export const TOKEN = 'e2e-cluster-token-0123456789';

export interface Dump {
  data: string;
  schema: string;
}

/** The `data.rdf` and `schema.txt` of an export folder. */
export function readDump(dir: string): Dump {
  return {
    data: readFileSync(path.join(dir, 'data.rdf'), 'utf8'),
    schema: readFileSync(path.join(dir, 'schema.txt'), 'utf8'),
  };
}

export interface Alpha {
  group: number;
  port: number;
  dir: string;
  proc?: Proc;
}

export class TestCluster {
  zeroPort = 0;
  zero?: Proc;
  alphas: Alpha[] = [];
  /** Data folders and exports go below `tmp`, named after `name`. */
  constructor(
    readonly tmp: string,
    readonly name: string,
    readonly groups: number,
    readonly alphaArgs: string[] = [],
    readonly logLevel = 'info',
    /** The Alphas' environment (default: this process's). */
    readonly alphaEnv?: NodeJS.ProcessEnv,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.alphas[0]!.port}`;
  }
  addr(i = 0): string {
    return `127.0.0.1:${this.alphas[i]!.port}`;
  }
  /** Everything the Alphas printed. */
  get alphaOutput(): string {
    return this.alphas.map((a) => a.proc?.out.join('') ?? '').join('');
  }
  startAlpha(i: number): Proc {
    const a = this.alphas[i]!;
    a.proc = start([...alphaArgs({ ...a, zeroPort: this.zeroPort, token: TOKEN }), ...this.alphaArgs], {
      logLevel: this.logLevel,
      ...(this.alphaEnv ? { env: this.alphaEnv } : {}),
    });
    return a.proc;
  }
  /** The command line of this cluster's Zero (on `zeroPort`, its state under `tmp`). */
  zeroArgs(): string[] {
    return [
      'zero',
      '--port',
      String(this.zeroPort),
      '--host',
      '127.0.0.1',
      '--data',
      path.join(this.tmp, `${this.name}-zw`),
      '--groups',
      String(this.groups),
      '--token_file',
      secretFile(TOKEN),
    ];
  }
  /** (Re)starts Zero on `zeroPort` and its data folder, and waits until it is healthy. */
  async startZero(): Promise<Proc> {
    this.zero = start(this.zeroArgs());
    await waitHealthy(`http://127.0.0.1:${this.zeroPort}`, this.zero);
    return this.zero;
  }
  /** Starts Zero and the Alphas (group g on `dirs[g-1]` when given) and waits until all are healthy. */
  async start(dirs?: string[]): Promise<this> {
    this.zeroPort = await freePort();
    await this.startZero();
    for (let g = 1; g <= this.groups; g++) {
      this.alphas.push({
        group: g,
        port: await freePort(),
        dir: dirs?.[g - 1] ?? path.join(this.tmp, `${this.name}-p${g}`),
      });
    }
    for (let i = 0; i < this.groups; i++) this.startAlpha(i);
    for (let i = 0; i < this.groups; i++)
      await waitHealthy(`http://127.0.0.1:${this.alphas[i]!.port}`, this.alphas[i]!.proc!);
    return this;
  }
  async mutate(rdf: string, i = 0): Promise<{ uids: Record<string, string>; commitTs: bigint }> {
    const r = await post(
      `http://127.0.0.1:${this.alphas[i]!.port}/mutate?commitNow=true`,
      `{ set {\n${rdf}\n} }`,
      'application/rdf',
    );
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json as { errors?: unknown }).errors, JSON.stringify(r.json)).toBeUndefined();
    const j = r.json as {
      data: { uids: Record<string, string> };
      extensions: { txn: { commit_ts: string | number } };
    };
    return { uids: j.data.uids, commitTs: BigInt(j.extensions.txn.commit_ts) };
  }
  async del(rdf: string): Promise<void> {
    const r = await post(`${this.url}/mutate?commitNow=true`, `{ delete {\n${rdf}\n} }`, 'application/rdf');
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json as { errors?: unknown }).errors, JSON.stringify(r.json)).toBeUndefined();
  }
  /** `strata backup` of this cluster to `location` (in `format` when given), expected to succeed. */
  async backupCli(location: string, opts: { format?: string; full?: boolean } = {}): Promise<void> {
    const r = await run([
      'backup',
      '--alpha',
      this.addr(),
      '-d',
      location,
      ...(opts.format ? ['--format', opts.format] : []),
      ...(opts.full ? ['--force_full'] : []),
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
  async alter(body: string): Promise<void> {
    const r = await post(`${this.url}/alter`, body);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json as { errors?: unknown }).errors, JSON.stringify(r.json)).toBeUndefined();
  }
  /** `strata export --alpha` (at `readTs` when given) into `<tmp>/exports/<name>`. */
  async export(name: string, readTs?: bigint | number): Promise<Dump> {
    return readDump(await this.exportTo(name, readTs));
  }
  /** {@link export}, returning the folder (for dumps too large to read as text). */
  async exportTo(name: string, readTs?: bigint | number): Promise<string> {
    const out = path.join(this.tmp, 'exports', name);
    const r = await run([
      'export',
      '--alpha',
      this.addr(),
      '--out',
      out,
      ...(readTs === undefined ? [] : ['--read_ts', String(readTs)]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    return out;
  }
  async gql<T>(
    query: string,
    variables: unknown = {},
  ): Promise<{ data?: T; errors?: { message: string }[] }> {
    const r = await fetch(`${this.url}/admin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await r.json()) as { data?: T; errors?: { message: string }[] };
  }
  async stop(): Promise<void> {
    const ps = [this.zero, ...this.alphas.map((a) => a.proc)].filter((p): p is Proc => !!p);
    for (const p of ps) p.child.kill('SIGKILL');
    await Promise.all(ps.map((p) => p.exited));
  }
}

export const RESTORE = /* GraphQL */ `
  mutation ($input: RestoreInput!) {
    restore(input: $input) {
      code
      message
      restoreId
    }
  }
`;
export const STATUS = /* GraphQL */ `
  query ($id: Int!) {
    restoreStatus(restoreId: $id) {
      status
      errors
    }
  }
`;

/** The `restore` mutation, then `restoreStatus` until OK (throws on ERR or after `timeoutMs`). */
export async function restoreOnline(
  c: TestCluster,
  input: Record<string, unknown>,
  timeoutMs = 60_000,
): Promise<void> {
  const r = await c.gql<{ restore: { code: string; restoreId: number } }>(RESTORE, { input });
  expect(r.errors, JSON.stringify(r)).toBeUndefined();
  expect(r.data!.restore.code).toBe('Success');
  const id = r.data!.restore.restoreId;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await c.gql<{ restoreStatus: { status: string; errors: string[] } }>(STATUS, { id });
    const st = s.data?.restoreStatus;
    if (st?.status === 'OK') return;
    if (st?.status === 'ERR') throw new Error(`restore failed: ${st.errors.join('; ')}`);
    if (Date.now() > end) throw new Error(`restore ${id} still ${st?.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
