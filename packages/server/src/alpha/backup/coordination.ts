/**
 * What the backup and restore coordinators share: calling each group's Alpha (in process for
 * this Alpha's own group) and holding Zero's cluster-wide backup/restore lock as a lease
 * (./lease.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Destination } from '@strata/core';
import type { AlphaMetrics } from '../../metrics/alpha.js';
import { call, type Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { Lease, leaseTtlMs } from './lease.js';

const GROUP_CALL_TIMEOUT_MS = 6 * 3600 * 1000;

export function closeDest(d: Destination): void {
  (d as { close?: () => void }).close?.();
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Seconds since `t0` (a `performance.now()`), to the millisecond: for log lines and metrics. */
export function secondsSince(t0: number): number {
  return Math.round(performance.now() - t0) / 1000;
}

export class Coordination {
  readonly #leases = new Map<string, Lease>();

  constructor(
    readonly cluster: Cluster,
    readonly log: FastifyBaseLogger,
    readonly metrics: AlphaMetrics,
    readonly leaseTtl: number = leaseTtlMs(),
  ) {}

  /** Calls a group's `/internal/*` route: in process for this Alpha's group, else over HTTP. */
  async callGroup<T>(
    group: number,
    route: string,
    body: unknown,
    local: () => Promise<T>,
    timeoutMs = GROUP_CALL_TIMEOUT_MS,
  ): Promise<T> {
    if (group === this.cluster.groupId) return local();
    const addr = await this.cluster.groupAddr(group);
    return call<T>(
      addr,
      `group ${group} (Alpha at ${addr})`,
      'POST',
      route,
      this.cluster.peers,
      body,
      timeoutMs,
    );
  }

  /**
   * Takes Zero's backup/restore lock as a lease renewed on a heartbeat; a held lock is a 409
   * CONFLICT naming its holder and until when it holds it.
   */
  async lease(kind: 'backup' | 'restore' | 'expire', description: string): Promise<Lease> {
    const t0 = performance.now();
    try {
      const lease = await Lease.acquire({
        id: `${kind}-${randomUUID()}`,
        kind,
        holder: this.cluster.local.addr,
        description,
        ttlMs: this.leaseTtl,
        call: (body) => this.cluster.zero.backupLock(body),
        warn: (msg) => this.log.warn(msg),
      });
      this.metrics.lockWait.observe({ lock: 'backup' }, (performance.now() - t0) / 1000);
      return lease;
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 409) {
        this.metrics.lockRefusals.inc({ lock: 'backup' });
        throw new HttpError(
          'CONFLICT',
          `${kind} refused: ${err.message.replace(/^Zero at [^:]+:\d+: /, '')}`,
          409,
        );
      }
      throw err;
    }
  }

  /** {@link lease} by id, for callers that only release it; a lost lease is logged. */
  async lock(kind: 'backup' | 'restore', description: string): Promise<string> {
    const l = await this.lease(kind, description);
    this.#leases.set(l.id, l);
    void l.lost.then((err) => this.log.error({ lock: l.id }, err.message));
    return l.id;
  }

  async unlock(id: string): Promise<void> {
    const l = this.#leases.get(id);
    this.#leases.delete(id);
    await l?.release();
  }
}
