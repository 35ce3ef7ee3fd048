/** The status of an online restore as one line, and its progress for a progress notification (no vscode import). */
import type { RestoreStatus } from '@strata/core';

/** "restore 3: OK", "restore 3: ERR — a; b". */
export function formatRestoreStatus(restoreId: number, s: RestoreStatus): string {
  return `restore ${restoreId}: ${s.status}${s.errors.length > 0 ? ` — ${s.errors.join('; ')}` : ''}`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * What a progress notification shows of a restore: its phase (the slowest group's), bytes and
 * keys, and the percentage done when every group knows its total (undefined otherwise).
 * "load: 12.3 MB of 45.6 MB, 120,000 keys (groups 1 load, 2 staged)".
 */
export function restoreProgressLine(s: RestoreStatus): { message: string; percent: number | undefined } {
  const p = s.progress;
  if (!p) return { message: s.status, percent: undefined };
  const order = ['checksums', 'load', 'failed', 'staged'];
  const slowest = [...p.groups].sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase))[0];
  const phase = slowest?.phase ?? s.status;
  const bytes = p.bytesTotal === undefined ? mb(p.bytesDone) : `${mb(p.bytesDone)} of ${mb(p.bytesTotal)}`;
  const groups = p.groups.map((g) => `${g.group} ${g.phase}`).join(', ');
  const percent =
    p.bytesTotal !== undefined && p.bytesTotal > 0
      ? Math.min(100, (100 * p.bytesDone) / p.bytesTotal)
      : undefined;
  return {
    message: `${phase}: ${bytes}, ${p.keysDone.toLocaleString('en-US')} keys (groups ${groups})`,
    percent,
  };
}
