/**
 * The group side of backup (`/internal/backup`): streams this group's store to the destination.
 * (The group side of online restore is ./restore-participant.ts.)
 */
import type { FastifyBaseLogger } from 'fastify';
import { openDestination, StrataError, writeGroupFile, type PostingStore } from '@strata/core';
import type { AlphaMetrics } from '../../metrics/alpha.js';
import type { Cluster } from '../cluster.js';
import { HttpError } from '../../http/errors.js';
import { closeDest } from './coordination.js';
import type { GroupBackupRequest, GroupBackupResult } from './group-requests.js';
import { destinationCredentials } from './inputs.js';
import { delayedWrites, TEST_DELAY_ENV, testWriteDelayMs } from './test-write-delay.js';

/**
 * The group's predicates named by Zero's tablets (bare names), in every namespace the store has
 * them: a restore of a multi-namespace backup keeps its other namespaces, and so must the next
 * backup. A name no namespace has yet is backed up in namespace 0 (its keys, if any appear).
 */
function namespacedPredicates(
  store: PostingStore,
  names: string[],
  readTs: bigint,
): { namespace: bigint; name: string }[] {
  const wanted = new Set(names);
  const found = store
    .getSchema(readTs)
    .predicates.filter((p) => wanted.has(p.predicate))
    .map((p) => ({ namespace: p.namespace ?? 0n, name: p.predicate }));
  const seen = new Set(found.map((p) => p.name));
  return [...found, ...names.filter((n) => !seen.has(n)).map((name) => ({ namespace: 0n, name }))].sort(
    (a, b) =>
      a.namespace === b.namespace
        ? a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0
        : a.namespace < b.namespace
          ? -1
          : 1,
  );
}

/** Seconds to the millisecond, for log lines. */
const ms = (seconds: number) => Math.round(seconds * 1000) / 1000;

export class GroupHandlers {
  /** Bytes written so far of the group files being written, by path (`/internal/backup/progress`). */
  private readonly writing = new Map<string, number>();
  /** Test only (./test-write-delay.ts): ms per group id each group file's write is slowed by. */
  private readonly testDelayMs = testWriteDelayMs();

  constructor(
    private readonly cluster: Cluster,
    private readonly metrics: AlphaMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    if (this.testDelayMs > 0) {
      log.warn(
        `${TEST_DELAY_ENV}=${this.testDelayMs}: group backup files are written slowly (a test setting)`,
      );
    }
  }

  async backup(req: GroupBackupRequest): Promise<GroupBackupResult> {
    const opened = openDestination(req.destination, destinationCredentials(req));
    const dest = delayedWrites(opened, this.testDelayMs * this.cluster.local.owner.group);
    const key = req.key ? Buffer.from(req.key, 'base64') : undefined;
    const predicates = namespacedPredicates(
      this.cluster.local.owner.store,
      req.predicates,
      BigInt(req.readTs),
    );
    this.writing.set(req.path, 0);
    try {
      const r = await writeGroupFile(this.cluster.local.owner.store, dest, {
        onBytes: (n) => this.writing.set(req.path, n),
        path: req.path,
        readTs: BigInt(req.readTs),
        since: BigInt(req.since),
        predicates,
        layout: req.format,
        ...(key ? { key } : {}),
      });
      const group = String(this.cluster.local.owner.group);
      const m = this.metrics;
      m.backupBytes.inc({ group }, r.bytes);
      m.backupFiles.inc({ group });
      m.backupKeys.inc({ group }, r.summary.kvs);
      m.backupPhase.observe({ phase: 'snapshot' }, r.timings.snapshot);
      m.backupPhase.observe({ phase: 'encode' }, r.timings.encode);
      m.backupPhase.observe({ phase: 'upload' }, r.timings.upload);
      this.log.info(
        {
          phase: 'group file',
          group: Number(group),
          file: req.path,
          bytes: r.bytes,
          keys: r.summary.kvs,
          snapshotSeconds: ms(r.timings.snapshot),
          encodeSeconds: ms(r.timings.encode),
          uploadSeconds: ms(r.timings.upload),
        },
        `backup: group ${group} wrote ${req.path}`,
      );
      return {
        bytes: r.bytes,
        sha256: r.sha256,
        kvs: r.summary.kvs,
        predicates: predicates.map((p) => ({ namespace: String(p.namespace), name: p.name })),
        dropOperations: r.summary.dropOperations.map((d) => ({
          op: d.op,
          ...(d.value === undefined || d.value === null ? {} : { value: d.value }),
          ...(d.namespace === undefined || d.namespace === null ? {} : { namespace: String(d.namespace) }),
          ...(d.commitTs === undefined ? {} : { commitTs: String(d.commitTs) }),
        })),
      };
    } catch (err) {
      // Core's typed errors (an unreachable or refusing destination, ...) carry safe messages: pass
      // them to the coordinator, which would otherwise only see this Alpha's bare 500.
      if (err instanceof StrataError) throw new HttpError('BACKUP_FAILED', err.message, 502);
      throw err;
    } finally {
      this.writing.delete(req.path);
      key?.fill(0);
      closeDest(opened);
    }
  }

  /** The bytes written so far of group file `path` (null: not being written here). */
  progress(path: string): { bytes: number | null } {
    return { bytes: this.writing.get(path) ?? null };
  }
}
