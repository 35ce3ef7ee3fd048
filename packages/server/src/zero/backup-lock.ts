/**
 * The cluster-wide backup/restore lock: one backup (or restore) at a time. A lease held in Zero's
 * memory: the holder renews it on a heartbeat (every third of its TTL) for as long as it works,
 * so a holder that dies (or a Zero that restarts) frees it within one TTL.
 */
import { HttpError } from '../http/errors.js';

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

export class BackupLock {
  private held: LockHolder | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  current(): LockHolder | undefined {
    if (this.held && this.now() > this.held.expires) this.held = undefined;
    return this.held;
  }

  /** Takes the lock, or renews it for the same id (keeping what it said unless given again). */
  acquire(req: {
    id: string;
    kind: string;
    holder?: string;
    description?: string;
    timeoutMs: number;
  }): LockHolder {
    const cur = this.current();
    if (cur && cur.id !== req.id) {
      throw new HttpError(
        'CONFLICT',
        `another ${cur.kind} is running: ${describeHolder(cur)}; only one backup or restore runs at a time, ` +
          `try again when it has finished (a holder that died frees it when its lease ends)`,
        409,
      );
    }
    const now = this.now();
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
      throw new HttpError(
        'CONFLICT',
        `the lease ${id} is lost: ` +
          (cur
            ? `the lock is now held by another ${cur.kind}: ${describeHolder(cur)}`
            : 'it ended without renewal, or Zero restarted since it was last renewed'),
        409,
      );
    }
    cur.expires = this.now() + timeoutMs;
    return { ...cur };
  }

  release(id: string): boolean {
    const cur = this.current();
    if (!cur || cur.id !== id) return false;
    this.held = undefined;
    return true;
  }
}
