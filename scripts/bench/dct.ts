// The `dct` command line (dist/cli/index.js) and docker 28's `docker trust` doing the same
// repository work from fresh Docker configs, under /usr/bin/time: cases 8 and 9 of the bench.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DOCKER_BIN } from '../../__tests__/support/docker-cli.js';
import { REPO_ROOT } from '../../__tests__/support/runner.js';
import type { Sandbox } from '../../__tests__/support/servers.js';
import { timed, type Sample } from './measure.js';

export const CLI_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'index.js');

/** A fresh DOCKER_CONFIG: the server's CA where docker and dct look, and these key files. */
export async function dockerConfig(
  sb: Sandbox,
  baseDir: string,
  keys: { id: string; pem: string }[] = [],
  files: Record<string, string> = {},
): Promise<string> {
  const config = await mkdtemp(join(baseDir, 'config-'));
  await chmod(config, 0o700);
  const priv = join(config, 'trust', 'private');
  await mkdir(priv, { recursive: true, mode: 0o700 });
  for (const k of keys) await writeFile(join(priv, `${k.id}.key`), k.pem, { mode: 0o600 });
  const tls = join(config, 'tls', new URL(sb.notary.url).host);
  await mkdir(tls, { recursive: true });
  await writeFile(join(tls, 'ca.crt'), sb.caPem);
  for (const [name, text] of Object.entries(files)) await writeFile(join(config, name), text);
  return config;
}

function env(sb: Sandbox, config: string, pass: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: config,
    DOCKER_CONFIG: config,
    DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
    ...pass,
  };
}

/** One `dct` command; throws with its stderr unless it exits 0. */
export async function dct(
  node: string,
  entry: string,
  sb: Sandbox,
  config: string,
  args: string[],
  pass: Record<string, string> = {},
): Promise<Sample> {
  const s = await timed(node, [entry, ...args], {
    env: env(sb, config, pass),
    cwd: config,
    scratchDir: config,
  });
  if (s.code !== 0) throw new Error(`dct ${args.join(' ')} exited ${s.code}: ${s.stderr.trim()}`);
  return s;
}

/** One `docker trust` command (docker 28, no daemon needed); throws unless it exits 0. */
export async function dockerTrust(
  sb: Sandbox,
  config: string,
  args: string[],
  pass: Record<string, string> = {},
): Promise<Sample> {
  const s = await timed(DOCKER_BIN, ['trust', ...args], {
    env: env(sb, config, pass),
    cwd: config,
    scratchDir: config,
  });
  if (s.code !== 0) {
    throw new Error(`docker trust ${args.join(' ')} exited ${s.code}: ${s.stderr.trim()}`);
  }
  return s;
}
