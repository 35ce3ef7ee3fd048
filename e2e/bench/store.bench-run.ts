// Runs bench/store.ts (see there): load, store size, memory, backup and restore, Strata / Dgraph v25.4.0.
import { it } from 'vitest';
import { main } from './store.js';

it('load, store, memory, backup and restore against Dgraph v25.4.0', { timeout: 6 * 3600_000 }, async () => {
  await main();
});
