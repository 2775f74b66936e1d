import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['__tests__/support/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['__tests__/**/*.test.ts'],
          exclude: ['__tests__/**/*.itg.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'itg',
          include: ['__tests__/**/*.itg.test.ts'],
          // The real servers are started once per file; files run one at a time so the
          // two cores are not fought over by several notary-server instances.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
