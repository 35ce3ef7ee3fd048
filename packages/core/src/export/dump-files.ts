/**
 * Writes a canonical RDF dump to disk: `data.rdf` and `schema.txt` in one folder, or, encrypted
 * with a key, `data.rdf.gz` and `schema.txt.gz`: each gzip, then AES-CTR with a random IV first,
 * the layout of the export of a Dgraph cluster encrypted at rest (`dgraph decrypt` reads it).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBackupEncoder } from '../codec/encoder.js';

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

/** How the dump is written. */
export interface RdfDumpOptions {
  /** AES key (16, 24 or 32 bytes): the files are gzip then AES-CTR, named `.gz`. */
  key?: Buffer | undefined;
}

function tmpOf(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/** Streams `chunks` into `file`: as they are, or gzip + AES-CTR under `key`. */
async function writeOne(file: string, chunks: AsyncIterable<Buffer>, key: Buffer | undefined): Promise<void> {
  const out = createWriteStream(file);
  if (key === undefined) await pipeline(Readable.from(chunks), out);
  else await pipeline(Readable.from(chunks), createBackupEncoder({ key, raw: true, file }), out);
}

async function* once(bytes: Buffer | string): AsyncGenerator<Buffer> {
  yield Buffer.from(bytes);
}

/**
 * Creates `dir` (and its parents) and writes `dir/data.rdf` and `dir/schema.txt`, each through a
 * temp file + rename so that a reader never sees half a file. Returns the two paths, in that order.
 */
export async function writeRdfDump(dir: string, dump: RdfDump, opts: RdfDumpOptions = {}): Promise<string[]> {
  return writeRdfDumpStream(dir, { data: once(dump.data), schema: () => dump.schema }, opts);
}

/**
 * {@link writeRdfDump} from a stream: `data.rdf` is written as the chunks come (with
 * backpressure: the source is pulled only as fast as the disk takes it), then `schema.txt`; both
 * renamed into place only once the whole data was written. On an error the temp files are
 * removed and no half dump is left.
 */
export async function writeRdfDumpStream(
  dir: string,
  dump: RdfDumpStream,
  opts: RdfDumpOptions = {},
): Promise<string[]> {
  const out = path.resolve(dir);
  await mkdir(out, { recursive: true });
  const gz = opts.key === undefined ? '' : '.gz';
  const data = path.join(out, `data.rdf${gz}`);
  const schema = path.join(out, `schema.txt${gz}`);
  try {
    await writeOne(tmpOf(data), dump.data, opts.key);
    await writeOne(tmpOf(schema), once(dump.schema()), opts.key);
    await rename(tmpOf(data), data);
    await rename(tmpOf(schema), schema);
  } catch (err) {
    await rm(tmpOf(data), { force: true });
    await rm(tmpOf(schema), { force: true });
    throw err;
  }
  return [data, schema];
}
