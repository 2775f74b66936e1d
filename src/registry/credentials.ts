import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DctError } from '../errors.js';
import type { AuthCredentials } from '../http/auth.js';

export type RegistryCredentials = AuthCredentials;

export type ExecFn = (
  cmd: string,
  args: string[],
  stdin: string,
) => Promise<{ code: number; stdout: string }>;

export interface CredentialOptions {
  username?: string;
  password?: string;
  /** Default: DOCKER_CONFIG, else ~/.docker. */
  dockerConfigDir?: string;
  /** Runs a credential helper; default `execHelper` (tests inject a fake). */
  exec?: ExecFn;
}

/** Keys under which docker stores Docker Hub credentials, the v1 index URL first. */
const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];
const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown>;
}

/**
 * Credentials for a registry host: the explicit pair if given; else what the Docker config
 * holds, as docker resolves it: `credHelpers[host]`, then `credsStore`, then `auths`.
 */
export async function registryCredentials(
  registry: string,
  opts: CredentialOptions = {},
): Promise<RegistryCredentials | undefined> {
  const user = opts.username ?? '';
  const pass = opts.password ?? '';
  if (user !== '' && pass !== '') return { username: user, password: pass };
  if (user !== '' || pass !== '') {
    throw new DctError(
      'CREDENTIALS_INCOMPLETE',
      '`registry-username` and `registry-password` must be given together',
    );
  }
  const dir = opts.dockerConfigDir ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const config = await readConfig(join(dir, 'config.json'));
  if (config === undefined) return undefined;

  const hub = registry === 'docker.io' || DOCKER_HUB_KEYS.includes(registry);
  const keys = hub ? DOCKER_HUB_KEYS : [registry];
  const serverUrl = hub ? DOCKER_HUB_SERVER_URL : registry;
  const exec = opts.exec ?? execHelper;

  const helpers = config.credHelpers ?? {};
  const helper = keys.map((k) => helpers[k]).find((h) => typeof h === 'string' && h !== '');
  if (typeof helper === 'string') return fromHelper(helper, serverUrl, exec);
  if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    const stored = await fromHelper(config.credsStore, serverUrl, exec);
    if (stored !== undefined) return stored;
  }
  return fromAuths(config.auths ?? {}, keys);
}

async function readConfig(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new DctError('DOCKER_CONFIG_INVALID', `cannot read the Docker config ${path}`, {
      cause: e,
    });
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('not a JSON object');
    }
    return parsed;
  } catch (e) {
    // The parser's message may quote file content, which holds secrets: keep it out.
    throw new DctError('DOCKER_CONFIG_INVALID', `the Docker config ${path} is not valid JSON`, {
      cause: e instanceof Error && e.message === 'not a JSON object' ? e : undefined,
    });
  }
}

function fromAuths(
  auths: Record<string, AuthEntry>,
  keys: string[],
): RegistryCredentials | undefined {
  // docker tries the exact key first, then matches keys by host, so
  // "https://host:5000/v1/" counts for "host:5000" unless "host:5000" itself is there.
  const byHost = new Map<string, AuthEntry>(Object.entries(auths));
  for (const [k, v] of Object.entries(auths)) {
    const host = hostnameOf(k);
    if (!byHost.has(host)) byHost.set(host, v);
  }
  for (const key of keys) {
    const entry = byHost.get(key) ?? byHost.get(hostnameOf(key));
    if (entry === undefined || entry === null || typeof entry !== 'object') continue;
    const creds = decodeEntry(entry);
    if (creds !== undefined) return creds;
  }
  return undefined;
}

function decodeEntry(entry: AuthEntry): RegistryCredentials | undefined {
  let username = typeof entry.username === 'string' ? entry.username : '';
  let password = typeof entry.password === 'string' ? entry.password : '';
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const raw = Buffer.from(entry.auth, 'base64');
    try {
      const text = raw.toString('utf8');
      const colon = text.indexOf(':');
      if (colon < 0) {
        throw new DctError(
          'DOCKER_CONFIG_INVALID',
          'an `auth` entry of the Docker config is not base64 of user:password',
        );
      }
      username = text.slice(0, colon);
      password = text.slice(colon + 1);
    } finally {
      raw.fill(0);
    }
  }
  const identityToken =
    typeof entry.identitytoken === 'string' && entry.identitytoken !== ''
      ? entry.identitytoken
      : undefined;
  if (identityToken !== undefined) return { username, password, identityToken };
  if (username === '' && password === '') return undefined;
  return { username, password };
}

/** `docker-credential-<name> get` with the server URL on stdin (docker-credential-helpers). */
async function fromHelper(
  name: string,
  serverUrl: string,
  exec: ExecFn,
): Promise<RegistryCredentials | undefined> {
  const cmd = `docker-credential-${name}`;
  let result: { code: number; stdout: string };
  try {
    result = await exec(cmd, ['get'], serverUrl);
  } catch (e) {
    throw new DctError(
      'CREDENTIALS_HELPER_FAILED',
      `cannot run the Docker credential helper ${cmd} (is it on PATH?)`,
      { cause: e },
    );
  }
  if (result.code !== 0) {
    // The helper protocol reports a missing entry as a failure with this text.
    if (/credentials not found/i.test(result.stdout)) return undefined;
    throw new DctError(
      'CREDENTIALS_HELPER_FAILED',
      `the Docker credential helper ${cmd} failed (exit ${result.code}) for ${serverUrl}`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    throw new DctError(
      'CREDENTIALS_HELPER_FAILED',
      `the Docker credential helper ${cmd} printed something that is not JSON`,
    );
  }
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = typeof parsed.Secret === 'string' ? parsed.Secret : '';
  if (secret === '') return undefined;
  // docker stores identity tokens in helpers with this placeholder user name.
  if (username === '<token>') return { username: '', password: '', identityToken: secret };
  return { username, password: secret };
}

function hostnameOf(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
}

/**
 * Runs a credential helper through @actions/exec, the one way this project runs programs:
 * silent (the helper's output is a secret), exit code returned rather than thrown, and every
 * buffer that held the output zeroed. Loaded when a helper runs, which most runs never need.
 */
export const execHelper: ExecFn = async (cmd, args, stdin) => {
  const { exec } = await import('@actions/exec');
  const chunks: Buffer[] = [];
  try {
    const code = await exec(cmd, args, {
      input: Buffer.from(stdin, 'utf8'),
      silent: true,
      ignoreReturnCode: true,
      listeners: { stdout: (b: Buffer) => chunks.push(b) },
    });
    const out = Buffer.concat(chunks);
    try {
      return { code, stdout: out.toString('utf8') };
    } finally {
      out.fill(0);
    }
  } finally {
    for (const c of chunks) c.fill(0);
  }
};
