/**
 * Offline restore (format spec §10): the backups of one chain into fresh posting stores
 * `<pdir>/p<group>`, one per group, written by the native RestoreWriter.
 */
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  EncryptedNoKeyError,
  FileNotFoundError,
  InvalidArgumentError,
  SeriesError,
  StoreError,
  StrataError,
} from '../errors.js';
import { LocalDestination } from '../destinations/local.js';
import { toDestination } from '../destinations/open.js';
import type { Destination, DestinationOptions } from '../destinations/types.js';
import { displayPath } from '../manifest/read.js';
import { dataFilePath, readerCompression, type BackupManifest } from '../manifest/model.js';
import { readManifests } from '../manifest/read.js';
import { loadNative } from '../native.js';
import { checkGroupCount, selectChain } from '../series/chain.js';
import { chooseUntil, type UntilChoice, type UntilPoint } from '../series/until.js';
import { planRestore, type PlannedLoad, type RestorePlan } from './plan.js';
import { downloadCipher, downloadKey } from './sealed-download.js';
import { planLayout, sourceGroupsFor, type RestoreLayout } from './layout.js';
import { isPartial, selectPredicates, type RestoreSelection } from './selection.js';
import { checkRestoreKey } from '../backup/key-check.js';
import { writeGroupStore, type GroupStoreResult } from './group-store.js';
import { checkChainChecksums, checkSha256 } from './checksums.js';
import { fsyncDir } from '../util/fsync.js';
import { createStoreKey } from '../keys/envelope.js';
import { sumSizes, type PhaseProgress } from '../util/progress.js';

export interface RestoreOfflineOptions extends DestinationOptions {
  /** The backup location: a folder path, a `file://`, `s3://` or `minio://` URL, or a Destination. */
  location: string | Destination;
  /**
   * Remote locations: the folder where each data file is downloaded (streamed, deleted once
   * loaded) before the native writer reads it: one file at a time, or the files of one group's
   * chain together when they are merged (Strata's own backups). Default: the system temp folder.
   */
  downloadDir?: string | undefined;
  /**
   * Target folder: group g is written to `<pdir>/p<g>`, which must not exist or be empty. Each
   * group is written to `<pdir>/p<g>.restore-staging` first and renamed into place only once every
   * group is complete, so a restore killed half way leaves no half-written `p<g>`.
   */
  pdir: string;
  /** The series (default: the series of the newest backup). */
  backupId?: string | undefined;
  /** Restore backups 1..backupNum of the series (default 0: all). */
  backupNum?: number | undefined;
  /** AES key of an encrypted series (16, 24 or 32 bytes). */
  key?: Buffer | undefined;
  /** Decompression threads per file (default: available parallelism). */
  threads?: number | undefined;
  /** Called after each file has been loaded. */
  onProgress?: ((p: RestoreProgress) => void) | undefined;
  /**
   * Bytes read, phase by phase, once the chain and its files are known: `checksums` (the files
   * whose manifest carries a sha256, read end to end before anything is written; only when there
   * are such files), then `load` (every data file, counted whole once loaded: the native writer
   * reads a file in one call; items: files). Totals are undefined when the location gives no sizes.
   */
  onPhaseProgress?: ((p: PhaseProgress) => void) | undefined;
  /**
   * Partial restore: only these predicates / namespaces, or not these (see RestoreSelection for
   * how they combine). Types are kept when they list a restored predicate, with only those fields.
   */
  selection?: RestoreSelection | undefined;
  /**
   * M, the group count of the cluster restored into (default: the backup's). When it differs
   * from the backup's, whole predicates are re-assigned to groups 1..M as Zero assigns tablets
   * (see planLayout) and every target group reads the backup groups that hold its predicates.
   */
  targetGroups?: number | undefined;
  /** Refuse a `targetGroups` that differs from the backup's group count (the exact old layout). */
  sameGroups?: boolean | undefined;
  /** Restore only these target groups (online restore: each Alpha its own). Default: every group. */
  groups?: number[] | undefined;
  /**
   * Online restore (spec §10): store every data/index key at this version (schema/type at 1) and
   * record it as the store's read ts. Default: the backups' own versions, readTs of the last backup.
   */
  restoreTs?: bigint | undefined;
  /** The folder of group g (default `<pdir>/p<g>`). */
  dirFor?: ((group: number) => string) | undefined;
  /**
   * The target cluster's master key, when it is encrypted at rest: each store is written sealed
   * under a new data key, whose envelope (`keys.json`, wrapped by this key) lands beside it. The
   * backup is still read with `key`. Absent: plain stores.
   */
  atRestKey?: Uint8Array | undefined;
  /** The target cluster's group count: refused (before anything is written) when it differs. */
  clusterGroups?: number | undefined;
  /** Run every check (chain, group count, files, key, targets) and stop before writing. */
  dryRun?: boolean | undefined;
  /** With `dryRun`: also decode every file (stats only) for the result's {@link RestorePlan}. */
  plan?: boolean | undefined;
  /**
   * Point in time: restore the chain that ends with the newest backup at or before this read
   * timestamp or time (of `backupId`'s series when given, else of any). Excludes `backupNum`.
   */
  until?: UntilPoint | undefined;
}

export interface RestoreProgress {
  group: number;
  backupNum: number;
  file: string;
  kvs: number;
  kept: number;
  /** The file's size in bytes, when the location gives sizes. */
  bytes?: number | undefined;
}

export interface RestoredGroup extends GroupStoreResult {
  group: number;
  /** The posting store folder (`<pdir>/p<group>`). */
  dir: string;
}

export interface RestoreOfflineResult {
  backupId: string;
  /** backup_num of every backup restored, in order. */
  backupNums: number[];
  groups: RestoredGroup[];
  /** UIDs to lease from Zero: the maximum over the groups. */
  maxUid: bigint;
  /** Namespace ids to lease (v21.03+). */
  maxNsId: bigint;
  /** Timestamps to lease: the read ts of the last backup restored. */
  readTs: bigint;
  /** Tolerated oddities of the location or chain. */
  warnings: string[];
  /** The backup `until` chose, and why. */
  chosen?: UntilChoice | undefined;
  /** Which predicates each target group restores (every group, also with `groups`). */
  layout: RestoreLayout;
  /** Whether a selection restored only part of the series. */
  partial: boolean;
  /** `dryRun` with `plan`: what the restore would load. */
  plan?: RestorePlan | undefined;
}

/** Spec §4 step 5: a v20.x entry with `since` 0 or no groups is skipped. */
function isRestorable(m: BackupManifest): boolean {
  return !(m.version === 0 && (m.readTs === 0n || m.groups.size === 0));
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return false;
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Where group folder `dir` is written before it is renamed into place. */
export function stagingDir(dir: string): string {
  return `${dir}.restore-staging`;
}

/**
 * Restores a chain offline. Everything is checked before anything is written: the chain (spec
 * §4), that every data file of every backup exists ("missing backup file <path>" otherwise), the
 * sha256 of every file whose manifest has one, the key against every encrypted file (fingerprint
 * or a decrypted head), and that no target folder holds anything. What is restored where comes
 * from the selection (selection.ts) and the layout on the target groups (layout.ts; the backup's
 * own groups unless `targetGroups` differs). Then, for each target group: for each backup in
 * order, its drop operations, a schema reset and the files of the backup groups holding the
 * group's predicates, filtered to them (the LAST manifest's predicates), into the group's staging
 * folder. Once every group is
 * complete the staging folders are renamed into place. On failure the staging folders are removed
 * (and a staging folder left by a killed run is removed before writing).
 */
export async function restoreOffline(opts: RestoreOfflineOptions): Promise<RestoreOfflineResult> {
  const {
    location,
    pdir: _pdir,
    backupId: _id,
    backupNum: _num,
    key: _key,
    threads: _threads,
    onProgress: _progress,
    onPhaseProgress: _phaseProgress,
    downloadDir: _dl,
    groups: _groups,
    restoreTs: _restoreTs,
    dirFor: _dirFor,
    atRestKey: _atRestKey,
    clusterGroups: _clusterGroups,
    dryRun: _dryRun,
    plan: _plan,
    until: _until,
    selection: _selection,
    targetGroups: _targetGroups,
    sameGroups: _sameGroups,
    ...credentials
  } = opts;
  const dest = toDestination(location, credentials);
  const local = dest instanceof LocalDestination ? dest : undefined;
  const { manifests, warnings } = await readManifests(dest);
  if (opts.until !== undefined && opts.backupNum) {
    throw new InvalidArgumentError('until and backup_num exclude each other: give one of them');
  }
  const chosen = opts.until === undefined ? undefined : chooseUntil(manifests, opts.until, opts.backupId);
  const chain = selectChain(
    manifests,
    chosen
      ? { backupId: chosen.backupId, backupNum: chosen.backupNum }
      : { backupId: opts.backupId, backupNum: opts.backupNum },
  );
  warnings.push(...chain.warnings);
  const backups = chain.backups.filter(isRestorable);
  const last = chain.backups[chain.backups.length - 1];
  if (!last || backups.length === 0) {
    throw new SeriesError(`backup series ${chain.backupId} has no backup to restore`);
  }
  if (last.readTs === 0n) {
    throw new SeriesError(
      `the last backup of series ${chain.backupId} (#${last.backupNum}) has read timestamp 0: nothing to lease`,
    );
  }
  if (backups.some((b) => b.encrypted) && opts.key === undefined) {
    throw new EncryptedNoKeyError(
      `backup series ${chain.backupId} is encrypted and no encryption key was given`,
    );
  }
  if (opts.clusterGroups !== undefined) checkGroupCount(chain, opts.clusterGroups);
  // What is restored, and where: the selection, then the layout on the target groups.
  const held = [...last.groups.values()].flat();
  const partial = isPartial(opts.selection);
  const kept = partial ? selectPredicates(held, opts.selection!) : held;
  const layout = planLayout(last.groups, kept, {
    targetGroups: opts.targetGroups,
    sameGroups: opts.sameGroups,
  });
  const typeFields = partial ? kept.map((p) => ({ namespace: p.namespace, name: p.name })) : undefined;

  // Every file of every backup, before anything is written.
  const only = opts.groups === undefined ? undefined : new Set(opts.groups);
  if (only !== undefined) {
    const unknown = [...only].filter((g) => !layout.groups.some((t) => t.group === g));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `group${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} ` +
          `not among the restore's target groups (${layout.groups.map((t) => t.group).join(', ')})`,
      );
    }
  }
  const targetsWanted = layout.groups.filter((t) => only === undefined || only.has(t.group));
  const groupIds = targetsWanted.map((t) => t.group);
  // Per target group, the files it loads: backup by backup, the backup groups holding its predicates.
  const loads: PlannedLoad[] = targetsWanted.flatMap((t) =>
    backups.flatMap((b) => sourceGroupsFor(layout, t, b).map((source) => ({ group: t.group, b, source }))),
  );
  const sourcesRead = new Set(loads.map((l) => l.source));
  // `${backupNum}/${group}` -> absolute path (local) or location-relative path (remote)
  const files = new Map<string, string>();
  for (const b of backups) {
    for (const g of [...b.groups.keys()].sort((x, y) => x - y)) {
      const rel = dataFilePath(b, g);
      const where = local ? local.resolve(rel) : displayPath(dest, rel);
      if (!(local ? await exists(where) : await dest.exists(rel))) {
        throw new FileNotFoundError(
          `missing backup file ${where} (group ${g} of backup ${chain.backupId} #${b.backupNum}): nothing was restored`,
          { file: where },
        );
      }
      files.set(`${b.backupNum}/${g}`, local ? where : rel);
    }
  }
  // The sizes, for progress (none without a listener: a remote location asks once per file).
  const report = opts.onPhaseProgress;
  const sizes = new Map<string, number | undefined>();
  const loaded = loads.map((l) => ({ b: l.b, g: l.source }));
  if (report !== undefined || opts.onProgress !== undefined) {
    for (const { b, g } of loaded) sizes.set(`${b.backupNum}/${g}`, await dest.size?.(dataFilePath(b, g)));
  }
  await checkRestoreKey(dest, backups, opts.key);
  await checkChainChecksums(dest, backups, only && sourcesRead, report && { sizes, report });
  const pdir = path.resolve(opts.pdir);
  const targets = new Map<number, string>();
  for (const g of groupIds) {
    const dir = opts.dirFor ? path.resolve(opts.dirFor(g)) : path.join(pdir, `p${g}`);
    if (!(await isMissingOrEmpty(dir))) {
      throw new StoreError(
        'STORE_NOT_EMPTY',
        `${dir} exists and is not empty: restore into a new or empty folder (nothing was restored)`,
        { file: dir },
      );
    }
    targets.set(g, dir);
  }

  if (opts.dryRun) {
    const plan = opts.plan
      ? await planRestore({
          dest,
          backupId: chain.backupId,
          backups,
          groups: targetsWanted.map((t) => ({ group: t.group, predicates: t.predicates.length })),
          loads,
          key: opts.key,
          threads: opts.threads,
          sizes,
          report,
        })
      : undefined;
    return {
      backupId: chain.backupId,
      backupNums: backups.map((b) => b.backupNum),
      groups: [],
      maxUid: 0n,
      maxNsId: 0n,
      readTs: last.readTs,
      warnings,
      layout,
      partial,
      ...(chosen && { chosen }),
      ...(plan && { plan }),
    };
  }
  const native = loadNative();
  const groups: RestoredGroup[] = [];
  const created: string[] = [];
  // Remote files are streamed to a temp file (bounded memory), loaded, then deleted; for a cluster
  // encrypted at rest, those of unencrypted backups are encrypted on the way (./sealed-download.ts).
  let downloads: string | undefined;
  const copyKey = !local && opts.atRestKey ? downloadKey() : undefined;
  const sealed = (b: BackupManifest) => copyKey !== undefined && !b.encrypted;
  // A downloaded file is hashed again as it arrives (it could have changed since the check).
  const fetchFile = async (
    b: BackupManifest,
    g: number,
    rel: string,
  ): Promise<{ file: string; shown: string; done: () => Promise<void> }> => {
    if (local) return { file: rel, shown: rel, done: async () => undefined };
    downloads ??= await mkdtemp(path.join(opts.downloadDir ?? tmpdir(), 'strata-restore-'));
    const file = path.join(downloads, rel.replace(/\//g, '__'));
    const shown = displayPath(dest, rel);
    const hash = createHash('sha256');
    try {
      await pipeline(
        dest.read(rel),
        async function* (src: AsyncIterable<Buffer>) {
          const seal = sealed(b) ? downloadCipher(copyKey!) : undefined;
          if (seal) yield seal.iv;
          for await (const c of src) {
            hash.update(c);
            yield seal ? seal.cipher.update(c) : c;
          }
          // CTR is a stream cipher: final() returns nothing more.
          if (seal) seal.cipher.final();
        },
        createWriteStream(file, { flags: 'wx' }),
      );
      checkSha256(dest, b, g, hash.digest('hex'));
    } catch (err) {
      await rm(file, { force: true });
      if (err instanceof StrataError) throw err;
      throw new StrataError('IO', `cannot download ${shown} to ${file}: ${(err as Error).message}`, {
        file: shown,
        cause: err,
      });
    }
    return { file, shown, done: () => rm(file, { force: true }) };
  };
  // Files loaded, in bytes and in number.
  const load = {
    phase: 'load',
    bytesDone: 0,
    bytesTotal: sumSizes(loaded.map(({ b, g }) => sizes.get(`${b.backupNum}/${g}`))),
    items: 0,
    itemsTotal: loaded.length,
  };
  report?.({ ...load });
  try {
    for (const g of groupIds) {
      const dir = stagingDir(targets.get(g)!);
      // A staging folder left by a restore that was killed.
      await rm(dir, { recursive: true, force: true });
      created.push(dir);
      const dataKey = opts.atRestKey ? await createStoreKey(dir, opts.atRestKey) : undefined;
      const target = layout.groups.find((t) => t.group === g)!;
      const preds = target.predicates.map((p) => ({ namespace: p.namespace, name: p.name }));
      let r: GroupStoreResult;
      try {
        r = await writeGroupStore(native, {
          dir,
          group: g,
          dataKey,
          restoreTs: opts.restoreTs,
          backups: backups.map((b) => ({
            b,
            sources: loads.filter((l) => l.group === g && l.b === b).map((l) => l.source),
          })),
          options: (b) => ({
            predicates: preds,
            ...(typeFields && { typeFields }),
            compression: readerCompression(b),
            manifestVersion: b.version,
            ...(sealed(b)
              ? { key: copyKey! }
              : opts.key === undefined || !b.encrypted
                ? {}
                : { key: opts.key }),
            ...(opts.threads === undefined ? {} : { threads: opts.threads }),
          }),
          fetch: (b, source) => fetchFile(b, source, files.get(`${b.backupNum}/${source}`)!),
          onFile: (b, source, file, r) => {
            const bytes = sizes.get(`${b.backupNum}/${source}`);
            opts.onProgress?.({ group: g, backupNum: b.backupNum, file, kvs: r.kvs, kept: r.kept, bytes });
            load.bytesDone += bytes ?? 0;
            load.items++;
            report?.({ ...load });
          },
          readTs: opts.restoreTs ?? last.readTs,
          warn: (w) => warnings.push(w),
        });
      } finally {
        dataKey?.fill(0);
      }
      groups.push({ group: g, dir: targets.get(g)!, ...r });
    }
    // Every group is complete: move them into place (an empty target folder is replaced).
    for (const r of groups) {
      if (await isMissingOrEmpty(r.dir)) await rmdir(r.dir).catch(() => undefined);
      await rename(stagingDir(r.dir), r.dir);
      await fsyncDir(path.dirname(r.dir));
    }
  } catch (err) {
    // Leave no half-written store behind (the folders were missing or empty before).
    for (const dir of created) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    copyKey?.fill(0);
    if (downloads !== undefined) await rm(downloads, { recursive: true, force: true }).catch(() => undefined);
  }
  const max = (xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a), 0n);
  return {
    backupId: chain.backupId,
    backupNums: backups.map((b) => b.backupNum),
    groups,
    maxUid: max(groups.map((g) => g.maxUid)),
    maxNsId: max(groups.map((g) => g.maxNsId)),
    readTs: last.readTs,
    warnings,
    layout,
    partial,
    ...(chosen && { chosen }),
  };
}
