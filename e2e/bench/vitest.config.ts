import { defineConfig } from 'vitest/config';

// `pnpm bench` in e2e: the benchmarks against the real Dgraph, run by vitest (TypeScript, the e2e
// data sets and harness as they are); they print figures and assert nothing about time.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
  },
});
