/**
 * The bundled action's signer-add and signer-remove against the real servers, judged by
 * docker trust inspect: a repository created from the root and repository keys in `keys`, a
 * signer added to an existing one, removed, and the bad inputs, each one line with nothing
 * published.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDocker } from '../support/docker-cli.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli } from '../support/notary-cli.js';
import { runActionStep, type ActionRun } from '../support/runner.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { makeKey, PASS, pubFile, ROOT_PASS } from '../signer/admin-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

async function run(inputs: Record<string, string>): Promise<ActionRun> {
  const dir = await mkdtemp(join(sb.dir, 'job-'));
  await mkdir(join(dir, 'tmp'));
  return runActionStep('main', {
    inputs: { 'trust-server': sb.notary.url, 'ca-cert': sb.caPem, ...inputs },
    env: { TMPDIR: join(dir, 'tmp') },
    workDir: dir,
  });
}

describe('the bundled action: signer-add and signer-remove', () => {
  it('creates a repository from root + repository keys, adds and removes signers; docker shows each step', async () => {
    const gun = `${sb.registry.host}/act/new`;
    const root = makeKey('root');
    const repoKey = makeKey('targets', gun);
    const ci = makeKey('ci');
    const add = await run({
      command: 'signer-add',
      images: gun,
      signer: 'ci',
      'signer-keys': pubFile(ci),
      keys: Buffer.from(root.pem + repoKey.pem).toString('base64'),
      passphrase: PASS,
      'root-passphrase': ROOT_PASS,
    });
    expect(add.failed).toEqual([]);
    expect(add.code).toBe(0);
    expect(add.summary).toContain(
      `<td>${gun}</td><td>ci</td><td><code>${ci.id.slice(0, 7)}</code></td><td>added (repository created)</td>`,
    );
    expect(add.masks).toContain(ROOT_PASS);
    const docker = await freshDocker(sb);
    expect((await docker.inspect(gun)).Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci.id }] }]);
    const logged = add.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    for (const secret of [ROOT_PASS, PASS]) expect(logged.join('\n')).not.toContain(secret);

    // A second signer, with the repository key only (no root passphrase needed).
    const qa = makeKey('qa');
    const more = await run({
      command: 'signer-add',
      images: `${gun}:ignored-tag`,
      signer: 'qa',
      'signer-keys': pubFile(qa),
      keys: repoKey.pem,
      passphrase: PASS,
    });
    expect(more.failed).toEqual([]);
    expect((await docker.inspect(gun)).Signers.map((s) => s.Name).sort()).toEqual(['ci', 'qa']);

    const remove = await run({
      command: 'signer-remove',
      images: gun,
      signer: 'qa',
      keys: repoKey.pem,
      passphrase: PASS,
    });
    expect(remove.failed).toEqual([]);
    expect(remove.summary).toContain('<td>qa</td>');
    expect((await docker.inspect(gun)).Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci.id }] }]);
  });

  it('bad input: one line each, nothing published', async () => {
    const gun = `${sb.registry.host}/act/bad`;
    const repo = await createTrustedRepo(sb, gun);
    await pushImage(sb, 'act/bad', '1', { seed: 'bad' });
    const fresh = `${sb.registry.host}/act/fresh`;
    const listed = async () =>
      (await new NotaryCli(sb).ok(['delegation', 'list', gun])).replace(/\s+/g, ' ');
    const before = await listed();
    const bob = makeKey('bob');
    const base = {
      command: 'signer-add',
      images: gun,
      signer: 'bob',
      'signer-keys': pubFile(bob),
      keys: repo.keysPem,
      passphrase: repo.passphrase,
    };
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        'a private key as signer key',
        { 'signer-keys': bob.pem },
        /`signer-keys` holds a private key/,
      ],
      ['an invalid name', { signer: 'Bob' }, /`signer` must name the one signer to add/],
      ['releases', { signer: 'releases' }, /not releases/],
      ['no signer-keys', { 'signer-keys': '' }, /`signer-keys` is required for signer-add/],
      ['the repository key missing', { keys: bob.pem }, /needs the repository \(targets\) key/],
      [
        'no root key for a repository without trust data',
        { images: fresh, keys: makeKey('targets', fresh).pem },
        /has no trust data yet; to create it, `keys` must hold a root key \(opened with `root-passphrase`\)/,
      ],
      [
        'a root key but no root-passphrase',
        { images: fresh, keys: makeKey('root').pem + makeKey('targets', fresh).pem },
        /must hold a root key \(opened with `root-passphrase`\)/,
      ],
      [
        'removing a signer that is not there',
        { command: 'signer-remove', 'signer-keys': '', signer: 'nobody' },
        /has no signer nobody \(signers: ci\)/,
      ],
    ];
    for (const [what, extra, expected] of cases) {
      const r = await run({ ...base, ...extra });
      expect(r.code, what).toBe(1);
      expect(r.failed, what).toHaveLength(1);
      expect(r.failed[0], what).toMatch(expected);
    }
    expect(await listed()).toBe(before);
    const none = await new NotaryCli(sb).run(['list', fresh]);
    expect(`${none.stdout}${none.stderr}`).toMatch(/does not have trust data/);
  });
});
