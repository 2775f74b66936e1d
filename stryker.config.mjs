// StrykerJS over the security core. `npm run mutate` (scripts/mutate.mjs) runs it once per
// shard (scripts/mutate-shards.mjs), with DCT_MUTATE_SHARD naming the shard; reports and the
// incremental file go to reports/mutation/<shard>/. Run directly, it mutates the whole core
// into reports/mutation/all/. Narrow either with `--mutate src/tuf/verify.ts`.
// Not part of `npm test` or .ci/run.
import { SHARDS } from './scripts/mutate-shards.mjs';

const name = process.env.DCT_MUTATE_SHARD;
const shard = SHARDS.find((s) => s.name === name);
if (name && !shard) {
  throw new Error(
    `DCT_MUTATE_SHARD: no shard named "${name}" (${SHARDS.map((s) => s.name).join(', ')})`,
  );
}
// Also where scripts/stryker-live-reporter.mjs writes live.ndjson.
const out = `reports/mutation/${shard ? shard.name : 'all'}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker-live-reporter.mjs'],
  mutate: shard ? shard.mutate : SHARDS.flatMap((s) => s.mutate),
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json', 'live'],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 75, break: null },
};
