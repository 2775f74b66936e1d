// `npm test`: the type check, the linters and the tests, side by side. The tests (vitest,
// both projects) start at once and keep their output; the checks run one after another
// beside them at a lower CPU priority, so they take the time the integration tests spend
// waiting on servers and child processes, and their output is printed whole as each ends.
// Arguments go to vitest (`npm test -- --reporter=json ...`). Exits non-zero if any failed.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { join } from 'node:path';

const bin = (name) => join(import.meta.dirname, '..', 'node_modules', '.bin', name);

const CHECKS = [
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['eslint', bin('eslint'), ['.']],
  ['prettier', bin('prettier'), ['--check', '.']],
];

/** Runs a command; resolves to its exit code (1 when it could not start or was killed). */
function run(cmd, args, { capture = false, nice = 0 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let out = '';
    if (capture) {
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
    }
    if (nice !== 0 && child.pid !== undefined) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // Only an ordering hint: without it the check still runs.
      }
    }
    child.on('error', (e) => {
      out += `${e.message}\n`;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function checks() {
  const results = [];
  for (const [name, cmd, args] of CHECKS) {
    const start = Date.now();
    const { code, out } = await run(cmd, args, { capture: true, nice: 10 });
    const took = ((Date.now() - start) / 1000).toFixed(1);
    const verdict = code === 0 ? 'passed' : `FAILED (exit ${code})`;
    process.stdout.write(`\n::: ${name} ${verdict} in ${took} s\n${code === 0 ? '' : out}`);
    results.push({ name, code, took });
  }
  return results;
}

const start = Date.now();
const [checked, tests] = await Promise.all([
  checks(),
  (async () => {
    const r = await run(bin('vitest'), ['run', ...process.argv.slice(2)]);
    return { name: 'vitest', code: r.code, took: ((Date.now() - start) / 1000).toFixed(1) };
  })(),
]);
const all = [...checked, tests];
process.stdout.write('\n::: npm test\n');
for (const r of all) {
  process.stdout.write(
    `  ${r.name.padEnd(10)} ${r.code === 0 ? 'passed' : 'FAILED'}  ${r.took} s\n`,
  );
}
process.stdout.write(`  total      ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
process.exitCode = all.some((r) => r.code !== 0) ? 1 : 0;
