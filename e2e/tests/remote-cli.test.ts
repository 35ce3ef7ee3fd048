// The built `strata` as real processes on s3:// and minio:// locations of the real MinIO:
// doctor with credentials from flags and from the environment (AWS_* / MINIO_*), and ls, verify,
// restore + export on a fixture location copied into a bucket prefix at test time — output
// identical to the local fixture and to the golden files under expected/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDestination } from '@strata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesRoot } from './paths.js';
import { restoreArgs, secretFile } from './procs.js';
import { cleanEnv, fileBytes, fixtureLocationFiles, minio, strata, uniquePrefix, uri } from './remote.js';

const SET = 'v20.11-series-2groups';
const local = path.join(fixturesRoot, SET);
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-remote-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const envCreds = {
  s3: () => ({ AWS_ACCESS_KEY_ID: minio().accessKey, AWS_SECRET_ACCESS_KEY: minio().secretKey }),
  minio: () => ({ MINIO_ACCESS_KEY: minio().accessKey, MINIO_SECRET_KEY: minio().secretKey }),
};

describe('strata doctor', () => {
  it.each([
    [
      's3',
      { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' },
      'environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
    ],
    ['s3', { AWS_ACCESS_KEY: 'k', AWS_SECRET_KEY: 's' }, 'environment (AWS_ACCESS_KEY, AWS_SECRET_KEY)'],
    [
      'minio',
      { MINIO_ACCESS_KEY: 'k', MINIO_SECRET_KEY: 's' },
      'environment (MINIO_ACCESS_KEY, MINIO_SECRET_KEY)',
    ],
  ] as const)('%s:// with %j picks up the environment and reports it', async (scheme, names, source) => {
    const m = minio();
    const env = Object.fromEntries(
      Object.keys(names).map((k) => [k, /SECRET/.test(k) ? m.secretKey : m.accessKey]),
    );
    const r = await strata(['doctor', uri(scheme, m.privateBucket, uniquePrefix('doctor'))], cleanEnv(env));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`✓ credentials: from ${source}`);
    for (const step of ['list', 'put', 'get', 'delete'])
      expect(r.stdout).toMatch(new RegExp(`^✓ ${step}: `, 'm'));
    expect(r.stdout).toContain('ready for backups and restores');
    expect(r.stdout).not.toContain(m.secretKey);
    expect(r.code).toBe(0);
  });

  it('explicit flags win over the environment; a wrong secret fails without showing it', async () => {
    const m = minio();
    const wrong = 'not-the-right-secret-1234';
    const r = await strata(
      [
        'doctor',
        uri('minio', m.privateBucket, 'x'),
        '--access_key',
        m.accessKey,
        '--secret_key_file',
        secretFile(wrong),
      ],
      cleanEnv(envCreds.minio()),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ credentials: from explicit credentials');
    expect(r.stdout).toMatch(/^✗ list: access denied .*credential source: explicit credentials/m);
    expect(r.stdout).toMatch(/^✗ put: access denied/m);
    expect(r.stdout).toMatch(/^- get: skipped/m);
    expect(r.stdout).toContain('FAILED');
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(m.secretKey);
  });

  it('no credentials for minio:// says what to set', async () => {
    const r = await strata(['doctor', uri('minio', minio().privateBucket, 'x')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ credentials: no credentials found');
    expect(r.stdout).toContain('MINIO_ACCESS_KEY / MINIO_SECRET_KEY');
  });

  it('anonymous on the public bucket passes; the TLS hint shows on https to plain http', async () => {
    const m = minio();
    const ok = await strata(['doctor', uri('s3', m.publicBucket, uniquePrefix('anon')), '--anonymous']);
    expect(ok.stdout).toContain('✓ credentials: from anonymous');
    expect(ok.code).toBe(0);
    const tls = await strata(['doctor', uri('s3', m.privateBucket, 'x', true)], cleanEnv(envCreds.s3()));
    expect(tls.code).toBe(1);
    expect(tls.stdout).toContain('the endpoint speaks plain http: add ?secure=false');
  });

  it('a local folder passes', async () => {
    mkdirSync(path.join(tmp, 'local-doctor'));
    const r = await strata(['doctor', path.join(tmp, 'local-doctor')]);
    expect(r.stdout).toContain('✓ credentials: not needed (local folder)');
    expect(r.code).toBe(0);
  });
});

describe.each(['minio', 's3'] as const)('strata ls / verify / restore on a %s:// copy of %s', (scheme) => {
  let location = '';
  let env: NodeJS.ProcessEnv = {};
  const prefix = uniquePrefix(`fixture-${scheme}`);

  beforeAll(async () => {
    const m = minio();
    location = uri(scheme, m.privateBucket, `${prefix}/${SET}`);
    env = cleanEnv(envCreds[scheme]());
    const dest = openDestination(location, { accessKey: m.accessKey, secretKey: m.secretKey });
    for (const rel of fixtureLocationFiles(local)) await dest.write(rel, fileBytes(local, rel));
  });

  it('ls prints what it prints for the local fixture', async () => {
    const want = await strata(['ls', local]);
    const got = await strata(['ls', location], env);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(want.stdout);
    const wantJson = await strata(['ls', local, '--json']);
    const gotJson = await strata(['ls', location, '--json'], env);
    expect(gotJson.stdout).toBe(wantJson.stdout);
  });

  it('verify reports the same (but for the location)', async () => {
    const want = await strata(['verify', local]);
    const got = await strata(['verify', location], env);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(want.stdout.split(local).join(location));
    // --json: one event per line; the report is in the last one (the summary), beside its seconds.
    const events = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map(
          (l) => JSON.parse(l) as { event: string; location: string; seconds: number; bytesTotal?: number },
        );
    const wantEvents = events((await strata(['verify', local, '--json'])).stdout);
    const gotEvents = events((await strata(['verify', location, '--json'], env)).stdout);
    const wantJson = wantEvents.pop()!;
    const gotJson = gotEvents.pop()!;
    expect(gotJson.location).toBe(location);
    expect({ ...gotJson, location: '', seconds: 0 }).toEqual({ ...wantJson, location: '', seconds: 0 });
    // The total of the verify phase: the objects' sizes, as the local files'.
    expect(gotEvents[0]).toMatchObject({ event: 'start', bytesTotal: wantEvents[0]!.bytesTotal });
    expect(wantEvents[0]!.bytesTotal).toBeGreaterThan(0);
  });

  it('verify without credentials fails with the fix, not a stack', async () => {
    const r = await strata(['verify', location]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^strata: error: no credentials found/);
  });

  const expectedDir = path.join(local, 'expected');
  const points = readdirSync(expectedDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(path.join(expectedDir, d.name))
        .sort((a, b) => Number(a) - Number(b))
        .map((n) => ({ backupId: d.name, backupNum: Number(n), dir: path.join(expectedDir, d.name, n) })),
    );

  it.each(points)('restore + export $backupId/$backupNum matches the golden files', async (p) => {
    const work = path.join(tmp, `${scheme}-${p.backupId}-${p.backupNum}`);
    const pdir = path.join(work, 'p');
    const out = path.join(work, 'out');
    const r = await strata(restoreArgs(location, pdir, p), env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`restored series ${p.backupId}`);
    const e = await strata(['export', '-p', pdir, '--out', out]);
    expect(e.code).toBe(0);
    expect(readFileSync(path.join(out, 'data.rdf'), 'utf8')).toBe(
      readFileSync(path.join(p.dir, 'data.rdf'), 'utf8'),
    );
    expect(readFileSync(path.join(out, 'schema.txt'), 'utf8')).toBe(
      readFileSync(path.join(p.dir, 'schema.txt'), 'utf8'),
    );
  });

  it('restore with a missing data file fails before writing and names the object', async () => {
    const m = minio();
    const broken = uri(scheme, m.privateBucket, `${prefix}/broken`);
    const dest = openDestination(broken, { accessKey: m.accessKey, secretKey: m.secretKey });
    const files = fixtureLocationFiles(local);
    const victim = files.find((f) => f.endsWith('-g2.backup'))!;
    for (const rel of files) if (rel !== victim) await dest.write(rel, fileBytes(local, rel));
    const pdir = path.join(tmp, `${scheme}-broken`);
    const r = await strata(['restore', '-l', broken, '-p', pdir, '--force_zero=false'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing backup file');
    expect(r.stderr).toContain(victim);
    expect(() => readdirSync(pdir)).toThrow();
  });
});
