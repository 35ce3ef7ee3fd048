// The Vault key provider against a local HTTP server answering with Vault's real status codes and
// error bodies (a unit-level test double; e2e tests run a real Vault-API server).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadKeyLengthError,
  FileNotFoundError,
  keyProviderFrom,
  readVaultKey,
  VaultError,
} from '../src/index.js';

const KEY32 = Buffer.alloc(32, 0xab);
const state = {
  sealed: false,
  secret: { enc_key: KEY32.toString('base64'), raw_key: 'r'.repeat(24), short: 'c2hvcnQ=' } as Record<
    string,
    unknown
  >,
  policyAllows: true,
  /** When set, every request is answered with a 307 to this address (a Vault redirecting elsewhere). */
  redirectTo: '',
};

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
  });
}

let server: Server;
let addr = '';
const dir = mkdtempSync(path.join(tmpdir(), 'strata-vault-'));
const roleFile = path.join(dir, 'role-id');
const secretFile = path.join(dir, 'secret-id');
const badSecretFile = path.join(dir, 'bad-secret-id');

beforeAll(async () => {
  writeFileSync(roleFile, 'role-123\n');
  writeFileSync(secretFile, 'secret-456\n');
  writeFileSync(badSecretFile, 'nope\n');
  server = createServer(async (req, res) => {
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (state.redirectTo) {
      res.writeHead(307, { location: `${state.redirectTo}${req.url ?? ''}` });
      return res.end();
    }
    if (state.sealed) return send(503, { errors: ['Vault is sealed'] });
    if (req.method === 'POST' && req.url === '/v1/auth/approle/login') {
      const { role_id, secret_id } = JSON.parse(await body(req)) as Record<string, string>;
      if (role_id !== 'role-123' || secret_id !== 'secret-456')
        return send(400, { errors: ['invalid role or secret ID'] });
      return send(200, { auth: { client_token: 'hvs.token', policies: ['default'] } });
    }
    if (req.method === 'GET' && req.url?.startsWith('/v1/secret/data/')) {
      if (req.headers['x-vault-token'] !== 'hvs.token' || !state.policyAllows)
        return send(403, { errors: ['permission denied'] });
      if (req.url !== '/v1/secret/data/dgraph') return send(404, { errors: [] });
      return send(200, { data: { data: state.secret, metadata: { version: 1 } } });
    }
    send(404, { errors: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  addr = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ({ addr, roleIdFile: roleFile, secretIdFile: secretFile });

describe('readVaultKey', () => {
  it('never follows a redirect: the credentials do not reach the address it names', async () => {
    const seen: string[] = [];
    const elsewhere = createServer(async (req, res) => {
      seen.push(`${req.method} ${req.url} ${await body(req)}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"auth":{"client_token":"stolen"}}');
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const a = elsewhere.address();
    state.redirectTo = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    try {
      const err = await readVaultKey(base()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VaultError);
      expect((err as VaultError).message).toMatch(/answered AppRole login with a redirect \(307\)/);
      expect((err as VaultError).message).not.toContain('secret-456');
      expect(seen).toEqual([]);
    } finally {
      state.redirectTo = '';
      await new Promise<void>((r) => elsewhere.close(() => r()));
    }
  });
  it('reads a base64 key with the defaults (secret/data/dgraph, enc_key)', async () => {
    expect((await readVaultKey(base())).equals(KEY32)).toBe(true);
  });
  it('reads a raw key', async () => {
    const key = await readVaultKey({ ...base(), field: 'raw_key', format: 'raw' });
    expect(key.toString()).toBe('r'.repeat(24));
  });
  it('wrong secret id: clear error, no secret in the message', async () => {
    const err = await readVaultKey({ ...base(), secretIdFile: badSecretFile }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as Error).message).toMatch(/rejected the AppRole login: invalid role or secret ID/);
    expect((err as Error).message).not.toContain('nope');
  });
  it('sealed Vault', async () => {
    state.sealed = true;
    try {
      await expect(readVaultKey(base())).rejects.toThrow(/sealed/);
    } finally {
      state.sealed = false;
    }
  });
  it('permission denied', async () => {
    state.policyAllows = false;
    try {
      await expect(readVaultKey(base())).rejects.toThrow(/permission denied/);
    } finally {
      state.policyAllows = true;
    }
  });
  it('missing path and missing field', async () => {
    await expect(readVaultKey({ ...base(), path: 'secret/data/other' })).rejects.toThrow(
      /the secret at secret\/data\/other does not exist in Vault at .* \(404\)/,
    );
    await expect(readVaultKey({ ...base(), field: 'nothere' })).rejects.toThrow(
      /has no field "nothere" \(fields: enc_key, raw_key, short\)/,
    );
  });
  it('wrong length after decoding names the size, never the key', async () => {
    const err = await readVaultKey({ ...base(), field: 'short' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadKeyLengthError);
    expect((err as Error).message).toMatch(/is 5 bytes after decoding/);
  });
  it('Vault down', async () => {
    await expect(readVaultKey({ ...base(), addr: 'http://127.0.0.1:9' })).rejects.toThrow(
      /cannot reach Vault at http:\/\/127.0.0.1:9/,
    );
  });
  it('missing role-id file', async () => {
    await expect(readVaultKey({ ...base(), roleIdFile: path.join(dir, 'none') })).rejects.toBeInstanceOf(
      FileNotFoundError,
    );
  });
});

describe('keyProviderFrom', () => {
  it('picks the source and refuses ambiguous options', async () => {
    expect(keyProviderFrom({})).toBeUndefined();
    expect(keyProviderFrom({ encryptionKeyFile: '/k' })?.describe).toBe('key file /k');
    expect(keyProviderFrom({ vault: base() })?.describe).toBe(`Vault ${addr}`);
    expect(() => keyProviderFrom({ encryptionKeyFile: '/k', vault: base() })).toThrow(/not both/);
    expect(() => keyProviderFrom({ vault: { roleIdFile: roleFile } })).toThrow(
      /both the role-id file and the secret-id file/,
    );
    expect((await keyProviderFrom({ vault: base() })!.getKey()).equals(KEY32)).toBe(true);
  });
});
