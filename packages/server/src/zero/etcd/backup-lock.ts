/**
 * The cluster-wide backup/restore lock in etcd (`lock/backup`), for Zeros on etcd: the holder's
 * record is put under an etcd lease of the lock's TTL, so it outlives a dead holder by at most
 * that TTL whatever happens to the Zeros. Any Zero can take, renew (a keep-alive of that lease,
 * by its id) or give back the lock; the record names the lease.
 */
import type { BackupLockService, LockHolder, LockRequest } from '../backup-lock.js';
import { leaseLost, lockBusy } from '../backup-lock.js';
import type { EtcdKv } from './client.js';
import { HttpError } from '../../http/errors.js';

export const LOCK_KEY = 'lock/backup';

interface Record_ extends Omit<LockHolder, 'expires'> {
  lease: string;
  ttlMs: number;
}

function ttlSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export class EtcdBackupLock implements BackupLockService {
  constructor(
    private readonly kv: EtcdKv,
    private readonly now: () => number = Date.now,
  ) {}

  private async read(): Promise<{ rec: Record_; modRevision: bigint } | undefined> {
    const e = await this.kv.get(LOCK_KEY);
    if (!e) return undefined;
    try {
      return { rec: JSON.parse(e.value) as Record_, modRevision: e.modRevision };
    } catch {
      return undefined;
    }
  }

  private holder(rec: Record_, ttlMs: number): LockHolder {
    return {
      id: rec.id,
      kind: rec.kind,
      holder: rec.holder,
      description: rec.description,
      since: rec.since,
      expires: this.now() + ttlMs,
    };
  }

  async acquire(req: LockRequest, attempt = 0): Promise<LockHolder> {
    const cur = await this.read();
    if (cur && cur.rec.id !== req.id) throw lockBusy(this.holder(cur.rec, cur.rec.ttlMs));
    const lease = await this.kv.grantLease(ttlSeconds(req.timeoutMs));
    const rec: Record_ = {
      id: req.id,
      kind: req.kind,
      holder: req.holder ?? cur?.rec.holder ?? 'unknown',
      description: req.description ?? cur?.rec.description ?? req.id,
      since: cur?.rec.since ?? this.now(),
      lease,
      ttlMs: req.timeoutMs,
    };
    // Taken only if still free (or still ours, as read): two Zeros racing for it cannot both win.
    const r = await this.kv.txn(
      [cur ? { key: LOCK_KEY, modRevision: cur.modRevision } : { key: LOCK_KEY, absent: true }],
      [{ put: LOCK_KEY, value: JSON.stringify(rec), lease }],
    );
    if (!r.succeeded) {
      await this.kv.revokeLease(lease).catch(() => undefined);
      const now = await this.read();
      if (now && now.rec.id !== req.id) throw lockBusy(this.holder(now.rec, now.rec.ttlMs));
      // Ours, or free again, but moved while we looked: a renewal of the same id raced this one.
      if (attempt >= 5) {
        throw new HttpError(
          'ETCD_UNAVAILABLE',
          `could not take the backup lock ${req.id}: it kept changing in etcd`,
          503,
        );
      }
      return this.acquire(req, attempt + 1);
    }
    if (cur) await this.kv.revokeLease(cur.rec.lease).catch(() => undefined);
    return this.holder(rec, req.timeoutMs);
  }

  async renew(id: string, timeoutMs: number): Promise<LockHolder> {
    const cur = await this.read();
    if (!cur || cur.rec.id !== id) {
      throw leaseLost(
        id,
        cur ? this.holder(cur.rec, cur.rec.ttlMs) : undefined,
        'it ended without renewal (its etcd lease expired)',
      );
    }
    if (ttlSeconds(timeoutMs) !== ttlSeconds(cur.rec.ttlMs)) {
      // A renewal for a different TTL: the record moves to a lease of that TTL.
      return this.acquire({ id, kind: cur.rec.kind, timeoutMs });
    }
    const left = await this.kv.keepAliveOnce(cur.rec.lease);
    if (left <= 0) throw leaseLost(id, undefined, 'its etcd lease expired before this renewal');
    return this.holder(cur.rec, timeoutMs);
  }

  async release(id: string): Promise<boolean> {
    const cur = await this.read();
    if (!cur || cur.rec.id !== id) return false;
    const r = await this.kv.txn([{ key: LOCK_KEY, modRevision: cur.modRevision }], [{ del: LOCK_KEY }]);
    if (r.succeeded) await this.kv.revokeLease(cur.rec.lease).catch(() => undefined);
    return r.succeeded;
  }

  /** Every call is durable in etcd already. */
  persist(): Promise<void> {
    return Promise.resolve();
  }
}
