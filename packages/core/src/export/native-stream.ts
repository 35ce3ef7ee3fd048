/** A native `ExportStream` as an async iterable of `data.rdf` chunks. */
import type { ExportStream } from '../native.js';

/**
 * Pulls `stream` chunk by chunk (each chunk ends on a line end). Leaving the loop early (a
 * `break`, an error downstream, a closed connection) aborts the export, which removes its temp
 * files.
 */
export async function* nativeChunks(stream: ExportStream, first?: Buffer | null): AsyncGenerator<Buffer> {
  let done = false;
  try {
    if (first === null) {
      done = true;
      return;
    }
    if (first) yield first;
    for (;;) {
      const c = await stream.next();
      if (c === null) {
        done = true;
        return;
      }
      yield c;
    }
  } finally {
    if (!done) stream.abort();
  }
}
