/**
 * The online restore coordinator (the Alpha that receives the `/admin` `restore` mutation, spec
 * §10): checks the chain, the group count, the files and the key before changing anything, then
 * in the background has every group load its part, moves tablets and leases, and records the
 * outcome for `restoreStatus`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  checkGroupCount,
  openDestination,
  readManifests,
  restoreOffline,
  selectChain,
  type KeyProvider,
  type PredicateName,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import { closeDest, message, type Coordination } from './coordination.js';
import type { GroupHandlers } from './group-handlers.js';
import type { GroupRestoreRequest } from './group-requests.js';
import {
  checkRestoreInput,
  destinationCredentials,
  restoreKeyProvider,
  type RestoreInput,
} from './inputs.js';

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
    private readonly groupHandlers: GroupHandlers,
    private readonly keyProvider: KeyProvider | undefined,
    private readonly dataDir: string,
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
    const dest = openDestination(input.location, destinationCredentials(input));
    const lockId = await this.co.lock('restore', `restore from ${dest.describe()}`);
    let key: Buffer | undefined;
    let started = false;
    try {
      const provider = restoreKeyProvider(input, this.keyProvider);
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
      void this.run(id, input, chain.backupId, last.groups, groups, k).finally(() => {
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
    try {
      const zero = cluster.zero;
      const restoreTs = BigInt((await zero.lease('timestamps', 1)).startId!);
      // The last manifest's predicates on their groups.
      for (const [g, preds] of lastGroups) {
        for (const p of preds) await zero.moveTablet(p.name, g);
      }
      const results = await Promise.allSettled(
        groups.map((g) => {
          const body: GroupRestoreRequest = {
            location: input.location,
            ...destinationCredentials(input),
            backupId,
            ...(input.backupNum ? { backupNum: input.backupNum } : {}),
            restoreTs: String(restoreTs),
            ...(key ? { key: key.toString('base64') } : {}),
          };
          return this.co.callGroup(g, '/internal/restore', body, () => this.groupHandlers.restore(body));
        }),
      );
      const errors = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`group ${groups[i]}: ${message(r.reason)}`] : [],
      );
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const maxUid = ok.reduce((m, r) => (BigInt(r.maxUid) > m ? BigInt(r.maxUid) : m), 0n);
      const maxNsId = ok.reduce((m, r) => (BigInt(r.maxNsId) > m ? BigInt(r.maxNsId) : m), 0n);
      if (maxUid > 0n) await zero.lease('uids', 0, maxUid);
      await zero.lease('timestamps', 0, restoreTs);
      if (maxNsId > 0n) await zero.lease('nsids', 0, maxNsId);
      // Every Alpha forgets its cached tablets.
      cluster.forgetCaches();
      await Promise.allSettled(
        groups
          .filter((g) => g !== cluster.groupId)
          .map((g) => this.co.callGroup(g, '/internal/forget-tablets', {}, async () => ({}))),
      );
      if (errors.length > 0) {
        status.status = 'ERR';
        status.errors = errors;
      } else {
        status.status = 'OK';
      }
    } catch (err) {
      status.status = 'ERR';
      status.errors.push(message(err));
    }
  }
}
