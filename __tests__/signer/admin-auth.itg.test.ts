/** The administration flows against a trust server with token auth (notary-spec.md §5.5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDctError } from '../../src/errors.js';
import { addSigner, deleteRemoteTrust, rotateKey } from '../../src/signer/admin/index.js';
import { NotaryCli } from '../support/notary-cli.js';
import { DEFAULT_USERS, startSandbox, type Sandbox } from '../support/servers.js';
import { makeKey, ringOf, signerKeysOf } from './admin-helpers.js';
import { quietLog } from './flows.js';

let sb: Sandbox;
const [user, password] = Object.entries(DEFAULT_USERS)[0];
beforeAll(async () => {
  sb = await startSandbox({ notaryAuth: true });
});
afterAll(async () => {
  await sb?.stop();
});

const opts = (gun: string, creds: { username?: string; password?: string }) => ({
  trustServer: sb.notary.url,
  caPem: sb.caPem,
  repository: gun,
  log: quietLog(),
  ...creds,
});

function newRepo(gun: string) {
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  return {
    root,
    repoKey,
    newRepository: { rootKey: () => root.key, repositoryKey: () => repoKey.key },
  };
}

describe('administration with token auth', () => {
  it('a refused password (401) is one line; nothing is created', async () => {
    const gun = `${sb.registry.host}/auth/denied`;
    const { root, repoKey, newRepository } = newRepo(gun);
    let called = 0;
    const e = (await addSigner({
      ...opts(gun, { username: user, password: 'wrong-password' }),
      name: 'ci',
      signerKeys: signerKeysOf(makeKey('ci')),
      keys: ringOf(root, repoKey),
      newRepository: {
        rootKey: () => {
          called++;
          return newRepository.rootKey();
        },
        repositoryKey: newRepository.repositoryKey,
      },
    }).catch((err: unknown) => err)) as Error & { code: string };
    expect(isDctError(e)).toBe(true);
    expect(e.code).toBe('NOTARY_UNAUTHORIZED');
    expect(e.message).toMatch(
      /refused to fetch root.json for .*check registry-username\/registry-password/,
    );
    expect(e.message).not.toContain('wrong-password');
    expect(e.message).not.toContain('\n');
    expect(called).toBe(0);
    const listed = await new NotaryCli(sb).run(['list', gun]);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/does not have trust data|not found/i);
  });

  it('creates with pull,push; rotates a server key and deletes with the * scope docker asks', async () => {
    const gun = `${sb.registry.host}/auth/admin`;
    const { root, repoKey, newRepository } = newRepo(gun);
    const creds = { username: user, password };
    await addSigner({
      ...opts(gun, creds),
      name: 'ci',
      signerKeys: signerKeysOf(makeKey('ci')),
      keys: ringOf(root, repoKey),
      newRepository,
    });
    expect(sb.token!.requests.map((r) => r.scope)).toContain(`repository:${gun}:pull,push`);
    sb.token!.requests.length = 0;
    await rotateKey({
      ...opts(gun, creds),
      role: 'snapshot',
      serverManaged: true,
      keys: ringOf(root),
    });
    expect(sb.token!.requests.map((r) => r.scope)).toContain(`repository:${gun}:*`);

    // Anonymous: pull only, so the delete is refused with a line saying what is needed.
    const anon = (await deleteRemoteTrust(opts(gun, {})).catch((err: unknown) => err)) as Error;
    expect(anon.message).toMatch(
      /refused to delete the trust data for .*must grant full \(\*\) access on/,
    );
    expect((await new NotaryCli(sb).list(gun)).length).toBe(0);

    sb.token!.requests.length = 0;
    const del = await deleteRemoteTrust(opts(gun, creds));
    expect(del.hadTrustData).toBe(true);
    expect(sb.token!.requests.map((r) => r.scope)).toContain(`repository:${gun}:*`);
    const listed = await new NotaryCli(sb).run(['list', gun]);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/does not have trust data/i);
  });
});
