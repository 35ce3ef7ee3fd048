/** Zero's own metrics: commit outcomes at the oracle and the leases handed out. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ZeroState } from '../zero/state.js';

export class ZeroMetrics {
  readonly commits: Counter<'outcome'>;

  constructor(registry: Registry, store: ZeroState) {
    const registers = [registry];
    this.commits = new Counter({
      name: 'strata_zero_commits_total',
      help: 'Transactions finished at the oracle: committed, aborted, or refused for a conflict',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['committed', 'aborted', 'conflict']) this.commits.inc({ outcome }, 0);
    new Gauge({
      name: 'strata_zero_max_assigned_ts',
      help: 'The highest timestamp Zero has leased to the oracle (the ceiling of its lease, not the last one handed out)',
      registers,
      collect() {
        this.set(Number(store.leased('timestamps')));
      },
    });
    new Gauge({
      name: 'strata_zero_max_leased_uid',
      help: 'The highest uid Zero has leased',
      registers,
      collect() {
        this.set(Number(store.leased('uids')));
      },
    });
  }
}
