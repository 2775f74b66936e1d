/**
 * `dct delete --remote` against the real notary-server: the seed's recovery from a lost root
 * key (delete, create again, consumers told what to do), and every way to not delete.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDocker } from '../support/docker-cli.js';
import { NotaryCli } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { DctUser, FakeTerminal, NONE, serverBytes } from './repo-helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

describe('dct delete --remote', () => {
  it('refuses without --remote or a confirmation; deletes with one, forgets the local copy, prints the consumer steps', async () => {
    const gun = `${sb.registry.host}/del/repo`;
    const user = await DctUser.create(sb);
    const ci = await user.generate('ci');
    await user.ok(['signer', 'add', '--key', ci.pub, 'ci', gun]);
    const local = join(user.trustDir, 'tuf', ...gun.split('/'));
    expect(existsSync(join(local, 'metadata', 'root.json'))).toBe(true);
    const before = await serverBytes(sb, gun);

    await user.fails(
      ['delete', gun],
      /needs --remote to say so; nothing was deleted \(to forget only the local copy, remove .*del\/repo\)/,
    );
    await user.fails(
      ['delete', '--remote', gun],
      /needs a confirmation and there is no terminal to ask on; give --yes; nothing was deleted/,
    );
    const no = new FakeTerminal(['n']);
    const aborted = await user.ok(['delete', '--remote', gun], { terminal: no });
    expect(aborted).toContain('Aborting action.');
    expect(no.questions[0]).toMatch(
      new RegExp(`^Delete all trust data of ${gun} on 127\\.0\\.0\\.1:\\d+\\? .*\\[y/N\\] $`),
    );
    await user.fails(['delete', '--remote', '--yes', gun], /cannot reach the trust server/, {
      env: { DOCKER_CONTENT_TRUST_SERVER: 'https://127.0.0.1:9' },
    });
    expect(await serverBytes(sb, gun)).toBe(before);
    expect(existsSync(local)).toBe(true);

    const warmGo = new NotaryCli(sb);
    await warmGo.list(gun);
    const yes = new FakeTerminal(['y']);
    const out = await user.ok(['delete', '--remote', gun], { terminal: yes });
    expect(out).toContain(`Successfully deleted the trust data of ${gun} on 127.0.0.1:`);
    expect(out).toContain('What consumers must do now:');
    expect(out).toMatch(new RegExp(`^- .*delete ~/\\.docker/trust/tuf/${gun}`, 'm'));
    expect(out).toMatch(new RegExp(`^- notary CLI users: \`notary delete ${gun}\``, 'm'));
    expect(await serverBytes(sb, gun)).toBe(NONE);
    expect(existsSync(local)).toBe(false);
    const listed = await new NotaryCli(sb).run(['list', gun]);
    expect(`${listed.stdout}${listed.stderr}`).toMatch(/does not have trust data/);

    // Created again (the lost-root recovery): dct trusts the new root, since it forgot the old;
    // a warm Go client is refused until it forgets too, as the steps say.
    await user.ok(['signer', 'add', '--key', ci.pub, 'ci', gun]);
    expect((await (await freshDocker(sb)).inspect(gun)).Signers).toEqual([
      { Name: 'ci', Keys: [{ ID: ci.id }] },
    ]);
    const warm = await warmGo.run(['list', gun]);
    expect(warm.code).not.toBe(0);
    await warmGo.ok(['delete', gun]);
    expect(await warmGo.list(gun)).toEqual([]);

    // --yes deletes without asking; nothing there any more is said so.
    const again = await user.ok(['delete', '--remote', '--yes', gun]);
    expect(again).toContain('Successfully deleted');
    const nothing = await user.ok(['delete', '--remote', '--yes', gun]);
    expect(nothing).toMatch(/had no trust data for .*del\/repo/);
  });
});
