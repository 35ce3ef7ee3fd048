/**
 * Tells Zero, every second, the oldest start ts this Alpha may still commit (its open transactions
 * and the writes it is running: open-txns.ts), so that Zero's conflict memory forgets the commits
 * no transaction can conflict with any more (../zero/pending-starts.ts). A report that fails is
 * logged once, and once more when reports get through again: until then Zero keeps more, never less.
 */
import type { ZeroClient } from '@strata/core';
import type { FastifyBaseLogger } from 'fastify';
import type { OpenTxns } from './open-txns.js';

export const PENDING_REPORT_MS = 1_000;

export function startPendingReports(
  zero: Pick<ZeroClient, 'reportPendingStarts'>,
  addr: string,
  txns: Pick<OpenTxns, 'oldestPending'>,
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
  everyMs = PENDING_REPORT_MS,
): { stop(): void } {
  let failing = false;
  let busy = false;
  const send = async () => {
    if (busy) return; // a slow Zero: one report at a time
    busy = true;
    try {
      await zero.reportPendingStarts(addr, txns.oldestPending());
      if (failing) log.info('pending start ts reach Zero again');
      failing = false;
    } catch (err) {
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
