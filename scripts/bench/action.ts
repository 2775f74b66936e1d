// The bundled action's main step as a runner starts it (the environment of
// __tests__/support/runner.ts runActionStep), but under /usr/bin/time.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareStep, REPO_ROOT, type ActionRun } from '../../__tests__/support/runner.js';
import { timed, type Sample } from './measure.js';

export const MAIN_ENTRY = join(REPO_ROOT, 'dist', 'main', 'index.js');

export interface ActionSample extends Sample {
  run: ActionRun;
}

export interface ActionBenchOptions {
  node: string;
  /** A directory in which each run gets a fresh work dir (HOME, workspace, RUNNER_TEMP). */
  baseDir: string;
  /** e.g. `--cpu-prof` flags, placed before the entry. */
  nodeArgs?: string[];
  /** Another build of dist/main/index.js, to try a fix (default MAIN_ENTRY). */
  entry?: string;
}

/** One main step; `inputs` as the workflow's `with:` (defaults of action.yml included). */
export async function runAction(
  inputs: Record<string, string>,
  opts: ActionBenchOptions,
): Promise<ActionSample> {
  const workDir = await mkdtemp(join(opts.baseDir, 'runner-'));
  const { env, collect } = await prepareStep(workDir, inputs);
  const sample = await timed(opts.node, [...(opts.nodeArgs ?? []), opts.entry ?? MAIN_ENTRY], {
    env,
    cwd: workDir,
    scratchDir: opts.baseDir,
  });
  const run: ActionRun = {
    code: sample.code,
    stdout: sample.stdout,
    stderr: sample.stderr,
    ...(await collect(sample.stdout)),
  };
  return { ...sample, run };
}

/** Throws unless the run succeeded and its output names exactly `expected` tags. */
export function checkActionRun(
  what: string,
  s: ActionSample,
  output: 'signed' | 'verified' | 'none',
  expected: number,
): void {
  const fail = (why: string): never => {
    const tail = [...s.run.failed.slice(0, 5), s.stderr.trim().slice(-600)].join('\n');
    throw new Error(`${what}: ${why}\n${tail}`);
  };
  if (s.code !== 0 || s.run.failed.length > 0) fail(`action exited ${s.code}`);
  if (output === 'none') return; // signer commands: the case checks the repository itself
  const raw = s.run.outputs[output];
  if (raw === undefined) fail(`no \`${output}\` output`);
  const n = (JSON.parse(raw) as unknown[]).length;
  if (n !== expected) fail(`\`${output}\` lists ${n} tags, expected ${expected}`);
}

/** Throws unless the run is the no-work run: it failed on the empty `images` input at once. */
export function checkNoWork(s: ActionSample): void {
  if (s.code === 0 || !s.run.failed.some((m) => /images/.test(m))) {
    throw new Error(`the no-work run did not fail on \`images\`: ${s.stdout.slice(0, 300)}`);
  }
}
