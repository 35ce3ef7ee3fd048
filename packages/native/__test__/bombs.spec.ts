import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type * as Native from '../index.js';

const native = createRequire(import.meta.url)('../index.js') as typeof Native;
const { BackupReader } = native;
const MIB = 1 << 20;

describe('BackupReader on bombs', () => {
  it('hands a 1000x gzip member out in pieces of at most the call budget (more)', async () => {
    // 96 MiB of zeros = 12 Mi empty frames, ~100 KB compressed
    const file = gzipSync(Buffer.alloc(96 * MIB), { level: 9 });
    expect(file.length).toBeLessThan(200_000);
    const r = new BackupReader({ mode: 'bytes', chunks: true, threads: 2 });
    let total = 0;
    let calls = 0;
    let largest = 0;
    const take = (o: Native.ReadOutput): boolean => {
      const n = (o.chunks ?? []).reduce((a, c) => a + c.length, 0);
      total += n;
      largest = Math.max(largest, n);
      calls += 1;
      return o.more;
    };
    let more = take(await r.push(file));
    expect(more).toBe(true);
    while (more) more = take(await r.push(Buffer.alloc(0)));
    take(await r.finish());
    expect(total).toBe(96 * MIB);
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(largest).toBeLessThanOrEqual(33 * MIB);
  });

  it('refuses a frame header of 1 GiB with TOO_LARGE naming the offset', async () => {
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(1n << 30n);
    const file = gzipSync(Buffer.concat([head, Buffer.alloc(MIB)]));
    const r = new BackupReader({ mode: 'stats', source: 'bomb.backup' });
    await expect(r.push(file)).rejects.toThrow(
      /^TOO_LARGE: frame 1 at decompressed offset 0 claims 1073741824 bytes \(limit 134217728\) \(bomb\.backup\)$/,
    );
  });
});
