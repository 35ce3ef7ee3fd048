/**
 * A remote restore into a cluster encrypted at rest: the copies of unencrypted backup files in the
 * download folder are encrypted as they arrive (./src/restore/sealed-download.ts), and the restore
 * reads them back to the same stores as a plaintext restore writes. A restore into a plaintext
 * target keeps byte-identical copies (the control).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDestination, restoreOffline, type Destination } from '../src/index.js';
import { DGRAPH_FIXTURES, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SET = path.join(DGRAPH_FIXTURES, 'v20.11-series-2groups');

/** The fixture location seen as a remote one (not a LocalDestination): its files are downloaded. */
function remote(): Destination {
  const local = new LocalDestination(SET);
  return {
    list: (p) => local.list(p),
    read: (p) => local.read(p),
    readFile: (p) => local.readFile(p),
    readVersioned: (p) => local.readVersioned(p),
    write: () => Promise.reject(new Error('read only')),
    putIfUnchanged: () => Promise.reject(new Error('read only')),
    exists: (p) => local.exists(p),
    size: (p) => local.size(p),
    delete: () => Promise.reject(new Error('read only')),
    describe: () => 'remote-double://fixture',
  };
}

/** Restores the series; on each loaded file, compares each copy in the download folder with its source. */
async function restore(name: string, atRestKey: Buffer | undefined) {
  const downloadDir = path.join(tmp.dir, `${name}-downloads`);
  const copies: { copy: Buffer; source: Buffer }[] = [];
  mkdirSync(downloadDir);
  const r = await restoreOffline({
    location: remote(),
    pdir: path.join(tmp.dir, name),
    downloadDir,
    atRestKey,
    onProgress: (p) => {
      const [run] = readdirSync(downloadDir);
      for (const f of readdirSync(path.join(downloadDir, run!))) {
        const source = readFileSync(path.join(SET, ...f.split('__')));
        copies.push({ copy: readFileSync(path.join(downloadDir, run!, f)), source });
      }
      expect(p.kvs).toBeGreaterThanOrEqual(0);
    },
  });
  expect(readdirSync(downloadDir)).toEqual([]);
  return { r, copies };
}

describe('downloads of a remote restore', () => {
  it('are encrypted on the way into a cluster encrypted at rest, and restore the same stores', async () => {
    const plain = await restore('plain', undefined);
    const sealed = await restore('sealed', randomBytes(32));
    expect(plain.copies.length).toBeGreaterThanOrEqual(12);
    for (const c of plain.copies) expect(c.copy.equals(c.source)).toBe(true);
    expect(sealed.copies.length).toBe(plain.copies.length);
    for (const c of sealed.copies) {
      expect(c.copy.length).toBe(c.source.length + 16);
      // The source's bytes (gzip, magic 1f 8b) appear nowhere in the copy, not even its start.
      expect(c.copy.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
      expect(c.copy.includes(c.source.subarray(0, 64))).toBe(false);
    }
    const counts = (x: typeof plain) => x.r.groups.map((g) => [g.group, g.kvs, g.kept, g.keys, g.maxUid]);
    expect(counts(sealed)).toEqual(counts(plain));
    expect(sealed.r.groups.reduce((n, g) => n + g.kvs, 0)).toBeGreaterThan(0);
  });
});
