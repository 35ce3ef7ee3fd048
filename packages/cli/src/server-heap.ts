/**
 * How far V8 lets a server's heap grow past what is live before a full collection. Its default
 * (up to 4× when allocation is fast) let `strata start` hold about 900 MiB of anonymous memory
 * during a 3M-N-Quad `strata load` for under 100 MB of live objects; growing by half at most keeps
 * it near 330 MiB at the same load speed (docs/performance.md). `STRATA_HEAP_GROWING_PERCENT`
 * changes the percentage; 0 leaves V8's own.
 */
import { setFlagsFromString } from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** Applies the setting to this process; returns the percentage in force (0: V8's default). */
export function tuneServerHeap(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.STRATA_HEAP_GROWING_PERCENT?.trim();
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new Error(
      `STRATA_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (0: V8's default), got ${JSON.stringify(raw)}`,
    );
  }
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
