/**
 * The group side of backup and online restore (`/internal/backup`, `/internal/restore`): streams
 * this group's store to the destination, or loads its part of a chain into a fresh folder and
 * swaps it in for the live store.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { openDestination, openPostingStore, restoreOffline, StrataError, writeGroupFile } from '@strata/core';
import type { Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { closeDest } from './coordination.js';
import type {
  GroupBackupRequest,
  GroupBackupResult,
  GroupRestoreRequest,
  GroupRestoreResult,
} from './group-requests.js';
import { destinationCredentials } from './inputs.js';

export class GroupHandlers {
  constructor(
    private readonly cluster: Cluster,
    private readonly dataDir: string,
  ) {}

  async backup(req: GroupBackupRequest): Promise<GroupBackupResult> {
    const dest = openDestination(req.destination, destinationCredentials(req));
    const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
    try {
      const r = await writeGroupFile(this.cluster.local.owner.store, dest, {
        path: req.path,
        readTs: BigInt(req.readTs),
        since: BigInt(req.since),
        predicates: req.predicates.map((name) => ({ name })),
        layout: req.format,
        ...(key ? { key } : {}),
      });
      return {
        bytes: r.bytes,
        sha256: r.sha256,
        kvs: r.summary.kvs,
        dropOperations: r.summary.dropOperations.map((d) => ({
          op: d.op,
          ...(d.value === undefined || d.value === null ? {} : { value: d.value }),
          ...(d.namespace === undefined || d.namespace === null ? {} : { namespace: String(d.namespace) }),
          ...(d.commitTs === undefined ? {} : { commitTs: String(d.commitTs) }),
        })),
      };
    } catch (err) {
      // Core's typed errors (an unreachable or refusing destination, ...) carry safe messages: pass
      // them to the coordinator, which would otherwise only see this Alpha's bare 500.
      if (err instanceof StrataError) throw new HttpError('BACKUP_FAILED', err.message, 502);
      throw err;
    } finally {
      key?.fill(0);
      closeDest(dest);
    }
  }

  /** Loads this group's part of the chain into a fresh folder, then swaps it in for the live store. */
  async restore(req: GroupRestoreRequest): Promise<GroupRestoreResult> {
    const owner = this.cluster.local.owner;
    const g = owner.group;
    const dataDir = path.resolve(this.dataDir);
    const fresh = `${dataDir}.restore-${req.restoreTs}`;
    await rm(fresh, { recursive: true, force: true });
    const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
    let result;
    try {
      result = await restoreOffline({
        location: req.location,
        ...destinationCredentials(req),
        pdir: path.dirname(dataDir),
        backupId: req.backupId,
        backupNum: req.backupNum,
        key,
        groups: [g],
        restoreTs: BigInt(req.restoreTs),
        dirFor: () => fresh,
      });
    } catch (err) {
      await rm(fresh, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    } finally {
      key?.fill(0);
    }
    const mine = result.groups.find((x) => x.group === g);
    if (!mine) {
      throw new HttpError('BAD_REQUEST', `the backup has no data for group ${g}`);
    }
    const old = `${dataDir}.old-${Date.now()}`;
    await owner.replaceStore(async (current) => {
      current.close();
      try {
        await rename(dataDir, old);
        await rename(fresh, dataDir);
        return openPostingStore(dataDir, { group: g });
      } catch (err) {
        // Put the old store back and keep serving it.
        await rename(old, dataDir).catch(() => undefined);
        owner.store = openPostingStore(dataDir, { group: g });
        throw err;
      }
    });
    void rm(old, { recursive: true, force: true }).catch(() => undefined);
    this.cluster.forgetCaches();
    return { maxUid: String(mine.maxUid), maxNsId: String(mine.maxNsId), keys: mine.keys };
  }
}
