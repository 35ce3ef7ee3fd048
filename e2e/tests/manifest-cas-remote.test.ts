// The master manifest's compare-and-swap on the real MinIO, through both clients (AWS SDK v3 for
// s3://, the minio client for minio://): the server honours If-None-Match: * and If-Match, and
// concurrent writers of the master manifest all land their entries.
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupFilePath,
  listBackups,
  openDestination,
  planBackup,
  writeManifest,
  type Destination,
} from '@strata/core';
import { minio, uniquePrefix, uri } from './remote.js';

const opened: Destination[] = [];
afterAll(() => {
  for (const d of opened) (d as { close?: () => void }).close?.();
});

function open(scheme: 's3' | 'minio', name: string): Destination {
  const m = minio();
  const d = openDestination(uri(scheme, m.privateBucket, uniquePrefix(name)), {
    accessKey: m.accessKey,
    secretKey: m.secretKey,
  });
  opened.push(d);
  return d;
}

/** Plans and writes a (tiny) full v21.03 backup started at `at`; returns its folder. */
async function backupAt(dest: Destination, at: Date, readTs: bigint): Promise<string> {
  const plan = await planBackup(dest, {
    readTs,
    encrypted: false,
    forceFull: true,
    format: 'v21.03',
    startedAt: at,
  });
  await dest.write(backupFilePath(plan, 1), Buffer.from('data'));
  await writeManifest(dest, {
    plan,
    groups: new Map([[1, [{ namespace: 0n, name: 'name' }]]]),
    dropOperations: [],
    checksums: {},
    strataVersion: 'test',
  });
  return plan.folder;
}

describe.each(['s3', 'minio'] as const)('master manifest compare-and-swap on MinIO (%s://)', (scheme) => {
  it('MinIO honours If-None-Match: * and If-Match (a lost race writes nothing)', async () => {
    const d = open(scheme, 'cas');
    expect(await d.readVersioned('m.json')).toBeUndefined();
    expect(await d.putIfUnchanged('m.json', Buffer.from('a'), null)).toBe(true);
    const a = (await d.readVersioned('m.json'))!;
    expect(a.data.toString()).toBe('a');
    expect(await d.putIfUnchanged('m.json', Buffer.from('x'), null)).toBe(false);
    expect(await d.putIfUnchanged('m.json', Buffer.from('b'), a.version)).toBe(true);
    expect(await d.putIfUnchanged('m.json', Buffer.from('c'), a.version)).toBe(false);
    expect((await d.readFile('m.json')).toString()).toBe('b');
  });

  it('two writers creating the master at once, then eight appending, all land', async () => {
    const d = open(scheme, 'writers');
    const base = Date.UTC(2026, 0, 1);
    const first = await Promise.all(
      [0, 1].map((i) => backupAt(d, new Date(base + i * 1000), BigInt(10 + i))),
    );
    const more = await Promise.all(
      Array.from({ length: 8 }, (_, i) => backupAt(d, new Date(base + (10 + i) * 1000), BigInt(100 + i))),
    );
    const listed = (await listBackups({ location: d })).map((b) => b.path).sort();
    expect(listed).toEqual([...first, ...more].sort());
  });
});
