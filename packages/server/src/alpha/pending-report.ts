/**
 * Tells Zero, every second, the oldest start ts this Alpha may still commit (its open transactions
 * and the writes it is running: open-txns.ts), and the oldest commit it is still applying
 * (inflight-commits.ts: what a new oracle leader waits for), so that Zero's conflict memory forgets the commits
 * no transaction can conflict with any more (../zero/pending-starts.ts). A report that fails is
 * logged once, and once more when reports get through again: until then Zero keeps more, never less.
 *
 * Zero answers the oldest start ts open on any Alpha: `hold` hands it (or this Alpha's own, if
 * older or if Zero is not answering) to the local store, which keeps the versions that
 * transaction's reads need (native `store/live/horizon.rs`) for as long as it is said again.
 */
import type { ZeroClient } from '@strata/core';
import type { FastifyBaseLogger } from 'fastify';
import type { OpenTxns } from './open-txns.js';
import type { InflightCommits } from './inflight-commits.js';

export const PENDING_REPORT_MS = 1_000;

export function startPendingReports(
  zero: Pick<ZeroClient, 'reportPendingStarts'>,
  addr: string,
  txns: Pick<OpenTxns, 'oldestPending'>,
  inflight: Pick<InflightCommits, 'oldest'>,
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
  hold: (oldestOpen: bigint | undefined) => void = () => {},
  everyMs = PENDING_REPORT_MS,
): { stop(): void } {
  let failing = false;
  let busy = false;
  const send = async () => {
    if (busy) return; // a slow Zero: one report at a time
    busy = true;
    const own = txns.oldestPending();
    try {
      const all = await zero.reportPendingStarts(addr, own, inflight.oldest());
      hold(older(own, all));
      if (failing) log.info('pending start ts reach Zero again');
      failing = false;
    } catch (err) {
      hold(own);
      if (!failing) {
        const msg = err instanceof Error ? err.message : String(err);
        log.warn(
          `cannot tell Zero the oldest pending start ts (it keeps more conflict keys meanwhile): ${msg}`,
        );
      }
      failing = true;
    } finally {
      busy = false;
    }
  };
  void send();
  const timer = setInterval(() => void send(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function older(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
