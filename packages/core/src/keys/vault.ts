/**
 * Encryption keys from a Vault server (HashiCorp Vault or OpenBao): AppRole login with the
 * role-id and secret-id files, then a KV v2 read of `path` / `field`, decoded per `format`.
 * The key, the secret id and the client token never appear in any error message.
 */
import { readFile } from 'node:fs/promises';
import { BadKeyLengthError, StrataError, fromFsError } from '../errors.js';
import { isValidKeyLength } from './file.js';

export interface VaultKeyOptions {
  /** Vault's address (default `http://localhost:8200`). */
  addr?: string;
  /** File holding the AppRole role id. */
  roleIdFile: string;
  /** File holding the AppRole secret id. */
  secretIdFile: string;
  /** KV v2 path including the mount and `data/` (default `secret/data/dgraph`). */
  path?: string;
  /** Field of the secret holding the key (default `enc_key`). */
  field?: string;
  /** `base64` (default): the field holds the key in base64; `raw`: the field's text is the key. */
  format?: 'base64' | 'raw';
  /** Request timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
}

export const VAULT_DEFAULTS = {
  addr: 'http://localhost:8200',
  path: 'secret/data/dgraph',
  field: 'enc_key',
  format: 'base64',
} as const;

/** A Vault request failed: sealed, permission denied, unreachable, missing secret or field. */
export class VaultError extends StrataError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super('VAULT', message, { cause });
    this.status = status;
  }
}

async function readIdFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fromFsError(err, file, what);
  }
  const id = text.trim();
  if (!id) throw new VaultError(`${what} ${file} is empty`);
  return id;
}

/** Vault answers errors as `{"errors": ["..."]}`; the texts never hold secrets. */
async function vaultErrors(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { errors?: unknown };
    if (Array.isArray(body.errors) && body.errors.length > 0) return body.errors.map(String).join('; ');
  } catch {
    // not JSON: fall through
  }
  return res.statusText || 'no details';
}

async function call(
  addr: string,
  route: string,
  init: RequestInit,
  timeoutMs: number,
  what: string,
): Promise<Response> {
  const url = new URL(`/v1/${route.replace(/^\/+/, '')}`, addr);
  let res: Response;
  try {
    // Redirects are never followed: the role-id and secret-id would go wherever one points.
    res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new VaultError(
      `cannot reach Vault at ${addr} for ${what} (${reason}): is it running?`,
      undefined,
      err,
    );
  }
  if (res.status >= 300 && res.status < 400) {
    throw new VaultError(
      `Vault at ${addr} answered ${what} with a redirect (${res.status}); Strata does not follow Vault ` +
        'redirects (they could send the credentials elsewhere): give the active Vault node as the address',
      res.status,
    );
  }
  return res;
}

function explain(status: number, detail: string, what: string, addr: string): VaultError {
  if (status === 503)
    return new VaultError(`Vault at ${addr} is sealed or unavailable (${what}): ${detail}`, status);
  if (status === 403)
    return new VaultError(
      `Vault denied ${what} (permission denied): check the AppRole's policy. ${detail}`,
      status,
    );
  if (status === 400 || status === 401)
    return new VaultError(
      `Vault rejected ${what}: ${detail} (check the role-id and secret-id files)`,
      status,
    );
  if (status === 404) return new VaultError(`${what} does not exist in Vault at ${addr} (404)`, status);
  return new VaultError(`Vault answered ${status} to ${what}: ${detail}`, status);
}

/** Logs in with AppRole and reads the key. Returns the key bytes (16, 24 or 32). */
export async function readVaultKey(opts: VaultKeyOptions): Promise<Buffer> {
  const addr = opts.addr ?? VAULT_DEFAULTS.addr;
  const path = (opts.path ?? VAULT_DEFAULTS.path).replace(/^\/+/, '');
  const field = opts.field ?? VAULT_DEFAULTS.field;
  const format = opts.format ?? VAULT_DEFAULTS.format;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (format !== 'base64' && format !== 'raw')
    throw new VaultError(`vault format must be "base64" or "raw", not "${String(format)}"`);

  const roleId = await readIdFile(opts.roleIdFile, 'Vault role-id file');
  const secretId = await readIdFile(opts.secretIdFile, 'Vault secret-id file');

  const login = await call(
    addr,
    'auth/approle/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role_id: roleId, secret_id: secretId }),
    },
    timeoutMs,
    'AppRole login',
  );
  if (!login.ok) throw explain(login.status, await vaultErrors(login), 'the AppRole login', addr);
  const token = ((await login.json()) as { auth?: { client_token?: unknown } }).auth?.client_token;
  if (typeof token !== 'string' || !token)
    throw new VaultError(`Vault's AppRole login answer has no client token`);

  const read = await call(addr, path, { headers: { 'x-vault-token': token } }, timeoutMs, `reading ${path}`);
  if (!read.ok) throw explain(read.status, await vaultErrors(read), `the secret at ${path}`, addr);
  const body = (await read.json()) as { data?: { data?: Record<string, unknown> } };
  const data = body.data?.data;
  if (!data || typeof data !== 'object')
    throw new VaultError(
      `the secret at ${path} is not a KV v2 secret (no data.data): is the path "<mount>/data/<name>"?`,
    );
  const value = data[field];
  if (value === undefined) {
    throw new VaultError(
      `the secret at ${path} has no field "${field}" (fields: ${Object.keys(data).sort().join(', ') || 'none'})`,
    );
  }
  if (typeof value !== 'string')
    throw new VaultError(`field "${field}" of the secret at ${path} is not a string`);

  let key: Buffer;
  if (format === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.trim()) || value.trim().length % 4 !== 0) {
      throw new VaultError(
        `field "${field}" of the secret at ${path} is not valid base64 (vault format is base64)`,
      );
    }
    key = Buffer.from(value.trim(), 'base64');
  } else {
    key = Buffer.from(value, 'utf8');
  }
  if (!isValidKeyLength(key)) {
    const size = key.length;
    key.fill(0);
    throw new BadKeyLengthError(
      `the key in Vault (${path}, field "${field}", format ${format}) is ${size} bytes after decoding; ` +
        `an AES key must be exactly 16, 24 or 32 bytes`,
    );
  }
  return key;
}
