// A Stryker reporter that appends each tested mutant to <shard folder>/live.ndjson as soon as
// it is tested, so a shard that is stopped part-way still shows what it found
// (`npm run mutate -- --report` lists those survivors as partial).
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

class LiveReporter {
  constructor() {
    // The shard's folder, as stryker.config.mjs names it.
    this.file = `reports/mutation/${process.env.DCT_MUTATE_SHARD || 'all'}/live.ndjson`;
    mkdirSync(dirname(this.file), { recursive: true });
    rmSync(this.file, { force: true });
    this.seen = new Set();
  }

  onMutantTested(result) {
    const { fileName, mutatorName, replacement, location, status } = result;
    const file = relative(process.cwd(), fileName);
    // The file as it was mutated, once, so the report quotes the code the locations point into.
    if (!this.seen.has(file)) {
      this.seen.add(file);
      const source = readFileSync(fileName, 'utf8');
      appendFileSync(this.file, `${JSON.stringify({ file, source })}\n`);
    }
    appendFileSync(
      this.file,
      `${JSON.stringify({ file, mutatorName, replacement, location, status })}\n`,
    );
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'live', LiveReporter)];
