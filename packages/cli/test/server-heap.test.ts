/** STRATA_HEAP_GROWING_PERCENT (src/server-heap.ts): the servers' heap growth, checked before any server starts. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWING_PERCENT, tuneServerHeap } from '../src/server-heap.js';
import { PKG_DIR } from './helpers.js';

describe('tuneServerHeap', () => {
  it('grows the heap by half at most unless told otherwise; 0 leaves V8 its own', () => {
    expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(50);
    expect(tuneServerHeap({})).toBe(50);
    expect(tuneServerHeap({ STRATA_HEAP_GROWING_PERCENT: ' 100 ' })).toBe(100);
    expect(tuneServerHeap({ STRATA_HEAP_GROWING_PERCENT: '0' })).toBe(0);
  });

  it.each(['abc', '-1', '1001', '1.5', '5e1x'])('refuses %j, naming the variable', (v) => {
    expect(() => tuneServerHeap({ STRATA_HEAP_GROWING_PERCENT: v })).toThrow(
      `STRATA_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (0: V8's default), got "${v}"`,
    );
  });

  it('strata zero with a bad value exits 1 with that message, before writing anything', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strata-heap-'));
    try {
      const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [path.join(PKG_DIR, 'dist/main.js'), 'zero', '--data', path.join(dir, 'zw'), '--port_offset', '7'],
          { env: { ...process.env, STRATA_HEAP_GROWING_PERCENT: 'lots' } },
          (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
        ),
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('STRATA_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
