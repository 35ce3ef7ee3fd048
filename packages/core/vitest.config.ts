import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Round trips push several MB through the native codec: give slow CI machines room.
    testTimeout: 60_000,
  },
});
