// Retention on real processes: a one-group cluster takes two series of three backups each (a full
// and two incrementals, then a forceFull and two incrementals) into a local location in the
// per-folder (v20.11) and the master (v25) layout, and into the real MinIO (v21.03 layout). Copies
// of each location are expired by each rule (--keep-last, --keep-within, --keep-series, and the
// /admin expireBackups mutation on the running Alpha); after every expire, every remaining backup still restores
// offline (`strata restore` + `strata export -p`) to exactly the source's export at its readTs,
// and the removed ones are gone from the listing and from the location.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster, readDump, type Dump } from './harness.js';
import { killAll, restoreArgs, run, secretFile } from './procs.js';
import { cleanEnv, minio, uniquePrefix, uri } from './remote.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-expire-'));
const source = new TestCluster(tmp, 'src', 1);

interface Listing {
  backupId: string;
  backupNum: number;
  readTs: number;
  type: string;
  path: string;
  time: string;
}
interface Point {
  backupId: string;
  backupNum: number;
  readTs: bigint;
  path: string;
  time: string;
  expected: Dump;
}
interface Planned {
  path: string;
  backupId: string;
  backupNum: number;
}

async function ls(location: string, env?: NodeJS.ProcessEnv): Promise<Listing[]> {
  const r = await run(['ls', location, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Listing[];
}

/** Six backups (two series of three) of the source into `location`, with the source's export at each. */
async function series(location: string, format: string, env?: NodeJS.ProcessEnv): Promise<Point[]> {
  const points: Point[] = [];
  for (let i = 0; i < 6; i++) {
    await source.mutate(`_:n <name> "${format} backup ${i}" .\n_:n <seq> "${i}" .`);
    if (i === 3) await sleep(1500); // the series start a clear second apart (--keep-within below)
    const extra = i === 0 ? ['--format', format] : i === 3 ? ['--force_full'] : [];
    const r = await run(['backup', '--alpha', source.addr(), '--destination', location, ...extra], env);
    expect(r.code, r.stderr).toBe(0);
    const last = (await ls(location, env)).at(-1)!;
    points.push({
      backupId: last.backupId,
      backupNum: last.backupNum,
      readTs: BigInt(last.readTs),
      path: last.path,
      time: last.time,
      expected: await source.export(`src-${format}-${i}`, BigInt(last.readTs)),
    });
  }
  expect(points.map((p) => p.backupNum)).toEqual([1, 2, 3, 1, 2, 3]);
  return points;
}

let restores = 0;
/** Every point of `points` restores offline from `location` to exactly its export. */
async function restoresAll(
  location: string,
  points: readonly Point[],
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  for (const p of points) {
    const pdir = path.join(tmp, 'offline', `r${restores++}`);
    const r = await run(restoreArgs(location, pdir, p), env);
    expect(r.code, r.stderr).toBe(0);
    const out = path.join(pdir, 'dump');
    expect((await run(['export', '-p', pdir, '--out', out])).code).toBe(0);
    const got = readDump(out);
    expect(got.schema, `${p.backupId} #${p.backupNum}`).toBe(p.expected.schema);
    expect(got.data, `${p.backupId} #${p.backupNum}`).toBe(p.expected.data);
    rmSync(pdir, { recursive: true, force: true });
  }
}

async function expire(
  location: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ remove: Planned[]; keep: Planned[] }> {
  const r = await run(['expire', location, ...args, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { remove: Planned[]; keep: Planned[] };
}

/** After an expire that removed the first series: listing, files and restores of what is left. */
async function checkSecondSeriesLeft(location: string, points: readonly Point[], env?: NodeJS.ProcessEnv) {
  const left = await ls(location, env);
  expect(left.map((b) => b.path)).toEqual(points.slice(3).map((p) => p.path));
  await restoresAll(location, points.slice(3), env);
}

beforeAll(async () => {
  await source.start();
  await source.alter('name: string @index(exact) .\nseq: int .');
}, 60_000);

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

for (const format of ['v20.11', 'v25']) {
  describe(`expire on a local ${format} location`, () => {
    const base = path.join(tmp, `base-${format}`);
    let points: Point[] = [];
    const copy = (name: string): string => {
      const dir = path.join(tmp, `${format}-${name}`);
      cpSync(base, dir, { recursive: true });
      return dir;
    };

    it('takes six backups in two series', async () => {
      points = await series(base, format);
    }, 120_000);

    it('--dry-run removes nothing', async () => {
      const loc = copy('dry');
      const before = readdirSync(loc).sort();
      const r = await run(['expire', loc, '--keep-last', '1', '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/dry run: would remove 3 backups/);
      expect(readdirSync(loc).sort()).toEqual(before);
    });

    it('--keep-last 2 keeps the second series whole (its chain) and removes the first', async () => {
      const loc = copy('last');
      const r = await expire(loc, ['--keep-last', '2']);
      expect(r.remove.map((b) => b.path)).toEqual(points.slice(0, 3).map((p) => p.path));
      for (const p of points.slice(0, 3)) expect(existsSync(path.join(loc, p.path))).toBe(false);
      await checkSecondSeriesLeft(loc, points);
      // Again: nothing more to remove while the newest chain needs everything.
      expect((await expire(loc, ['--keep-last', '1'])).remove).toEqual([]);
    }, 120_000);

    it('--keep-within cutting inside the second series keeps its chain', async () => {
      const loc = copy('within');
      // A cutoff between the second series' full and its first incremental: the full is still needed.
      const secs = Math.floor((Date.now() - Date.parse(points[4]!.time)) / 1000) + 1;
      const r = await expire(loc, ['--keep-within', `${secs}s`]);
      expect(r.remove.map((b) => b.path)).toEqual(points.slice(0, 3).map((p) => p.path));
      await checkSecondSeriesLeft(loc, points);
    }, 120_000);

    it('--keep-series 1 removes the older series; the rest restores', async () => {
      const loc = copy('series');
      const r = await expire(loc, ['--keep-series', '1']);
      expect(r.remove).toHaveLength(3);
      expect(r.keep).toHaveLength(3);
      await checkSecondSeriesLeft(loc, points);
      // A new incremental still joins the kept series.
      await source.mutate('_:z <name> "after expire" .');
      const b = await run(['backup', '--alpha', source.addr(), '--destination', loc]);
      expect(b.code, b.stderr).toBe(0);
      expect((await ls(loc)).map((x) => x.backupNum)).toEqual([1, 2, 3, 4]);
    }, 120_000);

    it('the /admin expireBackups mutation on the running Alpha (under the backup lock)', async () => {
      const loc = copy('admin');
      const res = await fetch(`${source.url}/admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation { expireBackups(input: {location: ${JSON.stringify(loc)}, keepLast: 1}) { dryRun removed { path reasons } kept { path } } }`,
        }),
      });
      const body = (await res.json()) as {
        data?: {
          expireBackups: { removed: { path: string; reasons: string[] }[]; kept: { path: string }[] };
        };
        errors?: unknown[];
      };
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      expect(body.data!.expireBackups.removed.map((b) => b.path)).toEqual(
        points.slice(0, 3).map((p) => p.path),
      );
      expect(body.data!.expireBackups.removed[0]!.reasons).toEqual([
        'older than the 1 kept by --keep-last 1',
      ]);
      await checkSecondSeriesLeft(loc, points);
    }, 120_000);

    it('--keep-series 2 removes nothing and every backup still restores', async () => {
      const loc = copy('all');
      expect((await expire(loc, ['--keep-series', '2'])).remove).toEqual([]);
      await restoresAll(loc, points);
    }, 180_000);
  });
}

describe('expire on MinIO (v21.03 master manifest, minio:// and s3://)', () => {
  const env = (): NodeJS.ProcessEnv =>
    cleanEnv({ MINIO_ACCESS_KEY: minio().accessKey, MINIO_SECRET_KEY: minio().secretKey });
  const s3env = (): NodeJS.ProcessEnv =>
    cleanEnv({ AWS_ACCESS_KEY_ID: minio().accessKey, AWS_SECRET_ACCESS_KEY: minio().secretKey });

  it('--keep-series 1 on minio://, then --keep-last 1 on s3://: what is left restores', async () => {
    const prefix = uniquePrefix('expire');
    const loc = uri('minio', minio().privateBucket, prefix);
    // The Alphas write the backup: they get the credentials in the request.
    const points: Point[] = [];
    for (let i = 0; i < 6; i++) {
      await source.mutate(`_:m <name> "minio backup ${i}" .`);
      const extra = i === 0 ? ['--format', 'v21.03'] : i === 3 ? ['--force_full'] : [];
      const r = await run(
        [
          'backup',
          '--alpha',
          source.addr(),
          '--destination',
          loc,
          '--access_key',
          minio().accessKey,
          '--secret_key_file',
          secretFile(minio().secretKey),
          ...extra,
        ],
        env(),
      );
      expect(r.code, r.stderr).toBe(0);
      const last = (await ls(loc, env())).at(-1)!;
      points.push({
        backupId: last.backupId,
        backupNum: last.backupNum,
        readTs: BigInt(last.readTs),
        path: last.path,
        time: last.time,
        expected: await source.export(`src-minio-${i}`, BigInt(last.readTs)),
      });
    }
    const dry = await expire(loc, ['--keep-series', '1', '--dry-run'], env());
    expect(dry.remove).toHaveLength(3);
    expect(await ls(loc, env())).toHaveLength(6);
    const r = await expire(loc, ['--keep-series', '1'], env());
    expect(r.remove.map((b) => b.path)).toEqual(points.slice(0, 3).map((p) => p.path));
    await checkSecondSeriesLeft(loc, points, env());
    const s3loc = uri('s3', minio().privateBucket, prefix);
    expect((await expire(s3loc, ['--keep-last', '1'], s3env())).remove).toEqual([]);
    await restoresAll(s3loc, points.slice(3), s3env());
  }, 240_000);
});
