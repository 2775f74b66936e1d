// StrykerJS over the security core. Run with `npm run mutate`; narrow the scope with
// `npm run mutate -- --mutate src/tuf/verify.ts`. Not part of `npm test` or .ci/run.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/tuf/**/*.ts',
    'src/keys/**/*.ts',
    'src/signer/**/*.ts',
    'src/action/post.ts',
    'src/action/inputs.ts',
    'src/action/state.ts',
    'src/action/cache.ts',
    'src/redact.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 75, break: null },
};
