/**
 * What the file state and the etcd state share in handing out ids: one reservation at a time in
 * this process (`reserve`, each state's own), and `assign` as a `lease` of `num` ids.
 */
import { Serial } from './serial.js';
import type { AssignResult, LeaseKind, LeaseResult } from './state.js';

export abstract class IdLeases {
  /** One id reservation (and, in the file state, any mutation) at a time. */
  protected readonly serial = new Serial();

  /** Hands out `num` consecutive ids of a kind (Dgraph's `/assign`). */
  assign(what: LeaseKind, num: number): Promise<AssignResult> {
    return this.lease(what, num).then((r) => ({ startId: r.startId!, endId: r.endId! }));
  }

  /**
   * Moves a lease past `atLeast` (so that every id handed out later is greater), then hands out
   * `num` ids (0: none). Never moves a lease backwards: an `atLeast` below it changes nothing.
   */
  lease(what: LeaseKind, num: number, atLeast?: bigint): Promise<LeaseResult> {
    return this.serial.run(() => this.reserve(what, BigInt(num), atLeast));
  }

  protected abstract reserve(what: LeaseKind, num: bigint, atLeast: bigint | undefined): Promise<LeaseResult>;
}
