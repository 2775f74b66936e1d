/**
 * `dct` and the bundled action on one repository, against the real servers, with the Go
 * `notary` CLI and `docker trust inspect` as the judges (issue 10, "Done when"): dct creates
 * the repository and adds signer ci with a key it made; the action signs with that key
 * (exported by dct); dct rotates the repository key and the root while warm clients (a Go
 * trust directory, a docker config and the action's trust cache, kept between runs by the
 * Actions cache service) remember the old root, and all of them go on; dct removes ci, and
 * the action's sign with ci's key fails with one line and publishes nothing.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionsCacheService } from '../support/actions-cache.js';
import { freshDocker, type DockerTrust } from '../support/docker-cli.js';
import { pushImage, type PushedImage } from '../support/images.js';
import { NotaryCli } from '../support/notary-cli.js';
import { runActionStep, type ActionRun } from '../support/runner.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { DctUser, REPO_PASS, ROOT_PASS, serverBytes } from '../cli/repo-helpers.js';

let sb: Sandbox;
let cacheService: ActionsCacheService;
beforeAll(async () => {
  sb = await startSandbox();
  cacheService = await ActionsCacheService.start();
});
afterAll(async () => {
  await cacheService?.close();
  await sb?.stop();
});

const PATH = 'e2e/dct';

/** What the tests share, in the order they run: each stage starts where the last ended. */
const s = {} as {
  gun: string;
  user: DctUser;
  ci: { id: string; pub: string };
  /** `dct key export ci`: the action's `keys` secret. */
  ciKeys: string;
  warmGo: NotaryCli;
  warmDocker: DockerTrust;
  signed: PushedImage[];
};

/**
 * One run of the action's main step on a fresh runner: the same paths every time (as on a
 * hosted runner), nothing left from the run before but what the Actions cache service holds.
 */
async function action(inputs: Record<string, string>): Promise<ActionRun> {
  const workDir = join(sb.dir, 'runner');
  await rm(workDir, { recursive: true, force: true });
  return runActionStep('main', {
    inputs: { 'trust-server': sb.notary.url, 'ca-cert': sb.caPem, ...inputs },
    env: { ...cacheService.env, GITHUB_RUN_ID: String(cacheService.entries.length + 1) },
    workDir,
  });
}

/** The action's trust state of the repository, as the last run left it. */
async function cachedState(): Promise<{ rootVersion: number; versions: Record<string, number> }> {
  const dir = join(sb.dir, 'runner', '_temp', 'dct-trust-cache');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  const state = JSON.parse(await readFile(join(dir, files[0]), 'utf8')) as {
    gun: string;
    root: string;
    versions: Record<string, number>;
  };
  expect(state.gun).toBe(s.gun);
  const root = JSON.parse(Buffer.from(state.root, 'base64').toString('utf8')) as {
    signed: { version: number };
  };
  return { rootVersion: root.signed.version, versions: state.versions };
}

const versionOf = (rootJson: Buffer): number =>
  (JSON.parse(rootJson.toString('utf8')) as { signed: { version: number } }).signed.version;

/** The root version the server publishes. */
async function serverRootVersion(): Promise<number> {
  const root = (await serverBytes(sb, s.gun)).split('\n')[0].slice('root:'.length);
  return versionOf(Buffer.from(root, 'base64'));
}

/** The root version a Go or docker trust directory remembers for the repository. */
async function rememberedRootVersion(trustDir: string): Promise<number> {
  return versionOf(await readFile(join(trustDir, 'tuf', s.gun, 'metadata', 'root.json')));
}

async function sign(tag: string): Promise<{ run: ActionRun; image: PushedImage }> {
  const image = await pushImage(sb, PATH, tag, { seed: `dct-action-${tag}` });
  const run = await action({
    command: 'sign',
    images: `${s.gun}:${tag}`,
    keys: s.ciKeys,
    passphrase: REPO_PASS,
  });
  return { run, image };
}

/** `docker trust inspect`'s signed tags: tag, digest, signers. */
async function dockerTags(docker: DockerTrust): Promise<string[]> {
  return (await docker.inspect(s.gun)).SignedTags.map(
    (t) => `${t.SignedTag} sha256:${t.Digest} ${t.Signers.join(',')}`,
  ).sort();
}

const goTags = async (go: NotaryCli): Promise<string[]> =>
  (await go.list(s.gun)).map((t) => `${t.name} ${t.digest}`).sort();

describe('dct and the action on one repository', () => {
  it('dct creates the repository and adds signer ci; the action signs with the dct-made key; docker and the Go CLI show it', async () => {
    s.gun = `${sb.registry.host}/${PATH}`;
    s.user = await DctUser.create(sb);
    s.ci = await s.user.generate('ci');
    await s.user.ok(['signer', 'add', '--key', s.ci.pub, 'ci', s.gun]);
    s.ciKeys = await s.user.ok(['key', 'export', 'ci']);
    expect(s.ciKeys).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\nrole: ci\n/);
    expect(s.ciKeys.match(/-----BEGIN /g)).toHaveLength(1);

    const { run, image } = await sign('one');
    expect(run.failed).toEqual([]);
    expect(run.code).toBe(0);
    // Both roles ci's key signs, in the order dct (as docker) delegated them.
    expect(JSON.parse(run.outputs['signed'])).toEqual([
      {
        image: `${s.gun}:one`,
        gun: s.gun,
        tag: 'one',
        digest: image.digest,
        size: image.size,
        roles: ['targets/ci', 'targets/releases'],
      },
    ]);
    // The first run trusted the root on first use and left it in the Actions cache.
    expect(run.stdout).toContain(`No trust state of ${s.gun} in the cache`);
    expect(run.stdout).toContain(`Saved the trust state of ${s.gun} to cache`);
    expect(cacheService.keys).toHaveLength(1);
    expect((await cachedState()).rootVersion).toBe(await serverRootVersion());
    s.signed = [image];

    s.warmDocker = await freshDocker(sb);
    const inspect = await s.warmDocker.inspect(s.gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: s.ci.id }] }]);
    expect(inspect.SignedTags).toEqual([
      { SignedTag: 'one', Digest: image.digest.slice('sha256:'.length), Signers: ['ci'] },
    ]);
    s.warmGo = new NotaryCli(sb);
    expect(await goTags(s.warmGo)).toEqual([`one ${image.digest}`]);
    expect((await s.warmGo.list(s.gun, 'targets/ci')).map((t) => t.name)).toEqual(['one']);
  });

  it('after dct key rotate targets and root, the warm Go client lists, warm docker inspects, the warm action signs', async () => {
    const before = await cachedState();
    const oldAdmin = (await s.warmDocker.inspect(s.gun)).AdministrativeKeys;
    // All three remember the root they first trusted.
    expect(await rememberedRootVersion(s.warmGo.trustDir)).toBe(before.rootVersion);
    expect(await rememberedRootVersion(join(s.warmDocker.configDir, 'trust'))).toBe(
      before.rootVersion,
    );

    await s.user.ok(['key', 'rotate', s.gun, 'targets']);
    await s.user.ok(['key', 'rotate', s.gun, 'root']);
    const rootVersion = await serverRootVersion();
    expect(rootVersion).toBeGreaterThan(before.rootVersion);

    // The warm clients, which trusted the old root, follow the rotations.
    const expected = [`one sha256:${s.signed[0].digest.slice(7)} ci`];
    expect(await dockerTags(s.warmDocker)).toEqual(expected);
    const newAdmin = (await s.warmDocker.inspect(s.gun)).AdministrativeKeys;
    for (const name of ['Root', 'Repository']) {
      const ids = (a: typeof oldAdmin) => a.find((k) => k.Name === name)?.Keys.map((k) => k.ID);
      expect(ids(newAdmin), name).not.toEqual(ids(oldAdmin));
    }
    expect(await goTags(s.warmGo)).toEqual([`one ${s.signed[0].digest}`]);
    expect(await rememberedRootVersion(s.warmGo.trustDir)).toBe(rootVersion);
    expect(await rememberedRootVersion(join(s.warmDocker.configDir, 'trust'))).toBe(rootVersion);

    // The action restores the old root from the cache and signs on.
    const { run, image } = await sign('two');
    expect(run.failed).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Restored the trust state of ${s.gun} from cache`);
    expect((JSON.parse(run.outputs['signed']) as { roles: string[] }[])[0].roles).toEqual([
      'targets/ci',
      'targets/releases',
    ]);
    expect((await cachedState()).rootVersion).toBe(rootVersion);
    expect(cacheService.keys).toHaveLength(2);
    s.signed.push(image);

    const tags = [`one ${s.signed[0].digest}`, `two ${image.digest}`].sort();
    expect(await goTags(s.warmGo)).toEqual(tags);
    expect(await goTags(new NotaryCli(sb))).toEqual(tags);
    expect(await dockerTags(s.warmDocker)).toEqual(
      [`one ${s.signed[0].digest} ci`, `two ${image.digest} ci`].sort(),
    );
  });

  it('dct signer remove --force: docker shows no signer ci, and the action signing with the ci key fails with one line, nothing published', async () => {
    const out = await s.user.ok(['signer', 'remove', 'ci', s.gun, '--force']);
    expect(out).toContain(`Successfully removed ci from ${s.gun}`);
    for (const docker of [s.warmDocker, await freshDocker(sb)]) {
      const inspect = await docker.inspect(s.gun);
      expect(inspect.Signers).toEqual([]);
      expect(inspect.SignedTags.flatMap((t) => t.Signers)).not.toContain('ci');
    }
    const published = await serverBytes(sb, s.gun);
    const listed = await goTags(s.warmGo);

    const { run } = await sign('three');
    expect(run.code).toBe(1);
    expect(run.failed).toHaveLength(1);
    expect(run.failed[0]).toMatch(new RegExp(`^${s.gun}:three: `));
    // It names the key that signs nothing any more and what to do.
    expect(run.failed[0]).toContain(
      `no valid signing keys for targets/releases; the keys given have IDs ${s.ci.id.slice(0, 7)}. Pass the key of a signer delegated in this repository`,
    );
    expect(run.outputs['signed']).toBeUndefined();
    expect(await serverBytes(sb, s.gun)).toBe(published);
    expect(await goTags(s.warmGo)).toEqual(listed);
    expect(listed.some((t) => t.startsWith('three '))).toBe(false);
    for (const secret of [REPO_PASS, ROOT_PASS]) {
      expect(
        run.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n'),
      ).not.toContain(secret);
    }
  });
});
