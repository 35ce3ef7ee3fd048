// Restore checks every file before it writes anything: each file's sha256 against the manifest and
// each encrypted backup's key fingerprint (not only the first), naming the file; offline restore
// writes into p<g>.restore-staging and renames into place, removing a killed run's staging.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalDestination,
  backupFilePath,
  exportRdf,
  exportRdfToDir,
  keyFingerprint,
  openPostingStore,
  planBackup,
  restoreOffline,
  toManifestDrop,
  writeGroupFile,
  verify,
  writeManifest,
  type PhaseProgress,
  type PostingStore,
  type RestoreProgress,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());
let n = 0;

const str = (s: string) => Buffer.from(s, 'utf8');
const STRING = 9;

async function backupOnce(store: PostingStore, dest: LocalDestination, readTs: bigint, key?: Buffer) {
  const fp = key ? keyFingerprint(key) : undefined;
  const plan = await planBackup(dest, {
    readTs,
    encrypted: key !== undefined,
    keyFingerprint: fp,
    format: 'v21.03',
  });
  const preds = store.getSchema().predicates.map((p) => ({ name: p.predicate }));
  const file = backupFilePath(plan, 1);
  const r = await writeGroupFile(store, dest, {
    path: file,
    readTs,
    since: plan.since,
    predicates: preds,
    layout: plan.format,
    ...(key ? { key } : {}),
  });
  await writeManifest(dest, {
    plan,
    groups: new Map([[1, preds.map((p) => ({ namespace: 0n, name: p.name }))]]),
    dropOperations: r.summary.dropOperations.map(toManifestDrop),
    checksums: { [path.basename(file)]: r.sha256 },
    strataVersion: 'test',
    keyFingerprint: fp,
  });
  return file;
}

/** A series of three backups (full + 2 incrementals); returns the location and its data files. */
async function series(key?: Buffer): Promise<{ loc: string; files: string[] }> {
  const dir = path.join(t.dir, `s${++n}`);
  const store = openPostingStore(path.join(dir, 'store'), { group: 1, create: true });
  const loc = path.join(dir, 'loc');
  const dest = new LocalDestination(loc);
  const files: string[] = [];
  try {
    await store.alter(1n, { predicates: [{ predicate: 'name', valueType: 'string' }] });
    for (let i = 0; i < 3; i++) {
      const ts = BigInt(2 + i * 2);
      await store.applyMutations(ts, [
        { op: 'set', subject: BigInt(i + 1), predicate: 'name', value: str(`n${i}`), valType: STRING },
      ]);
      files.push(path.join(loc, await backupOnce(store, dest, ts + 1n, key)));
    }
  } finally {
    store.close();
  }
  return { loc, files };
}

function flipLastByte(file: string): void {
  const b = readFileSync(file);
  b[b.length - 1] = b[b.length - 1]! ^ 0xff;
  writeFileSync(file, b);
}

describe('restore checks every file before writing', () => {
  it('a checksum mismatch in a later file is refused, naming the file, and nothing is written', async () => {
    const { loc, files } = await series();
    flipLastByte(files[2]!);
    const pdir = path.join(t.dir, `out${n}`);
    const err = await restoreOffline({ location: loc, pdir }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.message).toMatch(/checksum mismatch in .*r7-g1\.backup \(group 1 of backup .* #3\)/);
    expect(err?.code).toBe('CORRUPT');
    expect(existsSync(pdir)).toBe(false);
  });

  it("a later backup whose key_fingerprint is not the key's is refused, naming its files, before writing", async () => {
    const key = Buffer.alloc(32, 5);
    const { loc } = await series(key);
    const manifest = path.join(loc, 'manifest.json');
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { Manifests: { key_fingerprint?: string }[] };
    m.Manifests[1]!.key_fingerprint = keyFingerprint(Buffer.alloc(32, 6));
    writeFileSync(manifest, JSON.stringify(m));
    const pdir = path.join(t.dir, `out${n}`);
    await expect(restoreOffline({ location: loc, pdir, key })).rejects.toThrow(
      /wrong key for backup .* #2 \(.*r5-g1\.backup\): the key's fingerprint does not match/,
    );
    expect(existsSync(pdir)).toBe(false);
  });

  it('an intact series restores; a staging folder left by a killed run is replaced, none is left', async () => {
    const { loc } = await series();
    const pdir = path.join(t.dir, `out${n}`);
    mkdirSync(path.join(pdir, 'p1.restore-staging'), { recursive: true });
    writeFileSync(path.join(pdir, 'p1.restore-staging', 'junk'), 'half a store');
    await restoreOffline({ location: loc, pdir });
    expect(readdirSync(pdir)).toEqual(['p1']);
    expect((await exportRdf({ pdir })).data.toString()).toMatch(/"n2"/);
  });
});

describe('progress in bytes (onPhaseProgress)', () => {
  /** The events of each phase, in order; every phase's counts only grow. */
  function byPhase(events: PhaseProgress[]): Map<string, PhaseProgress[]> {
    const m = new Map<string, PhaseProgress[]>();
    for (const e of events) m.set(e.phase, [...(m.get(e.phase) ?? []), e]);
    for (const list of m.values()) {
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.bytesDone).toBeGreaterThanOrEqual(list[i - 1]!.bytesDone);
        expect(list[i]!.items ?? 0).toBeGreaterThanOrEqual(list[i - 1]!.items ?? 0);
      }
    }
    return m;
  }

  it("restore: checksums (Strata's manifests carry them), then load file by file, with the files' sizes", async () => {
    const { loc, files } = await series();
    const sizes = files.map((f) => statSync(f).size);
    const total = sizes.reduce((a, b) => a + b, 0);
    const events: PhaseProgress[] = [];
    const perFile: RestoreProgress[] = [];
    await restoreOffline({
      location: loc,
      pdir: path.join(t.dir, `out${n}`),
      onPhaseProgress: (p) => events.push(p),
      onProgress: (p) => perFile.push(p),
    });
    const phases = byPhase(events);
    expect([...phases.keys()]).toEqual(['checksums', 'load']);
    const sums = phases.get('checksums')!;
    expect(sums[0]).toEqual({ phase: 'checksums', bytesDone: 0, bytesTotal: total, items: 0, itemsTotal: 3 });
    expect(sums[sums.length - 1]).toEqual({
      phase: 'checksums',
      bytesDone: total,
      bytesTotal: total,
      items: 3,
      itemsTotal: 3,
    });
    // The native writer reads a file in one call: one event before the first, one after each.
    expect(phases.get('load')!.map((e) => [e.bytesDone, e.items])).toEqual([
      [0, 0],
      [sizes[0], 1],
      [sizes[0]! + sizes[1]!, 2],
      [total, 3],
    ]);
    expect(phases.get('load')!.every((e) => e.bytesTotal === total && e.itemsTotal === 3)).toBe(true);
    expect(perFile.map((p) => p.bytes)).toEqual(sizes);
  });

  it('verify: the bytes of every file as they are read, against their sizes', async () => {
    const { loc, files } = await series();
    const total = files.reduce((a, f) => a + statSync(f).size, 0);
    const events: PhaseProgress[] = [];
    const report = await verify({ location: loc, onPhaseProgress: (p) => events.push(p) });
    expect(report.ok).toBe(true);
    const phases = byPhase(events);
    expect([...phases.keys()]).toEqual(['verify']);
    expect(events[0]).toEqual({ phase: 'verify', bytesDone: 0, bytesTotal: total, items: 0, itemsTotal: 3 });
    expect(events[events.length - 1]).toEqual({
      phase: 'verify',
      bytesDone: total,
      bytesTotal: total,
      items: 3,
      itemsTotal: 3,
    });
  });

  it('exportRdfToDir: the bytes and lines of data.rdf as they are written, no total', async () => {
    const { loc } = await series();
    const pdir = path.join(t.dir, `out${n}`);
    await restoreOffline({ location: loc, pdir });
    const events: PhaseProgress[] = [];
    const out = path.join(t.dir, `dump${n}`);
    const r = await exportRdfToDir({ pdir, out, onPhaseProgress: (p) => events.push(p) });
    const phases = byPhase(events);
    expect([...phases.keys()]).toEqual(['export']);
    const last = events[events.length - 1]!;
    expect(last).toEqual({
      phase: 'export',
      bytesDone: statSync(path.join(out, 'data.rdf')).size,
      items: r.facts,
    });
    expect(r.facts).toBe(3);
  });
});
