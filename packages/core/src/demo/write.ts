/** Writes the demo data set to files: `demo.schema` and `demo.rdf.gz` (what `strata load` reads). */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { demoRdfChunks, type DemoOptions } from './generate.js';
import { DEMO_SCHEMA } from './schema.js';

export const DEMO_RDF_FILE = 'demo.rdf.gz';
export const DEMO_SCHEMA_FILE = 'demo.schema';

export interface DemoFiles {
  rdf: string;
  schema: string;
  /** N-Quad lines written. */
  quads: number;
  /** Bytes of N-Quads before gzip. */
  bytes: number;
}

/** Writes `dir/demo.schema` and `dir/demo.rdf.gz` (creating `dir`), replacing existing files. */
export async function writeDemoFiles(dir: string, opts: DemoOptions = {}): Promise<DemoFiles> {
  await mkdir(dir, { recursive: true });
  const schema = path.join(dir, DEMO_SCHEMA_FILE);
  const rdf = path.join(dir, DEMO_RDF_FILE);
  await writeFile(schema, DEMO_SCHEMA);
  let quads = 0;
  let bytes = 0;
  function* counted(): Generator<Buffer> {
    for (const chunk of demoRdfChunks(opts)) {
      const b = Buffer.from(chunk, 'utf8');
      bytes += b.length;
      for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) quads++;
      yield b;
    }
  }
  await pipeline(Readable.from(counted()), createGzip({ level: 6 }), createWriteStream(rdf));
  return { rdf, schema, quads, bytes };
}
