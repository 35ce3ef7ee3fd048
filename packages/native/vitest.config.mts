import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__test__/**/*.spec.ts'],
    // The large round trip pushes tens of MB through the codec: leave room on slow CI machines.
    testTimeout: 120_000,
  },
});
