/** Writes a canonical RDF dump to disk: `data.rdf` and `schema.txt` in one folder. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A canonical dump's two texts (bytes, or a string written as UTF-8). */
export interface RdfDump {
  data: Buffer | string;
  schema: Buffer | string;
}

/**
 * Creates `dir` (and its parents) and writes `dir/data.rdf` and `dir/schema.txt`, each through a
 * temp file + rename so that a reader never sees half a file. Returns the two paths, in that order.
 */
export async function writeRdfDump(dir: string, dump: RdfDump): Promise<string[]> {
  const out = path.resolve(dir);
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  for (const [name, content] of [
    ['data.rdf', dump.data],
    ['schema.txt', dump.schema],
  ] as const) {
    const file = path.join(out, name);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, content);
    await rename(tmp, file);
    files.push(file);
  }
  return files;
}
