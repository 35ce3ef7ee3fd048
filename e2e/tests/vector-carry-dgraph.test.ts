/**
 * Vectors through Strata: a Dgraph `float32vector @index(hnsw(...))` predicate, backed up by
 * Dgraph, restored online into Strata (values answered as numbers, the HNSW graph's keys kept as
 * they are), backed up again by Strata and restored online into a fresh Dgraph, answers
 * `similar_to` as the Dgraph it came from did, with its index spec intact. Strata does not write
 * vectors or answer `similar_to` itself yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DGRAPH_VERSIONS, DgraphCluster, type DgraphVersion } from './dgraph-peer.js';
import { TestCluster, restoreOnline } from './harness.js';
import { killAll, post } from './procs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-vector-'));
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const SCHEMA = 'emb: float32vector @index(hnsw(metric:"euclidean")) .\nname: string @index(exact) .';
/** `similar_to` queries and how many neighbours (k) each asks for. */
const SIMILAR: [string, number][] = [
  ['{ q(func: similar_to(emb, 3, "[5.1, 6.4, -5.2]")) { name } }', 3],
  ['{ q(func: similar_to(emb, 2, "[0, 1, 0]")) { name } }', 2],
];

function vectors(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(`_:v${i} <emb> "[${i}, ${i + 1.5}, ${-i - 0.25}]" .`, `_:v${i} <name> "v${i}" .`);
  return out.join('\n');
}

/**
 * Dgraph's answer to a `similar_to` for `k` neighbours once it has them all: right after the
 * mutation, Dgraph v24.0.5 once answered one neighbour of three (its HNSW index catching up):
 * ask again for up to 30 s.
 */
async function settled(d: DgraphCluster, q: string, k: number): Promise<unknown> {
  let a: unknown;
  for (let i = 0; i < 60; i++) {
    a = await d.query(q);
    if ((a as { q: unknown[] }).q.length === k) return a;
    await new Promise((res) => setTimeout(res, 500));
  }
  return a;
}

describe.each(DGRAPH_VERSIONS.map((v) => [v]))('float32vector from Dgraph %s', (version: DgraphVersion) => {
  it('survives Dgraph → Strata → Dgraph with its HNSW index', { timeout: 300_000 }, async () => {
    const dir = path.join(tmp, version);
    const first = path.join(dir, 'from-dgraph');
    const second = path.join(dir, 'from-strata');
    const d = await DgraphCluster.start({ version, dir: path.join(dir, 'd1') });
    const want: unknown[] = [];
    try {
      await d.alter(SCHEMA);
      await d.mutate(vectors(40));
      for (const [q, k] of SIMILAR) want.push(await settled(d, q, k));
      await d.backup(first, true);
    } finally {
      await d.stop();
    }
    expect((want[0] as { q: unknown[] }).q).toHaveLength(3);

    const c = new TestCluster(dir, 'strata', 1);
    await c.start();
    try {
      await restoreOnline(c, { location: first });
      const r = await post(`${c.url}/query`, '{ q(func: eq(name, "v5")) { name emb } }', 'application/dql');
      expect((r.json as { data: unknown }).data).toEqual({ q: [{ name: 'v5', emb: [5, 6.5, -5.25] }] });
      await c.backupCli(second, { format: version.startsWith('v25') ? 'v25' : 'v24', full: true });
    } finally {
      await c.stop();
    }

    const d2 = await DgraphCluster.start({ version, dir: path.join(dir, 'd2') });
    try {
      await d2.restoreOnline(second, '{ q(func: has(name), first: 1) { uid } }');
      const schema = (await d2.query('schema(pred: emb) {}')) as { schema: Record<string, unknown>[] };
      expect(schema.schema[0]).toMatchObject({
        predicate: 'emb',
        type: 'float32vector',
        index_specs: [{ name: 'hnsw', options: [{ key: 'metric', value: 'euclidean' }] }],
      });
      for (const [i, [q]] of SIMILAR.entries()) expect(await d2.query(q), q).toEqual(want[i]);
    } finally {
      await d2.stop();
    }
  });
});
