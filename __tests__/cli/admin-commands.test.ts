/**
 * The administration commands' checks that need no server: usage, names, flags and key files
 * are refused with one line before any request (the trust server given cannot be reached).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dct-admin-'));
});
beforeEach(async () => {
  await writeFile(
    join(dir, 'private.pem'),
    encryptNotaryKey(generateKey('ecdsa'), 'passphrase-123', { role: 'ci' }),
    { mode: 0o600 },
  );
});

async function dct(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: {
      DOCKER_CONFIG: join(dir, 'docker'),
      HOME: dir,
      DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:9',
    },
    cwd: dir,
    stdout: (t) => {
      stdout += String(t);
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

async function fails(args: string[], text: RegExp): Promise<void> {
  const r = await dct(args);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('administration commands, offline', () => {
  it('lists them in the help', async () => {
    const r = await dct(['--help']);
    for (const c of ['signer add', 'signer remove', 'key rotate', 'delete']) {
      expect(r.stdout).toContain(`  ${c} `);
    }
    expect((await dct(['signer', 'add', '--help'])).stdout).toContain(
      'Usage:  dct signer add [OPTIONS] NAME REPOSITORY [REPOSITORY...]',
    );
  });

  it('refuses bad usage, names, roles, flags and key files before any request', async () => {
    await fails(['signer', 'add', 'alice'], /requires at least 2 arguments/);
    await fails(['signer', 'remove', 'alice'], /requires at least 2 arguments/);
    await fails(['key', 'rotate', 'r.io/a'], /requires exactly 2 arguments/);
    await fails(['delete'], /requires exactly 1 argument/);
    await fails(['signer', 'add', '--key', 'x.pub', 'Alice', 'r.io/a'], /signer name "Alice"/);
    await fails(['signer', 'add', 'alice', 'r.io/a'], /`--key` flag/);
    await fails(
      ['signer', 'add', '--key', 'private.pem', 'alice', 'r.io/a'],
      /private\.pem holds a private key/,
    );
    await fails(
      ['signer', 'remove', 'releases', 'r.io/a'],
      /^r\.io\/a: releases is a reserved name/,
    );
    await fails(['key', 'rotate', 'r.io/a', 'alice'], /cannot rotate the key of "alice"/);
    await fails(['key', 'rotate', 'r.io/a', 'timestamp', '--key', 'k.pem'], /always the server's/);
    await fails(['delete', 'r.io/a'], /needs --remote to say so; nothing was deleted/);
    await fails(['delete', '--remote', 'r.io/a'], /no terminal to ask on; give --yes/);
    await fails(['delete', '--remote', '--yes', 'R.io/UP'], /invalid repository name/);
  });
});
