/** Writes a canonical RDF dump to disk: `data.rdf` and `schema.txt` in one folder. */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A canonical dump's two texts (bytes, or a string written as UTF-8). */
export interface RdfDump {
  data: Buffer | string;
  schema: Buffer | string;
}

/** A canonical dump as a stream: `data.rdf` chunk by chunk; the schema once the data is done. */
export interface RdfDumpStream {
  data: AsyncIterable<Buffer>;
  schema: () => Buffer | string;
}

function tmpOf(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/**
 * Creates `dir` (and its parents) and writes `dir/data.rdf` and `dir/schema.txt`, each through a
 * temp file + rename so that a reader never sees half a file. Returns the two paths, in that order.
 */
export async function writeRdfDump(dir: string, dump: RdfDump): Promise<string[]> {
  return writeRdfDumpStream(dir, {
    data: (async function* () {
      yield Buffer.from(dump.data);
    })(),
    schema: () => dump.schema,
  });
}

/**
 * {@link writeRdfDump} from a stream: `data.rdf` is written as the chunks come (with
 * backpressure: the source is pulled only as fast as the disk takes it), then `schema.txt`; both
 * renamed into place only once the whole data was written. On an error the temp files are
 * removed and no half dump is left.
 */
export async function writeRdfDumpStream(dir: string, dump: RdfDumpStream): Promise<string[]> {
  const out = path.resolve(dir);
  await mkdir(out, { recursive: true });
  const data = path.join(out, 'data.rdf');
  const schema = path.join(out, 'schema.txt');
  try {
    await pipeline(Readable.from(dump.data), createWriteStream(tmpOf(data)));
    await writeFile(tmpOf(schema), dump.schema());
    await rename(tmpOf(data), data);
    await rename(tmpOf(schema), schema);
  } catch (err) {
    await rm(tmpOf(data), { force: true });
    await rm(tmpOf(schema), { force: true });
    throw err;
  }
  return [data, schema];
}
