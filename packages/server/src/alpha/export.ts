/** The canonical dump of the whole cluster: every group's export at one read ts, merged. */
import path from 'node:path';
import { mergeExports, writeRdfDump } from '@strata/core';
import type { Cluster } from './cluster.js';

export interface ClusterExport {
  data: Buffer;
  schema: Buffer;
  facts: number;
  readTs: bigint;
  groups: number[];
}

/** `readTs`: read at that timestamp (e.g. a backup's) instead of a fresh one from the oracle. */
export async function exportCluster(cluster: Cluster, at?: bigint): Promise<ClusterExport> {
  const readTs = at ?? (await cluster.zero.readTs());
  const groups = await cluster.groupIds();
  const parts = await Promise.all(
    groups.map(async (g) => {
      const r = await (await cluster.groupApi(g)).exportRdf(readTs);
      return { data: Buffer.from(r.data, 'base64'), schema: Buffer.from(r.schema, 'base64') };
    }),
  );
  return { ...mergeExports(parts), readTs, groups };
}

/** Writes an export as Dgraph does, into `exportDir/dgraph.r<readTs>.u<MMDD.HHMM>/`. */
export async function exportToFolder(
  cluster: Cluster,
  exportDir: string,
): Promise<{ files: string[]; facts: number }> {
  const r = await exportCluster(cluster);
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}.${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
  const dir = path.join(path.resolve(exportDir), `dgraph.r${r.readTs}.u${stamp}`);
  const files = await writeRdfDump(dir, r);
  return { files, facts: r.facts };
}
