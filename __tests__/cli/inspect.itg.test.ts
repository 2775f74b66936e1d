/**
 * `dct inspect` against the real notary-server, with docker 28's `docker trust inspect` as the
 * judge: the same JSON (and `--pretty` text) for the same repositories, made by the Go CLI.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInspectJson } from '../../src/signer/inspect.js';
import { installKeys, makeKey, pubFile } from '../signer/admin-helpers.js';
import { freshDocker, type DockerTrust } from '../support/docker-cli.js';
import { pushImage, type PushedImage } from '../support/images.js';
import { createTrustedRepo, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { configDir, dct, installPlugin } from './support.js';

let sb: Sandbox;
let docker: DockerTrust;
let dir: string;
/** Repositories: several signers and tags; no signers; nothing signed. */
let multi: string;
let solo: string;
let empty: string;
let nested: string;
const images: Record<string, PushedImage> = {};

beforeAll(async () => {
  sb = await startSandbox();
  docker = await freshDocker(sb);
  dir = await configDir(sb);

  multi = `${sb.registry.host}/cli/multi`;
  const repo = await createTrustedRepo(sb, multi);
  const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
  // A second signer, bob, delegated as docker's `signer add` does.
  const bob = makeKey('bob');
  const bobPub = join(sb.dir, 'bob.pub');
  await writeFile(bobPub, pubFile(bob));
  for (const role of ['targets/bob', 'targets/releases']) {
    await repo.cli.ok(['delegation', 'add', multi, role, bobPub, '--all-paths'], env);
  }
  await repo.cli.ok(['publish', multi], env);
  await installKeys(repo.cli.trustDir, bob);
  const signs: [string, string[]][] = [
    ['1', ['targets/releases', 'targets/ci']],
    ['2', ['targets/releases', 'targets/ci', 'targets/bob']],
    ['10', ['targets/releases', 'targets/bob']],
    ['admin', ['targets']],
    ['ci-only', ['targets/ci']],
  ];
  for (const [tag, roles] of signs) {
    images[tag] = await pushImage(sb, 'cli/multi', tag, { seed: tag });
    await repo.cli.addTarget(multi, tag, images[tag], env, roles);
  }

  solo = `${sb.registry.host}/cli/solo`;
  const soloRepo = await createTrustedRepo(sb, solo, { signer: null });
  images['v1'] = await pushImage(sb, 'cli/solo', 'v1');
  await soloRepo.cli.addTarget(
    solo,
    'v1',
    images['v1'],
    passphraseEnv(soloRepo.passphrase, soloRepo.rootPassphrase),
  );

  empty = `${sb.registry.host}/cli/empty`;
  await createTrustedRepo(sb, empty, { signer: null });

  // Nested delegations: targets/a/x under targets/a, beside targets/b. Docker walks the roles
  // breadth-first, so a tag in b and in a/x lists b before a/x.
  nested = `${sb.registry.host}/cli/nested`;
  const n = await createTrustedRepo(sb, nested);
  const nEnv = passphraseEnv(n.passphrase, n.rootPassphrase);
  const keys = { a: makeKey('a'), b: makeKey('b'), x: makeKey('x') };
  await installKeys(n.cli.trustDir, keys.a, keys.b, keys.x);
  for (const [role, key] of [
    ['targets/a', keys.a],
    ['targets/b', keys.b],
  ] as const) {
    await writeFile(join(sb.dir, `${key.role}.pub`), pubFile(key));
    await n.cli.ok(
      ['delegation', 'add', nested, role, join(sb.dir, `${key.role}.pub`), '--all-paths'],
      nEnv,
    );
  }
  await n.cli.ok(['publish', nested], nEnv);
  await writeFile(join(sb.dir, 'x.pub'), pubFile(keys.x));
  await n.cli.ok(
    ['delegation', 'add', nested, 'targets/a/x', join(sb.dir, 'x.pub'), '--all-paths'],
    nEnv,
  );
  await n.cli.ok(['publish', nested], nEnv);
  images['deep'] = await pushImage(sb, 'cli/nested', 'deep');
  await n.cli.addTarget(nested, 'deep', images['deep'], nEnv, [
    'targets/releases',
    'targets/a/x',
    'targets/b',
  ]);
});

afterAll(async () => {
  await sb?.stop();
});

/** dct's JSON without the `Expires` it adds, printed as docker prints it. */
function withoutExpires(stdout: string): string {
  const parsed = JSON.parse(stdout) as Record<string, { Expires?: string }[]>[];
  for (const repo of parsed) {
    // Every role file has an expiry; a signer whose role has no file yet has none.
    for (const entry of repo['AdministrativeKeys']) expect(entry.Expires).toMatch(/^\d{4}-/);
    for (const entry of [...repo['Signers'], ...repo['AdministrativeKeys']]) {
      if (entry.Expires !== undefined) expect(entry.Expires).toMatch(/^\d{4}-\d\d-\d\dT/);
      delete entry.Expires;
    }
  }
  return formatInspectJson(parsed);
}

describe('dct inspect', () => {
  it('prints the JSON docker trust inspect prints, for several signers and tags', async () => {
    const ours = await dct(sb, dir, ['inspect', multi]);
    expect(ours.stderr).toBe('');
    expect(ours.code).toBe(0);
    const theirs = await docker.run(['trust', 'inspect', multi]);
    expect(theirs.code).toBe(0);
    expect(withoutExpires(ours.stdout)).toBe(theirs.stdout);
    // What docker shows, spelled out: natural tag order, who signed each released tag.
    const parsed = JSON.parse(theirs.stdout) as {
      SignedTags: unknown[];
      Signers: { Name: string }[];
    }[];
    expect(parsed[0].SignedTags).toEqual([
      { SignedTag: '1', Digest: images['1'].digest.slice(7), Signers: ['ci'] },
      { SignedTag: '2', Digest: images['2'].digest.slice(7), Signers: ['ci', 'bob'] },
      { SignedTag: '10', Digest: images['10'].digest.slice(7), Signers: ['bob'] },
      { SignedTag: 'admin', Digest: images['admin'].digest.slice(7), Signers: ['Repo Admin'] },
    ]);
    expect(parsed[0].Signers.map((s) => s.Name)).toEqual(['ci', 'bob']);
  });

  it('is the same for one tag, an unsigned tag, no signers, nothing signed, and several at once', async () => {
    const cases = [
      [`${multi}:2`],
      [`${multi}:ci-only`],
      [solo],
      [`${solo}:v1`],
      [empty],
      [`${multi}:10`, solo, `${multi}:1`],
      [nested],
      [`${nested}:deep`],
    ];
    for (const args of cases) {
      const ours = await dct(sb, dir, ['inspect', ...args]);
      expect(ours.code, ours.stderr).toBe(0);
      const theirs = await docker.run(['trust', 'inspect', ...args]);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(withoutExpires(ours.stdout), args.join(' ')).toBe(theirs.stdout);
    }
    const deep = JSON.parse((await dct(sb, dir, ['inspect', nested])).stdout) as {
      SignedTags: { Signers: string[] }[];
      Signers: { Name: string }[];
    }[];
    expect(deep[0].SignedTags[0].Signers).toEqual(['b', 'a/x']);
    expect(deep[0].Signers.map((s) => s.Name)).toEqual(['ci', 'b', 'a/x', 'a']);
  });

  it("--pretty prints docker's text, then each role's version and expiry", async () => {
    for (const args of [[multi], [solo], [empty], [`${multi}:2`], [nested]]) {
      const ours = await dct(sb, dir, ['inspect', '--pretty', ...args]);
      expect(ours.code, ours.stderr).toBe(0);
      const theirs = await docker.run(['trust', 'inspect', '--pretty', ...args]);
      expect(theirs.code, theirs.stderr).toBe(0);
      const extra = `\nRole versions and expiry for ${args[0]}\n\n`;
      const at = ours.stdout.indexOf(extra);
      expect(at).toBeGreaterThan(0);
      expect(ours.stdout.slice(0, at)).toBe(theirs.stdout);
      const table = ours.stdout
        .slice(at + extra.length)
        .trimEnd()
        .split('\n');
      expect(table[0]).toMatch(/^ROLE\s+VERSION\s+EXPIRES\s+DAYS LEFT\s+SIGNED BY$/);
      const roles = table.slice(1).map((l) => l.split(/\s+/)[0]);
      expect(roles.slice(0, 4)).toEqual(['root', 'targets', 'snapshot', 'timestamp']);
      for (const line of table.slice(1)) {
        expect(line).toMatch(
          /^\S+\s+\d+\s+\d{4}-\d\d-\d\dT\S+\s+\d+\s+(the trust server|[0-9a-f]{12}(, [0-9a-f]{12})*)$/,
        );
      }
      // The server renews the timestamp (and, here, the snapshot); root and targets are ours.
      const by = (role: string) => table.find((l) => l.startsWith(`${role} `)) ?? '';
      expect(by('timestamp')).toMatch(/the trust server$/);
      expect(by('root')).toMatch(/[0-9a-f]{12}$/);
      expect(by('targets')).toMatch(/[0-9a-f]{12}$/);
    }
    const both = await dct(sb, dir, ['inspect', '--pretty', solo, empty]);
    expect(both.stdout).toContain(`\n\n\nNo signatures for ${empty}\n`);
  });

  it("a repository without trust data: docker's message, exit 1", async () => {
    const none = `${sb.registry.host}/cli/none`;
    const ours = await dct(sb, dir, ['inspect', none]);
    const theirs = await docker.run(['trust', 'inspect', none]);
    expect(theirs.code).toBe(1);
    expect(ours.code).toBe(1);
    expect(ours.stdout).toBe(theirs.stdout);
    const lines = ours.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(theirs.stderr.trim())).toBe(true);
    expect(lines[0]).toContain(`does not have trust data for ${none}`);
    // The others are still shown, the failure is still reported.
    const mixed = await dct(sb, dir, ['inspect', solo, none]);
    expect(mixed.code).toBe(1);
    expect((JSON.parse(mixed.stdout) as { Name: string }[]).map((r) => r.Name)).toEqual([solo]);
    expect(mixed.stderr.trimEnd().split('\n')).toEqual(lines);
  });

  it('fails closed: a root the TUF cache cannot reach is refused, as warm docker refuses it', async () => {
    const gun = `${sb.registry.host}/cli/recreated`;
    const first = await createTrustedRepo(sb, gun, { signer: null });
    const warm = await dct(sb, dir, ['inspect', gun]);
    expect(warm.code, warm.stderr).toBe(0);
    // Inspect remembers the root it trusted where docker keeps it.
    const cached = await readFile(
      join(dir, 'trust', 'tuf', ...gun.split('/'), 'metadata', 'root.json'),
    );
    expect(cached.length).toBeGreaterThan(0);
    expect((await docker.run(['trust', 'inspect', gun])).code).toBe(0);
    // The repository is deleted and created again with another root key.
    await first.cli.ok(['delete', gun, '--remote']);
    await createTrustedRepo(sb, gun, { signer: null });
    const ours = await dct(sb, dir, ['inspect', gun]);
    expect(ours.code).toBe(1);
    expect(ours.stdout).toBe('[]\n');
    const lines = ours.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^no signatures or cannot access ${escape(gun)}: .*root`));
    const theirs = await docker.run(['trust', 'inspect', gun]);
    expect(theirs.code).toBe(1);
    // A fresh directory trusts the new root on first use, as docker does.
    expect((await dct(sb, await configDir(sb), ['inspect', gun])).code).toBe(0);
  });

  it('a server that is down: one line naming it, exit 1', async () => {
    const down = await dct(sb, dir, ['inspect', solo], {
      env: { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:1' },
    });
    expect(down.code).toBe(1);
    const lines = down.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^no signatures or cannot access ${solo}: .*127\\.0\\.0\\.1:1`),
    );
  });

  it('--debug shows each request and its answer', async () => {
    const out = await dct(sb, dir, ['inspect', '--debug', solo]);
    expect(out.code).toBe(0);
    const base = `${sb.notary.url}/v2/${solo}/_trust/tuf`;
    expect(out.stderr).toContain(`debug: GET ${base}/root.json -> 200`);
    expect(out.stderr).toContain(`debug: GET ${base}/timestamp.json -> 200`);
    expect(out.stderr).toMatch(
      new RegExp(`debug: GET ${escape(base)}/targets\\.[0-9a-f]{64}\\.json -> 200`),
    );
    const quiet = await dct(sb, dir, ['inspect', solo]);
    expect(quiet.stderr).toBe('');
  });

  it('answers as a Docker CLI plugin: `docker dcttest inspect` is `docker trust inspect`', async () => {
    await installPlugin(docker.configDir, 'dcttest');
    const listed = await docker.run(['--help']);
    expect(listed.stdout).toMatch(/dcttest\*?\s+Manage trust on Docker images/);
    const viaDocker = await docker.run(['dcttest', 'inspect', multi]);
    expect(viaDocker.code, viaDocker.stderr).toBe(0);
    const theirs = await docker.run(['trust', 'inspect', multi]);
    expect(withoutExpires(viaDocker.stdout)).toBe(theirs.stdout);
    const failed = await docker.run(['dcttest', 'inspect', `${sb.registry.host}/cli/none`]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^no signatures or cannot access /);
  });
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
