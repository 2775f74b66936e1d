/** Drives `dct` in-process (runCli) the way a user would, with docker's files in a config dir. */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIO } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import type { Terminal } from '../../src/cli/prompt.js';
import type { Sandbox } from '../support/servers.js';

export interface DctResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A Docker config dir for the sandbox: the CA of both servers under `tls/<host:port>/ca.crt`,
 * as docker and dct read it.
 */
export async function configDir(sb: Sandbox, dir?: string): Promise<string> {
  const d = dir ?? (await mkdtemp(join(sb.dir, 'dct-')));
  for (const host of [new URL(sb.notary.url).host, sb.registry.host]) {
    await mkdir(join(d, 'tls', host), { recursive: true });
    await writeFile(join(d, 'tls', host, 'ca.crt'), sb.caPem);
  }
  return d;
}

export async function dct(
  sb: Sandbox,
  dockerConfig: string,
  argv: string[],
  opts: { env?: Record<string, string>; terminal?: Terminal; now?: () => Date } = {},
): Promise<DctResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    env: {
      HOME: dockerConfig,
      DOCKER_CONFIG: dockerConfig,
      DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
      ...opts.env,
    },
    cwd: dockerConfig,
    stdout: (t) => {
      stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
    },
    stderr: (t) => {
      stderr += t;
    },
    ...(opts.terminal ? { terminal: opts.terminal } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A terminal that answers each question from a list and records what was asked. */
export function scriptedTerminal(answers: string[]): Terminal & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    ask: (question: string) => {
      asked.push(question);
      return Promise.resolve(answers.shift() ?? '');
    },
  };
}

/**
 * Installs `dct` as the Docker CLI plugin `docker-<name>` in `<dockerConfig>/cli-plugins`: a
 * launcher that runs the sources with tsx, so docker starts it as it would the bundle.
 */
export async function installPlugin(dockerConfig: string, name: string): Promise<string> {
  const root = resolve(import.meta.dirname, '..', '..');
  const dir = join(dockerConfig, 'cli-plugins');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `docker-${name}`);
  const loader = `file://${join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')}`;
  const main = `file://${join(root, 'src', 'cli', 'main.ts')}`;
  await writeFile(
    file,
    `#!/usr/bin/env -S ${process.execPath} --import ${loader}\nvoid import(${JSON.stringify(main)});\n`,
  );
  await chmod(file, 0o755);
  return file;
}
