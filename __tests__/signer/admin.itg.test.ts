/**
 * Repository administration against the real notary-server, with the Go `notary` CLI and
 * docker 28's `docker trust` as the judges, from fresh trust directories and from warm ones
 * that remember the old root.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError, isDctError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { rootCertificate } from '../../src/keys/cert.js';
import { children } from '../../src/keys/der.js';
import { parseDer } from '../keys/helpers.js';
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
import { fromKeyRing } from '../../src/signer/admin/images.js';
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
import {
  installKeys,
  makeKey,
  PASS,
  ringOf,
  serverBytes as sharedServerBytes,
  signerKeysOf,
} from './admin-helpers.js';
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

const serverBytes = (gun: string): Promise<string> => sharedServerBytes(sb, gun);

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
    // Both delegation files are still signed by the lost key: the Go client is stuck here
    // (the server refuses its fresh version 1), our sign starts them over above their version.
    const goCli = new NotaryCli(sb);
    await installKeys(goCli.trustDir, ci2);
    const stuck = await goCli.run(
      ['addhash', gun, 'go', '3', '--sha256', 'ab'.repeat(32), '-r', 'targets/releases'],
      passphraseEnv(PASS, PASS),
    );
    expect(stuck.code).toBe(0);
    const rejected = await goCli.run(['publish', gun], passphraseEnv(PASS, PASS));
    expect(rejected.code).not.toBe(0);
    expect(rejected.stdout).toMatch(/trust server rejected operation/);
    const log = quietLog();
    const img = await pushImage(sb, 'admin/lostci', 'new', { seed: 'lostci-new' });
    await signImages({
      ...net(),
      images: [`${gun}:new`],
      keys: ringOf(ci2),
      signers: [],
      rootKeyIds: [],
      log,
      trustStore: store,
    });
    expect(log.lines.join('\n')).toMatch(
      /targets\/releases is signed by keys it no longer lists .*its 1 entries are trusted by no client/,
    );
    await goCli.ok(['publish', gun], passphraseEnv(PASS, PASS)); // and now the Go client publishes on top
    expect((await goCli.list(gun, 'targets/releases')).map((t) => t.name).sort()).toEqual([
      'go',
      'new',
    ]);
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci2.id }] }]);
    expect(inspect.SignedTags.map((t) => t.SignedTag).sort()).toEqual(['go', 'new']);
    expect(inspect.SignedTags).toContainEqual({
      SignedTag: 'new',
      Digest: img.digest.slice(7),
      Signers: ['ci'],
    });
  });
});

describe('signers at the same time, and shared keys', () => {
  it('two signer adds at once both land (the later re-reads and re-applies)', async () => {
    const { gun, repoKey, store } = await ourRepo('admin/race');
    const [bob, carol] = [makeKey('bob'), makeKey('carol')];
    await Promise.all(
      [bob, carol].map((k) =>
        addSigner({
          ...admin(gun, store),
          name: k.role,
          signerKeys: signerKeysOf(k),
          keys: ringOf(repoKey),
        }),
      ),
    );
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.Signers.map((s) => s.Name).sort()).toEqual(['bob', 'carol', 'ci']);
  });

  it('removing a signer keeps in targets/releases a key another signer still uses', async () => {
    const { gun, repoKey, ci, store } = await ourRepo('admin/shared');
    const keys = ringOf(repoKey);
    await addSigner({ ...admin(gun, store), name: 'ci-alt', signerKeys: signerKeysOf(ci), keys });
    const out = await removeSigner({ ...admin(gun, store), name: 'ci-alt', keys });
    expect(out).toMatchObject({ removed: true, keyIds: [], releasesKeyIds: [ci.id] });
    const inspect = await (await freshDocker(sb)).inspect(gun);
    expect(inspect.Signers).toEqual([{ Name: 'ci', Keys: [{ ID: ci.id }] }]);
    await signTag(gun, 'admin/shared', '1', ringOf(ci), store);
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

describe('bad input: one clear line, nothing published', () => {
  it('refuses what it can before any request: bad names, bad rotations', async () => {
    // An unreachable server: these must fail before asking it anything.
    const offline = { trustServer: 'https://127.0.0.1:9', caPem: sb.caPem, log: quietLog() };
    const k = makeKey('ci');
    const keys = ringOf(makeKey('root'));
    for (const name of ['releases', 'Bad', '-x', '']) {
      await expectFails(
        addSigner({ ...offline, repository: 'r.io/a', name, signerKeys: signerKeysOf(k), keys }),
        'SIGNER_NAME_INVALID',
        /signer name|reserved/,
      );
    }
    await expectFails(
      addSigner({ ...offline, repository: 'r.io/a', name: 'ci', signerKeys: [], keys }),
      'SIGNER_KEY_MISSING',
      /at least one public key/,
    );
    await expectFails(
      removeSigner({ ...offline, repository: 'r.io/a', name: 'releases', keys }),
      'SIGNER_NAME_INVALID',
      /releases is a reserved name and cannot be removed/,
    );
    await expectFails(
      rotateKey({
        ...offline,
        repository: 'r.io/a',
        role: 'timestamp',
        keys,
        serverManaged: false,
      }),
      'ROTATE_INVALID',
      /always the server/,
    );
    await expectFails(
      rotateKey({ ...offline, repository: 'r.io/a', role: 'root', keys, serverManaged: true }),
      'ROTATE_INVALID',
      /cannot be held by the server/,
    );
    await expectFails(
      rotateKey({ ...offline, repository: 'r.io/a', role: 'targets', keys }),
      'ROTATE_INVALID',
      /needs the new key/,
    );
    await expectFails(
      addSigner({
        ...offline,
        repository: 'r.io/UP',
        name: 'ci',
        signerKeys: signerKeysOf(k),
        keys,
      }),
      'REPOSITORY_INVALID',
      /invalid repository name: repository name "UP" must be lowercase/,
    );
  });

  it('a repository without trust data and no root key: nothing is created', async () => {
    const gun = `${sb.registry.host}/admin/none`;
    const ci = makeKey('ci');
    await expectFails(
      addSigner({ ...admin(gun), name: 'ci', signerKeys: signerKeysOf(ci), keys: ringOf() }),
      'REPO_NOT_FOUND',
      /does not have trust data for .*admin\/none; to create it, give its root key/,
    );
    const repoKey = makeKey('targets', gun);
    await expectFails(
      addSigner({
        ...admin(gun),
        name: 'ci',
        signerKeys: signerKeysOf(ci),
        keys: ringOf(repoKey),
        newRepository: fromKeyRing(ringOf(repoKey), gun),
      }),
      'ROOT_KEY_MISSING',
      /has no trust data yet; to create it, `keys` must hold a root key/,
    );
    await expectFails(
      rotateKey({ ...admin(gun), role: 'targets', keys: ringOf(), newKey: () => repoKey.key }),
      'REPO_NOT_FOUND',
      /does not have trust data/,
    );
    expect(await serverBytes(gun)).toBe('root:none\ntargets:none\nsnapshot:none');
  });

  it('wrong keys for an existing repository: refused before publishing', async () => {
    const { gun, root, repoKey, ci, store } = await ourRepo('admin/wrong');
    const before = await serverBytes(gun);
    const bob = makeKey('bob');
    await expectFails(
      addSigner({
        ...admin(gun, store),
        name: 'bob',
        signerKeys: signerKeysOf(bob),
        keys: ringOf(ci),
      }),
      'REPOSITORY_KEY_MISSING',
      /needs the repository \(targets\) key \(\w{7}\), but the keys given are \w{7}/,
    );
    // The repository's own keys are no signer keys.
    const asSigner = signerKeysOf({ ...repoKey, role: 'bob' });
    await expectFails(
      addSigner({ ...admin(gun, store), name: 'bob', signerKeys: asSigner, keys: ringOf(repoKey) }),
      'SIGNER_KEY_IN_USE',
      /already uses as its root or repository key/,
    );
    await expectFails(
      removeSigner({ ...admin(gun, store), name: 'nobody', keys: ringOf(repoKey) }),
      'SIGNER_NOT_FOUND',
      /has no signer nobody \(signers: ci\)/,
    );
    await expectFails(
      removeSigner({ ...admin(gun, store), name: 'ci', keys: ringOf(root), force: true }),
      'REPOSITORY_KEY_MISSING',
      /repository \(targets\) key/,
    );
    let made = 0;
    await expectFails(
      rotateKey({
        ...admin(gun, store),
        role: 'root',
        keys: ringOf(repoKey, ci),
        newKey: () => {
          made++;
          return makeKey('root').key;
        },
      }),
      'ROOT_KEY_MISSING',
      /needs the root key/,
    );
    await expectFails(
      rotateKey({
        ...admin(gun, store),
        role: 'targets',
        keys: ringOf(root),
        newKey: () => root.key,
      }),
      'KEY_REUSED',
      /already serves another role/,
    );
    expect(made).toBe(0);
    expect(await serverBytes(gun)).toBe(before);
  });

  it('a server that is down: one line naming it', async () => {
    const down = { ...admin(`${sb.registry.host}/admin/down`), trustServer: 'https://127.0.0.1:9' };
    const e = (await addSigner({
      ...down,
      name: 'ci',
      signerKeys: signerKeysOf(makeKey('ci')),
      keys: ringOf(),
    }).catch((err: unknown) => err)) as Error & { code: string };
    expect(e.code).toMatch(/^HTTP_/);
    expect(e.message).toContain('127.0.0.1:9');
    expect(e.message).not.toContain('\n');
  });
});

describe('the root certificate', () => {
  it('has the shape of the one the Go notary client makes, field for field', async () => {
    const gun = `${sb.registry.host}/admin/certshape`;
    const repo = await createTrustedRepo(sb, gun, { signer: null });
    const goRoot = JSON.parse((await fetchRole(gun, 'root')).toString()) as {
      signed: {
        keys: Record<string, { keytype: string; keyval: { public: string } }>;
        roles: { root: { keyids: string[] } };
      };
    };
    const goKey = goRoot.signed.keys[goRoot.signed.roles.root.keyids[0]];
    const goPem = Buffer.from(goKey.keyval.public, 'base64').toString();
    const ours = rootCertificate(makeKey('root').key, gun, new Date());
    expect(shape(ours.pem)).toEqual(shape(goPem));
    expect(ours.tufKey.keytype).toBe(goKey.keytype);
    expect(repo.gun).toBe(gun);
  });
});

async function fetchRole(gun: string, role: string): Promise<Buffer> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    return (await new NotaryClient({ server: sb.notary.url, gun, http }).fetch(role))!;
  } finally {
    await http.close();
  }
}

/**
 * A certificate with what differs by nature (serial, times, key, signature) reduced to its
 * DER tags and lengths' presence; names, extensions and algorithms kept byte for byte.
 */
function shape(pem: string): unknown {
  const cert = new X509Certificate(pem);
  const [tbs, alg] = children(parseDer(cert.raw));
  const f = children(tbs);
  const validity = children(f[4]).map((t) => t.tag);
  const days = (new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime()) / 86_400_000;
  return {
    tags: f.map((n) => n.tag),
    version: f[0].raw.toString('hex'),
    serialBits: f[1].content.length <= 17,
    sigAlg: f[2].raw.toString('hex'),
    issuer: f[3].raw.toString('hex'),
    validity,
    days,
    subject: f[5].raw.toString('hex'),
    extensions: f[7].raw.toString('hex'),
    outerAlg: alg.raw.toString('hex'),
  };
}
