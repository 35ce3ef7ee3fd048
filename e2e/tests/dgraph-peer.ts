/**
 * The real Dgraph as a test peer: Zero and Alphas of a Dgraph release as real processes, built once
 * per version by `scripts/setup/dgraph.sh` (the `pnpm test` setup stage) into
 * `$STRATA_CACHE/dgraph/<version>/dgraph`. See ../../shared/peers/README.md for what is known about
 * running it here.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DGRAPH_VERSIONS = ['v24.0.5', 'v25.4.0'] as const;
export type DgraphVersion = (typeof DGRAPH_VERSIONS)[number];

function cacheDir(): string {
  return process.env.STRATA_CACHE ?? path.join(homedir(), '.cache', 'strata');
}

/** The Dgraph binary of `version`; an error naming the setup step when it was not built. */
export function dgraphBinary(version: DgraphVersion): string {
  const bin = path.join(cacheDir(), 'dgraph', version, 'dgraph');
  if (!existsSync(bin))
    throw new Error(
      `Dgraph ${version} is not built at ${bin}: run scripts/setup/dgraph.sh ${version} (pnpm test does)`,
    );
  return bin;
}

/** A Dgraph binary to measure, and the name to print beside its figures. */
export interface DgraphBuild {
  bin: string;
  /** Built with jemalloc, as Dgraph's release builds are. */
  jemalloc: boolean;
  /** "Dgraph v25.4.0 (jemalloc)" or "Dgraph v25.4.0 (no jemalloc)". */
  label: string;
}

/**
 * The Dgraph build a benchmark runs: the jemalloc build of `version` (`scripts/setup/dgraph.sh
 * VERSION jemalloc`, into `$STRATA_CACHE/dgraph/<version>-jemalloc/dgraph`) when it was built,
 * else the plain one of the tests (no jemalloc).
 */
export function dgraphBenchBuild(version: DgraphVersion): DgraphBuild {
  const jem = path.join(cacheDir(), 'dgraph', `${version}-jemalloc`, 'dgraph');
  if (existsSync(jem)) return { bin: jem, jemalloc: true, label: `Dgraph ${version} (jemalloc)` };
  return { bin: dgraphBinary(version), jemalloc: false, label: `Dgraph ${version} (no jemalloc)` };
}

/** Whether a TCP port of the loopback interface is free. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port offset `o` (Dgraph's `-o`) for which 5080+o, 6080+o, 7080+o, 8080+o and 9080+o are free. */
async function freeOffset(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    // 9080 + o must stay a valid port.
    const o = 10_000 + Math.floor(Math.random() * 460) * 100;
    const ports = [5080, 6080, 7080, 8080, 9080].map((p) => p + o);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return o;
  }
  throw new Error('no free port offset for a Dgraph node');
}

interface Node {
  offset: number;
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

export interface DgraphOptions {
  version: DgraphVersion;
  /** The binary to run (a build of `version`); default `dgraphBinary(version)`. */
  bin?: string;
  /** Folder for the nodes' state. */
  dir: string;
  /** Alphas, each its own group (Zero's `--replicas 1`). Default 1. */
  alphas?: number;
  /** Posting folders to start the Alphas on (`p1`, `p2`, ... of an offline restore), in group order. */
  postings?: string[];
  /** Extra Alpha flags. */
  alphaArgs?: string[];
  /** Access control on (`--acl`), signing JWTs with the secret in this file; the cluster logs in as
   * groot (namespace 0, default password) once the Alphas are up. */
  aclSecretFile?: string;
  /** How long a backup, export or online restore may take before it counts as failed; default 90 s
   * (the benchmark's large sizes need more). */
  taskMs?: number;
}

type Json = Record<string, unknown>;

/**
 * Zero's and the Alphas' telemetry off. With Sentry on (v24's default; v25 has it off) each node
 * re-executes itself under mitchellh/panicwrap: the process spawned here is only a wrapper whose
 * child serves, so SIGKILL of the spawned process (stop()) left the serving child running,
 * orphaned, and the spawned pid (alphaPid) was not the server's. Off, the spawned process is the
 * server.
 */
const TELEMETRY_OFF = ['--telemetry', 'sentry=false; reports=false;'];

/** A running Dgraph cluster: one Zero and `alphas` Alphas, each serving its own group. */
export class DgraphCluster {
  private zero?: Node;
  private nodes: Node[] = [];
  /** The access JWT sent as X-Dgraph-AccessToken (ACL clusters, after `login`). */
  accessJwt?: string;
  private constructor(readonly opts: DgraphOptions) {}

  static async start(opts: DgraphOptions): Promise<DgraphCluster> {
    const c = new DgraphCluster(opts);
    try {
      await c.startNodes();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  get bin(): string {
    return this.opts.bin ?? dgraphBinary(this.opts.version);
  }
  /** The HTTP address of Alpha `i`. */
  url(i = 0): string {
    return `http://127.0.0.1:${8080 + this.nodes[i]!.offset}`;
  }
  /** The gRPC address of Alpha `i` (what `dgraph live` talks to). */
  grpc(i = 0): string {
    return `127.0.0.1:${9080 + this.nodes[i]!.offset}`;
  }
  /** Zero's gRPC address. */
  get zeroGrpc(): string {
    return `127.0.0.1:${5080 + this.zero!.offset}`;
  }
  /** The process id of Alpha `i`. */
  alphaPid(i = 0): number {
    return this.nodes[i]!.child.pid!;
  }
  /** The posting folder of Alpha `i`. */
  postings(i = 0): string {
    return this.opts.postings?.[i] ?? path.join(this.opts.dir, `alpha${i + 1}`, 'p');
  }
  get zeroUrl(): string {
    return `http://127.0.0.1:${6080 + this.zero!.offset}`;
  }
  /** Everything the nodes printed (for failure messages). */
  get output(): string {
    return [this.zero, ...this.nodes].map((n) => n?.out.join('') ?? '').join('\n');
  }

  private spawnNode(args: string[], offset: number, cwd: string): Node {
    mkdirSync(cwd, { recursive: true });
    const child = spawn(this.bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const keep = (d: Buffer) => {
      out.push(d.toString());
      if (out.length > 2000) out.splice(0, 1000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return { offset, child, out, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  }

  private async startNodes(): Promise<void> {
    const { dir } = this.opts;
    const zo = await freeOffset();
    this.zero = this.spawnNode(
      [
        'zero',
        '-o',
        String(zo),
        `--my=127.0.0.1:${5080 + zo}`,
        '--replicas',
        '1',
        '--wal',
        'zw',
        '--raft',
        'idx=1',
        ...TELEMETRY_OFF,
      ],
      zo,
      path.join(dir, 'zero'),
    );
    await this.waitFor(async () => (await fetch(`${this.zeroUrl}/health`)).ok, 'Zero health', this.zero);
    const n = this.opts.alphas ?? this.opts.postings?.length ?? 1;
    for (let i = 0; i < n; i++) {
      // One at a time: Zero gives the groups out in the order the Alphas join.
      const o = await freeOffset();
      const adir = path.join(dir, `alpha${i + 1}`);
      mkdirSync(adir, { recursive: true });
      const p = this.opts.postings?.[i] ?? path.join(adir, 'p');
      const node = this.spawnNode(
        [
          'alpha',
          '-o',
          String(o),
          `--my=127.0.0.1:${7080 + o}`,
          `--zero=127.0.0.1:${5080 + zo}`,
          '--security',
          'whitelist=127.0.0.1/32',
          '-p',
          p,
          '-w',
          'w',
          '--tmp',
          't',
          ...TELEMETRY_OFF,
          ...(this.opts.aclSecretFile ? ['--acl', `secret-file=${this.opts.aclSecretFile}`] : []),
          ...(this.opts.alphaArgs ?? []),
        ],
        o,
        adir,
      );
      this.nodes.push(node);
      await this.waitFor(
        async () =>
          this.opts.aclSecretFile
            ? (await this.login('groot', 'password', 0)) !== undefined
            : (await this.rawQuery(i, '{ q(func: uid(0x1)) { uid } }')).data !== undefined,
        `Alpha ${i + 1} ready`,
        node,
      );
    }
    // Each Alpha learns the others' addresses from Zero a moment after they join: until then a
    // query that needs another group fails ("No connection exists"), and so does an export.
    if (n > 1 && !this.opts.aclSecretFile) {
      for (let i = 0; i < n; i++) {
        await this.waitFor(
          async () => {
            const r = await this.rawQuery(i, 'schema {}');
            return r.data !== undefined && !r.errors;
          },
          `Alpha ${i + 1} connected to the other groups`,
          this.nodes[i],
        );
      }
    }
    // Zero applies its trial licence (backups, restores) a moment after it starts; on a busy
    // machine that can come after the Alphas are ready. An Alpha encrypted at rest lists the
    // feature as `encrypted_backup_restore`.
    await this.waitFor(
      async () => {
        const h = (await (await fetch(`${this.url(0)}/health`)).json()) as { ee_features?: string[] }[];
        return h.some((x) => x.ee_features?.some((f) => /^(encrypted_)?backup_restore$/.test(f)));
      },
      'the enterprise features (trial licence)',
      this.zero,
    );
  }

  /** Logs in (ACL clusters): later requests carry the access JWT of `user` in `namespace`. */
  async login(user: string, password: string, namespace: number): Promise<string> {
    const d = (await this.admin(
      'mutation ($u: String!, $p: String!, $n: Int) { login(userId: $u, password: $p, namespace: $n) { response { accessJWT } } }',
      { u: user, p: password, n: namespace },
    )) as { login: { response: { accessJWT: string } } };
    this.accessJwt = d.login.response.accessJWT;
    return this.accessJwt;
  }

  /** Creates a namespace whose groot has `password` (logged in as groot of namespace 0); its id. */
  async addNamespace(password: string): Promise<number> {
    const d = (await this.admin(
      'mutation ($p: String!) { addNamespace(input: {password: $p}) { namespaceId } }',
      {
        p: password,
      },
    )) as { addNamespace: { namespaceId: number } };
    return d.addNamespace.namespaceId;
  }

  /** Polls `ok` until it holds (errors count as "not yet"); fails early when `node` exits. */
  private async waitFor(ok: () => Promise<boolean>, what: string, node?: Node, ms = 90_000): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (node && node.child.exitCode !== null)
        throw new Error(`Dgraph: ${what}: exited ${node.child.exitCode}\n${node.out.join('').slice(-4000)}`);
      try {
        if (await ok()) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Dgraph: ${what}: not after ${ms} ms\n${this.output.slice(-4000)}`);
  }

  /**
   * POSTs to Alpha `i` and parses the JSON answer, retrying while Dgraph says it is not ready yet
   * ("Please retry again, server is not ready to accept requests": after start, after a restore).
   */
  private async call(
    i: number,
    route: string,
    type: string,
    body: string,
  ): Promise<{ data?: Json; errors?: unknown }> {
    const end = Date.now() + 90_000;
    for (;;) {
      const r = (await (
        await fetch(`${this.url(i)}${route}`, { method: 'POST', headers: this.headers(type), body })
      ).json()) as {
        data?: Json;
        errors?: unknown;
      };
      if (!JSON.stringify(r.errors ?? '').includes('Please retry again') || Date.now() > end) return r;
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  private headers(type: string): Record<string, string> {
    return { 'content-type': type, ...(this.accessJwt ? { 'x-dgraph-accesstoken': this.accessJwt } : {}) };
  }

  private async rawQuery(i: number, dql: string): Promise<{ data?: Json; errors?: unknown }> {
    return this.call(i, '/query', 'application/dql', dql);
  }

  /** Runs a DQL query on Alpha `i`; its `data`, or an error carrying Dgraph's errors. */
  async query(dql: string, i = 0): Promise<Json> {
    const r = await this.rawQuery(i, dql);
    if (r.errors || !r.data) throw new Error(`Dgraph query failed: ${JSON.stringify(r.errors)}\n${dql}`);
    return r.data;
  }

  async alter(schema: string): Promise<void> {
    const r = await this.call(0, '/alter', 'application/dql', schema);
    if (r.errors) throw new Error(`Dgraph alter failed: ${JSON.stringify(r.errors)}`);
  }

  /** Sets (or, with `del`, deletes) N-Quads, one per line, in one committed transaction. */
  async mutate(nquads: string, del = false): Promise<Record<string, string>> {
    const body = `{ ${del ? 'delete' : 'set'} {\n${nquads}\n} }`;
    const r = await this.call(0, '/mutate?commitNow=true', 'application/rdf', body);
    if (r.errors) throw new Error(`Dgraph mutate failed: ${JSON.stringify(r.errors)}`);
    return (r.data?.uids ?? {}) as Record<string, string>;
  }

  /** Runs GraphQL on `/admin`; its `data`, or an error carrying Dgraph's errors. */
  async admin(query: string, variables?: Json): Promise<Json> {
    const r = await this.call(0, '/admin', 'application/json', JSON.stringify({ query, variables }));
    if (r.errors || !r.data) throw new Error(`Dgraph /admin failed: ${JSON.stringify(r.errors)}\n${query}`);
    return r.data;
  }

  /** Waits for an `/admin` task (backup, export) to succeed. */
  private async task(taskId: string, what: string): Promise<void> {
    let status = '';
    await this.waitFor(
      async () => {
        const d = (await this.admin('query ($id: String!) { task(input: {id: $id}) { status } }', {
          id: taskId,
        })) as { task: { status: string } };
        status = d.task.status;
        if (status === 'Failed')
          throw new Error(`Dgraph ${what} task ${taskId} failed\n${this.output.slice(-4000)}`);
        return status === 'Success';
      },
      `${what} task`,
      undefined,
      this.opts.taskMs,
    ).catch((e: Error) => {
      throw status === 'Failed' ? new Error(`Dgraph ${what} failed\n${this.output.slice(-4000)}`) : e;
    });
  }

  /** A binary backup into the local folder `destination` (full when `forceFull`). */
  async backup(destination: string, forceFull: boolean): Promise<void> {
    const d = (await this.admin(
      'mutation ($d: String!, $f: Boolean) { backup(input: {destination: $d, forceFull: $f}) { response { code } taskId } }',
      { d: destination, f: forceFull },
    )) as { backup: { taskId: string } };
    await this.task(d.backup.taskId, 'backup');
  }

  /** Dgraph's RDF export of every group: (data lines, schema text) as Dgraph writes them. */
  async export(destination: string): Promise<{ data: string[]; schema: string }> {
    const d = (await this.admin(
      'mutation ($d: String!) { export(input: {format: "rdf", destination: $d}) { response { code } taskId } }',
      { d: destination },
    )) as { export: { taskId: string } };
    await this.task(d.export.taskId, 'export');
    const data: string[] = [];
    let schema = '';
    for (const sub of readdirSync(destination)) {
      const folder = path.join(destination, sub);
      for (const f of readdirSync(folder).sort()) {
        const text = gunzipSync(readFileSync(path.join(folder, f))).toString('utf8');
        if (f.endsWith('.rdf.gz')) {
          for (const l of text.split('\n')) if (l.trim() !== '') data.push(l);
        } else if (f.endsWith('.schema.gz')) schema += text;
      }
    }
    return { data, schema };
  }

  /**
   * An online restore of backups 1..`backupNum` (default all) of the newest series at `location`
   * (`/admin restore`), or of the series `more.backupId`; `more` also carries the credentials of an
   * S3/MinIO location (in the request body, never on a command line). Dgraph answers before the
   * restore is done, so the cluster is emptied first (DROP_ALL) and the restore counts as done when
   * `probe` finds data again and no Alpha reports an ongoing restore on `/health`.
   */
  async restoreOnline(
    location: string,
    probe: string,
    backupNum?: number,
    more: { backupId?: string; accessKey?: string; secretKey?: string; encryptionKeyFile?: string } = {},
  ): Promise<void> {
    await this.alter(JSON.stringify({ drop_all: true }));
    const d = (await this.admin('mutation ($in: RestoreInput!) { restore(input: $in) { code message } }', {
      in: { location, backupNum: backupNum ?? 0, ...more },
    })) as { restore: { code: string; message: string } };
    if (d.restore.code !== 'Success') throw new Error(`Dgraph restore: ${d.restore.message}`);
    await this.waitFor(
      async () => {
        const found = Object.values(await this.query(probe)).some((v) => Array.isArray(v) && v.length > 0);
        if (!found) return false;
        for (let i = 0; i < this.nodes.length; i++) {
          const h = await (await fetch(`${this.url(i)}/health`)).text();
          if (h.includes('opRestore')) return false;
        }
        return true;
      },
      'online restore',
      undefined,
      this.opts.taskMs,
    );
  }

  /** Moves Zero's UID and timestamp leases past restored data (`dgraph restore` does not). */
  async lease(uids: number, timestamps: number): Promise<void> {
    for (const [what, num] of [
      ['uids', uids],
      ['timestamps', timestamps],
    ] as const) {
      const r = await fetch(`${this.zeroUrl}/assign?what=${what}&num=${num}`);
      if (!r.ok) throw new Error(`Dgraph Zero /assign ${what}: ${r.status} ${await r.text()}`);
    }
  }

  async stop(): Promise<void> {
    for (const n of [...this.nodes, this.zero]) n?.child.kill('SIGKILL');
    await Promise.all([...this.nodes, this.zero].map((n) => n?.exited));
  }
}

/**
 * `dgraph restore` (offline) of `location` into `out/p1`, `out/p2`, ...; its output. `bin`: the
 * binary to run (a build of `version`), default `dgraphBinary(version)`; `more.backupId`: the
 * series to restore (`--backup_id`; default the newest); `more.env`: its environment (an S3/MinIO
 * location's credentials go there, never on the command line).
 */
export function dgraphRestore(
  version: DgraphVersion,
  location: string,
  out: string,
  bin: string = dgraphBinary(version),
  more: { backupId?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const { backupId, env } = more;
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [
        'restore',
        '-p',
        out,
        '-l',
        location,
        '--force_zero=false',
        ...(backupId === undefined ? [] : ['--backup_id', backupId]),
      ],
      { maxBuffer: 16 << 20, ...(env ? { env } : {}) },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`dgraph restore failed: ${err.message}\n${stderr}`))
          : resolve(stdout + stderr),
    );
  });
}
