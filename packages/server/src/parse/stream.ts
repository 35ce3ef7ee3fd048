/**
 * Streaming N-Quads for `strata load`: batches of parsed N-Quads (each with its line number) from
 * a readable of bytes, plain or gzip (detected by its magic bytes, so `.rdf.gz` just works).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parseNQuadLine, type NQuad } from './nquads.js';

export interface NQuadsStreamOptions {
  /** N-Quads per batch (default 1000). */
  batchSize?: number;
  /** Allow `*` (a stream of deletions). */
  allowStar?: boolean;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('parseNQuadsStream: the stream must yield bytes or strings');
}

/** The bytes of `input`, gunzipped when they start with the gzip magic. */
async function* decompressed(input: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const n = await it.next();
    if (n.done) {
      done = true;
      break;
    }
    const b = toBuffer(n.value);
    head.push(b);
    headLen += b.length;
  }
  const first = Buffer.concat(head);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    if (done) return;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield toBuffer(n.value);
    }
  }
  if (first[0] === 0x1f && first[1] === 0x8b) {
    const gunzip = createGunzip();
    const src = Readable.from(all());
    src.on('error', (err) => gunzip.destroy(err));
    src.pipe(gunzip);
    for await (const c of gunzip) yield c as Buffer;
  } else {
    yield* all();
  }
}

/** Yields batches of N-Quads; a syntax error throws a ParseError with the line and column. */
export async function* parseNQuadsStream(
  input: AsyncIterable<unknown>,
  opts: NQuadsStreamOptions = {},
): AsyncGenerator<NQuad[]> {
  const batchSize = opts.batchSize ?? 1000;
  const sopts = { allowStar: opts.allowStar ?? false };
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  let batch: NQuad[] = [];
  const take = (line: string) => {
    lineNo++;
    const q = parseNQuadLine(line.endsWith('\r') ? line.slice(0, -1) : line, lineNo, sopts);
    if (q) batch.push(q);
  };
  for await (const chunk of decompressed(input)) {
    const text = rest + decoder.write(chunk);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      take(text.slice(from, nl));
      from = nl + 1;
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    rest = text.slice(from);
  }
  rest += decoder.end();
  if (rest.length > 0) take(rest);
  if (batch.length > 0) yield batch;
}

/** `parseNQuadsStream` over a file (`.rdf` or `.rdf.gz`). */
export function parseNQuadsFile(file: string, opts?: NQuadsStreamOptions): AsyncGenerator<NQuad[]> {
  return parseNQuadsStream(createReadStream(file, { highWaterMark: 1 << 20 }), opts);
}
