/**
 * The online restore coordinator (the Alpha that receives the `/admin` `restore` mutation, spec
 * §10): checks the chain, the group count, the files (checksums) and the key before changing
 * anything, then in the background runs the two-phase restore: every group stages its part
 * beside its live store; the uid/nsid leases move past the restored data; the decision (commit
 * only when every group staged, with the tablet moves) is recorded once at Zero; every group then
 * switches or throws its staging away. The outcome is kept for `restoreStatus`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  checkGroupCount,
  LocalDestination,
  readManifests,
  restoreOffline,
  selectChain,
  type KeyProvider,
  type PredicateName,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import { closeDest, message, type Coordination } from './coordination.js';
import type { GroupRestoreFinish, GroupRestoreRequest, GroupRestoreResult } from './group-requests.js';
import {
  checkRestoreInput,
  destinationCredentials,
  openRestoreLocation,
  restoreKeyProvider,
  type RestoreInput,
} from './inputs.js';
import type { RestoreDirs } from './restore-dirs.js';
import type { RestoreParticipant } from './restore-participant.js';

export type RestoreState = 'UNKNOWN' | 'IN_PROGRESS' | 'OK' | 'ERR';

export interface RestorePayload {
  code: string;
  message: string;
  restoreId: number;
}

export class OnlineRestore {
  private readonly restores = new Map<number, { status: RestoreState; errors: string[] }>();
  private nextRestoreId = 1;

  constructor(
    private readonly co: Coordination,
    private readonly participant: RestoreParticipant,
    private readonly keyProvider: KeyProvider | undefined,
    private readonly dataDir: string,
    private readonly dirs: RestoreDirs,
  ) {}

  status(id: number): { status: RestoreState; errors: string[] } {
    return this.restores.get(id) ?? { status: 'UNKNOWN', errors: [] };
  }

  /**
   * Checks everything before changing anything (chain, group count, files, key), then starts the
   * restore in the background and returns its id.
   */
  async start(input: RestoreInput): Promise<RestorePayload> {
    checkRestoreInput(input);
    let dest;
    let provider;
    try {
      dest = await openRestoreLocation(input, this.dirs);
      provider = await restoreKeyProvider(input, this.keyProvider, this.dirs);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError('BAD_REQUEST', `restore refused, nothing was changed: ${message(err)}`, 400);
    }
    // Local locations travel to the groups as their real path (as confined).
    const location = dest instanceof LocalDestination ? dest.root : input.location;
    const lockId = await this.co.lock('restore', `restore from ${dest.describe()}`);
    let key: Buffer | undefined;
    let started = false;
    try {
      const set = await readManifests(dest);
      const chain = selectChain(set.manifests, {
        backupId: input.backupId ?? undefined,
        backupNum: input.backupNum ?? undefined,
      });
      const groups = await this.co.cluster.groupIds();
      checkGroupCount(chain, groups.length);
      if (chain.backups.some((b) => b.encrypted) && provider) key = await provider.getKey();
      await restoreOffline({
        location: dest,
        pdir: path.join(path.dirname(this.dataDir), `.restore-check-${randomUUID()}`),
        backupId: chain.backupId,
        backupNum: input.backupNum ?? undefined,
        key,
        clusterGroups: groups.length,
        dryRun: true,
      });
      const id = this.nextRestoreId++;
      this.restores.set(id, { status: 'IN_PROGRESS', errors: [] });
      const last = chain.backups[chain.backups.length - 1]!;
      const k = key;
      key = undefined;
      started = true;
      void this.run(id, { ...input, location }, chain.backupId, last.groups, groups, k).finally(() => {
        k?.fill(0);
        closeDest(dest);
        return this.co.unlock(lockId);
      });
      return { code: 'Success', message: 'Restore operation started.', restoreId: id };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError('BAD_REQUEST', `restore refused, nothing was changed: ${message(err)}`, 400);
    } finally {
      if (!started) {
        key?.fill(0);
        closeDest(dest);
        await this.co.unlock(lockId);
      }
    }
  }

  private async run(
    id: number,
    input: RestoreInput,
    backupId: string,
    lastGroups: Map<number, PredicateName[]>,
    groups: number[],
    key: Buffer | undefined,
  ): Promise<void> {
    const status = this.restores.get(id)!;
    const cluster = this.co.cluster;
    const restoreId = randomUUID();
    this.participant.coordinating.add(restoreId);
    try {
      const zero = cluster.zero;
      const restoreTs = BigInt((await zero.lease('timestamps', 1)).startId!);
      // Phase 1: every group stages its part beside its live store.
      const body: GroupRestoreRequest = {
        restoreId,
        coordinator: cluster.local.addr,
        location: input.location,
        ...destinationCredentials(input),
        backupId,
        ...(input.backupNum ? { backupNum: input.backupNum } : {}),
        restoreTs: String(restoreTs),
        ...(key ? { key: key.toString('base64') } : {}),
      };
      const results = await Promise.allSettled(
        groups.map((g) =>
          this.co.callGroup<GroupRestoreResult>(g, '/internal/restore', body, () =>
            this.participant.stage(body),
          ),
        ),
      );
      const errors = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`group ${groups[i]}: ${message(r.reason)}`] : [],
      );
      let outcome: 'commit' | 'abort' = 'abort';
      if (errors.length === 0) {
        const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const maxUid = ok.reduce((m, r) => (BigInt(r.maxUid) > m ? BigInt(r.maxUid) : m), 0n);
        const maxNsId = ok.reduce((m, r) => (BigInt(r.maxNsId) > m ? BigInt(r.maxNsId) : m), 0n);
        // Leases first: moving them past the restored data is harmless if the restore aborts.
        if (maxUid > 0n) await zero.lease('uids', 0, maxUid);
        await zero.lease('timestamps', 0, restoreTs);
        if (maxNsId > 0n) await zero.lease('nsids', 0, maxNsId);
        // The decision, with the last manifest's predicates on their groups, in one step at Zero.
        const tablets = [...lastGroups].flatMap(([g, preds]) =>
          preds.map((p) => ({ predicate: p.name, group: g })),
        );
        outcome = await zero.decideRestore(restoreId, 'commit', tablets);
        if (outcome === 'abort') errors.push('a group gave up waiting for the decision: rolled back');
      } else {
        outcome = await zero.decideRestore(restoreId, 'abort');
      }
      // Phase 2: every group switches (or rolls back). A group that misses this call asks Zero.
      const finish: GroupRestoreFinish = { restoreId, outcome };
      const done = await Promise.allSettled(
        groups.map((g) =>
          this.co.callGroup(g, '/internal/restore/finish', finish, () =>
            this.participant.finish(restoreId, outcome),
          ),
        ),
      );
      done.forEach((r, i) => {
        if (r.status === 'rejected') {
          errors.push(
            `group ${groups[i]}: finishing (${outcome}): ${message(r.reason)} (it finishes from Zero's decision)`,
          );
        }
      });
      // Every Alpha forgets its cached tablets.
      cluster.forgetCaches();
      await Promise.allSettled(
        groups
          .filter((g) => g !== cluster.groupId)
          .map((g) => this.co.callGroup(g, '/internal/forget-tablets', {}, async () => ({}))),
      );
      if (outcome === 'abort') {
        status.status = 'ERR';
        status.errors = [...errors, 'nothing was changed: every group keeps its old data'];
      } else if (errors.length > 0) {
        status.status = 'ERR';
        status.errors = errors;
      } else {
        status.status = 'OK';
      }
    } catch (err) {
      status.status = 'ERR';
      status.errors.push(message(err));
    } finally {
      this.participant.coordinating.delete(restoreId);
    }
  }
}
