// Encryption at rest on a 1-group cluster (docs/design/encryption-at-rest.md): an Alpha given a
// master key writes its store sealed (no distinctive string or number anywhere under its folder,
// where a plain Alpha's folder holds them all), refuses to start without the key or with another
// one (writing nothing), an online restore writes the new store sealed under the same key, and a
// key rotation while it serves rewraps only the store's data key.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createDecipheriv } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileKeyProvider, keyFingerprint, rotateStoreKeys, type KeyProvider } from '@strata/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'at-rest-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-at-rest-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PRED = 'zanzibar_ledger_secret';
const WORD = 'Quixotically';
const AMOUNT = 73_915_286_447;
const NODES = 300;

function keyFile(name: string, byte: number): { file: string; key: Buffer; provider: KeyProvider } {
  const file = path.join(root, name);
  const key = Buffer.alloc(32, byte);
  writeFileSync(file, key, { mode: 0o600 });
  return { file, key, provider: fileKeyProvider(file) };
}

/** What a disk scan looks for, in the encodings the store uses (see native store/engine/tests.rs). */
function needles(): Buffer[] {
  const n = BigInt(AMOUNT + 1);
  const le = Buffer.alloc(8);
  le.writeBigInt64LE(n);
  const be = Buffer.alloc(8);
  be.writeBigInt64BE(n);
  return [Buffer.from(PRED), Buffer.from(WORD), Buffer.from(WORD.toLowerCase()), le, be];
}

/** The needles found in any file under `dir` (recursively) that `only` keeps. */
function foundUnder(dir: string, only: (file: string) => boolean = () => true): string[] {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (only(p)) {
        const bytes = readFileSync(p);
        for (const n of needles()) if (bytes.includes(n)) found.add(n.toString('hex'));
      }
    }
  };
  walk(dir);
  return [...found];
}

async function cluster(name: string, atRest?: KeyProvider): Promise<Zero> {
  return createZero({ dataDir: path.join(root, name, 'zw'), port: 0, token: TOKEN, groups: 1, atRest });
}

function alphaOn(zero: Zero, dataDir: string, atRest?: KeyProvider): Promise<Alpha> {
  return createAlpha({
    zero: `127.0.0.1:${zero.port}`,
    port: 0,
    token: TOKEN,
    group: 1,
    dataDir,
    restoreDirs: [root],
    ...(atRest && { atRest, keyProvider: atRest }),
  });
}

async function load(a: Alpha): Promise<void> {
  const alter = await a.app.inject({
    method: 'POST',
    url: '/alter',
    payload: `${PRED}: string @index(exact, term) .\nledger_amount: int @index(int) .`,
  });
  expect(alter.statusCode).toBe(200);
  const rdf: string[] = [];
  for (let i = 0; i < NODES; i++) {
    rdf.push(`_:n${i} <${PRED}> "${WORD} entry ${i}" .`, `_:n${i} <ledger_amount> "${AMOUNT + 1 + i}" .`);
  }
  const m = await a.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: `{ set { ${rdf.join('\n')} } }`,
  });
  expect(m.statusCode).toBe(200);
}

async function found(a: Alpha): Promise<number> {
  const r = await a.app.inject({
    method: 'POST',
    url: '/query',
    headers: { 'content-type': 'application/dql' },
    payload: `{ q(func: anyofterms(${PRED}, "quixotically")) { count(uid) } }`,
  });
  return (r.json() as { data: { q: { count: number }[] } }).data.q[0]!.count;
}

/** The message `start` was refused with (fails the test when it was not refused). */
async function refusal(start: Promise<Alpha>): Promise<string> {
  const a = await start.catch((e: unknown) => e);
  if (!(a instanceof Error)) {
    await (a as Alpha).close();
    throw new Error('expected a refusal, and the Alpha started');
  }
  return a.message;
}

async function admin(a: Alpha, query: string): Promise<Record<string, unknown>> {
  const res = await a.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { 'content-type': 'application/json' },
    payload: { query },
  });
  return res.json() as Record<string, unknown>;
}

describe('encryption at rest', () => {
  it('keeps the store sealed, refuses a missing or wrong key, and restores sealed', async () => {
    const k1 = keyFile('k1', 1);
    const k2 = keyFile('k2', 2);

    // The control: a plain Alpha's folder holds every needle, so the scan can find them.
    const zp = await cluster('plain');
    const plainDir = path.join(root, 'plain', 'p');
    const plain = await alphaOn(zp, plainDir);
    await load(plain);
    await plain.close();
    await zp.close();
    expect(foundUnder(plainDir)).toHaveLength(needles().length);

    const zero = await cluster('sealed', k1.provider);
    const p = path.join(root, 'sealed', 'p');
    let a = await alphaOn(zero, p, k1.provider);
    await load(a);
    expect(await found(a)).toBe(NODES);
    const backups = path.join(root, 'backups');
    const b = await admin(a, `mutation { backup(input: {destination: "${backups}"}) { response { code } } }`);
    expect(JSON.stringify(b)).toContain('Success');
    await a.close();
    expect(foundUnder(p)).toEqual([]);
    // Backups of a sealed cluster are encrypted with its key by default (their manifests name
    // the predicates in plaintext, as Dgraph's do).
    expect(foundUnder(backups, (f) => f.endsWith('.backup'))).toEqual([]);

    // No key, or another one: refused, naming the fingerprints, and nothing under p changes.
    const before = readdirSync(p).map((f) => [f, readFileSync(path.join(p, f))] as const);
    await expect(alphaOn(zero, p)).rejects.toThrow(/encrypted at rest/);
    const wrong = await refusal(alphaOn(zero, p, k2.provider));
    expect(wrong).toContain(keyFingerprint(k1.key));
    expect(wrong).toContain(keyFingerprint(k2.key));
    for (const [f, bytes] of before) {
      if (f !== 'lock.mdb') expect(readFileSync(path.join(p, f)), f).toEqual(bytes);
    }

    // The right key opens it; an online restore writes the new store sealed too.
    a = await alphaOn(zero, p, k1.provider);
    expect(await found(a)).toBe(NODES);
    const r = (await admin(
      a,
      `mutation { restore(input: {location: "${backups}"}) { code restoreId } }`,
    )) as {
      data: { restore: { code: string; restoreId: number } };
    };
    expect(r.data.restore.code).toBe('Success');
    let status = '';
    for (let i = 0; i < 300 && status !== 'OK' && status !== 'ERR'; i++) {
      const s = (await admin(
        a,
        `{ restoreStatus(restoreId: ${r.data.restore.restoreId}) { status errors } }`,
      )) as {
        data: { restoreStatus: { status: string } };
      };
      status = s.data.restoreStatus.status;
      if (status !== 'OK' && status !== 'ERR') await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe('OK');
    expect(await found(a)).toBe(NODES);

    // Key rotation while the Alpha serves: only keys.json is rewritten; the Alpha keeps reading.
    const k3 = keyFile('k3', 3);
    const sealedFile = readFileSync(path.join(p, 'sealed.db'));
    await expect(rotateStoreKeys(p, k2.key, k3.key)).rejects.toThrow(keyFingerprint(k1.key));
    const rotated = await rotateStoreKeys(p, k1.key, k3.key);
    expect(rotated.stores.map((s) => s.state)).toEqual(['rotated']);
    expect((await rotateStoreKeys(p, k1.key, k3.key)).stores.map((s) => s.state)).toEqual(['already']);
    expect(await found(a)).toBe(NODES);
    await a.close();
    // The store file keeps its salt: the rotation did not re-encrypt it.
    expect(readFileSync(path.join(p, 'sealed.db')).subarray(0, 16)).toEqual(sealedFile.subarray(0, 16));
    expect(await refusal(alphaOn(zero, p, k1.provider))).toContain(keyFingerprint(k3.key));
    a = await alphaOn(zero, p, k3.provider);
    expect(await found(a)).toBe(NODES);
    await a.close();
    await expect(alphaOn(zero, p)).rejects.toThrow(/encrypted at rest/);
    await zero.close();
    // The live store, the old one, every restore leftover beside it, and Zero's state (its
    // tablets name the predicates), sealed under its own data key.
    const zw = path.join(root, 'sealed', 'zw');
    expect(
      readdirSync(zw)
        .filter((f) => f !== 'LOCK')
        .sort(),
    ).toEqual(['keys.json', 'zero-state.sealed']);
    expect(foundUnder(path.join(root, 'sealed'))).toEqual([]);
    expect(foundUnder(path.join(root, 'plain', 'zw'))).toContain(Buffer.from(PRED).toString('hex'));
    // Zero refuses to start without its key or with another one, and then with it starts again.
    await expect(cluster('sealed')).rejects.toThrow(/encrypted at rest/);
    await expect(cluster('sealed', k2.provider)).rejects.toThrow(keyFingerprint(k1.key));
    const z = await cluster('sealed', k1.provider);
    expect(z.store.groupCount).toBe(1);
    await z.close();
  }, 120_000);

  it('exports encrypted with the cluster key by default, in plaintext only when asked', async () => {
    const k = keyFile('k-export', 7);
    const zero = await cluster('exports', k.provider);
    const a = await alphaOn(zero, path.join(root, 'exports', 'p'), k.provider);
    const exportOf = async (input: string) => {
      const r = (await admin(
        a,
        `mutation { export(input: {${input}}) { response { code } exportedFiles } }`,
      )) as { data: { export: { response: { code: string }; exportedFiles: string[] } } };
      expect(r.data.export.response.code).toBe('Success');
      return r.data.export.exportedFiles;
    };
    try {
      await load(a);
      const sealed = await exportOf('format: "rdf"');
      const plain = await exportOf('format: "rdf", encrypted: false');
      expect(sealed.map((f) => path.basename(f))).toEqual(['data.rdf.gz', 'schema.txt.gz']);
      expect(plain.map((f) => path.basename(f))).toEqual(['data.rdf', 'schema.txt']);
      expect(path.dirname(sealed[0]!)).not.toBe(path.dirname(plain[0]!));
      // Decrypted with Node's own AES-CTR and gunzip (the IV first, as Dgraph's enc.GetReader
      // reads it), each is the plaintext export: the data read at its own timestamp, same facts.
      for (const [i, f] of sealed.entries()) {
        const bytes = readFileSync(f);
        const d = createDecipheriv('aes-256-ctr', k.key, bytes.subarray(0, 16));
        const text = gunzipSync(Buffer.concat([d.update(bytes.subarray(16)), d.final()]));
        expect(text.toString()).toBe(readFileSync(plain[i]!, 'utf8'));
      }
      expect(readFileSync(plain[0]!, 'utf8').split('\n').length).toBeGreaterThan(2 * NODES);
      expect(foundUnder(path.dirname(sealed[0]!))).toEqual([]);
      expect(foundUnder(path.dirname(plain[0]!))).toContain(Buffer.from(WORD).toString('hex'));
    } finally {
      await a.close();
      await zero.close();
    }
    // A plain cluster has no key to encrypt with: asked to, it refuses.
    const zp = await cluster('exports-plain');
    const p = await alphaOn(zp, path.join(root, 'exports-plain', 'p'));
    try {
      expect(
        JSON.stringify(await admin(p, 'mutation { export(input: {encrypted: true}) { exportedFiles } }')),
      ).toContain('needs a cluster encrypted at rest');
    } finally {
      await p.close();
      await zp.close();
    }
  }, 60_000);
});
