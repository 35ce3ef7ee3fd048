// A Vault-API TEST DOUBLE for the e2e tests. It is NOT HashiCorp Vault or OpenBao: neither can be
// built here (OpenBao's module is refused by the Go module proxy; Vault's nested api/sdk modules
// are replaced by local paths and do not build from the proxy), so this in-memory server answers
// the few routes Strata's Vault client (packages/core/src/keys/vault.ts) uses, with Vault's real
// status codes, headers and JSON shapes, so that the client cannot tell the difference:
//
//   POST /v1/auth/approle/login               {role_id, secret_id} → 200 {auth: {client_token, …}}
//                                             wrong ids → 400 {"errors":["invalid role or secret ID"]}
//   GET  /v1/<mount>/data/<path>              KV v2 read with X-Vault-Token → 200 {request_id, data:
//                                             {data, metadata}}; missing → 404 {"errors":[]};
//                                             bad or missing token → 403 {"errors":["permission denied"]}
//   GET  /v1/sys/health                       200 health JSON; sealed → 503 (sealed: true)
//   PUT  /v1/sys/seal, PUT /v1/sys/unseal     seal / unseal (root token; unseal needs the unseal key)
//   any other route while sealed              503 {"errors":["Vault is sealed"]}
//
// Set-up routes, in Vault's own API shapes, so the tests configure it the way they would a real
// Vault (all need the root token):
//
//   PUT|POST /v1/<mount>/data/<path>          KV v2 write {data: {...}} → 200 {data: {version, …}}
//   POST /v1/auth/approle/role/<name>         create/update a role → 204
//   GET  /v1/auth/approle/role/<name>/role-id → 200 {data: {role_id}}
//   POST /v1/auth/approle/role/<name>/secret-id → 200 {data: {secret_id, secret_id_accessor, …}}
//
// Test-only (no Vault equivalent, named so): GET /v1/sys/test-double/issued-tokens (root token) →
// {"tokens": [...]}, the client tokens handed out, so tests can check none of them leaked into logs.
// Policies are not evaluated: any live client token may read any KV v2 path of a mount.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VaultDoubleOptions {
  /** Loopback port (0: a free one). */
  port?: number;
  host?: string;
  /** Root token (default: random `hvs.` token). */
  rootToken?: string;
  /** KV v2 mounts (default `["secret"]`). */
  kvMounts?: string[];
}

export interface VaultDouble {
  /** `http://host:port` */
  addr: string;
  port: number;
  rootToken: string;
  unsealKey: string;
  close(): Promise<void>;
}

interface Secret {
  data: Record<string, unknown>;
  version: number;
  created: string;
}
interface Role {
  roleId: string;
  secretIds: Set<string>;
  policies: string[];
  ttl: number;
}

const token = (): string => `hvs.${randomBytes(18).toString('base64url')}`;

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  res.setHeader('cache-control', 'no-store');
  if (body === undefined || status === 204) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body) + '\n');
}
const errors = (res: ServerResponse, status: number, ...msgs: string[]): void =>
  send(res, status, { errors: msgs });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  const text = Buffer.concat(parts).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Response envelope of a Vault API answer. */
function envelope(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: '',
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
    mount_type: '',
    ...extra,
  };
}

export function startVaultDouble(opts: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const rootToken = opts.rootToken ?? token();
  const unsealKey = randomBytes(32).toString('base64');
  const mounts = new Set(opts.kvMounts ?? ['secret']);
  const kv = new Map<string, Secret>(); // "<mount>/<path>"
  const roles = new Map<string, Role>();
  const tokens = new Map<string, { accessor: string; policies: string[]; expires: number }>();
  let sealed = false;

  const liveToken = (req: IncomingMessage): boolean => {
    const t = req.headers['x-vault-token'];
    if (typeof t !== 'string') return false;
    if (t === rootToken) return true;
    const e = tokens.get(t);
    return !!e && e.expires > Date.now();
  };
  const isRoot = (req: IncomingMessage): boolean => req.headers['x-vault-token'] === rootToken;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const route = url.pathname.replace(/^\/v1\//, '').replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/v1/')) return errors(res, 404);

    if (route === 'sys/health') {
      const body = {
        initialized: true,
        sealed,
        standby: sealed,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(Date.now() / 1000),
        version: '1.21.4+test-double',
        cluster_name: 'vault-test-double',
        cluster_id: 'test-double',
      };
      return send(res, sealed ? 503 : 200, body);
    }
    if (route === 'sys/seal-status' && method === 'GET') {
      return send(res, 200, { type: 'shamir', initialized: true, sealed, t: 1, n: 1, progress: 0 });
    }
    if (route === 'sys/unseal' && (method === 'PUT' || method === 'POST')) {
      const body = await readJson(req);
      if (body?.key !== undefined && body.key !== unsealKey)
        return errors(res, 400, 'Unseal failed, invalid key');
      if (body?.key === unsealKey) sealed = false;
      return send(res, 200, { type: 'shamir', initialized: true, sealed, t: 1, n: 1, progress: 0 });
    }
    if (sealed) return errors(res, 503, 'Vault is sealed');
    if (route === 'sys/seal' && (method === 'PUT' || method === 'POST')) {
      if (!isRoot(req)) return errors(res, 403, 'permission denied');
      sealed = true;
      return send(res, 204);
    }
    if (route === 'sys/test-double/issued-tokens' && method === 'GET') {
      if (!isRoot(req)) return errors(res, 403, 'permission denied');
      return send(res, 200, { tokens: [...tokens.keys()] });
    }

    // ------------------------------------------------------------------ AppRole
    if (route === 'auth/approle/login' && (method === 'POST' || method === 'PUT')) {
      const body = await readJson(req);
      if (!body) return errors(res, 400, 'error parsing JSON');
      const roleId = typeof body.role_id === 'string' ? body.role_id : '';
      const secretId = typeof body.secret_id === 'string' ? body.secret_id : '';
      if (!roleId) return errors(res, 400, 'missing role_id');
      const role = [...roles.values()].find((r) => r.roleId === roleId);
      if (!role || !secretId || !role.secretIds.has(secretId))
        return errors(res, 400, 'invalid role or secret ID');
      const clientToken = token();
      const accessor = randomBytes(18).toString('base64url');
      tokens.set(clientToken, { accessor, policies: role.policies, expires: Date.now() + role.ttl * 1000 });
      return send(
        res,
        200,
        envelope(null, {
          auth: {
            client_token: clientToken,
            accessor,
            policies: ['default', ...role.policies],
            token_policies: ['default', ...role.policies],
            metadata: { role_name: [...roles].find(([, r]) => r === role)![0] },
            lease_duration: role.ttl,
            renewable: true,
            entity_id: randomUUID(),
            token_type: 'service',
            orphan: true,
            num_uses: 0,
          },
        }),
      );
    }
    const roleMatch = /^auth\/approle\/role\/([^/]+)(?:\/(role-id|secret-id))?$/.exec(route);
    if (roleMatch) {
      if (!isRoot(req)) return errors(res, 403, 'permission denied');
      const [, name, sub] = roleMatch as unknown as [string, string, string | undefined];
      if (sub === undefined && (method === 'POST' || method === 'PUT')) {
        const body = await readJson(req);
        if (!body) return errors(res, 400, 'error parsing JSON');
        const policies = Array.isArray(body.token_policies)
          ? body.token_policies.map(String)
          : typeof body.token_policies === 'string'
            ? body.token_policies.split(',').filter(Boolean)
            : [];
        const ttl = typeof body.token_ttl === 'number' ? body.token_ttl : 3600;
        const old = roles.get(name);
        roles.set(name, {
          roleId: old?.roleId ?? randomUUID(),
          secretIds: old?.secretIds ?? new Set(),
          policies,
          ttl,
        });
        return send(res, 204);
      }
      const role = roles.get(name);
      if (!role) return errors(res, 400, `role "${name}" does not exist`);
      if (sub === 'role-id' && method === 'GET') return send(res, 200, envelope({ role_id: role.roleId }));
      if (sub === 'secret-id' && (method === 'POST' || method === 'PUT')) {
        const secretId = randomUUID();
        role.secretIds.add(secretId);
        return send(
          res,
          200,
          envelope({
            secret_id: secretId,
            secret_id_accessor: randomUUID(),
            secret_id_ttl: 0,
            secret_id_num_uses: 0,
          }),
        );
      }
      return errors(res, 405);
    }

    // ------------------------------------------------------------------ KV v2
    const kvMatch = /^([^/]+)\/data\/(.+)$/.exec(route);
    if (kvMatch && mounts.has(kvMatch[1]!)) {
      const key = `${kvMatch[1]}/${kvMatch[2]}`;
      if (method === 'GET') {
        if (!liveToken(req)) return errors(res, 403, 'permission denied');
        const s = kv.get(key);
        if (!s) return errors(res, 404);
        return send(
          res,
          200,
          envelope({
            data: s.data,
            metadata: {
              created_time: s.created,
              custom_metadata: null,
              deletion_time: '',
              destroyed: false,
              version: s.version,
            },
          }),
        );
      }
      if (method === 'PUT' || method === 'POST') {
        if (!isRoot(req)) return errors(res, 403, 'permission denied');
        const body = await readJson(req);
        if (!body || !body.data || typeof body.data !== 'object') return errors(res, 400, 'no data provided');
        const created = new Date().toISOString();
        const version = (kv.get(key)?.version ?? 0) + 1;
        kv.set(key, { data: body.data as Record<string, unknown>, version, created });
        return send(
          res,
          200,
          envelope({
            created_time: created,
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version,
          }),
        );
      }
      return errors(res, 405);
    }
    if (!liveToken(req)) return errors(res, 403, 'permission denied');
    return errors(res, 404, `no handler for route "${route}". route entry not found.`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) errors(res, 500, 'internal error');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      resolve({
        addr: `http://${a.address}:${a.port}`,
        port: a.port,
        rootToken,
        unsealKey,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
