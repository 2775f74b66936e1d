/**
 * Repository administration against the real notary-server, with the Go `notary` CLI and
 * docker 28's `docker trust` as the judges, from fresh trust directories and from warm ones
 * that remember the old root.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError, isDctError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { NotaryClient } from '../../src/notary/client.js';
import {
  addSigner,
  deleteRemoteTrust,
  removeSigner,
  rotateKey,
  type AdminOptions,
} from '../../src/signer/admin/index.js';
import { signImages } from '../../src/signer/sign.js';
import { verifyImages } from '../../src/signer/verify.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { freshDocker } from '../support/docker-cli.js';
import { pushImage } from '../support/images.js';
import {
  createTrustedRepo,
  NotaryCli,
  passphraseEnv,
  type TrustedRepo,
} from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { installKeys, makeKey, PASS, ringOf, signerKeysOf } from './admin-helpers.js';
import { quietLog } from './flows.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const net = () => ({ trustServer: sb.notary.url, caPem: sb.caPem });

function admin(gun: string, store = new MemoryTrustStore()): AdminOptions {
  return { ...net(), repository: gun, log: quietLog(), trustStore: store };
}

/** Every key of a repository the Go CLI made, root included. */
function allKeys(repo: TrustedRepo): KeyRing {
  const { files } = readKeySecret(repo.keysPem, () => undefined);
  return KeyRing.open(files, {
    passphrase: repo.passphrase,
    rootPassphrase: repo.rootPassphrase,
    include: 'all',
  });
}

/** The exact bytes the server serves for the roles: equal before and after = nothing published. */
async function serverBytes(gun: string): Promise<string> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const client = new NotaryClient({ server: sb.notary.url, gun, http });
    const out: string[] = [];
    for (const role of ['root', 'targets', 'snapshot']) {
      out.push(`${role}:${(await client.fetch(role))?.toString('base64') ?? 'none'}`);
    }
    return out.join('\n');
  } finally {
    await http.close();
  }
}

async function signTag(
  gun: string,
  path: string,
  tag: string,
  keys: KeyRing,
  store?: MemoryTrustStore,
) {
  const img = await pushImage(sb, path, tag, { seed: `${path}-${tag}` });
  const out = await signImages({
    ...net(),
    images: [`${gun}:${tag}`],
    keys,
    signers: [],
    rootKeyIds: [],
    log: quietLog(),
    ...(store ? { trustStore: store } : {}),
  });
  expect(out[0].digest).toBe(img.digest);
  return img;
}

/** A repository made by our flows: root, repository key, signer ci; returns its keys. */
async function ourRepo(path: string, store = new MemoryTrustStore()) {
  const gun = `${sb.registry.host}/${path}`;
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  const ci = makeKey('ci');
  const out = await addSigner({
    ...admin(gun, store),
    name: 'ci',
    signerKeys: signerKeysOf(ci),
    keys: ringOf(root, repoKey),
    newRepository: { rootKey: () => root.key, repositoryKey: () => repoKey.key },
  });
  return { gun, root, repoKey, ci, store, init: out.initialized! };
}

const sortByName = <T extends { Name: string }>(list: T[]): T[] =>
  [...list].sort((a, b) => a.Name.localeCompare(b.Name));

async function expectFails(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isDctError(e), String(e)).toBe(true);
  expect((e as Error & { code: string }).code).toBe(code);
  expect((e as Error).message).toMatch(text);
  expect((e as Error).message).not.toContain('\n');
}

describe('create a repository and add a signer', () => {
  it('lists in the Go CLI and docker trust inspect, and the signer signs', async () => {
    const { gun, repoKey, ci, store, init } = await ourRepo('admin/new');
    expect(init.repositoryKeyId).toBe(repoKey.id);

    const cli = new NotaryCli(sb);
    const delegations = await cli.ok(['delegation', 'list', gun]);
    expect(delegations).toMatch(new RegExp(`targets/ci\\s.*${ci.id}`));
    expect(delegations).toMatch(new RegExp(`targets/releases\\s.*${ci.id}`));

    const docker = await freshDocker(sb);
    const inspect = await docker.inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci.id }] }]);
    const adminKeys = Object.fromEntries(inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys]));
    expect(adminKeys['Repository']).toEqual([{ ID: repoKey.id }]);
    expect(adminKeys['Root']).toEqual([{ ID: init.rootKeyId }]);

    const img = await signTag(gun, 'admin/new', '1', ringOf(ci), store);
    expect(await cli.list(gun)).toMatchObject([{ name: '1', digest: img.digest, size: img.size }]);
    const after = await docker.inspect(gun);
    expect(after.SignedTags).toEqual([
      { SignedTag: '1', Digest: img.digest.slice(7), Signers: ['ci'] },
    ]);

    // The Go CLI signs with the ci key from its own trust dir, on top of ours.
    await installKeys(cli.trustDir, ci);
    await cli.addTarget(
      gun,
      'go',
      { digest: img.digest, size: img.size },
      passphraseEnv(PASS, PASS),
      ['targets/releases'],
    );
    expect((await docker.inspect(gun)).SignedTags.map((t) => t.SignedTag)).toEqual(['1', 'go']);
  });

  it('adds a second signer to a repository the Go CLI made; both judges show both', async () => {
    const gun = `${sb.registry.host}/admin/existing`;
    const repo = await createTrustedRepo(sb, gun);
    const warmCli = repo.cli;
    const warmDocker = await freshDocker(sb);
    await warmDocker.inspect(gun);
    const bob = makeKey('bob');
    const out = await addSigner({
      ...admin(gun),
      name: 'bob',
      signerKeys: signerKeysOf(bob),
      keys: allKeys(repo),
    });
    expect(out.changed).toBe(true);
    expect(out.releasesKeyIds).toEqual([repo.signerKeyId, bob.id]);
    for (const docker of [warmDocker, await freshDocker(sb)]) {
      const inspect = await docker.inspect(gun);
      expect(sortByName(inspect.Signers)).toEqual([
        { Name: 'bob', Keys: [{ ID: bob.id }] },
        { Name: 'ci', Keys: [{ ID: repo.signerKeyId }] },
      ]);
    }
    expect(await warmCli.ok(['delegation', 'list', gun])).toMatch(
      new RegExp(`targets/bob\\s.*${bob.id}`),
    );
    // Adding the same again publishes nothing.
    const before = await serverBytes(gun);
    const again = await addSigner({
      ...admin(gun),
      name: 'bob',
      signerKeys: signerKeysOf(bob),
      keys: allKeys(repo),
    });
    expect(again.changed).toBe(false);
    expect(await serverBytes(gun)).toBe(before);
    await signTag(gun, 'admin/existing', 'by-bob', ringOf(bob));
  });
});

describe('signer remove', () => {
  it('is what docker trust inspect shows, and asks before removing the last releases signer', async () => {
    const { gun, repoKey, ci, store } = await ourRepo('admin/remove');
    const bob = makeKey('bob');
    const keys = ringOf(repoKey);
    await addSigner({ ...admin(gun, store), name: 'bob', signerKeys: signerKeysOf(bob), keys });
    await signTag(gun, 'admin/remove', 'v1', ringOf(ci), store);
    const docker = await freshDocker(sb);
    expect((await docker.inspect(gun)).Signers.map((s) => s.Name).sort()).toEqual(['bob', 'ci']);

    // ci signed the current releases file: removing it asks; "no" publishes nothing.
    const before = await serverBytes(gun);
    const questions: string[] = [];
    const no = await removeSigner({
      ...admin(gun, store),
      name: 'ci',
      keys,
      confirm: (q) => {
        questions.push(q);
        return Promise.resolve(false);
      },
    });
    expect(no.removed).toBe(false);
    expect(questions[0]).toMatch(
      /signer ci signed the current targets\/releases .* 1 tag released there stop verifying/,
    );
    expect(await serverBytes(gun)).toBe(before);
    await expectFails(
      removeSigner({ ...admin(gun, store), name: 'ci', keys }),
      'SIGNER_LAST_RELEASES',
      /nothing was removed/,
    );
    expect(await serverBytes(gun)).toBe(before);

    // bob signed nothing: removing bob asks nothing.
    const gone = await removeSigner({ ...admin(gun, store), name: 'bob', keys });
    expect(gone).toMatchObject({ removed: true, keyIds: [bob.id], releasesKeyIds: [ci.id] });
    const inspect = await docker.inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci.id }] }]);
    expect(inspect.SignedTags.map((t) => t.SignedTag)).toEqual(['v1']);
    expect(await new NotaryCli(sb).ok(['delegation', 'list', gun])).not.toContain('targets/bob');

    // Forced: the last signer goes, and docker no longer shows the tag.
    const forced = await removeSigner({ ...admin(gun, store), name: 'ci', keys, force: true });
    expect(forced.removed).toBe(true);
    expect(forced.warning).toMatch(/last signer of targets\/releases/);
    const empty = await (await freshDocker(sb)).inspect(gun);
    expect(empty.Signers).toEqual([]);
    expect(empty.SignedTags).toEqual([]);
  });

  it('recovers from a lost delegation key: remove, add a new key under the same name, sign', async () => {
    const { gun, repoKey, ci, store } = await ourRepo('admin/lostci');
    await signTag(gun, 'admin/lostci', 'old', ringOf(ci), store);
    const keys = ringOf(repoKey);
    await removeSigner({ ...admin(gun, store), name: 'ci', keys, force: true });
    const ci2 = makeKey('ci');
    await addSigner({ ...admin(gun, store), name: 'ci', signerKeys: signerKeysOf(ci2), keys });
    const img = await signTag(gun, 'admin/lostci', 'new', ringOf(ci2), store);
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci2.id }] }]);
    expect(inspect.SignedTags).toContainEqual({
      SignedTag: 'new',
      Digest: img.digest.slice(7),
      Signers: ['ci'],
    });
  });
});

describe('key rotate', () => {
  it('targets then root on a repository the Go CLI made: warm Go and docker clients follow, signing goes on', async () => {
    const gun = `${sb.registry.host}/admin/rotate`;
    const repo = await createTrustedRepo(sb, gun);
    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    const store = new MemoryTrustStore();
    const ciKeys = allKeys(repo);
    const v1 = await signTag(gun, 'admin/rotate', 'v1', ciKeys, store);
    const warmGo = repo.cli; // its trust dir holds root v1
    const warmDocker = await freshDocker(sb);
    await warmDocker.inspect(gun);

    // targets: a new repository key, root re-signed by the root key.
    const rootBefore = store.states.get(gun)!.versions['root'];
    const newTargets = makeKey('targets', gun);
    let asked = 0;
    const t = await rotateKey({
      ...admin(gun, store),
      role: 'targets',
      keys: allKeys(repo),
      newKey: () => {
        asked++;
        return newTargets.key;
      },
    });
    expect(asked).toBe(1);
    expect(t).toMatchObject({
      role: 'targets',
      newKeyId: newTargets.id,
      rootVersion: rootBefore + 1,
    });
    for (const docker of [warmDocker, await freshDocker(sb)]) {
      const inspect = await docker.inspect(gun);
      const keys = Object.fromEntries(inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys]));
      expect(keys['Repository']).toEqual([{ ID: newTargets.id }]);
      expect(inspect.SignedTags.map((s) => s.SignedTag)).toEqual(['v1']);
    }
    expect(await warmGo.list(gun)).toMatchObject([{ name: 'v1', digest: v1.digest }]);
    await signTag(gun, 'admin/rotate', 'v2', ciKeys, store);

    // root: a new root key and certificate, root.json signed by the old and the new keys.
    const newRoot = makeKey('root');
    const r = await rotateKey({
      ...admin(gun, store),
      role: 'root',
      keys: allKeys(repo),
      newKey: () => newRoot.key,
    });
    expect(r).toMatchObject({
      role: 'root',
      newCanonicalId: newRoot.id,
      rootVersion: rootBefore + 2,
    });
    expect(r.certificateExpires!.getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
    for (const docker of [warmDocker, await freshDocker(sb)]) {
      const inspect = await docker.inspect(gun);
      const keys = Object.fromEntries(inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys]));
      expect(keys['Root']).toEqual([{ ID: r.newKeyId }]);
      expect(inspect.SignedTags.map((s) => s.SignedTag).sort()).toEqual(['v1', 'v2']);
    }
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual(['v1', 'v2']);
    expect((await new NotaryCli(sb).list(gun)).map((l) => l.name).sort()).toEqual(['v1', 'v2']);
    // The warm action run signs on, following root v1 → v3; the warm Go CLI publishes too.
    const v3 = await signTag(gun, 'admin/rotate', 'v3', ciKeys, store);
    expect(store.states.get(gun)!.versions['root']).toBe(rootBefore + 2);
    await warmGo.addTarget(gun, 'go', { digest: v3.digest, size: v3.size }, env, [
      'targets/releases',
    ]);
    const verified = await verifyImages({
      ...net(),
      images: [`${gun}:v3`],
      requiredSigners: ['ci'],
      rootKeyIds: [r.newKeyId],
      log: quietLog(),
    });
    expect(verified[0].digest).toBe(v3.digest);

    // Rotating targets again now needs the new root key: the old one is refused.
    const before = await serverBytes(gun);
    let made = 0;
    await expectFails(
      rotateKey({
        ...admin(gun, store),
        role: 'targets',
        keys: allKeys(repo),
        newKey: () => {
          made++;
          return makeKey('targets', gun).key;
        },
      }),
      'ROOT_KEY_MISSING',
      /needs the root key/,
    );
    expect(made).toBe(0);
    expect(await serverBytes(gun)).toBe(before);
    await rotateKey({
      ...admin(gun, store),
      role: 'targets',
      keys: ringOf(newRoot),
      newKey: () => makeKey('targets', gun).key,
    });
    await signTag(gun, 'admin/rotate', 'v4', ciKeys, store);
  });

  it('snapshot to the server and back to a local key, and timestamp: Go lists throughout', async () => {
    const { gun, root, repoKey, ci, store } = await ourRepo('admin/snap');
    await signTag(gun, 'admin/snap', 'a', ringOf(ci), store);
    const warmGo = new NotaryCli(sb);
    await warmGo.list(gun);

    const local = makeKey('snapshot', gun);
    const s1 = await rotateKey({
      ...admin(gun, store),
      role: 'snapshot',
      keys: ringOf(root),
      newKey: () => local.key,
    });
    expect(s1).toMatchObject({ serverManaged: false, newKeyId: local.id });
    // The snapshot key is ours now: signing needs it beside the signer key.
    await signTag(gun, 'admin/snap', 'b', ringOf(ci, local), store);
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual(['a', 'b']);

    const s2 = await rotateKey({
      ...admin(gun, store),
      role: 'snapshot',
      keys: ringOf(root, local),
      serverManaged: true,
    });
    expect(s2.serverManaged).toBe(true);
    expect(s2.newCanonicalId).toBeUndefined();
    await signTag(gun, 'admin/snap', 'c', ringOf(ci), store);

    const ts = await rotateKey({ ...admin(gun, store), role: 'timestamp', keys: ringOf(root) });
    expect(ts.oldKeyIds).not.toContain(ts.newKeyId);
    await signTag(gun, 'admin/snap', 'd', ringOf(ci), store);
    expect((await warmGo.list(gun)).map((l) => l.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.SignedTags.map((t) => t.SignedTag).sort()).toEqual(['a', 'b', 'c', 'd']);
    const keys = Object.fromEntries(inspect.AdministrativeKeys.map((k) => [k.Name, k.Keys]));
    expect(keys['Repository']).toEqual([{ ID: repoKey.id }]);
  });
});

describe('a lost root key', () => {
  it('delete --remote, create again: fresh clients trust the new root, warm ones are told why not', async () => {
    const first = await ourRepo('admin/lostroot');
    const { gun } = first;
    await signTag(gun, 'admin/lostroot', 'old', ringOf(first.ci), first.store);
    const warmGo = new NotaryCli(sb);
    await warmGo.list(gun);

    const del = await deleteRemoteTrust({ ...net(), repository: gun, log: quietLog() });
    expect(del.hadTrustData).toBe(true);
    expect(del.consumerSteps.join('\n')).toContain(`trust/tuf/${gun}`);
    expect(await serverBytes(gun)).toBe('root:none\ntargets:none\nsnapshot:none');

    // Created again with new keys; the old trust store is what a consumer remembers.
    const again = await ourRepo('admin/lostroot');
    expect(again.init.rootKeyId).not.toBe(first.init.rootKeyId);
    await signTag(gun, 'admin/lostroot', 'new', ringOf(again.ci), again.store);
    expect((await new NotaryCli(sb).list(gun)).map((l) => l.name)).toEqual(['new']);
    const warm = await warmGo.run(['list', gun]);
    expect(warm.code).not.toBe(0);
    expect(`${warm.stdout}${warm.stderr}`).toMatch(
      /could not rotate trust to a new trusted root|trusted root/,
    );
    const err = (await verifyImages({
      ...net(),
      images: [`${gun}:new`],
      requiredSigners: [],
      rootKeyIds: [],
      log: quietLog(),
      trustStore: first.store,
    }).catch((e: unknown) => e)) as ImagesError;
    expect(err.failures[0].code).toBe('TUF_ROOT_ROTATION');
    expect(err.failures[0].message).toMatch(/could not rotate trust to a new trusted root/);
  });
});
