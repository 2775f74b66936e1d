/** Shared bits of the `dct` tests: a temporary HOME/DOCKER_CONFIG, a scripted terminal, runCli. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CliIO } from '../../src/cli/context.js';
import type { Terminal } from '../../src/cli/prompt.js';
import { runCli } from '../../src/cli/run.js';

export const REPO_PASS = 'repo-passphrase-1234';
export const ROOT_PASS = 'root-passphrase-1234';

/** Answers questions in order; records each question and whether it was secret. */
export class ScriptedTerminal implements Terminal {
  readonly asked: { question: string; secret: boolean }[] = [];
  constructor(private readonly answers: string[]) {}
  ask(question: string, secret: boolean): Promise<string> {
    this.asked.push({ question, secret });
    const a = this.answers.shift();
    if (a === undefined) return Promise.reject(new Error(`unexpected question: ${question}`));
    return Promise.resolve(a);
  }
}

export interface Home {
  dir: string;
  /** DOCKER_CONFIG */
  config: string;
  /** the current directory the commands run in */
  cwd: string;
  private: string;
}

const made: string[] = [];
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fresh directory holding a DOCKER_CONFIG and a working directory (removed after the test). */
export async function tempHome(): Promise<Home> {
  const dir = await mkdtemp(join(tmpdir(), 'dct-test-'));
  made.push(dir);
  const config = join(dir, 'docker');
  return { dir, config, cwd: dir, private: join(config, 'trust', 'private') };
}

export interface Result {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  terminal?: Terminal;
  program?: string;
  cwd?: string;
  now?: () => Date;
}

/** `dct argv…` in-process, with the home's DOCKER_CONFIG (and passphrases unless overridden). */
export async function dct(home: Home, argv: string[], opts: RunOptions = {}): Promise<Result> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const io: CliIO = {
    env: {
      HOME: home.dir,
      DOCKER_CONFIG: home.config,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: REPO_PASS,
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: ROOT_PASS,
      ...opts.env,
    },
    cwd: opts.cwd ?? home.cwd,
    stdout: (t) => out.push(Buffer.from(t)),
    stderr: (t) => err.push(t),
    ...(opts.terminal ? { terminal: opts.terminal } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  };
  const code = await runCli(argv, io, opts.program);
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: err.join('') };
}

/** stderr as lines, without the empty last one. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
