/**
 * Resumable backups at the coordinator (./src/alpha/backup/cluster-backup.ts, resume.ts): two
 * groups on real posting stores; group 2 fails the first time; the next backup keeps group 1's
 * file untouched (same inode, mtime and bytes), writes group 2 at the same read ts, lists the
 * backup, and the backup restores to the source's data. Also: a kept file whose bytes changed is
 * rewritten, resume: false discards, a refused read ts starts a new backup, a folder a kill left
 * before its journal was written is removed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportRdf,
  LocalDestination,
  listBackups,
  openPostingStore,
  readJournal,
  restoreOffline,
  writeGroupFile,
  type PostingStore,
} from '@strata/core';
import { Registry } from 'prom-client';
import { ClusterBackup } from '../src/alpha/backup/cluster-backup.js';
import { AlphaMetrics } from '../src/metrics/alpha.js';
import type { Coordination } from '../src/alpha/backup/coordination.js';
import type { GroupHandlers } from '../src/alpha/backup/group-handlers.js';
import type { GroupBackupRequest, GroupBackupResult } from '../src/alpha/backup/group-requests.js';
import { Lease, type LockCall } from '../src/alpha/backup/lease.js';
import { BackupLock } from '../src/index.js';
import { tempRoot } from './helpers.js';

const root = tempRoot('strata-backup-resume-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const str = (s: string) => Buffer.from(s, 'utf8');
const STRING = 9;
const INT = 2;
const src = path.join(root, 'src');
const stores = new Map<number, PostingStore>();
/** The source's read ts: every commit is below it. */
const sourceTs = 300n;
/** The source's export (the stores closed, read, and opened again). */
let expected = '';

beforeAll(async () => {
  const s1 = openPostingStore(path.join(src, 'p1'), { group: 1, create: true });
  const s2 = openPostingStore(path.join(src, 'p2'), { group: 2, create: true });
  stores.set(1, s1).set(2, s2);
  await s1.alter(1n, { predicates: [{ predicate: 'name', valueType: 'string', index: ['exact'] }] });
  await s2.alter(1n, { predicates: [{ predicate: 'age', valueType: 'int' }] });
  const age = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  };
  for (let i = 0; i < 200; i++) {
    const ts = BigInt(2 + i);
    await s1.applyMutations(ts, [
      {
        op: 'set',
        subject: BigInt(i + 1),
        predicate: 'name',
        value: str(`n${i} ${'x'.repeat(30)}`),
        valType: STRING,
      },
    ]);
    await s2.applyMutations(ts, [
      { op: 'set', subject: BigInt(i + 1), predicate: 'age', value: age(i), valType: INT },
    ]);
  }
  for (const s of stores.values()) s.close();
  expected = (await exportRdf({ pdir: src, readTs: sourceTs })).data.toString();
  stores.set(1, openPostingStore(path.join(src, 'p1'), { group: 1 }));
  stores.set(2, openPostingStore(path.join(src, 'p2'), { group: 2 }));
});
afterAll(() => {
  for (const s of stores.values()) s.close();
});

interface Faults {
  /** Groups whose write fails (once each: removed when used), and how. */
  fail: Map<number, 'error' | 'stale' | 'partial'>;
}

/** A two-group coordinator whose groups write from the real stores, over an in-memory Zero lock. */
function coordinator(faults: Faults, readTs: () => bigint) {
  const lock = new BackupLock();
  const call: LockCall = async (b) => {
    if (b.op === 'release') return { released: lock.release(b.id) };
    if (b.op === 'renew') return lock.renew(b.id, b.timeoutMs ?? 1000);
    return lock.acquire({ id: b.id, kind: b.kind ?? 'backup', timeoutMs: b.timeoutMs ?? 1000 });
  };
  const quiet = () => undefined;
  const written: number[] = [];
  const co = {
    cluster: {
      zero: { readTs: async () => readTs() },
      zeroState: async () => ({ groups: { '1': { tablets: { name: {} } }, '2': { tablets: { age: {} } } } }),
    },
    log: { warn: quiet, error: quiet, info: quiet },
    metrics: new AlphaMetrics(new Registry()),
    lease: (kind: 'backup' | 'restore', description: string) =>
      Lease.acquire({ id: `${kind}-1`, kind, holder: 'alpha:1', description, ttlMs: 60_000, call }),
    callGroup: async (g: number, _route: string, body: GroupBackupRequest): Promise<GroupBackupResult> => {
      const dest = new LocalDestination(body.destination);
      const fault = faults.fail.get(g);
      faults.fail.delete(g);
      if (fault === 'stale') {
        throw new Error(
          `group ${g}: a read at ts ${body.readTs} needs versions this store no longer keeps (pruned from ts 5 on): retry with a newer timestamp`,
        );
      }
      if (fault === 'partial') {
        // A process killed mid-write leaves its temporary file behind.
        writeFileSync(
          path.join(body.destination, path.dirname(body.path), `.${path.basename(body.path)}.tmp-dead`),
          'half',
        );
        throw new Error(`group ${g} (Alpha at 127.0.0.1:1): connection reset`);
      }
      if (fault === 'error') throw new Error(`group ${g}: disk full`);
      written.push(g);
      const r = await writeGroupFile(stores.get(g)!, dest, {
        path: body.path,
        readTs: BigInt(body.readTs),
        since: BigInt(body.since),
        predicates: body.predicates.map((name) => ({ namespace: 0n, name })),
        layout: body.format,
      });
      return {
        bytes: r.bytes,
        sha256: r.sha256,
        kvs: r.summary.kvs,
        predicates: body.predicates.map((name) => ({ namespace: '0', name })),
        dropOperations: [],
      };
    },
  } as unknown as Coordination;
  return { backup: new ClusterBackup(co, {} as GroupHandlers, undefined, 'test'), written };
}

const unlisted = async (dir: string) => {
  const listed = new Set((await listBackups({ location: dir }).catch(() => [])).map((b) => b.path));
  return readdirSync(dir).filter((f) => f.startsWith('dgraph.') && !listed.has(f));
};

async function expectRestoresSource(dir: string, name: string): Promise<void> {
  const out = path.join(root, name);
  await restoreOffline({ location: dir, pdir: out });
  const got = (await exportRdf({ pdir: out })).data.toString();
  expect(got.split('\n').length).toBeGreaterThan(400);
  expect(got).toBe(expected);
}

describe('resumable backups at the coordinator', () => {
  it('a failed group: the next backup keeps the finished group file untouched and writes the rest', async () => {
    const dir = path.join(root, 'resume');
    let ts = sourceTs;
    const first = coordinator({ fail: new Map([[2, 'partial']]) }, () => ts++);
    const err = await first.backup
      .run({ destination: dir, format: 'v21.03' })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^backup failed, no manifest was written: group 2: .*connection reset\. The files of groups 1 are kept in dgraph\.\S+: the next backup to this location resumes [a-z]+_[a-z]+\d #1/,
    );
    const [folder] = await unlisted(dir);
    expect(folder).toBeDefined();
    // The partial file of the failed group is gone; group 1's file and the journal stay.
    expect(readdirSync(path.join(dir, folder!)).sort()).toEqual([
      `r${sourceTs}-g1.backup`,
      'strata-resume-journal.json',
    ]);
    const j = await readJournal(new LocalDestination(dir), folder!);
    expect([...j.done.keys()]).toEqual([1]);
    const g1 = path.join(dir, folder!, `r${sourceTs}-g1.backup`);
    const before = statSync(g1);
    const bytes = readFileSync(g1);

    const second = coordinator({ fail: new Map() }, () => ts++);
    const ok = await second.backup.run({ destination: dir });
    expect(ok.response.message).toMatch(
      new RegExp(
        `^Backup completed: resumed backup ${j.backupId} #1 at readTs ${sourceTs}: kept groups 1, rewrote groups 2; full, 2 groups`,
      ),
    );
    expect(second.written).toEqual([2]);
    const after = statSync(g1);
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
    expect(readFileSync(g1).equals(bytes)).toBe(true);
    const list = await listBackups({ location: dir });
    expect(list.map((b) => [b.path, b.readTs, b.backupNum])).toEqual([[folder, sourceTs, 1]]);
    expect(readdirSync(path.join(dir, folder!)).sort()).toEqual([
      `r${sourceTs}-g1.backup`,
      `r${sourceTs}-g2.backup`,
    ]);
    await expectRestoresSource(dir, 'restored-resume');
  });

  it('a journal left in a listed folder (a kill between the manifest and its removal) goes with the next backup', async () => {
    const dir = path.join(root, 'answer-lost');
    let ts = sourceTs;
    const first = coordinator({ fail: new Map() }, () => ts++);
    await first.backup.run({ destination: dir, format: 'v21.03' });
    const [listed] = await listBackups({ location: dir });
    // What the killed coordinator leaves: the backup listed, its journal still in the folder.
    const journal = path.join(dir, listed!.path, 'strata-resume-journal.json');
    writeFileSync(journal, '{"left":"by a kill"}');
    const second = coordinator({ fail: new Map() }, () => ts++);
    const ok = await second.backup.run({ destination: dir });
    expect(ok.response.message).toMatch(
      /^Backup completed: incremental backup \S+ #2 at readTs \d+ \(since \d+\)/,
    );
    expect(readdirSync(path.join(dir, listed!.path)).sort()).toEqual([
      `r${listed!.readTs}-g1.backup`,
      `r${listed!.readTs}-g2.backup`,
    ]);
    expect((await listBackups({ location: dir })).map((b) => [b.backupNum, b.type])).toEqual([
      [1, 'full'],
      [2, 'incremental'],
    ]);
    expect(await unlisted(dir)).toEqual([]);
    await expectRestoresSource(dir, 'restored-answer-lost');
  });

  it('a kept file whose bytes changed since is rewritten; an incremental resumes in its series', async () => {
    const dir = path.join(root, 'tampered');
    let ts = sourceTs;
    await coordinator({ fail: new Map() }, () => ts++).backup.run({ destination: dir, format: 'v21.03' });
    const failed = coordinator({ fail: new Map([[1, 'error']]) }, () => ts++);
    await expect(failed.backup.run({ destination: dir })).rejects.toThrow(
      /group 1: disk full\. The files of groups 2 are kept/,
    );
    const [folder] = await unlisted(dir);
    const g2 = readdirSync(path.join(dir, folder!)).find((f) => f.endsWith('-g2.backup'))!;
    writeFileSync(path.join(dir, folder!, g2), 'not what the journal says');
    const next = coordinator({ fail: new Map() }, () => ts++);
    const ok = await next.backup.run({ destination: dir });
    expect(ok.response.message).toMatch(
      /resumed backup \S+ #2 at readTs \d+: kept groups none, rewrote groups 1, 2; incremental \(since 300\)/,
    );
    expect(next.written.sort()).toEqual([1, 2]);
    expect((await listBackups({ location: dir })).map((b) => b.backupNum)).toEqual([1, 2]);
    expect(await unlisted(dir)).toEqual([]);
    await expectRestoresSource(dir, 'restored-tampered');
  });

  it('resume: false discards the interrupted backup and takes a new one', async () => {
    const dir = path.join(root, 'no-resume');
    let ts = sourceTs;
    await expect(
      coordinator({ fail: new Map([[2, 'error']]) }, () => ts++).backup.run({
        destination: dir,
        format: 'v20.11',
      }),
    ).rejects.toThrow(/groups 1 are kept/);
    const [folder] = await unlisted(dir);
    const next = coordinator({ fail: new Map() }, () => ts++);
    const ok = await next.backup.run({ destination: dir, resume: false });
    expect(ok.response.message).toMatch(
      new RegExp(
        `^Backup completed: full backup .* Before it: discarded interrupted backup ${folder!.replace(/\./g, '\\.')} \\(resume not asked for\\)\\.$`,
      ),
    );
    expect(next.written.sort()).toEqual([1, 2]);
    expect(readdirSync(dir)).not.toContain(folder);
    expect(await unlisted(dir)).toEqual([]);
  });

  it('groups that refuse the old read ts: the interrupted backup is discarded and a new one taken', async () => {
    const dir = path.join(root, 'stale');
    let ts = sourceTs;
    await expect(
      coordinator({ fail: new Map([[2, 'error']]) }, () => ts++).backup.run({
        destination: dir,
        format: 'v21.03',
      }),
    ).rejects.toThrow(/groups 1 are kept/);
    const [folder] = await unlisted(dir);
    const next = coordinator({ fail: new Map([[2, 'stale']]) }, () => ts++);
    const ok = await next.backup.run({ destination: dir });
    expect(ok.response.message).toMatch(/^Backup completed: full backup \S+ #1 at readTs 301/);
    expect(ok.response.message).toContain(
      `discarded interrupted backup ${folder} (the groups no longer keep the versions of its read timestamp)`,
    );
    expect(await unlisted(dir)).toEqual([]);
    expect((await listBackups({ location: dir })).map((b) => b.readTs)).toEqual([301n]);
  });

  it('a failure before any group finishes removes the folder', async () => {
    const dir = path.join(root, 'nothing-done');
    let ts = sourceTs;
    const c = coordinator(
      {
        fail: new Map([
          [1, 'error'],
          [2, 'error'],
        ]),
      },
      () => ts++,
    );
    await expect(c.backup.run({ destination: dir, format: 'v21.03' })).rejects.toThrow(
      /^backup failed, no manifest was written: group 1: group 1: disk full; group 2: group 2: disk full$/,
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('dgraph.'))).toEqual([]);
  });

  it('a folder a kill left while its journal was written goes with the next backup; others stay', async () => {
    const dir = path.join(root, 'stray');
    // What a coordinator killed during the journal's write leaves: its temp file, or (killed
    // between the folder's creation and the file's) an empty folder.
    const halfJournal = 'dgraph.20261201.000000.000';
    const empty = 'dgraph.20261201.000001.000';
    mkdirSync(path.join(dir, halfJournal), { recursive: true });
    writeFileSync(path.join(dir, halfJournal, '.strata-resume-journal.json.tmp-0123456789ab'), '{"fo');
    mkdirSync(path.join(dir, empty));
    // Not left by a write of Strata's: kept.
    const userFile = 'dgraph.20261201.000002.000';
    mkdirSync(path.join(dir, userFile));
    writeFileSync(path.join(dir, userFile, 'notes.txt'), 'mine');
    const nested = 'dgraph.20261201.000003.000';
    mkdirSync(path.join(dir, nested, 'sub'), { recursive: true });
    const ok = await coordinator({ fail: new Map() }, () => 400n).backup.run({ destination: dir });
    for (const f of [halfJournal, empty])
      expect(ok.response.message).toContain(
        `discarded interrupted backup ${f} (a crash left it before its resume journal was written)`,
      );
    expect((await unlisted(dir)).sort()).toEqual([userFile, nested]);
    expect(readFileSync(path.join(dir, userFile, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
