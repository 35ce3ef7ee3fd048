// Runs the Vault-API test double (../vault-double, NOT a real Vault: see its header) as a real
// process on a free loopback port, and configures it through Vault's own API shapes (AppRole role,
// role-id, secret-id, KV v2 write).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { repoRoot } from './paths.js';

const doubleDir = path.join(repoRoot, 'e2e/vault-double');

/** Bundles cli.ts + server.ts into one .mjs under `dir` (esbuild; Node 20 runs no TypeScript). */
export function buildVaultDouble(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, 'vault-double.mjs');
  if (!existsSync(out)) {
    buildSync({
      entryPoints: [path.join(doubleDir, 'cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: out,
      logLevel: 'warning',
    });
  }
  return out;
}

export interface VaultProc {
  addr: string;
  port: number;
  rootToken: string;
  unsealKey: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts the double (on `port`, default a free one) and waits for its address line. */
export async function startVault(bundle: string, port = 0): Promise<VaultProc> {
  const child = spawn(process.execPath, [bundle, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve(buf.slice(0, nl));
    });
    void exited.then((code) => reject(new Error(`vault double exited ${code}: ${err}`)));
  });
  const info = JSON.parse(line) as { addr: string; port: number; rootToken: string; unsealKey: string };
  return {
    ...info,
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A Vault API call with the root token; returns the parsed JSON body (or null for 204). */
export async function vaultApi(
  v: Pick<VaultProc, 'addr' | 'rootToken'>,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const r = await fetch(`${v.addr}/v1/${route}`, {
    method,
    headers: { 'x-vault-token': v.rootToken, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** Creates an AppRole role and returns its role-id and a fresh secret-id (Vault's API). */
export async function appRole(
  v: Pick<VaultProc, 'addr' | 'rootToken'>,
  name: string,
): Promise<{ roleId: string; secretId: string }> {
  const created = await vaultApi(v, 'POST', `auth/approle/role/${name}`, {
    token_policies: ['dgraph'],
    token_ttl: 3600,
  });
  if (created.status !== 204) throw new Error(`create role: ${created.status}`);
  const rid = await vaultApi(v, 'GET', `auth/approle/role/${name}/role-id`);
  const sid = await vaultApi(v, 'POST', `auth/approle/role/${name}/secret-id`);
  return {
    roleId: (rid.json!.data as { role_id: string }).role_id,
    secretId: (sid.json!.data as { secret_id: string }).secret_id,
  };
}

/** KV v2 write of `data` at `<mount>/data/<path>` (route given with `data/`). */
export async function kvPut(
  v: Pick<VaultProc, 'addr' | 'rootToken'>,
  route: string,
  data: Record<string, string>,
): Promise<void> {
  const r = await vaultApi(v, 'POST', route, { data });
  if (r.status !== 200) throw new Error(`kv put ${route}: ${r.status} ${JSON.stringify(r.json)}`);
}
