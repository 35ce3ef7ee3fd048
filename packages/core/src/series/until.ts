/**
 * Point-in-time restore: the newest backup at or before a read timestamp or a time, and the chain
 * that ends with it (the series' full backup up to that backup).
 */
import { InvalidArgumentError, SeriesError } from '../errors.js';
import { backupFolderTime } from '../list/list.js';
import type { BackupManifest } from '../manifest/model.js';

/** `--until`: a read timestamp (the cluster's logical clock) or a UTC time. */
export type UntilPoint = { readTs: bigint } | { time: Date };

/** The backup `--until` chose, and why (for the user: "which one it chose"). */
export interface UntilChoice {
  backupId: string;
  backupNum: number;
  readTs: bigint;
  path: string;
  /** The backup's time from its folder name (ISO 8601, UTC), or null. */
  time: string | null;
  /** One line: what was asked and what was chosen. */
  reason: string;
}

const MAX_TS = (1n << 64n) - 1n;
/** ISO 8601 with a time zone (Z or ±hh:mm), or a bare date (taken as 00:00 UTC). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * Parses `--until` (the CLI) or `until` (the `restore` mutation): digits are a read timestamp; otherwise an ISO 8601 time with its time zone
 * (`2026-12-01T10:00:00Z`, `2026-12-01T11:00+01:00`) or a date (`2026-12-01`, 00:00 UTC). A time
 * without a zone is refused: the backup folders' times are UTC, and guessing a zone would pick
 * another backup.
 */
export function parseUntil(text: string): UntilPoint {
  const s = text.trim();
  if (/^\d+$/.test(s)) {
    const readTs = BigInt(s);
    if (readTs === 0n || readTs > MAX_TS) {
      throw new InvalidArgumentError(`until ${s}: a read timestamp is between 1 and 2^64-1`);
    }
    return { readTs };
  }
  if (!ISO_TIME.test(s)) {
    throw new InvalidArgumentError(
      `until ${JSON.stringify(text)}: give a read timestamp (digits) or an ISO 8601 time with its zone, ` +
        `e.g. 2026-12-01T10:00:00Z or 2026-12-01 (00:00 UTC)`,
    );
  }
  const time = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s.replace(' ', 'T'));
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError(`until ${JSON.stringify(text)}: not a valid date or time`);
  }
  return { time };
}

function describe(until: UntilPoint): string {
  return 'readTs' in until ? `read timestamp ${until.readTs}` : until.time.toISOString();
}

/**
 * The newest backup at or before `until` (of series `backupId` when given, else of any series):
 * by read timestamp, or by the time in its folder name (backups whose folder has no time cannot
 * be chosen by time). Ties go to the later manifest. Throws a SeriesError naming the oldest backup
 * when none is that old.
 */
export function chooseUntil(
  manifests: readonly BackupManifest[],
  until: UntilPoint,
  backupId?: string,
): UntilChoice {
  const pool = backupId === undefined ? manifests : manifests.filter((m) => m.backupId === backupId);
  if (pool.length === 0) {
    throw new SeriesError(
      backupId === undefined
        ? 'no backups found at the location'
        : `no backup with backup_id ${backupId} at the location`,
    );
  }
  const byTs = 'readTs' in until;
  let best: { m: BackupManifest; at: bigint; time: string | null } | undefined;
  let oldest: { m: BackupManifest; at: bigint } | undefined;
  for (const m of pool) {
    const time = backupFolderTime(m.path);
    let at: bigint;
    if (byTs) at = m.readTs;
    else if (time === null) continue;
    else at = BigInt(Date.parse(time));
    if (oldest === undefined || at < oldest.at) oldest = { m, at };
    const limit = byTs ? until.readTs : BigInt(until.time.getTime());
    if (at <= limit && (best === undefined || at >= best.at)) best = { m, at, time };
  }
  if (best === undefined) {
    const first =
      oldest === undefined
        ? 'no backup there has a time in its folder name'
        : `the oldest is ${oldest.m.backupId} #${oldest.m.backupNum} (${
            byTs ? `read timestamp ${oldest.m.readTs}` : backupFolderTime(oldest.m.path)
          })`;
    throw new SeriesError(
      `no backup at or before ${describe(until)}${backupId ? ` in series ${backupId}` : ''}: ${first}`,
    );
  }
  const { m, time } = best;
  return {
    backupId: m.backupId,
    backupNum: m.backupNum,
    readTs: m.readTs,
    path: m.path,
    time,
    reason:
      `until ${describe(until)}: chose backup ${m.backupId} #${m.backupNum} (${m.type}, read timestamp ` +
      `${m.readTs}${time ? `, taken ${time}` : ''}), the newest at or before it`,
  };
}
