/**
 * The coordinator side of a write: splits edges per owner group and runs the two-phase commit
 * (prepare everywhere, a commit timestamp from Zero's oracle after its conflict check, commit
 * everywhere; the next commit's timestamp waits until this one is queued at every owner). If a prepare fails, an owner is unreachable or the transaction lost a conflict,
 * every group that prepared aborts and nothing is committed.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, GroupApi } from './cluster.js';
import { HttpError } from '../http/errors.js';
import type { WireEdge } from './wire.js';

export interface CommitResult {
  commitTs: bigint;
  groups: number[];
  keys: number;
}

/** Dgraph's message for a transaction that lost a conflict (its clients look for it). */
export const ABORTED_MESSAGE = 'Transaction has been aborted. Please retry';

/**
 * Commits edges already split by group atomically; throws (nothing committed) when a group
 * refuses. With `startTs`, Zero checks the groups' conflict keys first: a transaction committed
 * since `startTs` that wrote one of them aborts this one (TXN_ABORTED, 409).
 */
export async function commitEdges(
  cluster: Cluster,
  byGroup: Map<number, WireEdge[]>,
  startTs?: bigint,
): Promise<CommitResult> {
  const txnId = randomUUID();
  const groups = [...byGroup.keys()].sort((a, b) => a - b);
  const apis: GroupApi[] = [];
  // Resolve every owner first: a group without an Alpha fails before anything is staged.
  for (const g of groups) apis.push(await cluster.groupApi(g));
  const prepared: GroupApi[] = [];
  const check = { keys: [] as string[], preds: [] as string[], coarse: [] as string[] };
  const results = await Promise.allSettled(
    apis.map(async (api) => {
      const p = await api.prepare(txnId, byGroup.get(api.group)!);
      prepared.push(api);
      check.keys.push(...(p.keys ?? []));
      check.preds.push(...(p.preds ?? []));
      check.coarse.push(...(p.coarse ?? []));
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(prepared.map((api) => api.abort(txnId)));
    const err = failed.reason as unknown;
    if (err instanceof HttpError) {
      if (err.code === 'GROUP_UNAVAILABLE') {
        throw new HttpError(
          'GROUP_UNAVAILABLE',
          `mutation aborted, nothing was committed: ${err.message}`,
          503,
        );
      }
      throw err;
    }
    throw err;
  }
  const ts = await (
    startTs === undefined
      ? cluster.zero.commitTs()
      : cluster.zero.commitTsChecked({ startTs: String(startTs), ...check })
  ).catch(async (err: unknown) => {
    await Promise.allSettled(prepared.map((api) => api.abort(txnId)));
    throw err;
  });
  if (ts === 'conflict') {
    await Promise.allSettled(prepared.map((api) => api.abort(txnId)));
    throw new HttpError('TXN_ABORTED', `rpc error: code = Aborted desc = ${ABORTED_MESSAGE}`, 409);
  }
  const commitTs = ts;
  cluster.inflight.add(commitTs);
  let keys = 0;
  const applied = apis.map((api) => api.commit(txnId, commitTs));
  // Every owner in process has queued the commit: the next commit may take its timestamp now
  // (it will be applied after this one), and the queued commits of a busy store go in together.
  // Reads still wait for `done`. Over HTTP, the slot is released by `done` only.
  if (apis.every((api) => api.queuesOnCall)) void cluster.zero.queued(commitTs).catch(() => undefined);
  const commits = await Promise.allSettled(applied);
  const ok = commits.filter((c) => c.status === 'fulfilled').length;
  for (const c of commits) if (c.status === 'fulfilled') keys += c.value.keys;
  await cluster.zero.done(commitTs, ok > 0).catch(() => undefined);
  cluster.inflight.remove(commitTs);
  const bad = commits.findIndex((c) => c.status === 'rejected');
  if (bad !== -1) {
    const reason = (commits[bad] as PromiseRejectedResult).reason as Error;
    // Every group refused the request itself (e.g. a value it cannot index): the caller's error.
    if (ok === 0 && reason instanceof HttpError && reason.statusCode < 500)
      throw new HttpError(
        reason.code,
        `mutation aborted, nothing was committed: ${reason.message}`,
        reason.statusCode,
      );
    throw new HttpError(
      'GROUP_UNAVAILABLE',
      ok === 0
        ? `mutation aborted, nothing was committed: ${reason.message}`
        : `group ${apis[bad]!.group} failed after the other groups committed at ${commitTs}: ${reason.message}`,
      ok === 0 ? 503 : 500,
    );
  }
  return { commitTs, groups, keys };
}
