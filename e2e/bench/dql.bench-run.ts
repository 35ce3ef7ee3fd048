// Runs bench/dql.ts (see there): DQL latency and mutation throughput, Strata / Dgraph v25.4.0.
import { it } from 'vitest';
import { main } from './dql.js';

it('DQL latency and mutation throughput against Dgraph v25.4.0', { timeout: 1_800_000 }, async () => {
  await main();
});
