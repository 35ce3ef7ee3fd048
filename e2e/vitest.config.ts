import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    include: ['tests/**/*.test.ts'],
    // Builds MinIO on a cold machine (minutes), starts it, stops it afterwards.
    globalSetup: ['./minio/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
