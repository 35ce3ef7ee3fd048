/**
 * `pnpm bench` (e2e): DQL latency and mutation throughput, Strata against the real Dgraph v25.4.0
 * measured in the same run on the same machine.
 *
 * 1. Dgraph gets the DQL data set (film set + interop people, e2e/dql/dataset.ts), backs it up, and
 *    a Strata node (`strata start`) restores the backup online: both hold the same graph.
 * 2. Every case of the DQL corpus (e2e/dql/corpus.ts) is asked `ROUNDS` times of each, the two
 *    taking turns; each answer's round-trip time is one sample. Prints p50 and p99 of each side
 *    and Strata / Dgraph, overall and per feature.
 * 3. Mutation throughput: the same generated people (N-Quads with facets, geo, language tags, a
 *    long list; no passwords, whose bcrypt would be all either side measures) set into each in batches of `BATCH` lines with commitNow; prints N-Quads per second of
 *    each and the ratio.
 * Needs `pnpm build` and the Dgraph binary (scripts/setup/dgraph.sh v25.4.0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { people } from '../interop/dataset.js';
import { CORPUS, type Case } from '../dql/corpus.js';
import { SCHEMA, filmNquads, peopleNquads } from '../dql/dataset.js';
import { resolve } from '../dql/differential.js';
import { DgraphCluster } from '../tests/dgraph-peer.js';
import { repoRoot } from '../tests/paths.js';
import { killAll, start, waitHealthy } from '../tests/procs.js';
import { call, freeOffset, restoreOnline } from './strata-node.js';

const ROUNDS = Number(process.env.BENCH_DQL_ROUNDS ?? 5);
const BATCH = 1000;
const PEOPLE = Number(process.env.BENCH_DQL_PEOPLE ?? 1500);

/** Sets `lines` in chunks; each chunk names the blank nodes earlier chunks made by uid. Seconds taken. */
async function load(
  base: string,
  lines: string[],
  batch: number,
): Promise<{ uids: Record<string, string>; seconds: number }> {
  const uids: Record<string, string> = {};
  const known = (l: string) =>
    l.replace(/_:([A-Za-z0-9_.]*[A-Za-z0-9_])/g, (m, b: string) => (uids[b] ? `<${uids[b]}>` : m));
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += batch) {
    const body = `{ set {\n${lines
      .slice(i, i + batch)
      .map(known)
      .join('\n')}\n} }`;
    const j = await call(`${base}/mutate?commitNow=true`, body, 'application/rdf');
    Object.assign(uids, (j.data as { uids?: Record<string, string> }).uids ?? {});
  }
  return { uids, seconds: (performance.now() - t0) / 1000 };
}

async function timeQuery(base: string, c: Case, uids: Record<string, string>): Promise<number> {
  const q = resolve(c.q, uids);
  const body = c.vars ? JSON.stringify({ query: q, variables: c.vars }) : q;
  const t0 = performance.now();
  const r = await fetch(`${base}/query`, {
    method: 'POST',
    headers: { 'content-type': c.vars ? 'application/json' : 'application/dql' },
    body,
  });
  await r.arrayBuffer();
  return performance.now() - t0;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'strata-bench-dql-'));
  const dgraph = await DgraphCluster.start({ version: 'v25.4.0', dir: path.join(tmp, 'dgraph') });
  try {
    await dgraph.alter(SCHEMA);
    const data = [...peopleNquads(), ...filmNquads(path.resolve(repoRoot, '../shared/datasets'), 200_000)];
    console.log(`loading ${data.length} N-Quads into Dgraph v25.4.0 ...`);
    const { uids } = await load(dgraph.url(), data, 20_000);
    const location = path.join(tmp, 'backups');
    await dgraph.backup(location, true);
    const o = await freeOffset();
    const strata = `http://127.0.0.1:${8080 + o}`;
    const proc = start([
      'start',
      '--data',
      path.join(tmp, 'strata'),
      '-o',
      String(o),
      '--restore_dirs',
      location,
    ]);
    await waitHealthy(strata, proc, 60_000);
    await restoreOnline(strata, location);
    console.log(`asking the ${CORPUS.length} cases of the DQL corpus ${ROUNDS} times of each ...`);
    const samples = { dgraph: [] as number[], strata: [] as number[] };
    const byFeature = new Map<string, { dgraph: number[]; strata: number[] }>();
    for (const c of CORPUS) await timeQuery(strata, c, uids); // warm both caches once
    for (const c of CORPUS) await timeQuery(dgraph.url(), c, uids);
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of CORPUS) {
        const d = await timeQuery(dgraph.url(), c, uids);
        const s = await timeQuery(strata, c, uids);
        samples.dgraph.push(d);
        samples.strata.push(s);
        const f = c.id.split('/')[0]!;
        let e = byFeature.get(f);
        if (!e) byFeature.set(f, (e = { dgraph: [], strata: [] }));
        e.dgraph.push(d);
        e.strata.push(s);
      }
    }
    const row = (name: string, x: { dgraph: number[]; strata: number[] }) => {
      const [d50, s50, d99, s99] = [
        pct(x.dgraph, 50),
        pct(x.strata, 50),
        pct(x.dgraph, 99),
        pct(x.strata, 99),
      ];
      return `${name.padEnd(18)} ${d50.toFixed(2).padStart(8)} ${s50.toFixed(2).padStart(8)} ${(s50 / d50).toFixed(2).padStart(6)}x ${d99.toFixed(1).padStart(8)} ${s99.toFixed(1).padStart(8)} ${(s99 / d99).toFixed(2).padStart(6)}x`;
    };
    console.log('\nDQL latency (ms, round trip on loopback; ratio = Strata / Dgraph, lower is better)');
    console.log(
      `${'feature'.padEnd(18)} ${'Dg p50'.padStart(8)} ${'St p50'.padStart(8)} ${'ratio'.padStart(7)} ${'Dg p99'.padStart(8)} ${'St p99'.padStart(8)} ${'ratio'.padStart(7)}`,
    );
    for (const [f, x] of byFeature) console.log(row(f, x));
    console.log(row('ALL', samples));
    // Mutation throughput: the same people into each.
    // Without passwords: their bcrypt hashing (by design slow) would be all either side measures.
    const rdf = people(PEOPLE, 'w')
      .split('\n')
      .filter((l) => !l.includes('<pw>'));
    const d = await load(dgraph.url(), rdf, BATCH);
    const s = await load(strata, rdf, BATCH);
    const [dq, sq] = [rdf.length / d.seconds, rdf.length / s.seconds];
    console.log(
      `\nmutations: ${rdf.length} N-Quads in batches of ${BATCH} (commitNow): Dgraph ${Math.round(dq)}/s, ` +
        `Strata ${Math.round(sq)}/s: Strata / Dgraph throughput ${(sq / dq).toFixed(2)}x (higher is better)`,
    );
  } finally {
    await dgraph.stop();
    await killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
