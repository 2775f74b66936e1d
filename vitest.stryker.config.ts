import { defineConfig } from 'vitest/config';

// Mutation testing (`npm run mutate`) runs the unit tests only: the integration tests start
// real servers per file and would make every mutant take minutes.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    exclude: ['__tests__/**/*.itg.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
