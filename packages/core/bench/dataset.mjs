// A generated RDF data set of large, incompressible string values (random base64), so that the
// backup files stay about as large as the data (gzip saves ~25% on base64) and remote writes
// really go through multipart uploads. Shared by bench/backup.mjs and the e2e MinIO test.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The predicates the values are spread over. */
export const PREDICATES = ['blob.a', 'blob.b', 'blob.c', 'blob.d'];

/**
 * @param {string} file
 * @param {{ facts: number, valueBytes?: number, prefix?: string, subjects?: number }} options
 * Writes `facts` N-Quads `_:<prefix><i> <blob.x> "<base64 of valueBytes random bytes>" .` to `file`
 * (each value is ~4/3 × valueBytes characters). Resolves to the bytes of string values written.
 */
export async function writeBlobRdf(file, { facts, valueBytes = 1536, prefix = 'n', subjects }) {
  const out = createWriteStream(file);
  const perSubject = PREDICATES.length;
  const nSubjects = subjects ?? Math.ceil(facts / perSubject);
  let valueChars = 0;
  let buf = '';
  for (let i = 0; i < facts; i++) {
    const s = i % nSubjects;
    const p = PREDICATES[Math.floor(i / nSubjects) % perSubject];
    const v = randomBytes(valueBytes).toString('base64');
    valueChars += v.length;
    buf += `_:${prefix}${s} <${p}> "${v}" .\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return valueChars;
}
