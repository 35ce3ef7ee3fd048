/** Every real Dgraph backup in the shared fixtures inspects completely. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectBackupFile } from '../src/index.js';
import { DGRAPH_FIXTURES, fixtureBackupFiles } from './helpers.js';

const files = fixtureBackupFiles();

describe('Dgraph fixtures', () => {
  it('finds the fixture files', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  it.each(files.map((f) => [path.relative(DGRAPH_FIXTURES, f), f]))('%s', async (_rel, file) => {
    const stats = await inspectBackupFile(file);
    expect(stats.file).toBe(file);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.bytesIn).toBe(stats.bytes);
    expect(stats.kvs).toBeGreaterThan(0);
    expect(stats.frames).toBeGreaterThan(0);
    expect(stats.bytesDecompressed).toBeGreaterThan(0);
    expect(stats.entries.some((e) => e.keyType === 'TYPE')).toBe(true);
    expect(stats.entries.reduce((s, e) => s + e.keys, 0)).toBe(stats.kvs);
  });

  it('v20.11-full-3groups g1 matches the golden summary (10 data keys, 6 index keys)', async () => {
    const file = files.find((f) => f.includes('v20.11-full-3groups') && f.endsWith('-g1.backup'))!;
    const stats = await inspectBackupFile(file);
    const sum = (type: string): number =>
      stats.entries.filter((e) => e.keyType === type).reduce((s, e) => s + e.keys, 0);
    expect(sum('DATA')).toBe(10);
    expect(sum('INDEX')).toBe(6);
    const preds = new Set(stats.entries.map((e) => e.predicate));
    expect(preds.has('Author.name')).toBe(true);
    expect(preds.has('dgraph.type')).toBe(true);
  });
});
