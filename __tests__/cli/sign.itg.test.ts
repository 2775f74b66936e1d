/**
 * `dct sign` and `dct revoke` against the real servers, in the same Docker config dir as
 * docker 28: a key and a repository docker made, then docker and the Go `notary` CLI as the
 * judges of what dct published.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverVersions } from '../reliability/helpers.js';
import { DockerTrust } from '../support/docker-cli.js';
import { pushImage, type PushedImage } from '../support/images.js';
import { NotaryCli } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { configDir, dct, scriptedTerminal, type DctResult } from './support.js';

const PASSES = {
  DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'root-passphrase-123',
  DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'repo-passphrase-123',
};

let sb: Sandbox;
let dir: string;
let docker: DockerTrust;
/** A repository docker created with `signer add`, its signer alice's key made by docker. */
let gun: string;

beforeAll(async () => {
  sb = await startSandbox();
  dir = await configDir(sb);
  docker = new DockerTrust(sb, dir);
  gun = `${sb.registry.host}/cli/signed`;
  const generated = await docker.run(['trust', 'key', 'generate', 'alice', '--dir', dir], PASSES);
  expect(generated.code, generated.stderr).toBe(0);
  const added = await docker.run(
    ['trust', 'signer', 'add', '--key', join(dir, 'alice.pub'), 'alice', gun],
    PASSES,
  );
  expect(added.code, added.stderr).toBe(0);
});

afterAll(async () => {
  await sb?.stop();
});

const run = (argv: string[], env: Record<string, string> = {}) =>
  dct(sb, dir, argv, { env: { ...PASSES, ...env } });

async function push(tag: string): Promise<PushedImage> {
  return pushImage(sb, 'cli/signed', tag, { seed: `signed-${tag}` });
}

/** What the Go CLI lists, from a fresh trust dir: `name digest size`. */
async function goListed(): Promise<string[]> {
  const rows = await new NotaryCli(sb).list(gun);
  return rows.map((t) => `${t.name} ${t.digest} ${t.size}`).sort();
}

/** One line on stderr, nothing on stdout, exit 1. */
function oneLine(r: DctResult): string {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0];
}

describe('dct sign', () => {
  it('signs the digest the registry holds with the key docker made; docker and Go list it', async () => {
    const img = await push('1');
    const out = await run(['sign', `${gun}:1`]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      `Signing and pushing trust metadata for ${gun}:1\nSuccessfully signed ${gun}:1\n`,
    );
    expect(await goListed()).toEqual([`1 ${img.digest} ${img.size}`]);
    const inspect = await docker.inspect(gun);
    expect(inspect.SignedTags).toEqual([
      { SignedTag: '1', Digest: img.digest.slice(7), Signers: ['alice'] },
    ]);
    // Signing again what is already signed publishes nothing and still succeeds.
    const before = await serverVersions(sb, gun);
    expect((await run(['sign', `${gun}:1`])).code).toBe(0);
    expect(await serverVersions(sb, gun)).toEqual(before);
  });

  it('--debug shows the requests, the publish included', async () => {
    await push('debug');
    const out = await run(['sign', '--debug', `${gun}:debug`]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain(`debug: GET ${sb.registry.url}/v2/cli/signed/manifests/debug`);
    expect(out.stderr).toContain(`debug: POST ${sb.notary.url}/v2/${gun}/_trust/tuf/ -> 200`);
  });

  it('bad input: one clear line, exit 1, nothing published', async () => {
    await push('2');
    const before = await serverVersions(sb, gun);
    expect(oneLine(await run(['sign', gun]))).toBe(
      `no tag specified for ${gun}; dct sign signs a tag: IMAGE:TAG`,
    );
    expect(oneLine(await run(['sign', `${gun}@sha256:${'a'.repeat(64)}`]))).toMatch(
      /^cannot use a digest reference for IMAGE:TAG/,
    );
    expect(
      oneLine(
        await run(['sign', `${gun}:2`], { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:1' }),
      ),
    ).toMatch(new RegExp(`^${escape(gun)}:2: .*127\\.0\\.0\\.1:1`));
    // A config dir without the signer's key.
    const bare = await configDir(sb);
    const noKeys = await dct(sb, bare, ['sign', `${gun}:2`], { env: PASSES });
    expect(oneLine(noKeys)).toMatch(
      new RegExp(
        `^${escape(gun)}:2: no valid signing keys for targets/\\S+, targets/\\S+; the key directory ${escape(bare)}/trust/private holds no signing key for it`,
      ),
    );
    expect(oneLine(await run(['sign', `${gun}:absent`]))).toMatch(
      new RegExp(`^${escape(gun)}:absent: tag not found in the registry`),
    );
    // A repository without trust data is not created by sign.
    await pushImage(sb, 'cli/untrusted', '1');
    const untrusted = `${sb.registry.host}/cli/untrusted`;
    expect(oneLine(await run(['sign', `${untrusted}:1`]))).toMatch(
      new RegExp(`does not have trust data for ${escape(untrusted)}; create it first`),
    );
    expect(await serverVersions(sb, gun)).toEqual(before);
    expect((await goListed()).map((l) => l.split(' ')[0])).not.toContain('2');
  });
});

describe('dct revoke', () => {
  it('removes one tag; the Go CLI and docker no longer list it', async () => {
    const img = await push('rev');
    expect((await run(['sign', `${gun}:rev`])).code).toBe(0);
    expect(await goListed()).toContain(`rev ${img.digest} ${img.size}`);
    const out = await run(['revoke', `${gun}:rev`]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`Successfully deleted signature for ${gun}:rev\n`);
    expect((await goListed()).map((l) => l.split(' ')[0])).not.toContain('rev');
    expect((await docker.inspect(gun)).SignedTags.map((t) => t.SignedTag)).not.toContain('rev');
    // Revoking it again: nothing to remove.
    const before = await serverVersions(sb, gun);
    expect(oneLine(await run(['revoke', `${gun}:rev`]))).toMatch(/no signed tag to remove/);
    expect(await serverVersions(sb, gun)).toEqual(before);
  });

  it('without a tag: asks, refuses without a terminal or --yes, then removes every tag', async () => {
    for (const tag of ['a', 'b']) {
      await push(tag);
      expect((await run(['sign', `${gun}:${tag}`])).code).toBe(0);
    }
    const signed = await goListed();
    expect(signed.length).toBeGreaterThanOrEqual(2);
    const before = await serverVersions(sb, gun);

    expect(oneLine(await run(['revoke', gun]))).toBe(
      `revoking every signed tag of ${gun} needs a confirmation and there is no terminal to ask on; add --yes`,
    );
    const terminal = scriptedTerminal(['n']);
    const cancelled = await dct(sb, dir, ['revoke', gun], { env: PASSES, terminal });
    expect(terminal.asked).toEqual([
      `Confirm you would like to delete all signature data for ${gun}? [y/N] `,
    ]);
    expect(oneLine(cancelled)).toBe('trust revoke has been cancelled');
    expect(await serverVersions(sb, gun)).toEqual(before);
    expect(await goListed()).toEqual(signed);

    const out = await run(['revoke', '--yes', gun]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(`Successfully deleted signature for ${gun}\n`);
    expect(await goListed()).toEqual([]);
    expect((await docker.inspect(gun)).SignedTags).toEqual([]);
    expect(oneLine(await run(['revoke', '-y', gun]))).toBe(
      `could not remove signature for ${gun}: no signed tags to remove`,
    );
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
