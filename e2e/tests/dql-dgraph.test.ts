// DQL answered as the real Dgraph answers it: the film data set and the interop people loaded into
// Dgraph v25.4.0, backed up, restored online into a Strata node (`restore` on /admin), and every
// case of the corpus (e2e/dql/corpus.ts: hand-written for each feature plus generated comparisons)
// asked of both; then the same mutations (RDF and JSON sets and deletes, e2e/dql/mutations.ts) go
// into both, then transactions that interleave and conflict (e2e/dql/transactions.ts: the same
// commits must abort), and the corpus is asked again. Answers must be the same but for the known differences
// (e2e/dql/differences.ts, each with its reason, also in docs/dql-compat.md), at least 98% of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CORPUS } from '../dql/corpus.js';
import { DQL_PREDICATES, SCHEMA, filmNquads, peopleNquads } from '../dql/dataset.js';
import { dgraphExportLines, strataExportLines } from '../interop/compare.js';
import { KNOWN_AFTER_MUTATIONS, KNOWN_DIFFERENCES } from '../dql/differences.js';
import { ask, runCorpus, type Outcome } from '../dql/differential.js';
import { TXN_CHECK_QUERY, runTxnScenarios } from '../dql/transactions.js';
import { MUTATIONS, forDgraph, forStrata } from '../dql/mutations.js';
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

/** Sets a mutation; the uids of its new nodes. */
async function mutateOk(url: string, body: string, type: string): Promise<Record<string, string>> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  const j = (await r.json()) as { data?: { uids?: Record<string, string> }; errors?: unknown };
  expect(j.errors, `${url}: ${body}`).toBeUndefined();
  expect(r.status).toBe(200);
  return j.data?.uids ?? {};
}

/** `a` as JSON, 600 characters from a little before where it first differs from `b`. */
function around(a: unknown, b: unknown): string {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  const from = Math.max(0, i - 200);
  return `${from > 0 ? '…' : ''}${x.slice(from, from + 600)}`;
}

/** The corpus's outcomes must agree but for the known differences, and at least 98% of them. */
function check(outcomes: Outcome[], when: string, known: Readonly<Record<string, string>>): void {
  const differ = outcomes.filter((o) => !o.same);
  const same = outcomes.length - differ.length;
  const refused = outcomes.filter((o) => o.sameMessage !== undefined);
  console.log(
    `DQL corpus (${when}): ${same}/${outcomes.length} answers the same as Dgraph v25.4.0 ` +
      `(${((100 * same) / outcomes.length).toFixed(1)}%); ${refused.length} refused by both, ` +
      `${refused.filter((o) => o.sameMessage).length} with Dgraph's message`,
  );
  const unexpected = differ
    .filter((o) => !(o.id in known))
    .map(
      (o) =>
        `${o.id}: ${o.q}\n  Dgraph: ${around(o.dgraph, o.strata)}\n  Strata: ${around(o.strata, o.dgraph)}`,
    );
  expect(unexpected, `${when}:\n${unexpected.join('\n')}`).toEqual([]);
  const resolved = Object.keys(known).filter((id) => outcomes.find((o) => o.id === id)?.same);
  expect(resolved, `${when}: known differences that now agree (remove them from differences.ts)`).toEqual([]);
  expect(outcomes.length).toBeGreaterThanOrEqual(300);
  expect(same / outcomes.length).toBeGreaterThanOrEqual(0.98);
}

it(
  'Strata answers the DQL corpus as Dgraph v25.4.0 does, on data restored from Dgraph and after the same mutations',
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
      check(await runCorpus(CORPUS, dgraph.url(), strata.url, uids), 'restored', KNOWN_DIFFERENCES);
      // The same mutations into both, then the corpus again: answers (and so every index,
      // reverse and count key they read) must still agree.
      for (const step of MUTATIONS) {
        const type = step.kind === 'rdf' ? 'application/rdf' : 'application/json';
        const d = await mutateOk(`${dgraph.url()}/mutate?commitNow=true`, forDgraph(step, uids), type);
        Object.assign(uids, d);
        await mutateOk(`${strata.url}/mutate?commitNow=true`, forStrata(step, uids), type);
      }
      // Open transactions, commits, aborts and conflicts: the same outcomes, the same graph.
      const dgraphTxns = await runTxnScenarios(dgraph.url(), uids, true);
      const strataTxns = await runTxnScenarios(strata.url, uids, false);
      expect(strataTxns).toEqual(dgraphTxns);
      // Reads inside a transaction show its own writes (on Dgraph, and so on Strata).
      expect(dgraphTxns.filter((o) => /query in A: .*"Own writes"/.test(o))).toHaveLength(2);
      const aborted = dgraphTxns.filter((o) => o.endsWith(': aborted')).length;
      expect(aborted).toBeGreaterThanOrEqual(4);
      const txnCheck = { id: 'txn-check', q: TXN_CHECK_QUERY };
      const [d, s] = [await ask(dgraph.url(), txnCheck, uids), await ask(strata.url, txnCheck, uids)];
      expect('data' in d, JSON.stringify(d)).toBe(true);
      expect(s).toEqual(d);
      console.log(
        `transactions: ${strataTxns.length} steps with Dgraph's outcomes, ${aborted} commits aborted by conflicts`,
      );
      check(await runCorpus(CORPUS, dgraph.url(), strata.url, uids), 'after the mutations', {
        ...KNOWN_DIFFERENCES,
        ...KNOWN_AFTER_MUTATIONS,
      });
      // And the graphs themselves: both exports, fact for fact.
      const dgraphDump = dgraphExportLines(
        (await dgraph.export(path.join(tmp, 'dgraph-export'))).data,
        DQL_PREDICATES,
      );
      const strataDump = strataExportLines((await strata.export('strata-export')).data, DQL_PREDICATES);
      expect(dgraphDump.length).toBeGreaterThan(200_000);
      const [inDgraph, inStrata] = [new Set(dgraphDump), new Set(strataDump)];
      const onlyDgraph = dgraphDump.filter((l) => !inStrata.has(l));
      const onlyStrata = strataDump.filter((l) => !inDgraph.has(l));
      expect({ onlyDgraph: onlyDgraph.slice(0, 20), onlyStrata: onlyStrata.slice(0, 20) }).toEqual({
        onlyDgraph: [],
        onlyStrata: [],
      });
      console.log(
        `exports after the mutations and transactions: ${strataDump.length} facts, the same on both`,
      );
      await strata.stop();
    } finally {
      await dgraph.stop();
    }
  },
);
