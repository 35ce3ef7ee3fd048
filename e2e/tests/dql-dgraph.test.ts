// DQL answered as the real Dgraph answers it: the film data set and the interop people loaded into
// Dgraph v25.4.0, backed up, restored online into a Strata node (`restore` on /admin), and every case of the
// corpus (e2e/dql/corpus.ts: hand-written for each feature plus generated comparisons) asked of
// both. Answers must be the same but for the known differences (e2e/dql/differences.ts, each with
// its reason, also in docs/dql-compat.md), and at least 98% of the corpus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CORPUS } from '../dql/corpus.js';
import { SCHEMA, filmNquads, peopleNquads } from '../dql/dataset.js';
import { KNOWN_DIFFERENCES } from '../dql/differences.js';
import { runCorpus } from '../dql/differential.js';
import { DgraphCluster } from './dgraph-peer.js';
import { TestCluster, restoreOnline } from './harness.js';
import { repoRoot } from './paths.js';
import { killAll } from './procs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-dql-'));
const DATASETS = path.resolve(repoRoot, '../shared/datasets');

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

/** Sets `lines` in Dgraph in chunks, each chunk naming the blank nodes earlier chunks created by uid. */
async function load(d: DgraphCluster, lines: string[]): Promise<Record<string, string>> {
  const uids: Record<string, string> = {};
  const known = (l: string) =>
    l.replace(/_:([A-Za-z0-9_.]*[A-Za-z0-9_])/g, (m, b: string) => (uids[b] ? `<${uids[b]}>` : m));
  for (let i = 0; i < lines.length; i += 20_000) {
    Object.assign(
      uids,
      await d.mutate(
        lines
          .slice(i, i + 20_000)
          .map(known)
          .join('\n'),
      ),
    );
  }
  return uids;
}

it(
  'Strata answers the DQL corpus as Dgraph v25.4.0 does, on data restored from Dgraph',
  { timeout: 900_000 },
  async () => {
    const dgraph = await DgraphCluster.start({ version: 'v25.4.0', dir: path.join(tmp, 'dgraph') });
    try {
      await dgraph.alter(SCHEMA);
      const uids = await load(dgraph, [...peopleNquads(), ...filmNquads(DATASETS, 200_000)]);
      const location = path.join(tmp, 'backups');
      await dgraph.backup(location, true);
      const strata = await new TestCluster(tmp, 'strata', 1).start();
      await restoreOnline(strata, { location }, 300_000);
      const outcomes = await runCorpus(CORPUS, dgraph.url(), strata.url, uids);
      const differ = outcomes.filter((o) => !o.same);
      const same = outcomes.length - differ.length;
      const messages = outcomes.filter((o) => o.sameMessage !== undefined);
      console.log(
        `DQL corpus: ${same}/${outcomes.length} answers the same as Dgraph v25.4.0 ` +
          `(${((100 * same) / outcomes.length).toFixed(1)}%); ${messages.length} refused by both, ` +
          `${messages.filter((o) => o.sameMessage).length} with Dgraph's message`,
      );
      const unexpected = differ
        .filter((o) => !(o.id in KNOWN_DIFFERENCES))
        .map(
          (o) =>
            `${o.id}: ${o.q}\n  Dgraph: ${JSON.stringify(o.dgraph).slice(0, 600)}\n  Strata: ${JSON.stringify(o.strata).slice(0, 600)}`,
        );
      expect(unexpected, unexpected.join('\n')).toEqual([]);
      const resolved = Object.keys(KNOWN_DIFFERENCES).filter((id) => outcomes.find((o) => o.id === id)?.same);
      expect(resolved, 'known differences that now agree (remove them from differences.ts)').toEqual([]);
      expect(outcomes.length).toBeGreaterThanOrEqual(300);
      expect(same / outcomes.length).toBeGreaterThanOrEqual(0.98);
      await strata.stop();
    } finally {
      await dgraph.stop();
    }
  },
);
