/**
 * src/signer/admin/rotate.ts (`key rotate`) against the forged trust server in notary-server's
 * manner (`forged.manage`), against the mutants StrykerJS left alive: every refusal before
 * anything is published (role names, server-held root or repository keys, a missing new key,
 * thresholds above one, no root key, a public key, a key that already serves another role),
 * the new root's exact content for each role (the key that replaces the old one, the version,
 * the keys no role uses dropped, the signatures of the old and the new root keys, the new root
 * certificate), what else the new key signs in the same publish (targets, a local snapshot),
 * the snapshot moving between client and server, a run that remembered the old root and the
 * Go CLI with a trust dir that saw the old root both following, the result and the log line,
 * and the publish outcomes: a lost answer, a server that keeps nothing, a server that keeps
 * another key beside the new one.
 */
import { X509Certificate, createPublicKey } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { keyIdOf, shortId, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { NotaryClient } from '../../src/notary/client.js';
import {
  initRepository,
  rotateKey,
  type RotateKeyOptions,
  type RotateKeyResult,
} from '../../src/signer/admin/index.js';
import { signImages } from '../../src/signer/sign.js';
import { parseEnvelope, signEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, asSnapshot, asTargets, asTimestamp, type RootMeta } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary, parseMultipart } from '../support/forged-notary.js';
import { newKey, signerFor, TestRepo } from '../tuf/helpers/repo.js';
import { makeKey, ringOf, signerKeysOf, type TestKey } from './admin-helpers.js';
import { quietLog, ringOfKeys } from './flows.js';

let forged: ForgedNotary;
let n = 0;
const rings: KeyRing[] = [];

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.onPublish = undefined;
  for (const r of rings.splice(0)) r.dispose();
});

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOf(...keys);
  rings.push(r);
  return r;
}

/** A repository made by initRepository on the managed forged server, with tag v1 signed by ci. */
async function created(name = `team/rot${++n}`) {
  const gun = `${forged.host}/${name}`;
  const m = forged.manage(gun);
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  const ci = makeKey('ci');
  const store = new MemoryTrustStore();
  const init = await initRepository({
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    repository: gun,
    log: quietLog(),
    trustStore: store,
    newRepository: { rootKey: () => root.key, repositoryKey: () => repoKey.key },
    signer: { name: 'ci', keys: signerKeysOf(ci) },
  });
  const v1 = forged.pushImage(name, 'v1');
  await signImages({
    images: [`${gun}:v1`],
    keys: ring(ci),
    signers: [],
    rootKeyIds: [],
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    log: quietLog(),
    trustStore: store,
  });
  // A second client that remembers the root as it is now.
  const warm = structuredClone(store.states.get(gun)!);
  return { gun, name, m, root, repoKey, ci, store, init, v1, warm };
}

type Repo = Awaited<ReturnType<typeof created>>;

function rotation(repo: Repo, more: Partial<RotateKeyOptions> & Pick<RotateKeyOptions, 'role'>) {
  const log = quietLog();
  const opts: RotateKeyOptions = {
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    repository: repo.gun,
    log,
    trustStore: repo.store,
    keys: ring(repo.root),
    ...more,
  };
  return { log, opts };
}

/** The stored file of `gun` for `role`, parsed. */
function stored(gun: string, role: string) {
  return forged.repos.get(gun)!.files.get(role)!;
}
const storedRoot = (gun: string) => parseEnvelope(stored(gun, 'root'), 'root', asRoot);
const sigIds = (bytes: Buffer) =>
  (JSON.parse(bytes.toString()) as { signatures: { keyid: string }[] }).signatures.map(
    (s) => s.keyid,
  );

/** The publishes made for `gun` since `from`. */
const publishesOf = (gun: string, from = 0) =>
  forged.published.slice(from).filter((p) => p.gun === gun);

/** Loads `gun` as a client that trusts `state` (the root before the rotation). */
async function loadWarm(gun: string, state: TrustState) {
  const http = new HttpClient({ caPem: forged.pki.caPem });
  try {
    return await loadTrustedRepo(new NotaryClient({ server: forged.origin, gun, http }), {
      gun,
      trusted: state,
    });
  } finally {
    await http.close();
  }
}

/** `notary list GUN`: exit code and the tag rows (name and digest). */
async function goList(gun: string, trustDir?: string) {
  const out = await forged.go(['list', gun], trustDir);
  const rows = out.stdout
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2)
    .map((f) => `${f[0]} ${f[1]}`);
  return { code: out.code, rows, stderr: out.stderr, trustDir: out.trustDir };
}

async function failure(run: Promise<unknown>): Promise<Error> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the rotation should have failed').toBeInstanceOf(Error);
  return err as Error;
}

async function dctFailure(run: Promise<unknown>, code: string, message: string): Promise<void> {
  const err = await failure(run);
  expect(err).toBeInstanceOf(DctError);
  expect((err as DctError).code).toBe(code);
  expect(err.message).toBe(message);
}

const ROLES_LINE = 'the roles are root, targets, snapshot, timestamp';

describe('refused before any request', () => {
  it('a role that is not root, targets, snapshot or timestamp', async () => {
    const repo = await created();
    const seen = forged.fake.requests.length;
    for (const role of ['targets/releases', 'Root', 'delegation', '']) {
      const { opts } = rotation(repo, {
        role: role as RotateKeyOptions['role'],
        newKey: () => makeKey('x').key,
      });
      await dctFailure(
        rotateKey(opts),
        'ROLE_INVALID',
        `cannot rotate the key of ${JSON.stringify(role)}; ${ROLES_LINE}`,
      );
    }
    expect(forged.fake.requests.length).toBe(seen);
  });

  it('a client-held timestamp key, a server-held root or targets key, a missing new key', async () => {
    const repo = await created();
    const seen = forged.fake.requests.length;
    let made = 0;
    const newKey = () => (made++, makeKey('x').key);
    const cases: [Partial<RotateKeyOptions> & Pick<RotateKeyOptions, 'role'>, string][] = [
      [
        { role: 'timestamp', serverManaged: false, newKey },
        'the timestamp key is always the server’s; rotate it with the server',
      ],
      [
        { role: 'root', serverManaged: true, newKey },
        'the root key cannot be held by the server; only snapshot and timestamp can',
      ],
      [
        { role: 'targets', serverManaged: true, newKey },
        'the targets key cannot be held by the server; only snapshot and timestamp can',
      ],
      [{ role: 'targets' }, 'rotating the targets key needs the new key'],
      [{ role: 'root', serverManaged: false }, 'rotating the root key needs the new key'],
      [{ role: 'snapshot' }, 'rotating the snapshot key needs the new key'],
      [{ role: 'snapshot', serverManaged: false }, 'rotating the snapshot key needs the new key'],
    ];
    for (const [more, message] of cases) {
      await dctFailure(rotateKey(rotation(repo, more).opts), 'ROTATE_INVALID', message);
    }
    expect(made).toBe(0);
    expect(forged.fake.requests.length).toBe(seen);
  });
});

describe('refused after reading the repository, before any key is made or anything published', () => {
  /** A hand-made repository (every key held by the test) served as it is. */
  function handMade(edit: (r: TestRepo) => void) {
    const r = new TestRepo(`${forged.host}/team/hand${++n}`, new Date());
    edit(r);
    r.signRoot(1);
    r.publish();
    forged.serve(r);
    return r;
  }

  it('a role whose threshold is above one: one new key could never sign it', async () => {
    const snap = handMade((r) => {
      r.moreSnapshotKeys = [newKey('ecdsa')];
      r.snapshotThreshold = 2;
    });
    const root = handMade((r) => {
      r.rootKeys = [...r.rootKeys, r.certKey(r.gun)];
      r.rootThreshold = 2;
    });
    const published = forged.published.length;
    let made = 0;
    const newKeySource = () => (made++, makeKey('x').key);
    for (const [r, role] of [
      [snap, 'snapshot'],
      [root, 'root'],
    ] as const) {
      const keys = ringOfKeys(...r.rootKeys);
      rings.push(keys);
      await dctFailure(
        rotateKey({
          trustServer: forged.origin,
          caPem: forged.pki.caPem,
          repository: r.gun,
          log: quietLog(),
          role,
          keys,
          newKey: newKeySource,
        }),
        'ROTATE_INVALID',
        `${r.gun}: the ${role} role needs 2 signatures; rotating it to one key would leave it unusable`,
      );
    }
    expect(made).toBe(0);
    expect(forged.published.length).toBe(published);
  });

  it('keys without the root key: the server keeps its key, no new key is asked for', async () => {
    const repo = await created();
    const seen = forged.fake.requests.length;
    let made = 0;
    for (const role of ['timestamp', 'snapshot', 'targets', 'root'] as const) {
      const { opts } = rotation(repo, {
        role,
        keys: ring(repo.repoKey, repo.ci),
        ...(role === 'timestamp' || role === 'snapshot' ? { serverManaged: true } : {}),
        newKey: () => (made++, makeKey('x').key),
      });
      await dctFailure(
        rotateKey(opts),
        'ROOT_KEY_MISSING',
        `${repo.gun}: this needs the root key (${shortId(repo.init.rootKeyId)}), but the keys given are ${[repo.repoKey.id, repo.ci.id].map(shortId).join(', ')}`,
      );
    }
    expect(made).toBe(0);
    const after = forged.fake.requests.slice(seen);
    expect(after.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(repo.m.keys.timestamp).toHaveLength(1);
    expect(repo.m.keys.snapshot).toHaveLength(1);
  });

  it('a new key that is public, or already serves another role of the repository', async () => {
    const repo = await created();
    const published = forged.published.length;
    const pub = await failure(
      rotateKey(
        rotation(repo, { role: 'targets', newKey: () => createPublicKey(makeKey('t').key) }).opts,
      ),
    );
    expect(pub).toBeInstanceOf(TypeError);
    expect(pub.message).toBe('the new key must be a private key');
    for (const [role, k] of [
      ['targets', repo.root],
      ['snapshot', repo.repoKey],
      ['targets', repo.repoKey],
    ] as const) {
      await dctFailure(
        rotateKey(rotation(repo, { role, newKey: () => k.key }).opts),
        'KEY_REUSED',
        `${repo.gun}: key ${shortId(k.id)} already serves another role of the repository; the new ${role} key must be a key of its own`,
      );
    }
    expect(forged.published.length).toBe(published);
  });
});

/** The new root against the old: only `role` changed, to `newId` with `tuf`, version + 1. */
function expectRootChange(before: RootMeta, after: RootMeta, role: string, newId: string) {
  const oldId = before.roles[role].keyids[0];
  expect(after.version).toBe(before.version + 1);
  const keys = { ...before.keys };
  delete keys[oldId];
  expect(Object.keys(after.keys).sort()).toEqual([...Object.keys(keys), newId].sort());
  for (const [id, k] of Object.entries(keys)) expect(after.keys[id]).toEqual(k);
  expect(after.roles).toEqual({ ...before.roles, [role]: { keyids: [newId], threshold: 1 } });
}

describe('rotations', () => {
  it('timestamp: the server makes the key, root v2 names it, clients that knew v1 follow', async () => {
    const repo = await created();
    const before = storedRoot(repo.gun);
    const goBefore = await goList(repo.gun);
    expect(goBefore.rows).toEqual([`v1 ${repo.v1.digest.slice('sha256:'.length)}`]);
    const from = forged.published.length;
    const { log, opts } = rotation(repo, { role: 'timestamp' });
    const out = await rotateKey(opts);

    const made = repo.m.keys.timestamp;
    expect(made).toHaveLength(2);
    const newId = made[1].id;
    const oldId = repo.init.timestampKeyId;
    expect(oldId).toBe(made[0].id);
    expect(out).toStrictEqual({
      gun: repo.gun,
      server: forged.origin,
      role: 'timestamp',
      oldKeyIds: [oldId],
      newKeyId: newId,
      serverManaged: true,
      rootVersion: 2,
    } satisfies RotateKeyResult);
    expect(log.lines).toEqual([
      `${repo.gun}: rotated the timestamp key from ${shortId(oldId)} to ${shortId(newId)} (held by the server)`,
    ]);
    // One publish: root alone, signed by the root key; the server signs snapshot and timestamp.
    const sent = publishesOf(repo.gun, from);
    expect(sent.map((p) => [...p.files.keys()])).toEqual([['root']]);
    const root = storedRoot(repo.gun);
    expect(root.bytes.equals(sent[0].files.get('root')!)).toBe(true);
    expectRootChange(before.signed, root.signed, 'timestamp', newId);
    expect(root.signed.keys[newId]).toEqual(made[1].tuf);
    expect(sigIds(root.bytes)).toEqual([repo.init.rootKeyId]);
    expect(sigIds(stored(repo.gun, 'timestamp'))).toEqual([newId]);

    const warm = await loadWarm(repo.gun, repo.warm);
    expect(warm!.root.signed.version).toBe(2);
    expect(warm!.timestamp.signed.version).toBe(
      parseEnvelope(stored(repo.gun, 'timestamp'), 'timestamp', asTimestamp).signed.version,
    );
    const goAfter = await goList(repo.gun, goBefore.trustDir);
    expect(goAfter).toMatchObject({ code: 0, rows: goBefore.rows });
    expect(repo.store.states.get(repo.gun)!.versions['root']).toBe(2);
  });

  it('timestamp with serverManaged given, no trust store, no clock: the same', async () => {
    const repo = await created();
    const { opts } = rotation(repo, { role: 'timestamp', serverManaged: true });
    delete opts.trustStore;
    const out = await rotateKey(opts);
    expect(out).toMatchObject({ serverManaged: true, rootVersion: 2 });
    expect(out.newKeyId).toBe(repo.m.keys.timestamp[1].id);
    expect(storedRoot(repo.gun).signed.roles['timestamp'].keyids).toEqual([out.newKeyId]);
  });

  it('targets: root names the new key and targets is re-signed by it in the same publish', async () => {
    const repo = await created();
    const before = storedRoot(repo.gun);
    const targetsBefore = parseEnvelope(stored(repo.gun, 'targets'), 'targets', asTargets);
    const goBefore = await goList(repo.gun);
    const next = makeKey('targets', repo.gun);
    const from = forged.published.length;
    let asked = 0;
    const { log, opts } = rotation(repo, {
      role: 'targets',
      newKey: () => (asked++, next.key),
    });
    const out = await rotateKey(opts);
    expect(asked).toBe(1);
    expect(out).toStrictEqual({
      gun: repo.gun,
      server: forged.origin,
      role: 'targets',
      oldKeyIds: [repo.repoKey.id],
      newKeyId: next.id,
      newCanonicalId: next.id,
      serverManaged: false,
      rootVersion: 2,
    } satisfies RotateKeyResult);
    expect(log.lines).toEqual([
      `${repo.gun}: rotated the targets key from ${shortId(repo.repoKey.id)} to ${shortId(next.id)}`,
    ]);
    const sent = publishesOf(repo.gun, from);
    expect(sent.map((p) => [...p.files.keys()].sort())).toEqual([['root', 'targets']]);
    const root = storedRoot(repo.gun);
    expectRootChange(before.signed, root.signed, 'targets', next.id);
    expect(root.signed.keys[next.id]).toEqual(tufKeyFromKeyObject(next.key));
    expect(sigIds(root.bytes)).toEqual([repo.init.rootKeyId]);
    const targets = parseEnvelope(stored(repo.gun, 'targets'), 'targets', asTargets);
    expect(sigIds(targets.bytes)).toEqual([next.id]);
    expect(targets.signed.version).toBe(targetsBefore.signed.version + 1);
    expect(targets.signed.delegations).toEqual(targetsBefore.signed.delegations);
    // The server's snapshot lists the new targets.
    expect(sigIds(stored(repo.gun, 'snapshot'))).toEqual([repo.init.snapshotKeyId]);

    expect((await loadWarm(repo.gun, repo.warm))!.targets.get('targets')!.bytes).toEqual(
      targets.bytes,
    );
    expect(await goList(repo.gun, goBefore.trustDir)).toMatchObject({
      code: 0,
      rows: goBefore.rows,
    });
  });

  it('root: a new certificate, root signed by the new and the old root keys, pins of the old root pass', async () => {
    const repo = await created();
    const before = storedRoot(repo.gun);
    const goBefore = await goList(repo.gun);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    const next = makeKey('root');
    const { log, opts } = rotation(repo, {
      role: 'root',
      newKey: () => next.key,
      now: () => at,
      rootKeyIds: [repo.init.rootKeyId],
    });
    const out = await rotateKey(opts);
    const root = storedRoot(repo.gun);
    const newId = root.signed.roles['root'].keyids[0];
    expect(newId).not.toBe(repo.init.rootKeyId);
    const expires = new Date(at.getTime() + 3650 * 86_400_000);
    expect(out).toStrictEqual({
      gun: repo.gun,
      server: forged.origin,
      role: 'root',
      oldKeyIds: [repo.init.rootKeyId],
      newKeyId: newId,
      newCanonicalId: next.id,
      serverManaged: false,
      rootVersion: 2,
      rootCertificate: out.rootCertificate,
      certificateExpires: expires,
    } satisfies RotateKeyResult);
    expect(log.lines).toEqual([
      `${repo.gun}: rotated the root key from ${shortId(repo.init.rootKeyId)} to ${shortId(newId)}`,
    ]);
    // The certificate: CN = GUN, on the new key, from the clock given for 10 × 365 days.
    const cert = new X509Certificate(out.rootCertificate!);
    expect(cert.subject).toBe(`CN=${repo.gun}`);
    expect(cert.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(next.key).export({ type: 'spki', format: 'der' }),
    );
    expect(new Date(cert.validFrom)).toEqual(at);
    expect(new Date(cert.validTo)).toEqual(expires);
    expectRootChange(before.signed, root.signed, 'root', newId);
    expect(root.signed.keys[newId]).toEqual({
      keytype: 'ecdsa-x509',
      keyval: { private: null, public: Buffer.from(out.rootCertificate!).toString('base64') },
    });
    expect(keyIdOf(root.signed.keys[newId])).toBe(newId);
    expect(sigIds(root.bytes)).toEqual([newId, repo.init.rootKeyId]);

    expect((await loadWarm(repo.gun, repo.warm))!.root.bytes).toEqual(root.bytes);
    expect(await goList(repo.gun, goBefore.trustDir)).toMatchObject({
      code: 0,
      rows: goBefore.rows,
    });
  });

  it('root again on the same key: a new certificate for it (the cure for an expiring one)', async () => {
    const repo = await created();
    const { opts } = rotation(repo, { role: 'root', newKey: () => repo.root.key });
    const out = await rotateKey(opts);
    expect(out.newCanonicalId).toBe(repo.root.id);
    expect(out.newKeyId).not.toBe(repo.init.rootKeyId);
    const root = storedRoot(repo.gun);
    expect(root.signed.roles['root'].keyids).toEqual([out.newKeyId]);
    expect(sigIds(root.bytes)).toEqual([out.newKeyId, repo.init.rootKeyId]);
    expect((await loadWarm(repo.gun, repo.warm))!.root.signed.version).toBe(2);
  });

  it('snapshot to a local key, kept through timestamp and targets rotations, then to the server', async () => {
    const repo = await created();
    const goBefore = await goList(repo.gun);
    const local = makeKey('snapshot', repo.gun);
    let from = forged.published.length;

    // Local: root names it and the new key signs the snapshot of the same publish.
    const s1 = rotation(repo, { role: 'snapshot', newKey: () => local.key });
    const out1 = await rotateKey(s1.opts);
    expect(out1).toStrictEqual({
      gun: repo.gun,
      server: forged.origin,
      role: 'snapshot',
      oldKeyIds: [repo.init.snapshotKeyId],
      newKeyId: local.id,
      newCanonicalId: local.id,
      serverManaged: false,
      rootVersion: 2,
    } satisfies RotateKeyResult);
    expect(s1.log.lines).toEqual([
      `${repo.gun}: rotated the snapshot key from ${shortId(repo.init.snapshotKeyId)} to ${shortId(local.id)}`,
    ]);
    expect(repo.m.keys.snapshot).toHaveLength(1);
    let sent = publishesOf(repo.gun, from);
    expect(sent.map((p) => [...p.files.keys()].sort())).toEqual([['root', 'snapshot']]);
    expect(sigIds(sent[0].files.get('snapshot')!)).toEqual([local.id]);
    expect(storedRoot(repo.gun).signed.roles['snapshot'].keyids).toEqual([local.id]);
    expect(await goList(repo.gun, goBefore.trustDir)).toMatchObject({
      code: 0,
      rows: goBefore.rows,
    });

    // Timestamp and targets rotations: the local snapshot key in `keys` signs the snapshot.
    from = forged.published.length;
    await rotateKey(rotation(repo, { role: 'timestamp', keys: ring(repo.root, local) }).opts);
    const next = makeKey('targets', repo.gun);
    await rotateKey(
      rotation(repo, { role: 'targets', keys: ring(repo.root, local), newKey: () => next.key })
        .opts,
    );
    sent = publishesOf(repo.gun, from);
    expect(sent.map((p) => [...p.files.keys()].sort())).toEqual([
      ['root', 'snapshot'],
      ['root', 'snapshot', 'targets'],
    ]);
    for (const p of sent) expect(sigIds(p.files.get('snapshot')!)).toEqual([local.id]);

    // To the server: nothing of ours signs the snapshot any more, the server's new key does.
    from = forged.published.length;
    const s2 = rotation(repo, {
      role: 'snapshot',
      serverManaged: true,
      keys: ring(repo.root, local),
    });
    const out2 = await rotateKey(s2.opts);
    const serverKey = repo.m.keys.snapshot[1];
    expect(out2).toStrictEqual({
      gun: repo.gun,
      server: forged.origin,
      role: 'snapshot',
      oldKeyIds: [local.id],
      newKeyId: serverKey.id,
      serverManaged: true,
      rootVersion: 5,
    } satisfies RotateKeyResult);
    expect(s2.log.lines).toEqual([
      `${repo.gun}: rotated the snapshot key from ${shortId(local.id)} to ${shortId(serverKey.id)} (held by the server)`,
    ]);
    sent = publishesOf(repo.gun, from);
    expect(sent.map((p) => [...p.files.keys()])).toEqual([['root']]);
    expect(sigIds(stored(repo.gun, 'snapshot'))).toEqual([serverKey.id]);
    const root = storedRoot(repo.gun).signed;
    expect(root.roles['snapshot'].keyids).toEqual([serverKey.id]);
    expect(root.keys[local.id]).toBeUndefined();

    const warm = await loadWarm(repo.gun, repo.warm);
    expect(warm!.root.signed.version).toBe(5);
    expect(
      parseEnvelope(stored(repo.gun, 'snapshot'), 'snapshot', asSnapshot).signed.meta['targets'],
    ).toBeDefined();
    expect(await goList(repo.gun, goBefore.trustDir)).toMatchObject({
      code: 0,
      rows: goBefore.rows,
    });
  });

  it('a role with two keys at threshold one: the new key replaces both', async () => {
    const r = new TestRepo(`${forged.host}/team/two${++n}`, new Date());
    r.moreSnapshotKeys = [newKey('ecdsa')];
    r.signRoot(1);
    r.publish();
    forged.serve(r);
    // The server holds this repository's timestamp key.
    forged.manage(r.gun).keys.timestamp.push(r.timestampKey);
    const old = [r.snapshotKey.id, r.moreSnapshotKeys[0].id];
    const local = makeKey('snapshot', r.gun);
    const keys = ringOfKeys(...r.rootKeys);
    rings.push(keys);
    const log = quietLog();
    const out = await rotateKey({
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      repository: r.gun,
      log,
      role: 'snapshot',
      keys,
      newKey: () => local.key,
    });
    expect(out).toMatchObject({ oldKeyIds: old, newKeyId: local.id, rootVersion: 2 });
    expect(log.lines).toEqual([
      `${r.gun}: rotated the snapshot key from ${old.map(shortId).join(', ')} to ${shortId(local.id)}`,
    ]);
    const root = storedRoot(r.gun).signed;
    expect(root.roles['snapshot']).toEqual({ keyids: [local.id], threshold: 1 });
    for (const id of old) expect(root.keys[id]).toBeUndefined();
    expect(sigIds(stored(r.gun, 'snapshot'))).toEqual([local.id]);
  });

  it('snapshot to a local key with serverManaged false', async () => {
    const repo = await created();
    const local = makeKey('snapshot', repo.gun);
    const out = await rotateKey(
      rotation(repo, { role: 'snapshot', serverManaged: false, newKey: () => local.key }).opts,
    );
    expect(out).toMatchObject({ serverManaged: false, newKeyId: local.id, rootVersion: 2 });
    expect(sigIds(stored(repo.gun, 'snapshot'))).toEqual([local.id]);
  });
});

describe('publish outcomes', () => {
  it('a server that answers the rotation with the key the role has: refused, nothing published', async () => {
    const repo = await created();
    const current = repo.m.key('timestamp', stored(repo.gun, 'root'));
    forged.intercept = (req, res) => {
      if (req.method !== 'POST' || !req.path.endsWith('/timestamp.key')) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(current.tuf));
      return true;
    };
    const before = forged.published.length;
    const { log, opts } = rotation(repo, { role: 'timestamp' });
    await dctFailure(
      rotateKey(opts),
      'NOTARY_BAD_KEY',
      `${repo.gun}: the trust server answered the rotation of the timestamp key with a key the role already has (${shortId(current.id)}); nothing was rotated`,
    );
    expect(forged.published.length).toBe(before);
    expect(log.lines).toEqual([]);
  });

  it('a lost answer to a publish the server kept: read again, nothing published twice', async () => {
    const repo = await created();
    const from = forged.published.length;
    let cut = 0;
    forged.intercept = (req, res) => {
      if (req.method === 'POST' && req.path.endsWith('/_trust/tuf/') && cut++ === 0) {
        // The server stores it; the answer the client gets is a gateway's.
        const head = res.writeHead.bind(res);
        res.writeHead = () => head(502);
      }
      return false;
    };
    const { log, opts } = rotation(repo, { role: 'timestamp' });
    const out = await rotateKey(opts);
    expect(publishesOf(repo.gun, from)).toHaveLength(1);
    expect(out.rootVersion).toBe(2);
    expect(storedRoot(repo.gun).signed.version).toBe(2);
    expect(log.lines).toHaveLength(2);
    expect(log.lines[0]).toMatch(
      new RegExp(
        `^${repo.gun}: the publish answer was lost; reading the repository again in \\d+ ms$`,
      ),
    );
    expect(log.lines[1]).toBe(
      `${repo.gun}: rotated the timestamp key from ${shortId(repo.init.timestampKeyId)} to ${shortId(out.newKeyId)} (held by the server)`,
    );
  });

  it('a server that answers 200 and keeps nothing: the rotation is not confirmed', async () => {
    const repo = await created();
    forged.intercept = (req, res) => {
      if (req.method !== 'POST' || !req.path.endsWith('/_trust/tuf/')) return false;
      res.writeHead(200).end();
      return true;
    };
    const { log, opts } = rotation(repo, { role: 'timestamp' });
    await dctFailure(
      rotateKey(opts),
      'PUBLISH_CONFLICT',
      `${repo.gun}: gave up after 12 attempts because other signers kept publishing at the same time; run the job again`,
    );
    expect(log.lines).toHaveLength(12);
    expect(new Set(log.lines)).toEqual(
      new Set([
        `${repo.gun}: read-back did not show the change (root does not list the new timestamp key); retrying`,
      ]),
    );
    expect(storedRoot(repo.gun).signed.version).toBe(1);
  });

  it('pinned root keys still hold when reading back a timestamp rotation: a root rotated meanwhile to a key not pinned is refused', async () => {
    const repo = await created();
    const other = makeKey('root');
    // After our publish, our read-back waits while another client rotates the root key.
    let state: 'before' | 'hold' | 'other' | 'after' = 'before';
    const held: { name: string; res: ServerResponse }[] = [];
    let otherRun: Promise<RotateKeyResult> | undefined;
    forged.intercept = (req, res) => {
      const file = /\/_trust\/tuf\/(root|timestamp)\.json$/.exec(req.path)?.[1];
      if (state === 'before' && req.method === 'POST' && req.path.endsWith('/_trust/tuf/')) {
        state = 'hold';
        return false;
      }
      if (state !== 'hold' || req.method !== 'GET' || file === undefined) return false;
      held.push({ name: file, res });
      // The read-back asks for root and timestamp at once; both wait for the other client.
      if (held.length === 2) {
        state = 'other';
        otherRun = (async () => {
          const out = await rotateKey(
            rotation(repo, { role: 'root', newKey: () => other.key, trustStore: undefined }).opts,
          );
          state = 'after';
          for (const h of held) {
            h.res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(stored(repo.gun, h.name));
          }
          return out;
        })();
      }
      return true;
    };
    const { opts } = rotation(repo, { role: 'timestamp', rootKeyIds: [repo.init.rootKeyId] });
    const err = await failure(rotateKey(opts));
    const otherOut = await otherRun!;
    expect(held.map((h) => h.name).sort()).toEqual(['root', 'timestamp']);
    expect(otherOut.rootVersion).toBe(3);
    expect(err).toBeInstanceOf(DctError);
    expect((err as DctError).code).toBe('TUF_ROOT_UNTRUSTED');
    expect(err.message).toBe(
      `could not validate the path to a trusted root: unable to match any certificates to the pinned root key IDs (root has ${otherOut.newKeyId}); check the root-key-ids input`,
    );
    // Our rotation is in the root the other client built on.
    const root = storedRoot(repo.gun).signed;
    expect(root.roles['timestamp'].keyids).toEqual([repo.m.keys.timestamp[1].id]);
  });

  it('a server that keeps another timestamp key beside the new one: not confirmed', async () => {
    const repo = await created();
    const extra = newKey('ecdsa');
    const rootSigner = signerFor(repo.root.key, repo.init.rootKeyId);
    forged.intercept = (req) => {
      if (req.method !== 'POST' || !req.path.endsWith('/_trust/tuf/')) return false;
      const bytes = parseMultipart(req).get('root')!;
      const env = parseEnvelope(bytes, 'root', asRoot);
      const signed = env.signed;
      signed.keys[extra.id] = extra.tuf;
      signed.roles['timestamp'].keyids.push(extra.id);
      const tampered = signEnvelope(asRoot(signed), [rootSigner]).bytes;
      const at = req.body.indexOf(bytes);
      req.body = Buffer.concat([
        req.body.subarray(0, at),
        tampered,
        req.body.subarray(at + bytes.length),
      ]);
      return false;
    };
    const { opts } = rotation(repo, { role: 'timestamp' });
    await dctFailure(
      rotateKey(opts),
      'PUBLISH_CONFLICT',
      `${repo.gun}: gave up after 12 attempts because other signers kept publishing at the same time; run the job again`,
    );
    const newId = repo.m.keys.timestamp[1].id;
    expect(storedRoot(repo.gun).signed.roles['timestamp'].keyids).toEqual([newId, extra.id]);
  });
});
