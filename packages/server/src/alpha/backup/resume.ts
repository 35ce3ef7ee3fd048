/**
 * The coordinator's side of resumable backups (docs/design/resume.md): which interrupted backup
 * of a location to continue (core's journal decides whether it still fits), which of its group
 * files to keep (their sha256 read back equals the journal's), and the clean-up of what a failed
 * or discarded backup left in its folder (files, and incomplete multipart uploads on S3/MinIO).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  backupFilePath,
  fileSha256,
  findInterrupted,
  findStrayFolders,
  journalPath,
  RESUME_JOURNAL_FILE,
  resumeMismatch,
  type BackupPlan,
  type Destination,
  type ResumeContext,
  type ResumeJournal,
} from '@strata/core';
import type { FastifyBaseLogger } from 'fastify';
import { message } from './coordination.js';

/**
 * The files a backup of journal `j` may have begun to upload: its group files and the journal
 * (stores that list incomplete uploads only by exact key, as MinIO, are asked about each).
 */
export function journalFiles(j: Pick<ResumeJournal, 'folder' | 'readTs' | 'groups'>): string[] {
  return [...[...j.groups.keys()].map((g) => backupFilePath(j, g)), journalPath(j.folder)];
}

/** What the scan of a location's interrupted backups decided. */
export interface ResumeChoice {
  /** The interrupted backup to continue, if any fits. */
  journal?: ResumeJournal;
  /** Interrupted backups discarded (their folders removed), each with why. */
  discarded: { folder: string; reason: string }[];
}

/**
 * Scans the location for interrupted backups. With `resume`, the newest whose plan still fits is
 * chosen; every other interrupted backup (all of them without `resume`) is discarded: its folder
 * is removed. A folder whose journal cannot be read is left alone (logged): nothing is deleted on
 * the word of a file Strata cannot read. A journal left in a listed folder (a crash between the
 * manifest and the journal's removal) is deleted, and so is a folder a crash left before its
 * journal was written (core's findStrayFolders).
 */
export async function chooseResume(
  dest: Destination,
  ctx: ResumeContext,
  resume: boolean,
  log: FastifyBaseLogger,
): Promise<ResumeChoice> {
  const found = await findInterrupted(dest, ctx.existing).catch((err: unknown) => {
    log.warn({ err: message(err) }, 'backup: could not look for interrupted backups');
    return [];
  });
  const choice: ResumeChoice = { discarded: [] };
  for (const f of found) {
    if (f.listed) {
      await dest.delete(`${f.folder}/${RESUME_JOURNAL_FILE}`).catch(() => undefined);
      continue;
    }
    if (!f.journal) {
      log.warn(
        { folder: f.folder, err: f.error },
        'backup: an unlisted folder has a resume journal that cannot be read: left alone',
      );
      continue;
    }
    const reason = !resume
      ? 'resume not asked for'
      : choice.journal
        ? `a newer interrupted backup (${choice.journal.folder}) is resumed`
        : resumeMismatch(f.journal, ctx);
    if (reason === undefined) {
      choice.journal = f.journal;
      continue;
    }
    await discard(dest, choice, f.folder, reason, log, journalFiles(f.journal));
  }
  // A coordinator killed while it wrote a new backup's journal leaves a folder without one.
  const stray = await findStrayFolders(dest, ctx.existing).catch((err: unknown) => {
    log.warn({ err: message(err) }, 'backup: could not look for folders left without a journal');
    return [];
  });
  for (const folder of stray)
    await discard(dest, choice, folder, 'a crash left it before its resume journal was written', log);
  return choice;
}

/** Removes an interrupted backup's folder and records why in the choice. */
async function discard(
  dest: Destination,
  choice: ResumeChoice,
  folder: string,
  reason: string,
  log: FastifyBaseLogger,
  paths: readonly string[] = [],
): Promise<void> {
  await removeFolder(dest, folder, log, paths);
  choice.discarded.push({ folder, reason });
  log.info({ folder, reason }, `backup: discarded interrupted backup ${folder}: ${reason}`);
}

/**
 * The groups of an interrupted backup whose files can be kept: the journal records them and
 * the file's sha256 and size read back now are the recorded ones. Every other group is rewritten.
 */
export async function keptGroups(
  dest: Destination,
  plan: Pick<BackupPlan, 'folder' | 'readTs'>,
  j: ResumeJournal,
  log: FastifyBaseLogger,
): Promise<{ kept: number[]; rewrite: number[] }> {
  const kept: number[] = [];
  const rewrite: number[] = [];
  for (const g of j.groups.keys()) {
    const done = j.done.get(g);
    if (done) {
      const file = backupFilePath(plan, g);
      const now = await fileSha256(dest, file).catch((err: unknown) => {
        log.warn({ file, err: message(err) }, 'backup: a kept group file cannot be read back: rewritten');
        return undefined;
      });
      if (now && now.sha256 === done.sha256 && now.bytes === done.bytes) {
        kept.push(g);
        continue;
      }
      if (now) log.warn({ file }, 'backup: a kept group file does not match its journal checksum: rewritten');
    }
    rewrite.push(g);
  }
  return { kept, rewrite };
}

/**
 * Aborts the incomplete multipart uploads under the folder (S3, MinIO; `paths`: the files looked
 * up by exact key as well, see {@link journalFiles}); the number aborted, 0 where the destination
 * has none. Best effort: a failure is logged.
 */
export async function abortUploads(
  dest: Destination,
  folder: string,
  log: FastifyBaseLogger,
  paths: readonly string[] = [],
): Promise<number> {
  if (!dest.abortIncompleteUploads) return 0;
  try {
    const n = await dest.abortIncompleteUploads(`${folder}/`, paths);
    if (n > 0) log.info({ folder, aborted: n }, `backup: aborted ${n} incomplete upload(s) under ${folder}`);
    return n;
  } catch (err) {
    log.warn({ folder, err: message(err) }, 'backup: could not abort incomplete uploads');
    return 0;
  }
}

/**
 * Best effort: removes the files of the folder but those named in `keep` (base names), and
 * aborts its incomplete uploads (`paths`: see {@link journalFiles}). Returns the number aborted.
 */
export async function clearFolder(
  dest: Destination,
  folder: string,
  keep: ReadonlySet<string>,
  log: FastifyBaseLogger,
  paths: readonly string[] = [],
): Promise<number> {
  try {
    const files: string[] = [];
    for await (const f of dest.list(`${folder}/`)) if (!keep.has(path.posix.basename(f))) files.push(f);
    await Promise.allSettled(files.map((f) => dest.delete(f)));
  } catch (err) {
    log.warn({ folder, err: message(err) }, 'could not remove the files of a failed backup');
  }
  return abortUploads(dest, folder, log, paths);
}

/** Best effort: removes every file of the folder, the folder itself (local) and its uploads. */
export async function removeFolder(
  dest: Destination,
  folder: string,
  log: FastifyBaseLogger,
  paths: readonly string[] = [],
): Promise<number> {
  const aborted = await clearFolder(dest, folder, new Set(), log, paths);
  const local = (dest as { resolve?: (rel: string) => string }).resolve;
  if (typeof local === 'function') {
    await rm(local.call(dest, folder), { recursive: true, force: true }).catch((err: unknown) =>
      log.warn({ folder, err: message(err) }, 'could not remove the folder of a failed backup'),
    );
  }
  return aborted;
}
