/**
 * `dct key` and the tools that share its key directory: a key made by `dct key generate` is
 * listed and used by the Go `notary` CLI and docker 28 (`docker trust`), and a key made by
 * `docker trust key generate` in the same DOCKER_CONFIG is listed, exported and opened by dct.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { parsePem } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { DockerTrust, freshDocker } from '../support/docker-cli.js';
import { NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { dct, lines, REPO_PASS, ROOT_PASS, tempHome, type Home } from './helpers.js';

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
  it('is listed, exported and opened by dct with the same passphrase', async () => {
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
    const ring = KeyRing.open(files, { passphrase: REPO_PASS, include: 'signing' });
    expect(ring.ids()).toEqual([bob]);
    expect(ring.held()[0].role).toBe('bob');
    ring.dispose();

    // The command line opens both keys with the one repository passphrase.
    const ctx = new CliContext({
      env: { DOCKER_CONFIG: home.config, ...DOCKER_PASSES },
      cwd: home.cwd,
      stdout: () => undefined,
      stderr: (t) => {
        throw new Error(`unexpected output: ${t}`);
      },
    });
    const both = await ctx.openKeys('signing');
    expect(both.ids().sort()).toEqual([bob, carol].sort());
    both.dispose();

    // dct will not make a second bob; docker's key is kept.
    const again = await dct(home, ['key', 'generate', '--dir', pubs, 'bob']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a key named bob already exists');
    expect(await readdir(home.private)).toHaveLength(2);
  });
});
