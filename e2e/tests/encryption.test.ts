// Encrypted backups on real processes. Key files of 16, 24 and 32 bytes: each data file decoded
// here with Node's own AES-CTR + gunzip (IV first, spec §5) and its frames parsed. A full + two
// incrementals on a 3-group cluster whose key comes from Vault (base64 and raw formats), restored
// offline (strata restore --vault_*) and online (restore mutation with vault*) into a fresh cluster.
// Refusals (mixed series, wrong/missing/20-byte key, wrong secret-id, sealed and stopped Vault)
// change nothing; no secret reaches the Alphas' logs. Vault here is the Vault-API TEST DOUBLE of
// ../vault-double (not HashiCorp Vault: it cannot be built in this environment).
import { createDecipheriv, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRole, buildVaultDouble, kvPut, startVault, vaultApi, type VaultProc } from './vault.js';
import { alphaArgs, freePort, killAll, noteSecret, output, run, start } from './procs.js';
import { TestCluster, restoreOnline, readDump, RESTORE, TOKEN, type Dump } from './harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-enc-'));

interface Listing {
  backupId: string;
  backupNum: number;
  readTs: number;
  type: string;
  encrypted: boolean;
  path: string;
}
async function ls(location: string): Promise<Listing[]> {
  const r = await run(['ls', location, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listing[];
}

// ------------------------------------------------------------------ reading a file by hand

function varint(buf: Buffer, pos: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++]!;
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, pos];
    shift += 7n;
  }
}

/** Protobuf fields of a message: [field number, wire type, bytes | varint]. */
function fields(buf: Buffer): [number, number, Buffer | bigint][] {
  const out: [number, number, Buffer | bigint][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, q] = varint(buf, pos);
      out.push([field, wire, v]);
      pos = q;
    } else if (wire === 2) {
      const [len, q] = varint(buf, pos);
      out.push([field, wire, buf.subarray(q, q + Number(len))]);
      pos = q + Number(len);
    } else if (wire === 1) {
      out.push([field, wire, buf.subarray(pos, pos + 8)]);
      pos += 8;
    } else if (wire === 5) {
      out.push([field, wire, buf.subarray(pos, pos + 4)]);
      pos += 4;
    } else throw new Error(`wire type ${wire} at ${pos}`);
  }
  return out;
}

/** Decrypts (aes-<bits>-ctr, IV = first 16 bytes), gunzips and parses the frames of a data file. */
function decodeByHand(
  file: Buffer,
  key: Buffer,
): { frames: number; kvs: { key: Buffer; version: bigint }[] } {
  const iv = file.subarray(0, 16);
  const d = createDecipheriv(`aes-${key.length * 8}-ctr`, key, iv);
  const gz = Buffer.concat([d.update(file.subarray(16)), d.final()]);
  expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
  const s = gunzipSync(gz);
  const kvs: { key: Buffer; version: bigint }[] = [];
  let frames = 0;
  let pos = 0;
  while (pos < s.length) {
    const len = Number(s.readBigUInt64LE(pos));
    pos += 8;
    expect(pos + len).toBeLessThanOrEqual(s.length);
    for (const [f, w, kv] of fields(s.subarray(pos, pos + len))) {
      expect([f, w]).toEqual([1, 2]); // KVList.kv
      const kf = fields(kv as Buffer);
      kvs.push({
        key: kf.find(([n]) => n === 1)![2] as Buffer,
        version: (kf.find(([n]) => n === 4)?.[2] as bigint | undefined) ?? 0n,
      });
    }
    pos += len;
    frames++;
  }
  return { frames, kvs };
}

// ------------------------------------------------------------------ set-up

const bundle = buildVaultDouble(path.join(tmp, 'vault-double'));
let vault: VaultProc;
const files = {
  roleId: path.join(tmp, 'role-id'),
  secretId: path.join(tmp, 'secret-id'),
  wrongSecretId: path.join(tmp, 'wrong-secret-id'),
  key20: path.join(tmp, 'key20'),
  wrongKey: path.join(tmp, 'wrong-key'),
};
const KEY_B64 = randomBytes(32);
const KEY_RAW = Buffer.from(randomBytes(24).toString('base64url').slice(0, 32), 'utf8'); // 32 printable bytes
const WRONG = randomBytes(32);
let secretId = '';

function vaultFlags(
  format: 'base64' | 'raw',
  p = format === 'raw' ? 'secret/data/strata-raw' : 'secret/data/strata',
): string[] {
  return [
    '--vault_addr',
    vault.addr,
    '--vault_roleid_file',
    files.roleId,
    '--vault_secretid_file',
    files.secretId,
    '--vault_path',
    p,
    '--vault_field',
    format === 'raw' ? 'key_text' : 'enc_key',
    '--vault_format',
    format,
  ];
}
function vaultInput(format: 'base64' | 'raw', over: Record<string, string> = {}): Record<string, string> {
  return {
    vaultAddr: vault.addr,
    vaultRoleIDFile: files.roleId,
    vaultSecretIDFile: files.secretId,
    vaultPath: format === 'raw' ? 'secret/data/strata-raw' : 'secret/data/strata',
    vaultField: format === 'raw' ? 'key_text' : 'enc_key',
    vaultFormat: format,
    ...over,
  };
}

beforeAll(async () => {
  vault = await startVault(bundle);
  const ids = await appRole(vault, 'strata-backup');
  secretId = ids.secretId;
  writeFileSync(files.roleId, `${ids.roleId}\n`);
  writeFileSync(files.secretId, `${ids.secretId}\n`);
  writeFileSync(files.wrongSecretId, `${randomBytes(16).toString('hex')}\n`);
  writeFileSync(files.key20, randomBytes(20));
  writeFileSync(files.wrongKey, WRONG);
  await kvPut(vault, 'secret/data/strata', { enc_key: KEY_B64.toString('base64') });
  await kvPut(vault, 'secret/data/strata-raw', { key_text: KEY_RAW.toString('utf8') });
  await kvPut(vault, 'secret/data/wrong', { enc_key: WRONG.toString('base64') });
});

afterAll(async () => {
  await killAll();
  await vault?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const SCHEMA =
  'name: string @index(exact) .\nage: int @index(int) .\nfriend: [uid] @reverse .\nnote: string .\n';
function people(from: number, to: number, tag: string): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    out.push(`_:p${i} <name> "${tag} person ${i}" .`, `_:p${i} <age> "${20 + (i % 50)}" .`);
    out.push(`_:p${i} <note> "note ${tag} ${i}" .`);
    if (i > from) out.push(`_:p${i} <friend> _:p${i - 1} .`);
  }
  return out.join('\n');
}

// ------------------------------------------------------------------ key files

describe('key files of 16, 24 and 32 bytes', () => {
  it('writes IV + AES-CTR over gzip that Node decrypts itself; ls/verify/restore agree', async () => {
    await Promise.all(
      [16, 24, 32].map(async (size) => {
        const keyFile = path.join(tmp, `key${size}`);
        const key = randomBytes(size);
        writeFileSync(keyFile, key);
        const c = await new TestCluster(tmp, `k${size}`, 1, ['--encryption_key_file', keyFile]).start();
        try {
          await c.alter(SCHEMA);
          await c.mutate(people(0, 40, `k${size}`));
          const loc = path.join(tmp, `keyloc${size}`);
          const b = await run(['backup', '--alpha', c.addr(), '--destination', loc]);
          expect(b.code, b.stderr).toBe(0);
          const [l] = await ls(loc);
          expect(l).toMatchObject({ type: 'full', encrypted: true });
          const folder = path.join(loc, l!.path);
          const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as {
            encrypted: boolean;
          };
          expect(manifest.encrypted).toBe(true);
          const dataFiles = readdirSync(folder).filter((f) => f.endsWith('.backup'));
          expect(dataFiles).toEqual([`r${l!.readTs}-g1.backup`]);
          for (const f of dataFiles) {
            const bytes = readFileSync(path.join(folder, f));
            expect(bytes.includes(Buffer.from(`k${size} person`))).toBe(false);
            const { frames, kvs } = decodeByHand(bytes, key);
            expect(frames).toBeGreaterThan(0);
            const text = Buffer.concat(kvs.map((k) => k.key)).toString('latin1');
            for (const pred of ['name', 'age', 'friend', 'note']) expect(text).toContain(pred);
            expect(kvs.every((k) => k.version > 0n && k.version <= BigInt(l!.readTs))).toBe(true);
            // The wrong key does not even give the gzip magic.
            const wrong = createDecipheriv(`aes-${size * 8}-ctr`, randomBytes(size), bytes.subarray(0, 16));
            expect(wrong.update(bytes.subarray(16, 18))).not.toEqual(Buffer.from([0x1f, 0x8b]));
          }
          const table = await run(['ls', loc]);
          expect(table.stdout).toMatch(/full .* yes /);
          const ok = await run(['verify', loc, '--encryption_key_file', keyFile]);
          expect(ok.code, ok.stdout + ok.stderr).toBe(0);
          const noKey = await run(['verify', loc]);
          expect(noKey.code).toBe(1);
          expect(noKey.stdout + noKey.stderr).toMatch(/is encrypted but no encryption key was given/);
          const expected = await c.export(`k${size}-src`, BigInt(l!.readTs));
          const pdir = path.join(tmp, `k${size}-restored`);
          const r = await run([
            'restore',
            '-l',
            loc,
            '-p',
            pdir,
            '--force_zero=false',
            '--encryption_key_file',
            keyFile,
          ]);
          expect(r.code, r.stderr).toBe(0);
          expect((await run(['export', '-p', pdir, '--out', path.join(pdir, 'dump')])).code).toBe(0);
          expect(readDump(path.join(pdir, 'dump')).data).toBe(expected.data);
          // A 20-byte key file is refused before anything is written.
          const bad = path.join(tmp, `k${size}-key20`);
          const r20 = await run([
            'restore',
            '-l',
            loc,
            '-p',
            bad,
            '--force_zero=false',
            '--encryption_key_file',
            files.key20,
          ]);
          expect(r20.code).toBe(1);
          expect(r20.stderr).toMatch(/does not hold an AES key: it must be exactly 16, 24 or 32 bytes/);
          expect(existsSync(bad)).toBe(false);
        } finally {
          await c.stop();
        }
      }),
    );
  }, 60_000);

  it('an Alpha given a 20-byte key file does not start', async () => {
    const port = await freePort();
    const p = start([
      ...alphaArgs({ group: 1, zeroPort: 1, dir: path.join(tmp, 'alpha20'), port, token: TOKEN }),
      '--encryption_key_file',
      files.key20,
    ]);
    const code = await Promise.race([p.exited, new Promise((r) => setTimeout(() => r('running'), 15_000))]);
    expect(code).not.toBe('running');
    expect(code).not.toBe(0);
    expect(p.out.join('')).toMatch(/does not hold an AES key/);
  }, 20_000);
});

// ------------------------------------------------------------------ Vault

interface Point {
  backupNum: number;
  readTs: bigint;
  expected: Dump;
}
const sources = {
  base64: new TestCluster(tmp, 'vb64', 3, [], 'debug'),
  raw: new TestCluster(tmp, 'vraw', 3, [], 'debug'),
};
// Restore requests name key and Vault files below tmp: allowed by --restore_dirs.
const target = new TestCluster(tmp, 'vdst', 3, ['--restore_dirs', tmp], 'debug');
const locs = { base64: path.join(tmp, 'vault-b64'), raw: path.join(tmp, 'vault-raw') };
const points: Record<'base64' | 'raw', Point[]> = { base64: [], raw: [] };

describe('keys from Vault (the Vault-API test double) on a 3-group cluster', () => {
  beforeAll(async () => {
    sources.base64.alphaArgs.push(...vaultFlags('base64'));
    sources.raw.alphaArgs.push(...vaultFlags('raw'));
    await Promise.all([sources.base64.start(), sources.raw.start(), target.start()]);
  }, 60_000);

  for (const format of ['base64', 'raw'] as const) {
    it(`takes a full + two incremental encrypted backups (${format})`, async () => {
      const c = sources[format];
      const loc = locs[format];
      await c.alter(SCHEMA);
      const point = async (extra: string[] = []) => {
        const b = await run(['backup', '--alpha', c.addr(1), '--destination', loc, ...extra]);
        expect(b.code, b.stderr).toBe(0);
        const last = (await ls(loc)).at(-1)!;
        points[format].push({
          backupNum: last.backupNum,
          readTs: BigInt(last.readTs),
          expected: await c.export(`${format}-${last.backupNum}`, BigInt(last.readTs)),
        });
      };
      await c.mutate(people(0, 60, format));
      await point(format === 'raw' ? ['--format', 'v21.03'] : []);
      await c.mutate(people(60, 90, `${format}-inc1`));
      await point();
      await c.mutate(people(90, 100, `${format}-inc2`));
      await point();
      const list = await ls(loc);
      expect(list.map((l) => [l.backupNum, l.type, l.encrypted])).toEqual([
        [1, 'full', true],
        [2, 'incremental', true],
        [3, 'incremental', true],
      ]);
      // Three groups each hold data.
      const folder = path.join(loc, list[0]!.path);
      expect(readdirSync(folder).filter((f) => f.endsWith('.backup'))).toHaveLength(3);
      expect(points[format][2]!.expected.data).toContain(`${format}-inc2 person 95`);
      expect(points[format][1]!.expected.data).not.toContain(`${format}-inc2`);
    }, 60_000);

    it(`restores every point offline with strata restore --vault_* (${format})`, async () => {
      for (const p of points[format]) {
        const pdir = path.join(tmp, `off-${format}-${p.backupNum}`);
        const r = await run([
          'restore',
          '-l',
          locs[format],
          '-p',
          pdir,
          '--backup_num',
          String(p.backupNum),
          '--force_zero=false',
          ...vaultFlags(format),
        ]);
        expect(r.code, r.stderr).toBe(0);
        expect((await run(['export', '-p', pdir, '--out', path.join(pdir, 'dump')])).code).toBe(0);
        const got = readDump(path.join(pdir, 'dump'));
        expect(got.schema).toBe(p.expected.schema);
        expect(got.data).toBe(p.expected.data);
      }
    }, 60_000);

    it(`restores online with the restore mutation's vault* inputs into a fresh cluster (${format})`, async () => {
      const last = points[format].at(-1)!;
      await restoreOnline(target, { location: locs[format], ...vaultInput(format) });
      const got = await target.export(`online-${format}`);
      expect(got.schema).toBe(last.expected.schema);
      expect(got.data).toBe(last.expected.data);
    }, 60_000);
  }

  describe('refusals change nothing', () => {
    let before: Dump;
    const loc = () => locs.base64;
    beforeAll(async () => {
      before = await target.export('refusals-before');
    });

    async function refusedOffline(
      name: string,
      flags: string[],
      msg: RegExp,
      location = loc(),
    ): Promise<void> {
      const pdir = path.join(tmp, `refused-${name}`);
      const r = await run(['restore', '-l', location, '-p', pdir, '--force_zero=false', ...flags]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(existsSync(pdir)).toBe(false);
    }
    async function refusedOnline(input: Record<string, unknown>, msg: RegExp): Promise<void> {
      const r = await target.gql(RESTORE, { input: { location: loc(), ...input } });
      expect(r.errors?.[0]?.message, JSON.stringify(r)).toMatch(msg);
      expect(r.errors![0]!.message).toMatch(/^restore refused, nothing was changed: /);
      expect((await target.export(`after-${Date.now()}`)).data).toBe(before.data);
    }

    it('an unencrypted cluster cannot continue an encrypted series; a series mixing both is refused', async () => {
      const listed = await ls(loc());
      const b = await run(['backup', '--alpha', target.addr(), '--destination', loc()]);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(
        /is encrypted but this backup would not be: an incremental backup must keep the encryption of its series/,
      );
      expect(await ls(loc())).toEqual(listed);

      const mixed = path.join(tmp, 'mixed');
      cpSync(loc(), mixed, { recursive: true });
      const m = path.join(mixed, listed[2]!.path, 'manifest.json');
      writeFileSync(m, JSON.stringify({ ...JSON.parse(readFileSync(m, 'utf8')), encrypted: false }));
      const msg = /mixes encrypted and unencrypted backups/;
      await refusedOffline('mixed', vaultFlags('base64'), msg, mixed);
      const r = await target.gql(RESTORE, { input: { location: mixed, ...vaultInput('base64') } });
      expect(r.errors?.[0]?.message).toMatch(msg);
      expect((await target.export('after-mixed')).data).toBe(before.data);
      const v = await run(['verify', mixed, ...['--encryption_key_file', files.wrongKey]]);
      expect(v.code).toBe(1);
    }, 60_000);

    it('a wrong key (file or Vault secret) is refused', async () => {
      const msg = /wrong key/;
      await refusedOffline('wrong-file', ['--encryption_key_file', files.wrongKey], msg);
      await refusedOffline('wrong-vault', vaultFlags('base64', 'secret/data/wrong'), msg);
      await refusedOnline({ encryptionKeyFile: files.wrongKey }, msg);
      await refusedOnline(vaultInput('base64', { vaultPath: 'secret/data/wrong' }), msg);
      // The raw series' key (Vault format raw) is the wrong key for the base64 series.
      await refusedOnline(vaultInput('raw'), msg);
      await refusedOffline('wrong-raw', vaultFlags('raw'), msg);
    }, 60_000);

    it('a missing key, a 20-byte key file and a missing Vault secret are refused', async () => {
      await refusedOffline('nokey', [], /encrypted and no encryption key was given/);
      await refusedOnline({}, /encrypted and no encryption key was given/);
      const size = /does not hold an AES key: it must be exactly 16, 24 or 32 bytes/;
      await refusedOffline('key20', ['--encryption_key_file', files.key20], size);
      await refusedOnline({ encryptionKeyFile: files.key20 }, size);
      const missing = /the secret at secret\/data\/absent does not exist in Vault .*\(404\)/;
      await refusedOffline('absent', vaultFlags('base64', 'secret/data/absent'), missing);
      await refusedOnline(vaultInput('base64', { vaultPath: 'secret/data/absent' }), missing);
    }, 60_000);

    it("a wrong secret-id is refused with Vault's answer", async () => {
      const msg =
        /Vault rejected the AppRole login: invalid role or secret ID \(check the role-id and secret-id files\)/;
      const flags = vaultFlags('base64');
      flags[flags.indexOf(files.secretId)] = files.wrongSecretId;
      await refusedOffline('wrong-secret', flags, msg);
      await refusedOnline(vaultInput('base64', { vaultSecretIDFile: files.wrongSecretId }), msg);
    }, 60_000);

    it('a sealed Vault is refused', async () => {
      expect((await vaultApi(vault, 'PUT', 'sys/seal')).status).toBe(204);
      try {
        expect((await fetch(`${vault.addr}/v1/sys/health`)).status).toBe(503);
        const msg =
          /Vault at http:\/\/127\.0\.0\.1:\d+ is sealed or unavailable \(the AppRole login\): Vault is sealed/;
        await refusedOffline('sealed', vaultFlags('base64'), msg);
        await refusedOnline(vaultInput('base64'), msg);
        const listed = await ls(loc());
        const b = await run(['backup', '--alpha', sources.base64.addr(), '--destination', loc()]);
        expect(b.code).toBe(1);
        expect(b.stderr).toMatch(/sealed/);
        expect(await ls(loc())).toEqual(listed);
      } finally {
        await vaultApi(vault, 'PUT', 'sys/unseal', { key: vault.unsealKey });
      }
      expect((await fetch(`${vault.addr}/v1/sys/health`)).status).toBe(200);
    }, 60_000);

    it('no key, secret-id or client token appears in any Alpha log or command output', async () => {
      const tokens = (await vaultApi(vault, 'GET', 'sys/test-double/issued-tokens')).json!.tokens as string[];
      // 3 + 3 Alphas at start, their backups, the restores: many logins.
      expect(tokens.length).toBeGreaterThan(10);
      const alphas = [sources.base64, sources.raw, target].map((c) => c.alphaOutput).join('');
      expect(alphas.length).toBeGreaterThan(0); // debug logging: they did log
      const everything = alphas + output.join('');
      const secrets = [
        KEY_B64.toString('hex'),
        KEY_B64.toString('base64'),
        KEY_RAW.toString('utf8'),
        KEY_RAW.toString('hex'),
        KEY_RAW.toString('base64'),
        WRONG.toString('hex'),
        WRONG.toString('base64'),
        secretId,
        ...tokens,
      ];
      // The whole run's logs are checked for them too (scripts/check-log-secrets.mjs).
      noteSecret(...secrets);
      for (const s of secrets)
        expect(everything.includes(s), `a secret leaked (${s.slice(0, 4)}…)`).toBe(false);
    });

    it('a stopped Vault is refused: restores and backups say it cannot be reached', async () => {
      await vault.stop();
      const msg =
        /cannot reach Vault at http:\/\/127\.0\.0\.1:\d+ for AppRole login \(ECONNREFUSED\): is it running\?/;
      await refusedOffline('down', vaultFlags('base64'), msg);
      await refusedOnline(vaultInput('base64'), msg);
      const listed = await ls(loc());
      const b = await run(['backup', '--alpha', sources.base64.addr(), '--destination', loc()]);
      expect(b.code).toBe(1);
      expect(b.stderr).toMatch(/cannot reach Vault/);
      expect(await ls(loc())).toEqual(listed);
    }, 60_000);
  });
});
