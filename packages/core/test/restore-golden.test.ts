/**
 * Golden restores: for every fixture set and every restore point `expected/<backupId>/<backupNum>/`,
 * restoreOffline + exportRdf (in memory, and streamed by exportRdfToDir) give data.rdf and schema.txt byte-identical to the golden files.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportRdf, exportRdfToDir, FileNotFoundError, restoreOffline, StoreError } from '../src/index.js';
import { DGRAPH_FIXTURES, tempDir } from './helpers.js';

interface RestorePoint {
  set: string;
  backupId: string;
  backupNum: number;
  expected: string;
}

function restorePoints(): RestorePoint[] {
  const out: RestorePoint[] = [];
  if (!existsSync(DGRAPH_FIXTURES)) return out;
  for (const set of readdirSync(DGRAPH_FIXTURES).sort()) {
    const exp = path.join(DGRAPH_FIXTURES, set, 'expected');
    if (!existsSync(exp)) continue;
    for (const backupId of readdirSync(exp).sort()) {
      const idDir = path.join(exp, backupId);
      if (!statSync(idDir).isDirectory()) continue;
      for (const num of readdirSync(idDir).sort((a, b) => Number(a) - Number(b))) {
        out.push({ set, backupId, backupNum: Number(num), expected: path.join(idDir, num) });
      }
    }
  }
  return out;
}

const points = restorePoints();
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('golden restores (restoreOffline + exportRdf)', () => {
  it('finds the restore points', () => {
    expect(points.length).toBeGreaterThanOrEqual(10);
  });

  it.each(points.map((p) => [`${p.set} ${p.backupId}/${p.backupNum}`, p] as const))('%s', async (name, p) => {
    const pdir = path.join(tmp.dir, name.replace(/[^\w.-]+/g, '_'));
    const r = await restoreOffline({
      location: path.join(DGRAPH_FIXTURES, p.set),
      pdir,
      backupId: p.backupId,
      backupNum: p.backupNum,
    });
    expect(r.backupId).toBe(p.backupId);
    expect(r.backupNums).toEqual(Array.from({ length: p.backupNum }, (_, i) => i + 1));
    expect(r.readTs).toBeGreaterThan(0n);
    const out = await exportRdf({ pdir });
    expect(out.data.toString('utf8')).toBe(readFileSync(path.join(p.expected, 'data.rdf'), 'utf8'));
    expect(out.schema.toString('utf8')).toBe(readFileSync(path.join(p.expected, 'schema.txt'), 'utf8'));
    expect(out.stores.length).toBe(r.groups.length);
    // streamed through many tiny sort runs (spilled beside the output): the same bytes, no temp left
    const dump = path.join(tmp.dir, `${name.replace(/[^\w.-]+/g, '_')}-dump`);
    const s = await exportRdfToDir({ pdir, out: dump, runBytes: 256 });
    expect(readdirSync(dump).sort()).toEqual(['data.rdf', 'schema.txt']);
    expect(readFileSync(path.join(dump, 'data.rdf'))).toEqual(
      readFileSync(path.join(p.expected, 'data.rdf')),
    );
    expect(readFileSync(path.join(dump, 'schema.txt'))).toEqual(
      readFileSync(path.join(p.expected, 'schema.txt')),
    );
    expect(s.facts).toBe(out.facts);
  });

  it('fails before writing anything when a file of the chain is missing; an earlier point still restores', async () => {
    const set = path.join(DGRAPH_FIXTURES, 'v20.11-series-3groups');
    const loc = path.join(tmp.dir, 'missing-file-location');
    cpSync(set, loc, { recursive: true, filter: (src) => !src.includes(`${path.sep}expected`) });
    const folders = readdirSync(loc)
      .filter((f) => f.startsWith('dgraph.'))
      .sort();
    const lastFolder = path.join(loc, folders[folders.length - 1]!);
    const victim = readdirSync(lastFolder).find((f) => f.endsWith('-g2.backup'))!;
    rmSync(path.join(lastFolder, victim));

    const pdir = path.join(tmp.dir, 'missing-file-p');
    const err = await restoreOffline({ location: loc, pdir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect((err as Error).message).toContain(`missing backup file ${path.join(lastFolder, victim)}`);
    expect(existsSync(pdir)).toBe(false);

    const r = await restoreOffline({ location: loc, pdir, backupNum: 2 });
    expect(r.backupNums).toEqual([1, 2]);
    const out = await exportRdf({ pdir });
    const golden = path.join(set, 'expected', r.backupId, '2');
    expect(out.data.toString()).toBe(readFileSync(path.join(golden, 'data.rdf'), 'utf8'));
    expect(out.schema.toString()).toBe(readFileSync(path.join(golden, 'schema.txt'), 'utf8'));
  });

  it('refuses a target folder that is not empty', async () => {
    const pdir = path.join(tmp.dir, 'not-empty');
    const loc = path.join(DGRAPH_FIXTURES, 'v20.11-full-3groups');
    await restoreOffline({ location: loc, pdir });
    const err = await restoreOffline({ location: loc, pdir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).reason).toBe('STORE_NOT_EMPTY');
    expect((err as Error).message).toContain('p1');
  });
});
