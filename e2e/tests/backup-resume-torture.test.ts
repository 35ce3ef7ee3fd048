// Resume torture (../torture/backup-resume-torture.ts): kill -9 of the coordinating Alpha or the
// other group's Alpha at random points of a backup, restart, backup again (resumed or anew); the
// result equals an uninterrupted backup in decoded KVs, no journal nor unlisted folder is left.
// RESUME_TORTURE_ROUNDS (default 20) rounds on local folders, then one round on the real MinIO;
// RESUME_TORTURE_LOG=1 prints each round. Also: the MinIO and S3 destinations abort the
// incomplete multipart uploads under a prefix (and only those), and a resumed backup aborts the
// one left in its folder; the real Dgraph (v24.0.5, v25.4.0 `dgraph restore`) reads a location
// holding an interrupted backup (it ignores the unlisted folder and its journal) and, once it is
// resumed, restores it with the rest of its series.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups, MinioDestination, S3Destination } from '@strata/core';
import {
  backupCall,
  resumeTable,
  ResumeTorture,
  unlistedFolders,
  type ResumeRound,
} from '../torture/backup-resume-torture.js';
import { dgraphRestore } from './dgraph-peer.js';
import { killAll } from './procs.js';
import { adminClient, minio, multipartUploads, uniquePrefix, uri } from './remote.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-e2e-resume-'));
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

const ROUNDS = Number(process.env.RESUME_TORTURE_ROUNDS ?? '20');
const log = process.env.RESUME_TORTURE_LOG ? (l: string) => console.log(l) : undefined;

/** Starts a multipart upload of `key` with one 5 MiB part and leaves it open (a killed writer). */
async function openUpload(bucket: string, key: string): Promise<string> {
  const s3 = adminClient();
  try {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(5 * 1024 * 1024, 1),
      }),
    );
    return UploadId!;
  } finally {
    s3.destroy();
  }
}

/** Copies the objects of `prefix` into a local folder (for the KV check of a MinIO backup). */
async function download(bucket: string, prefix: string, to: string): Promise<string> {
  const s3 = adminClient();
  try {
    mkdirSync(to, { recursive: true });
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
    for (const o of r.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      writeFileSync(path.join(to, path.basename(o.Key!)), await body.Body!.transformToByteArray());
    }
    return to;
  } finally {
    s3.destroy();
  }
}

describe('incomplete multipart uploads on the real MinIO', () => {
  it.each(['minio', 's3'] as const)('%s:// aborts those under the prefix, and only those', async (scheme) => {
    const m = minio();
    const prefix = uniquePrefix(`abort-${scheme}`);
    await openUpload(m.privateBucket, `${prefix}/dgraph.x/r1-g1.backup`);
    await openUpload(m.privateBucket, `${prefix}/dgraph.x/r1-g1.backup`);
    await openUpload(m.privateBucket, `${prefix}/dgraph.x/r1-g2.backup`);
    const outside = await openUpload(m.privateBucket, `${prefix}/dgraph.y/r1-g1.backup`);
    const creds = { accessKey: m.accessKey, secretKey: m.secretKey };
    const dest =
      scheme === 'minio'
        ? new MinioDestination(uri('minio', m.privateBucket, prefix), creds)
        : new S3Destination(uri('s3', m.privateBucket, prefix), creds);
    try {
      // The exact keys too (MinIO lists incomplete uploads of an exact key only); one outside the prefix is ignored.
      const paths = ['dgraph.x/r1-g1.backup', 'dgraph.x/r1-g2.backup', 'dgraph.y/r1-g1.backup'];
      expect(await dest.abortIncompleteUploads('dgraph.x/', paths)).toBe(3);
      for (const p of paths.slice(0, 2))
        expect(await multipartUploads(m.privateBucket, `${prefix}/${p}`)).toEqual([]);
      expect(await multipartUploads(m.privateBucket, `${prefix}/dgraph.y/r1-g1.backup`)).toEqual([
        `${prefix}/dgraph.y/r1-g1.backup#${outside}`,
      ]);
      expect(await dest.abortIncompleteUploads('dgraph.x/', paths)).toBe(0);
    } finally {
      (dest as { close?: () => unknown }).close?.();
      const s3 = adminClient();
      await s3
        .send(
          new AbortMultipartUploadCommand({
            Bucket: m.privateBucket,
            Key: `${prefix}/dgraph.y/r1-g1.backup`,
            UploadId: outside,
          }),
        )
        .finally(() => s3.destroy());
    }
  });
});

describe('resume torture', () => {
  const t = new ResumeTorture({
    tmp,
    rounds: ROUNDS,
    leaseMs: 2000,
    groupDelayMs: 500,
    triples: 20_000,
    ...(log ? { log } : {}),
  });
  const rows: ResumeRound[] = [];
  beforeAll(async () => {
    await t.start();
  }, 180_000);
  afterAll(async () => {
    console.log(`uninterrupted backup: ${t.backupMs} ms, per group ${JSON.stringify(t.reference)}`);
    console.log(resumeTable(rows));
    await t.c.stop();
  });

  it(
    `kill -9 during a backup, then the backup again: ${ROUNDS} rounds, each equal to an uninterrupted backup`,
    async () => {
      for (let i = 1; i <= ROUNDS; i++) {
        const location = path.join(tmp, `round-${i}`);
        rows.push(await t.round(i, i % 2 === 1 ? 'group' : 'coordinator', location));
        const unlisted = await unlistedFolders(location);
        expect(unlisted, `round ${i}: unlisted folders ${unlisted.join(', ')}`).toEqual([]);
      }
      // The failures in the message: an array of long strings shows as `[ Array(1) ]` otherwise.
      const failures = rows.flatMap((x) => x.failures.map((f) => `#${x.round} (${x.target}): ${f}`));
      expect(failures, failures.join('\n')).toEqual([]);
      // The point of the exercise: some rounds really continued an interrupted backup.
      expect(rows.filter((x) => x.next === 'resumed').length).toBeGreaterThan(0);
    },
    ROUNDS * 30_000 + 60_000,
  );

  it('one round on the real MinIO: the resumed backup keeps group 1 and aborts the upload left in its folder', async () => {
    const m = minio();
    const prefix = uniquePrefix('resume');
    const location = uri('minio', m.privateBucket, prefix);
    const creds = { accessKey: m.accessKey, secretKey: m.secretKey };
    const input = { destination: location, format: 'v21.03', ...creds };
    // Group 2's Alpha killed while its file is written (group 1's is done by then).
    const first = backupCall(t.c.url, input);
    await new Promise((r) => setTimeout(r, t.backupMs * 0.75));
    const g2 = t.c.alphas[1]!.proc!;
    g2.child.kill('SIGKILL');
    await g2.exited;
    const outcome = await first;
    await t.restart('group');
    expect(outcome).toMatch(
      /^error: .*The files of groups 1 are kept in dgraph\.\S+: the next backup to this location resumes/,
    );
    const s3 = adminClient();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: m.privateBucket, Prefix: `${prefix}/` }));
    s3.destroy();
    const journal = (listed.Contents ?? []).find((o) => o.Key!.endsWith('/strata-resume-journal.json'));
    expect(journal).toBeDefined();
    // A writer killed mid-upload leaves its multipart upload behind: one made on purpose in the folder.
    const folderKey = path.posix.dirname(journal!.Key!);
    const g1 = (listed.Contents ?? []).map((o) => /\/r(\d+)-g1\.backup$/.exec(o.Key!)).find((x) => x);
    expect(g1).toBeDefined();
    await openUpload(m.privateBucket, `${folderKey}/r${g1![1]}-g2.backup`);
    expect(await multipartUploads(m.privateBucket, `${folderKey}/r${g1![1]}-g2.backup`)).toHaveLength(1);

    const failures: string[] = [];
    const { answer } = await t.again(input, failures);
    expect(answer).toMatch(
      /^Success: Backup completed: resumed backup \S+ #1 at readTs \d+: kept groups 1, rewrote groups 2, aborted (1 incomplete upload|\d+ incomplete uploads); full/,
    );
    await t.check(
      location,
      (folder) => download(m.privateBucket, `${prefix}/${folder}`, path.join(tmp, 'minio', folder)),
      creds,
      failures,
    );
    expect(failures).toEqual([]);
    expect(await multipartUploads(m.privateBucket, `${folderKey}/r${g1![1]}-g2.backup`)).toEqual([]);
  }, 120_000);

  it('Dgraph restores a location holding an interrupted backup (journal, kept file, unlisted), and once it is resumed', async () => {
    const location = path.join(tmp, 'dgraph-reads');
    const input = { destination: location, format: 'v24' };
    expect(await backupCall(t.c.url, input)).toMatch(/^Success: Backup completed: full backup/);
    // The incremental interrupted: group 2's Alpha killed while its file is written.
    const first = backupCall(t.c.url, input);
    await new Promise((r) => setTimeout(r, t.backupMs * 0.75));
    const g2 = t.c.alphas[1]!.proc!;
    g2.child.kill('SIGKILL');
    await g2.exited;
    expect(await first).toMatch(/The files of groups 1 are kept/);
    await t.restart('group');
    const [interrupted] = await unlistedFolders(location);
    expect(readdirSync(path.join(location, interrupted!))).toContain('strata-resume-journal.json');
    for (const version of ['v24.0.5', 'v25.4.0'] as const) {
      const out = path.join(tmp, `dgraph-${version}-interrupted`);
      const said = await dgraphRestore(version, location, out);
      log?.(said);
      expect(existsSync(path.join(out, 'p1'))).toBe(true);
      expect(existsSync(path.join(out, 'p2'))).toBe(true);
      expect(said).not.toContain(interrupted!);
      // Dgraph's restore map: only the listed full backup, the unlisted folder is not read.
      expect(said).toMatch(/Got 1 backups to restore/);
      rmSync(out, { recursive: true, force: true });
    }
    const failures: string[] = [];
    const { answer } = await t.again(input, failures);
    expect(failures).toEqual([]);
    expect(answer).toMatch(
      /resumed backup \S+ #2 at readTs \d+: kept groups 1, rewrote groups 2; incremental/,
    );
    expect((await listBackups({ location })).map((b) => [b.path, b.backupNum])).toEqual([
      [expect.any(String), 1],
      [interrupted, 2],
    ]);
    for (const version of ['v24.0.5', 'v25.4.0'] as const) {
      const out = path.join(tmp, `dgraph-${version}-resumed`);
      const said = await dgraphRestore(version, location, out);
      log?.(said);
      expect(existsSync(path.join(out, 'p2'))).toBe(true);
      expect(said).toMatch(/Got 2 backups to restore/);
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
