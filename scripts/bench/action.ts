// The bundled action's main step as a runner starts it (the environment of
// __tests__/support/runner.ts runActionStep), but under /usr/bin/time.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseCommands,
  parseFileCommand,
  REPO_ROOT,
  type ActionRun,
} from '../../__tests__/support/runner.js';
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
  const temp = join(workDir, '_temp');
  const commands = join(workDir, '_runner_file_commands');
  await mkdir(temp, { recursive: true });
  await mkdir(commands, { recursive: true });
  const id = randomUUID();
  const files = {
    GITHUB_OUTPUT: join(commands, `set_output_${id}`),
    GITHUB_STATE: join(commands, `save_state_${id}`),
    GITHUB_STEP_SUMMARY: join(commands, `step_summary_${id}`),
    GITHUB_ENV: join(commands, `set_env_${id}`),
    GITHUB_PATH: join(commands, `add_path_${id}`),
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: workDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workDir,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...files,
  };
  for (const [name, value] of Object.entries(inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const sample = await timed(opts.node, [...(opts.nodeArgs ?? []), opts.entry ?? MAIN_ENTRY], {
    env,
    cwd: workDir,
    scratchDir: opts.baseDir,
  });
  const run: ActionRun = {
    code: sample.code,
    stdout: sample.stdout,
    stderr: sample.stderr,
    outputs: parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommand(await readFile(files.GITHUB_STATE, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    ...parseCommands(sample.stdout),
  };
  return { ...sample, run };
}

/** Throws unless the run succeeded and its output names exactly `expected` tags. */
export function checkActionRun(
  what: string,
  s: ActionSample,
  output: 'signed' | 'verified',
  expected: number,
): void {
  const fail = (why: string): never => {
    const tail = [...s.run.failed.slice(0, 5), s.stderr.trim().slice(-600)].join('\n');
    throw new Error(`${what}: ${why}\n${tail}`);
  };
  if (s.code !== 0 || s.run.failed.length > 0) fail(`action exited ${s.code}`);
  const raw = s.run.outputs[output];
  if (raw === undefined) fail(`no \`${output}\` output`);
  const n = (JSON.parse(raw) as unknown[]).length;
  if (n !== expected) fail(`\`${output}\` lists ${n} tags, expected ${expected}`);
}
