/** The canonical RDF export (`data.rdf` + `schema.txt`) of the posting stores under a folder. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fromFsError, StoreError } from '../errors.js';
import { loadNative } from '../native.js';
import { writeRdfDump } from './dump-files.js';
import { fromNativeStore } from '../restore/native-errors.js';

export interface ExportRdfOptions {
  /** A folder holding `p<N>` store folders (as `restoreOffline` writes them), or one store folder. */
  pdir: string;
  /** Read timestamp (default: the newest version of every key). */
  readTs?: bigint | undefined;
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
  if (names.includes('data.mdb')) return [root];
  const stores: Array<[number, string]> = [];
  for (const n of names) {
    const m = /^p(\d+)$/.exec(n);
    if (!m) continue;
    const dir = path.join(root, n);
    if ((await stat(dir)).isDirectory()) stores.push([Number(m[1]), dir]);
  }
  if (stores.length === 0) {
    throw new StoreError('STORE_NOT_FOUND', `${root} holds no posting store (no p<N> folder, no data.mdb)`, {
      file: root,
    });
  }
  return stores.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}

/** Exports the union of every group's store under `pdir` (lines sorted and unique). */
export async function exportRdf(opts: ExportRdfOptions): Promise<ExportRdfOutput> {
  const stores = await findStores(opts.pdir);
  const native = loadNative();
  try {
    const r = await native.exportRdf(stores, opts.readTs === undefined ? {} : { readTs: opts.readTs });
    return { data: r.data, schema: r.schema, facts: r.facts, stores };
  } catch (err) {
    throw fromNativeStore(err, opts.pdir);
  }
}

/** {@link exportRdf}, then writes `data.rdf` and `schema.txt` into `out` (each via a temp file + rename). */
export async function exportRdfToDir(
  opts: ExportRdfOptions & { out: string },
): Promise<ExportRdfOutput & { files: string[] }> {
  const r = await exportRdf(opts);
  const files = await writeRdfDump(opts.out, r);
  return { ...r, files };
}

/** One part of a cluster export (one group's canonical `data.rdf` and `schema.txt`). */
export interface ExportPart {
  data: Buffer;
  schema: Buffer;
}

function lines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, from)) {
    if (nl > from) out.push(buf.subarray(from, nl + 1));
    from = nl + 1;
  }
  if (from < buf.length) out.push(Buffer.concat([buf.subarray(from), Buffer.from('\n')]));
  return out;
}

function sortedUnique(items: Buffer[]): Buffer[] {
  items.sort(Buffer.compare);
  return items.filter((b, i) => i === 0 || !b.equals(items[i - 1]!));
}

/**
 * Merges the canonical dumps of several groups exactly as the native exporter merges stores:
 * data lines sorted bytewise and unique; schema predicate lines sorted bytewise and unique, then
 * one block per type (sorted by name) with the union of its fields (sorted).
 */
export function mergeExports(parts: ExportPart[]): { data: Buffer; schema: Buffer; facts: number } {
  const data = sortedUnique(parts.flatMap((p) => lines(p.data)));
  const predicates: Buffer[] = [];
  const types = new Map<string, Set<string>>();
  for (const p of parts) {
    let current: Set<string> | undefined;
    for (const raw of lines(p.schema)) {
      const line = raw.toString('utf8').replace(/\n$/, '');
      if (current) {
        if (line === '}') current = undefined;
        else current.add(line.trim());
        continue;
      }
      const m = /^type (.+) \{$/.exec(line);
      if (m) {
        current = types.get(m[1]!) ?? new Set();
        types.set(m[1]!, current);
      } else if (line.length > 0) {
        predicates.push(raw);
      }
    }
  }
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const schema: Buffer[] = sortedUnique(predicates);
  for (const name of [...types.keys()].sort(byBytes)) {
    const fields = [...types.get(name)!].sort(byBytes).map((f) => `  ${f}\n`);
    schema.push(Buffer.from(`type ${name} {\n${fields.join('')}}\n`));
  }
  return { data: Buffer.concat(data), schema: Buffer.concat(schema), facts: data.length };
}
