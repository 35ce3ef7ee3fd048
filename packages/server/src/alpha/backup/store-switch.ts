/**
 * The files of a group's crash-safe online restore, beside the live posting store `p`:
 *
 * - `p.store-<id>`: the restored store, staged complete before anything changes;
 * - `p.restore-journal`: what is under way (`staging` → `staged` → `switching`), written
 *   atomically (temp file, fsync, rename, fsync of the folder);
 * - `p` itself: a real folder until the first restore, then a symbolic link to the live
 *   `p.store-<id>`. The switch is ONE rename of a new link over `p` (atomic); the very first
 *   restore moves the real folder aside first, and a crash between those two renames is finished
 *   from the journal.
 *
 * `recoverFiles` runs at start-up before the store is opened: a `switching` journal is finished
 * (the restore was decided), a `staging` one is rolled back (its group never reported it staged,
 * so no restore can have been committed with it), and leftovers are removed (`p.store-*` other
 * than the live one and the journal's, `p.restore-*`, and the `p.old-*` of older versions).
 */
import { lstat, open, readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '@strata/core';
import type { GroupRestoreResult } from './group-requests.js';

export type JournalState = 'staging' | 'staged' | 'switching';

export interface RestoreJournal {
  /** The restore's id (the coordinator's, also the key of Zero's decision). */
  id: string;
  /** The coordinating Alpha's address (asked whether the restore is still running). */
  coordinator: string;
  state: JournalState;
  /** The staged store `p.store-<id>`. */
  staging: string;
  /** What staging found (answered again if the coordinator asks twice). */
  result?: GroupRestoreResult;
}

export function journalPath(p: string): string {
  return `${p}.restore-journal`;
}

export function stagingPath(p: string, id: string): string {
  return `${p}.store-${id}`;
}

async function missing(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

export async function readJournal(p: string): Promise<RestoreJournal | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(p), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const j = JSON.parse(text) as RestoreJournal;
    if (typeof j.id === 'string' && typeof j.staging === 'string' && typeof j.state === 'string') return j;
  } catch {
    // A journal is written by rename: a torn one cannot exist; treat damage as no journal.
  }
  return undefined;
}

export async function writeJournal(p: string, j: RestoreJournal): Promise<void> {
  const file = journalPath(p);
  const tmp = `${file}.tmp`;
  const h = await open(tmp, 'w', 0o600);
  try {
    await h.writeFile(`${JSON.stringify(j)}\n`);
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
  await fsyncDir(path.dirname(p));
}

export async function removeJournal(p: string): Promise<void> {
  await rm(journalPath(p), { force: true });
  await fsyncDir(path.dirname(p));
}

/** Where `p` points (absolute), or undefined when it is a real folder or missing. */
export async function liveTarget(p: string): Promise<string | undefined> {
  try {
    if (!(await lstat(p)).isSymbolicLink()) return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return path.resolve(path.dirname(p), await readlink(p));
}

/** Test hook: throws at a named point of the switch (simulates a crash there). */
export type CrashPoint = 'after-move-aside';
let crashAt: CrashPoint | undefined;
export function setCrashPointForTests(point: CrashPoint | undefined): void {
  crashAt = point;
}

/**
 * Makes `p` the staged store `staging`: a new link renamed over `p` (one atomic step). The first
 * time, when `p` is a real folder, it is moved aside to `p.restore-old-<id>` first. Idempotent: a
 * switch interrupted at any point is finished by calling it again.
 */
export async function switchTo(p: string, staging: string, id: string): Promise<void> {
  const dir = path.dirname(p);
  if ((await liveTarget(p)) === staging) return;
  const link = `${p}.restore-link-${id}`;
  await rm(link, { force: true });
  await symlink(path.basename(staging), link, 'dir');
  let st;
  try {
    st = await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (st && !st.isSymbolicLink()) {
    await rename(p, `${p}.restore-old-${id}`);
    await fsyncDir(dir);
    if (crashAt === 'after-move-aside') throw new Error('test crash after moving the old store aside');
  }
  await rename(link, p);
  await fsyncDir(dir);
}

/**
 * Removes what restores left beside `p`: `p.store-*` other than the live target and `keep`,
 * `p.restore-*` other than the journal, and `p.old-*` (older versions' swap folders).
 */
export async function sweepLeftovers(p: string, keep?: string): Promise<string[]> {
  const dir = path.dirname(p);
  const base = path.basename(p);
  const live = await liveTarget(p);
  const journal = path.basename(journalPath(p));
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    // A new Alpha whose folder's parent does not exist yet: nothing to sweep.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return removed;
    throw err;
  }
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const full = path.join(dir, name);
    if (full === live || full === keep || name === journal) continue;
    if (keep !== undefined && full.startsWith(`${keep}.`)) continue;
    const rest = name.slice(base.length + 1);
    if (rest.startsWith('store-') || rest.startsWith('restore-') || rest.startsWith('old-')) {
      await rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return removed;
}

/** Throws away a staged restore: its store, then its journal. */
export async function rollBack(p: string, j: RestoreJournal): Promise<void> {
  await rm(j.staging, { recursive: true, force: true });
  await rm(`${j.staging}.restore-staging`, { recursive: true, force: true });
  await removeJournal(p);
}

/**
 * Start-up, before the store is opened: finishes a decided switch, rolls back an unfinished
 * staging, removes leftovers. Returns the journal still waiting for Zero's decision (`staged`).
 */
export async function recoverFiles(p: string): Promise<RestoreJournal | undefined> {
  let j = await readJournal(p);
  if (j?.state === 'switching') {
    await switchTo(p, j.staging, j.id);
    await removeJournal(p);
    j = undefined;
  } else if (j?.state === 'staging') {
    await rollBack(p, j);
    j = undefined;
  } else if (j?.state === 'staged' && (await missing(j.staging))) {
    await removeJournal(p);
    j = undefined;
  }
  await rm(`${journalPath(p)}.tmp`, { force: true });
  await sweepLeftovers(p, j?.staging);
  return j;
}
