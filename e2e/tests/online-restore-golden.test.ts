// Online restore of the real Dgraph fixture sets: per set, a fresh cluster with the set's group
// count (Zero --groups N + N Alphas through the built CLI), then for every golden restore point in
// order the GraphQL `restore` mutation with backupId/backupNum + restoreStatus polling, and
// `strata export --alpha` byte-identical to `expected/<backupId>/<backupNum>/{data.rdf,schema.txt}`.
// Successive points go into the same cluster: an online restore replaces everything it held.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureGroupCount, goldenRestorePoints, type RestorePoint } from './paths.js';
import { killAll } from './procs.js';
import { TestCluster, restoreOnline } from './harness.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-online-golden-'));

interface FixtureSet {
  name: string;
  location: string;
  groups: number;
  points: RestorePoint[];
}

/** The golden restore points, by fixture set. */
function fixtureSets(): FixtureSet[] {
  const sets = new Map<string, FixtureSet>();
  for (const p of goldenRestorePoints()) {
    let set = sets.get(p.set);
    if (!set) {
      set = { name: p.set, location: p.location, groups: fixtureGroupCount(p.location), points: [] };
      sets.set(p.set, set);
    }
    set.points.push(p);
  }
  return [...sets.values()];
}

const sets = fixtureSets();

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('online restore (restore mutation + strata export --alpha) of every golden restore point', () => {
  it('finds the fixture sets and their restore points', () => {
    expect(sets.length).toBeGreaterThanOrEqual(3);
    expect(sets.reduce((n, s) => n + s.points.length, 0)).toBeGreaterThanOrEqual(10);
  });

  for (const set of sets) {
    describe(`${set.name} (${set.groups} groups)`, () => {
      const cluster = new TestCluster(tmp, set.name, set.groups);
      afterAll(() => cluster.stop());

      it('starts a fresh cluster', async () => {
        await cluster.start();
      });

      const restoreAndCompare = async (p: RestorePoint, tag: string): Promise<void> => {
        await restoreOnline(cluster, {
          location: set.location,
          backupId: p.backupId,
          backupNum: p.backupNum,
        });
        const got = await cluster.export(`${set.name}-${p.backupId}-${p.backupNum}-${tag}`);
        expect(got.schema).toBe(readFileSync(path.join(p.expected, 'schema.txt'), 'utf8'));
        expect(got.data).toBe(readFileSync(path.join(p.expected, 'data.rdf'), 'utf8'));
      };

      for (const p of set.points) {
        it(`${p.backupId}/${p.backupNum}`, () => restoreAndCompare(p, 'in-order'));
      }

      it('drops writes made after the restore and goes back to an earlier point', async () => {
        const last = set.points.at(-1)!;
        const first = set.points[0]!;
        await cluster.alter('strata_extra: string @index(exact) .\ntype StrataExtra {\n  strata_extra\n}');
        const w = await cluster.mutate(
          '_:x <strata_extra> "not in the backup" .\n_:x <dgraph.type> "StrataExtra" .',
        );
        const uid = BigInt(w.uids.x!);
        const lastData = readFileSync(path.join(last.expected, 'data.rdf'), 'utf8');
        const maxUid = [...lastData.matchAll(/^<0x([0-9a-f]+)>/gm)].reduce(
          (m, x) => (BigInt(`0x${x[1]}`) > m ? BigInt(`0x${x[1]}`) : m),
          0n,
        );
        expect(uid).toBeGreaterThan(maxUid);
        const before = await cluster.export(`${set.name}-extra`);
        expect(before.data).toContain('<strata_extra> "not in the backup" .');
        expect(before.schema).toContain('type StrataExtra {');
        await restoreAndCompare(first, 'again');
      });
    });
  }
});
