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
  /** Data files the restore loads for the group (one per backup and backup group it reads). */
  files: number;
  /** Their bytes as stored (compressed, encrypted). */
  bytes: number;
  /** KVs in those files (before the predicate filter). */
  kvs: number;
  /** Predicates the group restores (namespace and name pairs). */
  predicates: number;
  /** The backup groups whose files it reads. */
  sources: number[];
}

/** One file a target group loads: `source`'s file of backup `b`. */
export interface PlannedLoad {
  group: number;
  b: BackupManifest;
  source: number;
}

export interface RestorePlan {
  backupId: string;
  backups: RestorePlanBackup[];
  groups: RestorePlanGroup[];
}

/**
 * The plan of restoring `backups` (a chain, oldest first) into `groups`: every file of `loads` decoded in
 * stats mode with `key`; `sizes` (by `${backupNum}/${group}`, as the restore found them) give the
 * progress its total.
 */
export async function planRestore(opts: {
  dest: Destination;
  backupId: string;
  backups: readonly BackupManifest[];
  /** The target groups and how many predicates each restores. */
  groups: readonly { group: number; predicates: number }[];
  /** Every file each target group loads, in order. */
  loads: readonly PlannedLoad[];
  key?: Buffer | undefined;
  threads?: number | undefined;
  sizes: ReadonlyMap<string, number | undefined>;
  report?: ((p: PhaseProgress) => void) | undefined;
}): Promise<RestorePlan> {
  const { dest, backups } = opts;
  const work = opts.loads.map((l) => ({ b: l.b, g: l.source, t: l.group }));
  let bytesTotal: number | undefined = 0;
  for (const { b, g } of work) {
    const s = opts.sizes.get(`${b.backupNum}/${g}`);
    bytesTotal = s === undefined || bytesTotal === undefined ? undefined : bytesTotal + s;
  }
  const groups = new Map<number, RestorePlanGroup>(
    opts.groups.map((g) => [
      g.group,
      { group: g.group, files: 0, bytes: 0, kvs: 0, predicates: g.predicates, sources: [] },
    ]),
  );
  let bytesDone = 0;
  for (const [i, { b, g, t }] of work.entries()) {
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
    const pg = groups.get(t)!;
    pg.files++;
    if (!pg.sources.includes(g)) pg.sources.push(g);
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
