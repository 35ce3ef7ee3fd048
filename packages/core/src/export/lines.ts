/**
 * Whole lines out of a byte stream ({@link LineReader}) and the k-way merge of sorted line
 * streams ({@link mergeSortedLines}): how several groups' sorted `data.rdf` streams become the
 * cluster's, holding one chunk per source and one output batch, never the dump.
 */

import type { PhaseProgress } from '../util/progress.js';

/** A line longer than this is refused (every fact of a store fits far below it). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;
/** Default size of the batches {@link mergeSortedLines} yields. */
export const MERGE_BATCH_BYTES = 256 * 1024;

/** A stream of lines, each ending in `\n`, pulled one at a time. */
export interface LineSource {
  /** The next line when it is already buffered; undefined: call {@link next}. */
  nextSync(): Buffer | undefined;
  /** The next line, or null at the end. */
  next(): Promise<Buffer | null>;
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Splits a byte stream into lines (views of the chunks, copied only across chunk ends). */
export class LineReader implements LineSource {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;

  constructor(
    private readonly src: AsyncIterator<Uint8Array>,
    /** Names the stream in errors, e.g. `the export of group 2`. */
    readonly what: string,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {}

  nextSync(): Buffer | undefined {
    if (this.carryLen > 0) return undefined;
    const nl = this.buf.indexOf(0x0a, this.pos);
    if (nl < 0) return undefined;
    const line = this.buf.subarray(this.pos, nl + 1);
    this.pos = nl + 1;
    return line;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    this.carry.push(part);
    this.carryLen += part.length;
    if (this.carryLen > this.maxLine) {
      throw new Error(`${this.what} holds a line longer than ${this.maxLine} bytes`);
    }
  }

  async next(): Promise<Buffer | null> {
    const ready = this.nextSync();
    if (ready) return ready;
    this.keep(this.buf.subarray(this.pos));
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    for (;;) {
      const r = await this.src.next();
      if (r.done) {
        if (this.carryLen > 0) throw new Error(`${this.what} ended in the middle of a line`);
        return null;
      }
      const chunk = asBuffer(r.value);
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        this.keep(chunk);
        continue;
      }
      const head = chunk.subarray(0, nl + 1);
      const line = this.carryLen > 0 ? Buffer.concat([...this.carry, head]) : head;
      this.carry = [];
      this.carryLen = 0;
      this.buf = chunk;
      this.pos = nl + 1;
      return line;
    }
  }

  /** Stops the underlying stream (its `return`), e.g. when the reader is abandoned. */
  async close(): Promise<void> {
    await this.src.return?.();
  }
}

/** Counts what a merge yielded. */
export interface MergeStats {
  lines: number;
}

/**
 * Merges sources whose lines are each sorted bytewise and unique into one sorted unique stream,
 * yielded in batches of about `batchBytes`. A source whose lines are out of order is refused (a
 * group that answers nonsense must not yield a dump that only looks canonical).
 */
export async function* mergeSortedLines(
  sources: Array<LineSource & { what?: string }>,
  stats: MergeStats = { lines: 0 },
  batchBytes = MERGE_BATCH_BYTES,
): AsyncGenerator<Buffer> {
  const heads = await Promise.all(sources.map((s) => s.next()));
  let prev: Buffer | undefined;
  let batch: Buffer[] = [];
  let batchLen = 0;
  for (;;) {
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (min < 0 || Buffer.compare(h, heads[min]!) < 0)) min = i;
    }
    if (min < 0) break;
    const line = heads[min]!;
    if (!prev?.equals(line)) {
      batch.push(line);
      batchLen += line.length;
      stats.lines++;
      prev = line;
      if (batchLen >= batchBytes) {
        yield Buffer.concat(batch, batchLen);
        batch = [];
        batchLen = 0;
      }
    }
    const src = sources[min]!;
    const next = src.nextSync() ?? (await src.next());
    if (next && Buffer.compare(next, line) <= 0) {
      throw new Error(`the lines of ${src.what ?? `source ${min + 1}`} are not sorted and unique`);
    }
    heads[min] = next;
  }
  if (batchLen > 0) yield Buffer.concat(batch, batchLen);
}

/**
 * Passes `chunks` through, telling `report` (phase `phase`) the bytes and the lines (`\n`) seen
 * so far after each chunk: the progress of a dump as it is written.
 */
export async function* countLines(
  chunks: AsyncIterable<Buffer>,
  phase: string,
  report: (p: PhaseProgress) => void,
): AsyncGenerator<Buffer> {
  let bytesDone = 0;
  let items = 0;
  for await (const c of chunks) {
    bytesDone += c.length;
    for (let i = c.indexOf(0x0a); i !== -1; i = c.indexOf(0x0a, i + 1)) items++;
    report({ phase, bytesDone, items });
    yield c;
  }
}
