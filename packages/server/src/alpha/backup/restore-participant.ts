/**
 * A group's side of the two-phase online restore (docs/architecture.md, "Crash-safe restore"):
 *
 * 1. `stage`: load this group's part of the chain into `p.store-<id>` beside the live store (the
 *    journal says `staging`, then `staged`); the live store keeps serving.
 * 2. `finish`: after the coordinator has recorded the decision at Zero, switch to the staged store
 *    (commit) or throw it away (abort).
 *
 * A group left with a `staged` journal (its coordinator died, or the finish call was lost, or this
 * Alpha restarted) asks Zero for the decision every POLL_MS; while there is none, it asks the
 * coordinator whether the restore is still running, and when it is not (or cannot be reached)
 * records `abort` at Zero, which answers the decision that won (a coordinator's commit, or this
 * abort). So every group ends with the same outcome.
 */
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { restoreOffline, StrataError } from '@strata/core';
import type { AlphaMetrics } from '../../metrics/alpha.js';
import { call, type Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { secondsSince } from './coordination.js';
import type { GroupRestoreProgress, GroupRestoreRequest, GroupRestoreResult } from './group-requests.js';
import { destinationCredentials, selectionFromWire } from './inputs.js';
import {
  readJournal,
  removeJournal,
  rollBack,
  stagingPath,
  sweepLeftovers,
  switchTo,
  writeJournal,
  type RestoreJournal,
} from './store-switch.js';

const POLL_MS = 500;

export type RestoreOutcome = 'commit' | 'abort';

export class RestoreParticipant {
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** Restores this Alpha coordinates right now (asked by the other groups' pollers). */
  readonly coordinating = new Set<string>();
  /** How far this group's stage of each restore has come (the last one is kept once done). */
  private readonly progress = new Map<string, GroupRestoreProgress>();

  constructor(
    private readonly cluster: Cluster,
    private readonly dataDir: string,
    private readonly log: FastifyBaseLogger,
    private readonly metrics: AlphaMetrics,
  ) {}

  /** `/internal/restore/progress`: this group's stage of restore `id` (undefined: not seen here). */
  progressOf(id: string): GroupRestoreProgress | undefined {
    return this.progress.get(id);
  }

  private get p(): string {
    return path.resolve(this.dataDir);
  }

  /** One stage/finish/poll at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Phase 1: loads this group's part into `p.store-<id>`; the live store keeps serving. */
  stage(req: GroupRestoreRequest): Promise<GroupRestoreResult> {
    return this.exclusive(async () => {
      const p = this.p;
      const g = this.cluster.local.owner.group;
      const old = await readJournal(p);
      if (old && old.id !== req.restoreId) {
        throw new HttpError(
          'CONFLICT',
          `group ${g} is still finishing restore ${old.id}: try again shortly`,
          409,
        );
      }
      if (old?.state === 'staged' && old.result) return old.result;
      const staging = stagingPath(p, req.restoreId);
      const j: RestoreJournal = {
        id: req.restoreId,
        coordinator: req.coordinator,
        state: 'staging',
        staging,
      };
      await writeJournal(p, j);
      const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
      const atRestKey = await this.cluster.local.owner.keys.masterKey();
      const t0 = performance.now();
      const progress: GroupRestoreProgress = { phase: 'checksums', bytesDone: 0, filesDone: 0, keysDone: 0 };
      this.progress.clear();
      this.progress.set(req.restoreId, progress);
      try {
        const r = await restoreOffline({
          location: req.location,
          ...destinationCredentials(req),
          pdir: path.dirname(p),
          backupId: req.backupId,
          backupNum: req.backupNum,
          key,
          groups: [g],
          selection: selectionFromWire(req.selection),
          ...(req.targetGroups !== undefined && { targetGroups: req.targetGroups }),
          restoreTs: BigInt(req.restoreTs),
          dirFor: () => staging,
          atRestKey,
          onPhaseProgress: (ph) => {
            progress.phase = ph.phase;
            progress.bytesDone = ph.bytesDone;
            progress.bytesTotal = ph.bytesTotal;
            progress.filesDone = ph.items ?? 0;
            progress.filesTotal = ph.itemsTotal;
          },
          onProgress: (f) => {
            progress.keysDone += f.kept;
          },
        });
        const mine = r.groups.find((x) => x.group === g);
        if (!mine) throw new HttpError('BAD_REQUEST', `the backup has no data for group ${g}`);
        j.result = { maxUid: String(mine.maxUid), maxNsId: String(mine.maxNsId), keys: mine.keys };
        j.state = 'staged';
        await writeJournal(p, j);
        progress.phase = 'staged';
        this.log.info(
          {
            phase: 'stage',
            restore: req.restoreId,
            group: g,
            backupId: req.backupId,
            bytes: progress.bytesDone,
            files: progress.filesDone,
            keys: mine.keys,
            seconds: secondsSince(t0),
          },
          `restore: group ${g} staged ${mine.keys} keys`,
        );
        this.startPolling();
        return j.result;
      } catch (err) {
        progress.phase = 'failed';
        this.metrics.countFileError(err);
        await rollBack(p, j).catch(() => undefined);
        // Core's typed errors (a damaged file, a refusing location) carry safe messages naming
        // the file: pass them to the coordinator, which would otherwise only see a bare 500.
        if (err instanceof StrataError) throw new HttpError('BAD_REQUEST', err.message, 400);
        throw err;
      } finally {
        key?.fill(0);
        atRestKey?.fill(0);
      }
    });
  }

  /** Phase 2: applies the decision the coordinator recorded at Zero. */
  finish(id: string, outcome: RestoreOutcome): Promise<{ finished: boolean }> {
    return this.exclusive(async () => {
      const j = await readJournal(this.p);
      if (!j || j.id !== id) return { finished: false };
      await this.apply(j, outcome);
      return { finished: true };
    });
  }

  private async apply(j: RestoreJournal, outcome: RestoreOutcome): Promise<void> {
    const p = this.p;
    if (outcome === 'abort') {
      await rollBack(p, j);
      await sweepLeftovers(p);
      return;
    }
    const owner = this.cluster.local.owner;
    await owner.replaceStore(async (current) => {
      current.close();
      try {
        await writeJournal(p, { ...j, state: 'switching' });
        await switchTo(p, j.staging, j.id);
      } catch (err) {
        // The journal finishes the switch at the next start; serve what `p` is meanwhile.
        this.log.error({ err: (err as Error).message }, 'online restore: the store switch failed');
        owner.store = await owner.keys.open(p);
        throw err;
      }
      return owner.keys.open(p);
    });
    await removeJournal(p);
    await sweepLeftovers(p);
    this.cluster.forgetCaches();
    this.log.info(
      { phase: 'switch', restore: j.id, group: owner.group },
      `restore: group ${owner.group} switched to the restored store`,
    );
  }

  /**
   * Start-up, after registering with Zero: a `staged` journal left by `recoverFiles` gets Zero's
   * decision now when there is one, else the poller takes it.
   */
  async resume(): Promise<void> {
    if (await readJournal(this.p)) {
      await this.poll().catch((err: unknown) =>
        this.log.warn({ err: (err as Error).message }, 'online restore: decision not known yet'),
      );
      if (await readJournal(this.p)) this.startPolling();
    }
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.poll().catch((err: unknown) =>
        this.log.warn({ err: (err as Error).message }, 'online restore: decision not known yet'),
      );
    }, POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves a `staged` journal from Zero's decision (recording abort if its coordinator is gone). */
  private poll(): Promise<void> {
    return this.exclusive(async () => {
      const j = await readJournal(this.p);
      if (!j || j.state !== 'staged') {
        if (!j) this.stop();
        return;
      }
      const zero = this.cluster.zero;
      let decision = await zero.restoreDecision(j.id);
      if (decision === 'pending' && !(await this.coordinatorRunning(j))) {
        decision = await zero.decideRestore(j.id, 'abort');
      }
      if (decision === 'pending') return;
      this.log.warn({ restore: j.id, decision }, 'online restore: finishing from Zero decision');
      await this.apply(j, decision);
      this.stop();
    });
  }

  private async coordinatorRunning(j: RestoreJournal): Promise<boolean> {
    if (j.coordinator === this.cluster.local.addr) return this.coordinating.has(j.id);
    try {
      const r = await call<{ running: boolean }>(
        j.coordinator,
        `the coordinating Alpha at ${j.coordinator}`,
        'POST',
        '/internal/restore/running',
        this.cluster.peers,
        { id: j.id },
        5_000,
      );
      return r.running;
    } catch {
      return false;
    }
  }
}
