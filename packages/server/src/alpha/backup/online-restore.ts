/**
 * The online restore coordinator (the Alpha that receives the `/admin` `restore` mutation, spec
 * §10): checks the chain, the group count, the files (checksums) and the key before changing
 * anything, then in the background runs the two-phase restore: every group stages its part
 * beside its live store; the uid/nsid leases move past the restored data; the decision (commit
 * only when every group staged, with the tablet moves) is recorded once at Zero; every group then
 * switches or throws its staging away. The outcome is kept for `restoreStatus`. `restorePlan`
 * (Strata's dry run) runs the same checks and returns the plan instead of starting anything.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  chooseUntil,
  InvalidArgumentError,
  layoutTablets,
  LocalDestination,
  parseUntil,
  readManifests,
  restoreOffline,
  selectChain,
  type Destination,
  type KeyProvider,
  type RestoreLayout,
  type RestoreOfflineResult,
  type RestorePlan,
  type RestoreSelection,
  type UntilChoice,
} from '@strata/core';
import { HttpError } from '../../http/errors.js';
import { destinationKind } from '../../metrics/alpha.js';
import { closeDest, message, secondsSince, type Coordination } from './coordination.js';
import type {
  GroupRestoreFinish,
  GroupRestoreProgress,
  GroupRestoreRequest,
  GroupRestoreResult,
} from './group-requests.js';
import {
  checkRestoreInput,
  destinationCredentials,
  openRestoreLocation,
  restoreKeyProvider,
  restoreSelection,
  selectionToWire,
  type RestoreInput,
} from './inputs.js';
import type { RestoreDirs } from './restore-dirs.js';
import type { RestoreParticipant } from './restore-participant.js';

export type RestoreState = 'UNKNOWN' | 'IN_PROGRESS' | 'OK' | 'ERR';

/** How often the coordinator asks each group how far its stage has come. */
const PROGRESS_POLL_MS = 1000;

/** `restoreStatus`: Dgraph's `status` and `errors`, and how far each group has come. */
export interface RestoreStatus {
  status: RestoreState;
  errors: string[];
  /** Bytes of backup files read so far, over every group (once the groups report). */
  bytesDone?: number;
  /** Bytes of backup files the restore reads, when every group knows its total. */
  bytesTotal?: number;
  keysDone?: number;
  groups?: ({ group: number } & GroupRestoreProgress)[];
}

export interface RestorePayload {
  code: string;
  message: string;
  restoreId: number;
}

/** What {@link OnlineRestore.check} found: all a restore needs, nothing changed yet. */
interface CheckedRestore {
  /** The input, with `until` resolved to the backupId and backupNum it chose. */
  input: RestoreInput;
  chosen: UntilChoice | undefined;
  backupId: string;
  /** Backups in the chain. */
  backups: number;
  /** The cluster's groups (1..M). */
  groups: number[];
  layout: RestoreLayout;
  partial: boolean;
  /** The key of an encrypted chain (the caller clears it). */
  key: Buffer | undefined;
  /** Core's dry run (with its plan when asked). */
  result: RestoreOfflineResult;
}

/** `restorePlan`: what a restore of the input would do on this cluster. */
export interface PlannedRestore {
  /** The location as its Destination describes it (never with credentials). */
  location: string;
  chosen: UntilChoice | undefined;
  result: RestoreOfflineResult;
  plan: RestorePlan;
  encrypted: boolean;
}

/** A refusal as the client sees it: typed errors keep theirs, others say nothing was changed. */
function refusal(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  return new HttpError('BAD_REQUEST', `restore refused, nothing was changed: ${message(err)}`, 400);
}

export class OnlineRestore {
  private readonly restores = new Map<number, RestoreStatus>();
  private nextRestoreId = 1;

  constructor(
    private readonly co: Coordination,
    private readonly participant: RestoreParticipant,
    private readonly keyProvider: KeyProvider | undefined,
    private readonly dataDir: string,
    private readonly dirs: RestoreDirs,
  ) {}

  status(id: number): RestoreStatus {
    const r = this.restores.get(id);
    if (!r) return { status: 'UNKNOWN', errors: [] };
    const groups = r.groups ?? [];
    const sum = (f: (g: GroupRestoreProgress) => number | undefined) =>
      groups.reduce<number | undefined>(
        (n, g) => (n === undefined || f(g) === undefined ? undefined : n + f(g)!),
        0,
      );
    return {
      ...r,
      ...(groups.length > 0 ? { bytesDone: sum((g) => g.bytesDone), keysDone: sum((g) => g.keysDone) } : {}),
      ...(groups.length > 0 && sum((g) => g.bytesTotal) !== undefined
        ? { bytesTotal: sum((g) => g.bytesTotal)! }
        : {}),
    };
  }

  /**
   * Checks everything before changing anything (chain, group count, files, key), then starts the
   * restore in the background and returns its id.
   */
  async start(request: RestoreInput): Promise<RestorePayload> {
    const { input, selection, dest, provider } = await this.open(request);
    // Local locations travel to the groups as their real path (as confined).
    const location = dest instanceof LocalDestination ? dest.root : input.location;
    const m = this.co.metrics;
    const kind = destinationKind(dest.describe());
    m.restoresStarted.inc({ destination_kind: kind });
    let lockId: string;
    try {
      lockId = await this.co.lock('restore', `restore from ${dest.describe()}`);
    } catch (err) {
      m.restoresFailed.inc({ destination_kind: kind });
      closeDest(dest);
      throw err;
    }
    const t0 = performance.now();
    let started = false;
    try {
      const checked = await this.check(input, dest, provider, selection, false);
      const { chosen, backupId, layout, partial, groups } = checked;
      const id = this.nextRestoreId++;
      this.restores.set(id, { status: 'IN_PROGRESS', errors: [] });
      const k = checked.key;
      started = true;
      m.restorePhase.observe({ phase: 'check' }, (performance.now() - t0) / 1000);
      m.restoreInProgress.set(1);
      m.restoreBytesDone.reset();
      m.restoreBytesTotal.reset();
      m.restoreKeysDone.reset();
      this.co.log.info(
        {
          phase: 'check',
          restoreId: id,
          backupId,
          backups: checked.backups,
          groups,
          partial,
          resharded: layout.resharded,
          location: dest.describe(),
          encrypted: k !== undefined,
          seconds: secondsSince(t0),
        },
        `restore ${id}: backup ${backupId} checked, restoring ${checked.backups} backup(s) ` +
          `${partial ? '(partial) ' : ''}into ${groups.length} group(s)` +
          (layout.resharded ? ` re-sharded from ${layout.sourceGroups}` : ''),
      );
      const wire = selectionToWire(selection);
      void this.run(id, { ...checked.input, location }, backupId, layout, wire, groups, k)
        .then(() => {
          const st = this.restores.get(id)!;
          if (st.status === 'OK') m.restoresSucceeded.inc({ destination_kind: kind });
          else m.restoresFailed.inc({ destination_kind: kind });
          const line = {
            phase: 'done',
            restoreId: id,
            status: st.status,
            errors: st.errors,
            seconds: secondsSince(t0),
          };
          if (st.status === 'OK') this.co.log.info(line, `restore ${id}: done`);
          else this.co.log.warn(line, `restore ${id}: failed`);
        })
        .finally(() => {
          m.restoreInProgress.set(0);
          k?.fill(0);
          closeDest(dest);
          return this.co.unlock(lockId);
        });
      return {
        code: 'Success',
        message: chosen ? `Restore operation started (${chosen.reason}).` : 'Restore operation started.',
        restoreId: id,
      };
    } catch (err) {
      m.restoresFailed.inc({ destination_kind: kind });
      m.countFileError(err);
      this.co.log.warn(
        { phase: 'check', location: dest.describe(), err: message(err) },
        'restore: refused, nothing was changed',
      );
      throw refusal(err);
    } finally {
      if (!started) {
        closeDest(dest);
        await this.co.unlock(lockId);
      }
    }
  }

  /**
   * `restorePlan` (Strata's dry run of {@link start}): the same checks on the same input, against
   * this cluster's groups, then every file the restore would load decoded in stats mode for the
   * plan. It writes nothing and takes no lock: it changes nothing in the cluster or at the
   * location, and holding Zero's backup/restore lock while it reads every file would keep
   * backups waiting for a preview. A restore started later checks everything again.
   */
  async plan(request: RestoreInput): Promise<PlannedRestore> {
    const { input, selection, dest, provider } = await this.open(request);
    const t0 = performance.now();
    try {
      const checked = await this.check(input, dest, provider, selection, true);
      checked.key?.fill(0);
      const plan = checked.result.plan!;
      this.co.log.info(
        {
          phase: 'plan',
          backupId: checked.backupId,
          backups: checked.backups,
          groups: checked.groups,
          partial: checked.partial,
          resharded: checked.layout.resharded,
          location: dest.describe(),
          seconds: secondsSince(t0),
        },
        `restore dry run: backup ${checked.backupId} checked and planned, nothing was changed`,
      );
      return {
        location: dest.describe(),
        chosen: checked.chosen,
        result: checked.result,
        plan,
        encrypted: checked.key !== undefined,
      };
    } catch (err) {
      this.co.log.warn(
        { phase: 'plan', location: dest.describe(), err: message(err) },
        'restore dry run: refused, nothing was changed',
      );
      throw refusal(err);
    } finally {
      closeDest(dest);
    }
  }

  /** The input's checks, its location (confined to `--restore_dirs`) and key provider. */
  private async open(request: RestoreInput): Promise<{
    input: RestoreInput;
    selection: RestoreSelection | undefined;
    dest: Destination;
    provider: KeyProvider | undefined;
  }> {
    checkRestoreInput(request);
    const selection = restoreSelection(request);
    let dest: Destination | undefined;
    try {
      dest = await openRestoreLocation(request, this.dirs);
      const provider = await restoreKeyProvider(request, this.keyProvider, this.dirs);
      return { input: request, selection, dest, provider };
    } catch (err) {
      if (dest) closeDest(dest);
      throw refusal(err);
    }
  }

  /**
   * Everything a restore checks before changing anything: the chain (`until` chooses its last
   * backup), the cluster's groups, the key, then core's dry run on those groups (selection
   * against the chain, layout, every file present, checksums, the key against the files); with
   * `plan`, every file decoded for the plan too. The key read (if any) is the caller's to clear.
   */
  private async check(
    request: RestoreInput,
    dest: Destination,
    provider: KeyProvider | undefined,
    selection: RestoreSelection | undefined,
    plan: boolean,
  ): Promise<CheckedRestore> {
    let input = request;
    let key: Buffer | undefined;
    try {
      const set = await readManifests(dest);
      // until: the chain that ends with the newest backup at or before it (said in the answer).
      let chosen: UntilChoice | undefined;
      if (input.until) {
        if (input.backupNum)
          throw new InvalidArgumentError('until and backupNum exclude each other: give one of them');
        chosen = chooseUntil(set.manifests, parseUntil(input.until), input.backupId ?? undefined);
        input = { ...input, backupId: chosen.backupId, backupNum: chosen.backupNum };
      }
      const chain = selectChain(set.manifests, {
        backupId: input.backupId ?? undefined,
        backupNum: input.backupNum ?? undefined,
      });
      const groups = await this.co.cluster.groupIds();
      // The layout's groups are 1..M: a cluster numbered otherwise cannot take it.
      if (groups.some((g, i) => g !== i + 1)) {
        throw new InvalidArgumentError(
          `the cluster's groups are ${groups.join(', ')}, not 1..${groups.length}: a restore writes groups 1..${groups.length}`,
        );
      }
      if (chain.backups.some((b) => b.encrypted) && provider) key = await provider.getKey();
      // Also the selection against the chain and the layout on the cluster's groups (re-sharded
      // when the backup has another group count, unless sameGroups).
      const result = await restoreOffline({
        location: dest,
        pdir: path.join(path.dirname(this.dataDir), `.restore-check-${randomUUID()}`),
        backupId: chain.backupId,
        backupNum: input.backupNum ?? undefined,
        key,
        selection,
        targetGroups: groups.length,
        sameGroups: input.sameGroups === true,
        dryRun: true,
        plan,
      });
      return {
        input,
        chosen,
        backupId: chain.backupId,
        backups: chain.backups.length,
        groups,
        layout: result.layout,
        partial: result.partial,
        key,
        result,
      };
    } catch (err) {
      key?.fill(0);
      throw err;
    }
  }

  private async run(
    id: number,
    input: RestoreInput,
    backupId: string,
    layout: RestoreLayout,
    selection: ReturnType<typeof selectionToWire>,
    groups: number[],
    key: Buffer | undefined,
  ): Promise<void> {
    const status = this.restores.get(id)!;
    const cluster = this.co.cluster;
    const restoreId = randomUUID();
    this.participant.coordinating.add(restoreId);
    try {
      const zero = cluster.zero;
      const restoreTs = BigInt((await zero.lease('timestamps', 1)).startId!);
      // Phase 1: every group stages its part beside its live store.
      const body: GroupRestoreRequest = {
        restoreId,
        coordinator: cluster.local.addr,
        location: input.location,
        ...destinationCredentials(input),
        backupId,
        ...(input.backupNum ? { backupNum: input.backupNum } : {}),
        restoreTs: String(restoreTs),
        ...(key ? { key: key.toString('base64') } : {}),
        ...(selection && { selection }),
        targetGroups: groups.length,
      };
      const m = this.co.metrics;
      const staged = performance.now();
      let polling: Promise<void> | undefined;
      const poller = setInterval(() => {
        polling ??= this.pollProgress(status, restoreId, groups).finally(() => (polling = undefined));
      }, PROGRESS_POLL_MS);
      let results;
      try {
        results = await Promise.allSettled(
          groups.map((g) =>
            this.co.callGroup<GroupRestoreResult>(g, '/internal/restore', body, () =>
              this.participant.stage(body),
            ),
          ),
        );
      } finally {
        clearInterval(poller);
      }
      await polling;
      await this.pollProgress(status, restoreId, groups);
      m.restorePhase.observe({ phase: 'stage' }, (performance.now() - staged) / 1000);
      const errors = results.flatMap((r, i) =>
        r.status === 'rejected' ? [`group ${groups[i]}: ${message(r.reason)}`] : [],
      );
      let outcome: 'commit' | 'abort' = 'abort';
      if (errors.length === 0) {
        const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const maxUid = ok.reduce((m, r) => (BigInt(r.maxUid) > m ? BigInt(r.maxUid) : m), 0n);
        const maxNsId = ok.reduce((m, r) => (BigInt(r.maxNsId) > m ? BigInt(r.maxNsId) : m), 0n);
        // Leases first: moving them past the restored data is harmless if the restore aborts.
        if (maxUid > 0n) await zero.lease('uids', 0, maxUid);
        await zero.lease('timestamps', 0, restoreTs);
        if (maxNsId > 0n) await zero.lease('nsids', 0, maxNsId);
        // The decision, with the restored predicates on the layout's groups, in one step at Zero.
        const tablets = layoutTablets(layout);
        outcome = await zero.decideRestore(restoreId, 'commit', tablets);
        if (outcome === 'abort') errors.push('a group gave up waiting for the decision: rolled back');
      } else {
        outcome = await zero.decideRestore(restoreId, 'abort');
      }
      // Phase 2: every group switches (or rolls back). A group that misses this call asks Zero.
      const switched = performance.now();
      const finish: GroupRestoreFinish = { restoreId, outcome };
      const done = await Promise.allSettled(
        groups.map((g) =>
          this.co.callGroup(g, '/internal/restore/finish', finish, () =>
            this.participant.finish(restoreId, outcome),
          ),
        ),
      );
      done.forEach((r, i) => {
        if (r.status === 'rejected') {
          errors.push(
            `group ${groups[i]}: finishing (${outcome}): ${message(r.reason)} (it finishes from Zero's decision)`,
          );
        }
      });
      m.restorePhase.observe({ phase: 'switch' }, (performance.now() - switched) / 1000);
      // Every Alpha forgets its cached tablets.
      cluster.forgetCaches();
      await Promise.allSettled(
        groups
          .filter((g) => g !== cluster.groupId)
          .map((g) => this.co.callGroup(g, '/internal/forget-tablets', {}, async () => ({}))),
      );
      if (outcome === 'abort') {
        status.status = 'ERR';
        status.errors = [...errors, 'nothing was changed: every group keeps its old data'];
      } else if (errors.length > 0) {
        status.status = 'ERR';
        status.errors = errors;
      } else {
        status.status = 'OK';
      }
    } catch (err) {
      status.status = 'ERR';
      status.errors.push(message(err));
    } finally {
      this.participant.coordinating.delete(restoreId);
    }
  }

  /** Asks every group how far its stage has come: `restoreStatus` and the restore gauges show it. */
  private async pollProgress(status: RestoreStatus, restoreId: string, groups: number[]): Promise<void> {
    const m = this.co.metrics;
    const answers = await Promise.allSettled(
      groups.map((g) =>
        this.co.callGroup<{ progress: GroupRestoreProgress | null }>(
          g,
          '/internal/restore/progress',
          { id: restoreId },
          async () => ({ progress: this.participant.progressOf(restoreId) ?? null }),
          PROGRESS_POLL_MS * 5,
        ),
      ),
    );
    const known = new Map((status.groups ?? []).map((p) => [p.group, p]));
    answers.forEach((a, i) => {
      const g = groups[i]!;
      if (a.status !== 'fulfilled' || !a.value.progress) return;
      const p = a.value.progress;
      known.set(g, { group: g, ...p });
      const group = String(g);
      m.restoreBytesDone.set({ group }, p.bytesDone);
      if (p.bytesTotal !== undefined) m.restoreBytesTotal.set({ group }, p.bytesTotal);
      m.restoreKeysDone.set({ group }, p.keysDone);
    });
    status.groups = [...known.values()].sort((a, b) => a.group - b.group);
  }
}
