/**
 * Binary backup and online restore (format spec §9–§11), as the Alpha's `/admin` resolvers and
 * `/internal` routes call them: one object over the coordinators (./cluster-backup.ts,
 * ./online-restore.ts) and this group's handlers (./group-handlers.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import {
  expireBackups,
  listBackups,
  openDestination,
  type BackupListing,
  type ExpireResult,
  type KeyProvider,
  type VerifyReport,
} from '@strata/core';
import type { AlphaMetrics } from '../../metrics/alpha.js';
import type { Cluster } from '../cluster.js';
import { ClusterBackup, type BackupPayload, type BackupProgress } from './cluster-backup.js';
import { closeDest, Coordination } from './coordination.js';
import { GroupHandlers } from './group-handlers.js';
import type {
  GroupBackupRequest,
  GroupBackupResult,
  GroupRestoreFinish,
  GroupRestoreProgress,
  GroupRestoreRequest,
  GroupRestoreResult,
} from './group-requests.js';
import {
  checkExpireInput,
  destinationCredentials,
  openRestoreLocation,
  type BackupInput,
  type ExpireBackupsInput,
  type ListBackupsInput,
  type RestoreInput,
  type VerifyBackupsInput,
} from './inputs.js';
import {
  OnlineRestore,
  type PlannedRestore,
  type RestorePayload,
  type RestoreStatus,
} from './online-restore.js';
import type { RestoreDirs } from './restore-dirs.js';
import { RestoreParticipant } from './restore-participant.js';
import { verifyBackups } from './verify-backups.js';

export interface BackupServiceOptions {
  cluster: Cluster;
  keyProvider?: KeyProvider | undefined;
  dataDir: string;
  version: string;
  log: FastifyBaseLogger;
  /** `--restore_dirs`: where restore requests may name files. */
  restoreDirs: RestoreDirs;
  metrics: AlphaMetrics;
}

export class BackupService {
  private readonly cluster: Cluster;
  private readonly group: GroupHandlers;
  private readonly clusterBackup: ClusterBackup;
  private readonly onlineRestore: OnlineRestore;
  private readonly co: Coordination;
  private readonly restoreDirs: RestoreDirs;
  private readonly keyProvider: KeyProvider | undefined;
  /** This group's side of online restores. */
  readonly participant: RestoreParticipant;

  constructor(opts: BackupServiceOptions) {
    this.cluster = opts.cluster;
    const co = new Coordination(opts.cluster, opts.log, opts.metrics);
    this.co = co;
    this.restoreDirs = opts.restoreDirs;
    this.keyProvider = opts.keyProvider;
    this.group = new GroupHandlers(opts.cluster, opts.metrics, opts.log);
    this.participant = new RestoreParticipant(opts.cluster, opts.dataDir, opts.log, opts.metrics);
    this.clusterBackup = new ClusterBackup(co, this.group, opts.keyProvider, opts.version);
    this.onlineRestore = new OnlineRestore(
      co,
      this.participant,
      opts.keyProvider,
      opts.dataDir,
      opts.restoreDirs,
    );
  }

  /** `/admin` `backup`: a backup of the whole cluster. */
  backup(input: BackupInput): Promise<BackupPayload> {
    return this.clusterBackup.run(input);
  }

  /** `/admin` `backupProgress` (Strata's): this coordinator's running or last backup. */
  backupProgress(): BackupProgress | null {
    return this.clusterBackup.progress();
  }

  /** `/internal/backup/progress`: bytes of a group file this Alpha is writing. */
  groupBackupProgress(path: string): { bytes: number | null } {
    return this.group.progress(path);
  }

  /** `/admin` `listBackups`. */
  async listBackups(input: ListBackupsInput): Promise<BackupListing[]> {
    const dest = openDestination(input.location, destinationCredentials(input));
    try {
      return await listBackups({ location: dest });
    } finally {
      closeDest(dest);
    }
  }

  /**
   * `/admin` `expireBackups`: applies retention rules to a location (core's expireBackups). A
   * local location must lie inside `--restore_dirs` when that is given, as for `restore`. Holds
   * Zero's backup/restore lock for the whole run (a dry run too: its plan is then what a run
   * would do), so it never overlaps a backup or a restore.
   */
  async expireBackups(input: ExpireBackupsInput): Promise<ExpireResult> {
    checkExpireInput(input);
    const dest = await openRestoreLocation(input, this.restoreDirs);
    try {
      const lease = await this.co.lease('expire', `expire of ${dest.describe()}`);
      try {
        const result = await expireBackups({
          location: dest,
          keepLast: input.keepLast ?? undefined,
          keepWithin: input.keepWithin || undefined,
          keepSeries: input.keepSeries ?? undefined,
          dryRun: input.dryRun === true,
          // Stop before changing the manifest or deleting files if the lock was lost meanwhile.
          checkpoint: () => lease.confirm(),
        });
        this.co.log.info(
          {
            location: dest.describe(),
            dryRun: result.dryRun,
            removed: result.remove.map((b) => b.path),
            kept: result.keep.length,
          },
          result.dryRun ? 'expire planned (dry run)' : 'expire done',
        );
        return result;
      } finally {
        await lease.release();
      }
    } finally {
      closeDest(dest);
    }
  }

  /** `/admin` `restore`: checks, then starts an online restore in the background. */
  restore(input: RestoreInput): Promise<RestorePayload> {
    return this.onlineRestore.start(input);
  }

  /** `/admin` `restorePlan` (Strata's): the restore's checks and plan, changing nothing. */
  restorePlan(input: RestoreInput): Promise<PlannedRestore> {
    return this.onlineRestore.plan(input);
  }

  /** `/admin` `verifyBackups` (Strata's): `strata verify [--deep]` of a location. */
  verifyBackups(input: VerifyBackupsInput): Promise<VerifyReport> {
    return verifyBackups(input, this.keyProvider, this.restoreDirs, this.co.log);
  }

  restoreStatus(id: number): RestoreStatus {
    return this.onlineRestore.status(id);
  }

  /** `/internal/backup`. */
  groupBackup(req: GroupBackupRequest): Promise<GroupBackupResult> {
    return this.group.backup(req);
  }

  /** `/internal/restore` (phase 1: stage). */
  groupRestore(req: GroupRestoreRequest): Promise<GroupRestoreResult> {
    return this.participant.stage(req);
  }

  /** `/internal/restore/finish` (phase 2: switch or roll back). */
  groupRestoreFinish(req: GroupRestoreFinish): Promise<{ finished: boolean }> {
    return this.participant.finish(req.restoreId, req.outcome);
  }

  /** `/internal/restore/progress`: this group's stage of restore `id`. */
  groupRestoreProgress(id: string): { progress: GroupRestoreProgress | null } {
    return { progress: this.participant.progressOf(id) ?? null };
  }

  /** `/internal/restore/running`: whether this Alpha still coordinates restore `id`. */
  restoreRunning(id: string): { running: boolean } {
    return { running: this.participant.coordinating.has(id) };
  }

  /** `/internal/forget-tablets`. */
  forgetTablets(): void {
    this.cluster.forgetCaches();
  }
}
