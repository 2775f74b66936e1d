// `npm run mutate`: StrykerJS over the security core, one shard at a time (see
// scripts/mutate-shards.mjs), then one report over every shard that has finished.
//
//   npm run mutate                         every shard, then the report
//   npm run mutate -- --shard keys-ring    only the named shards (comma-separated)
//   npm run mutate -- --report             only the report, from the shards' last results
//   npm run mutate -- --shard tuf-envelope --mutate src/tuf/verify.ts   other flags go to Stryker
//   npm run mutate -- --review src/x.ts:12:5 Mutator 'replacement' 'why it needs no test'
//
// Each shard keeps its incremental file, so stopping a run loses only the shard in progress
// and a second run re-tests only what changed. The report lists every mutant that survived
// or that no test reaches; each must be killed by a test or reviewed in
// scripts/mutate-reviewed.json (why it is equivalent, or why the code it changes is not a
// check). It exits non-zero when a survivor is unreviewed or a shard has no result yet.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARDS } from './mutate-shards.mjs';

const root = join(import.meta.dirname, '..');
const FOLDERS = ['src/tuf', 'src/keys', 'src/signer'];

function usage(message) {
  console.error(`mutate: ${message}`);
  console.error(
    'usage: npm run mutate -- [--shard NAME[,NAME...]] [--report] [--review WHERE MUTATOR REPLACEMENT WHY] [stryker flags]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    shards: SHARDS.map((s) => s.name),
    reportOnly: false,
    review: undefined,
    stryker: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--report') opts.reportOnly = true;
    else if (arg === '--review') {
      opts.review = argv.slice(i + 1, i + 5);
      if (opts.review.length !== 4)
        usage('--review needs file:line:column, mutator, replacement, why');
      i += 4;
    } else if (arg === '--shard' || arg.startsWith('--shard=')) {
      const value = arg === '--shard' ? argv[++i] : arg.slice('--shard='.length);
      if (!value) usage('--shard needs a shard name');
      opts.shards = value.split(',');
      for (const name of opts.shards) {
        if (!SHARDS.some((s) => s.name === name)) {
          usage(`--shard: no shard named "${name}" (${SHARDS.map((s) => s.name).join(', ')})`);
        }
      }
    } else opts.stryker.push(arg);
  }
  return opts;
}

/** Every .ts file under the security folders must be named by exactly one shard. */
function checkShards() {
  const listed = SHARDS.flatMap((s) => s.mutate);
  const covered = (file) => listed.filter((p) => p === file);
  const problems = [];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts')) {
        const n = covered(path).length;
        if (n !== 1) problems.push(`${path} is in ${n} shards`);
      }
    }
  };
  FOLDERS.forEach(walk);
  if (problems.length > 0) usage(`scripts/mutate-shards.mjs: ${problems.join('; ')}`);
}

/**
 * Drops from a shard's incremental file the static mutants (code that runs as a module loads,
 * such as a table of field names) that survived or that no test reached. Stryker runs such a
 * mutant against every test, so no test is recorded as covering it, and a test added later
 * does not count as a change for it: the old "Survived" would be kept for good. Dropped, they
 * are tested again on every run until killed. Returns how many were dropped.
 */
function forgetStaticSurvivors(file) {
  if (!existsSync(file)) return 0;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let dropped = 0;
  for (const f of Object.values(report.files ?? {})) {
    const keep = f.mutants.filter(
      (m) => !(m.static === true && (m.status === 'Survived' || m.status === 'NoCoverage')),
    );
    dropped += f.mutants.length - keep.length;
    f.mutants = keep;
  }
  if (dropped > 0) writeFileSync(file, JSON.stringify(report));
  return dropped;
}

function runShard(name, extra) {
  console.log(`\n=== mutate: shard ${name} ===`);
  const dropped = forgetStaticSurvivors(
    join(root, 'reports', 'mutation', name, 'incremental.json'),
  );
  if (dropped > 0) console.log(`mutate: testing ${dropped} static survivor(s) again`);
  const bin = join(root, 'node_modules', '.bin', 'stryker');
  const result = spawnSync(bin, ['run', 'stryker.config.mjs', ...extra], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, DCT_MUTATE_SHARD: name },
  });
  return result.status === 0;
}

const opts = parseArgs(process.argv.slice(2));
checkShards();
if (opts.review !== undefined) {
  const { addReview } = await import('./mutate-report.mjs');
  addReview(
    root,
    SHARDS.map((s) => s.name),
    ...opts.review,
  );
  process.exit(0);
}
const failed = [];
if (!opts.reportOnly) {
  for (const name of opts.shards) if (!runShard(name, opts.stryker)) failed.push(name);
}
const { report } = await import('./mutate-report.mjs');
const ok = report(
  root,
  SHARDS.map((s) => s.name),
);
if (failed.length > 0) console.error(`mutate: Stryker failed in ${failed.join(', ')}`);
process.exit(ok && failed.length === 0 ? 0 : 1);
