/**
 * The administration commands against a trust server with token auth: the credentials come
 * from `$DOCKER_CONFIG/config.json` as `docker login` leaves them; a refusal (401) is one line
 * and nothing is created, rotated or deleted.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotaryCli } from '../support/notary-cli.js';
import { DEFAULT_USERS, startSandbox, type Sandbox } from '../support/servers.js';
import { DctUser } from './repo-helpers.js';

let sb: Sandbox;
const [username, password] = Object.entries(DEFAULT_USERS)[0];
beforeAll(async () => {
  sb = await startSandbox({ notaryAuth: true });
});
afterAll(async () => {
  await sb?.stop();
});

async function login(user: DctUser, pass: string): Promise<void> {
  const auth = Buffer.from(`${username}:${pass}`).toString('base64');
  await writeFile(
    join(user.configDir, 'config.json'),
    JSON.stringify({ auths: { [sb.registry.host]: { auth } } }),
    { mode: 0o600 },
  );
}

describe('dct with token auth', () => {
  it('a refused login (401) is one line naming docker login; nothing is created, rotated or deleted', async () => {
    const gun = `${sb.registry.host}/auth/repo`;
    const user = await DctUser.create(sb);
    const ci = await user.generate('ci');
    await login(user, 'wrong-password');
    const keysBefore = await user.keyFiles();
    const line = await user.fails(
      ['signer', 'add', '--key', ci.pub, 'ci', gun],
      /refused .* check the credentials of `docker login` \(\$DOCKER_CONFIG\/config\.json\)/,
    );
    expect(line).not.toContain('wrong-password');
    expect(line).not.toContain('registry-username');
    expect(await user.keyFiles()).toEqual(keysBefore); // no root or repository key made
    const go = new NotaryCli(sb);
    const listed = await go.run(['list', gun]);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/does not have trust data/);

    // Logged in: created; then a wrong login again cannot rotate or delete it.
    await login(user, password);
    await user.ok(['signer', 'add', '--key', ci.pub, 'ci', gun]);
    const delegations = await go.ok(['delegation', 'list', gun]);
    expect(delegations).toMatch(new RegExp(`targets/ci\\s.*${ci.id}`));
    await login(user, 'wrong-password');
    await user.fails(['key', 'rotate', gun, 'timestamp'], /refused .*`docker login`/);
    await user.fails(['signer', 'remove', '--force', 'ci', gun], /refused .*`docker login`/);
    await user.fails(['delete', '--remote', '--yes', gun], /refused .*`docker login`/);
    expect(await go.ok(['delegation', 'list', gun])).toBe(delegations);

    await login(user, password);
    await user.ok(['delete', '--remote', '--yes', gun]);
    const gone = await new NotaryCli(sb).run(['list', gun]);
    expect(`${gone.stdout}${gone.stderr}`).toMatch(/does not have trust data/);
  });
});
