// The `restore` mutation's `until` (Strata's point in time): on a 2-group cluster with a full and an
// incremental backup, `until` the full's read timestamp restores the full alone (the answer names
// the backup chosen), and a point older than every backup or beside backupNum is refused with
// nothing changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'until-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-until-test-'));
const backups = path.join(root, 'backups');
let zero: Zero;
const alphas: Alpha[] = [];

async function admin(query: string): Promise<Record<string, unknown>> {
  const res = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/admin',
    headers: { 'content-type': 'application/json' },
    payload: { query },
  });
  return res.json() as Record<string, unknown>;
}

async function people(from: number, to: number): Promise<void> {
  const rdf = [];
  for (let i = from; i < to; i++) rdf.push(`_:p${i} <name> "person ${i}" .\n_:p${i} <age> "${i}" .`);
  const m = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/mutate?commitNow=true',
    headers: { 'content-type': 'application/rdf' },
    payload: `{ set { ${rdf.join('\n')} } }`,
  });
  expect(m.statusCode).toBe(200);
}

async function count(): Promise<number> {
  const r = await alphas[0]!.app.inject({
    method: 'POST',
    url: '/query',
    headers: { 'content-type': 'application/dql' },
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

beforeAll(async () => {
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
      }),
    );
  }
  await zero.store.moveTablet('name', 1);
  await zero.store.moveTablet('age', 2);
  await alphas[0]!.app.inject({ method: 'POST', url: '/alter', payload: 'name: string .\nage: int .' });
  await people(0, 20);
  await backup();
  await people(20, 30);
  await backup();
}, 60_000);

afterAll(async () => {
  for (const a of alphas) await a.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('restore(input: {until})', () => {
  it('restores the chain ending with the newest backup at or before it, and says which', async () => {
    const list = (await admin(`{ listBackups(input: {location: "${backups}"}) { backupNum readTs } }`)) as {
      data: { listBackups: { backupNum: number; readTs: number }[] };
    };
    const full = list.data.listBackups.find((b) => b.backupNum === 1)!;
    const incr = list.data.listBackups.find((b) => b.backupNum === 2)!;
    expect(incr.readTs).toBeGreaterThan(full.readTs);
    await people(30, 35);
    expect(await count()).toBe(35);

    const r = (await admin(
      `mutation { restore(input: {location: "${backups}", until: "${incr.readTs - 1}"}) { code message restoreId } }`,
    )) as { data: { restore: { code: string; message: string; restoreId: number } } };
    expect(r.data.restore.code).toBe('Success');
    expect(r.data.restore.message).toMatch(
      new RegExp(
        `until read timestamp ${incr.readTs - 1}: chose backup \\S+ #1 \\(full, read timestamp ${full.readTs}`,
      ),
    );
    let status = '';
    for (let i = 0; i < 200 && status !== 'OK' && status !== 'ERR'; i++) {
      const s = (await admin(
        `{ restoreStatus(restoreId: ${r.data.restore.restoreId}) { status errors } }`,
      )) as {
        data: { restoreStatus: { status: string } };
      };
      status = s.data.restoreStatus.status;
      if (status === 'IN_PROGRESS') await new Promise((res) => setTimeout(res, 100));
    }
    expect(status).toBe('OK');
    expect(await count()).toBe(20);
  });

  it('refuses a point older than every backup, and until beside backupNum, changing nothing', async () => {
    const before = await count();
    const old = await admin(
      `mutation { restore(input: {location: "${backups}", until: "1"}) { code message } }`,
    );
    expect(JSON.stringify(old)).toMatch(
      /restore refused, nothing was changed: no backup at or before read timestamp 1/,
    );
    const both = await admin(
      `mutation { restore(input: {location: "${backups}", until: "2030-01-01", backupNum: 1}) { code message } }`,
    );
    expect(JSON.stringify(both)).toContain('until and backupNum exclude each other');
    const zone = await admin(
      `mutation { restore(input: {location: "${backups}", until: "2030-01-01T10:00"}) { code message } }`,
    );
    expect(JSON.stringify(zone)).toContain('with its zone');
    expect(await count()).toBe(before);
  });
});
