/**
 * A coordinator that loses its lease stops before the manifest: no manifest lists the backup. Its
 * folder is left as it is, with its resume journal (another coordinator may hold the lock now):
 * the next backup continues or discards it.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDestination, listBackups } from '@strata/core';
import { Registry } from 'prom-client';
import { ClusterBackup } from '../src/alpha/backup/cluster-backup.js';
import { AlphaMetrics } from '../src/metrics/alpha.js';
import type { Coordination } from '../src/alpha/backup/coordination.js';
import type { GroupHandlers } from '../src/alpha/backup/group-handlers.js';
import type { GroupBackupRequest } from '../src/alpha/backup/group-requests.js';
import { Lease, type LockCall } from '../src/alpha/backup/lease.js';
import { HttpError } from '../src/http/errors.js';
import { BackupLock } from '../src/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'strata-lease-loss-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A one-group coordinator over an in-memory Zero lock; `duringGroup` runs while the group writes. */
function coordinator(duringGroup: (lock: BackupLock) => void) {
  const lock = new BackupLock();
  const call: LockCall = async (b) => {
    if (b.op === 'release') return { released: lock.release(b.id) };
    if (b.op === 'renew') return lock.renew(b.id, b.timeoutMs ?? 1000);
    return lock.acquire({ id: b.id, kind: b.kind ?? 'backup', timeoutMs: b.timeoutMs ?? 1000 });
  };
  const warn = () => undefined;
  const co = {
    cluster: {
      zero: { readTs: async () => 10n },
      zeroState: async () => ({ groups: { '1': { tablets: { name: {} } } } }),
    },
    log: { warn, error: warn, info: warn },
    metrics: new AlphaMetrics(new Registry()),
    lease: (kind: 'backup' | 'restore', description: string) =>
      Lease.acquire({ id: `${kind}-1`, kind, holder: 'alpha:1', description, ttlMs: 60_000, call }),
    callGroup: async (_g: number, _route: string, body: GroupBackupRequest) => {
      await new LocalDestination(body.destination).write(body.path, Buffer.from('group data'));
      duringGroup(lock);
      return {
        bytes: 10,
        sha256: '0'.repeat(64),
        kvs: 1,
        predicates: [{ namespace: '0', name: 'name' }],
        dropOperations: [],
      };
    },
  } as unknown as Coordination;
  return new ClusterBackup(co, {} as GroupHandlers, undefined, 'test');
}

/** Zero restarted (forgot the lease) and another backup took the lock. */
const stolen = (lock: BackupLock) => {
  lock.release('backup-1');
  lock.acquire({
    id: 'backup-2',
    kind: 'backup',
    holder: 'alpha:2',
    description: 'other',
    timeoutMs: 60_000,
  });
};

describe.each(['v21.03', 'v20.11'] as const)('lease loss during a backup (%s)', (format) => {
  it('stops the backup with a clear error, no manifest entry, and its folder left for the next backup', async () => {
    const dir = path.join(root, format);
    // One good backup first, so the location has a manifest the failed one must not join.
    await coordinator(() => undefined).run({ destination: dir, format });
    expect(await listBackups({ location: dir })).toHaveLength(1);
    const before = readdirSync(dir).sort();

    const err = await coordinator(stolen)
      .run({ destination: dir, format, forceFull: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as Error).message).toMatch(
      /^backup stopped: it lost Zero's backup\/restore lock \(the lease backup-1 is lost: the lock is now held by another backup: other/,
    );
    expect(await listBackups({ location: dir })).toHaveLength(1);
    const left = readdirSync(dir).filter((f) => !before.includes(f));
    expect(left).toHaveLength(1);
    expect(readdirSync(path.join(dir, left[0]!)).sort()).toEqual([
      expect.stringMatching(/^r10-g1\.backup$/),
      'strata-resume-journal.json',
    ]);
    expect(existsSync(path.join(dir, '.manifest.json.lock'))).toBe(false);

    // The next backup that starts anew (forceFull) removes the interrupted folder.
    const next = await coordinator(() => undefined).run({ destination: dir, format, forceFull: true });
    expect(next.response.message).toMatch(
      new RegExp(`discarded interrupted backup ${left[0]!.replace(/\./g, '\\.')} \\(resume not asked for\\)`),
    );
    expect(await listBackups({ location: dir })).toHaveLength(2);
    expect(existsSync(path.join(dir, left[0]!))).toBe(false);
  });
});
