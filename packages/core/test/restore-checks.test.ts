// Restore checks every file before it writes anything: each file's sha256 against the manifest and
// each encrypted backup's key fingerprint (not only the first), naming the file; offline restore
// writes into p<g>.restore-staging and renames into place, removing a killed run's staging.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalDestination,
  backupFilePath,
  exportRdf,
  keyFingerprint,
  openPostingStore,
  planBackup,
  restoreOffline,
  toManifestDrop,
  writeGroupFile,
  writeManifest,
  type PostingStore,
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
