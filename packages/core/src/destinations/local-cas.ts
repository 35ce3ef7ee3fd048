/**
 * Compare-and-swap of a small file on a local or NFS-mounted file system (the master
 * `manifest.json` of the v21.03 layout), for {@link LocalDestination.putIfUnchanged}.
 *
 * What is atomic, on POSIX and on NFS:
 * - rename(2) over an existing name replaces it atomically (readers see the old or the new file,
 *   never a mix; on NFS it is one RPC the server applies at once), but it compares nothing: two
 *   writers that both read version A and rename would silently drop one writer's entry.
 * - link(2) to a name that exists fails with EEXIST, atomically, on local file systems and on NFS
 *   (the server decides). O_EXCL is atomic too on Linux NFSv3+, but link() is the portable recipe
 *   of open(2)'s O_EXCL note: link a uniquely named file to the lock name; if link() reports an
 *   error, stat the unique file: a link count of 2 means it worked (a retransmitted RPC may
 *   report EEXIST for a link that the first transmission made).
 * - Reading the file, comparing and renaming is not atomic by itself: it is made so by doing it
 *   only while holding `.<name>.lock` (taken with link()).
 *
 * So a writer takes the lock, re-reads the file and compares its sha256 with the version it
 * started from (a mismatch: it lost the race, nothing is written), writes the bytes to a temp
 * file, fsyncs, renames it over the name, fsyncs the folder, and removes the lock.
 *
 * A writer killed while holding the lock (it holds it for a few milliseconds) leaves it behind.
 * A lock whose mtime is older than {@link STALE_LOCK_MS} is broken: renamed away (atomic: of two
 * breakers one wins), then checked to be the very lock that was seen stale; a fresh lock moved by
 * mistake is linked back. This step is the one that is not airtight (it relies on clocks agreeing
 * within the stale age, and on the holder having gone), which is why it waits this long; the
 * cluster's backup lease already keeps a second writer away, this is the second line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromFsError, StrataError } from '../errors.js';
import { fsyncDir } from '../util/fsync.js';
import { tempNameFor } from './local-temp.js';

/** A lock file older than this is taken to be left by a writer that died. */
export const STALE_LOCK_MS = 30_000;
/** How long a writer waits for the lock before giving up. */
const LOCK_WAIT_MS = STALE_LOCK_MS + 15_000;

/** The lock file of `file`: `.<name>.lock` beside it (hidden, as the temp files are). */
export function lockFileOf(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

export function contentVersion(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Takes `lock` with link(); returns the unique file that holds it (the lock's other name). */
async function takeLock(lock: string, what: string): Promise<{ mine: string; ino: number }> {
  const mine = `${lock}.${os.hostname()}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeSynced(mine, `${os.hostname()} pid ${process.pid} at ${new Date().toISOString()}\n`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, lock);
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const st = await stat(mine);
      if (st.nlink === 2) return { mine, ino: st.ino };
      await breakIfStale(lock);
      if (Date.now() > deadline) {
        throw new StrataError(
          'IO',
          `${what}: the lock file ${lock} is held by another writer for over ${LOCK_WAIT_MS / 1000} s ` +
            `(a lock older than ${STALE_LOCK_MS / 1000} s is removed as stale; remove it by hand if its writer is gone)`,
          { file: lock },
        );
      }
      await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random()));
    }
  } catch (err) {
    await unlink(mine).catch(() => undefined);
    throw err;
  }
}

async function breakIfStale(lock: string): Promise<void> {
  let seen;
  try {
    seen = await stat(lock);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  if (Date.now() - seen.mtimeMs < STALE_LOCK_MS) return;
  const moved = `${lock}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(lock, moved);
  } catch (err) {
    if (code(err) === 'ENOENT') return; // another writer broke it first
    throw err;
  }
  const got = await stat(moved);
  // A fresh lock taken between our stat and rename: give it back (fails only if yet another
  // writer has taken the name since, which then holds it).
  if (got.ino !== seen.ino) await link(moved, lock).catch(() => undefined);
  await unlink(moved).catch(() => undefined);
}

async function dropLock(lock: string, held: { mine: string; ino: number }): Promise<void> {
  try {
    const st = await stat(lock);
    if (st.ino === held.ino) await unlink(lock);
  } catch {
    /* already gone */
  }
  await unlink(held.mine).catch(() => undefined);
}

/**
 * Replaces `file` by `data` if its content still has sha256 `version` (null: if it does not exist).
 * False when another writer changed it first (nothing written).
 */
export async function casWriteFile(file: string, data: Uint8Array, version: string | null): Promise<boolean> {
  const dir = path.dirname(file);
  const lock = lockFileOf(file);
  let held: { mine: string; ino: number } | undefined;
  const tmp = tempNameFor(file);
  try {
    held = await takeLock(lock, `updating ${file}`);
    let current: string | null;
    try {
      current = contentVersion(await readFile(file));
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
      current = null;
    }
    if (current !== version) return false;
    await writeSynced(tmp, data);
    // Still ours? (A writer that stalled past the stale age may have had its lock broken.)
    if ((await stat(lock).catch(() => undefined))?.ino !== held.ino) return false;
    await rename(tmp, file);
    await fsyncDir(dir);
    return true;
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw fromFsError(err, file);
  } finally {
    await unlink(tmp).catch(() => undefined);
    if (held) await dropLock(lock, held);
  }
}
