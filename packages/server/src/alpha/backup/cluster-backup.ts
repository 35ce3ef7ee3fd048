/**
 * The backup coordinator (the Alpha that receives the `/admin` `backup` mutation, spec §9, §11):
 * takes Zero's cluster-wide lock, gets `readTs` from the oracle, plans the series at the
 * destination, writes the resume journal, asks every group's Alpha for its file (recording each
 * finished one in the journal), and writes the manifest last (compare-and-swap on the master
 * manifest), then removes the journal. A backup either is complete and listed, or no manifest
 * lists it. A failure once some group's file is done keeps those files and the journal: the next
 * backup to the location continues it at the same read ts (./resume.ts, docs/design/resume.md);
 * a failure before that removes the folder.
 */
import path from 'node:path';
import {
  backupFilePath,
  journalPath,
  keyFingerprint,
  manifestLists,
  newJournal,
  openDestination,
  planBackup,
  readLocation,
  RESUME_JOURNAL_FILE,
  resumedPlan,
  toManifestDrop,
  writeJournal,
  writeManifest,
  type BackupPlan,
  type Destination,
  type KeyProvider,
  type PredicateName,
  type ResumeJournal,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import { destinationKind } from '../../metrics/alpha.js';
import { closeDest, message, secondsSince, type Coordination } from './coordination.js';
import type { GroupHandlers } from './group-handlers.js';
import type { GroupBackupRequest, GroupBackupResult } from './group-requests.js';
import { checkBackupInput, destinationCredentials, type BackupInput } from './inputs.js';
import type { Lease } from './lease.js';
import { chooseResume, clearFolder, journalFiles, keptGroups, removeFolder } from './resume.js';

export interface BackupPayload {
  response: { code: string; message: string };
  taskId: string;
}

type WireDrop = GroupBackupResult['dropOperations'][number];

/** A group's refusal of an old read ts (native store/mvcc.rs): a continued backup then starts anew. */
const STALE_READ = /no longer keeps|retry with a newer timestamp/;

/** `1, 2` (or `none`). */
const list = (groups: number[]) => (groups.length === 0 ? 'none' : groups.join(', '));

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

/** An attempt continues an interrupted backup (its journal) or writes a new one. */
type AttemptHow =
  | { journal: ResumeJournal }
  | { format: ReturnType<typeof checkBackupInput>; tablets: Map<number, string[]> };

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
      const state = await cluster.zeroState(true);
      const tablets = new Map<number, string[]>(
        Object.keys(state.groups)
          .map(Number)
          .sort((a, b) => a - b)
          .map((g) => [g, Object.keys(state.groups[String(g)]!.tablets).sort()]),
      );
      // An interrupted backup of this location is continued unless the request says otherwise
      // (resume: false, or forceFull: a new series); interrupted backups not continued are removed.
      const wantResume = (input.resume ?? true) && !(input.forceFull ?? false);
      const choice = await chooseResume(
        dest,
        { existing, encrypted: key !== undefined, keyFingerprint: fp, format, groups: tablets },
        wantResume,
        log,
      );
      lease.check();
      const notes = choice.discarded.map((d) => `discarded interrupted backup ${d.folder} (${d.reason})`);
      const attempt = (what: AttemptHow) =>
        this.attempt(dest, input, existing, what, key, fp, lease, progress, track, notes);
      if (choice.journal) {
        const resumed = await attempt({ journal: choice.journal });
        if (resumed !== 'stale') return resumed;
        // The groups no longer keep the versions of the journal's read ts: start again.
        const reason = 'the groups no longer keep the versions of its read timestamp';
        await removeFolder(dest, choice.journal.folder, log, journalFiles(choice.journal));
        notes.push(`discarded interrupted backup ${choice.journal.folder} (${reason})`);
        log.info(
          { folder: choice.journal.folder, reason },
          `backup: discarded interrupted backup ${choice.journal.folder}: ${reason}`,
        );
        lease.check();
      }
      const fresh = await attempt({ format, tablets });
      if (fresh === 'stale')
        throw new HttpError('BACKUP_FAILED', 'backup failed: a group refused its read timestamp', 500);
      return fresh;
    } finally {
      if (progress.phase !== 'done') progress.phase = 'failed';
      progress.seconds = secondsSince(t0);
      progress.running = false;
      key?.fill(0);
      await lease.release();
    }
  }

  /**
   * One backup: a new one (`fresh`: planned now at a new read ts) or the continuation of an
   * interrupted one (`journal`: its plan and read ts, its verified group files kept). 'stale'
   * when a continued backup's groups refuse its read ts (the caller then starts a new one).
   */
  private async attempt(
    dest: Destination,
    input: BackupInput,
    existing: Awaited<ReturnType<typeof readLocation>>,
    how: AttemptHow,
    key: Buffer | undefined,
    fp: string | undefined,
    lease: Lease,
    progress: BackupProgress & { t0: number },
    track: Track,
    notes: string[],
  ): Promise<BackupPayload | 'stale'> {
    const cluster = this.co.cluster;
    const m = this.co.metrics;
    const log = this.co.log;
    const t0 = performance.now();
    let plan: BackupPlan;
    let journal: ResumeJournal;
    let kept: number[] = [];
    let aborted = 0;
    if ('journal' in how) {
      journal = how.journal;
      plan = resumedPlan(journal, existing);
      const k = await keptGroups(dest, plan, journal, log);
      kept = k.kept;
      for (const g of k.rewrite) journal.done.delete(g);
      // What the interrupted run left besides the kept files: partial files, uploads.
      const keep = new Set([
        RESUME_JOURNAL_FILE,
        ...kept.map((g) => path.posix.basename(backupFilePath(plan, g))),
      ]);
      aborted = await clearFolder(dest, plan.folder, keep, log, journalFiles(journal));
      await writeJournal(dest, journal);
    } else {
      // The read ts is taken after the slow steps (Vault, the location's manifests), just before
      // the groups open their snapshots: a group keeps the versions of a read ts that recent
      // (native store/live/horizon.rs) without being told.
      const readTs = await cluster.zero.readTs();
      plan = await planBackup(dest, {
        forceFull: input.forceFull ?? false,
        encrypted: key !== undefined,
        keyFingerprint: fp,
        format: how.format,
        readTs,
        existing,
      });
      journal = newJournal(plan, how.tablets, fp);
      // The journal first: a folder is never without one (the next backup can tell what it is).
      try {
        await writeJournal(dest, journal);
      } catch (err) {
        await removeFolder(dest, plan.folder, log, journalFiles(journal));
        throw new HttpError(
          'BACKUP_FAILED',
          `backup failed, no manifest was written: its resume journal could not be written: ${message(err)}`,
          500,
        );
      }
    }
    const readTs = plan.readTs;
    const groups = [...journal.groups.keys()];
    const toWrite = groups.filter((g) => !kept.includes(g));
    if (track.type === 'unknown') {
      track.type = plan.type;
      track.counted = true;
      m.backupsStarted.inc({ type: plan.type, destination_kind: destinationKind(dest.describe()) });
    }
    lease.check();
    m.backupPhase.observe({ phase: 'plan' }, (performance.now() - t0) / 1000);
    const resumed = 'journal' in how;
    const what = `${plan.type} backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs}`;
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
        ...(resumed
          ? { resumed: true, keptGroups: kept, rewriteGroups: toWrite, abortedUploads: aborted }
          : {}),
      },
      resumed
        ? `backup: resuming ${what}: kept groups ${list(kept)}, rewriting groups ${list(toWrite)}`
        : `backup: ${what} planned`,
    );
    Object.assign(progress, {
      phase: 'groups',
      type: plan.type,
      backupId: plan.backupId,
      backupNum: plan.backupNum,
      groups: groups.map((group) => {
        const d = journal.done.get(group);
        return { group, bytesDone: d?.bytes ?? 0, done: d !== undefined };
      }),
    });
    // Journal rewrites, one at a time, in the order the groups finish.
    let journaling: Promise<void> = Promise.resolve();
    const record = (g: number, r: GroupBackupResult) => {
      journal.done.set(g, r);
      journaling = journaling.then(() =>
        writeJournal(dest, journal).catch((err: unknown) =>
          log.warn({ folder: plan.folder, err: message(err) }, 'backup: could not update the resume journal'),
        ),
      );
      return journaling;
    };
    let polling: Promise<void> | undefined;
    const poller = setInterval(() => {
      polling ??= this.pollGroups(progress, plan).finally(() => (polling = undefined));
    }, PROGRESS_POLL_MS);
    const settled = Promise.allSettled(
      toWrite.map((g) => {
        const body: GroupBackupRequest = {
          destination: input.destination,
          ...destinationCredentials(input),
          path: backupFilePath(plan, g),
          readTs: String(readTs),
          since: String(plan.since),
          predicates: journal.groups.get(g)!,
          format: plan.format,
          ...(key ? { key: key.toString('base64') } : {}),
        };
        return this.co
          .callGroup(g, '/internal/backup', body, () => this.groupHandlers.backup(body))
          .then(async (r) => {
            const i = groups.indexOf(g);
            progress.groups[i] = { group: g, bytesDone: r.bytes, done: true };
            await record(g, r);
            return r;
          });
      }),
    );
    void settled.finally(() => clearInterval(poller));
    const results = await Promise.race([settled, lease.lost]);
    if (!Array.isArray(results)) {
      // Lost the lease: stop now. The folder and its journal stay as they are: another
      // coordinator may hold the lock now, and the next backup continues or discards this one.
      throw results;
    }
    const failedAt = results.findIndex((r) => r.status === 'rejected');
    if (failedAt !== -1) {
      const reasons = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`group ${toWrite[i]}: ${message(r.reason)}`] : [],
      );
      if (resumed && reasons.some((r) => STALE_READ.test(r))) return 'stale';
      const done = [...journal.done.keys()].sort((a, b) => a - b);
      if (done.length === 0) {
        await removeFolder(dest, plan.folder, log);
        throw new HttpError(
          'BACKUP_FAILED',
          `backup failed, no manifest was written: ${reasons.join('; ')}`,
          500,
        );
      }
      // Keep what is done: the files of the finished groups and the journal that vouches for them.
      const keep = new Set([
        RESUME_JOURNAL_FILE,
        ...done.map((g) => path.posix.basename(backupFilePath(plan, g))),
      ]);
      await clearFolder(dest, plan.folder, keep, log, journalFiles(journal));
      throw new HttpError(
        'BACKUP_FAILED',
        `backup failed, no manifest was written: ${reasons.join('; ')}. The files of groups ${list(done)} ` +
          `are kept in ${plan.folder}: the next backup to this location resumes ${plan.backupId} #${plan.backupNum} ` +
          '(resume: false or forceFull discards it)',
        500,
      );
    }
    await journaling;
    const ok = groups.map((g) => journal.done.get(g)!);
    const checksums: Record<string, string> = {};
    groups.forEach((g, i) => (checksums[path.posix.basename(backupFilePath(plan, g))] = ok[i]!.sha256));
    const groupMap = new Map<number, PredicateName[]>(
      groups.map((g, i) => [
        g,
        ok[i]!.predicates.map((p) => ({ namespace: BigInt(p.namespace), name: p.name })),
      ]),
    );
    const resumable = `every group file is written and kept in ${plan.folder}: the next backup to this location resumes it`;
    // The last check that this coordinator still holds the lock before it publishes.
    await lease.confirm();
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
        log.warn(
          { folder: plan.folder, err: message(err) },
          'the manifest write reported an error but the manifest lists the backup: it is kept',
        );
      } else {
        throw new HttpError(
          'BACKUP_FAILED',
          `backup failed writing its manifest: ${message(err)}; ${resumable}`,
          500,
        );
      }
    }
    // Listed: the journal has done its job (a leftover one is removed by the next backup).
    await dest
      .delete(journalPath(plan.folder))
      .catch((err: unknown) =>
        log.warn({ folder: plan.folder, err: message(err) }, 'backup: could not remove the resume journal'),
      );
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
        seconds: secondsSince(progress.t0),
        ...(resumed ? { resumed: true, keptGroups: kept } : {}),
      },
      `backup: ${what} complete, ${bytes} bytes`,
    );
    const head = resumed
      ? `Backup completed: resumed backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs}: ` +
        `kept groups ${list(kept)}, rewrote groups ${list(toWrite)}` +
        `${aborted > 0 ? `, aborted ${aborted} incomplete upload${aborted === 1 ? '' : 's'}` : ''}; ${plan.type}`
      : `Backup completed: ${plan.type} backup ${plan.backupId} #${plan.backupNum} at readTs ${readTs}`;
    return {
      response: {
        code: 'Success',
        message:
          `${head}${plan.type === 'incremental' ? ` (since ${plan.since})` : ''}, ${groups.length} group${groups.length === 1 ? '' : 's'}, ` +
          `${bytes} bytes, in ${plan.folder}${key ? ' (encrypted)' : ''}.` +
          (notes.length > 0 ? ` Before it: ${notes.join('; ')}.` : ''),
      },
      taskId: lease.id,
    };
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
}
