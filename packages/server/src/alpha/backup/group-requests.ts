/**
 * What a coordinator asks of each group's Alpha (`/internal/backup`, `/internal/restore`) and
 * what the group answers. Credentials and keys travel only in these bodies, between Alphas
 * (token protected); they are never logged nor returned.
 */
import type { BackupDropOperation, DestinationCredentials, ManifestLayout } from '@strata/core';

/** `/internal/backup` body. */
export interface GroupBackupRequest extends DestinationCredentials {
  destination: string;
  path: string;
  readTs: string;
  since: string;
  predicates: string[];
  format: ManifestLayout;
  /** base64 */
  key?: string;
}

export interface GroupBackupResult {
  bytes: number;
  sha256: string;
  kvs: number;
  dropOperations: { op: BackupDropOperation['op']; value?: string; namespace?: string; commitTs?: string }[];
}

/** `/internal/restore` body. */
export interface GroupRestoreRequest extends DestinationCredentials {
  location: string;
  backupId?: string;
  backupNum?: number;
  restoreTs: string;
  /** base64 */
  key?: string;
}

export interface GroupRestoreResult {
  maxUid: string;
  maxNsId: string;
  keys: number;
}
