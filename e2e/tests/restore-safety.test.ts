// Online restore is all groups or none, and restore requests name files only inside --restore_dirs:
// a restore whose group 2 fails while staging leaves every group on its old data with nothing left
// beside the stores, and the next restore works; key, Vault and location paths outside the folders
// (or any key file without --restore_dirs) are refused without a word about the file's contents.
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesRoot } from './paths.js';
import { killAll } from './procs.js';
import { RESTORE, TestCluster, restoreOnline } from './harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-restore-safety-'));
const SET = path.join(fixturesRoot, 'v20.11-series-2groups');
const good = path.join(tmp, 'good');
const bad = path.join(tmp, 'bad');
const cluster = new TestCluster(tmp, 'rs', 2, ['--restore_dirs', tmp]);
const bare = new TestCluster(tmp, 'bare', 1);

const STATUS = 'query ($id: Int!) { restoreStatus(restoreId: $id) { status errors } }';

function copySet(to: string): void {
  cpSync(SET, to, { recursive: true });
  const walk = (d: string): void => {
    chmodSync(d, 0o755);
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else chmodSync(p, 0o644);
    }
  };
  walk(to);
}

beforeAll(async () => {
  copySet(good);
  copySet(bad);
  // Damage group 2's file of the last backup: Dgraph's manifests carry no checksum, so only the
  // group loading it finds out (after group 1 has staged its part).
  const last = readdirSync(bad)
    .filter((d) => d.startsWith('dgraph.'))
    .sort()
    .at(-1)!;
  const g2 = readdirSync(path.join(bad, last)).find((f) => f.endsWith('-g2.backup'))!;
  const file = path.join(bad, last, g2);
  writeFileSync(file, Buffer.alloc(statSync(file).size, 0x42));
  await Promise.all([cluster.start(), bare.start()]);
}, 60_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

function besideStores(): string[] {
  return readdirSync(tmp).filter((n) => /^rs-p\d+\./.test(n));
}

describe('online restore: all groups or none', () => {
  it('a group failing while staging rolls every group back; nothing is left; the next restore works', async () => {
    await cluster.alter('name: string @index(exact) .');
    await cluster.mutate('_:a <name> "before the restore" .');
    const before = await cluster.export('before');
    const r = await cluster.gql<{ restore: { restoreId: number } }>(RESTORE, { input: { location: bad } });
    expect(r.errors, JSON.stringify(r)).toBeUndefined();
    const id = r.data!.restore.restoreId;
    let st: { status: string; errors: string[] } | undefined;
    for (let i = 0; i < 300; i++) {
      st = (await cluster.gql<{ restoreStatus: { status: string; errors: string[] } }>(STATUS, { id })).data
        ?.restoreStatus;
      if (st?.status !== 'IN_PROGRESS') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(st?.status).toBe('ERR');
    expect(st?.errors.join('\n'), JSON.stringify(st)).toMatch(/group 2: .*-g2\.backup/);
    expect(st?.errors.join('\n')).toMatch(/every group keeps its old data/);
    expect(await cluster.export('after-failed')).toEqual(before);
    expect(besideStores()).toEqual([]);

    await restoreOnline(cluster, { location: good });
    const expected = path.join(SET, 'expected', 'wizardly_blackburn2', '6');
    const got = await cluster.export('after-good');
    expect(got.data).toBe(readFileSync(path.join(expected, 'data.rdf'), 'utf8'));
    // p1 and p2 are links to their live stores now; nothing else.
    expect(besideStores().sort()).toEqual(
      readdirSync(tmp)
        .filter((n) => /^rs-p\d+\.store-/.test(n))
        .sort(),
    );
    expect(besideStores()).toHaveLength(2);
  }, 90_000);
});

describe('--restore_dirs', () => {
  const secret = path.join(tmpdir(), `strata-e2e-not-a-key-${process.pid}`);
  beforeAll(() => writeFileSync(secret, 'a-cluster-token-that-must-not-leak\n'));
  afterAll(() => rmSync(secret, { force: true }));

  async function refused(c: TestCluster, input: Record<string, unknown>, msg: RegExp): Promise<void> {
    const r = await c.gql(RESTORE, { input });
    const m = r.errors?.[0]?.message ?? '';
    expect(m, JSON.stringify(r)).toMatch(msg);
    expect(m).not.toMatch(/must-not-leak|35 bytes|\b35\b/);
  }

  it('refuses key, Vault and location paths outside the folders', async () => {
    await refused(
      cluster,
      { location: good, encryptionKeyFile: secret },
      /encryptionKeyFile .* is outside the allowed folders/,
    );
    await refused(
      cluster,
      { location: good, vaultAddr: 'http://127.0.0.1:9', vaultRoleIDFile: secret, vaultSecretIDFile: secret },
      /vaultRoleIDFile .* is outside the allowed folders/,
    );
    await refused(cluster, { location: `${tmp}/../x` }, /location .* holds a "\.\." segment/);
    await refused(cluster, { location: SET }, /location .* is outside the allowed folders/);
  });

  it('without --restore_dirs, a request may name no key or Vault file', async () => {
    await refused(
      bare,
      { location: good, encryptionKeyFile: secret },
      /allows none \(start it with --restore_dirs/,
    );
    await refused(
      bare,
      { location: good, vaultRoleIDFile: secret, vaultSecretIDFile: secret },
      /vaultRoleIDFile names a file, and this Alpha allows none/,
    );
  });
});
