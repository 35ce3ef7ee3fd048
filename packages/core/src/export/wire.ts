/**
 * The streamed export on the wire (`GET /export`, `/internal/export`), format `strata-export/1`:
 *
 *     {"format":"strata-export/1","readTs":"42","groups":[1,2],"schema":"<schema.txt>"}\n
 *     <data.rdf: its lines, sorted bytewise, unique, each ending in \n>
 *     \n
 *     {"facts":1234}\n
 *
 * One JSON header line (the schema as a JSON string), the data lines (never empty), one empty
 * line, one JSON trailer line, the end. A body without its trailer was cut short: the sender
 * failed after the status line went out, and the dump must not be used.
 */
import { LineReader, type LineSource } from './lines.js';

export const EXPORT_FORMAT = 'strata-export/1';
export const EXPORT_CONTENT_TYPE = 'text/plain; charset=utf-8';

export interface ExportHeader {
  format: string;
  readTs: string;
  groups: number[];
  /** `schema.txt`. */
  schema: string;
}

/** Frames a dump: header, the data chunks as they come (line-aligned), the trailer. */
export async function* encodeExport(
  header: Omit<ExportHeader, 'format'>,
  data: AsyncIterable<Buffer>,
  facts: () => number,
): AsyncGenerator<Buffer> {
  yield Buffer.from(`${JSON.stringify({ format: EXPORT_FORMAT, ...header })}\n`);
  for await (const chunk of data) yield chunk;
  yield Buffer.from(`\n${JSON.stringify({ facts: facts() })}\n`);
}

function parseJsonLine(line: Buffer, what: string, part: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch {
    throw new Error(`${what}: the ${part} is not JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Error(`${what}: the ${part} is not a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** A framed dump being read: its header, then its data lines (a {@link LineSource}). */
export class ExportReader implements LineSource {
  private ended = false;
  private lines = 0;
  private trailerFacts: number | undefined;

  private constructor(
    private readonly reader: LineReader,
    readonly header: ExportHeader,
  ) {}

  get what(): string {
    return this.reader.what;
  }

  /** Reads the header line of `body`. `what` names the sender in errors. */
  static async open(body: AsyncIterator<Uint8Array>, what: string): Promise<ExportReader> {
    const reader = new LineReader(body, what);
    const first = await reader.next();
    if (first === null) throw new Error(`${what} sent an empty body instead of an export`);
    const h = parseJsonLine(first, what, 'export header');
    if (h.format !== EXPORT_FORMAT) {
      throw new Error(`${what} sent an export in format ${JSON.stringify(h.format)}, not ${EXPORT_FORMAT}`);
    }
    const groups = h.groups;
    if (
      typeof h.schema !== 'string' ||
      typeof h.readTs !== 'string' ||
      !/^\d{1,20}$/.test(h.readTs) ||
      !Array.isArray(groups) ||
      !groups.every((g) => Number.isSafeInteger(g))
    ) {
      throw new Error(`${what} sent an export header without a valid schema, readTs or groups`);
    }
    return new ExportReader(reader, {
      format: EXPORT_FORMAT,
      readTs: h.readTs,
      groups: groups as number[],
      schema: h.schema,
    });
  }

  nextSync(): Buffer | undefined {
    if (this.ended) return undefined;
    const line = this.reader.nextSync();
    if (line === undefined) return undefined;
    if (line.length === 1) {
      this.ended = true;
      return undefined;
    }
    this.lines++;
    return line;
  }

  async next(): Promise<Buffer | null> {
    const ready = this.nextSync();
    if (ready) return ready;
    if (!this.ended) {
      const line = await this.reader.next();
      if (line === null) throw new Error(`${this.what}: the export was cut short (no end line)`);
      if (line.length > 1) {
        this.lines++;
        return line;
      }
      this.ended = true;
    }
    if (this.trailerFacts === undefined) await this.readTrailer();
    return null;
  }

  private async readTrailer(): Promise<void> {
    const line = await this.reader.next();
    if (line === null) throw new Error(`${this.what}: the export was cut short (no trailer)`);
    const t = parseJsonLine(line, this.what, 'export trailer');
    if (t.facts !== this.lines) {
      throw new Error(`${this.what}: the trailer counts ${String(t.facts)} facts, ${this.lines} were sent`);
    }
    if ((await this.reader.next()) !== null) {
      throw new Error(`${this.what}: bytes follow the export trailer`);
    }
    this.trailerFacts = this.lines;
  }

  /** The facts the trailer counted; set once next() has returned null. */
  get facts(): number | undefined {
    return this.trailerFacts;
  }

  /** Stops reading (closes the body). */
  close(): Promise<void> {
    return this.reader.close();
  }
}
