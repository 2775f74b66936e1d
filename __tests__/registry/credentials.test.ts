import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registryCredentials, type ExecFn } from '../../src/registry/credentials.js';

let dir: string;
const savedPath = process.env.PATH;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function writeConfig(config: unknown): Promise<void> {
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
}

/** A docker-credential-<name> script on PATH that logs its stdin and answers from a table. */
async function installHelper(name: string, table: Record<string, object>): Promise<string> {
  const log = join(dir, `${name}.log`);
  const script = [
    '#!/bin/sh',
    `[ "$1" = get ] || exit 3`,
    `read -r url; printf '%s\\n' "$url" >> '${log}'`,
    'case "$url" in',
    ...Object.entries(table).map(([k, v]) => `  '${k}') printf '%s' '${JSON.stringify(v)}' ;;`),
    "  *) printf 'credentials not found in native keychain'; exit 1 ;;",
    'esac',
  ].join('\n');
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, `${script}\n`);
  await chmod(path, 0o755);
  process.env.PATH = `${dir}${delimiter}${savedPath ?? ''}`;
  return log;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dct-creds-'));
});
afterEach(async () => {
  process.env.PATH = savedPath;
  await rm(dir, { recursive: true, force: true });
});

describe('registryCredentials', () => {
  it('prefers the explicit pair and refuses half of one', async () => {
    await writeConfig({ auths: { 'reg.io': { auth: b64('file:pw') } } });
    const opts = { dockerConfigDir: dir };
    await expect(
      registryCredentials('reg.io', { ...opts, username: 'in', password: 'put' }),
    ).resolves.toEqual({ username: 'in', password: 'put' });
    await expect(registryCredentials('reg.io', { ...opts, username: 'in' })).rejects.toMatchObject({
      code: 'CREDENTIALS_INCOMPLETE',
    });
  });

  it('reads auths by host, as base64 user:pass or username/password, with identity tokens', async () => {
    await writeConfig({
      auths: {
        'https://reg.io:5000/v1/': { auth: b64('alice:pa:ss') },
        'other.io': { username: 'bob', password: 'pw2' },
        'tok.io': { auth: b64('carol:'), identitytoken: 'refresh-1' },
      },
    });
    const opts = { dockerConfigDir: dir };
    await expect(registryCredentials('reg.io:5000', opts)).resolves.toEqual({
      username: 'alice',
      password: 'pa:ss',
    });
    await expect(registryCredentials('other.io', opts)).resolves.toEqual({
      username: 'bob',
      password: 'pw2',
    });
    await expect(registryCredentials('tok.io', opts)).resolves.toEqual({
      username: 'carol',
      password: '',
      identityToken: 'refresh-1',
    });
    await expect(registryCredentials('none.io', opts)).resolves.toBeUndefined();
  });

  it.each(['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'])(
    'finds Docker Hub credentials stored under %s',
    async (key) => {
      await writeConfig({ auths: { [key]: { auth: b64('hubuser:hubpw') } } });
      await expect(registryCredentials('docker.io', { dockerConfigDir: dir })).resolves.toEqual({
        username: 'hubuser',
        password: 'hubpw',
      });
    },
  );

  it('prefers an exact auths key over a URL-form key for the same host, as docker does', async () => {
    await writeConfig({
      auths: {
        'https://reg.example.com/v1/': { auth: b64('old:stale') },
        'reg.example.com': { auth: b64('new:fresh') },
      },
    });
    await expect(registryCredentials('reg.example.com', { dockerConfigDir: dir })).resolves.toEqual(
      {
        username: 'new',
        password: 'fresh',
      },
    );
  });

  it('uses DOCKER_CONFIG when no directory is given, and nothing when the file is absent', async () => {
    const saved = process.env.DOCKER_CONFIG;
    try {
      process.env.DOCKER_CONFIG = dir;
      await expect(registryCredentials('reg.io')).resolves.toBeUndefined();
      await writeConfig({ auths: { 'reg.io': { auth: b64('env:pw') } } });
      await expect(registryCredentials('reg.io')).resolves.toEqual({
        username: 'env',
        password: 'pw',
      });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });

  it('runs credHelpers[host] with the host on stdin', async () => {
    const log = await installHelper('fake', {
      'reg.io:5000': { ServerURL: 'reg.io:5000', Username: 'helped', Secret: 'hs' },
    });
    await writeConfig({
      credHelpers: { 'reg.io:5000': 'fake' },
      auths: { 'reg.io:5000': { auth: b64('ignored:x') } },
    });
    await expect(registryCredentials('reg.io:5000', { dockerConfigDir: dir })).resolves.toEqual({
      username: 'helped',
      password: 'hs',
    });
    expect(await readFile(log, 'utf8')).toBe('reg.io:5000\n');
  });

  it('asks credsStore for Docker Hub with the v1 index URL; <token> means identity token', async () => {
    const log = await installHelper('store', {
      'https://index.docker.io/v1/': { Username: '<token>', Secret: 'id-token' },
    });
    await writeConfig({ credsStore: 'store' });
    await expect(registryCredentials('docker.io', { dockerConfigDir: dir })).resolves.toEqual({
      username: '',
      password: '',
      identityToken: 'id-token',
    });
    expect(await readFile(log, 'utf8')).toBe('https://index.docker.io/v1/\n');
  });

  it('falls back to auths when the store has no entry', async () => {
    await installHelper('store', {});
    await writeConfig({ credsStore: 'store', auths: { 'reg.io': { auth: b64('file:pw') } } });
    await expect(registryCredentials('reg.io', { dockerConfigDir: dir })).resolves.toEqual({
      username: 'file',
      password: 'pw',
    });
  });

  it('reports a helper that is missing or failing, without its output', async () => {
    await writeConfig({ credHelpers: { 'reg.io': 'absent-helper-xyz' } });
    await expect(registryCredentials('reg.io', { dockerConfigDir: dir })).rejects.toMatchObject({
      code: 'CREDENTIALS_HELPER_FAILED',
      message: expect.stringContaining('docker-credential-absent-helper-xyz') as unknown,
    });
    const exec: ExecFn = () => Promise.resolve({ code: 2, stdout: 'secret-ish diagnostics' });
    const err = await registryCredentials('reg.io', { dockerConfigDir: dir, exec }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'CREDENTIALS_HELPER_FAILED' });
    expect(err?.message).not.toContain('secret-ish');
  });

  it('passes the injected exec the helper name, args and server URL', async () => {
    const calls: [string, string[], string][] = [];
    const exec: ExecFn = (cmd, args, stdin) => {
      calls.push([cmd, args, stdin]);
      return Promise.resolve({ code: 0, stdout: '{"Username":"x","Secret":"y"}' });
    };
    await writeConfig({ credHelpers: { 'https://index.docker.io/v1/': 'hub' } });
    await expect(registryCredentials('docker.io', { dockerConfigDir: dir, exec })).resolves.toEqual(
      {
        username: 'x',
        password: 'y',
      },
    );
    expect(calls).toEqual([['docker-credential-hub', ['get'], 'https://index.docker.io/v1/']]);
  });

  it('refuses a config that is not JSON without quoting it', async () => {
    await writeFile(join(dir, 'config.json'), '{"auths": {"reg.io": {"auth": "c2VjcmV0"');
    const err = await registryCredentials('reg.io', { dockerConfigDir: dir }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({ code: 'DOCKER_CONFIG_INVALID' });
    expect(err?.message).not.toContain('c2VjcmV0');
    expect(err?.cause).toBeUndefined();
  });
});

describe('registryCredentials zeroes the bytes that held a password', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the decoded `auth` of the Docker config', async () => {
    const auth = b64('user:s3cret-password');
    await writeConfig({ auths: { 'reg.io': { auth } } });
    const from = vi.spyOn(Buffer, 'from');
    await expect(registryCredentials('reg.io', { dockerConfigDir: dir })).resolves.toEqual({
      username: 'user',
      password: 's3cret-password',
    });
    const decoded = from.mock.calls
      .map((args, i) => ({ args, result: from.mock.results[i] }))
      .filter(({ args }) => args[0] === auth && (args as unknown[])[1] === 'base64')
      .map(({ result }) => result.value as Buffer);
    expect(decoded).toHaveLength(1);
    expect(decoded[0].length).toBe('user:s3cret-password'.length);
    expect(decoded[0].every((x) => x === 0)).toBe(true);
  });

  it("a credential helper's output", async () => {
    const answer = { ServerURL: 'reg.io', Username: 'helped', Secret: 'helper-secret' };
    await installHelper('fake', { 'reg.io': answer });
    await writeConfig({ credHelpers: { 'reg.io': 'fake' } });
    const concat = vi.spyOn(Buffer, 'concat');
    await expect(registryCredentials('reg.io', { dockerConfigDir: dir })).resolves.toEqual({
      username: 'helped',
      password: 'helper-secret',
    });
    const outputs = concat.mock.results
      .map((r) => r.value as Buffer)
      .filter((b) => b.length === JSON.stringify(answer).length);
    expect(outputs).toHaveLength(1);
    expect(outputs[0].every((x) => x === 0)).toBe(true);
  });
});

describe('the credential helper runs silently', () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints neither the command nor the helper's answer", async () => {
    const answer = { ServerURL: 'reg.io', Username: 'quiet', Secret: 'never-in-the-log' };
    await installHelper('quiet', { 'reg.io': answer });
    await writeConfig({ credHelpers: { 'reg.io': 'quiet' } });
    const written: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    await expect(registryCredentials('reg.io', { dockerConfigDir: dir })).resolves.toEqual({
      username: 'quiet',
      password: 'never-in-the-log',
    });
    vi.restoreAllMocks();
    expect(written.filter((w) => /never-in-the-log|docker-credential-quiet/.test(w))).toEqual([]);
  });
});
