/**
 * The master manifest (v21.03 layout) is updated by compare-and-swap: concurrent writers all land
 * their entries, none overwrites another's; a lock file left by a writer that died is broken.
 */
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupFilePath,
  LocalDestination,
  listBackups,
  planBackup,
  writeManifest,
  type Destination,
} from '../src/index.js';
import { STALE_LOCK_MS } from '../src/destinations/local-cas.js';
import { tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());
let n = 0;
const fresh = () => new LocalDestination(path.join(t.dir, `loc-${++n}`));

/** Plans and writes the manifest of a (data-less) full backup started at `at`. */
async function backupAt(dest: Destination, at: Date, readTs: bigint): Promise<string> {
  const plan = await planBackup(dest, {
    readTs,
    encrypted: false,
    forceFull: true,
    format: 'v21.03',
    startedAt: at,
  });
  await dest.write(backupFilePath(plan, 1), Buffer.from('data'));
  await writeManifest(dest, {
    plan,
    groups: new Map([[1, [{ namespace: 0n, name: 'name' }]]]),
    dropOperations: [],
    checksums: {},
    strataVersion: 'test',
  });
  return plan.folder;
}

/** `writers` backups at once (distinct folders); every one must be listed afterwards. */
export async function concurrentWriters(dest: Destination, writers: number): Promise<void> {
  const base = Date.UTC(2026, 0, 1);
  const folders = await Promise.all(
    Array.from({ length: writers }, (_, i) => backupAt(dest, new Date(base + i * 1000), BigInt(100 + i))),
  );
  const listed = (await listBackups({ location: dest })).map((b) => b.path).sort();
  expect(listed).toEqual([...folders].sort());
}

describe('master manifest compare-and-swap (local)', () => {
  it('two writers creating the master at once both land', async () => {
    await concurrentWriters(fresh(), 2);
  });

  it('eight writers appending to an existing master all land', async () => {
    const dest = fresh();
    const first = await backupAt(dest, new Date(Date.UTC(2025, 0, 1)), 50n);
    const base = Date.UTC(2026, 0, 1);
    const folders = await Promise.all(
      Array.from({ length: 8 }, (_, i) => backupAt(dest, new Date(base + i * 1000), BigInt(100 + i))),
    );
    const listed = (await listBackups({ location: dest })).map((b) => b.path).sort();
    expect(listed).toEqual([first, ...folders].sort());
    // No lock file or temp file is left behind.
    expect(existsSync(path.join(dest.root, '.manifest.json.lock'))).toBe(false);
    const files: string[] = [];
    for await (const f of dest.list('')) files.push(f);
    expect(files.filter((f) => !f.includes('/'))).toEqual(['manifest.json']);
  });

  it('two incrementals of the same series: the second to arrive is refused, the chain does not fork', async () => {
    const dest = fresh();
    await backupAt(dest, new Date(Date.UTC(2025, 0, 1)), 50n);
    const plan = (at: number) =>
      planBackup(dest, { readTs: 60n, encrypted: false, format: 'v21.03', startedAt: new Date(at) });
    const [a, b] = [await plan(Date.UTC(2026, 0, 1)), await plan(Date.UTC(2026, 0, 2))];
    expect([a.type, a.backupNum, b.backupNum]).toEqual(['incremental', 2, 2]);
    const write = async (p: typeof a) => {
      await dest.write(backupFilePath(p, 1), Buffer.from('data'));
      return writeManifest(dest, {
        plan: p,
        groups: new Map([[1, [{ namespace: 0n, name: 'name' }]]]),
        dropOperations: [],
        checksums: {},
        strataVersion: 'test',
      });
    };
    await write(a);
    await expect(write(b)).rejects.toThrow(
      /already lists backup .* #2 \(written by another backup meanwhile\)/,
    );
    expect((await listBackups({ location: dest })).map((x) => x.backupNum)).toEqual([1, 2]);
  });

  it('putIfUnchanged refuses a stale version and an existing file for null, writing nothing', async () => {
    const dest = fresh();
    expect(await dest.putIfUnchanged('m.json', Buffer.from('a'), null)).toBe(true);
    const a = (await dest.readVersioned('m.json'))!;
    expect(await dest.putIfUnchanged('m.json', Buffer.from('x'), null)).toBe(false);
    expect(await dest.putIfUnchanged('m.json', Buffer.from('b'), a.version)).toBe(true);
    expect(await dest.putIfUnchanged('m.json', Buffer.from('c'), a.version)).toBe(false);
    expect(readFileSync(dest.resolve('m.json'), 'utf8')).toBe('b');
    expect(await dest.readVersioned('missing.json')).toBeUndefined();
  });

  it('breaks a lock file left by a writer that died, and waits for a live one', async () => {
    const dest = fresh();
    await backupAt(dest, new Date(Date.UTC(2025, 0, 1)), 50n);
    const lock = path.join(dest.root, '.manifest.json.lock');
    writeFileSync(lock, 'a writer that died\n');
    const old = new Date(Date.now() - STALE_LOCK_MS - 5_000);
    utimesSync(lock, old, old);
    await backupAt(dest, new Date(Date.UTC(2026, 0, 1)), 60n);
    expect((await listBackups({ location: dest })).length).toBe(2);
    expect(existsSync(lock)).toBe(false);

    // A fresh lock is waited for, not broken.
    writeFileSync(lock, 'a live writer\n');
    let done = false;
    const p = backupAt(dest, new Date(Date.UTC(2026, 1, 1)), 70n).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    (await import('node:fs')).rmSync(lock);
    await p;
    expect((await listBackups({ location: dest })).length).toBe(3);
  });
});
