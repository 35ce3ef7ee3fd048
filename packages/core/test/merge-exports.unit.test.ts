import { describe, expect, it } from 'vitest';
import { mergeExports } from '../src/export/index.js';

describe('mergeExports', () => {
  it('merges group dumps as the native exporter merges stores', () => {
    const r = mergeExports([
      {
        data: Buffer.from('<0x2> <b> "x" .\n<0x1> <a> "é" .\n'),
        schema: Buffer.from('b: string .\ntype T {\n  b\n}\n'),
      },
      {
        data: Buffer.from('<0x1> <a> "é" .\n<0x10> <c> <0x1> .\n'),
        schema: Buffer.from('a: string .\ntype S {\n  c\n}\ntype T {\n  a\n}\n'),
      },
      { data: Buffer.alloc(0), schema: Buffer.alloc(0) },
    ]);
    expect(r.data.toString()).toBe('<0x10> <c> <0x1> .\n<0x1> <a> "é" .\n<0x2> <b> "x" .\n');
    expect(r.facts).toBe(3);
    expect(r.schema.toString()).toBe('a: string .\nb: string .\ntype S {\n  c\n}\ntype T {\n  a\n  b\n}\n');
  });
});
