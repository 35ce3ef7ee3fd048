/** The resume journal of a backup: round trip, hostile input, bounded reads, which plans still fit. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileSha256,
  findInterrupted,
  LocalDestination,
  MAX_JOURNAL_BYTES,
  newJournal,
  parseJournal,
  readJournal,
  resumedPlan,
  resumeMismatch,
  serializeJournal,
  writeJournal,
  type BackupManifest,
  type ManifestSet,
  type ResumeContext,
  type ResumeJournal,
} from '../src/index.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const FOLDER = 'dgraph.20261204.120000.000';

function journal(over: Partial<ResumeJournal> = {}): ResumeJournal {
  const j = newJournal(
    {
      folder: FOLDER,
      type: 'incremental',
      backupId: 'jolly_yalow7',
      backupNum: 3,
      readTs: 120n,
      since: 100n,
      format: 'v21.03',
      encrypted: true,
    },
    new Map([
      [2, ['name', 'age']],
      [1, ['friend']],
    ]),
    '0123456789abcdef',
  );
  j.done.set(1, {
    sha256: 'a'.repeat(64),
    bytes: 1234,
    kvs: 17,
    predicates: [{ namespace: '0', name: 'friend' }],
    dropOperations: [{ op: 'ATTR', value: 'x', namespace: '0', commitTs: '105' }],
  });
  return { ...j, ...over };
}

function manifest(backupId: string, backupNum: number, readTs: bigint, folder: string): BackupManifest {
  return {
    path: folder,
    type: backupNum === 1 ? 'full' : 'incremental',
    readTs,
    since: 0n,
    backupId,
    backupNum,
    encrypted: true,
    keyFingerprint: '0123456789abcdef',
    compression: 'snappy',
    version: 2103,
    groups: new Map([[1, []]]),
    dropOperations: [],
    source: 'master',
    manifestFile: 'manifest.json',
  };
}

function ctx(over: Partial<ResumeContext> = {}): ResumeContext {
  const existing: ManifestSet = {
    layout: 'master',
    manifests: [
      manifest('jolly_yalow7', 1, 50n, 'dgraph.20261201.120000.000'),
      manifest('jolly_yalow7', 2, 100n, 'dgraph.20261202.120000.000'),
    ],
    warnings: [],
  };
  return {
    existing,
    encrypted: true,
    keyFingerprint: '0123456789abcdef',
    groups: new Map([
      [1, ['friend']],
      [2, ['age', 'name']],
    ]),
    ...over,
  };
}

/** The journal as JSON, edited by `f`, serialized again. */
function edited(f: (o: Record<string, unknown>) => void): Buffer {
  const o = JSON.parse(serializeJournal(journal()).toString()) as Record<string, unknown>;
  f(o);
  return Buffer.from(JSON.stringify(o));
}

describe('resume journal', () => {
  it('round trips through its JSON (bigints, groups sorted, no key, only its fingerprint)', () => {
    const j = journal();
    const bytes = serializeJournal(j);
    expect(bytes.toString()).not.toMatch(/"key"\s*:/);
    const back = parseJournal(bytes, FOLDER);
    expect(back).toEqual(j);
    expect([...back.groups.keys()]).toEqual([1, 2]);
    expect(back.readTs).toBe(120n);
  });

  it.each([
    ['not JSON', Buffer.from('{"kind":'), /not valid JSON/],
    ['an array', Buffer.from('[]'), /file must hold a JSON object/],
    ['another kind', edited((o) => (o.kind = 'x')), /kind must be/],
    ['a newer version', edited((o) => (o.version = 2)), /version must be 1/],
    [
      'another folder',
      edited((o) => (o.folder = 'dgraph.20261204.120000.001')),
      /names dgraph\.20261204\.120000\.001, not the folder/,
    ],
    ['a path as folder', edited((o) => (o.folder = '../etc')), /not a backup folder name/],
    ['a numeric readTs', edited((o) => (o.readTs = 120)), /readTs must be a decimal string/],
    ['readTs over uint64', edited((o) => (o.readTs = '99999999999999999999')), /out of the uint64 range/],
    ['since not below readTs', edited((o) => (o.since = '120')), /since must be below readTs/],
    ['a full with since', edited((o) => (o.type = 'full')), /does not agree/],
    ['backupNum 0', edited((o) => (o.backupNum = 0)), /backupNum must be an integer >= 1/],
    ['a bad format', edited((o) => (o.format = 'v99')), /format must be one of/],
    ['a bad fingerprint', edited((o) => (o.keyFingerprint = 'zz')), /keyFingerprint must be 16 hex/],
    ['no groups', edited((o) => (o.groups = {})), /groups must name 1 to/],
    ['a group id 0', edited((o) => (o.groups = { '0': [] })), /bad group id "0"/],
    [
      'predicates not strings',
      edited((o) => (o.groups = { '1': [1] })),
      /groups\.1 must be an array of predicate names/,
    ],
    [
      'a done group not planned',
      edited((o) => ((o.done as Record<string, unknown>)['7'] = {})),
      /done\.7 is a group the plan does not have/,
    ],
    [
      'a short sha256',
      edited((o) => ((o.done as Record<string, { sha256: string }>)['1']!.sha256 = 'abc')),
      /done\.1\.sha256 must be 64 hex/,
    ],
    [
      'negative bytes',
      edited((o) => ((o.done as Record<string, { bytes: number }>)['1']!.bytes = -1)),
      /bytes must be an integer >= 0/,
    ],
    [
      'a bad drop op',
      edited(
        (o) =>
          ((o.done as Record<string, { dropOperations: unknown[] }>)['1']!.dropOperations = [{ op: 'RM' }]),
      ),
      /dropOperations\[0\]\.op must be ALL, DATA, ATTR or NS/,
    ],
  ])('refuses %s with an error naming the problem', (_what, bytes, re) => {
    expect(() => parseJournal(bytes, FOLDER)).toThrow(re);
    try {
      parseJournal(bytes, FOLDER);
    } catch (err) {
      expect((err as { code?: string }).code).toBe('INVALID_MANIFEST');
    }
  });

  it('refuses a journal over the size limit without reading it whole', async () => {
    const dir = path.join(tmp.dir, 'big');
    mkdirSync(path.join(dir, FOLDER), { recursive: true });
    writeFileSync(
      path.join(dir, FOLDER, 'strata-resume-journal.json'),
      Buffer.alloc(MAX_JOURNAL_BYTES + 1, 32),
    );
    const dest = new LocalDestination(dir);
    await expect(readJournal(dest, FOLDER)).rejects.toThrow(/over the 16777216-byte limit/);
    // Without size(): the stream is cut at the limit.
    const noSize = Object.assign(Object.create(dest) as LocalDestination, { size: undefined });
    await expect(readJournal(noSize, FOLDER)).rejects.toThrow(/over the 16777216-byte limit/);
  });

  it('is found in unlisted folders, newest first, a broken one reported not thrown', async () => {
    const dir = path.join(tmp.dir, 'find');
    const dest = new LocalDestination(dir);
    await writeJournal(dest, journal());
    const older = 'dgraph.20261203.120000.000';
    await writeJournal(dest, { ...journal(), folder: older });
    const broken = 'dgraph.20261205.120000.000';
    mkdirSync(path.join(dir, broken), { recursive: true });
    writeFileSync(path.join(dir, broken, 'strata-resume-journal.json'), '{');
    mkdirSync(path.join(dir, 'other'), { recursive: true });
    writeFileSync(path.join(dir, 'other', 'strata-resume-journal.json'), '{}');
    const found = await findInterrupted(dest, {
      layout: 'master',
      manifests: [manifest('x', 1, 1n, older)],
      warnings: [],
    });
    expect(found.map((f) => [f.folder, f.listed, f.journal !== undefined])).toEqual([
      [broken, false, false],
      [FOLDER, false, true],
      [older, true, true],
    ]);
    expect(found[0]!.error).toMatch(/not valid JSON/);
  });

  it('fits only while it is still the next backup of its series, with the same key, layout and groups', () => {
    const j = journal();
    expect(resumeMismatch(j, ctx())).toBeUndefined();
    expect(resumeMismatch({ ...j, done: new Map() }, ctx())).toBe('no group file of it was finished');
    const later = ctx();
    later.existing.manifests.push(manifest('jolly_yalow7', 3, 110n, 'dgraph.20261203.120000.000'));
    expect(resumeMismatch(j, later)).toMatch(/latest backup of the location is jolly_yalow7 #3/);
    expect(resumeMismatch({ ...j, since: 99n }, ctx())).toMatch(
      /since \(99\) is not the latest backup's readTs \(100\)/,
    );
    expect(resumeMismatch(j, ctx({ keyFingerprint: 'ffffffffffffffff' }))).toMatch(/key changed/);
    expect(resumeMismatch(j, ctx({ encrypted: false }))).toMatch(/encrypted and the cluster has no key/);
    expect(resumeMismatch(j, ctx({ format: 'v24' }))).toMatch(/it is v21\.03, this request asks for v24/);
    expect(resumeMismatch(j, ctx({ groups: new Map([[1, ['friend']]]) }))).toMatch(
      /groups or their tablets changed/,
    );
    expect(
      resumeMismatch(
        j,
        ctx({
          groups: new Map([
            [1, ['friend']],
            [2, ['name', 'other']],
          ]),
        }),
      ),
    ).toMatch(/tablets changed/);
    // A full backup: a new series whose readTs is past every listed backup's.
    const full = journal({ type: 'full', backupId: 'new_one1', backupNum: 1, since: 0n });
    expect(resumeMismatch(full, ctx())).toBeUndefined();
    expect(resumeMismatch({ ...full, readTs: 90n }, ctx())).toMatch(/later readTs \(100\)/);
    expect(resumeMismatch({ ...full, backupId: 'jolly_yalow7' }, ctx())).toMatch(
      /series jolly_yalow7 exists/,
    );
  });

  it('gives back the plan it was written for', () => {
    const c = ctx();
    const p = resumedPlan(journal(), c.existing);
    expect(p).toMatchObject({
      type: 'incremental',
      backupId: 'jolly_yalow7',
      backupNum: 3,
      since: 100n,
      readTs: 120n,
      folder: FOLDER,
      compression: 'snappy',
      format: 'v21.03',
    });
    expect(p.previous?.backupNum).toBe(2);
  });

  it('sha256 of a file streamed from the location', async () => {
    const dir = path.join(tmp.dir, 'sha');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'f'), 'abc');
    expect(await fileSha256(new LocalDestination(dir), 'f')).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      bytes: 3,
    });
  });
});
