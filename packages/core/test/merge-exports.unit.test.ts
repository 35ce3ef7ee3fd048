import { describe, expect, it } from 'vitest';
import {
  encodeExport,
  ExportReader,
  LineReader,
  mergeSchemas,
  mergeSortedLines,
  type LineSource,
} from '../src/export/index.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

/** A sorted line stream cut into chunks of `size` bytes (lines cross chunk ends). */
function source(text: string, size: number, what?: string): LineReader {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return new LineReader(chunks(...parts), what ?? 'test source');
}

async function collect(it: AsyncIterable<Buffer>): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(c);
  return Buffer.concat(out).toString();
}

describe('mergeSortedLines + mergeSchemas', () => {
  it('merges group dumps as the native exporter merges stores', async () => {
    const stats = { lines: 0 };
    const data = await collect(
      mergeSortedLines(
        [
          source('<0x1> <a> "é" .\n<0x2> <b> "x" .\n', 5),
          source('<0x10> <c> <0x1> .\n<0x1> <a> "é" .\n', 3),
          source('', 1),
        ],
        stats,
        8,
      ),
    );
    expect(data).toBe('<0x10> <c> <0x1> .\n<0x1> <a> "é" .\n<0x2> <b> "x" .\n');
    expect(stats.lines).toBe(3);
    const schema = mergeSchemas([
      Buffer.from('b: string .\ntype T {\n  b\n}\n'),
      Buffer.from('a: string .\ntype S {\n  c\n}\ntype T {\n  a\n}\n'),
      Buffer.alloc(0),
    ]);
    expect(schema.toString()).toBe('a: string .\nb: string .\ntype S {\n  c\n}\ntype T {\n  a\n  b\n}\n');
  });

  it('refuses a source whose lines are not sorted and unique', async () => {
    const bad = source('<0x2> <b> "x" .\n<0x1> <a> "é" .\n', 4, 'group 7');
    await expect(collect(mergeSortedLines([bad]))).rejects.toThrow(
      'the lines of group 7 are not sorted and unique',
    );
    const dup = source('<0x1> <a> .\n<0x1> <a> .\n', 100, 'group 8');
    await expect(collect(mergeSortedLines([dup]))).rejects.toThrow('group 8 are not sorted');
  });

  it('refuses a stream that ends in the middle of a line, and a line over the limit', async () => {
    const cut = new LineReader(chunks('<0x1> <a> .\n<0x2'), 'group 3');
    await expect(collect(mergeSortedLines([cut]))).rejects.toThrow('group 3 ended in the middle of a line');
    const long = new LineReader(chunks('a'.repeat(10), 'b'.repeat(10), '\n'), 'group 4', 16);
    await expect(long.next()).rejects.toThrow('group 4 holds a line longer than 16 bytes');
  });
});

describe('strata-export/1 framing', () => {
  const header = { readTs: '42', groups: [1, 2], schema: 'a: string .\n' };
  const data = '<0x1> <a> "x" .\n<0x2> <a> "y\\n" .\n';

  async function framed(parts: AsyncIterable<Buffer>, facts = 2): Promise<string> {
    return collect(encodeExport(header, parts, () => facts));
  }

  async function read(body: string, size: number): Promise<{ r: ExportReader; lines: string }> {
    const parts: string[] = [];
    for (let i = 0; i < body.length; i += size) parts.push(body.slice(i, i + size));
    const r = await ExportReader.open(chunks(...parts), 'the Alpha');
    const lines: string[] = [];
    for (let l = await r.next(); l !== null; l = await r.next()) lines.push(l.toString());
    return { r, lines: lines.join('') };
  }

  it('round-trips header, lines and trailer at any chunking', async () => {
    const body = await framed(chunks(data));
    expect(body).toBe(
      `{"format":"strata-export/1","readTs":"42","groups":[1,2],"schema":"a: string .\\n"}\n${data}\n{"facts":2}\n`,
    );
    for (const size of [1, 3, 7, body.length]) {
      const { r, lines } = await read(body, size);
      expect(r.header).toEqual({ format: 'strata-export/1', ...header });
      expect(lines).toBe(data);
      expect(r.facts).toBe(2);
    }
  });

  it('refuses a body cut short, a wrong count, bytes after the trailer, a foreign header', async () => {
    const body = await framed(chunks(data));
    await expect(read(body.slice(0, body.indexOf('\n\n') + 1), 4)).rejects.toThrow(
      'the export was cut short',
    );
    await expect(read(await framed(chunks(data), 3), 4)).rejects.toThrow(
      'the trailer counts 3 facts, 2 were sent',
    );
    await expect(read(`${body}x\n`, 4)).rejects.toThrow('bytes follow the export trailer');
    await expect(read('{"format":"other"}\n', 4)).rejects.toThrow('not strata-export/1');
    await expect(read('{"data":"x"}', 4)).rejects.toThrow('ended in the middle of a line');
  });

  it('a LineSource can be the framed reader itself (merge of remote groups)', async () => {
    const a = await ExportReader.open(chunks(await framed(chunks('<0x1> <a> .\n'), 1)), 'group 1');
    const b = await ExportReader.open(
      chunks(await framed(chunks('<0x0> <a> .\n<0x1> <a> .\n'), 2)),
      'group 2',
    );
    const sources: LineSource[] = [a, b];
    expect(await collect(mergeSortedLines(sources))).toBe('<0x0> <a> .\n<0x1> <a> .\n');
    expect([a.facts, b.facts]).toEqual([1, 2]);
  });
});
