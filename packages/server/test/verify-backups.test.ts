// `/admin` `verifyBackups` (issue 18): on a copy of a real Dgraph series it gives the report core's
// verify (what `strata verify --json` prints) gives, deep off and on, sound and with a truncated,
// a corrupted and a missing file; it opens the cluster's own encrypted backups with the cluster's
// key, and reports a wrong key file; it is refused without the auth token, for a location or key
// file outside --restore_dirs, and never echoes a secret key.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyProviderFrom, verify, type VerifyReport } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'verify-test-cluster-token-0123456789';
const AUTH = 'verify-test-auth-token-abcdef';
const root = mkdtempSync(path.join(tmpdir(), 'strata-verify-test-'));
const sound = path.join(root, 'sound');
const broken = path.join(root, 'broken');
const own = path.join(root, 'own');
const keyFile = path.join(root, 'enc_key');
const wrongKeyFile = path.join(root, 'wrong_key');
const DGRAPH_3GROUPS = path.resolve(
  import.meta.dirname,
  '../../../../shared/fixtures/dgraph/v20.11-series-3groups',
);
let zero: Zero;
let alpha: Alpha;

const FIELDS = `ok location backupId problems warnings
  backups { backupId backupNum path type readTs layout ok problems
    files { file group bytes kvs ok error sha256 deepProblems } }
  deep { files bytes keys problems
    groups { group files bytes keys keysByType { type count } predicates minVersion maxVersion problems notes } }`;

interface Answer {
  report?: Record<string, unknown>;
  errors: string[];
  status: number;
}

/** `auth` null: no token sent. */
async function verifyBackups(args: string, auth: string | null = AUTH): Promise<Answer> {
  const res = await alpha.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { 'content-type': 'application/json', ...(auth ? { 'x-dgraph-authtoken': auth } : {}) },
    payload: { query: `{ verifyBackups(input: {${args}}) { ${FIELDS} } }` },
  });
  const body = res.json() as {
    data?: { verifyBackups: Record<string, unknown> | null } | null;
    errors?: { message: string }[];
  };
  return {
    ...(body.data?.verifyBackups ? { report: body.data.verifyBackups } : {}),
    errors: (body.errors ?? []).map((e) => e.message),
    status: res.statusCode,
  };
}

/** Core's report in the GraphQL answer's shape: 64-bit numbers as numbers, absent fields null. */
function asAnswer(r: VerifyReport): Record<string, unknown> {
  return {
    ok: r.ok,
    location: r.location,
    backupId: r.backupId,
    problems: r.problems,
    warnings: r.warnings,
    backups: r.backups.map((b) => ({
      ...b,
      readTs: Number(b.readTs),
      files: b.files.map((f) => ({
        file: f.file,
        group: f.group,
        bytes: f.bytes,
        kvs: f.kvs,
        ok: f.ok,
        error: f.error ?? null,
        sha256: f.sha256 ?? null,
        deepProblems: f.deepProblems ?? null,
      })),
    })),
    deep: r.deep
      ? {
          files: r.deep.files,
          bytes: r.deep.bytes,
          keys: r.deep.keys,
          problems: r.deep.problems,
          groups: r.deep.groups.map((g) => ({
            group: g.group,
            files: g.files,
            bytes: g.bytes,
            keys: g.keys,
            keysByType: Object.entries(g.keysByType).map(([type, count]) => ({ type, count })),
            predicates: g.predicates,
            minVersion: g.minVersion === undefined ? null : Number(g.minVersion),
            maxVersion: g.maxVersion === undefined ? null : Number(g.maxVersion),
            problems: g.problems,
            notes: g.notes,
          })),
        }
      : null,
  };
}

beforeAll(async () => {
  writeFileSync(keyFile, Buffer.alloc(32, 3));
  writeFileSync(wrongKeyFile, Buffer.alloc(32, 4));
  cpSync(DGRAPH_3GROUPS, sound, { recursive: true });
  cpSync(DGRAPH_3GROUPS, broken, { recursive: true });
  const trunc = path.join(broken, 'dgraph.20210517.094634.533/r54-g2.backup');
  const t = readFileSync(trunc);
  writeFileSync(trunc, t.subarray(0, t.length - 20));
  const corrupt = path.join(broken, 'dgraph.20210517.094648.003/r58-g1.backup');
  const c = readFileSync(corrupt);
  for (let i = 40; i < 60; i++) c[i] = c[i]! ^ 0x5a;
  writeFileSync(corrupt, c);
  rmSync(path.join(broken, 'dgraph.20210517.094648.003/r58-g3.backup'));

  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 1 });
  alpha = await createAlpha({
    zero: `127.0.0.1:${zero.port}`,
    port: 0,
    token: TOKEN,
    restoreDirs: [root],
    group: 1,
    dataDir: path.join(root, 'p1'),
    keyProvider: keyProviderFrom({ encryptionKeyFile: keyFile }),
    security: { token: AUTH, tokenFor: 'admin' },
  });
  const h = { 'x-dgraph-authtoken': AUTH };
  await alpha.app.inject({ method: 'POST', url: '/alter', headers: h, payload: 'name: string .' });
  const m = await alpha.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { ...h, 'content-type': 'application/rdf' },
    payload: '{ set { _:a <name> "a" .\n_:b <name> "b" . } }',
  });
  expect(m.statusCode, m.body).toBe(200);
  const b = await alpha.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { ...h, 'content-type': 'application/json' },
    payload: { query: `mutation { backup(input: {destination: "${own}"}) { response { code } } }` },
  });
  expect(b.body).toContain('Success');
}, 60_000);

afterAll(async () => {
  await alpha?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('verifyBackups', () => {
  it('gives core verify report of a sound Dgraph series, deep off and on', async () => {
    for (const deep of [false, true]) {
      const r = await verifyBackups(`location: "${sound}", deep: ${deep}`);
      expect(r.errors).toEqual([]);
      const core = await verify({ location: sound, deep });
      expect(core.ok).toBe(true);
      expect(r.report).toEqual(asAnswer(core));
      expect(r.report!.backups as unknown[]).toHaveLength(3);
      if (deep) expect((r.report!.deep as { groups: unknown[] }).groups).toHaveLength(3);
      else expect(r.report!.deep).toBeNull();
    }
    // backupNum cuts the chain as the CLI's --backup_num does.
    const two = await verifyBackups(`location: "${sound}", backupNum: 2`);
    expect(two.report).toEqual(asAnswer(await verify({ location: sound, backupNum: 2 })));
    expect(two.report!.backups as unknown[]).toHaveLength(2);
  });

  it('names the truncated, corrupted and missing files of a broken copy, deep off and on', async () => {
    for (const deep of [false, true]) {
      const r = await verifyBackups(`location: "${broken}", deep: ${deep}`);
      expect(r.errors).toEqual([]);
      expect(r.report).toEqual(asAnswer(await verify({ location: broken, deep })));
      const backups = r.report!.backups as { ok: boolean; problems: string[] }[];
      expect(r.report!.ok).toBe(false);
      expect(backups.map((b) => b.ok)).toEqual([true, false, false]);
      expect(backups[1]!.problems).toHaveLength(1);
      expect(backups[1]!.problems[0]).toMatch(
        /^dgraph\.20210517\.094634\.533\/r54-g2\.backup: .*(truncated|unexpected end)/i,
      );
      const last = backups[2]!.problems.join('\n');
      expect(last).toMatch(/^dgraph\.20210517\.094648\.003\/r58-g1\.backup: /m);
      expect(last).toContain('missing backup file dgraph.20210517.094648.003/r58-g3.backup');
      if (deep) {
        const g2 = (r.report!.deep as { groups: { group: number; problems: number }[] }).groups.find(
          (g) => g.group === 2,
        );
        expect(g2!.problems).toBe(1);
      }
    }
  });

  it("opens the cluster's own encrypted backups with its key, and reports a wrong key file", async () => {
    const r = await verifyBackups(`location: "${own}", deep: true`);
    expect(r.errors).toEqual([]);
    expect(r.report!.ok).toBe(true);
    const files = (r.report!.backups as { files: { kvs: number; sha256: string | null }[] }[])[0]!.files;
    expect(files.every((f) => f.kvs > 0 && /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);
    // Without a key, core (as the CLI without --encryption_key_file) decodes nothing.
    expect((await verify({ location: own })).ok).toBe(false);
    const wrong = await verifyBackups(`location: "${own}", encryptionKeyFile: "${wrongKeyFile}"`);
    expect(wrong.errors).toEqual([]);
    expect(wrong.report!.ok).toBe(false);
    expect((wrong.report!.backups as { problems: string[] }[])[0]!.problems.join('\n')).toMatch(/key/i);
  });

  it('is refused without the auth token, outside --restore_dirs, and a location with no backups is a problem', async () => {
    for (const auth of [null, 'wrong-token']) {
      const r = await verifyBackups(`location: "${sound}"`, auth);
      expect(r.report).toBeUndefined();
      expect(r.status).toBe(401);
    }
    const outside = await verifyBackups(`location: "${DGRAPH_3GROUPS}"`);
    expect(outside.report).toBeUndefined();
    expect(outside.errors).toEqual([
      expect.stringMatching(/^restore refused: location .* is outside the allowed folders/),
    ]);
    const key = await verifyBackups(`location: "${sound}", encryptionKeyFile: "/etc/hostname"`);
    expect(key.errors).toEqual([
      expect.stringMatching(/^restore refused: encryptionKeyFile .* is outside the allowed folders/),
    ]);
    // A folder with no backups is a problem of the report (as for the CLI); one that is not there
    // is refused by the --restore_dirs check before anything is read.
    const empty = await verifyBackups(`location: "${path.join(root, 'p1')}"`);
    expect(empty.report).toMatchObject({
      ok: false,
      backups: [],
      problems: ['no backups found at the location'],
    });
    const gone = await verifyBackups(`location: "${path.join(root, 'gone')}"`);
    expect(gone.errors).toEqual([expect.stringMatching(/location .*gone" cannot be resolved/)]);
    const secret = 'SECRETKEY-verify-test-never-shown';
    const s3 = await verifyBackups(
      `location: "s3://127.0.0.1:1/bucket/x?secure=false", accessKey: "AK", secretKey: "${secret}"`,
    );
    expect(s3.errors).toHaveLength(1);
    expect(s3.errors[0]).not.toContain(secret);
  });
});
