// RegistryClient against the real docker-registry with token auth (notary-spec.md §8: the
// target is the digest and size of the exact manifest bytes stored under the tag).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpError } from '../../src/http/client.js';
import { RegistryClient } from '../../src/registry/client.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { pushImage, type ImageKind } from '../support/images.js';
import { DEFAULT_USERS, REGISTRY_SERVICE, startSandbox, type Sandbox } from '../support/servers.js';

const [user, password] = Object.entries(DEFAULT_USERS)[0];
const credentials = { username: user, password };

let sb: Sandbox;
let http: HttpClient;

beforeAll(async () => {
  sb = await startSandbox({ registryAuth: true });
  http = new HttpClient({ caPem: sb.caPem });
});
afterAll(async () => {
  await http?.close();
  await sb?.stop();
});

describe('RegistryClient against docker-registry', () => {
  it.each<ImageKind>(['docker', 'oci', 'oci-index', 'docker-list'])(
    'resolves a %s tag to the digest, size and media type pushed',
    async (kind) => {
      const pushed = await pushImage(sb, `kinds/${kind}`, 'v1', { kind, auth: credentials });
      const ref = parseImageRef(`${sb.registry.host}/kinds/${kind}:v1`);
      const client = new RegistryClient({ http, credentials });
      const info = await client.resolveTag(ref);
      expect(info).toEqual({
        digest: pushed.digest,
        size: pushed.size,
        mediaType: pushed.mediaType,
      });
      await expect(client.getManifest(ref, pushed.digest)).resolves.toEqual(info);
    },
  );

  it('follows a tag that moves', async () => {
    const ref = parseImageRef(`${sb.registry.host}/moving/app:latest`);
    const first = await pushImage(sb, 'moving/app', 'latest', { seed: 'one', auth: credentials });
    const client = new RegistryClient({ http, credentials });
    expect((await client.resolveTag(ref)).digest).toBe(first.digest);
    const second = await pushImage(sb, 'moving/app', 'latest', { seed: 'two', auth: credentials });
    expect(second.digest).not.toBe(first.digest);
    expect((await client.resolveTag(ref)).digest).toBe(second.digest);
  });

  it('gets one token with scope repository:<path>:pull and masks it', async () => {
    await pushImage(sb, 'scoped/app', 't', { auth: credentials });
    const before = sb.token!.requests.length;
    const secrets: string[] = [];
    const client = new RegistryClient({ http, credentials, onSecret: (s) => secrets.push(s) });
    const ref = parseImageRef(`${sb.registry.host}/scoped/app:t`);
    await client.resolveTag(ref);
    await client.resolveTag(ref);
    const mine = sb.token!.requests.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      scope: 'repository:scoped/app:pull',
      service: REGISTRY_SERVICE,
      account: user,
      user,
      status: 200,
    });
    expect(secrets).toHaveLength(1);
    expect(secrets[0].split('.')).toHaveLength(3); // the JWT itself went to the mask hook
  });

  it('reports an unknown tag as REGISTRY_TAG_NOT_FOUND', async () => {
    await pushImage(sb, 'present/app', 'v1', { auth: credentials });
    const ref = parseImageRef(`${sb.registry.host}/present/app:v2`);
    const err = await new RegistryClient({ http, credentials }).resolveTag(ref).then(
      () => undefined,
      (e: unknown) => e as HttpError,
    );
    expect(err).toBeInstanceOf(HttpError);
    expect(err?.code).toBe('REGISTRY_TAG_NOT_FOUND');
    expect(err?.message).toContain('push it first');
    expect(err?.body).toContain('MANIFEST_UNKNOWN');
  });

  it('reports a wrong password as REGISTRY_DENIED without the password', async () => {
    const ref = parseImageRef(`${sb.registry.host}/present/app:v1`);
    const err = await new RegistryClient({
      http,
      credentials: { username: user, password: 'not-the-password' },
    })
      .resolveTag(ref)
      .then(
        () => undefined,
        (e: unknown) => e as HttpError,
      );
    expect(err?.code).toBe('REGISTRY_DENIED');
    expect(err?.message).toContain('registry-username');
    expect(err?.message).not.toContain('not-the-password');
  });

  it('pulls anonymously when the token service grants pull without credentials', async () => {
    const pushed = await pushImage(sb, 'public/app', 'v1', { auth: credentials });
    const ref = parseImageRef(`${sb.registry.host}/public/app:v1`);
    const info = await new RegistryClient({ http }).resolveTag(ref);
    expect(info.digest).toBe(pushed.digest);
  });
});
