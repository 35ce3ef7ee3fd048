/**
 * The backup coordinator (the Alpha that receives the `/admin` `backup` mutation, spec §9, §11):
 * takes Zero's cluster-wide lock, gets `readTs` from the oracle, plans the series at the
 * destination, asks every group's Alpha for its file, and writes the manifest last (compare-and-
 * swap on the master manifest). A failed group, a lost lease or a failed manifest write removes
 * what was written: a backup either is complete and listed, or no manifest lists it.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  backupFilePath,
  keyFingerprint,
  manifestLists,
  openDestination,
  planBackup,
  readLocation,
  toManifestDrop,
  writeManifest,
  type Destination,
  type KeyProvider,
  type PredicateName,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import { destinationKind } from '../../metrics/alpha.js';
import { closeDest, message, secondsSince, type Coordination } from './coordination.js';
import type { GroupHandlers } from './group-handlers.js';
import type { GroupBackupRequest, GroupBackupResult } from './group-requests.js';
import { checkBackupInput, destinationCredentials, type BackupInput } from './inputs.js';

export interface BackupPayload {
  response: { code: string; message: string };
  taskId: string;
}

type WireDrop = GroupBackupResult['dropOperations'][number];

/** How often the coordinator asks the groups how many bytes they have written. */
const PROGRESS_POLL_MS = 1000;

/** `/admin` `backupProgress` (Strata's): the running backup of this coordinator, or its last one. */
export interface BackupProgress {
  taskId: string;
  running: boolean;
  /** plan, groups (the group files are written), manifest, then done or failed. */
  phase: 'plan' | 'groups' | 'manifest' | 'done' | 'failed';
  type?: 'full' | 'incremental';
  backupId?: string;
  backupNum?: number;
  destination: string;
  /** Bytes of group files written so far. */
  bytesDone: number;
  seconds: number;
  groups: { group: number; bytesDone: number; done: boolean }[];
}

/** What a backup's metrics need to know of it once it fails: its type, once planned. */
interface Track {
  type: 'full' | 'incremental' | 'unknown';
  counted: boolean;
}

/** The drop operations of every group, in commit order, each once. */
function mergeDrops(results: GroupBackupResult[]) {
  const seen = new Set<string>();
  const commitTs = (d: WireDrop) => BigInt(d.commitTs ?? '0');
  return results
    .flatMap((r) => r.dropOperations)
    .sort((a, b) => (commitTs(a) < commitTs(b) ? -1 : commitTs(a) > commitTs(b) ? 1 : 0))
    .filter((d) => {
      const k = `${d.commitTs}/${d.op}/${d.value ?? ''}/${d.namespace ?? ''}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((d) =>
      toManifestDrop({
        op: d.op,
        ...(d.value === undefined ? {} : { value: d.value }),
        ...(d.namespace === undefined ? {} : { namespace: BigInt(d.namespace) }),
      }),
    );
}

export class ClusterBackup {
  private current: (BackupProgress & { t0: number }) | undefined;

  constructor(
    private readonly co: Coordination,
    private readonly groupHandlers: GroupHandlers,
    private readonly keyProvider: KeyProvider | undefined,
    private readonly version: string,
  ) {}

  async run(input: BackupInput): Promise<BackupPayload> {
    const format = checkBackupInput(input);
    const dest = openDestination(input.destination, destinationCredentials(input));
    const kind = destinationKind(dest.describe());
    const m = this.co.metrics;
    const t0 = performance.now();
    const track: Track = { type: 'unknown', counted: false };
    try {
      const payload = await this.runOn(dest, input, format, track);
      m.backupsSucceeded.inc({ type: track.type, destination_kind: kind });
      m.backupLastSuccess.set({ destination: dest.describe() }, Date.now() / 1000);
      m.backupDuration.observe({ type: track.type }, (performance.now() - t0) / 1000);
      return payload;
    } catch (err) {
      if (!track.counted) m.backupsStarted.inc({ type: 'unknown', destination_kind: kind });
      m.backupsFailed.inc({ type: track.type, destination_kind: kind });
      this.co.log.warn(
        { phase: 'failed', destination: dest.describe(), seconds: secondsSince(t0), err: message(err) },
        'backup: failed',
      );
      throw err;
    } finally {
      closeDest(dest);
    }
  }

  private async runOn(
    dest: Destination,
    input: BackupInput,
    format: ReturnType<typeof checkBackupInput>,
    track: Track,
  ): Promise<BackupPayload> {
    const cluster = this.co.cluster;
    const m = this.co.metrics;
    const log = this.co.log;
    const lease = await this.co.lease('backup', `backup to ${dest.describe()}`);
    const t0 = performance.now();
    const progress: BackupProgress & { t0: number } = (this.current = {
      taskId: lease.id,
      running: true,
      phase: 'plan',
      destination: dest.describe(),
      bytesDone: 0,
      seconds: 0,
      groups: [],
      t0,
    });
    let key: Buffer | undefined;
    try {
      key = this.keyProvider ? await this.keyProvider.getKey() : undefined;
      const fp = key ? keyFingerprint(key) : undefined;
      const existing = await readLocation(dest);
      lease.check();
      // The read ts is taken after the slow steps (Vault, the location's manifests), just before
      // the groups open their snapshots: a group keeps the versions of a read ts that recent
      // (native store/live/horizon.rs) without being told.
      const readTs = await cluster.zero.readTs();
      const plan = await planBackup(dest, {
        forceFull: input.forceFull ?? false,
        encrypted: key !== undefined,
        keyFingerprint: fp,
        format,
        readTs,
        existing,
      });
      track.type = plan.type;
      track.counted = true;
      m.backupsStarted.inc({ type: plan.type, destination_kind: destinationKind(dest.describe()) });
      const state = await cluster.zeroState(true);
      const groups = Object.keys(state.groups)
        .map(Number)
        .sort((a, b) => a - b);
      const predicates = new Map<number, string[]>(
        groups.map((g) => [g, Object.keys(state.groups[String(g)]!.tablets).sort()]),
      );
      lease.check();
      m.backupPhase.observe({ phase: 'plan' }, (performance.now() - t0) / 1000);
      log.info(
        {
          phase: 'plan',
          taskId: lease.id,
          backupId: plan.backupId,
          backupNum: plan.backupNum,
          type: plan.type,
          readTs: String(readTs),
          since: String(plan.since),
          folder: plan.folder,
          destination: dest.describe(),
          groups,
          encrypted: key !== undefined,
        },
        `backup: ${plan.type} backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs} planned`,
      );
      Object.assign(progress, {
        phase: 'groups',
        type: plan.type,
        backupId: plan.backupId,
        backupNum: plan.backupNum,
        groups: groups.map((group) => ({ group, bytesDone: 0, done: false })),
      });
      let polling: Promise<void> | undefined;
      const poller = setInterval(() => {
        polling ??= this.pollGroups(progress, plan).finally(() => (polling = undefined));
      }, PROGRESS_POLL_MS);
      const settled = Promise.allSettled(
        groups.map((g, i) => {
          const body: GroupBackupRequest = {
            destination: input.destination,
            ...destinationCredentials(input),
            path: backupFilePath(plan, g),
            readTs: String(readTs),
            since: String(plan.since),
            predicates: predicates.get(g)!,
            format: plan.format,
            ...(key ? { key: key.toString('base64') } : {}),
          };
          return this.co
            .callGroup(g, '/internal/backup', body, () => this.groupHandlers.backup(body))
            .then((r) => {
              progress.groups[i] = { group: g, bytesDone: r.bytes, done: true };
              return r;
            });
        }),
      );
      void settled.finally(() => clearInterval(poller));
      const results = await Promise.race([settled, lease.lost]);
      if (!Array.isArray(results)) {
        // Lost the lease: stop now; the groups' files are removed once their writes have ended.
        const cleanupDest = openDestination(input.destination, destinationCredentials(input));
        void settled
          .then(() => this.removeFolder(cleanupDest, plan.folder))
          .finally(() => closeDest(cleanupDest));
        throw results;
      }
      const failed = results.findIndex((r) => r.status === 'rejected');
      if (failed !== -1) {
        await this.removeFolder(dest, plan.folder);
        const reason = message((results[failed] as PromiseRejectedResult).reason);
        throw new HttpError(
          'BACKUP_FAILED',
          `backup failed, no manifest was written: group ${groups[failed]}: ${reason}`,
          500,
        );
      }
      const ok = results.map((r) => (r as PromiseFulfilledResult<GroupBackupResult>).value);
      const checksums: Record<string, string> = {};
      groups.forEach((g, i) => (checksums[path.posix.basename(backupFilePath(plan, g))] = ok[i]!.sha256));
      const groupMap = new Map<number, PredicateName[]>(
        groups.map((g, i) => [
          g,
          ok[i]!.predicates.map((p) => ({ namespace: BigInt(p.namespace), name: p.name })),
        ]),
      );
      try {
        // The last check that this coordinator still holds the lock before it publishes.
        await lease.confirm();
      } catch (err) {
        await this.removeFolder(dest, plan.folder);
        throw err;
      }
      progress.phase = 'manifest';
      const manifestStarted = performance.now();
      try {
        await writeManifest(dest, {
          plan,
          groups: groupMap,
          dropOperations: mergeDrops(ok),
          checksums,
          strataVersion: this.version,
          keyFingerprint: fp,
        });
      } catch (err) {
        // A write whose answer was lost may have landed: keep the files of a listed backup.
        const listed = await manifestLists(dest, plan).catch(() => undefined);
        if (listed === true) {
          this.co.log.warn(
            { folder: plan.folder, err: message(err) },
            'the manifest write reported an error but the manifest lists the backup: it is kept',
          );
        } else {
          if (listed === false) await this.removeFolder(dest, plan.folder);
          else this.co.log.warn({ folder: plan.folder }, 'the manifest could not be read back: files kept');
          throw new HttpError('BACKUP_FAILED', `backup failed writing its manifest: ${message(err)}`, 500);
        }
      }
      const bytes = ok.reduce((n, r) => n + r.bytes, 0);
      progress.phase = 'done';
      m.backupPhase.observe({ phase: 'manifest' }, (performance.now() - manifestStarted) / 1000);
      log.info(
        {
          phase: 'manifest',
          taskId: lease.id,
          backupId: plan.backupId,
          backupNum: plan.backupNum,
          folder: plan.folder,
          bytes,
          keys: ok.reduce((n, r) => n + r.kvs, 0),
          seconds: secondsSince(t0),
        },
        `backup: ${plan.type} backup ${plan.backupId} #${plan.backupNum} complete, ${bytes} bytes`,
      );
      return {
        response: {
          code: 'Success',
          message:
            `Backup completed: ${plan.type} backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs}` +
            `${plan.type === 'incremental' ? ` (since ${plan.since})` : ''}, ${groups.length} group${groups.length === 1 ? '' : 's'}, ` +
            `${bytes} bytes, in ${plan.folder}${key ? ' (encrypted)' : ''}.`,
        },
        taskId: lease.id,
      };
    } finally {
      if (progress.phase !== 'done') progress.phase = 'failed';
      progress.seconds = secondsSince(t0);
      progress.running = false;
      key?.fill(0);
      await lease.release();
    }
  }

  /** The running backup of this coordinator, or the last one it ran (none: null). */
  progress(): BackupProgress | null {
    const p = this.current;
    if (!p) return null;
    const { t0, ...rest } = p;
    return {
      ...rest,
      groups: p.groups.map((g) => ({ ...g })),
      bytesDone: p.groups.reduce((n, g) => n + g.bytesDone, 0),
      seconds: p.running ? Math.round(performance.now() - t0) / 1000 : p.seconds,
    };
  }

  /** Asks every group still writing how many bytes its file holds so far. */
  private async pollGroups(
    progress: BackupProgress,
    plan: Parameters<typeof backupFilePath>[0],
  ): Promise<void> {
    await Promise.allSettled(
      progress.groups.map(async (g, i) => {
        if (g.done) return;
        const path = backupFilePath(plan, g.group);
        const r = await this.co.callGroup<{ bytes: number | null }>(
          g.group,
          '/internal/backup/progress',
          { path },
          async () => this.groupHandlers.progress(path),
          PROGRESS_POLL_MS * 5,
        );
        const now = progress.groups[i];
        if (r.bytes !== null && now && !now.done) now.bytesDone = r.bytes;
      }),
    );
  }

  /** Best effort: removes every file a failed backup wrote into its folder. */
  private async removeFolder(dest: Destination, folder: string): Promise<void> {
    try {
      const files: string[] = [];
      for await (const f of dest.list(`${folder}/`)) files.push(f);
      await Promise.allSettled(files.map((f) => dest.delete(f)));
      const local = (dest as { resolve?: (rel: string) => string }).resolve;
      if (typeof local === 'function') await rm(local.call(dest, folder), { recursive: true, force: true });
    } catch (err) {
      this.co.log.warn({ folder, err: message(err) }, 'could not remove the files of a failed backup');
    }
  }
}
