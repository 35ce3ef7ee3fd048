/**
 * A restore's plan, for `--dry-run`: the backups of the chain and, per group, the files it would
 * load, their bytes and the KVs they hold (each file decoded in stats mode: read end to end,
 * nothing kept, nothing written).
 */
import { pipeline } from 'node:stream/promises';
import { createFileDecoder } from '../codec/decoder.js';
import type { Destination } from '../destinations/types.js';
import { backupFolderTime } from '../list/list.js';
import { dataFilePath, type BackupManifest } from '../manifest/model.js';
import { displayPath } from '../manifest/read.js';
import type { PhaseProgress } from '../util/progress.js';

export interface RestorePlanBackup {
  backupNum: number;
  type: 'full' | 'incremental';
  readTs: bigint;
  /** Folder of the backup, relative to the location. */
  path: string;
  /** Its time from the folder name (ISO 8601, UTC), or null. */
  time: string | null;
}

export interface RestorePlanGroup {
  group: number;
  /** Data files the restore loads for the group (one per backup that has the group). */
  files: number;
  /** Their bytes as stored (compressed, encrypted). */
  bytes: number;
  /** KVs in those files (before the last backup's predicate filter). */
  kvs: number;
  /** Predicates the last backup of the chain assigns to the group. */
  predicates: number;
}

export interface RestorePlan {
  backupId: string;
  backups: RestorePlanBackup[];
  groups: RestorePlanGroup[];
}

/**
 * The plan of restoring `backups` (a chain, oldest first) for `groups`: every file decoded in
 * stats mode with `key`; `sizes` (by `${backupNum}/${group}`, as the restore found them) give the
 * progress its total.
 */
export async function planRestore(opts: {
  dest: Destination;
  backupId: string;
  backups: readonly BackupManifest[];
  groups: readonly number[];
  key?: Buffer | undefined;
  threads?: number | undefined;
  sizes: ReadonlyMap<string, number | undefined>;
  report?: ((p: PhaseProgress) => void) | undefined;
}): Promise<RestorePlan> {
  const { dest, backups } = opts;
  const last = backups[backups.length - 1];
  const work = opts.groups.flatMap((g) => backups.filter((b) => b.groups.has(g)).map((b) => ({ b, g })));
  let bytesTotal: number | undefined = 0;
  for (const { b, g } of work) {
    const s = opts.sizes.get(`${b.backupNum}/${g}`);
    bytesTotal = s === undefined || bytesTotal === undefined ? undefined : bytesTotal + s;
  }
  const groups = new Map<number, RestorePlanGroup>(
    opts.groups.map((g) => [
      g,
      { group: g, files: 0, bytes: 0, kvs: 0, predicates: last?.groups.get(g)?.length ?? 0 },
    ]),
  );
  let bytesDone = 0;
  for (const [i, { b, g }] of work.entries()) {
    const rel = dataFilePath(b, g);
    const decoder = createFileDecoder(b, {
      mode: 'stats',
      source: displayPath(dest, rel),
      key: b.encrypted ? opts.key : undefined,
      threads: opts.threads,
    });
    const seen = { bytes: 0 };
    const tee = async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const c of src) {
        seen.bytes += c.length;
        opts.report?.({
          phase: 'plan',
          bytesDone: bytesDone + seen.bytes,
          bytesTotal,
          items: i,
          itemsTotal: work.length,
        });
        yield c;
      }
    };
    await pipeline(dest.read(rel), tee, decoder);
    bytesDone += seen.bytes;
    const pg = groups.get(g)!;
    pg.files++;
    pg.kvs += decoder.stats?.kvs ?? 0;
    pg.bytes += seen.bytes;
    opts.report?.({ phase: 'plan', bytesDone, bytesTotal, items: i + 1, itemsTotal: work.length });
  }
  return {
    backupId: opts.backupId,
    backups: backups.map((b) => ({
      backupNum: b.backupNum,
      type: b.type,
      readTs: b.readTs,
      path: b.path,
      time: backupFolderTime(b.path),
    })),
    groups: [...groups.values()],
  };
}
