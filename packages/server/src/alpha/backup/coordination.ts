/**
 * What the backup and restore coordinators share: calling each group's Alpha (in process for
 * this Alpha's own group) and holding Zero's cluster-wide backup/restore lock.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Destination } from '@strata/core';
import { call, type Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';

const GROUP_CALL_TIMEOUT_MS = 6 * 3600 * 1000;
const LOCK_TIMEOUT_MS = 6 * 3600 * 1000;

export function closeDest(d: Destination): void {
  (d as { close?: () => void }).close?.();
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Coordination {
  constructor(
    readonly cluster: Cluster,
    readonly log: FastifyBaseLogger,
  ) {}

  /** Calls a group's `/internal/*` route: in process for this Alpha's group, else over HTTP. */
  async callGroup<T>(group: number, route: string, body: unknown, local: () => Promise<T>): Promise<T> {
    if (group === this.cluster.groupId) return local();
    const addr = await this.cluster.groupAddr(group);
    return call<T>(
      addr,
      `group ${group} (Alpha at ${addr})`,
      'POST',
      route,
      this.cluster.peers,
      body,
      GROUP_CALL_TIMEOUT_MS,
    );
  }

  /** Takes Zero's backup/restore lock; a held lock is a 409 CONFLICT naming its holder. */
  async lock(kind: 'backup' | 'restore', description: string): Promise<string> {
    const id = `${kind}-${randomUUID()}`;
    try {
      await this.cluster.zero.backupLock({
        op: 'acquire',
        id,
        kind,
        holder: this.cluster.local.addr,
        description,
        timeoutMs: LOCK_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 409) {
        throw new HttpError(
          'CONFLICT',
          `${kind} refused: ${err.message.replace(/^Zero at [^:]+:\d+: /, '')}`,
          409,
        );
      }
      throw err;
    }
    return id;
  }

  async unlock(id: string): Promise<void> {
    await this.cluster.zero.backupLock({ op: 'release', id }).catch((err: unknown) => {
      this.log.warn(
        { lock: id, err: message(err) },
        'could not release the backup lock (it expires by itself)',
      );
    });
  }
}
