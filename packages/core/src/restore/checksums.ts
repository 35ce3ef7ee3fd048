/**
 * Restore's checksum check: before anything is written, every data file of the chain whose
 * manifest carries a sha256 (Strata's manifests) is read end to end and compared. Dgraph's
 * manifests carry none; their files are decode-checked as they are loaded.
 */
import { createHash } from 'node:crypto';
import { ChecksumMismatchError, StrataError } from '../errors.js';
import type { Destination } from '../destinations/types.js';
import { displayPath } from '../manifest/read.js';
import { dataFileName, dataFilePath, type BackupManifest } from '../manifest/model.js';
import { sumSizes, type PhaseProgress } from '../util/progress.js';

/** The sha256 (hex) of a file of the location, streamed; `onBytes` is told each chunk's length. */
export async function sha256Of(
  dest: Destination,
  rel: string,
  onBytes?: (n: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  const s = dest.read(rel);
  try {
    for await (const c of s as AsyncIterable<Buffer>) {
      hash.update(c);
      onBytes?.(c.length);
    }
  } catch (err) {
    if (err instanceof StrataError) throw err;
    const shown = displayPath(dest, rel);
    throw new StrataError('IO', `cannot read ${shown}: ${(err as Error).message}`, {
      file: shown,
      cause: err,
    });
  } finally {
    s.destroy();
  }
  return hash.digest('hex');
}

/** The sha256 the manifest gives for a group's file, if any. */
export function expectedSha256(m: BackupManifest, group: number): string | undefined {
  return m.checksums?.[dataFileName(m, group)];
}

/** Throws ChecksumMismatchError (CORRUPT) naming the file unless its bytes have the manifest's sha256. */
export function checkSha256(dest: Destination, m: BackupManifest, group: number, got: string): void {
  const want = expectedSha256(m, group);
  if (want === undefined || got === want) return;
  const shown = displayPath(dest, dataFilePath(m, group));
  throw new ChecksumMismatchError(
    `checksum mismatch in ${shown} (group ${group} of backup ${m.backupId} #${m.backupNum}): ` +
      `the manifest says sha256 ${want}, the file has ${got}; nothing was restored`,
    { file: shown },
  );
}

/** Progress of {@link checkChainChecksums}: the file sizes by `${backupNum}/${group}`, and where to report. */
export interface ChecksumProgress {
  sizes: ReadonlyMap<string, number | undefined>;
  report: (p: PhaseProgress) => void;
}

/**
 * Checks the sha256 of every file of `backups` (restricted to `groups`) that has one; with
 * `progress`, reports phase `checksums` (bytes read, files done) when there is any such file.
 */
export async function checkChainChecksums(
  dest: Destination,
  backups: readonly BackupManifest[],
  groups: ReadonlySet<number> | undefined,
  progress?: ChecksumProgress,
): Promise<void> {
  const todo: Array<[BackupManifest, number]> = [];
  for (const m of backups) {
    for (const g of [...m.groups.keys()].sort((a, b) => a - b)) {
      if (groups !== undefined && !groups.has(g)) continue;
      if (expectedSha256(m, g) === undefined) continue;
      todo.push([m, g]);
    }
  }
  if (todo.length === 0) return;
  const bytesTotal = sumSizes(todo.map(([m, g]) => progress?.sizes.get(`${m.backupNum}/${g}`)));
  let bytesDone = 0;
  let items = 0;
  const report = (): void =>
    progress?.report({ phase: 'checksums', bytesDone, bytesTotal, items, itemsTotal: todo.length });
  report();
  const onBytes =
    progress &&
    ((n: number) => {
      bytesDone += n;
      report();
    });
  for (const [m, g] of todo) {
    checkSha256(dest, m, g, await sha256Of(dest, dataFilePath(m, g), onBytes));
    items++;
    report();
  }
}
