/**
 * One target group's posting store, written in its staging folder by the native RestoreWriter from
 * the backups of a chain (format spec §10). Two ways:
 * - file by file: per backup, its drop operations, a schema reset, then its files;
 * - merged: when every backup says its files are in the store's key order (`store_key_order`,
 *   Strata's own backups) and there is more than one file, the whole chain at once, its files
 *   merged as they are read. Every key is then appended, so the store needs no copy at the end
 *   to get rid of the half-full pages an incremental's keys leave inside the tree.
 * A file that is not in order after all stops the merge (`STORE_KEYS_OUT_OF_ORDER`, the store
 * emptied again): the chain is then loaded file by file, with a warning.
 */
import { StoreError } from '../errors.js';
import type { BackupManifest, DropOperation } from '../manifest/model.js';
import type {
  ChainBackupInput,
  DropOp,
  LoadFileOptions,
  LoadFileResult,
  NativeBinding,
  RestoreWriter,
} from '../native.js';
import { fromNativeStore } from './native-errors.js';

/** A data file made readable on this machine (downloaded when remote). */
export interface FetchedFile {
  /** The path the native writer reads. */
  file: string;
  /** The file as shown in messages. */
  shown: string;
  /** Deletes a download. */
  done: () => Promise<void>;
}

export interface GroupChainBackup {
  b: BackupManifest;
  /** The source groups of this backup whose files the target group loads (possibly none). */
  sources: number[];
}

export interface GroupStoreInput {
  /** The staging folder (must not exist or be empty). */
  dir: string;
  group: number;
  /** The store's data key (encrypted at rest), whose envelope is in `dir` already. */
  dataKey?: Buffer | undefined;
  restoreTs?: bigint | undefined;
  /** The chain's backups in order. */
  backups: GroupChainBackup[];
  /** The native load options of a backup's files. */
  options: (b: BackupManifest) => LoadFileOptions;
  fetch: (b: BackupManifest, source: number) => Promise<FetchedFile>;
  /** After each file is loaded (after the whole merge for a merged chain). */
  onFile: (b: BackupManifest, source: number, shown: string, r: LoadFileResult) => void;
  /** The read ts recorded in the store. */
  readTs: bigint;
  warn: (message: string) => void;
}

export interface GroupStoreResult {
  /** Largest DATA subject / REVERSE object uid of the kept keys. */
  maxUid: bigint;
  maxNsId: bigint;
  /** Key versions in the store. */
  keys: number;
  /** KVs read from the group's files / kept by the predicate filter. */
  kvs: number;
  kept: number;
  /** The chain's files were merged as they were read (Strata's own backups, more than one file). */
  merged: boolean;
}

/** A manifest drop operation as the native writer takes it. */
export function toNativeDrop(d: DropOperation): DropOp {
  switch (d.op) {
    case 'ALL':
      return { op: 'ALL' };
    case 'DATA':
      return d.namespace === undefined ? { op: 'DATA' } : { op: 'DATA', namespace: d.namespace };
    case 'ATTR':
      return { op: 'ATTR', value: d.attr, namespace: d.namespace };
    case 'NS':
      return { op: 'NS', namespace: d.namespace };
  }
}

/**
 * The most files a merge reads at once (the native `MAX_CHAIN_FILES`): each holds a reader with its
 * threads and buffers while the merge runs. A longer chain is loaded file by file.
 */
export const MAX_MERGED_FILES = 16;

/**
 * Whether the chain's files are merged: Strata's own key-ordered backups, more than one file and
 * at most {@link MAX_MERGED_FILES}.
 */
export function mergesChain(backups: GroupChainBackup[]): boolean {
  const withFiles = backups.filter((x) => x.sources.length > 0);
  const files = withFiles.reduce((n, x) => n + x.sources.length, 0);
  return files > 1 && files <= MAX_MERGED_FILES && withFiles.every((x) => x.b.storeKeyOrder === true);
}

/** Writes the group's store in `input.dir` and finishes it (closed, marked complete). */
export async function writeGroupStore(
  native: Pick<NativeBinding, 'RestoreWriter'>,
  input: GroupStoreInput,
): Promise<GroupStoreResult> {
  let writer: RestoreWriter;
  try {
    writer = new native.RestoreWriter(input.dir, {
      group: input.group,
      ...(input.dataKey && { dataKey: input.dataKey }),
      ...(input.restoreTs === undefined ? {} : { restoreTs: input.restoreTs }),
    });
  } catch (err) {
    throw fromNativeStore(err, input.dir);
  }
  let loaded: Loaded | undefined;
  if (mergesChain(input.backups)) {
    loaded = await loadMerged(writer, input).catch((err: unknown) => {
      if (!(err instanceof StoreError && err.reason === 'STORE_KEYS_OUT_OF_ORDER')) throw err;
      input.warn(`group ${input.group}: ${err.message}; its chain was loaded file by file instead`);
      return undefined;
    });
  }
  const merged = loaded !== undefined;
  loaded ??= await loadFileByFile(writer, input);
  let fin;
  try {
    fin = await writer.finish(input.readTs);
  } catch (err) {
    throw fromNativeStore(err, input.dir);
  }
  return { maxUid: fin.maxUid, maxNsId: fin.maxNsId, keys: fin.keys, ...loaded, merged };
}

interface Loaded {
  kvs: number;
  kept: number;
}

async function loadFileByFile(writer: RestoreWriter, input: GroupStoreInput): Promise<Loaded> {
  const out: Loaded = { kvs: 0, kept: 0 };
  for (const { b, sources } of input.backups) {
    if (sources.length === 0) continue;
    try {
      await writer.applyDrops(b.dropOperations.map(toNativeDrop));
      await writer.resetSchema();
    } catch (err) {
      throw fromNativeStore(err, input.dir);
    }
    for (const source of sources) {
      const fetched = await input.fetch(b, source);
      try {
        const r = await writer.loadBackupFile(fetched.file, input.options(b));
        out.kvs += r.kvs;
        out.kept += r.kept;
        input.onFile(b, source, fetched.shown, r);
      } catch (err) {
        throw fromNativeStore(err, fetched.shown);
      } finally {
        await fetched.done();
      }
    }
  }
  return out;
}

/** Every file of the chain fetched first (a remote chain is downloaded whole), then merged. */
async function loadMerged(writer: RestoreWriter, input: GroupStoreInput): Promise<Loaded> {
  const fetched: { b: BackupManifest; source: number; f: FetchedFile }[] = [];
  try {
    const chain: ChainBackupInput[] = [];
    for (const { b, sources } of input.backups) {
      if (sources.length === 0) continue;
      const files = [];
      for (const source of sources) {
        const f = await input.fetch(b, source);
        fetched.push({ b, source, f });
        files.push({ path: f.file, options: input.options(b) });
      }
      chain.push({ drops: b.dropOperations.map(toNativeDrop), files });
    }
    let results: LoadFileResult[];
    try {
      results = await writer.loadChain(chain);
    } catch (err) {
      throw mergeError(
        err,
        fetched.map((x) => x.f),
        input.dir,
      );
    }
    const out: Loaded = { kvs: 0, kept: 0 };
    fetched.forEach(({ b, source, f }, i) => {
      const r = results[i]!;
      out.kvs += r.kvs;
      out.kept += r.kept;
      input.onFile(b, source, f.shown, r);
    });
    return out;
  } finally {
    for (const { f } of fetched) await f.done();
  }
}

/** A native error of the merge, naming the file it is about as the user knows it (a download's source). */
function mergeError(err: unknown, files: FetchedFile[], dir: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  const named = files.find((f) => message.includes(f.file));
  if (named === undefined) return fromNativeStore(err, dir);
  const shown = new Error(message.split(named.file).join(named.shown), { cause: err });
  return fromNativeStore(shown, named.shown);
}
