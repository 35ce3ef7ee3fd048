/**
 * The group side of backup (`/internal/backup`): streams this group's store to the destination.
 * (The group side of online restore is ./restore-participant.ts.)
 */
import { openDestination, StrataError, writeGroupFile } from '@strata/core';
import type { Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { closeDest } from './coordination.js';
import type { GroupBackupRequest, GroupBackupResult } from './group-requests.js';
import { destinationCredentials } from './inputs.js';

export class GroupHandlers {
  constructor(private readonly cluster: Cluster) {}

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
}
