/**
 * `strata start --demo` and `strata demo-data` as real processes: the generated demo data set
 * loads into an empty store and answers DQL with the figures the generator wrote; the files
 * `demo-data` writes load with `strata load` to the same answers.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CITIES, demoEmail, demoLines } from '@strata/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '../dist/main.js');
/** A full load takes about a minute on a 2-core machine; leave room for slow CI. */
const LOAD_MS = 400_000;

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-cli-demo-'));
const children = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all([...children].map(stop));
  rmSync(tmp, { recursive: true, force: true });
});

function strata(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A --port_offset whose Zero (6080+o) and Alpha (8080+o) ports are free now. */
async function freeOffset(): Promise<number> {
  for (;;) {
    const o = 1000 + Math.floor(Math.random() * 40_000);
    if ((await bindable(6080 + o)) && (await bindable(8080 + o))) return o;
  }
}

interface Server {
  child: ChildProcess;
  alpha: string;
  out: { text: string };
}

/** `strata start ARGS`, resolved once stdout matches `until` (rejects if the process exits first). */
async function startServer(data: string, extra: string[], until: RegExp, ms: number): Promise<Server> {
  const offset = await freeOffset();
  const child = spawn(
    process.execPath,
    [MAIN, 'start', '--data', data, '--port_offset', String(offset), ...extra],
    {
      env: { ...process.env, STRATA_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const out = { text: '' };
  child.stdout!.on('data', (b: Buffer) => (out.text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.text += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${until}:\n${out.text}`)), ms);
    const check = () => {
      if (!until.test(out.text)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`strata start exited with ${code}:\n${out.text}`));
    });
  });
  return { child, alpha: `http://127.0.0.1:${8080 + offset}`, out };
}

async function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function dql(alpha: string, query: string): Promise<Record<string, unknown[]>> {
  const res = await fetch(`${alpha}/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/dql' },
    body: query,
  });
  const json = (await res.json()) as { data?: Record<string, unknown[]>; errors?: unknown };
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json.data!;
}

/** The figures the queries below must answer, counted from the generated N-Quads. */
function expected() {
  let parisResidents = 0;
  let graphsPosts = 0;
  let follows0 = 0;
  let authored0 = 0;
  let name0 = '';
  let city0 = '';
  const NAME0 = '_:person.0 <name> ';
  const LIVES0 = '_:person.0 <lives_in> _:city.';
  for (const line of demoLines()) {
    if (line.startsWith(NAME0)) name0 = JSON.parse(line.slice(NAME0.length, -2)) as string;
    else if (line.startsWith(LIVES0)) city0 = line.slice(LIVES0.length, -2);
    if (line.endsWith(' <lives_in> _:city.paris .')) parisResidents++;
    else if (line.endsWith(' <tags> "graphs" .')) graphsPosts++;
    else if (line.startsWith('_:person.0 <follows> ')) follows0++;
    else if (line.endsWith(' <author> _:person.0 .')) authored0++;
  }
  const [first, last] = name0.split(' ');
  const cityName0 = CITIES.find((c) => c.key === city0)!.name;
  return {
    parisResidents,
    graphsPosts,
    follows0,
    authored0,
    name0,
    cityName0,
    email0: demoEmail(first!, last!, 0),
  };
}

const QUERY = (email: string) => `{
  city(func: eq(name, "Paris")) { name name@fr name@ja population count(~lives_in) location }
  person(func: eq(email, "${email}")) { name email count(follows) count(~author) lives_in { name } }
  posts(func: eq(tags, "graphs")) { uid }
  account(func: eq(handle, "admin-01")) { handle note }
}`;

/** The answers without uids (a fresh load may number nodes differently). */
async function answers(alpha: string, email: string) {
  const d = await dql(alpha, QUERY(email));
  return { city: d.city, person: d.person, posts: d.posts!.length, account: d.account };
}

describe('strata start --demo', () => {
  const want = expected();
  const data = path.join(tmp, 'demo-store');
  let demoAnswers: Awaited<ReturnType<typeof answers>> | undefined;

  it('--help says what it loads', async () => {
    const r = await strata('start', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--demo/);
    expect(r.stdout).toMatch(/300,000 N-Quads/);
    expect(r.stdout).toMatch(/strata demo-data --out DIR/);
    expect(r.stdout).not.toMatch(/shared/);
  });

  it(
    'loads the generated set into an empty store; DQL answers with its figures',
    async () => {
      const t0 = Date.now();
      const s = await startServer(data, ['--demo'], /--demo: loaded \d+ N-Quads/, LOAD_MS);
      const took = (Date.now() - t0) / 1000;
      const m = /--demo: loaded (\d+) N-Quads in ([\d.]+) s/.exec(s.out.text)!;
      process.stdout.write(
        `strata start --demo: ${m[1]} N-Quads loaded in ${m[2]} s (${took.toFixed(1)} s from spawn)\n`,
      );
      expect(s.out.text).toMatch(/--demo: loading the demo data set \(7,500 people/);
      expect(s.out.text).toMatch(/N-Quads\/s/); // progress lines
      expect(Number(m[1])).toBeGreaterThan(280_000);

      demoAnswers = await answers(s.alpha, want.email0);
      expect(demoAnswers.city).toEqual([
        {
          name: 'Paris',
          'name@fr': 'Paris',
          'name@ja': 'パリ',
          population: want.parisResidents,
          'count(~lives_in)': want.parisResidents,
          location: { type: 'Point', coordinates: [2.35, 48.86] },
        },
      ]);
      expect(want.parisResidents).toBeGreaterThan(100);
      expect(demoAnswers.person).toEqual([
        {
          name: want.name0,
          email: want.email0,
          'count(follows)': want.follows0,
          'count(~author)': want.authored0,
          lives_in: { name: want.cityName0 },
        },
      ]);
      expect(demoAnswers.posts).toBe(want.graphsPosts);
      expect(demoAnswers.account).toEqual([
        { handle: 'admin-01', note: expect.stringMatching(/^rotates keys/) },
      ]);
      await stop(s.child);

      // Started again on the same data: nothing is loaded twice.
      const again = await startServer(data, ['--demo'], /already holds data/, 60_000);
      expect(await answers(again.alpha, want.email0)).toEqual(demoAnswers);
      await stop(again.child);
    },
    LOAD_MS + 120_000,
  );

  it(
    'strata demo-data writes files that strata load loads to the same answers',
    async () => {
      const h = await strata('demo-data', '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/demo\.rdf\.gz/);
      expect(h.stdout).toMatch(/strata load/);

      const dir = path.join(tmp, 'files');
      const w = await strata('demo-data', '--out', dir);
      expect(w.code, w.stderr).toBe(0);
      expect(w.stdout).toMatch(/demo\.schema/);
      expect(w.stdout).toMatch(/demo\.rdf\.gz \(\d{3},\d{3} N-Quads/);

      const s = await startServer(path.join(tmp, 'load-store'), [], /Stop with Ctrl-C/, 60_000);
      const l = await strata(
        'load',
        path.join(dir, 'demo.rdf.gz'),
        '--schema',
        path.join(dir, 'demo.schema'),
        '--alpha',
        s.alpha.replace('http://', ''),
        '--batch',
        '5000',
      );
      expect(l.code, l.stderr).toBe(0);
      expect(l.stdout).toMatch(/^loaded 2\d\d,\d{3} N-Quads/);
      const got = await answers(s.alpha, want.email0);
      expect(got.posts).toBe(want.graphsPosts);
      if (demoAnswers) expect(got).toEqual(demoAnswers);
      await stop(s.child);
    },
    LOAD_MS + 120_000,
  );
});
