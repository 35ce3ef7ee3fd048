// Runs bench/at-rest.ts (see there): load, queries, backup and restore with and without encryption at rest.
import { it } from 'vitest';
import { main } from './at-rest.js';

it(
  'encryption at rest against a plaintext store, same data, same run',
  { timeout: 4 * 3600_000 },
  async () => {
    await main();
  },
);
