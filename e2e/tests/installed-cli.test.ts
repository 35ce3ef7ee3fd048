// The installable CLI: `scripts/pack.mjs` (`pnpm pack:cli`) packs @strata/native-<platform>,
// @strata/native, core, server and cli; `npm install -g --prefix EMPTY` installs those tarballs
// with every command run on a PATH that holds `node`, `npm` and `sh` only (no pnpm, no cargo, no C
// compiler) and outside the checkout; third-party dependencies come from the npm registry, never a
// @strata package. Then, with that installed `strata` only: --version, `strata start` on a temp
// data folder and free ports, a backup, `ls`, `verify`, an export of the live cluster, the cluster
// stopped, an offline restore and an export of the restored store, equal to the live one.
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDump } from './harness.js';
import { post, waitHealthy, type Proc } from './procs.js';
import { repoRoot } from './paths.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-installed-'));
const packs = path.join(tmp, 'packs');
const prefix = path.join(tmp, 'prefix');
/** The only folder on PATH: `node`, `npm` and `sh`. */
const binDir = path.join(tmp, 'bin');
const strataBin = path.join(prefix, 'bin', 'strata');
const modules = path.join(prefix, 'lib', 'node_modules');

interface Manifest {
  name: string;
  version: string;
  main?: string;
  scripts?: Record<string, string>;
}
const manifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

const workspace = ['native', 'core', 'server', 'cli'].map((p) =>
  manifest(path.join(repoRoot, 'packages', p)),
);
const nativeNpm = path.join(repoRoot, 'packages/native/npm');
/** napi's per-platform packages whose binary is built on this machine (the one pack.mjs packs). */
const platforms = readdirSync(nativeNpm)
  .map((d) => manifest(path.join(nativeNpm, d)))
  .filter((m) => existsSync(path.join(repoRoot, 'packages/native', m.main!)));
const expected = [...platforms, ...workspace];
const tarball = (m: Manifest) => `${m.name.slice(1).replace('/', '-')}-${m.version}.tgz`;

/**
 * The environment of every command: this one (the way to the npm registry: proxies, CA files)
 * less what could lead back to the checkout (NODE_PATH, NODE_OPTIONS, the npm_/pnpm_ variables
 * pnpm sets for its scripts, but for registry settings), with PATH = `binDir` alone.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const drop = /^(npm_|pnpm_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|VITEST|TURBO_)/i;
  const keep = /^npm_config_(registry|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|@[^:]+:registry)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k) || keep.test(k)) env[k] = v;
  return { ...env, PATH: binDir, ...extra };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
function exec(
  file: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
) {
  return new Promise<Result>((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: opts.cwd ?? tmp,
        env: opts.env ?? cleanEnv(),
        maxBuffer: 64 << 20,
        timeout: opts.timeoutMs ?? 120_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
/** The installed `strata`, started by its bin link (shebang `env node`, found on the clean PATH). */
const strata = (...args: string[]) => exec(strataBin, args, { env: cleanEnv({ STRATA_LOG_LEVEL: 'error' }) });

/** `name` on this process's PATH, symlinks resolved (`npm` is then its npm-cli.js), for `binDir`. */
function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const f = path.join(dir, name);
    if (dir && existsSync(f)) return realpathSync(f);
  }
  throw new Error(`${name} is not on PATH`);
}

/** Every file and folder below `dir` (symlinks not followed). */
function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) walk(p, out);
  }
  return out;
}

/** Three ports free on 127.0.0.1: Zero 6080, Alpha 8080 and gRPC 9080, each + the offset. */
async function freeOffset(): Promise<number> {
  const { createServer } = await import('node:net');
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 200; i++) {
    const o = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await free(6080 + o)) && (await free(8080 + o)) && (await free(9080 + o))) return o;
  }
  throw new Error('no free port offset');
}

let installSeconds = 0;
let packOutput = '';
let cluster: Proc | undefined;

beforeAll(async () => {
  mkdirSync(binDir);
  symlinkSync(process.execPath, path.join(binDir, 'node'));
  symlinkSync(onPath('npm'), path.join(binDir, 'npm'));
  // npm runs a dependency's install script with `sh` (protobufjs has one: a Node version check)
  symlinkSync(onPath('sh'), path.join(binDir, 'sh'));
  // The e2e stage runs after the build: pack what it built.
  const packed = await exec(
    process.execPath,
    [path.join(repoRoot, 'scripts/pack.mjs'), packs, '--no-build'],
    {
      cwd: repoRoot,
      env: process.env,
      timeoutMs: 300_000,
    },
  );
  expect(packed.code, packed.stderr).toBe(0);
  packOutput = packed.stdout;
  const t0 = Date.now();
  const install = await exec(
    path.join(binDir, 'npm'),
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--no-fund',
      '--no-audit',
      '--no-update-notifier',
      // absolute paths: `packs/x.tgz` would be read as a GitHub repository
      ...readdirSync(packs).map((f) => path.join(packs, f)),
    ],
    { cwd: tmp, timeoutMs: 600_000 },
  );
  installSeconds = (Date.now() - t0) / 1000;
  expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
  console.log(`npm install -g of ${readdirSync(packs).length} tarballs: ${installSeconds.toFixed(1)} s`);
}, 960_000);

afterAll(async () => {
  if (cluster && cluster.child.exitCode === null) {
    cluster.child.kill('SIGKILL');
    await cluster.exited;
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('installed strata (pnpm pack:cli, npm install -g into an empty prefix)', () => {
  it('packs one tarball per package, the prebuilt addon in its own platform package', () => {
    expect(platforms.length).toBeGreaterThan(0);
    expect(readdirSync(packs).sort()).toEqual(expected.map(tarball).sort());
    for (const m of expected) expect(packOutput).toContain(tarball(m));
    // the addon (MBs) rides in the platform tarball only; the loader package is small
    const size = (m: Manifest) => statSync(path.join(packs, tarball(m))).size;
    expect(size(platforms[0]!)).toBeGreaterThan(1 << 20);
    expect(size(workspace[0]!)).toBeLessThan(200 << 10);
  });

  it('installs every @strata package once, from the tarballs, with nothing to build', () => {
    for (const m of expected) {
      const dir = path.join(modules, m.name);
      const got = manifest(dir);
      expect([got.name, got.version]).toEqual([m.name, m.version]);
      expect(Object.keys(got.scripts ?? {}).filter((s) => /^(pre|post)?install$/.test(s))).toEqual([]);
    }
    const files = walk(prefix).map((f) => path.relative(prefix, f));
    // no second copy of a @strata package (one npm would have fetched from the registry)
    expect(files.filter((f) => /node_modules\/.+\/node_modules\/@strata(\/|$)/.test(f))).toEqual([]);
    // no Rust sources or native build files: the addon arrives built
    expect(files.filter((f) => /(^|\/)(Cargo\.toml|Cargo\.lock|binding\.gyp)$|\.rs$/.test(f))).toEqual([]);
    const nodeFiles = files.filter((f) => f.endsWith('.node') && f.includes('@strata'));
    expect(nodeFiles).toEqual(platforms.map((p) => path.join('lib/node_modules', p.name, p.main!)));
    // the bin link is the CLI's main.js, run by the node on PATH
    expect(realpathSync(strataBin)).toBe(path.join(realpathSync(modules), '@strata/cli/dist/main.js'));
  });

  it('strata --version prints the CLI, core and native addon versions', async () => {
    const r = await strata('--version');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [native, core, , cli] = workspace;
    expect(r.stdout.trim().split('\n')).toEqual([
      `@strata/cli ${cli!.version}`,
      `@strata/core ${core!.version}`,
      `@strata/native ${native!.version}`,
    ]);
  });

  it('runs a cluster, backs it up and restores it offline, all with the installed strata', async () => {
    const offset = await freeOffset();
    const alpha = `127.0.0.1:${8080 + offset}`;
    const child = spawn(
      strataBin,
      ['start', '--data', path.join(tmp, 'data'), '--port_offset', String(offset)],
      {
        cwd: tmp,
        env: cleanEnv({ STRATA_LOG_LEVEL: 'error' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: string[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    cluster = { child, out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
    await waitHealthy(`http://${alpha}`, cluster);

    const schema = await post(
      `http://${alpha}/alter`,
      'name: string @index(exact) @lang .\nborn: int @index(int) .\nknows: [uid] @reverse .',
    );
    expect(schema.status, JSON.stringify(schema.json)).toBe(200);
    const people = [
      ['ada', 'Ada Lovelace', 1815],
      ['charles', 'Charles Babbage', 1791],
      ['mary', 'Mary Somerville', 1780],
    ] as const;
    const rdf = [
      ...people.flatMap(([id, name, born]) => [`_:${id} <name> "${name}" .`, `_:${id} <born> "${born}" .`]),
      '_:ada <name> "Ada"@fr .',
      '_:ada <knows> _:charles .',
      '_:ada <knows> _:mary .',
      '_:mary <knows> _:charles .',
    ];
    const m = await post(
      `http://${alpha}/mutate?commitNow=true`,
      `{ set {\n${rdf.join('\n')}\n} }`,
      'application/rdf',
    );
    expect(m.status, JSON.stringify(m.json)).toBe(200);

    const backups = path.join(tmp, 'backups');
    const b = await strata('backup', '--alpha', alpha, '--destination', backups);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^Backup completed: full backup /);
    const live = await strata('export', '--alpha', alpha, '--out', path.join(tmp, 'live'));
    expect(live.code, live.stderr).toBe(0);
    const ls = await strata('ls', backups, '--json');
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { type: string }[]).map((e) => e.type)).toEqual(['full']);
    const verify = await strata('verify', backups);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // The cluster stops on SIGTERM; the restore below reads the backup alone.
    child.kill('SIGTERM');
    expect(await cluster.exited, out.join('')).toBe(0);

    const restored = path.join(tmp, 'restored');
    const r = await strata('restore', '-l', backups, '-p', restored, '--force_zero=false');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(restored, 'p1'))).toBe(true);
    const e = await strata('export', '-p', restored, '--out', path.join(tmp, 'restored-dump'));
    expect(e.code, e.stderr).toBe(0);

    const before = readDump(path.join(tmp, 'live'));
    const after = readDump(path.join(tmp, 'restored-dump'));
    for (const [, name, born] of people) {
      expect(before.data).toContain(`"${name}"`);
      expect(before.data).toContain(`"${born}"`);
    }
    expect(before.data).toContain('"Ada"@fr');
    expect(before.data.match(/ <knows> /g)).toHaveLength(3);
    expect(before.schema).toMatch(/knows: \[uid\] @reverse/);
    expect(after.data).toBe(before.data);
    expect(after.schema).toBe(before.schema);
  }, 180_000);
});
