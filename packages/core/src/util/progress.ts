/**
 * How far a long operation has come, in bytes (and items), phase by phase: what
 * `restoreOffline`, `verify` and `exportRdfToDir` report through their `onPhaseProgress`.
 */
export interface PhaseProgress {
  /** What the operation is doing now, e.g. `checksums`, `load`, `verify`, `export`. */
  phase: string;
  /** Bytes done in this phase so far. */
  bytesDone: number;
  /** Bytes the phase will do, when known. */
  bytesTotal?: number | undefined;
  /** Items (files, facts) done in this phase so far. */
  items?: number | undefined;
  /** Items the phase will do, when known. */
  itemsTotal?: number | undefined;
}

/** The sizes of some files of a Destination: their sum, undefined when any is unknown. */
export function sumSizes(sizes: readonly (number | undefined)[]): number | undefined {
  let total = 0;
  for (const s of sizes) {
    if (s === undefined) return undefined;
    total += s;
  }
  return total;
}
