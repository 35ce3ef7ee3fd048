/**
 * The cluster-wide backup/restore lock: one backup (or restore) at a time. Held in Zero's memory
 * with an expiry, so a coordinator that dies does not block the cluster forever.
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
  expires: number;
}

export class BackupLock {
  private held: LockHolder | undefined;

  current(): LockHolder | undefined {
    if (this.held && Date.now() > this.held.expires) this.held = undefined;
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
        `another ${cur.kind} is running: ${cur.description} (id ${cur.id}, coordinated by ${cur.holder}, ` +
          `started ${new Date(cur.since).toISOString()}); only one backup or restore runs at a time, try again when it has finished`,
        409,
      );
    }
    const now = Date.now();
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

  release(id: string): boolean {
    const cur = this.current();
    if (!cur || cur.id !== id) return false;
    this.held = undefined;
    return true;
  }
}
