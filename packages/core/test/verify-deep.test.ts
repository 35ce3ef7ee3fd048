// verify --deep: every KV of every file checked against its manifest entry, on the real Dgraph
// fixtures, on Strata's own backups of every layout, and on tampered backups.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalDestination,
  backupFilePath,
  createBackupEncoder,
  inspectBackupFile,
  keyFingerprint,
  openPostingStore,
  planBackup,
  renderVerifyReport,
  toManifestDrop,
  verify,
  writeGroupFile,
  writeManifest,
  MANIFEST_LAYOUTS,
  type ManifestLayout,
  type PostingStore,
} from '../src/index.js';
import {
  DGRAPH_FIXTURES,
  backupKey,
  encodeKvList,
  frame,
  tempDir,
  uidPostingList,
  valuePostingList,
  type TestKv,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

/** A gzip backup file (AES-CTR when `key` is given) of `kvs`, in lists of 10. */
async function backupFile(kvs: TestKv[], key?: Buffer): Promise<Buffer> {
  const enc = createBackupEncoder(key === undefined ? {} : { key });
  const out: Buffer[] = [];
  enc.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => enc.on('end', resolve).on('error', reject));
  for (let i = 0; i < kvs.length; i += 10) enc.write(frame(encodeKvList(kvs.slice(i, i + 10))));
  enc.end();
  await done;
  return Buffer.concat(out);
}

const value = (attr: string, uid: bigint, version: bigint, s = 'x'): TestKv => ({
  key: backupKey('DATA', attr, uid),
  value: valuePostingList(s),
  userMeta: 8,
  version,
});
const schema = (attr: string): TestKv => ({
  key: backupKey('SCHEMA', attr),
  value: Buffer.alloc(0),
  userMeta: 1,
  version: 1n,
});

interface Backup {
  readTs: number;
  groups: Record<string, string[]>;
  files: Record<number, Buffer>;
  encrypted?: boolean;
}

/** A v20.11 location (one manifest per folder) holding a series of `backups`. */
function location(backups: Backup[]): string {
  const dir = path.join(tmp.dir, `loc${n++}`);
  backups.forEach((b, i) => {
    const folder = path.join(dir, `dgraph.2021010${i + 1}.000000.000`);
    mkdirSync(folder, { recursive: true });
    const manifest = {
      type: i === 0 ? 'full' : 'incremental',
      since: b.readTs,
      groups: b.groups,
      backup_id: 'deep_test1',
      backup_num: i + 1,
      encrypted: b.encrypted ?? false,
      drop_operations: null,
    };
    writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
    for (const [g, bytes] of Object.entries(b.files))
      writeFileSync(path.join(folder, `r${b.readTs}-g${g}.backup`), bytes);
  });
  return dir;
}

describe('verify --deep on the real Dgraph fixtures', () => {
  it('every fixture location verifies clean, with per-group figures', async () => {
    for (const set of ['v20.11-full-3groups', 'v20.11-series-3groups', 'v20.11-series-2groups']) {
      const r = await verify({ location: path.join(DGRAPH_FIXTURES, set), deep: true });
      expect(r.problems).toEqual([]);
      expect(r.backups.flatMap((b) => b.problems)).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.deep).toBeDefined();
      expect(r.deep!.problems).toBe(0);
      expect(r.deep!.files).toBe(r.backups.reduce((k, b) => k + b.files.length, 0));
      for (const b of r.backups) for (const f of b.files) expect(f.deepProblems).toBe(0);
    }
  });

  it('figures of v20.11-full-3groups match the files (33 keys in group 1, data versions 14..24)', async () => {
    const r = await verify({ location: path.join(DGRAPH_FIXTURES, 'v20.11-full-3groups'), deep: true });
    const [g1, g2, g3] = r.deep!.groups;
    expect(g1).toMatchObject({ group: 1, files: 1, keys: 33, minVersion: 14n, maxVersion: 24n, problems: 0 });
    expect(g1!.keysByType).toEqual({ DATA: 10, INDEX: 6, SCHEMA: 12, TYPE: 5 });
    expect(g1!.predicates).toContain('dgraph.type');
    // Dgraph writes a schema entry of a predicate not listed for the group: a note, not a problem.
    expect(g1!.notes.join('\n')).toMatch(/dgraph\.graphql\.p_sha256hash/);
    expect(g2).toMatchObject({ group: 2, keys: 3, predicates: [], problems: 0 });
    expect(g2!.minVersion).toBeUndefined();
    expect(g3!.keysByType).toEqual({ TYPE: 3 });
    const text = renderVerifyReport(r);
    expect(text).toMatch(
      /group 1: 1 file, 1,026 bytes, 33 keys, 11 predicates seen, data versions 14\.\.24, 0 problems/,
    );
    expect(text).toMatch(/all 1 backup verified/);
  });

  it("the native statistics rows carry each row's version range (the fast path of --deep)", async () => {
    const st = await inspectBackupFile(
      path.join(DGRAPH_FIXTURES, 'v20.11-full-3groups/dgraph.20201125.173944.587/r68-g1.backup'),
    );
    const data = st.entries.filter((e) => e.keyType === 'DATA' || e.keyType === 'INDEX');
    expect(data.length).toBeGreaterThan(0);
    expect(data.reduce((m, e) => (e.minVersion! < m ? e.minVersion! : m), 1000n)).toBe(14n);
    expect(data.reduce((m, e) => (e.maxVersion! > m ? e.maxVersion! : m), 0n)).toBe(24n);
    for (const e of st.entries.filter((e) => e.keyType === 'SCHEMA' || e.keyType === 'TYPE')) {
      expect([e.minVersion, e.maxVersion]).toEqual([1n, 1n]);
    }
  });

  it('incrementals: every data version of the series is above the previous readTs', async () => {
    const r = await verify({ location: path.join(DGRAPH_FIXTURES, 'v20.11-series-2groups'), deep: true });
    expect(r.ok).toBe(true);
    expect(r.deep!.groups.map((g) => [g.group, g.minVersion, g.maxVersion])).toEqual([
      [1, 30n, 102n],
      [2, 53n, 71n],
    ]);
  });

  it('a truncated and a corrupted fixture file are named, the rest still checked', async () => {
    const loc = path.join(tmp.dir, `copy${n++}`);
    cpSync(path.join(DGRAPH_FIXTURES, 'v20.11-series-3groups'), loc, { recursive: true });
    const trunc = path.join(loc, 'dgraph.20210517.094634.533/r54-g2.backup');
    const t = readFileSync(trunc);
    writeFileSync(trunc, t.subarray(0, t.length - 20));
    const corrupt = path.join(loc, 'dgraph.20210517.094648.003/r58-g1.backup');
    const c = readFileSync(corrupt);
    for (let i = 40; i < 60; i++) c[i] = c[i]! ^ 0x5a;
    writeFileSync(corrupt, c);
    const r = await verify({ location: loc, deep: true });
    expect(r.ok).toBe(false);
    expect(r.backups.map((b) => b.ok)).toEqual([true, false, false]);
    expect(r.backups[1]!.problems).toHaveLength(1);
    expect(r.backups[1]!.problems[0]).toMatch(
      /^dgraph\.20210517\.094634\.533\/r54-g2\.backup: .*(truncated|unexpected end)/i,
    );
    expect(r.backups[2]!.problems).toHaveLength(1);
    expect(r.backups[2]!.problems[0]).toMatch(/^dgraph\.20210517\.094648\.003\/r58-g1\.backup: /);
    expect(r.deep!.groups.find((g) => g.group === 2)!.problems).toBe(1);
    expect(r.deep!.groups.find((g) => g.group === 3)!.problems).toBe(0);
  });
});

describe('verify --deep on tampered backups', () => {
  it('a key of a predicate not in the manifest is named with its file, position and key', async () => {
    const file = await backupFile([value('name', 1n, 5n), value('ghost', 0x2an, 6n), schema('name')]);
    const loc = location([{ readTs: 10, groups: { '1': ['name'] }, files: { 1: file } }]);
    const plain = await verify({ location: loc });
    expect(plain.ok).toBe(true); // only --deep sees it
    const r = await verify({ location: loc, deep: true });
    expect(r.ok).toBe(false);
    expect(r.backups[0]!.problems).toEqual([
      'dgraph.20210101.000000.000/r10-g1.backup: KV #1 (DATA key of "ghost" (uid 0x2a), version 6): predicate "ghost" is not in the manifest\'s list for group 1 (a restore would drop it)',
    ]);
    expect(r.deep!.groups[0]).toMatchObject({
      keys: 3,
      predicates: ['name'],
      problems: 1,
      minVersion: 5n,
      maxVersion: 6n,
    });
    expect(renderVerifyReport(r)).toMatch(/verification FAILED/);
  });

  it('a version above readTs, and one not above since in an incremental', async () => {
    const full = await backupFile([value('name', 1n, 5n), value('name', 2n, 11n)]);
    const incr = await backupFile([value('name', 3n, 15n), value('name', 4n, 10n), value('name', 5n, 9n)]);
    const loc = location([
      { readTs: 10, groups: { '1': ['name'] }, files: { 1: full } },
      { readTs: 20, groups: { '1': ['name'] }, files: { 1: incr } },
    ]);
    const r = await verify({ location: loc, deep: true });
    expect(r.ok).toBe(false);
    expect(r.backups[0]!.problems).toEqual([
      'dgraph.20210101.000000.000/r10-g1.backup: KV #1 (DATA key of "name" (uid 0x2), version 11): version 11 is above the backup\'s readTs 10',
    ]);
    expect(r.backups[1]!.problems).toHaveLength(2);
    expect(r.backups[1]!.problems[0]).toMatch(
      /KV #1 .*version 10 is not above since 10 \(the previous backup's readTs\)/,
    );
    expect(r.backups[1]!.problems[1]).toMatch(/KV #2 .*version 9 is not above since 10/);
    expect(r.deep!.problems).toBe(3);
  });

  it('a key of an unknown type is a problem, never a crash', async () => {
    // BackupKey { type: 9, attr: "name" }: no such key type
    const bad = Buffer.from([0x08, 9, 0x12, 4, 0x6e, 0x61, 0x6d, 0x65]);
    const file = await backupFile([{ key: bad, value: valuePostingList('x'), userMeta: 8, version: 5n }]);
    const loc = location([{ readTs: 10, groups: { '1': ['name'] }, files: { 1: file } }]);
    const r = await verify({ location: loc, deep: true });
    expect(r.backups[0]!.problems).toEqual([
      'dgraph.20210101.000000.000/r10-g1.backup: KV #0 (UNKNOWN key of "name", version 5): the key is of an unknown type',
    ]);
  });

  it('namespaces (v21.03 master manifest): a key matches only its own namespace', async () => {
    const nsKey = (type: 'DATA' | 'SCHEMA', attr: string, uid: bigint, namespace: number): Buffer =>
      Buffer.concat([backupKey(type, attr, uid), Buffer.from([0x38, namespace])]); // field 7: namespace
    const file = await backupFile([
      { key: nsKey('DATA', 'age', 1n, 2), value: valuePostingList('3'), userMeta: 8, version: 5n },
      { key: nsKey('DATA', 'age', 2n, 3), value: valuePostingList('4'), userMeta: 8, version: 6n },
    ]);
    const dir = path.join(tmp.dir, `ns${n++}`);
    mkdirSync(path.join(dir, 'dgraph.20210517.095641.969'), { recursive: true });
    writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        Manifests: [
          {
            type: 'full',
            since: 0,
            read_ts: 21,
            groups: { '1': ['\u0000'.repeat(7) + '\u0002age'] },
            backup_id: 'ns_test1',
            backup_num: 1,
            version: 2103,
            path: 'dgraph.20210517.095641.969',
            encrypted: false,
            drop_operations: null,
            compression: 'gzip',
          },
        ],
      }),
    );
    writeFileSync(path.join(dir, 'dgraph.20210517.095641.969/r21-g1.backup'), file);
    const r = await verify({ location: dir, deep: true });
    expect(r.backups[0]!.problems).toEqual([
      'dgraph.20210517.095641.969/r21-g1.backup: KV #1 (DATA key of "3-age" (uid 0x2), version 6): predicate "3-age" is not in the manifest\'s list for group 1 (a restore would drop it)',
    ]);
    expect(r.deep!.groups[0]!.predicates).toEqual(['2-age']);
  });

  it('a readTs that goes backwards (Dgraph v20.07) checks only the upper bound', async () => {
    const full = await backupFile([value('name', 1n, 25n)]);
    const incr = await backupFile([value('name', 2n, 27n)]);
    const loc = location([
      { readTs: 30, groups: { '1': ['name'] }, files: { 1: full } },
      { readTs: 28, groups: { '1': ['name'] }, files: { 1: incr } },
    ]);
    const r = await verify({ location: loc, deep: true });
    expect(r.warnings.join('\n')).toMatch(/28/);
    expect(r.backups.flatMap((b) => b.problems)).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('problems are capped per file (memory stays bounded), every one still counted', async () => {
    const kvs = Array.from({ length: 500 }, (_, i) => value(`p${i}`, BigInt(i + 1), 5n));
    const loc = location([{ readTs: 10, groups: { '1': ['name'] }, files: { 1: await backupFile(kvs) } }]);
    const r = await verify({ location: loc, deep: true });
    expect(r.backups[0]!.problems).toHaveLength(21);
    expect(r.backups[0]!.problems[20]).toMatch(/… and 480 more problems in this file/);
    expect(r.backups[0]!.files[0]!.deepProblems).toBe(500);
    expect(r.deep!.problems).toBe(500);
  });

  it('a file cut in the middle of a KV list, and garbage, are named errors', async () => {
    const good = await backupFile(Array.from({ length: 50 }, (_, i) => value('name', BigInt(i + 1), 5n)));
    const loc = location([
      {
        readTs: 10,
        groups: { '1': ['name'], '2': ['name'], '3': ['name'] },
        files: {
          1: good.subarray(0, good.length >> 1),
          2: Buffer.from('not a backup at all'),
          3: Buffer.alloc(0),
        },
      },
    ]);
    const r = await verify({ location: loc, deep: true });
    expect(r.ok).toBe(false);
    const probs = r.backups[0]!.problems;
    expect(probs).toHaveLength(3);
    expect(probs[0]).toMatch(/^dgraph\.20210101\.000000\.000\/r10-g1\.backup: /);
    expect(probs[1]).toMatch(/^dgraph\.20210101\.000000\.000\/r10-g2\.backup: /);
    expect(probs[2]).toMatch(/^dgraph\.20210101\.000000\.000\/r10-g3\.backup: /);
    expect(r.deep!.groups.map((g) => g.problems)).toEqual([1, 1, 1]);
  });

  it('an encrypted backup: the right key verifies deeply, the wrong key is named', async () => {
    const key = Buffer.alloc(32, 7);
    const file = await backupFile([value('name', 1n, 5n), schema('name')], key);
    const loc = location([{ readTs: 10, groups: { '1': ['name'] }, files: { 1: file }, encrypted: true }]);
    const right = await verify({ location: loc, key, deep: true });
    expect(right.ok).toBe(true);
    expect(right.deep!.groups[0]).toMatchObject({ keys: 2, predicates: ['name'], problems: 0 });
    const wrong = await verify({ location: loc, key: Buffer.alloc(32, 8), deep: true });
    expect(wrong.ok).toBe(false);
    expect(wrong.backups[0]!.problems[0]).toMatch(/r10-g1\.backup: .*wrong or missing/i);
    const none = await verify({ location: loc, deep: true });
    expect(none.ok).toBe(false);
    expect(none.backups[0]!.problems[0]).toMatch(/is encrypted but no encryption key was given/);
  });

  it('a uid edge list of an unlisted predicate in another group is reported for that group', async () => {
    const g1 = await backupFile([value('name', 1n, 5n)]);
    const g2 = await backupFile([
      { key: backupKey('DATA', 'friend', 1n), value: uidPostingList([2n, 3n]), userMeta: 8, version: 6n },
      { key: backupKey('REVERSE', 'name', 2n), value: uidPostingList([1n]), userMeta: 8, version: 6n },
    ]);
    const loc = location([
      { readTs: 10, groups: { '1': ['name'], '2': ['friend'] }, files: { 1: g1, 2: g2 } },
    ]);
    const r = await verify({ location: loc, deep: true });
    expect(r.backups[0]!.problems).toEqual([
      'dgraph.20210101.000000.000/r10-g2.backup: KV #1 (REVERSE key of "name" (uid 0x2), version 6): predicate "name" is not in the manifest\'s list for group 2 (a restore would drop it)',
    ]);
    expect(r.deep!.groups.map((g) => g.problems)).toEqual([0, 1]);
  });
});

describe("verify --deep on Strata's own backups", () => {
  const STRING = 9;
  const str = (s: string) => Buffer.from(s, 'utf8');

  async function backupOnce(
    store: PostingStore,
    dest: LocalDestination,
    readTs: bigint,
    format: ManifestLayout,
    key?: Buffer,
  ) {
    const fp = key ? keyFingerprint(key) : undefined;
    const plan = await planBackup(dest, { readTs, encrypted: key !== undefined, keyFingerprint: fp, format });
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
  }

  it.each(MANIFEST_LAYOUTS)(
    'a full + 2 incrementals series in the %s layout verifies deeply',
    async (format) => {
      const dir = path.join(tmp.dir, `own${n++}`);
      const store = openPostingStore(path.join(dir, 'store'), { group: 1, create: true });
      const dest = new LocalDestination(path.join(dir, 'loc'));
      const key = format === 'v25' ? Buffer.alloc(16, 3) : undefined;
      try {
        await store.alter(1n, {
          predicates: [
            { predicate: 'name', valueType: 'string', index: ['exact'] },
            { predicate: 'friend', valueType: 'uid', list: true, reverse: true, count: true },
          ],
        });
        for (let i = 0; i < 3; i++) {
          const ts = BigInt(2 + i * 2);
          await store.applyMutations(ts, [
            { op: 'set', subject: BigInt(i + 1), predicate: 'name', value: str(`n${i}`), valType: STRING },
            { op: 'set', subject: BigInt(i + 1), predicate: 'friend', objectUid: BigInt(i + 10) },
          ]);
          await backupOnce(store, dest, ts + 1n, format, key);
        }
      } finally {
        store.close();
      }
      const r = await verify({ location: path.join(dir, 'loc'), deep: true, ...(key && { key }) });
      expect(r.backups.flatMap((b) => b.problems)).toEqual([]);
      expect(r.ok).toBe(true);
      const g = r.deep!.groups[0]!;
      expect(g.files).toBe(3);
      expect(g.predicates).toEqual(['friend', 'name']);
      expect(g.minVersion).toBe(2n);
      expect(g.maxVersion).toBe(6n);
      for (const t of ['DATA', 'INDEX', 'REVERSE', 'COUNT', 'SCHEMA'])
        expect(g.keysByType[t]).toBeGreaterThan(0);
    },
  );
});
