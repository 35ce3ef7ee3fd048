/**
 * Which of `strata load`'s batches may be in flight together. Two batches that write the same list
 * would make one of them abort (a conflict, which costs a retry), and their order could change the
 * result (a value set twice). So, as Dgraph's live loader does, each batch is known by the lists it
 * touches, and a batch starts only when no batch in flight and no earlier waiting batch shares
 * one: batches that share a list run in file order, the others side by side.
 */
import type { NQuad } from '@strata/server/cli';

/**
 * The lists a batch writes, as far as the loader can tell without the schema: each (predicate,
 * subject), and each (predicate, object) of a node object (its reverse and count lists).
 */
export function touchedLists(batch: NQuad[], uids: Map<string, bigint>): Set<string> {
  const name = (n: NQuad['subject'] | NQuad['object']): string | undefined => {
    if (n.kind === 'uid') return `0x${n.uid.toString(16)}`;
    if (n.kind === 'blank') return `0x${(uids.get(n.name) ?? 0n).toString(16)}:${n.name}`;
    if (n.kind === 'iri') return `0x${(uids.get(n.iri) ?? 0n).toString(16)}:${n.iri}`;
    return undefined;
  };
  const out = new Set<string>();
  for (const q of batch) {
    out.add(`${q.predicate}\u0000${name(q.subject) ?? ''}`);
    const o = name(q.object);
    if (o !== undefined) out.add(`~${q.predicate}\u0000${o}`);
  }
  return out;
}

interface Waiting<T> {
  item: T;
  lists: Set<string>;
}

export class BatchScheduler<T> {
  private readonly waiting: Waiting<T>[] = [];
  private readonly running = new Map<Promise<void>, Set<string>>();
  /** list -> batches in flight that touch it */
  private readonly busy = new Map<string, number>();
  /** The first error of a batch; nothing starts after it. */
  failure: unknown;

  constructor(
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<void>,
  ) {}

  /** Queues a batch; returns once fewer than twice `concurrency` batches are queued or in flight. */
  async add(item: T, lists: Set<string>): Promise<void> {
    this.waiting.push({ item, lists });
    this.launch();
    while (this.failure === undefined && this.waiting.length + this.running.size >= 2 * this.concurrency)
      await Promise.race(this.running.keys());
  }

  /** Waits until every queued batch has run (or, after a failure, every batch in flight has ended). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running.keys());
  }

  private launch(): void {
    // Lists of earlier batches still waiting: a later batch touching one must wait its turn.
    const earlier = new Set<string>();
    for (let i = 0; i < this.waiting.length && this.running.size < this.concurrency;) {
      const w = this.waiting[i]!;
      if (this.failure !== undefined) return;
      let clash = false;
      for (const l of w.lists) {
        if (this.busy.has(l) || earlier.has(l)) {
          clash = true;
          break;
        }
      }
      if (clash) {
        for (const l of w.lists) earlier.add(l);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.start(w);
    }
  }

  private start(w: Waiting<T>): void {
    for (const l of w.lists) this.busy.set(l, (this.busy.get(l) ?? 0) + 1);
    const done = () => {
      this.running.delete(t);
      for (const l of w.lists) {
        const n = this.busy.get(l)! - 1;
        if (n === 0) this.busy.delete(l);
        else this.busy.set(l, n);
      }
      this.launch();
    };
    const t: Promise<void> = this.run(w.item).then(done, (err: unknown) => {
      this.failure ??= err;
      done();
    });
    this.running.set(t, w.lists);
  }
}
