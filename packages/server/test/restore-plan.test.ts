// `/admin` `restorePlan` (the online restore's dry run, issue 18): on a 2-group cluster with an
// encryption key and an auth token, it returns the plan core's dry run (what `strata restore
// --dry-run` prints) gives for the same series, group count and `until`, re-sharding a 3-group
// Dgraph series onto the 2 groups; it changes nothing (Zero's state, the stores, the data a query
// answers; no folder written; no lock held); it refuses what `restore` refuses (wrong key, a
// missing file, sameGroups on another group count, a location outside --restore_dirs) with the
// same message; it answers while another holds the backup/restore lock; and without the auth
// token it is refused.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyProviderFrom, parseUntil, restoreOffline, type RestorePlan } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAlpha,
  createZero,
  TOKEN_HEADER,
  type Alpha,
  type Zero,
  type ZeroStore,
} from '../src/index.js';

const TOKEN = 'plan-test-cluster-token-0123456789';
const AUTH = 'plan-test-auth-token-abcdef';
const root = mkdtempSync(path.join(tmpdir(), 'strata-plan-test-'));
const backups = path.join(root, 'backups');
const keyFile = path.join(root, 'enc_key');
const wrongKeyFile = path.join(root, 'wrong_key');
const KEY = Buffer.alloc(32, 7);
const DGRAPH_3GROUPS = path.resolve(
  import.meta.dirname,
  '../../../../shared/fixtures/dgraph/v20.11-series-3groups',
);
let zero: Zero;
const alphas: Alpha[] = [];

interface GqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

/** `auth` null: no token sent. */
async function admin(query: string, auth: string | null = AUTH): Promise<GqlAnswer> {
  const res = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { 'content-type': 'application/json', ...(auth ? { 'x-dgraph-authtoken': auth } : {}) },
    payload: { query },
  });
  return res.json() as GqlAnswer;
}

async function people(from: number, to: number): Promise<void> {
  const rdf = [];
  for (let i = from; i < to; i++) rdf.push(`_:p${i} <name> "person ${i}" .\n_:p${i} <age> "${i}" .`);
  const m = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf', 'x-dgraph-authtoken': AUTH },
    payload: `{ set { ${rdf.join('\n')} } }`,
  });
  expect(m.statusCode, m.body).toBe(200);
}

async function count(): Promise<number> {
  const r = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/query',
    headers: { 'content-type': 'application/dql', 'x-dgraph-authtoken': AUTH },
    payload: '{ q(func: has(name)) { count(uid) } }',
  });
  return (r.json() as { data: { q: { count: number }[] } }).data.q[0]!.count;
}

async function backup(): Promise<void> {
  const r = await admin(
    `mutation { backup(input: {destination: "${backups}"}) { response { code message } } }`,
  );
  expect(JSON.stringify(r)).toContain('Success');
}

const PLAN_FIELDS = `code message location backupId chosen readTs encrypted partial resharded sourceGroups
  targetGroups backups { backupNum type readTs path time }
  groups { group files bytes kvs predicates predicateNames sources } warnings`;

interface PlanAnswer {
  code: string;
  message: string;
  location: string;
  backupId: string;
  chosen: string | null;
  readTs: number;
  encrypted: boolean;
  partial: boolean;
  resharded: boolean;
  sourceGroups: number;
  targetGroups: number;
  backups: { backupNum: number; type: string; readTs: number; path: string; time: string | null }[];
  groups: {
    group: number;
    files: number;
    bytes: number;
    kvs: number;
    predicates: number;
    predicateNames: string[];
    sources: number[];
  }[];
  warnings: string[];
}

async function plan(
  args: string,
  auth: string | null = AUTH,
): Promise<{ plan?: PlanAnswer; errors: string[] }> {
  const r = await admin(`{ restorePlan(input: {${args}}) { ${PLAN_FIELDS} } }`, auth);
  return {
    ...(r.data?.restorePlan ? { plan: r.data.restorePlan as PlanAnswer } : {}),
    errors: (r.errors ?? []).map((e) => e.message),
  };
}

/** The restore mutation's refusal (it must be one: nothing may start). */
async function restoreRefusal(args: string): Promise<string[]> {
  const r = await admin(`mutation { restore(input: {${args}}) { code message restoreId } }`);
  expect(r.data?.restore ?? null, JSON.stringify(r)).toBeNull();
  return (r.errors ?? []).map((e) => e.message);
}

/** Core's plan (the CLI's dry run) in the GraphQL answer's shape (64-bit numbers as numbers). */
function asAnswer(p: RestorePlan) {
  return {
    backupId: p.backupId,
    backups: p.backups.map((b) => ({ ...b, readTs: Number(b.readTs) })),
    groups: p.groups.map((g) => ({ ...g })),
  };
}

/** Everything that would show a write: Zero's state, the data folders' listings, the root's. */
function snapshot() {
  const list = (d: string): string[] =>
    readdirSync(d, { recursive: true, withFileTypes: true }).map((e) => path.join(e.parentPath, e.name));
  return {
    zero: JSON.stringify((zero.store as ZeroStore).toJSON()),
    root: readdirSync(root).sort(),
    p1: list(path.join(root, 'p1')).sort(),
    p2: list(path.join(root, 'p2')).sort(),
  };
}

beforeAll(async () => {
  writeFileSync(keyFile, KEY);
  writeFileSync(wrongKeyFile, Buffer.alloc(32, 9));
  cpSync(DGRAPH_3GROUPS, path.join(root, 'dgraph3'), { recursive: true });
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 2 });
  for (const g of [1, 2]) {
    alphas.push(
      await createAlpha({
        zero: `127.0.0.1:${zero.port}`,
        port: 0,
        token: TOKEN,
        restoreDirs: [root],
        group: g,
        dataDir: path.join(root, `p${g}`),
        keyProvider: keyProviderFrom({ encryptionKeyFile: keyFile }),
        security: { token: AUTH, tokenFor: 'admin' },
      }),
    );
  }
  await zero.store.moveTablet('name', 1);
  await zero.store.moveTablet('age', 2);
  const alter = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/alter',
    headers: { 'x-dgraph-authtoken': AUTH },
    payload: 'name: string .\nage: int .',
  });
  expect(alter.statusCode, alter.body).toBe(200);
  await people(0, 20);
  await backup();
  await people(20, 30);
  await backup();
  await people(30, 35);
}, 60_000);

afterAll(async () => {
  for (const a of alphas) await a.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('restorePlan', () => {
  it('returns the plan of the CLI dry run for the same series, changing nothing', async () => {
    expect(await count()).toBe(35);
    const before = snapshot();
    const r = await plan(`location: "${backups}"`);
    const after = snapshot();
    expect(r.errors).toEqual([]);
    expect(after).toEqual(before);
    expect(await count()).toBe(35);

    const p = r.plan!;
    expect(p.code).toBe('Success');
    expect(p.message).toContain('nothing was changed');
    expect(p.location).toBe(backups);
    expect(p.encrypted).toBe(true);
    expect(p.chosen).toBeNull();
    expect([p.partial, p.resharded, p.sourceGroups, p.targetGroups]).toEqual([false, false, 2, 2]);
    const cli = await restoreOffline({
      location: backups,
      pdir: path.join(root, 'never-written'),
      key: KEY,
      targetGroups: 2,
      dryRun: true,
      plan: true,
    });
    expect({
      backupId: p.backupId,
      backups: p.backups,
      groups: p.groups.map(({ predicateNames: _n, ...g }) => g),
    }).toEqual(asAnswer(cli.plan!));
    expect(p.readTs).toBe(Number(cli.readTs));
    expect(p.backups.map((b) => b.type)).toEqual(['full', 'incremental']);
    expect(p.groups.map((g) => g.predicateNames.filter((n) => !n.startsWith('dgraph.')))).toEqual([
      ['name'],
      ['age'],
    ]);
    // Every file decoded: the KVs of the two backups (35 people's names and ages were 30 then).
    expect(p.groups.every((g) => g.files === 2 && g.kvs > 0 && g.bytes > 0)).toBe(true);
    expect(readdirSync(root).some((f) => f.includes('restore-check') || f === 'never-written')).toBe(false);

    // No lock is held: a backup runs right after (and the plan of until its full stays the same).
    await backup();
  });

  it('with until, names the backup chosen and plans that chain, as the CLI does', async () => {
    const all = (await plan(`location: "${backups}"`)).plan!;
    const full = all.backups[0]!;
    const r = await plan(`location: "${backups}", until: "${full.readTs}"`);
    expect(r.errors).toEqual([]);
    const cli = await restoreOffline({
      location: backups,
      pdir: path.join(root, 'never-written'),
      key: KEY,
      until: parseUntil(String(full.readTs)),
      targetGroups: 2,
      dryRun: true,
      plan: true,
    });
    expect(r.plan!.chosen).toBe(cli.chosen!.reason);
    expect(r.plan!.chosen).toMatch(new RegExp(`chose backup \\S+ #1 \\(full, read timestamp ${full.readTs}`));
    expect(r.plan!.message).toContain(cli.chosen!.reason);
    expect(r.plan!.backups).toEqual(asAnswer(cli.plan!).backups);
    expect(r.plan!.backups).toHaveLength(1);
    expect(r.plan!.groups.map(({ predicateNames: _n, ...g }) => g)).toEqual(asAnswer(cli.plan!).groups);
  });

  it('re-shards a 3-group Dgraph series onto the 2 groups, and partial, as the CLI plans it', async () => {
    const loc = path.join(root, 'dgraph3');
    const r = await plan(`location: "${loc}", exclude: ["p3"]`);
    expect(r.errors).toEqual([]);
    const cli = await restoreOffline({
      location: loc,
      pdir: path.join(root, 'never-written'),
      targetGroups: 2,
      selection: { exclude: ['p3'] },
      dryRun: true,
      plan: true,
    });
    const p = r.plan!;
    expect([p.partial, p.resharded, p.sourceGroups, p.targetGroups, p.encrypted]).toEqual([
      true,
      true,
      3,
      2,
      false,
    ]);
    expect(p.groups.map(({ predicateNames: _n, ...g }) => g)).toEqual(asAnswer(cli.plan!).groups);
    expect(p.backups).toEqual(asAnswer(cli.plan!).backups);
    expect(p.groups.flatMap((g) => g.predicateNames)).not.toContain('p3');
    expect(p.groups.flatMap((g) => g.predicateNames)).toContain('p1');
    expect(await count()).toBe(35);
  });

  it('refuses what restore refuses, with the same message, changing nothing', async () => {
    const before = await count();
    const same = async (args: string, expected: RegExp) => {
      const p = await plan(args);
      expect(p.plan).toBeUndefined();
      expect(p.errors).toHaveLength(1);
      expect(p.errors[0]).toMatch(expected);
      expect(await restoreRefusal(args)).toEqual(p.errors);
    };
    // A wrong key: the restore's key check against the encrypted files.
    await same(
      `location: "${backups}", encryptionKeyFile: "${wrongKeyFile}"`,
      /^restore refused, nothing was changed: .*key/i,
    );
    // A missing file.
    const broken = path.join(root, 'broken');
    cpSync(backups, broken, { recursive: true });
    const folder = readdirSync(broken).find((f) => f.startsWith('dgraph.'))!;
    const file = readdirSync(path.join(broken, folder)).find((f) => f.endsWith('-g2.backup'))!;
    rmSync(path.join(broken, folder, file));
    await same(
      `location: "${broken}"`,
      /^restore refused, nothing was changed: missing backup file .*-g2\.backup/,
    );
    // sameGroups with a 3-group backup on this 2-group cluster.
    await same(
      `location: "${path.join(root, 'dgraph3')}", sameGroups: true`,
      /^restore refused, nothing was changed: .*3.*2/,
    );
    // A location outside --restore_dirs, and a key file outside them.
    await same(
      `location: "${DGRAPH_3GROUPS}"`,
      /^restore refused: location .* is outside the allowed folders/,
    );
    await same(
      `location: "${backups}", encryptionKeyFile: "/etc/hostname"`,
      /^restore refused: encryptionKeyFile .* is outside the allowed folders/,
    );
    // A selection naming what the backup does not hold.
    await same(
      `location: "${backups}", predicates: ["nope"]`,
      /^restore refused, nothing was changed: .*nope/,
    );
    expect(await count()).toBe(before);
  });

  it('takes no lock: it answers while a backup holds the lock that makes restore wait', async () => {
    const lock = (op: string) =>
      zero.app.inject({
        method: 'POST',
        url: '/internal/backup-lock',
        headers: { [TOKEN_HEADER]: TOKEN },
        payload: {
          op,
          id: 'backup-held-by-test',
          holder: '127.0.0.1:1',
          description: 'backup to /elsewhere',
        },
      });
    expect((await lock('acquire')).statusCode).toBe(200);
    try {
      const refused = await restoreRefusal(`location: "${backups}"`);
      expect(refused).toEqual([
        expect.stringMatching(/^restore refused: another backup is running: backup to \/elsewhere/),
      ]);
      const r = await plan(`location: "${backups}"`);
      expect(r.errors).toEqual([]);
      expect(r.plan!.code).toBe('Success');
    } finally {
      await lock('release');
    }
  });

  it('is refused without the auth token, and never echoes the credentials it was given', async () => {
    for (const auth of [null, 'wrong-token']) {
      const r = await plan(`location: "${backups}"`, auth);
      expect(r.plan).toBeUndefined();
      expect(JSON.stringify(r)).not.toContain('nothing was changed');
    }
    const res = await alphas[0]!.app.inject({
      method: 'POST',
      url: '/admin',
      headers: { 'content-type': 'application/json' },
      payload: { query: `{ restorePlan(input: {location: "${backups}"}) { code } }` },
    });
    expect(res.statusCode).toBe(401);
    const secret = 'SECRETKEY-plan-test-never-shown';
    const s3 = await plan(
      `location: "s3://127.0.0.1:1/bucket/x?secure=false", accessKey: "AK", secretKey: "${secret}"`,
    );
    expect(s3.plan).toBeUndefined();
    expect(s3.errors.length).toBe(1);
    expect(s3.errors[0]).not.toContain(secret);
  });
});
