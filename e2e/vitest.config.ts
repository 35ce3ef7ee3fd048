import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    include: ['tests/**/*.test.ts'],
    // Builds MinIO on a cold machine (minutes), starts it, stops it afterwards.
    // And a folder for the run's secret files, removed afterwards.
    globalSetup: ['./minio/global-setup.ts', './secrets/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
