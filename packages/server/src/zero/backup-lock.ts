/**
 * The cluster-wide backup/restore lock: one backup (or restore) at a time. A lease: the holder
 * renews it on a heartbeat (every third of its TTL) for as long as it works, so a holder that dies
 * frees it within one TTL. Taking and giving back the lock are persisted in Zero's data folder
 * (`backup-lease.json`, temp + fsync + rename), so a Zero that restarts still knows the holder: it
 * gives it one more TTL from the restart, in which the holder's renewals keep it; a Zero that
 * forgot it would let a second backup start beside the first.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from '../http/errors.js';

export const LEASE_FILE = 'backup-lease.json';

export interface LockHolder {
  id: string;
  /** `backup` or `restore`. */
  kind: string;
  /** Who holds it (the coordinating Alpha's address) and what it does, for messages. */
  holder: string;
  description: string;
  since: number;
  /** The lease ends here unless renewed. */
  expires: number;
}

/** `backup <description> (id …, coordinated by …, started …, lease until …)`. */
function describeHolder(h: LockHolder): string {
  return (
    `${h.description} (id ${h.id}, coordinated by ${h.holder}, started ${new Date(h.since).toISOString()}, ` +
    `lease until ${new Date(h.expires).toISOString()} unless renewed)`
  );
}

interface Persisted extends LockHolder {
  ttlMs: number;
}

/** The lock as Zero's `/internal/backup-lock` route uses it: this file-backed one, or etcd's. */
export interface BackupLockService {
  acquire(req: LockRequest): LockHolder | Promise<LockHolder>;
  renew(id: string, timeoutMs: number): LockHolder | Promise<LockHolder>;
  release(id: string): boolean | Promise<boolean>;
  /** Makes the last acquire or release durable (a no-op where every call already is). */
  persist(): Promise<void>;
  close?(): Promise<void>;
}

export interface LockRequest {
  id: string;
  kind: string;
  holder?: string;
  description?: string;
  timeoutMs: number;
}

/** The message of a refused acquire: who holds the lock. */
export function lockBusy(cur: LockHolder): HttpError {
  return new HttpError(
    'CONFLICT',
    `another ${cur.kind} is running: ${describeHolder(cur)}; only one backup or restore runs at a time, ` +
      `try again when it has finished (a holder that died frees it when its lease ends)`,
    409,
  );
}

/** The message of a refused renewal: the lease is gone. */
export function leaseLost(id: string, cur: LockHolder | undefined, why: string): HttpError {
  return new HttpError(
    'CONFLICT',
    `the lease ${id} is lost: ` +
      (cur ? `the lock is now held by another ${cur.kind}: ${describeHolder(cur)}` : why),
    409,
  );
}

export class BackupLock implements BackupLockService {
  private held: LockHolder | undefined;
  private ttlMs = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly now: () => number = Date.now,
    /** Zero's data folder, where the lock is persisted (none: memory only). */
    private readonly dir?: string,
  ) {}

  /** Loads the lock persisted before a restart: held again for one TTL from now. */
  async load(): Promise<void> {
    if (this.dir === undefined) return;
    let p: Persisted;
    try {
      p = JSON.parse(await readFile(path.join(this.dir, LEASE_FILE), 'utf8')) as Persisted;
    } catch {
      return; // none, or unreadable: no lock (a holder's next renewal then fails and it stops)
    }
    if (typeof p.id !== 'string' || !Number.isInteger(p.ttlMs) || p.ttlMs <= 0) return;
    this.ttlMs = p.ttlMs;
    this.held = {
      id: p.id,
      kind: String(p.kind),
      holder: String(p.holder),
      description: String(p.description),
      since: Number(p.since),
      expires: this.now() + p.ttlMs,
    };
  }

  /** Writes the current holder (or its absence) to disk; call after acquire and release. */
  persist(): Promise<void> {
    const dir = this.dir;
    if (dir === undefined) return Promise.resolve();
    const held = this.held ? { ...this.held, ttlMs: this.ttlMs } : undefined;
    this.writes = this.writes.then(async () => {
      const file = path.join(dir, LEASE_FILE);
      if (!held) {
        await unlink(file).catch(() => undefined);
        return;
      }
      const tmp = `${file}.tmp`;
      const h = await open(tmp, 'w');
      try {
        await h.writeFile(`${JSON.stringify(held)}\n`);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(tmp, file);
    });
    return this.writes;
  }

  current(): LockHolder | undefined {
    if (this.held && this.now() > this.held.expires) this.held = undefined;
    return this.held;
  }

  /** Takes the lock, or renews it for the same id (keeping what it said unless given again). */
  acquire(req: LockRequest): LockHolder {
    const cur = this.current();
    if (cur && cur.id !== req.id) throw lockBusy(cur);
    const now = this.now();
    this.ttlMs = req.timeoutMs;
    this.held = {
      id: req.id,
      kind: req.kind,
      holder: req.holder ?? cur?.holder ?? 'unknown',
      description: req.description ?? cur?.description ?? req.id,
      since: cur?.since ?? now,
      expires: now + req.timeoutMs,
    };
    return { ...this.held };
  }

  /**
   * Extends the lease of `id` by `timeoutMs` from now. Unlike {@link acquire}, never takes a lock
   * that is not held: a lease that ended (or a Zero that restarted and forgot it) is lost for good,
   * and its holder must stop (409 naming what happened).
   */
  renew(id: string, timeoutMs: number): LockHolder {
    const cur = this.current();
    if (!cur || cur.id !== id) {
      throw leaseLost(id, cur, 'it ended without renewal, or Zero restarted since it was last renewed');
    }
    cur.expires = this.now() + timeoutMs;
    this.ttlMs = timeoutMs;
    return { ...cur };
  }

  release(id: string): boolean {
    const cur = this.current();
    if (!cur || cur.id !== id) return false;
    this.held = undefined;
    return true;
  }
}
