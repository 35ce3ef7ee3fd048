// Runs bench/scale.ts (see there): backup and restore time against the number of groups.
import { it } from 'vitest';
import { main } from './scale.js';

it(
  'backup and restore time against the group count (1, 3, 6, 12 groups)',
  { timeout: 3 * 3600_000 },
  async () => {
    await main();
  },
);
