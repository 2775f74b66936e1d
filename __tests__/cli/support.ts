/** Drives `dct` in-process (runCli) the way a user would, with docker's files in a config dir. */
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
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
  const dir = join(dockerConfig, 'cli-plugins');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `docker-${name}`);
  await writeFile(file, await pluginScript());
  await chmod(file, 0o755);
  return file;
}

let bundled: Promise<string> | undefined;

/**
 * The text of an executable that runs `src/cli/main.ts`, for docker to find as a CLI plugin.
 * The sources are bundled once per test process (esbuild, as tsx itself uses) into a private
 * temp dir: docker starts the plugin once to ask for its metadata and again to run it, and
 * a bundle starts in well under a second where loading each source through tsx takes seconds.
 */
export async function pluginScript(): Promise<string> {
  bundled ??= (async () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const out = await mkdtemp(join(tmpdir(), 'dct-plugin-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    const outfile = join(out, 'dct.mjs');
    await build({
      entryPoints: [join(root, 'src', 'cli', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      // CommonJS dependencies call require(); an ES module bundle has none of its own.
      banner: {
        js: "import { createRequire as __dctRequire } from 'node:module'; const require = __dctRequire(import.meta.url);",
      },
    });
    return outfile;
  })();
  const main = await bundled;
  return `#!${process.execPath}\nvoid import(${JSON.stringify(`file://${main}`)});\n`;
}
