/**
 * An Alpha's own metrics: backups and online restores (as coordinator and as a group), decoder and
 * checksum errors, lock waits, and its store. Names follow Prometheus' rules (base units, `_total`
 * counters); every one is listed in the README ("Monitoring").
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ChecksumMismatchError, StrataError, type PostingStore } from '@strata/core';

/** Backup and restore durations: 10 ms to 4 h. */
const LONG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400];
/** Lock waits: 100 µs to 1 min. */
const WAIT_BUCKETS = [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

const DESTINATION_KINDS = ['file', 's3', 'minio'] as const;

/** `file`, `s3` or `minio`: the kind of a location, from its description (never its credentials). */
export function destinationKind(describe: string): (typeof DESTINATION_KINDS)[number] {
  if (describe.startsWith('s3://')) return 's3';
  if (describe.startsWith('minio://')) return 'minio';
  return 'file';
}

/** The codes of a backup file that cannot be decoded (strata_decode_errors_total's `code`). */
const DECODE_CODES: ReadonlySet<string> = new Set([
  'CORRUPT',
  'TRUNCATED',
  'TOO_LARGE',
  'EMPTY',
  'WRONG_KEY',
  'ENCRYPTED_NO_KEY',
  'UNSUPPORTED_COMPRESSION',
]);

export type BackupPhase = 'plan' | 'snapshot' | 'encode' | 'upload' | 'manifest';
export type RestorePhase = 'check' | 'stage' | 'switch';

export class AlphaMetrics {
  readonly backupsStarted: Counter<'type' | 'destination_kind'>;
  readonly backupsSucceeded: Counter<'type' | 'destination_kind'>;
  readonly backupsFailed: Counter<'type' | 'destination_kind'>;
  readonly backupLastSuccess: Gauge<'destination'>;
  readonly backupDuration: Histogram<'type'>;
  readonly backupPhase: Histogram<'phase'>;
  readonly backupBytes: Counter<'group'>;
  readonly backupFiles: Counter<'group'>;
  readonly backupKeys: Counter<'group'>;
  readonly restoresStarted: Counter<'destination_kind'>;
  readonly restoresSucceeded: Counter<'destination_kind'>;
  readonly restoresFailed: Counter<'destination_kind'>;
  readonly restoreInProgress: Gauge;
  readonly restoreBytesDone: Gauge<'group'>;
  readonly restoreBytesTotal: Gauge<'group'>;
  readonly restoreKeysDone: Gauge<'group'>;
  readonly restorePhase: Histogram<'phase'>;
  readonly decodeErrors: Counter<'code'>;
  readonly checksumErrors: Counter;
  readonly lockWait: Histogram<'lock'>;
  readonly lockRefusals: Counter<'lock'>;

  constructor(
    registry: Registry,
    /** The group's live store (an online restore replaces it) and its folder, read at each scrape. */
    store?: { group: number; dataDir: string; current: () => PostingStore },
  ) {
    const registers = [registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const kinds = ['type', 'destination_kind'] as const;
    this.backupsStarted = counter(
      'strata_backups_started_total',
      'Backups this Alpha coordinated, by type (full, incremental; unknown when refused before the plan) and destination kind',
      kinds,
    );
    this.backupsSucceeded = counter(
      'strata_backups_succeeded_total',
      'Backups this Alpha coordinated that wrote their manifest',
      kinds,
    );
    this.backupsFailed = counter(
      'strata_backups_failed_total',
      'Backups this Alpha coordinated that failed (no manifest lists them)',
      kinds,
    );
    this.backupLastSuccess = gauge(
      'strata_backup_last_success_timestamp_seconds',
      'Unix time of the last backup this Alpha completed, by destination (without credentials)',
      ['destination'],
    );
    this.backupDuration = new Histogram({
      name: 'strata_backup_duration_seconds',
      help: 'Whole backups this Alpha coordinated, lock to manifest, by type',
      labelNames: ['type'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.backupPhase = new Histogram({
      name: 'strata_backup_phase_duration_seconds',
      help:
        'Backup phases: plan and manifest on the coordinator; snapshot (opening the read view), ' +
        'encode (waiting for the native encoder) and upload (waiting for the destination) per group file',
      labelNames: ['phase'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.backupBytes = counter(
      'strata_backup_bytes_written_total',
      'Bytes of backup files this Alpha wrote for its group',
      ['group'],
    );
    this.backupFiles = counter('strata_backup_files_written_total', 'Backup files this Alpha wrote', [
      'group',
    ]);
    this.backupKeys = counter(
      'strata_backup_keys_written_total',
      'Keys (KV entries) in the backup files this Alpha wrote',
      ['group'],
    );
    this.restoresStarted = counter(
      'strata_restores_started_total',
      'Online restores this Alpha coordinated, by destination kind',
      ['destination_kind'],
    );
    this.restoresSucceeded = counter(
      'strata_restores_succeeded_total',
      'Online restores this Alpha coordinated that switched every group',
      ['destination_kind'],
    );
    this.restoresFailed = counter(
      'strata_restores_failed_total',
      'Online restores this Alpha coordinated that failed (every group kept its data)',
      ['destination_kind'],
    );
    this.restoreInProgress = gauge(
      'strata_restore_in_progress',
      '1 while this Alpha coordinates an online restore',
      [],
    );
    this.restoreBytesDone = gauge(
      'strata_restore_bytes_done',
      'Backup bytes the current (or last) online restore has read, by group',
      ['group'],
    );
    this.restoreBytesTotal = gauge(
      'strata_restore_bytes_total',
      'Backup bytes the current (or last) online restore reads in all, by group',
      ['group'],
    );
    this.restoreKeysDone = gauge(
      'strata_restore_keys_done',
      'Keys the current (or last) online restore has written, by group',
      ['group'],
    );
    this.restorePhase = new Histogram({
      name: 'strata_restore_phase_duration_seconds',
      help: 'Online restore phases: check (manifests, checksums, key), stage (each group loads its part), switch (every group takes it)',
      labelNames: ['phase'],
      buckets: LONG_BUCKETS,
      registers,
    });
    this.decodeErrors = counter(
      'strata_decode_errors_total',
      'Backup files this Alpha refused to decode, by error code (CORRUPT, TOO_LARGE, BAD_KEY, ...)',
      ['code'],
    );
    this.checksumErrors = new Counter({
      name: 'strata_checksum_errors_total',
      help: "Backup files whose bytes did not match their manifest's sha256",
      registers,
    });
    this.lockWait = new Histogram({
      name: 'strata_lock_wait_seconds',
      help: "Time spent waiting for a lock: commit (a commit's turn at the store), backup (Zero's backup/restore lock)",
      labelNames: ['lock'],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.lockRefusals = counter(
      'strata_lock_refusals_total',
      'Backups and restores refused because another one held the lock',
      ['lock'],
    );
    // Every outcome of every type and kind starts at 0, so that a dashboard shows 0 and `increase()`
    // sees the first failure (a counter born at 1 has no increase).
    for (const destination_kind of DESTINATION_KINDS) {
      for (const type of ['full', 'incremental']) {
        for (const c of [this.backupsStarted, this.backupsSucceeded, this.backupsFailed])
          c.inc({ type, destination_kind }, 0);
      }
      for (const c of [this.restoresStarted, this.restoresSucceeded, this.restoresFailed])
        c.inc({ destination_kind }, 0);
    }
    this.lockRefusals.inc({ lock: 'backup' }, 0);
    for (const code of DECODE_CODES) this.decodeErrors.inc({ code }, 0);
    if (store) {
      const group = String(store.group);
      new Gauge({
        name: 'strata_store_size_bytes',
        help: "Disk space the group's posting store takes (its files' allocated blocks)",
        labelNames: ['group'],
        registers,
        collect() {
          // LMDB's file, or a store encrypted at rest's SQLCipher file and its log.
          let blocks = 0;
          for (const f of ['data.mdb', 'sealed.db', 'sealed.db-wal']) {
            try {
              blocks += statSync(path.join(store.dataDir, f)).blocks;
            } catch {
              // Not this kind of store, or being swapped by a restore.
            }
          }
          if (blocks > 0) this.set({ group }, blocks * 512);
        },
      });
      new Gauge({
        name: 'strata_store_keys',
        help: "Entries in the group's posting store (key versions)",
        labelNames: ['group'],
        registers,
        collect() {
          try {
            this.set({ group }, store.current().entries());
          } catch {
            // A closed store (being swapped by a restore): no sample this scrape.
          }
        },
      });
    }
  }

  /** Counts a restore's error when a backup file caused it: a checksum mismatch or a decoder's refusal. */
  countFileError(err: unknown): void {
    if (err instanceof ChecksumMismatchError) this.checksumErrors.inc();
    else if (err instanceof StrataError && DECODE_CODES.has(err.code))
      this.decodeErrors.inc({ code: err.code });
  }
}
