/** readManifests reads per-folder manifests in parallel, at most MANIFEST_READ_CONCURRENCY at once. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { listBackups, MANIFEST_READ_CONCURRENCY, type Destination } from '../src/index.js';
import { mapConcurrent } from '../src/util/concurrency.js';

function slowLocation(n: number): Destination & { peak: number } {
  const folders = Array.from({ length: n }, (_, i) => {
    const ms = 1_000 + i;
    return `dgraph.20210101.${String(Math.floor(ms / 1000)).padStart(6, '0')}.${String(ms % 1000).padStart(3, '0')}`;
  });
  let inFlight = 0;
  const dest = {
    peak: 0,
    async *list() {
      for (const f of folders) yield `${f}/manifest.json`;
    },
    read: () => Readable.from([]),
    async readFile(rel: string) {
      inFlight++;
      dest.peak = Math.max(dest.peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      const i = folders.indexOf(rel.split('/')[0]!);
      return Buffer.from(
        JSON.stringify({
          type: i === 0 ? 'full' : 'incremental',
          since: 10 + i,
          groups: { '1': ['name'] },
          backup_id: 'series_1',
          backup_num: i + 1,
          encrypted: false,
        }),
      );
    },
    write: async () => undefined,
    readVersioned: async () => undefined,
    putIfUnchanged: async () => false,
    exists: async () => true,
    delete: async () => undefined,
    describe: () => 'mem://slow',
  };
  return dest;
}

describe('bounded parallel manifest reads', () => {
  it('lists 200 backups with at most 16 reads in flight, in order', async () => {
    const dest = slowLocation(200);
    const list = await listBackups({ location: dest });
    expect(list).toHaveLength(200);
    expect(list.map((b) => b.backupNum)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(dest.peak).toBe(MANIFEST_READ_CONCURRENCY);
  });

  it('mapConcurrent keeps order and stops starting work after a failure', async () => {
    expect(await mapConcurrent([3, 1, 2], 2, async (x) => x * 2)).toEqual([6, 2, 4]);
    let started = 0;
    await expect(
      mapConcurrent([1, 2, 3, 4, 5, 6], 1, async (x) => {
        started++;
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(started).toBe(2);
  });
});
