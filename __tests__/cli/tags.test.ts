/**
 * The tag commands' input checks, which stop before any server is asked: one clear line on
 * stderr, nothing on stdout, exit 1.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Terminal } from '../../src/cli/prompt.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dct-tags-'));
});

async function run(argv: string[], terminal?: Terminal) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    // A server nobody listens on: a command that got this far would fail differently.
    env: { DOCKER_CONFIG: dir, HOME: dir, DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:1' },
    cwd: dir,
    stdout: (t) => (stdout += String(t)),
    stderr: (t) => (stderr += t),
    ...(terminal ? { terminal } : {}),
  });
  return { code, stdout, stderr };
}

async function oneLine(argv: string[], terminal?: Terminal): Promise<string> {
  const r = await run(argv, terminal);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('dct sign', () => {
  it('needs a tag, and a digest only after one', async () => {
    expect(await oneLine(['sign', 'example.com/app'])).toBe(
      'no tag specified for example.com/app; dct sign signs a tag: IMAGE:TAG',
    );
    expect(await oneLine(['sign', `example.com/app@sha256:${'a'.repeat(64)}`])).toBe(
      `cannot use a digest reference for IMAGE:TAG (example.com/app@sha256:${'a'.repeat(64)}); name the tag`,
    );
    expect(await oneLine(['sign', 'Example.com/App:1'])).toMatch(/^invalid repository name: /);
    expect(await oneLine(['sign'])).toMatch(/^"dct sign" requires exactly 1 argument/);
    expect(await oneLine(['sign', 'a:1', 'b:1'])).toMatch(
      /^"dct sign" requires exactly 1 argument/,
    );
  });
});

describe('dct revoke', () => {
  it('asks before revoking every tag; no terminal and no --yes is an error', async () => {
    expect(await oneLine(['revoke', 'example.com/app'])).toBe(
      'revoking every signed tag of example.com/app needs a confirmation and there is no terminal to ask on; add --yes',
    );
    const asked: string[] = [];
    const no: Terminal = {
      ask: (q) => {
        asked.push(q);
        return Promise.resolve('');
      },
    };
    expect(await oneLine(['revoke', 'example.com/app'], no)).toBe(
      'trust revoke has been cancelled',
    );
    expect(asked).toEqual([
      'Confirm you would like to delete all signature data for example.com/app? [y/N] ',
    ]);
    expect(await oneLine(['revoke', `example.com/app@sha256:${'b'.repeat(64)}`])).toMatch(
      /^cannot use a digest reference for IMAGE:TAG/,
    );
  });
});

describe('dct inspect', () => {
  it("names each repository it cannot read with docker's words", async () => {
    const r = await run(['inspect', 'Bad/Name', 'also bad']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('[]\n');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^no signatures or cannot access Bad\/Name: invalid repository name/);
    expect(lines[1]).toMatch(/^no signatures or cannot access also bad: invalid repository name/);
  });
});
