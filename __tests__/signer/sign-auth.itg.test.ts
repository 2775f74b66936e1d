import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import { signImages } from '../../src/signer/sign.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli } from '../support/notary-cli.js';
import { DEFAULT_USERS, startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf, quietLog } from './flows.js';

let sb: Sandbox;
const [user, password] = Object.entries(DEFAULT_USERS)[0];
beforeAll(async () => {
  sb = await startSandbox({ notaryAuth: true, registryAuth: true });
});
afterAll(async () => {
  await sb?.stop();
});

describe('sign with token auth on the registry and the trust server', () => {
  it('signs with the registry credentials and asks the scopes docker asks', async () => {
    const gun = `${sb.registry.host}/secure/app`;
    const repo = await createTrustedRepo(sb, gun);
    const img = await pushImage(sb, 'secure/app', '1', { auth: { username: user, password } });
    sb.token!.requests.length = 0;
    const keys = keyRingOf(repo);
    try {
      await signImages({
        trustServer: sb.notary.url,
        caPem: sb.caPem,
        username: user,
        password,
        images: [`${gun}:1`],
        keys,
        signers: ['ci'],
        rootKeyIds: [],
        log: quietLog(),
      });
    } finally {
      keys.dispose();
    }
    const scopes = sb.token!.requests.map((r) => r.scope);
    expect(scopes).toContain('repository:secure/app:pull');
    expect(scopes).toContain(`repository:${gun}:pull,push`);
    expect(sb.token!.requests.every((r) => r.account === user)).toBe(true);
    const listed = await new NotaryCli(sb).list(gun, 'targets/ci');
    expect(listed).toEqual([{ name: '1', digest: img.digest, size: img.size, role: 'targets/ci' }]);
  });

  it('fails with a clear error and publishes nothing with a wrong password', async () => {
    const gun = `${sb.registry.host}/secure/denied`;
    const repo = await createTrustedRepo(sb, gun);
    await pushImage(sb, 'secure/denied', '1', { auth: { username: user, password } });
    const keys = keyRingOf(repo);
    try {
      const err = await signImages({
        trustServer: sb.notary.url,
        caPem: sb.caPem,
        username: user,
        password: 'wrong-password',
        images: [`${gun}:1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }).catch((e: unknown) => e);
      const f = (err as ImagesError).failures[0];
      // Registry and trust data are read at once: either may refuse first.
      expect(f.code).toMatch(/^(AUTH_DENIED|REGISTRY_DENIED|NOTARY_UNAUTHORIZED)$/);
      expect(f.message).not.toContain('wrong-password');
    } finally {
      keys.dispose();
    }
    expect(await new NotaryCli(sb).list(gun)).toEqual([]);
  });
});
