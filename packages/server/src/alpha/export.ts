/**
 * The canonical dump of the whole cluster, streamed: every group's sorted export at one read ts,
 * merged line by line (k-way) as the caller pulls. Memory holds one chunk per group and one
 * output batch, never the dump; each group's store is sorted in run files beside it.
 */
import path from 'node:path';
import { mergeSchemas, mergeSortedLines, writeRdfDumpStream, type MergeStats } from '@strata/core';
import type { Cluster, GroupExport } from './cluster.js';

export interface ClusterExport {
  readTs: bigint;
  groups: number[];
  /** `schema.txt` of the cluster. */
  schema: Buffer;
  /** `data.rdf` in batches, sorted bytewise and unique; pulling it drives every group's stream. */
  data: AsyncGenerator<Buffer>;
  /** `lines`: the facts yielded so far (all of them once `data` is done). */
  stats: MergeStats;
}

/**
 * Opens every group's export (`readTs`: read at that timestamp, e.g. a backup's, instead of a
 * fresh one from the oracle). Resolves once every group has scanned its store; a group that
 * fails closes the others. Leaving `data` early closes every group's stream.
 */
export async function openClusterExport(cluster: Cluster, at?: bigint): Promise<ClusterExport> {
  const readTs = at ?? (await cluster.zero.readTs());
  const groups = await cluster.groupIds();
  const settled = await Promise.allSettled(
    groups.map(async (g) => (await cluster.groupApi(g)).openExport(readTs)),
  );
  const opened = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await closeAll(opened);
    throw failed.reason;
  }
  const stats: MergeStats = { lines: 0 };
  const sources = opened.map((o) => o.lines);
  async function* data(): AsyncGenerator<Buffer> {
    try {
      yield* mergeSortedLines(sources, stats);
    } finally {
      await closeAll(opened);
    }
  }
  return { readTs, groups, schema: mergeSchemas(opened.map((o) => o.schema)), data: data(), stats };
}

async function closeAll(exports: GroupExport[]): Promise<void> {
  await Promise.all(exports.map((o) => o.lines.close().catch(() => undefined)));
}

/**
 * Writes an export as Dgraph does, into `exportDir/dgraph.r<readTs>.u<MMDD.HHMM>/`: `data.rdf` and
 * `schema.txt`, or with `key` `data.rdf.gz` and `schema.txt.gz` (gzip, then AES-CTR, IV first).
 */
export async function exportToFolder(
  cluster: Cluster,
  exportDir: string,
  key?: Buffer,
): Promise<{ files: string[]; facts: number }> {
  const r = await openClusterExport(cluster);
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}.${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  const dir = path.join(path.resolve(exportDir), `dgraph.r${r.readTs}.u${stamp}`);
  const files = await writeRdfDumpStream(dir, { data: r.data, schema: () => r.schema }, { key });
  return { files, facts: r.stats.lines };
}
