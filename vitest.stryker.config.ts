import { relative } from 'node:path';
import {
  BaseSequencer,
  type Reporter,
  type TestModule,
  type TestSpecification,
  type Vitest,
} from 'vitest/node';
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

/**
 * Reports a test file that could not be loaded as an error of the run. Stryker's vitest runner
 * counts only the tests that ran, so a mutant that makes a module throw as it loads (say, a
 * table built at module level) left the files that import it with no tests, and the few other
 * files passing: it read as "Survived". With an error in the run, Stryker marks the mutant
 * "RuntimeError", which `npm run mutate`'s report counts as detected.
 */
class LoadErrorReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    for (const m of modules) {
      // A plain Error: Stryker's runner prints the error with String(), which a serialized
      // error (an object without a prototype) cannot give.
      for (const { message } of m.errors()) {
        this.vitest?.state.catchError(new Error(`${m.moduleId}: ${message}`), 'Load Error');
      }
    }
  }
}

// Mutation testing (`npm run mutate`) runs the unit tests only: the integration tests start
// real servers per file and would make every mutant take minutes.
export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    exclude: ['__tests__/**/*.itg.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    reporters: ['default', new LoadErrorReporter()],
    sequence: process.env['DCT_SEQ'] === 'base' ? {} : { sequencer: QuickFirstSequencer },
  },
});
