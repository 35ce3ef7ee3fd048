/** The status of an online restore as one line (no vscode import). */
import type { RestoreStatus } from '@strata/core';

/** "restore 3: OK", "restore 3: ERR — a; b". */
export function formatRestoreStatus(restoreId: number, s: RestoreStatus): string {
  return `restore ${restoreId}: ${s.status}${s.errors.length > 0 ? ` — ${s.errors.join('; ')}` : ''}`;
}
