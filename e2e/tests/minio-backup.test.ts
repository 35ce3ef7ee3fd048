// Large binary backups to the real MinIO on both schemes (minio:// and s3://), through real
// processes. A 3-group cluster holds >= 200 MB of incompressible postings (random base64 strings
// over four predicates, loaded with `strata load`), so every group file goes through multipart
// uploads. The >= 200 MB backup runs once per scheme with the Alphas' environment credentials
// (MINIO_ACCESS_KEY/MINIO_SECRET_KEY, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), is listed
// (listBackups) and restored (minio:// online, s3:// offline); the credential variants (override
// credentials in the request, anonymous to the public bucket) run on a small 3-group cluster whose
// Alphas carry WRONG environment credentials, with full + incremental, listBackups and restores
// online and offline. Failures: wrong credentials, a missing bucket and a MinIO killed (-9) while
// the >= 200 MB backup streams (a MinIO of our own) give clear errors and leave no manifest; after
// MinIO restarts on the same data and port the next backup succeeds as a full backup.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreOnline as restoreOnlineUntilOk, TestCluster } from './harness.js';
import { repoRoot } from './paths.js';
import { freePort, killAll, secretFile, waitUrl } from './procs.js';
import { adminClient, cleanEnv, minio, strata as run, uniquePrefix, uri, type MinioEnv } from './remote.js';

const MB = 1e6;
const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-minio-backup-'));
const execFileP = promisify(execFile);
const minioSh = path.join(repoRoot, 'e2e/minio/minio.sh');

/** The export's schema and the sha256 and size of its data (hundreds of MB: never diffed as text). */
interface Digest {
  schema: string;
  dataSha: string;
  dataBytes: number;
}
function digest(dir: string): Digest {
  const data = readFileSync(path.join(dir, 'data.rdf'));
  const d = {
    schema: readFileSync(path.join(dir, 'schema.txt'), 'utf8'),
    dataSha: createHash('sha256').update(data).digest('hex'),
    dataBytes: data.length,
  };
  rmSync(dir, { recursive: true, force: true });
  return d;
}

/** `facts` N-Quads of ~2 KB random base64 strings over four predicates; the bytes of values. */
async function writeBlobRdf(file: string, facts: number, prefix: string): Promise<number> {
  const preds = ['blob.a', 'blob.b', 'blob.c', 'blob.d'];
  const subjects = Math.ceil(facts / preds.length);
  const out = createWriteStream(file);
  let chars = 0;
  let buf = '';
  for (let i = 0; i < facts; i++) {
    const v = randomBytes(1536).toString('base64');
    chars += v.length;
    buf += `_:${prefix}${i % subjects} <${preds[Math.floor(i / subjects) % preds.length]}> "${v}" .\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return chars;
}

function s3For(m: Pick<MinioEnv, 'endpoint' | 'accessKey' | 'secretKey'>): S3Client {
  return new S3Client({
    endpoint: m.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: m.accessKey, secretAccessKey: m.secretKey },
    maxAttempts: 1,
  });
}

/** Keys and sizes under `prefix/` of a bucket. */
async function objects(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const r = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const o of r.Contents ?? []) out.set(o.Key!, o.Size!);
    token = r.NextContinuationToken;
  } while (token);
  return out;
}
const backupBytes = (objs: Map<string, number>): number =>
  [...objs].filter(([k]) => k.endsWith('.backup')).reduce((n, [, s]) => n + s, 0);
const manifests = (objs: Map<string, number>): string[] =>
  [...objs.keys()].filter((k) => k.endsWith('manifest.json'));

interface Listed {
  backupId: string;
  backupNum: number;
  readTs: number;
  since: number;
  type: string;
  groups: { groupId: number }[];
}
const LIST = `query ($input: ListBackupsInput!) { listBackups(input: $input) { backupId backupNum groups { groupId predicates } path since readTs type } }`;
async function listBackups(c: TestCluster, input: Record<string, unknown>): Promise<Listed[]> {
  const r = await c.gql<{ listBackups: Listed[] }>(LIST, { input });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.listBackups;
}

async function restoreOffline(name: string, loc: string, flags: string[], env = cleanEnv()): Promise<Digest> {
  const pdir = path.join(tmp, 'offline', name);
  const r = await run(['restore', '-l', loc, '-p', pdir, '--force_zero=false', ...flags], env);
  expect(r.code, r.stderr).toBe(0);
  const out = path.join(pdir, 'dump');
  const e = await run(['export', '-p', pdir, '--out', out]);
  expect(e.code, e.stderr).toBe(0);
  const d = digest(out);
  rmSync(pdir, { recursive: true, force: true });
  return d;
}

/** A 3-group cluster whose Alphas have `alphaEnv` (default: no AWS_* or MINIO_* variables). */
function cluster(name: string, alphaEnv: NodeJS.ProcessEnv = cleanEnv()): TestCluster {
  return new TestCluster(tmp, name, 3, [], 'error', alphaEnv);
}

/** The online restore, then restoreStatus until OK (large: 90 s). */
function restoreOnline(c: TestCluster, input: Record<string, unknown>): Promise<void> {
  return restoreOnlineUntilOk(c, input, 90_000);
}

/** {@link TestCluster.export}, as a digest. */
async function exportDigest(c: TestCluster, name: string, readTs?: number): Promise<Digest> {
  return digest(await c.exportTo(name, readTs));
}

function backup(c: TestCluster, loc: string, extra: string[] = []) {
  return run(['backup', '--alpha', c.addr(1), '--destination', loc, ...extra]);
}

let m: MinioEnv;
let admin: S3Client;
let big: TestCluster;
let small: TestCluster;
let target: TestCluster;
let bigExport: Digest;

beforeAll(async () => {
  m = minio();
  admin = adminClient();
  big = cluster(
    'big',
    cleanEnv({
      MINIO_ACCESS_KEY: m.accessKey,
      MINIO_SECRET_KEY: m.secretKey,
      AWS_ACCESS_KEY_ID: m.accessKey,
      AWS_SECRET_ACCESS_KEY: m.secretKey,
    }),
  );
  // Wrong environment credentials: the override and anonymous runs prove they are not used.
  small = cluster(
    'small',
    cleanEnv({
      MINIO_ACCESS_KEY: 'wrong-access',
      MINIO_SECRET_KEY: 'wrong-secret-key',
      AWS_ACCESS_KEY_ID: 'wrong-access',
      AWS_SECRET_ACCESS_KEY: 'wrong-secret-key',
    }),
  );
  target = cluster('dst');
  await Promise.all([big.start(), small.start(), target.start()]);
}, 60_000);

afterAll(async () => {
  admin?.destroy();
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('backups of >= 200 MB to MinIO on minio:// and s3://', () => {
  it('loads >= 200 MB of incompressible postings into a 3-group cluster', async () => {
    const rdf = path.join(tmp, 'big.rdf');
    const chars = await writeBlobRdf(rdf, 132_000, 'b'); // 270 MB of values: ~205 MB gzipped
    expect(chars).toBeGreaterThan(260 * MB);
    const r = await run(['load', rdf, '--alpha', big.addr(), '--batch', '500']);
    expect(r.code, r.stderr).toBe(0);
    rmSync(rdf);
    const small1 = path.join(tmp, 'small.rdf');
    await writeBlobRdf(small1, 400, 's');
    expect((await run(['load', small1, '--alpha', small.addr()])).code).toBe(0);
    bigExport = await exportDigest(big, 'big-src');
    expect(bigExport.dataBytes).toBeGreaterThan(260 * MB);
  }, 120_000);

  for (const scheme of ['minio', 's3'] as const) {
    it(`${scheme}://: backs up >= 200 MB with the Alphas' environment credentials, lists and restores it`, async () => {
      const prefix = uniquePrefix(`big-${scheme}`);
      const loc = uri(scheme, m.privateBucket, prefix);
      const b = await backup(big, loc);
      expect(b.code, b.stderr).toBe(0);
      const objs = await objects(admin, m.privateBucket, prefix);
      expect(backupBytes(objs)).toBeGreaterThanOrEqual(200 * MB);
      expect([...objs.keys()].filter((k) => k.endsWith('.backup'))).toHaveLength(3);
      expect(manifests(objs)).toHaveLength(1);
      // No credentials in the input: the Alpha's environment.
      const l = await listBackups(big, { location: loc });
      expect(l.map((x) => [x.backupNum, x.type, x.groups.length])).toEqual([[1, 'full', 3]]);
      if (scheme === 'minio') {
        await restoreOnline(target, { location: loc, accessKey: m.accessKey, secretKey: m.secretKey });
        expect(await exportDigest(target, 'big-dst')).toEqual(bigExport);
      } else {
        const env = cleanEnv({ AWS_ACCESS_KEY_ID: m.accessKey, AWS_SECRET_ACCESS_KEY: m.secretKey });
        expect(await restoreOffline('big-s3', loc, [], env)).toEqual(bigExport);
      }
    }, 120_000);

    for (const variant of ['override', 'anonymous'] as const) {
      it(`${scheme}://: ${variant} credentials: full + incremental, listBackups, restores online and offline`, async () => {
        const bucket = variant === 'anonymous' ? m.publicBucket : m.privateBucket;
        const loc = uri(scheme, bucket, uniquePrefix(`${variant}-${scheme}`));
        const flags =
          variant === 'anonymous'
            ? ['--anonymous']
            : ['--access_key', m.accessKey, '--secret_key_file', secretFile(m.secretKey)];
        const input =
          variant === 'anonymous' ? { anonymous: true } : { accessKey: m.accessKey, secretKey: m.secretKey };
        const full = await backup(small, loc, flags);
        expect(full.code, full.stderr).toBe(0);
        await small.mutate(`_:x <blob.a> "incremental ${scheme} ${variant}" .`);
        const inc = await backup(small, loc, flags);
        expect(inc.code, inc.stderr).toBe(0);
        expect(full.stdout + inc.stdout + full.stderr + inc.stderr).not.toContain(m.secretKey);
        const l = await listBackups(small, { location: loc, ...input });
        expect(l.map((x) => [x.backupNum, x.type])).toEqual([
          [1, 'full'],
          [2, 'incremental'],
        ]);
        expect(l[1]!.since).toBe(l[0]!.readTs);
        const expected = await exportDigest(small, `small-${scheme}-${variant}`, l[1]!.readTs);
        await restoreOnline(target, { location: loc, ...input });
        const online = await exportDigest(target, `small-dst-${scheme}-${variant}`);
        expect(online).toEqual(expected);
        expect(await restoreOffline(`small-${scheme}-${variant}`, loc, flags)).toEqual(expected);
      }, 60_000);
    }
  }

  it('wrong credentials and a missing bucket fail clearly and leave no manifest', async () => {
    for (const scheme of ['minio', 's3'] as const) {
      const prefix = uniquePrefix(`wrong-${scheme}`);
      const loc = uri(scheme, m.privateBucket, prefix);
      // The small cluster's environment credentials are wrong; so is this override's secret.
      for (const flags of [
        [],
        ['--access_key', m.accessKey, '--secret_key_file', secretFile('not-the-secret')],
      ]) {
        const r = await backup(small, loc, flags);
        expect(r.code, r.stdout).toBe(1);
        expect(r.stderr).toMatch(/access denied .*(access key is not known|secret key does not match)/);
        expect(r.stderr).not.toContain(m.secretKey);
      }
      expect(manifests(await objects(admin, m.privateBucket, prefix))).toEqual([]);

      const missing = uri(scheme, 'strata-no-such-bucket', 'x');
      const r = await backup(big, missing);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/bucket "strata-no-such-bucket" does not exist/);
    }
  }, 60_000);

  it('MinIO killed -9 during a >= 200 MB backup: clear error, no manifest; after a restart the next backup is full', async () => {
    // A MinIO of our own (minio.sh, own run folder), so the shared one is not disturbed.
    const runDir = path.join(tmp, 'own-minio');
    const env = { ...process.env, STRATA_MINIO_RUN: runDir };
    const { stdout } = await execFileP('bash', [minioSh, 'start'], { env });
    const own = JSON.parse(readFileSync(stdout.trim().split('\n').pop()!, 'utf8')) as MinioEnv;
    const s3 = s3For(own);
    try {
      const prefix = uniquePrefix('killed');
      const loc = `minio://${own.host}:${own.port}/${own.privateBucket}/${prefix}?secure=false`;
      const creds = ['--access_key', own.accessKey, '--secret_key_file', secretFile(own.secretKey)];
      const pending = backup(big, loc, creds);
      // MinIO lists in-progress multipart uploads only by exact key, so watch its data folder's
      // multipart staging area instead: kill it once parts of the group files are being written.
      let settled = false;
      void pending.then(() => (settled = true));
      const staging = path.join(
        readFileSync(path.join(runDir, 'data-dir'), 'utf8').trim(),
        '.minio.sys/multipart',
      );
      const end = Date.now() + 20_000;
      while (!(existsSync(staging) && readdirSync(staging, { recursive: true }).length > 2)) {
        expect(settled, 'the backup ended before any multipart upload was seen').toBe(false);
        expect(Date.now()).toBeLessThan(end);
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(settled).toBe(false);
      const pid = Number(readFileSync(path.join(runDir, 'minio.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      const failed = await pending;
      expect(failed.code, failed.stdout).toBe(1);
      expect(failed.stderr).toMatch(
        /backup failed, no manifest was written: group \d: (group \d \(Alpha at \S+\): )?cannot reach \S*127\.0\.0\.1:\d+ \(.*\) while writing /,
      );

      // Same binary, data folder, port and root credentials.
      const bin = (await execFileP('bash', [minioSh, 'build'], { env })).stdout.trim();
      const data = readFileSync(path.join(runDir, 'data-dir'), 'utf8').trim();
      const console_ = await freePort();
      const restarted = spawn(
        bin,
        [
          'server',
          '--quiet',
          '--address',
          `127.0.0.1:${own.port}`,
          '--console-address',
          `127.0.0.1:${console_}`,
          data,
        ],
        {
          env: {
            ...process.env,
            MINIO_ROOT_USER: own.accessKey,
            MINIO_ROOT_PASSWORD: own.secretKey,
            MINIO_UPDATE: 'off',
            MINIO_BROWSER: 'off',
          },
          stdio: 'ignore',
          detached: true,
        },
      );
      writeFileSync(path.join(runDir, 'minio.pid'), String(restarted.pid)); // minio.sh stop ends it
      await waitUrl(`${own.endpoint}/minio/health/live`);
      expect(manifests(await objects(s3, own.privateBucket, prefix))).toEqual([]);
      const l = await run(['ls', loc, '--json', ...creds]);
      expect(l.code, l.stderr).toBe(0);
      expect(JSON.parse(l.stdout)).toEqual([]);

      const ok = await backup(big, loc, creds);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^Backup completed: full backup /);
      const listed = await listBackups(big, {
        location: loc,
        accessKey: own.accessKey,
        secretKey: own.secretKey,
      });
      expect(listed.map((x) => [x.backupNum, x.type, x.since])).toEqual([[1, 'full', 0]]);
      expect(backupBytes(await objects(s3, own.privateBucket, prefix))).toBeGreaterThanOrEqual(200 * MB);
      // And the series continues with an incremental.
      await big.mutate('_:k <blob.a> "after the MinIO restart" .');
      const inc = await backup(big, loc, creds);
      expect(inc.code, inc.stderr).toBe(0);
      expect(inc.stdout).toMatch(/^Backup completed: incremental backup /);
    } finally {
      s3.destroy();
      await execFileP('bash', [minioSh, 'stop'], { env }).catch(() => undefined);
    }
  }, 150_000);
});
