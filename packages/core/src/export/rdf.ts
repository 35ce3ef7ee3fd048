/** The canonical RDF export (`data.rdf` + `schema.txt`) of the posting stores under a folder. */
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fromFsError, StoreError } from '../errors.js';
import { loadNative, type ExportStream } from '../native.js';
import { writeRdfDumpStream } from './dump-files.js';
import { nativeChunks } from './native-stream.js';
import { fromNativeStore } from '../restore/native-errors.js';
import type { PhaseProgress } from '../util/progress.js';
import { countLines } from './lines.js';
import { storeDataKey } from '../keys/envelope.js';

export interface ExportRdfOptions {
  /** A folder holding `p<N>` store folders (as `restoreOffline` writes them), or one store folder. */
  pdir: string;
  /** Read timestamp (default: the newest version of every key). */
  readTs?: bigint | undefined;
  /**
   * The cluster's master key, for stores encrypted at rest: each store's data key is unwrapped
   * from its envelope (`keys.json`). A sealed store without it, or a plain one with it, is refused.
   */
  atRestKey?: Uint8Array | undefined;
}

export interface ExportRdfOutput {
  /** `data.rdf`: one fact per line, sorted bytewise, unique, each line ending in `\n`. */
  data: Buffer;
  /** `schema.txt`: predicate lines, then type blocks. */
  schema: Buffer;
  facts: number;
  /** The store folders exported, in group order. */
  stores: string[];
}

/** The store folders of `pdir`: its `p<N>` subfolders by N, or `pdir` itself when it is a store. */
export async function findStores(pdir: string): Promise<string[]> {
  const root = path.resolve(pdir);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (err) {
    throw fromFsError(err, root, 'posting store folder');
  }
  if (names.includes('data.mdb') || names.includes('sealed.db')) return [root];
  const stores: Array<[number, string]> = [];
  for (const n of names) {
    const m = /^p(\d+)$/.exec(n);
    if (!m) continue;
    const dir = path.join(root, n);
    if ((await stat(dir)).isDirectory()) stores.push([Number(m[1]), dir]);
  }
  if (stores.length === 0) {
    throw new StoreError(
      'STORE_NOT_FOUND',
      `${root} holds no posting store (no p<N> folder, no data.mdb or sealed.db)`,
      {
        file: root,
      },
    );
  }
  return stores.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}

/**
 * The native export's `dataKeys`: per store, its data key (an empty Buffer for a plain store);
 * undefined when every store is plain. The caller zeroes them once the export has opened.
 */
async function dataKeysOf(stores: string[], master: Uint8Array | undefined): Promise<Buffer[] | undefined> {
  const keys = await Promise.all(stores.map((d) => storeDataKey(d, master, false)));
  return keys.every((k) => k === undefined) ? undefined : keys.map((k) => k ?? Buffer.alloc(0));
}

/**
 * Exports the union of every group's store under `pdir` (lines sorted and unique) into memory:
 * for small stores and tests; {@link exportRdfToDir} streams.
 */
export async function exportRdf(opts: ExportRdfOptions): Promise<ExportRdfOutput> {
  const stores = await findStores(opts.pdir);
  const native = loadNative();
  const dataKeys = await dataKeysOf(stores, opts.atRestKey);
  try {
    const r = await native.exportRdf(stores, {
      ...(opts.readTs === undefined ? {} : { readTs: opts.readTs }),
      ...(dataKeys && { dataKeys }),
    });
    return { data: r.data, schema: r.schema, facts: r.facts, stores };
  } catch (err) {
    throw fromNativeStore(err, opts.pdir);
  } finally {
    for (const k of dataKeys ?? []) k.fill(0);
  }
}

/** Options of {@link exportRdfToDir}. */
export interface ExportRdfToDirOptions extends ExportRdfOptions {
  /** The folder to write `data.rdf` and `schema.txt` into (created if needed). */
  out: string;
  /** Folder for the external sort's run files (default: `out`; removed when done). */
  tmpDir?: string | undefined;
  /** Bytes of lines sorted in memory before a run is spilled (default 32 MiB). */
  runBytes?: number | undefined;
  /**
   * Encrypt the dump with this key: `data.rdf.gz` and `schema.txt.gz`, gzip then AES-CTR with the
   * IV first, as Dgraph exports an encrypted cluster (./dump-files.ts).
   */
  outputKey?: Buffer | undefined;
  /**
   * Phase `export`: bytes of `data.rdf` written so far and its lines (facts) as items, told as
   * each chunk is written; no totals (the size of the dump is not known before it is made).
   */
  onPhaseProgress?: ((p: PhaseProgress) => void) | undefined;
}

/**
 * Streams the export of every group's store under `pdir` into `out/data.rdf` and
 * `out/schema.txt` (each via a temp file + rename; encrypted `.gz` files with `outputKey`). Memory stays bounded by the native run
 * buffer, whatever the store size.
 */
export async function exportRdfToDir(
  opts: ExportRdfToDirOptions,
): Promise<{ facts: number; stores: string[]; files: string[] }> {
  const stores = await findStores(opts.pdir);
  const out = path.resolve(opts.out);
  const dataKeys = await dataKeysOf(stores, opts.atRestKey);
  await mkdir(out, { recursive: true });
  let stream: ExportStream;
  try {
    stream = loadNative().exportRdfStream(stores, {
      tmpDir: opts.tmpDir ?? out,
      ...(opts.readTs === undefined ? {} : { readTs: opts.readTs }),
      ...(opts.runBytes === undefined ? {} : { runBytes: opts.runBytes }),
      ...(dataKeys && { dataKeys }),
    });
  } catch (err) {
    throw fromNativeStore(err, opts.pdir);
  } finally {
    // The stream took its copies.
    for (const k of dataKeys ?? []) k.fill(0);
  }
  try {
    const data = nativeChunks(stream);
    const files = await writeRdfDumpStream(
      out,
      {
        data: opts.onPhaseProgress ? countLines(data, 'export', opts.onPhaseProgress) : data,
        schema: () => stream.summary().schema,
      },
      { key: opts.outputKey },
    );
    return { facts: stream.summary().facts, stores, files };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall !== undefined) {
      throw fromFsError(err, (err as NodeJS.ErrnoException).path ?? out, 'export output');
    }
    throw fromNativeStore(err, opts.pdir);
  }
}
