import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files that failed in the last run first (they likely kill the next mutant of the same code),
 * then the quickest first. Stryker stops a mutant's run at the first failing test, so a mutant
 * that every test file may reach (a "static" one, run against all of them) is killed sooner.
 * Vitest's own order runs the longest files first, which suits parallel workers, not this.
 */
class QuickFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(config.root, f.moduleId)}`;
    const stateOf = (f: TestSpecification) => cache.getFileTestResults(key(f));
    const sizeOf = (f: TestSpecification) => cache.getFileStats(key(f))?.size ?? 0;
    return Promise.resolve(
      [...files].sort((a, b) => {
        const sa = stateOf(a);
        const sb = stateOf(b);
        if (sa?.failed !== sb?.failed) return sa?.failed ? -1 : 1;
        if (sa !== undefined && sb !== undefined) return sa.duration - sb.duration;
        if (sa !== undefined || sb !== undefined) return sa !== undefined ? -1 : 1;
        return sizeOf(a) - sizeOf(b);
      }),
    );
  }
}

// Mutation testing (`npm run mutate`) runs the unit tests only: the integration tests start
// real servers per file and would make every mutant take minutes.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    exclude: ['__tests__/**/*.itg.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    sequence: process.env['DCT_SEQ'] === 'base' ? {} : { sequencer: QuickFirstSequencer },
  },
});
