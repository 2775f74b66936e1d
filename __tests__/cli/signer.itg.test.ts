/**
 * `dct signer add|remove` against the real notary-server, with the Go `notary` CLI and
 * docker 28's `docker trust inspect` as the judges.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDocker } from '../support/docker-cli.js';
import { pushImage } from '../support/images.js';
import { NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { DctUser, FakeTerminal, NONE, REPO_PASS, serverBytes } from './repo-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const byName = <T extends { Name: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.Name.localeCompare(b.Name));

describe('dct signer add', () => {
  it('creates a repository as docker did; the Go CLI and docker list it, and the Go CLI signs with the dct-made key', async () => {
    const gun = `${sb.registry.host}/cli/new`;
    const user = await DctUser.create(sb);
    const alice = await user.generate('alice');

    const out = await user.ok(['signer', 'add', '--key', alice.pub, 'alice', gun]);
    const rootKeyId = /^Root key ID: ([0-9a-f]{64})$/m.exec(out)?.[1];
    const repoKeyId = /^Repository key ID: ([0-9a-f]{64})$/m.exec(out)?.[1];
    expect(out.split('\n')).toEqual([
      `Adding signer "alice" to ${gun}...`,
      `Initializing signed repository for ${gun}...`,
      `Successfully initialized "${gun}"`,
      `Root key ID: ${rootKeyId}`,
      `Repository key ID: ${repoKeyId}`,
      `Successfully added signer: alice to ${gun}`,
      '',
      '',
    ]);
    // A root key and a repository key were made and stored as docker stores them.
    const files = await user.keyFiles();
    expect(files.map((f) => f.role).sort()).toEqual(['alice', 'root', 'targets']);
    expect(files.find((f) => f.role === 'targets')).toEqual({
      id: repoKeyId,
      role: 'targets',
      gun,
    });
    expect(files.find((f) => f.role === 'root')!.gun).toBeUndefined();

    const cli = new NotaryCli(sb);
    const delegations = await cli.ok(['delegation', 'list', gun]);
    expect(delegations).toMatch(new RegExp(`targets/alice\\s.*${alice.id}`));
    expect(delegations).toMatch(new RegExp(`targets/releases\\s.*${alice.id}`));
    const docker = await freshDocker(sb);
    const inspect = await docker.inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'alice', Keys: [{ ID: alice.id }] }]);
    const admin = Object.fromEntries(inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys]));
    expect(admin['Root']).toEqual([{ ID: rootKeyId }]);
    expect(admin['Repository']).toEqual([{ ID: repoKeyId }]);

    // The Go CLI, in the same trust directory, signs with alice's dct-made key (into both
    // of her roles, as docker trust sign does).
    const goInDir = new NotaryCli(sb, user.trustDir);
    const img = await pushImage(sb, 'cli/new', '1', { seed: 'cli-new-1' });
    await goInDir.addTarget(
      gun,
      '1',
      { digest: img.digest, size: img.size },
      passphraseEnv(REPO_PASS, REPO_PASS),
      ['targets/releases', 'targets/alice'],
    );
    expect((await docker.inspect(gun)).SignedTags).toEqual([
      { SignedTag: '1', Digest: img.digest.slice(7), Signers: ['alice'] },
    ]);

    // A second signer on the existing repository, with the repository key of the directory.
    const bob = await user.generate('bob');
    const added = await user.ok(['signer', 'add', '--key', bob.pub, 'bob', gun]);
    expect(added).toBe(
      `Adding signer "bob" to ${gun}...\nSuccessfully added signer: bob to ${gun}\n\n`,
    );
    for (const judge of [docker, await freshDocker(sb)]) {
      expect(byName((await judge.inspect(gun)).Signers)).toEqual([
        { Name: 'alice', Keys: [{ ID: alice.id }] },
        { Name: 'bob', Keys: [{ ID: bob.id }] },
      ]);
    }
    expect(await cli.ok(['delegation', 'list', gun])).toMatch(
      new RegExp(`targets/bob\\s.*${bob.id}`),
    );

    // Another new repository reuses the root key of the directory (docker's choice).
    const gun2 = `${sb.registry.host}/cli/second`;
    const second = await user.ok(['signer', 'add', '--key', alice.pub, 'alice', gun2]);
    expect(second).toContain(`Successfully initialized "${gun2}"`);
    const roots = (await user.keyFiles()).filter((f) => f.role === 'root');
    expect(roots).toHaveLength(1);
    const targets = (await user.keyFiles()).filter((f) => f.role === 'targets');
    expect(targets.map((t) => t.gun).sort()).toEqual([gun2, gun].sort());
    expect((await (await freshDocker(sb)).inspect(gun2)).Signers).toEqual([
      { Name: 'alice', Keys: [{ ID: alice.id }] },
    ]);
  });

  it('the Go CLI imports a dct-made key with its own key import and signs; several repositories, one bad', async () => {
    const gun = `${sb.registry.host}/cli/import`;
    const user = await DctUser.create(sb);
    const ci = await user.generate('ci');
    await user.ok(['signer', 'add', '--key', ci.pub, 'ci', gun]);

    // notary's key import takes an encrypted key with the `path:` header its own key export
    // writes (without it, it refuses any encrypted key); the file is otherwise dct's as is.
    const go = new NotaryCli(sb);
    const file = await readFile(join(user.trustDir, 'private', `${ci.id}.key`), 'utf8');
    const exported = join(user.cwd, 'ci-export.key');
    await writeFile(exported, file.replace(/^role: /m, `path: ${ci.id}\nrole: `), { mode: 0o600 });
    await go.ok(['key', 'import', exported]);
    expect(await go.ok(['key', 'list'])).toMatch(new RegExp(`ci\\s+${ci.id}`));
    const img = await pushImage(sb, 'cli/import', 'go', { seed: 'cli-import-go' });
    await go.addTarget(
      gun,
      'go',
      { digest: img.digest, size: img.size },
      passphraseEnv(REPO_PASS, REPO_PASS),
      ['targets/releases', 'targets/ci'],
    );
    expect((await (await freshDocker(sb)).inspect(gun)).SignedTags).toEqual([
      { SignedTag: 'go', Digest: img.digest.slice(7), Signers: ['ci'] },
    ]);

    // Each repository on its own: a bad name fails alone, the others get the signer.
    const bob = await user.generate('bob');
    const other = `${sb.registry.host}/cli/import-other`;
    const r = await user.run(['signer', 'add', '--key', bob.pub, 'bob', gun, 'Bad/Name', other]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('Bad/Name: '))).toEqual([lines[lines.length - 1]]);
    expect(lines[lines.length - 1]).toMatch(
      /^Bad\/Name: invalid repository name: .*must be lowercase/,
    );
    expect(r.stdout).toContain(`Successfully added signer: bob to ${gun}`);
    expect(r.stdout).toContain(`Successfully added signer: bob to ${other}`);
    for (const g of [gun, other]) {
      const signers = (await (await freshDocker(sb)).inspect(g)).Signers.map((x) => x.Name);
      expect(signers).toContain('bob');
    }
  });

  it('asks for new passphrases twice on a terminal, none set in the environment', async () => {
    const gun = `${sb.registry.host}/cli/asked`;
    const user = await DctUser.create(sb, {
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined,
    });
    const term = new FakeTerminal([
      'alice-pass-123',
      'alice-pass-123', // key generate: the new alice key
    ]);
    await user.ok(['key', 'generate', 'alice'], { terminal: term });
    const ask = new FakeTerminal([
      'alice-pass-123', // the repository passphrase opens alice's key
      'new-root-pass-1',
      'new-root-pass-1',
    ]);
    await user.ok(['signer', 'add', '--key', `${user.cwd}/alice.pub`, 'alice', gun], {
      terminal: ask,
    });
    expect(ask.questions).toEqual([
      'Enter passphrase for the repository keys: ',
      'Enter passphrase for new root key: ',
      'Repeat passphrase for new root key: ',
    ]);

    // An empty, short or mistyped new passphrase: nothing is made or published.
    const other = `${sb.registry.host}/cli/asked-empty`;
    const fresh = await DctUser.create(sb, {
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined,
    });
    const pub = `${user.cwd}/alice.pub`;
    for (const [answers, text] of [
      [[''], /the passphrase for root key is empty/],
      [['short'], /shorter than 8 characters/],
      [['new-root-pass-1', 'new-root-pass-2'], /the passphrases for root key do not match/],
    ] as const) {
      await fresh.fails(['signer', 'add', '--key', pub, 'alice', other], text, {
        terminal: new FakeTerminal([...answers]),
      });
    }
    expect(await fresh.keyFiles()).toEqual([]);
    expect(await serverBytes(sb, other)).toBe(NONE);
  });
});

describe('dct signer remove', () => {
  it('is what docker trust inspect shows; the last signer of releases needs a yes or --force', async () => {
    const gun = `${sb.registry.host}/cli/remove`;
    const user = await DctUser.create(sb);
    const alice = await user.generate('alice');
    const bob = await user.generate('bob');
    await user.ok(['signer', 'add', '--key', alice.pub, 'alice', gun]);
    await user.ok(['signer', 'add', '--key', bob.pub, 'bob', gun]);
    const img = await pushImage(sb, 'cli/remove', 'v1', { seed: 'cli-remove-v1' });
    await new NotaryCli(sb, user.trustDir).addTarget(
      gun,
      'v1',
      { digest: img.digest, size: img.size },
      passphraseEnv(REPO_PASS, REPO_PASS),
      ['targets/releases', 'targets/alice'],
    );
    const docker = await freshDocker(sb);
    expect((await docker.inspect(gun)).Signers.map((s) => s.Name).sort()).toEqual(['alice', 'bob']);

    // bob signed nothing: removed without a question.
    expect(await user.ok(['signer', 'remove', 'bob', gun])).toBe(
      `Removing signer "bob" from ${gun}...\nSuccessfully removed bob from ${gun}\n\n`,
    );
    let inspect = await docker.inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'alice', Keys: [{ ID: alice.id }] }]);
    expect(inspect.SignedTags.map((t) => t.SignedTag)).toEqual(['v1']);
    expect(await new NotaryCli(sb).ok(['delegation', 'list', gun])).not.toContain('targets/bob');

    // alice is the last signer of releases: no terminal and no --force is an error.
    const before = await serverBytes(sb, gun);
    const line = await user.fails(
      ['signer', 'remove', 'alice', gun],
      /signer alice is the last signer of targets\/releases .*1 tag released there stop verifying; nothing was removed; .*give --force/,
    );
    expect(line.startsWith(`${gun}: `)).toBe(true);
    expect(await serverBytes(sb, gun)).toBe(before);
    // On a terminal it asks; "n" keeps her.
    const no = new FakeTerminal(['n']);
    const kept = await user.ok(['signer', 'remove', 'alice', gun], { terminal: no });
    expect(kept).toContain('Aborting action.');
    expect(kept).not.toContain('Successfully removed');
    expect(no.questions).toHaveLength(1);
    expect(no.questions[0]).toMatch(
      /last signer of targets\/releases .*Remove signer alice anyway\? \[y\/N\] $/,
    );
    expect(await serverBytes(sb, gun)).toBe(before);
    // "y" on a terminal, or --force, removes her.
    const yes = new FakeTerminal(['y']);
    await user.ok(['signer', 'remove', 'alice', gun], { terminal: yes });
    inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.Signers).toEqual([]);
    expect(inspect.SignedTags).toEqual([]);

    // Removing a signer that is not there names the ones that are.
    await user.fails(['signer', 'remove', 'carol', gun], /has no signer carol \(signers: none\)/);
  });

  it('--force removes the last signer without asking', async () => {
    const gun = `${sb.registry.host}/cli/force`;
    const user = await DctUser.create(sb);
    const ci = await user.generate('ci');
    await user.ok(['signer', 'add', '--key', ci.pub, 'ci', gun]);
    const out = await user.ok(['signer', 'remove', '--force', 'ci', gun]);
    expect(out).toContain(`Successfully removed ci from ${gun}`);
    expect((await (await freshDocker(sb)).inspect(gun)).Signers).toEqual([]);
  });
});

describe('bad input: one line, exit 1, nothing published or overwritten', () => {
  it('signer add: private key, invalid name, no --key, wrong passphrases, missing passphrase, no root key, server down', async () => {
    const gun = `${sb.registry.host}/cli/bad`;
    const user = await DctUser.create(sb);
    const alice = await user.generate('alice');
    const priv = `${user.trustDir}/private/${alice.id}.key`;
    const fresh = `${sb.registry.host}/cli/bad-new`;

    // Refused before any request.
    const line = await user.fails(
      ['signer', 'add', '--key', priv, 'alice', fresh],
      /holds a private key; a signer is added with its public key/,
    );
    expect(line).not.toContain('ENCRYPTED');
    await user.fails(
      ['signer', 'add', '--key', alice.pub, 'Alice', fresh],
      /signer name "Alice" must start with a lowercase letter or digit/,
    );
    await user.fails(
      ['signer', 'add', '--key', alice.pub, 'releases', fresh],
      /releases is a reserved signer name/,
    );
    await user.fails(
      ['signer', 'add', 'alice', fresh],
      /public key must be provided using the `--key` flag/,
    );
    await user.fails(
      ['signer', 'add', '--key', `${user.cwd}/nope.pub`, 'alice', fresh],
      /cannot read the public key file .*nope\.pub/,
    );
    // The trust server is down: nothing is made.
    const keysBefore = await user.keyFiles();
    await user.fails(['signer', 'add', '--key', alice.pub, 'alice', fresh], /127\.0\.0\.1:9/, {
      env: { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:9' },
    });
    expect(await user.keyFiles()).toEqual(keysBefore);
    expect(await serverBytes(sb, fresh)).toBe(NONE);

    // No root key and no root passphrase (no terminal): nothing created, no key made.
    await user.fails(
      ['signer', 'add', '--key', alice.pub, 'alice', fresh],
      /: no trust data yet and .*holds no root key to create it with; .*set DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE/,
      { env: { DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined } },
    );
    expect(await user.keyFiles()).toEqual(keysBefore);
    expect(await serverBytes(sb, fresh)).toBe(NONE);

    // An existing repository with a root key in the directory.
    await user.ok(['signer', 'add', '--key', alice.pub, 'alice', gun]);
    const keysAfter = await user.keyFiles();
    const before = await serverBytes(sb, gun);
    const bob = await user.generate('bob');
    const withBob = await user.keyFiles();

    // Wrong repository passphrase: the repository key stays shut, nothing published.
    await user.fails(
      ['signer', 'add', '--key', bob.pub, 'bob', gun],
      /passphrase \(DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE\) does not open/,
      { env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'wrong-passphrase' } },
    );
    // Missing with no terminal.
    await user.fails(
      ['signer', 'add', '--key', bob.pub, 'bob', gun],
      /no terminal to ask on; set DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE/,
      { env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined } },
    );
    expect(await serverBytes(sb, gun)).toBe(before);
    // Wrong root passphrase on a new repository: not created, no repository key made.
    await user.fails(
      ['signer', 'add', '--key', bob.pub, 'bob', fresh],
      /passphrase \(DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE\) does not open root key/,
      { env: { DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'wrong-passphrase' } },
    );
    expect(await serverBytes(sb, fresh)).toBe(NONE);
    expect(await user.keyFiles()).toEqual(withBob);
    expect(keysAfter.length + 1).toBe(withBob.length);
    // The Go CLI still lists the repository as it was.
    expect(await new NotaryCli(sb).ok(['delegation', 'list', gun])).not.toContain('targets/bob');
  });
});
