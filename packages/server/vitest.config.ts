import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    // The data-set tests parse 2 x 200,000 N-Quads; the process test builds the CLI when needed.
    testTimeout: 60_000,
  },
});
