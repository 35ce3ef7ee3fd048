/** `/admin` `expireBackups` through `fastify.inject`: an Alpha with a real Zero (its backup lock) and `--restore_dirs`. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlpha, createZero, TOKEN_HEADER, type Alpha, type Zero } from '../src/index.js';

const TOKEN = 'expire-test-token-0123456789';
const root = mkdtempSync(path.join(tmpdir(), 'strata-expire-test-'));
const allowed = path.join(root, 'backups');
let zero: Zero;
let alpha: Alpha;
let n = 0;

beforeAll(async () => {
  mkdirSync(allowed);
  zero = await createZero({ dataDir: path.join(root, 'zw'), port: 0, token: TOKEN, groups: 1 });
  alpha = await createAlpha({
    zero: `127.0.0.1:${zero.port}`,
    port: 0,
    token: TOKEN,
    group: 1,
    dataDir: path.join(root, 'p1'),
    restoreDirs: [allowed],
  });
});

afterAll(async () => {
  await alpha?.close();
  await zero?.close();
  rmSync(root, { recursive: true, force: true });
});

function entry(id: string, num: number, day: number) {
  return {
    type: num === 1 ? 'full' : 'incremental',
    since: 0,
    read_ts: day * 10,
    groups: { '1': ['0-name'] },
    backup_id: id,
    backup_num: num,
    version: 2105,
    path: `dgraph.202612${String(day).padStart(2, '0')}.120000.000`,
    encrypted: false,
    drop_operations: null,
    compression: 'snappy',
  };
}

/** A v21.12+ master-manifest location with series a (a1, a2) and b (b1, b2). */
function location(parent = allowed): string {
  const dir = path.join(parent, `loc${n++}`);
  const entries = [entry('a', 1, 1), entry('a', 2, 2), entry('b', 1, 3), entry('b', 2, 4)];
  for (const e of entries) {
    mkdirSync(path.join(dir, e.path), { recursive: true });
    writeFileSync(path.join(dir, e.path, `r${e.read_ts}-g1.backup`), 'data');
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ Manifests: entries }));
  return dir;
}

const FIELDS =
  '{ location dryRun filesDeleted warnings removed { path backupId backupNum type readTs time reasons } kept { path backupNum } }';

interface Payload {
  location: string;
  dryRun: boolean;
  filesDeleted: number;
  warnings: string[];
  removed: {
    path: string;
    backupId: string;
    backupNum: number;
    type: string;
    readTs: number;
    time: string;
    reasons: string[];
  }[];
  kept: { path: string; backupNum: number }[];
}

async function expire(args: string) {
  const r = await alpha.app.inject({
    method: 'POST',
    url: '/admin',
    payload: { query: `mutation { expireBackups(input: {${args}}) ${FIELDS} }` },
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{
    data?: { expireBackups: Payload | null };
    errors?: { message: string; extensions?: { code?: string } }[];
  }>();
}

describe('/admin expireBackups', () => {
  it('dryRun: the plan with reasons, nothing removed', async () => {
    const loc = location();
    const r = await expire(`location: ${JSON.stringify(loc)}, keepSeries: 1, dryRun: true`);
    expect(r.errors).toBeUndefined();
    const p = r.data!.expireBackups!;
    expect(p.dryRun).toBe(true);
    expect(p.location).toBe(loc);
    expect(p.removed.map((b) => [b.backupId, b.backupNum, b.type, b.readTs])).toEqual([
      ['a', 1, 'full', 10],
      ['a', 2, 'incremental', 20],
    ]);
    expect(p.removed[0]!.time).toBe('2026-12-01T12:00:00.000Z');
    expect(p.removed[0]!.reasons).toEqual(['series 2 of 2 (newest first), beyond --keep-series 1']);
    expect(p.kept.map((b) => b.backupNum)).toEqual([1, 2]);
    expect(p.filesDeleted).toBe(0);
    expect(existsSync(path.join(loc, 'dgraph.20261201.120000.000'))).toBe(true);
  });

  it('removes: the manifest no longer lists them and their folders are gone', async () => {
    const loc = location();
    const r = await expire(`location: ${JSON.stringify(loc)}, keepLast: 1`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.expireBackups!.removed.map((b) => b.path)).toEqual([
      'dgraph.20261201.120000.000',
      'dgraph.20261202.120000.000',
    ]);
    expect(r.data!.expireBackups!.filesDeleted).toBe(2);
    const m = JSON.parse(readFileSync(path.join(loc, 'manifest.json'), 'utf8')) as {
      Manifests: { backup_id: string }[];
    };
    expect(m.Manifests.map((e) => e.backup_id)).toEqual(['b', 'b']);
    expect(existsSync(path.join(loc, 'dgraph.20261201.120000.000'))).toBe(false);
  });

  it('a local location outside --restore_dirs is refused', async () => {
    const loc = location(root);
    const r = await expire(`location: ${JSON.stringify(loc)}, keepLast: 1`);
    expect(r.errors?.[0]?.message).toMatch(/--restore_dirs/);
    expect(existsSync(path.join(loc, 'dgraph.20261201.120000.000'))).toBe(true);
  });

  it('needs a rule; a bad duration is named', async () => {
    const loc = location();
    expect((await expire(`location: ${JSON.stringify(loc)}`)).errors?.[0]?.message).toMatch(
      /at least one rule/,
    );
    const bad = await expire(`location: ${JSON.stringify(loc)}, keepWithin: "a month"`);
    expect(bad.errors?.[0]?.message).toMatch(/duration "a month" is not valid/);
  });

  it("does not run while Zero's backup lock is held (a backup or restore runs)", async () => {
    const loc = location();
    const lock = (body: object) =>
      zero.app.inject({
        method: 'POST',
        url: '/internal/backup-lock',
        headers: { [TOKEN_HEADER]: TOKEN },
        payload: body,
      });
    expect(
      (
        await lock({
          op: 'acquire',
          id: 'backup-x',
          kind: 'backup',
          holder: 'elsewhere',
          description: 'backup to /b',
          timeoutMs: 60_000,
        })
      ).statusCode,
    ).toBe(200);
    try {
      const r = await expire(`location: ${JSON.stringify(loc)}, keepLast: 1`);
      expect(r.errors?.[0]?.message).toMatch(/^expire refused: another backup is running: backup to \/b/);
      expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(existsSync(path.join(loc, 'dgraph.20261201.120000.000'))).toBe(true);
    } finally {
      await lock({ op: 'release', id: 'backup-x' });
    }
    // Released: it runs, and releases the lock in turn.
    expect((await expire(`location: ${JSON.stringify(loc)}, keepLast: 1`)).errors).toBeUndefined();
    const again = await lock({
      op: 'acquire',
      id: 'backup-y',
      kind: 'backup',
      holder: 'h',
      description: 'd',
      timeoutMs: 1000,
    });
    expect(again.statusCode).toBe(200);
    await lock({ op: 'release', id: 'backup-y' });
  });
});
