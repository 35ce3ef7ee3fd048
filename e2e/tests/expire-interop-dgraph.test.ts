// Retention interop with the real Dgraph: what `strata expire` leaves, Dgraph restores.
//
// A two-group Strata cluster of real processes writes three series, seven backups, with drops
// between them, into a local folder and into the real MinIO, in the layout each Dgraph release
// reads (v25 for Dgraph v25.4.0, v24 for Dgraph v24.0.5):
//   A1 full       the data set (with its big list)
//   A2 incr       deletes, new people
//   A3 incr       DROP_ATTR code, a type change
//   B1 full       new people
//   B2 incr       DROP_DATA, new people
//   C1 full       DROP_ATTR bio, new people
//   C2 incr       DROP_ALL, the schema again, new people
// with Strata's export at each backup's readTs. Then `strata expire` (the CLI, as a process) runs
// on copies of the local series by each rule (--keep-last 3, --keep-within cutting inside series C,
// --keep-series 1), and on MinIO by the three rules in turn (--keep-series 2 on minio://,
// --keep-within on s3://, --keep-last 1). After each, `strata ls` lists exactly what the rule keeps
// (no warning), `strata verify --deep` of every remaining series is clean, the removed folders are
// gone, Dgraph refuses to restore a removed series, and every remaining point, restored online by
// Dgraph's `restore` mutation (and the last point of each remaining series offline by `dgraph
// restore`), has exactly the source's schema and data (Dgraph's export) at that point.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA, TYPE_CHANGE, PREDICATES, people } from '../interop/dataset.js';
import {
  dgraphExportLines,
  dgraphSchema,
  strataExportLines,
  strataSchema,
  type SchemaView,
} from '../interop/compare.js';
import { DgraphCluster, dgraphRestore, type DgraphVersion } from './dgraph-peer.js';
import { TestCluster } from './harness.js';
import { killAll, run, secretFile } from './procs.js';
import { adminClient, cleanEnv, minio, uniquePrefix, uri } from './remote.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-expire-interop-'));
const GROUPS = 2;
const TYPES = ['Person', 'Team'];
/** Every point has people, each with an email: Dgraph's online restore is done when one is found. */
const PROBE = '{ q(func: has(email), first: 1) { uid } }';
/** Series C's two backups start at least this far apart (the --keep-within cutoff goes between). */
const C_GAP_MS = 10_000;

afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

type Series = 'A' | 'B' | 'C';
/** The layouts written, each with the Dgraph release that restores them. */
const CASES: { layout: 'v25' | 'v24'; version: DgraphVersion }[] = [
  { layout: 'v25', version: 'v25.4.0' },
  { layout: 'v24', version: 'v24.0.5' },
];

interface Listing {
  backupId: string;
  backupNum: number;
  readTs: number | string;
  path: string;
  time: string;
}

/** One backup of the source at one location, and the source's schema and data at its readTs. */
interface Point {
  name: string;
  series: Series;
  backupId: string;
  backupNum: number;
  path: string;
  time: string;
  schema: SchemaView;
  data: string[];
}

/** The N-Quads of {@link people} without the big `tags` list (only the first series has it). */
const smallPeople = (n: number, tag: string): string =>
  people(n, tag)
    .split('\n')
    .filter((l) => !l.includes('<tags>'))
    .join('\n');

/** The credentials of the MinIO location for `strata` (environment) and for Dgraph (request). */
const minioEnv = (): NodeJS.ProcessEnv =>
  cleanEnv({ MINIO_ACCESS_KEY: minio().accessKey, MINIO_SECRET_KEY: minio().secretKey });
const s3Env = (): NodeJS.ProcessEnv =>
  cleanEnv({ AWS_ACCESS_KEY_ID: minio().accessKey, AWS_SECRET_ACCESS_KEY: minio().secretKey });

async function ls(location: string, env?: NodeJS.ProcessEnv): Promise<Listing[]> {
  const r = await run(['ls', location, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr, `strata ls ${location}`).not.toMatch(/warning/i);
  return JSON.parse(r.stdout) as Listing[];
}

async function expire(
  location: string,
  rule: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ remove: { path: string }[]; keep: { path: string }[] }> {
  const r = await run(['expire', location, ...rule, '--json'], env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr, `strata expire ${rule.join(' ')}`).not.toMatch(/warning/i);
  return JSON.parse(r.stdout) as { remove: { path: string }[]; keep: { path: string }[] };
}

/** `--keep-within` seconds whose cutoff falls between series C's full and its incremental. */
function withinSeriesC(points: readonly Point[]): string {
  const c2 = Date.parse(points.find((p) => p.name === 'C2')!.time);
  // The cutoff is 6-7 s before C2 started, as seen now; by the time expire plans, now has moved
  // on (up to 6 s keeps C2 in), and C1 started at least C_GAP_MS (10 s) before C2.
  return `${Math.ceil((Date.now() - c2) / 1000) + 6}s`;
}

/**
 * What a location holds after an expire: `strata ls` lists exactly `left` (no warning), `strata
 * verify --deep` of each remaining series is clean.
 */
async function expectClean(location: string, left: readonly Point[], env?: NodeJS.ProcessEnv): Promise<void> {
  expect((await ls(location, env)).map((b) => b.path)).toEqual(left.map((p) => p.path));
  for (const id of new Set(left.map((p) => p.backupId))) {
    const v = await run(['verify', location, '--backup_id', id, '--deep'], env);
    expect(v.code, `verify ${id}: ${v.stdout}${v.stderr}`).toBe(0);
  }
}

describe.each(CASES.map((c) => [c.layout, c.version] as const))(
  'Strata %s series expired, restored by Dgraph %s',
  (layout, version) => {
    const dir = path.join(tmp, layout);
    const base = path.join(dir, 'base');
    let minioPrefix = '';
    const minioLoc = (scheme: 'minio' | 's3' = 'minio') => uri(scheme, minio().privateBucket, minioPrefix);
    const local: Point[] = [];
    const remote: Point[] = [];
    let dgraph: DgraphCluster | undefined;
    let exports = 0;

    afterAll(async () => dgraph?.stop());

    /** The one Dgraph cluster of this release that restores online (started on first use). */
    async function peer(): Promise<DgraphCluster> {
      dgraph ??= await DgraphCluster.start({ version, dir: path.join(dir, 'dgraph'), alphas: GROUPS });
      return dgraph;
    }

    /** Dgraph's schema and data now equal the source's at `p`. */
    async function expectPoint(d: DgraphCluster, p: Point, what: string): Promise<void> {
      const exp = await d.export(path.join(dir, `dgraph-export-${++exports}`));
      expect(dgraphSchema(await d.query('schema {}'), PREDICATES, TYPES), `${what}: schema`).toEqual(
        p.schema,
      );
      expect(dgraphExportLines(exp.data, PREDICATES), `${what}: data`).toEqual(p.data);
    }

    /** Dgraph restores each of `points` online from `location`, each equal to the source at it. */
    async function restoreEach(
      location: string,
      points: readonly Point[],
      minioCreds = false,
    ): Promise<void> {
      const d = await peer();
      const creds = minioCreds ? { accessKey: minio().accessKey, secretKey: minio().secretKey } : {};
      for (const p of points) {
        await d.restoreOnline(location, PROBE, p.backupNum, { backupId: p.backupId, ...creds });
        await expectPoint(d, p, `${location} ${p.name} (online)`);
      }
    }

    /** Dgraph refuses the removed series: the location no longer has it. */
    async function expectRefused(location: string, backupId: string, minioCreds = false): Promise<void> {
      const d = await peer();
      const creds = minioCreds ? { accessKey: minio().accessKey, secretKey: minio().secretKey } : {};
      await expect(d.restoreOnline(location, PROBE, 0, { backupId, ...creds })).rejects.toThrow(
        `No backups with the specified backup ID ${backupId}`,
      );
    }

    /** `dgraph restore` of series `p`'s backups into p folders; a Dgraph cluster on them equals the source at `p`. */
    async function restoreOffline(location: string, p: Point, env?: NodeJS.ProcessEnv): Promise<void> {
      const out = path.join(dir, `offline-${++exports}`);
      await dgraphRestore(version, location, out, undefined, {
        backupId: p.backupId,
        ...(env ? { env } : {}),
      });
      const d = await DgraphCluster.start({
        version,
        dir: path.join(dir, `offline-run-${exports}`),
        postings: Array.from({ length: GROUPS }, (_, i) => path.join(out, `p${i + 1}`)),
      });
      try {
        await d.lease(10_000_000, 1_000_000);
        await expectPoint(d, p, `${location} ${p.name} (offline)`);
      } finally {
        await d.stop();
      }
      rmSync(out, { recursive: true, force: true });
    }

    it(
      `Strata writes three series (seven backups, with drops) in the ${layout} layout, locally and on MinIO`,
      { timeout: 300_000 },
      async () => {
        minioPrefix = uniquePrefix(`expire-interop-${layout}`);
        const src = new TestCluster(dir, 'src', GROUPS);
        await src.start();
        try {
          /** Backs the source up into both locations; records each point with the source's export. */
          const backup = async (name: string, series: Series, kind: 'first' | 'full' | 'incremental') => {
            const extra = kind === 'first' ? ['--format', layout] : kind === 'full' ? ['--force_full'] : [];
            const targets = [
              { loc: base, env: undefined, args: [], into: local },
              {
                loc: minioLoc(),
                env: minioEnv(),
                args: ['--access_key', minio().accessKey, '--secret_key_file', secretFile(minio().secretKey)],
                into: remote,
              },
            ];
            for (const t of targets) {
              const r = await run(
                ['backup', '--alpha', src.addr(), '--destination', t.loc, ...t.args, ...extra],
                t.env,
              );
              expect(r.code, r.stderr).toBe(0);
              const last = (await ls(t.loc, t.env)).at(-1)!;
              const dump = await src.export(
                `${layout}-${name}-${t.into === local ? 'local' : 'minio'}`,
                BigInt(last.readTs),
              );
              t.into.push({
                name,
                series,
                backupId: last.backupId,
                backupNum: last.backupNum,
                path: last.path,
                time: last.time,
                schema: strataSchema(dump.schema, PREDICATES, TYPES),
                data: strataExportLines(dump.data, PREDICATES),
              });
            }
          };

          await src.alter(SCHEMA);
          const { uids } = await src.mutate(people(30, 'a'));
          await backup('A1', 'A', 'first');
          await src.del(
            `<${uids.a5}> <age> * .\n<${uids.a6}> <name> * .\n<${uids.a3}> <friend> <${uids.a4}> .`,
          );
          await src.mutate(smallPeople(8, 'b'));
          await backup('A2', 'A', 'incremental');
          await src.alter(JSON.stringify({ drop_attr: 'code' }));
          await src.alter(TYPE_CHANGE);
          await backup('A3', 'A', 'incremental');

          await src.mutate(smallPeople(5, 'c'));
          await backup('B1', 'B', 'full');
          await src.alter(JSON.stringify({ drop_op: 'DATA' }));
          await src.mutate(smallPeople(10, 'd'));
          await backup('B2', 'B', 'incremental');

          await src.alter(JSON.stringify({ drop_attr: 'bio' }));
          await src.mutate(smallPeople(4, 'e'));
          await backup('C1', 'C', 'full');
          const c1 = Math.max(...[local, remote].map((ps) => Date.parse(ps.at(-1)!.time)));
          await src.alter(JSON.stringify({ drop_all: true }));
          await src.alter(SCHEMA);
          await src.mutate(smallPeople(12, 'f'));
          await sleep(Math.max(0, c1 + C_GAP_MS + 200 - Date.now()));
          await backup('C2', 'C', 'incremental');
        } finally {
          await src.stop();
        }

        for (const ps of [local, remote]) {
          expect(ps.map((p) => `${p.name}#${p.backupNum}`)).toEqual([
            'A1#1',
            'A2#2',
            'A3#3',
            'B1#1',
            'B2#2',
            'C1#1',
            'C2#2',
          ]);
          expect(new Set(ps.map((p) => p.backupId)).size).toBe(3);
          // Every point differs from the one before it, and the drops show.
          for (let i = 1; i < ps.length; i++) expect(ps[i]!.data, ps[i]!.name).not.toEqual(ps[i - 1]!.data);
          const at = (name: string) => ps.find((p) => p.name === name)!;
          expect(at('A1').data.filter((l) => l.includes('<tags>')).length).toBeGreaterThan(1000);
          expect(at('A2').data.some((l) => l.includes('<code>'))).toBe(true);
          expect(at('A3').data.some((l) => l.includes('<code>'))).toBe(false);
          expect(at('A3').schema.types.Team).toContain('nick');
          expect(at('B2').data.some((l) => l.includes('"Person a'))).toBe(false);
          expect(at('B2').data.some((l) => l.includes('"Person d'))).toBe(true);
          const bios = (name: string) => at(name).data.filter((l) => l.includes('<bio>')).length;
          expect(bios('B1')).toBeGreaterThan(2);
          // DROP_ATTR bio: only the new person e0's bio is left
          expect(bios('C1')).toBe(1);
          expect(at('C2').data.some((l) => /"Person [de]\d/.test(l))).toBe(false);
          expect(at('C2').schema.types.Team).not.toContain('nick');
          expect(Date.parse(at('C2').time) - Date.parse(at('C1').time)).toBeGreaterThanOrEqual(C_GAP_MS);
        }
        // Both locations saw the same source at each point.
        expect(remote.map((p) => p.data)).toEqual(local.map((p) => p.data));
      },
    );

    /** A copy of the local series, for one rule. */
    const copy = (name: string): string => {
      const to = path.join(dir, name);
      cpSync(base, to, { recursive: true });
      return to;
    };
    const named = (ps: readonly Point[], ...names: string[]) => ps.filter((p) => names.includes(p.name));

    it(
      'local --keep-last 3 removes series A (B1 stays for B2): Dgraph restores every point of B and C, online and offline',
      { timeout: 600_000 },
      async () => {
        expect(local).toHaveLength(7);
        const loc = copy('keep-last');
        const r = await expire(loc, ['--keep-last', '3']);
        expect(r.remove.map((b) => b.path)).toEqual(named(local, 'A1', 'A2', 'A3').map((p) => p.path));
        const left = named(local, 'B1', 'B2', 'C1', 'C2');
        for (const p of named(local, 'A1', 'A2', 'A3'))
          expect(existsSync(path.join(loc, p.path))).toBe(false);
        await expectClean(loc, left);
        await restoreEach(loc, left);
        await expectRefused(loc, local[0]!.backupId);
        for (const last of named(local, 'B2', 'C2')) await restoreOffline(loc, last);
      },
    );

    it(
      'local --keep-within cutting inside series C keeps C1 for C2: Dgraph restores both',
      { timeout: 300_000 },
      async () => {
        expect(local).toHaveLength(7);
        const loc = copy('keep-within');
        const r = await expire(loc, ['--keep-within', withinSeriesC(local)]);
        expect(r.remove.map((b) => b.path)).toEqual(local.slice(0, 5).map((p) => p.path));
        const left = named(local, 'C1', 'C2');
        await expectClean(loc, left);
        await restoreEach(loc, left);
      },
    );

    it(
      'local --keep-series 1 removes series A and B: Dgraph refuses them and restores every point of C',
      { timeout: 300_000 },
      async () => {
        expect(local).toHaveLength(7);
        const loc = copy('keep-series');
        const r = await expire(loc, ['--keep-series', '1']);
        expect(r.remove.map((b) => b.path)).toEqual(local.slice(0, 5).map((p) => p.path));
        const left = named(local, 'C1', 'C2');
        await expectClean(loc, left);
        await expectRefused(loc, named(local, 'A1')[0]!.backupId);
        await expectRefused(loc, named(local, 'B1')[0]!.backupId);
        await restoreEach(loc, left);
      },
    );

    it(
      'MinIO: --keep-series 2 (minio://), --keep-within inside C (s3://), --keep-last 1: Dgraph restores what each leaves, online and offline',
      { timeout: 600_000 },
      async () => {
        expect(remote).toHaveLength(7);
        const keys = async (): Promise<string[]> => {
          const s3 = adminClient();
          try {
            const out: string[] = [];
            let token: string | undefined;
            do {
              const page = await s3.send(
                new ListObjectsV2Command({
                  Bucket: minio().privateBucket,
                  Prefix: `${minioPrefix}/`,
                  ContinuationToken: token,
                }),
              );
              for (const o of page.Contents ?? []) out.push(o.Key!.slice(minioPrefix.length + 1));
              token = page.NextContinuationToken;
            } while (token);
            return out;
          } finally {
            s3.destroy();
          }
        };
        const holds = (ks: string[], p: Point) => ks.some((k) => k.startsWith(`${p.path}/`));
        const ks0 = await keys();
        expect(ks0).toContain('manifest.json');
        expect(remote.map((p) => holds(ks0, p))).toEqual(remote.map(() => true));
        let r = await expire(minioLoc(), ['--keep-series', '2'], minioEnv());
        expect(r.remove.map((b) => b.path)).toEqual(named(remote, 'A1', 'A2', 'A3').map((p) => p.path));
        let ks = await keys();
        expect(remote.map((p) => holds(ks, p))).toEqual([false, false, false, true, true, true, true]);
        await expectClean(minioLoc(), named(remote, 'B1', 'B2', 'C1', 'C2'), minioEnv());
        await expectRefused(minioLoc(), remote[0]!.backupId, true);
        await restoreEach(minioLoc(), named(remote, 'B1', 'B2'), true);

        r = await expire(minioLoc('s3'), ['--keep-within', withinSeriesC(remote)], s3Env());
        expect(r.remove.map((b) => b.path)).toEqual(named(remote, 'B1', 'B2').map((p) => p.path));
        r = await expire(minioLoc(), ['--keep-last', '1'], minioEnv());
        expect(r.remove).toEqual([]);
        expect(r.keep.map((b) => b.path)).toEqual(named(remote, 'C1', 'C2').map((p) => p.path));
        ks = await keys();
        expect(remote.map((p) => holds(ks, p))).toEqual([false, false, false, false, false, true, true]);
        await expectClean(minioLoc('s3'), named(remote, 'C1', 'C2'), s3Env());
        await expectRefused(minioLoc(), named(remote, 'B1')[0]!.backupId, true);
        await restoreEach(minioLoc(), named(remote, 'C1', 'C2'), true);
        await restoreOffline(minioLoc(), named(remote, 'C2')[0]!, minioEnv());
      },
    );
  },
);
