/** Retention: the planner (chains never broken, each rule, combinations) and the removal (manifest first). */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expireBackups,
  LocalDestination,
  listBackups,
  parseDuration,
  planRetention,
  readManifests,
  type BackupManifest,
  type Destination,
  type VersionedFile,
} from '../src/index.js';
import { DGRAPH_FIXTURES, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

/** A synthetic manifest; `day` is the day of December 2026 in its folder name. */
function bk(backupId: string, backupNum: number, day: number, type?: 'full' | 'incremental'): BackupManifest {
  const t = type ?? (backupNum === 1 ? 'full' : 'incremental');
  return {
    path: `dgraph.202612${String(day).padStart(2, '0')}.120000.000`,
    type: t,
    readTs: BigInt(day * 10),
    since: 0n,
    backupId,
    backupNum,
    encrypted: false,
    compression: 'snappy',
    version: 2105,
    groups: new Map([[1, []]]),
    dropOperations: [],
    source: 'master',
    manifestFile: 'manifest.json',
  };
}

/** Two series: a1..a3 (days 1-3), b1..b3 (days 4-6). */
const TWO_SERIES = [bk('a', 1, 1), bk('a', 2, 2), bk('a', 3, 3), bk('b', 1, 4), bk('b', 2, 5), bk('b', 3, 6)];
const NOW = new Date('2026-12-10T00:00:00Z');
const nums = (bs: { backupId: string; backupNum: number }[]) => bs.map((b) => `${b.backupId}${b.backupNum}`);

describe('parseDuration', () => {
  it('reads units and sums', () => {
    expect(parseDuration('12h')).toBe(12 * 3600_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1d12h')).toBe(36 * 3600_000);
  });
  it('refuses what it cannot read', () => {
    for (const bad of ['', '12', 'd', '-1d', '1y', '0d', '1.5d']) {
      expect(() => parseDuration(bad), bad).toThrow(/duration/);
    }
  });
});

describe('planRetention', () => {
  it('needs a rule and valid counts', () => {
    expect(() => planRetention(TWO_SERIES, {})).toThrow(/at least one rule/);
    expect(() => planRetention(TWO_SERIES, { keepLast: 0 })).toThrow(/--keep-last must be/);
    expect(() => planRetention(TWO_SERIES, { keepSeries: 1.5 })).toThrow(/--keep-series must be/);
  });

  it('an empty location: nothing to do', () => {
    const p = planRetention([], { keepLast: 3 });
    expect(p.keep).toEqual([]);
    expect(p.remove).toEqual([]);
    expect(p.warnings).toEqual([]);
  });

  it('--keep-last keeps the newest N and their whole chain', () => {
    const p = planRetention(TWO_SERIES, { keepLast: 1 }, NOW);
    expect(nums(p.keep)).toEqual(['b1', 'b2', 'b3']);
    expect(nums(p.remove)).toEqual(['a1', 'a2', 'a3']);
    expect(p.remove[0]!.reasons).toEqual(['older than the 1 kept by --keep-last 1']);
    expect(p.keep[0]!.reasons[0]).toMatch(/needed by the kept backup dgraph\.20261206/);
    expect(p.keep[2]!.reasons).toEqual(['one of the newest 1 (--keep-last 1)']);
  });

  it('--keep-last reaching into an older series keeps that series up to the kept backup', () => {
    const p = planRetention(TWO_SERIES, { keepLast: 4 }, NOW);
    expect(nums(p.keep)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    const q = planRetention([...TWO_SERIES, bk('c', 1, 7)], { keepLast: 2 }, NOW);
    expect(nums(q.keep)).toEqual(['b1', 'b2', 'b3', 'c1']);
  });

  it('--keep-within keeps what is newer than now - D, with dependencies', () => {
    // cutoff 2026-12-05T00:00Z: b2 (day 5 noon) and b3 are newer; b1 is needed by them.
    const p = planRetention(TWO_SERIES, { keepWithin: '5d' }, NOW);
    expect(nums(p.keep)).toEqual(['b1', 'b2', 'b3']);
    expect(p.remove[0]!.reasons[0]).toMatch(/taken before 2026-12-05T00:00:00.000Z \(--keep-within 5d\)/);
    expect(p.keep[0]!.reasons[0]).toMatch(/needed by/);
  });

  it('--keep-within keeps backups whose folder holds no time (age unknown)', () => {
    const odd = { ...bk('z', 1, 1), path: 'custom-folder' };
    const p = planRetention([odd, ...TWO_SERIES], { keepWithin: '1h' }, NOW);
    expect(nums(p.keep)).toEqual(['z1']);
    expect(p.keep[0]!.reasons[0]).toMatch(/age is unknown/);
    expect(p.warnings).toEqual([]);
  });

  it('--keep-within that keeps nothing says so', () => {
    const p = planRetention(TWO_SERIES, { keepWithin: '1h' }, NOW);
    expect(p.keep).toEqual([]);
    expect(p.warnings.join()).toMatch(/keep no backup/);
  });

  it('--keep-series keeps whole series', () => {
    const three = [...TWO_SERIES, bk('c', 1, 7), bk('c', 2, 8)];
    const p = planRetention(three, { keepSeries: 2 }, NOW);
    expect(nums(p.keep)).toEqual(['b1', 'b2', 'b3', 'c1', 'c2']);
    expect(p.remove[0]!.reasons).toEqual(['series 3 of 3 (newest first), beyond --keep-series 2']);
    expect(p.keep[0]!.reasons).toEqual(['series 2 of 3 (newest first), kept by --keep-series 2']);
  });

  it('combined rules keep what any rule keeps', () => {
    const three = [...TWO_SERIES, bk('c', 1, 7), bk('c', 2, 8)];
    const p = planRetention(three, { keepSeries: 1, keepLast: 3 }, NOW);
    // keep-last 3: c2, c1, b3 (+ b1, b2 needed by b3); keep-series 1: c
    expect(nums(p.keep)).toEqual(['b1', 'b2', 'b3', 'c1', 'c2']);
    expect(nums(p.remove)).toEqual(['a1', 'a2', 'a3']);
    expect(p.remove[0]!.reasons).toHaveLength(2);
  });

  it('never breaks a chain, whatever the rule (exhaustive over small inputs)', () => {
    const series = [bk('a', 1, 1), bk('a', 2, 2), bk('b', 1, 3), bk('b', 2, 4), bk('b', 3, 5), bk('c', 1, 6)];
    for (let k = 1; k <= series.length; k++) {
      for (const rules of [{ keepLast: k }, { keepSeries: k }, { keepWithin: `${k}d` }]) {
        const p = planRetention(series, rules, new Date('2026-12-07T00:00:00Z'));
        const kept = new Set(nums(p.keep));
        for (const b of p.keep) {
          for (let j = 1; j < b.backupNum; j++)
            expect(kept.has(`${b.backupId}${j}`), JSON.stringify(rules)).toBe(true);
        }
        expect(p.keep.length + p.remove.length).toBe(series.length);
      }
    }
  });

  it('incrementals whose full is missing: warned, handled like the rest', () => {
    const orphans = [bk('x', 2, 1), bk('x', 3, 2), ...TWO_SERIES];
    const p = planRetention(orphans, { keepLast: 3 }, NOW);
    expect(p.warnings.join()).toMatch(/series x has no full backup/);
    expect(nums(p.remove)).toEqual(['x2', 'x3', 'a1', 'a2', 'a3']);
    const q = planRetention(orphans.slice(0, 2), { keepLast: 1 }, NOW);
    expect(nums(q.keep)).toEqual(['x2', 'x3']); // x3 needs x2 (the chain back to where it starts)
  });
});

/** A location holding `files` (relative path → content). */
function location(files: Record<string, string | object>): string {
  const dir = path.join(tmp.dir, `loc${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function masterEntry(id: string, num: number, day: number, extra: Record<string, unknown> = {}) {
  return {
    type: num === 1 ? 'full' : 'incremental',
    since: 0,
    read_ts: day * 10,
    groups: { '1': ['0-name'] },
    backup_id: id,
    backup_num: num,
    version: 2105,
    path: `dgraph.202612${String(day).padStart(2, '0')}.120000.000`,
    encrypted: false,
    drop_operations: null,
    compression: 'snappy',
    ...extra,
  };
}

function masterLocation(entries: Record<string, unknown>[], extraFiles: Record<string, string> = {}): string {
  const files: Record<string, string | object> = { 'manifest.json': { Manifests: entries }, ...extraFiles };
  for (const e of entries) files[`${e.path as string}/r${e.read_ts as number}-g1.backup`] = 'data';
  return location(files);
}

/** Records every write and delete of a destination, in order. */
class Recording implements Destination {
  readonly ops: string[] = [];
  constructor(readonly inner: LocalDestination) {}
  list(prefix?: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }
  read(p: string): Readable {
    return this.inner.read(p);
  }
  readFile(p: string): Promise<Buffer> {
    return this.inner.readFile(p);
  }
  write(p: string, data: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    this.ops.push(`write ${p}`);
    return this.inner.write(p, data);
  }
  readVersioned(p: string): Promise<VersionedFile | undefined> {
    return this.inner.readVersioned(p);
  }
  async putIfUnchanged(p: string, data: Uint8Array, version: string | null): Promise<boolean> {
    const ok = await this.inner.putIfUnchanged(p, data, version);
    this.ops.push(`cas ${p} ${ok}`);
    return ok;
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(p);
  }
  delete(p: string): Promise<void> {
    this.ops.push(`delete ${p}`);
    return this.inner.delete(p);
  }
  removeEmptyFolder(p: string): Promise<void> {
    this.ops.push(`rmdir ${p}`);
    return this.inner.removeEmptyFolder(p);
  }
  describe(): string {
    return this.inner.describe();
  }
}

describe('expireBackups on a master manifest (v21.03+ layouts)', () => {
  const entries = [
    masterEntry('a', 1, 1),
    masterEntry('a', 2, 2),
    masterEntry('b', 1, 3),
    masterEntry('b', 2, 4),
  ];

  it('dry run: the plan, nothing touched', async () => {
    const loc = masterLocation(entries);
    const before = readFileSync(path.join(loc, 'manifest.json'));
    const r = await expireBackups({ location: loc, keepLast: 1, dryRun: true, now: NOW });
    expect(r.dryRun).toBe(true);
    expect(r.layout).toBe('master');
    expect(nums(r.remove)).toEqual(['a1', 'a2']);
    expect(r.filesDeleted).toBe(0);
    expect(readFileSync(path.join(loc, 'manifest.json'))).toEqual(before);
    expect(readdirSync(loc)).toHaveLength(5);
  });

  it('unlists from the master first (CAS), then deletes the files, then the folder', async () => {
    const loc = masterLocation(entries);
    const dest = new Recording(new LocalDestination(loc));
    const r = await expireBackups({ location: dest, keepSeries: 1, now: NOW });
    expect(nums(r.remove)).toEqual(['a1', 'a2']);
    expect(r.filesDeleted).toBe(2);
    expect(dest.ops[0]).toBe('cas manifest.json true');
    expect(dest.ops.slice(1)).toEqual([
      'delete dgraph.20261201.120000.000/r10-g1.backup',
      'rmdir dgraph.20261201.120000.000',
      'delete dgraph.20261202.120000.000/r20-g1.backup',
      'rmdir dgraph.20261202.120000.000',
    ]);
    expect(readdirSync(loc).sort()).toEqual([
      'dgraph.20261203.120000.000',
      'dgraph.20261204.120000.000',
      'manifest.json',
    ]);
    const listed = await listBackups({ location: loc });
    expect(listed.map((b) => `${b.backupId}${b.backupNum}`)).toEqual(['b1', 'b2']);
  });

  it('a lost CAS race re-reads and keeps the entry another writer added', async () => {
    const loc = masterLocation(entries);
    const inner = new LocalDestination(loc);
    let raced = false;
    const dest = new (class extends Recording {
      override async putIfUnchanged(p: string, data: Uint8Array, version: string | null): Promise<boolean> {
        if (!raced && p === 'manifest.json') {
          raced = true; // a backup appends b3 between our read and our write
          const m = JSON.parse(readFileSync(path.join(loc, 'manifest.json'), 'utf8')) as {
            Manifests: unknown[];
          };
          m.Manifests.push(masterEntry('b', 3, 5));
          mkdirSync(path.join(loc, 'dgraph.20261205.120000.000'));
          writeFileSync(path.join(loc, 'dgraph.20261205.120000.000/r50-g1.backup'), 'data');
          writeFileSync(path.join(loc, 'manifest.json'), JSON.stringify(m));
        }
        return super.putIfUnchanged(p, data, version);
      }
    })(inner);
    const r = await expireBackups({ location: dest, keepLast: 1, now: NOW });
    expect(dest.ops.filter((o) => o.startsWith('cas'))).toEqual([
      'cas manifest.json false',
      'cas manifest.json true',
    ]);
    expect(nums(r.keep)).toEqual(['b1', 'b2', 'b3']);
    const listed = await listBackups({ location: loc });
    expect(listed.map((b) => `${b.backupId}${b.backupNum}`)).toEqual(['b1', 'b2', 'b3']);
  });

  it('a checkpoint that throws stops the run before the manifest changes', async () => {
    const loc = masterLocation(entries);
    const before = readFileSync(path.join(loc, 'manifest.json'));
    const dest = new Recording(new LocalDestination(loc));
    const stop = () => {
      throw new Error('lease lost');
    };
    await expect(expireBackups({ location: dest, keepLast: 1, now: NOW, checkpoint: stop })).rejects.toThrow(
      /lease lost/,
    );
    expect(dest.ops).toEqual([]);
    expect(readFileSync(path.join(loc, 'manifest.json'))).toEqual(before);
  });

  it('reports (never touches) dgraph.<time> folders no manifest lists', async () => {
    const loc = masterLocation(entries, { 'dgraph.20261209.120000.000/r90-g1.backup': 'orphan' });
    const r = await expireBackups({ location: loc, keepLast: 1, now: NOW });
    expect(r.warnings.join()).toMatch(/folder dgraph\.20261209\.120000\.000 is listed by no manifest/);
    expect(existsSync(path.join(loc, 'dgraph.20261209.120000.000/r90-g1.backup'))).toBe(true);
  });

  it('names an unlisted folder holding a resume journal as an interrupted backup, and leaves it', async () => {
    const loc = masterLocation(entries, {
      'dgraph.20261209.120000.000/r90-g1.backup': 'kept group file',
      'dgraph.20261209.120000.000/strata-resume-journal.json': '{}',
    });
    const r = await expireBackups({ location: loc, keepLast: 1, now: NOW });
    expect(r.warnings.join()).toMatch(
      /folder dgraph\.20261209\.120000\.000 is listed by no manifest and holds a resume journal: an interrupted backup/,
    );
    expect(existsSync(path.join(loc, 'dgraph.20261209.120000.000/strata-resume-journal.json'))).toBe(true);
  });

  it('keeps manifest_summary.json in step', async () => {
    const loc = masterLocation(entries, { 'manifest_summary.json': '{"Manifests":[]}' });
    await expireBackups({ location: loc, keepLast: 1, now: NOW });
    const summary = JSON.parse(readFileSync(path.join(loc, 'manifest_summary.json'), 'utf8')) as {
      Manifests: { backup_id: string }[];
    };
    expect(summary.Manifests.map((e) => e.backup_id)).toEqual(['b', 'b']);
  });

  it('refuses a manifest path that leaves the location, touching nothing', async () => {
    const loc = masterLocation([masterEntry('a', 1, 1), masterEntry('b', 1, 2)]);
    const outside = location({ 'victim/r10-g1.backup': 'precious' });
    const m = JSON.parse(readFileSync(path.join(loc, 'manifest.json'), 'utf8')) as {
      Manifests: Record<string, unknown>[];
    };
    const rel = path.relative(loc, path.join(outside, 'victim'));
    m.Manifests[0]!.path = rel; // ../locN/victim
    writeFileSync(path.join(loc, 'manifest.json'), JSON.stringify(m));
    // The folder check of the reader drops it (no such folder inside the location), so nothing of it is removed.
    const r = await expireBackups({ location: loc, keepLast: 1, now: NOW });
    expect(r.remove).toEqual([]);
    expect(readFileSync(path.join(outside, 'victim/r10-g1.backup'), 'utf8')).toBe('precious');
  });

  it('a folder not named dgraph.<time>: only the files its manifest names are deleted', async () => {
    const loc = masterLocation([masterEntry('a', 1, 1, { path: 'keepme' }), masterEntry('b', 1, 2)], {
      'keepme/notes.txt': 'mine',
    });
    const warnings: string[] = [];
    const r = await expireBackups({
      location: loc,
      keepSeries: 1,
      now: NOW,
      onWarning: (w) => warnings.push(w),
    });
    expect(nums(r.remove)).toEqual(['a1']);
    expect(existsSync(path.join(loc, 'keepme/r10-g1.backup'))).toBe(false);
    expect(readFileSync(path.join(loc, 'keepme/notes.txt'), 'utf8')).toBe('mine');
    expect(warnings.join()).toMatch(/not named dgraph.<time>.*1 other file left/);
  });

  it('a removed entry whose folder a kept entry shares: unlisted, files left', async () => {
    const shared = masterEntry('a', 1, 1);
    const loc = masterLocation([shared, masterEntry('b', 1, 2, { path: shared.path, read_ts: 11 })]);
    writeFileSync(path.join(loc, shared.path, 'r11-g1.backup'), 'data');
    const r = await expireBackups({ location: loc, keepSeries: 1, now: NOW });
    expect(nums(r.remove)).toEqual(['a1']);
    expect(r.warnings.join()).toMatch(/shared with a kept backup/);
    expect(existsSync(path.join(loc, shared.path, 'r10-g1.backup'))).toBe(true);
  });
});

describe('expireBackups on per-folder manifests (v20.x, real Dgraph fixtures)', () => {
  it('deletes the manifests newest first, then the data', async () => {
    const loc = path.join(tmp.dir, `fx${n++}`);
    cpSync(path.join(DGRAPH_FIXTURES, 'v20.11-series-3groups'), loc, { recursive: true });
    cpSync(
      path.join(DGRAPH_FIXTURES, 'v20.11-full-3groups/dgraph.20201125.173944.587'),
      path.join(loc, 'dgraph.20201125.173944.587'),
      {
        recursive: true,
      },
    );
    const before = await readManifests(new LocalDestination(loc));
    expect(before.layout).toBe('per-folder');
    expect(before.manifests).toHaveLength(4);
    const dest = new Recording(new LocalDestination(loc));
    const r = await expireBackups({ location: dest, keepSeries: 1, now: NOW });
    expect(r.layout).toBe('per-folder');
    expect(r.remove.map((b) => b.path)).toEqual(['dgraph.20201125.173944.587']);
    expect(dest.ops[0]).toBe('delete dgraph.20201125.173944.587/manifest.json');
    expect(
      dest.ops.slice(1, -1).every((o) => /^delete dgraph\.20201125\.173944\.587\/r68-g\d\.backup$/.test(o)),
    ).toBe(true);
    expect(r.filesDeleted).toBe(4);
    expect(existsSync(path.join(loc, 'dgraph.20201125.173944.587'))).toBe(false);
    const after = await readManifests(new LocalDestination(loc));
    expect(after.manifests.map((m) => m.path)).toEqual(before.manifests.slice(1).map((m) => m.path));
  });

  it('the real 6-backup series: --keep-last 1 keeps the whole chain', async () => {
    const loc = path.join(tmp.dir, `fx${n++}`);
    cpSync(path.join(DGRAPH_FIXTURES, 'v20.11-series-2groups'), loc, { recursive: true });
    const r = await expireBackups({ location: loc, keepLast: 1, dryRun: true, now: NOW });
    expect(r.keep).toHaveLength(6);
    expect(r.remove).toEqual([]);
  });
});
