// Binary backup and restore on real processes: a 3-group cluster (Zero + 3 Alphas through the built
// CLI) loaded with a slice of the film set (with a @reverse predicate); a full backup, mutations,
// deletes and a drop_attr between three incrementals, then a forceFull second series; every backup
// point restored offline (strata restore + strata export -p) and online (the restore mutation into
// a fresh 3-group cluster + strata export --alpha), compared with the source's export at that
// backup's readTs. Plus: writes during a backup, two concurrent backups, a group-count mismatch, a
// missing file, failed backups leaving no manifest, restore -z + strata alpha on restored folders,
// and a full + incremental backup to the real MinIO restored online from there.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';
import { minio, uniquePrefix, uri } from './remote.js';
import { freePort, killAll, post, restoreArgs, run, secretFile, start, waitHealthy } from './procs.js';
import { TestCluster, restoreOnline, readDump, RESTORE, TOKEN, type Dump } from './harness.js';

const FILM = path.resolve(repoRoot, '../shared/datasets/dgraph-film-200k');
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-backup-'));

interface Listing {
  backupId: string;
  backupNum: number;
  readTs: number;
  since: number;
  type: string;
  encrypted: boolean;
  path: string;
}
async function ls(location: string, env?: NodeJS.ProcessEnv, extra: string[] = []): Promise<Listing[]> {
  const r = await run(['ls', location, '--json', ...extra], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listing[];
}

async function backup(
  c: TestCluster,
  location: string,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(['backup', '--alpha', c.addr(c.alphas.length > 1 ? 1 : 0), '--destination', location, ...extra]);
}

function maxSubjectUid(data: string): bigint {
  let max = 0n;
  for (const m of data.matchAll(/^<0x([0-9a-f]+)>/gm)) {
    const v = BigInt(`0x${m[1]}`);
    if (v > max) max = v;
  }
  return max;
}

const source = new TestCluster(tmp, 'src', 3);
const target = new TestCluster(tmp, 'dst', 3);
const local = path.join(tmp, 'backups');

interface Point {
  backupId: string;
  backupNum: number;
  readTs: bigint;
  expected: Dump;
}
const points: Point[] = [];

/** Backs up the source to `local`, checks the new listing entry and takes the source export at its readTs. */
async function backupPoint(extra: string[] = []): Promise<Point> {
  const r = await backup(source, local, extra);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^Backup completed: (full|incremental) backup /);
  const list = await ls(local);
  const last = list.at(-1)!;
  const p = {
    backupId: last.backupId,
    backupNum: last.backupNum,
    readTs: BigInt(last.readTs),
    expected: await source.export(`src-${last.backupId}-${last.backupNum}`, BigInt(last.readTs)),
  };
  points.push(p);
  return p;
}

beforeAll(async () => {
  if (!existsSync(FILM)) throw new Error(`film data set not found at ${FILM}`);
  await Promise.all([source.start(), target.start()]);
}, 60_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('binary backup and restore of a three-group cluster', () => {
  it('loads the film slice with a @reverse predicate', async () => {
    const schema = readFileSync(path.join(FILM, 'goldendata.schema'), 'utf8').replace(/^name:.*$/m, '');
    await source.alter(
      `${schema}\nname: string @index(term, hash) @lang .\ndirector.film: [uid] @reverse @count .\nseq: int @index(int) .\n`,
    );
    const r = await run([
      'load',
      path.join(FILM, 'goldendata_first_200k.rdf.gz'),
      '--alpha',
      source.addr(),
      '--limit',
      '6000',
      '--batch',
      '2000',
    ]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('takes a full backup, three incrementals around mutations, deletes and a drop_attr, then a forceFull series', async () => {
    const p1 = await backupPoint();
    expect(p1.backupNum).toBe(1);
    expect((await ls(local)).at(-1)).toMatchObject({ type: 'full', since: 0, encrypted: false });

    const a = await source.mutate(
      '_:a <name> "Backup Film A"@en .\n_:d <name> "Backup Director"@en .\n_:d <director.film> _:a .',
    );
    const films = readFileSync(path.join(tmp, 'exports', `src-${p1.backupId}-1`, 'data.rdf'), 'utf8')
      .split('\n')
      .filter((l) => / <director\.film> /.test(l))
      .slice(0, 3);
    expect(films.length).toBe(3);
    await source.del(films.join('\n'));
    const p2 = await backupPoint();
    expect(p2).toMatchObject({ backupId: p1.backupId, backupNum: 2 });
    expect(p2.expected.data).toContain('"Backup Film A"@en');
    expect(p2.expected.data).not.toContain(films[0]!);

    await source.alter('{"drop_attr": "initial_release_date"}');
    await source.mutate(`<${a.uids.a}> <name> "Backup Film A (renamed)"@en .`);
    const p3 = await backupPoint();
    expect(p3.backupNum).toBe(3);
    expect(p3.expected.data).not.toMatch(/<initial_release_date>/);

    await source.mutate('_:x <name> "After the drop"@en .\n_:x <initial_release_date> "2020-02-02" .');
    const p4 = await backupPoint();
    expect(p4.backupNum).toBe(4);

    await source.mutate('_:y <name> "Second series"@en .');
    const p5 = await backupPoint(['--force_full']);
    expect(p5.backupNum).toBe(1);
    expect(p5.backupId).not.toBe(p1.backupId);
    const list = await ls(local);
    expect(list.map((l) => [l.backupNum, l.type])).toEqual([
      [1, 'full'],
      [2, 'incremental'],
      [3, 'incremental'],
      [4, 'incremental'],
      [1, 'full'],
    ]);
    for (let i = 1; i < 4; i++) expect(list[i]!.since).toBe(list[i - 1]!.readTs);
    // Strata's extra manifest fields and the per-folder v20.11 layout.
    const m = JSON.parse(readFileSync(path.join(local, list[1]!.path, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(m.checksums as object).sort()).toEqual(
      [1, 2, 3].map((g) => `r${list[1]!.readTs}-g${g}.backup`),
    );
    expect(m.strata_version).toEqual(expect.any(String));
    const m3 = JSON.parse(readFileSync(path.join(local, list[2]!.path, 'manifest.json'), 'utf8')) as {
      drop_operations: unknown;
    };
    expect(m3.drop_operations).toEqual([{ drop_op: 2, drop_value: 'initial_release_date' }]);
  }, 120_000);

  it('restores every backup point offline to exactly the source at its readTs', async () => {
    expect(points).toHaveLength(5);
    for (const p of points) {
      const pdir = path.join(tmp, 'offline', `${p.backupId}-${p.backupNum}`);
      const r = await run(restoreArgs(local, pdir, p));
      expect(r.code, r.stderr).toBe(0);
      const out = path.join(pdir, 'dump');
      expect((await run(['export', '-p', pdir, '--out', out])).code).toBe(0);
      const got = readDump(out);
      expect(got.schema, `${p.backupId} #${p.backupNum}`).toBe(p.expected.schema);
      expect(got.data, `${p.backupId} #${p.backupNum}`).toBe(p.expected.data);
    }
  }, 120_000);

  it('restores every backup point online into a fresh cluster; new writes get fresh uids', async () => {
    for (const p of points) {
      await restoreOnline(target, { location: local, backupId: p.backupId, backupNum: p.backupNum });
      const got = await target.export(`dst-${p.backupId}-${p.backupNum}`);
      expect(got.schema, `${p.backupId} #${p.backupNum}`).toBe(p.expected.schema);
      expect(got.data, `${p.backupId} #${p.backupNum}`).toBe(p.expected.data);
    }
    const last = points.at(-1)!;
    const w = await target.mutate('_:n <name> "Written after restore"@en .', 2);
    expect(BigInt(w.uids.n!)).toBeGreaterThan(maxSubjectUid(last.expected.data));
    const q = await post(
      `${target.url}/query`,
      `{ n(func: uid(${w.uids.n})) { name@en } r(func: has(director.film), first: 1) { uid director.film(first: 1) { ~director.film { uid } } } }`,
      'application/dql',
    );
    const d = q.json.data as {
      n: unknown[];
      r: { uid: string; 'director.film': { '~director.film': { uid: string }[] }[] }[];
    };
    expect(d.n).toEqual([{ 'name@en': 'Written after restore' }]);
    // The restored reverse index answers.
    expect(d.r[0]!['director.film'][0]!['~director.film']).toContainEqual({ uid: d.r[0]!.uid });
  }, 120_000);

  it('holds exactly the writes committed at or before readTs while writes run during the backup', async () => {
    const loc = path.join(tmp, 'concurrent');
    let stop = false;
    const writes: { i: number; commitTs: bigint }[] = [];
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await source.mutate(`_:s <seq> "${i}" .`, i % 3);
        writes.push({ i, commitTs: r.commitTs });
      }
    })();
    while (writes.length < 10) await new Promise((r) => setTimeout(r, 20));
    const b = await backup(source, loc, ['--force_full']);
    const during = writes.length;
    while (writes.length < during + 10) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await writer;
    expect(b.code, b.stderr).toBe(0);
    const readTs = BigInt((await ls(loc))[0]!.readTs);
    const pdir = path.join(tmp, 'concurrent-restore');
    expect((await run(['restore', '-l', loc, '-p', pdir, '--force_zero=false'])).code).toBe(0);
    expect((await run(['export', '-p', pdir, '--out', path.join(pdir, 'dump')])).code).toBe(0);
    const seqs = (d: string) =>
      [...d.matchAll(/<seq> "(\d+)"/g)].map((m) => Number(m[1])).sort((x, y) => x - y);
    const expected = writes
      .filter((w) => w.commitTs <= readTs)
      .map((w) => w.i)
      .sort((x, y) => x - y);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(writes.length);
    expect(seqs(readDump(path.join(pdir, 'dump')).data)).toEqual(expected);
    expect(seqs((await source.export('concurrent-live')).data)).toEqual(
      writes.map((w) => w.i).sort((x, y) => x - y),
    );
  }, 120_000);

  it('refuses a second backup while one runs, naming the running one', async () => {
    const MUTATION =
      'mutation ($input: BackupInput!) { backup(input: $input) { response { code message } taskId } }';
    const dests = [path.join(tmp, 'two-at-once-a'), path.join(tmp, 'two-at-once-b')];
    const answers = await Promise.all(
      dests.map((destination) =>
        source.gql<{ backup: { response: { code: string } } }>(MUTATION, { input: { destination } }),
      ),
    );
    const ok = answers.filter((a) => a.data?.backup?.response.code === 'Success');
    const refused = answers.filter((a) => a.errors?.length);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.errors![0]!.message).toMatch(
      /^backup refused: another backup is running: backup to .*two-at-once-[ab] \(id backup-/,
    );
    // The refused one wrote nothing.
    expect(dests.filter((d) => existsSync(d))).toHaveLength(1);
  });

  // Without sameGroups the same restore re-shards the series onto 2 groups (restore-reshard.test.ts).
  it('with sameGroups, refuses a restore of a 3-group series into a 2-group cluster, with both numbers', async () => {
    const small = await new TestCluster(tmp, 'two', 2).start();
    try {
      const r = await small.gql(RESTORE, { input: { location: local, sameGroups: true } });
      expect(r.errors?.[0]?.message).toMatch(
        /the backup has 3 groups \(1, 2, 3\) but the cluster has 2 groups, and the same groups were asked for/,
      );
    } finally {
      await small.stop();
    }
  }, 60_000);

  it('refuses a chain with a missing file before changing anything', async () => {
    const broken = path.join(tmp, 'broken');
    cpSync(local, broken, { recursive: true });
    const list = await ls(broken);
    const victim = path.join(broken, list[2]!.path, `r${list[2]!.readTs}-g2.backup`);
    unlinkSync(victim);
    const before = await target.export('before-missing');
    const r = await target.gql(RESTORE, { input: { location: broken, backupId: list[0]!.backupId } });
    expect(r.errors?.[0]?.message).toMatch(/missing backup file .*r\d+-g2\.backup/);
    expect((await target.export('after-missing')).data).toBe(before.data);
  });

  it('leaves no manifest when the destination is not writable or a group is down', async () => {
    const blocker = path.join(tmp, 'blocker');
    writeFileSync(blocker, 'not a folder');
    const r = await backup(source, path.join(blocker, 'sub'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backup failed, no manifest was written/);

    const loc = path.join(tmp, 'group-down');
    expect((await backup(source, loc)).code).toBe(0);
    const before = await ls(loc);
    const a3 = source.alphas[2]!;
    a3.proc!.child.kill('SIGKILL');
    await a3.proc!.exited;
    const down = await backup(source, loc);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/backup failed, no manifest was written: group 3/);
    expect(await ls(loc)).toEqual(before);
    // The groups that finished keep their files (and the resume journal) in an unlisted folder.
    expect(down.stderr).toMatch(
      /The files of groups 1, 2 are kept in dgraph\.\S+: the next backup to this location resumes/,
    );
    expect(readdirSync(loc).filter((f) => f.startsWith('dgraph.'))).toHaveLength(2);
    source.startAlpha(2);
    await waitHealthy(`http://127.0.0.1:${a3.port}`, a3.proc!);
    // The next backup continues it: only group 3's file is written.
    const resumed = await backup(source, loc);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      /^Backup completed: resumed backup \S+ #\d+ at readTs \d+: kept groups 1, 2, rewrote groups 3; incremental/,
    );
    expect((await ls(loc)).length).toBe(before.length + 1);
    expect(readdirSync(loc).filter((f) => f.startsWith('dgraph.'))).toHaveLength(2);
  }, 60_000);

  it('strata restore -z moves the leases of a new Zero; strata alpha serves the restored folders', async () => {
    const last = points.at(-1)!;
    const pdir = path.join(tmp, 'offline-z');
    const zw = new TestCluster(tmp, 'z', 3);
    zw.zeroPort = await freePort();
    zw.zero = start([
      'zero',
      '--port',
      String(zw.zeroPort),
      '--host',
      '127.0.0.1',
      '--data',
      path.join(tmp, 'z-zw'),
      '--groups',
      '3',
      '--token_file',
      secretFile(TOKEN),
    ]);
    await waitHealthy(`http://127.0.0.1:${zw.zeroPort}`, zw.zero);
    const r = await run(['restore', '-l', local, '-p', pdir, '-z', `127.0.0.1:${zw.zeroPort}`], {
      ...process.env,
      STRATA_CLUSTER_TOKEN: TOKEN,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/leases moved past the restored data: next UID \d+, next timestamp \d+/);
    const state = (await (await fetch(`http://127.0.0.1:${zw.zeroPort}/state`)).json()) as {
      maxUID: string;
      maxTxnTs: string;
    };
    expect(BigInt(state.maxUID)).toBeGreaterThan(maxSubjectUid(last.expected.data));
    expect(BigInt(state.maxTxnTs)).toBeGreaterThan(last.readTs);
    for (let g = 1; g <= 3; g++)
      zw.alphas.push({ group: g, port: await freePort(), dir: path.join(pdir, `p${g}`) });
    for (let i = 0; i < 3; i++) zw.startAlpha(i);
    for (let i = 0; i < 3; i++)
      await waitHealthy(`http://127.0.0.1:${zw.alphas[i]!.port}`, zw.alphas[i]!.proc!);
    const got = await zw.export('z-restored');
    expect(got.data).toBe(last.expected.data);
    const w = await zw.mutate('_:n <name> "New after offline restore"@en .');
    expect(BigInt(w.uids.n!)).toBeGreaterThan(maxSubjectUid(last.expected.data));
    await zw.stop();
  }, 60_000);

  it('backs up to MinIO (full + incremental), lists it and restores it online', async () => {
    const m = minio();
    const loc = uri('minio', m.privateBucket, uniquePrefix('backup'));
    const creds = ['--access_key', m.accessKey, '--secret_key_file', secretFile(m.secretKey)];
    const full = await backup(source, loc, creds);
    expect(full.code, full.stderr).toBe(0);
    await source.mutate('_:m <name> "Only in the MinIO incremental"@en .');
    const inc = await backup(source, loc, creds);
    expect(inc.code, inc.stderr).toBe(0);
    expect(full.stdout + inc.stdout).not.toContain(m.secretKey);
    const listed = await source.gql<{
      listBackups: {
        backupId: string;
        backupNum: number;
        readTs: number;
        type: string;
        encrypted: boolean;
        groups: { groupId: number }[];
      }[];
    }>(
      `query ($input: ListBackupsInput!) { listBackups(input: $input) { backupId backupNum encrypted groups { groupId predicates } path since readTs type } }`,
      { input: { location: loc, accessKey: m.accessKey, secretKey: m.secretKey } },
    );
    expect(listed.errors).toBeUndefined();
    const l = listed.data!.listBackups;
    expect(l.map((x) => [x.backupNum, x.type, x.encrypted, x.groups.length])).toEqual([
      [1, 'full', false, 3],
      [2, 'incremental', false, 3],
    ]);
    const expected = await source.export('minio-src', BigInt(l[1]!.readTs));
    await restoreOnline(target, { location: loc, accessKey: m.accessKey, secretKey: m.secretKey });
    const got = await target.export('minio-dst');
    expect(got.data).toBe(expected.data);
    expect(got.data).toContain('Only in the MinIO incremental');
  }, 120_000);

  it('encrypts every backup of a cluster started with a key; restores need the right key', async () => {
    const key = path.join(tmp, 'enc_key');
    writeFileSync(key, Buffer.alloc(32, 0x5a));
    const wrong = path.join(tmp, 'wrong_key');
    writeFileSync(wrong, Buffer.alloc(32, 0x33));
    const enc = await new TestCluster(tmp, 'enc', 1, [
      '--encryption_key_file',
      key,
      '--restore_dirs',
      tmp,
    ]).start();
    try {
      await enc.alter('title: string @index(exact) .');
      await enc.mutate('_:a <title> "secret one" .');
      const loc = path.join(tmp, 'encrypted');
      expect((await backup(enc, loc, ['--format', 'v21.03'])).code).toBe(0);
      await enc.mutate('_:b <title> "secret two" .');
      const inc = await run(['backup', '--alpha', enc.addr(), '--destination', loc, '--json']);
      expect(inc.code, inc.stderr).toBe(0);
      // --json: phase events, then the summary last.
      const events = inc.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(events[0]).toMatchObject({ event: 'start', command: 'backup' });
      expect(events.at(-1)).toMatchObject({ event: 'summary', ok: true, response: { code: 'Success' } });
      const list = await ls(loc);
      expect(list.map((l) => [l.backupNum, l.encrypted])).toEqual([
        [1, true],
        [2, true],
      ]);
      const table = await run(['ls', loc]);
      expect(table.stdout).toMatch(/incremental .* yes /);
      const master = JSON.parse(readFileSync(path.join(loc, 'manifest.json'), 'utf8')) as {
        Manifests: Record<string, unknown>[];
      };
      expect(master.Manifests.map((m) => [m.version, m.compression, m.encrypted])).toEqual([
        [2103, 'snappy', true],
        [2103, 'snappy', true],
      ]);
      expect(master.Manifests[1]!.key_fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(
        readFileSync(path.join(loc, list[1]!.path, `r${list[1]!.readTs}-g1.backup`)).includes(
          Buffer.from('secret two'),
        ),
      ).toBe(false);
      const expected = await enc.export('enc-src', BigInt(list[1]!.readTs));

      const noKey = await run([
        'restore',
        '-l',
        loc,
        '-p',
        path.join(tmp, 'enc-nokey'),
        '--force_zero=false',
      ]);
      expect(noKey.stderr).toMatch(/encrypted and no encryption key was given/);
      const bad = await run([
        'restore',
        '-l',
        loc,
        '-p',
        path.join(tmp, 'enc-bad'),
        '--force_zero=false',
        '--encryption_key_file',
        wrong,
      ]);
      expect(bad.stderr).toMatch(/wrong key/);
      expect(existsSync(path.join(tmp, 'enc-bad'))).toBe(false);
      const pdir = path.join(tmp, 'enc-ok');
      expect(
        (await run(['restore', '-l', loc, '-p', pdir, '--force_zero=false', '--encryption_key_file', key]))
          .code,
      ).toBe(0);
      expect((await run(['export', '-p', pdir, '--out', path.join(pdir, 'dump')])).code).toBe(0);
      expect(readDump(path.join(pdir, 'dump')).data).toBe(expected.data);

      // Online: a wrong key file is refused before anything changes; the cluster's own key works.
      const r = await enc.gql(RESTORE, { input: { location: loc, encryptionKeyFile: wrong } });
      expect(r.errors?.[0]?.message).toMatch(/wrong key/);
      await enc.mutate('_:c <title> "not in the backup" .');
      await restoreOnline(enc, { location: loc });
      expect((await enc.export('enc-dst')).data).toBe(expected.data);
      // A plain backup cannot continue the encrypted series.
      const plain = await new TestCluster(tmp, 'plain', 1).start();
      try {
        const refused = await backup(plain, loc);
        expect(refused.stderr).toMatch(/must keep the encryption of its series; use forceFull/);
      } finally {
        await plain.stop();
      }
    } finally {
      await enc.stop();
    }
  }, 90_000);
});
