/**
 * `dct key rotate` against the real notary-server: warm Go `notary` clients and docker keep
 * listing the repository, and the Go CLI signs on from dct's own trust directory.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { freshDocker, type DockerTrust } from '../support/docker-cli.js';
import { pushImage } from '../support/images.js';
import { NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { DctUser, NONE, REPO_PASS, ROOT_PASS, serverBytes } from './repo-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

async function adminKeys(docker: DockerTrust, gun: string): Promise<Record<string, string[]>> {
  const inspect = await docker.inspect(gun);
  return Object.fromEntries(
    inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys.map((x) => x.ID)]),
  );
}

/** A repository made by `dct signer add`, with tag `first` signed by the Go CLI as alice. */
async function dctRepo(path: string) {
  const gun = `${sb.registry.host}/${path}`;
  const user = await DctUser.create(sb);
  const alice = await user.generate('alice');
  await user.ok(['signer', 'add', '--key', alice.pub, 'alice', gun]);
  const go = new NotaryCli(sb, user.trustDir);
  const sign = async (tag: string) => {
    const img = await pushImage(sb, path, tag, { seed: `${path}-${tag}` });
    await go.addTarget(
      gun,
      tag,
      { digest: img.digest, size: img.size },
      passphraseEnv(REPO_PASS, ROOT_PASS),
      ['targets/releases', 'targets/alice'],
    );
    return img;
  };
  await sign('first');
  return { gun, user, alice, sign };
}

const newKeyId = (stdout: string, role: string): string =>
  new RegExp(`^New ${role} key ID: ([0-9a-f]{64})`, 'm').exec(stdout)![1];

describe('dct key rotate', () => {
  it('targets then root: warm Go and docker clients follow, the Go CLI signs on from the same directory', async () => {
    const { gun, user, sign } = await dctRepo('rot/main');
    const warmGo = new NotaryCli(sb);
    expect((await warmGo.list(gun)).map((t) => t.name)).toEqual(['first']);
    const warmDocker = await freshDocker(sb);
    const oldAdmin = await adminKeys(warmDocker, gun);

    const t = await user.ok(['key', 'rotate', gun, 'targets']);
    expect(t).toMatch(new RegExp(`^Successfully rotated targets key for repository ${gun}\n`));
    const targetsId = newKeyId(t, 'targets');
    expect(targetsId).not.toBe(oldAdmin['Repository'][0]);
    const stored = (await user.keyFiles()).filter((k) => k.role === 'targets');
    expect(stored).toContainEqual({ id: targetsId, role: 'targets', gun });
    expect(stored).toHaveLength(2);
    for (const docker of [warmDocker, await freshDocker(sb)]) {
      expect(await adminKeys(docker, gun)).toEqual({
        Root: oldAdmin['Root'],
        Repository: [targetsId],
      });
    }
    expect((await warmGo.list(gun)).map((l) => l.name)).toEqual(['first']);
    await sign('after-targets');

    const r = await user.ok(['key', 'rotate', gun, 'root']);
    expect(r).toMatch(new RegExp(`^Successfully rotated root key for repository ${gun}\n`));
    expect(r).toMatch(/^Root certificate valid until \d{4}-/m);
    const rootId = newKeyId(r, 'root');
    expect((await user.keyFiles()).filter((k) => k.role === 'root')).toHaveLength(2);
    for (const docker of [warmDocker, await freshDocker(sb)]) {
      expect(await adminKeys(docker, gun)).toEqual({ Root: [rootId], Repository: [targetsId] });
      const tags = (await docker.inspect(gun)).SignedTags.map((s) => s.SignedTag).sort();
      expect(tags).toEqual(['after-targets', 'first']);
    }
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual(['after-targets', 'first']);
    expect((await new NotaryCli(sb).list(gun)).map((l) => l.name).sort()).toEqual([
      'after-targets',
      'first',
    ]);
    // The Go CLI, whose cache dct updated, publishes after the root rotation.
    await sign('after-root');
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual([
      'after-root',
      'after-targets',
      'first',
    ]);
    // And dct goes on with the new keys: a signer, then the repository key from a file.
    const bob = await user.generate('bob');
    await user.ok(['signer', 'add', '--key', bob.pub, 'bob', gun]);
    const given = generateKey('ecdsa');
    const givenId = keyIdOf(tufKeyFromKeyObject(given));
    const file = join(user.cwd, 'repo-key.pem');
    await writeFile(file, encryptNotaryKey(given, REPO_PASS, { role: 'targets', gun }), {
      mode: 0o600,
    });
    const k = await user.ok(['key', 'rotate', gun, 'targets', '--key', 'repo-key.pem']);
    expect(newKeyId(k, 'targets')).toBe(givenId);
    expect(await user.keyFiles()).toContainEqual({ id: givenId, role: 'targets', gun });
    expect((await adminKeys(warmDocker, gun))['Repository']).toEqual([givenId]);
    expect((await warmDocker.inspect(gun)).Signers.map((s) => s.Name).sort()).toEqual([
      'alice',
      'bob',
    ]);
    expect((await warmGo.list(gun)).length).toBe(3);
  });

  it('snapshot to a local key and back to the server, and timestamp: the Go CLI lists and signs throughout', async () => {
    const { gun, user, sign } = await dctRepo('rot/snap');
    const warmGo = new NotaryCli(sb);
    await warmGo.list(gun);

    const s = await user.ok(['key', 'rotate', gun, 'snapshot']);
    const snapId = newKeyId(s, 'snapshot');
    expect(await user.keyFiles()).toContainEqual({ id: snapId, role: 'snapshot', gun });
    await sign('local-snapshot'); // the Go CLI signs the snapshot with dct's new key
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual(['first', 'local-snapshot']);

    const back = await user.ok(['key', 'rotate', gun, 'snapshot', '--server-managed']);
    expect(back).toMatch(/^New snapshot key ID: [0-9a-f]{64} \(held by the server\)$/m);
    const ts = await user.ok(['key', 'rotate', gun, 'timestamp']);
    expect(ts).toMatch(/^New timestamp key ID: [0-9a-f]{64} \(held by the server\)$/m);
    await sign('server-snapshot');
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual([
      'first',
      'local-snapshot',
      'server-snapshot',
    ]);
  });
});

describe('bad input: one line, exit 1, nothing published or overwritten', () => {
  it('no root key, wrong or missing root passphrase, bad roles and flags, no trust data, server down', async () => {
    const { gun, user } = await dctRepo('rot/bad');
    const before = await serverBytes(sb, gun);
    const keysBefore = await user.keyFiles();

    // Another user holding only the repository key.
    const other = await DctUser.create(sb);
    const targets = keysBefore.find((k) => k.role === 'targets')!;
    await mkdir(join(other.trustDir, 'private'), { recursive: true, mode: 0o700 });
    await copyFile(
      join(user.trustDir, 'private', `${targets.id}.key`),
      join(other.trustDir, 'private', `${targets.id}.key`),
    );
    for (const role of ['root', 'targets']) {
      await other.fails(
        ['key', 'rotate', gun, role],
        /this needs the root key \(.*\), but the root keys in .* are none; restore the root key file there from your backup first/,
      );
    }
    expect(await other.keyFiles()).toEqual([{ id: targets.id, role: 'targets', gun }]);

    await user.fails(
      ['key', 'rotate', gun, 'root'],
      /passphrase \(DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE\) does not open root key/,
      { env: { DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'wrong-passphrase' } },
    );
    await user.fails(
      ['key', 'rotate', gun, 'targets'],
      /no terminal to ask on; set DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE/,
      { env: { DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined } },
    );
    // The new repository key needs its passphrase: asked before any key is made.
    await user.fails(
      ['key', 'rotate', gun, 'targets'],
      /no terminal to ask on; set DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE/,
      { env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined } },
    );
    // A repository passphrase that does not open the repository's keys is not used for a new one.
    await user.fails(
      ['key', 'rotate', gun, 'targets'],
      /passphrase \(DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE\) does not open .*targets key/,
      { env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'wrong-passphrase' } },
    );
    await user.fails(['key', 'rotate', gun, 'delegation'], /cannot rotate the key of "delegation"/);
    await user.fails(
      ['key', 'rotate', gun, 'root', '--server-managed'],
      /the root key cannot be held by the server/,
    );
    await user.fails(
      ['key', 'rotate', gun, 'snapshot', '-r', '--key', 'x.pem'],
      /--key gives a key of our own, but the new snapshot key would be the server's/,
    );
    await user.fails(
      ['key', 'rotate', gun, 'timestamp', '--key', 'x.pem'],
      /the new timestamp key is always the server's/,
    );
    const alicePub = join(user.cwd, 'alice.pub');
    await user.fails(
      ['key', 'rotate', gun, 'targets', '--key', alicePub],
      /alice\.pub holds no private key \(only PUBLIC KEY\)/,
    );
    await user.fails(
      ['key', 'rotate', gun, 'targets'],
      /cannot reach the trust server 127\.0\.0\.1:9/,
      {
        env: { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:9' },
      },
    );
    expect(await serverBytes(sb, gun)).toBe(before);
    expect(await user.keyFiles()).toEqual(keysBefore);

    const none = `${sb.registry.host}/rot/none`;
    const missing = await user.fails(
      ['key', 'rotate', none, 'targets'],
      /does not have trust data for .*rot\/none; create the repository first \(`dct signer add --key ci\.pub ci /,
    );
    expect(missing).not.toContain('action');
    expect(await serverBytes(sb, none)).toBe(NONE);
    expect(await user.keyFiles()).toEqual(keysBefore);
  });
});
