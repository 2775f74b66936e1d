import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['__tests__/support/global-setup.ts'],
    // Two files at a time, unit and integration files mixed in one queue: the integration
    // files mostly wait (on the servers, the Go CLI, the action's child processes), and the
    // unit files fill those waits. Vitest's default on two cores would be one file at a time.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['__tests__/**/*.test.ts'],
          exclude: ['__tests__/**/*.itg.test.ts'],
          testTimeout: 30_000,
          // One module registry per worker: loading src and its dependencies afresh for every
          // file cost more than the tests. Files that mock modules load what they test after
          // vi.resetModules() (keys/wipes, cosign/wipes, reliability/faults.itg).
          isolate: false,
        },
      },
      {
        test: {
          name: 'itg',
          include: ['__tests__/**/*.itg.test.ts'],
          // Each file starts its own servers; two files run side by side. No test depends on
          // the wall clock being fast (faults.itg ends its stalls on the proxy's word). One
          // module registry per worker here too (faults.itg loads what it tests afresh).
          isolate: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
