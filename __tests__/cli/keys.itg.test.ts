/**
 * `dct key` and the tools that share its key directory: a key made by `dct key generate` is
 * listed and used by the Go `notary` CLI and docker 28 (`docker trust`), and a key made by
 * `docker trust key generate` in the same DOCKER_CONFIG is listed, exported and opened by dct,
 * and signs a repository docker made, over docker's TUF cache and CA folder.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { parsePem } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { signImages } from '../../src/signer/sign.js';
import { DockerTrust, freshDocker } from '../support/docker-cli.js';
import { pushImage } from '../support/images.js';
import { NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { dct, lines, REPO_PASS, ROOT_PASS, tempHome, type Home } from './helpers.js';
import { pluginScript } from './support.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const DOCKER_PASSES = {
  DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: ROOT_PASS,
  DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: REPO_PASS,
};

function pubKeyId(pem: string): string {
  const [block] = parsePem(pem);
  return keyIdOf(
    tufKeyFromKeyObject(createPublicKey({ key: block.der, format: 'der', type: 'spki' })),
  );
}

/** The rows of `notary key list` that name `id`, split on whitespace. */
async function notaryKeyRow(notary: NotaryCli, id: string): Promise<string[]> {
  const out = await notary.ok(['key', 'list']);
  const row = out.split('\n').find((l) => l.includes(id));
  if (row === undefined) throw new Error(`notary key list does not show ${id}:\n${out}`);
  return row.trim().split(/\s+/);
}

async function dctGenerate(home: Home, name: string): Promise<string> {
  const r = await dct(home, ['key', 'generate', name]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return pubKeyId(await readFile(join(home.cwd, `${name}.pub`), 'utf8'));
}

describe('a key made by dct key generate', () => {
  it('is listed by notary, added by docker trust signer add, and signs with notary and docker', async () => {
    const home = await tempHome();
    const gun = `${sb.registry.host}/dct/keys`;
    const alice = await dctGenerate(home, 'alice');

    // The Go notary CLI over the same trust directory sees the key, named after its signer.
    const notary = new NotaryCli(sb, join(home.config, 'trust'));
    const row = await notaryKeyRow(notary, alice);
    // ROLE, KEY ID, LOCATION (no GUN for a delegation key; notary shortens long paths)
    expect(row).toEqual(['alice', alice, expect.stringMatching(/\/docker\/trust\/private$/)]);

    // docker 28, same DOCKER_CONFIG: the .pub makes alice a signer of a new repository.
    const docker = new DockerTrust(sb, home.config);
    const added = await docker.run(
      ['trust', 'signer', 'add', '--key', join(home.cwd, 'alice.pub'), 'alice', gun],
      DOCKER_PASSES,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Successfully added signer: alice');
    const judge = await freshDocker(sb);
    const inspect = await judge.inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'alice', Keys: [{ ID: alice }] }]);

    // notary signs with the dct-made private key, and docker shows it.
    const digest = createHash('sha256').update('dct keys itg').digest('hex');
    const env = passphraseEnv(REPO_PASS, ROOT_PASS);
    await notary.ok(
      // both roles, as docker trust sign does: docker names a tag's signers after the other
      // roles that hold it, and shows "Repo Admin" for a tag in targets/releases alone
      [
        'addhash',
        gun,
        'v1',
        '12',
        '--sha256',
        digest,
        '-r',
        'targets/releases',
        '-r',
        'targets/alice',
      ],
      env,
    );
    await notary.ok(['publish', gun], env);
    const signed = await judge.inspect(gun);
    expect(signed.SignedTags).toEqual([{ SignedTag: 'v1', Digest: digest, Signers: ['alice'] }]);

    // docker signs with it too: `docker trust revoke` re-signs the delegations with the keys
    // it holds for them, here the dct-made one (docker 28's `trust key load` of an encrypted
    // file imports nothing, so revoke is the daemon-free way to make docker decrypt it).
    const revoked = await docker.run(['trust', 'revoke', '--yes', `${gun}:v1`], DOCKER_PASSES);
    expect(revoked.code, revoked.stderr).toBe(0);
    // the judge's cache now holds what the server serves
    expect((await judge.inspect(gun)).SignedTags).toEqual([]);
    const releases = JSON.parse(
      await readFile(
        join(judge.configDir, 'trust', 'tuf', gun, 'metadata', 'targets', 'releases.json'),
        'utf8',
      ),
    ) as { signed: { version: number }; signatures: { keyid: string }[] };
    expect(releases.signed.version).toBe(2);
    expect(releases.signatures.map((s) => s.keyid)).toEqual([alice]);
  });
});

describe('a key made by docker trust key generate', () => {
  it('is listed, exported and opened by dct with the same passphrase, and signs', async () => {
    const home = await tempHome();
    const docker = new DockerTrust(sb, home.config);
    const pubs = join(home.dir, 'pubs');
    await mkdir(pubs);
    const made = await docker.run(['trust', 'key', 'generate', 'bob', '--dir', pubs], {
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: REPO_PASS,
    });
    expect(made.code, made.stderr).toBe(0);
    const bob = pubKeyId(await readFile(join(pubs, 'bob.pub'), 'utf8'));
    const keyPath = join(home.private, `${bob}.key`);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    // a dct key next to it, in the same directory
    const carol = await dctGenerate(home, 'carol');

    const list = await dct(home, ['key', 'list']);
    expect(list.code).toBe(0);
    const rows = lines(list.stdout).map((l) => l.split(/\s+/));
    expect(rows).toContainEqual(['bob', bob, keyPath]);
    expect(rows).toContainEqual(['carol', carol, join(home.private, `${carol}.key`)]);

    const exported = await dct(home, ['key', 'export', 'bob']);
    expect(exported.code).toBe(0);
    expect(exported.stdoutBytes).toEqual(await readFile(keyPath));
    const { files } = readKeySecret(exported.stdout, () => undefined);
    const opened = KeyRing.open(files, { passphrase: REPO_PASS, include: 'signing' });
    expect(opened.ids()).toEqual([bob]);
    expect(opened.held()[0].role).toBe('bob');
    opened.dispose();

    // The command line opens both keys with the one repository passphrase, and signs with
    // docker's key a repository docker made, over docker's own TUF cache and CA folder.
    const gun = `${sb.registry.host}/dct/docker-made`;
    const added = await docker.run(
      ['trust', 'signer', 'add', '--key', join(pubs, 'bob.pub'), 'bob', gun],
      DOCKER_PASSES,
    );
    expect(added.code, added.stderr).toBe(0);
    const registryTls = join(home.config, 'tls', sb.registry.host);
    await mkdir(registryTls, { recursive: true });
    await writeFile(join(registryTls, 'ca.crt'), sb.caPem);
    const image = await pushImage(sb, 'dct/docker-made', '1', { seed: 'docker-made' });
    const rootBefore = (
      await readFile(join(home.config, 'trust', 'tuf', gun, 'metadata', 'root.json'))
    ).toString('base64');
    const stderr: string[] = [];
    const ctx = new CliContext({
      env: {
        DOCKER_CONFIG: home.config,
        DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
        ...DOCKER_PASSES,
      },
      cwd: home.cwd,
      stdout: () => undefined,
      stderr: (t) => stderr.push(t),
    });
    // docker's bob, dct's carol and the repository key docker made, one passphrase for all
    const all = await ctx.openKeys('signing');
    expect(
      all
        .held()
        .map((k) => `${k.role}:${k.gun ?? ''}`)
        .sort(),
    ).toEqual(['bob:', 'carol:', `targets:${gun}`]);
    expect(all.ids().includes(bob) && all.ids().includes(carol)).toBe(true);
    all.dispose();
    const ring = await ctx.openKeys('signing', gun);
    expect(ring.ids().includes(bob)).toBe(true);
    const signed = await signImages({
      ...ctx.connection([gun]),
      images: [`${gun}:1`],
      keys: ring,
      signers: ['bob'],
      rootKeyIds: [],
      trustStore: ctx.tufStore,
      log: ctx.log,
    });
    ring.dispose();
    expect(signed[0].digest).toBe(image.digest);
    // docker's cache now also remembers what dct saw, next to docker's own files
    const metadata = ctx.tufStore.metadataDir(gun);
    expect(JSON.parse(await readFile(join(metadata, 'dct-versions.json'), 'utf8'))).toMatchObject({
      root: 1,
      targets: 2,
      'targets/releases': 1,
      'targets/bob': 1,
    });
    expect((await ctx.tufStore.load(gun))?.root).toBe(rootBefore);
    expect(stderr.join('')).not.toContain('warning');
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.SignedTags).toEqual([
      { SignedTag: '1', Digest: image.digest.slice('sha256:'.length), Signers: ['bob'] },
    ]);

    // dct will not make a second bob; docker's key is kept.
    const keysBefore = await readdir(home.private);
    const again = await dct(home, ['key', 'generate', '--dir', pubs, 'bob']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a key named bob already exists');
    expect(await readdir(home.private)).toEqual(keysBefore);
    expect(await readFile(keyPath)).toEqual(exported.stdoutBytes);
  });
});

describe('dct as a docker CLI plugin', () => {
  it('is found and run by docker 28 under another name than its own trust', async () => {
    const home = await tempHome();
    const plugins = join(home.config, 'cli-plugins');
    await mkdir(plugins, { recursive: true });
    // What `ln -s dist/cli/index.js ~/.docker/cli-plugins/docker-trust` does, from the sources.
    const plugin = join(plugins, 'docker-dct');
    await writeFile(plugin, await pluginScript());
    await chmod(plugin, 0o755);
    const docker = new DockerTrust(sb, home.config);

    const help = await docker.run(['--help']);
    expect(help.stdout).toMatch(/^ {2}dct\* +Manage trust on Docker images/m);
    const pubs = join(home.dir, 'pubs');
    await mkdir(pubs);
    const made = await docker.run(['dct', 'key', 'generate', '--dir', pubs, 'dave'], {
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: REPO_PASS,
    });
    expect(made.code, made.stderr).toBe(0);
    const dave = pubKeyId(await readFile(join(pubs, 'dave.pub'), 'utf8'));
    expect(await readdir(home.private)).toEqual([`${dave}.key`]);
    const list = await docker.run(['dct', 'key', 'list']);
    expect(lines(list.stdout).map((l) => l.split(/\s+/))).toContainEqual([
      'dave',
      dave,
      join(home.private, `${dave}.key`),
    ]);
    const bad = await docker.run(['dct', 'key', 'frob']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("docker dct: 'key frob' is not a docker dct command.");
  });
});
