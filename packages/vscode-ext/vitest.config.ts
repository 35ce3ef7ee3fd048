import { defineConfig } from 'vitest/config';

// Two projects: the unit tests (plain TS model and commands on the fixture locations) and the UI
// test in a real VS Code (code-server + Chromium), whose global setup installs code-server into
// the cache when it is missing. STRATA_SKIP_UI_TEST=1 runs the unit tests only.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      ...(process.env.STRATA_SKIP_UI_TEST === '1'
        ? []
        : [
            {
              test: {
                name: 'ui',
                include: ['test/ui/*.test.ts'],
                globalSetup: ['./test/ui/global-setup.ts'],
                testTimeout: 180_000,
                hookTimeout: 180_000,
              },
            },
          ]),
    ],
  },
});
