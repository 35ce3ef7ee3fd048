/**
 * What a coordinator asks of each group's Alpha (`/internal/backup`, `/internal/restore`) and
 * what the group answers. Credentials and keys travel only in these bodies, between Alphas
 * (token protected); they are never logged nor returned.
 */
import type { SelectionWire } from './inputs.js';
import type {
  BackupDropOperation,
  DestinationCredentials,
  ManifestLayout,
  RestoreGroupProgress,
} from '@strata/core';

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
  /** The predicates backed up, in every namespace that has them (namespace as a decimal string). */
  predicates: { namespace: string; name: string }[];
  dropOperations: { op: BackupDropOperation['op']; value?: string; namespace?: string; commitTs?: string }[];
}

/** `/internal/restore` body (phase 1: stage). */
export interface GroupRestoreRequest extends DestinationCredentials {
  /** The restore's id (a UUID; the key of Zero's decision). */
  restoreId: string;
  /** The coordinating Alpha's address. */
  coordinator: string;
  location: string;
  backupId?: string;
  backupNum?: number;
  restoreTs: string;
  /** base64 */
  key?: string;
  /** Partial restore: what is restored. */
  selection?: SelectionWire;
  /** The cluster's group count (the restore's layout: re-sharded when it differs from the backup's). */
  targetGroups?: number;
}

export interface GroupRestoreResult {
  maxUid: string;
  maxNsId: string;
  keys: number;
}

/**
 * `/internal/restore/progress`: how far a group's stage has come (`phase` `checksums`, then `load`;
 * `staged` once done). Totals are absent when the location gives no file sizes.
 */
export type GroupRestoreProgress = Omit<RestoreGroupProgress, 'group'>;

/** `/internal/restore/finish` body (phase 2: the decision recorded at Zero). */
export interface GroupRestoreFinish {
  restoreId: string;
  outcome: 'commit' | 'abort';
}
