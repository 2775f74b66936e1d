/**
 * Creating a repository (src/signer/admin/init.ts) and the helpers every administration flow
 * shares (src/signer/admin/repo.ts), against a forged trust server that answers as
 * notary-server does (support/forged-notary.ts `manage`), against the mutants StrykerJS left
 * alive. What is published: root v1 with a certificate for the GUN valid 10 years, signed by
 * the root key, naming the server's timestamp and snapshot keys; targets v1 signed by the
 * repository key, with the first signer's delegations in the same publish. The result, the
 * log line and the trust store. The refusals before publishing: a repository that exists
 * (verified with the pins and the trusted root), bad signer names or no signer key, the root
 * key reused as the repository key, a root key that cannot carry a certificate, a signer key
 * that is one of the repository's own keys, and missing root or repository keys. The read-back
 * that catches a publish the server did not keep, and a lost race to create the repository.
 * The connection: the GUN trimmed, one `pull,push` token, the HTTP client always closed. The
 * publish context of signer add: its clock, trust store and pins on a re-read.
 */
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DctError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { canonicalKeyId, keyIdOf, shortId, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { sign } from '../../src/keys/sign.js';
import { multipartBody } from '../../src/notary/multipart.js';
import {
  addSigner,
  initRepository,
  parseSignerKeys,
  rotateKey,
  type InitOptions,
  type NewRepository,
  type SignerKey,
} from '../../src/signer/admin/index.js';
import { parseEnvelope, signEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, asTargets, type TargetsMeta } from '../../src/tuf/models.js';
import { verifySignatures } from '../../src/tuf/verify.js';
import type { SeenRequest } from '../http/fake-server.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary, parseMultipart, type ForgedFiles } from '../support/forged-notary.js';
import { newKey, TestRepo } from '../tuf/helpers/repo.js';
import { makeKey, ringOf, signerKeysOf, type TestKey as AdminKey } from './admin-helpers.js';
import { quietLog, ringOfKeys } from './flows.js';

const DAY = 86_400_000;
/** Whole seconds, three days back: a clock the flows can only have taken from `now`. */
const CLOCK = new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * DAY);
const goTimeOf = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

let forged: ForgedNotary;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.onPublish = undefined;
  vi.restoreAllMocks();
});

/** A managed GUN of its own, its keys, and the options of a flow on it. */
function fresh(more: Partial<InitOptions> = {}) {
  const gun = `${forged.host}/team/init${++n}`;
  const m = forged.manage(gun);
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  const ci = makeKey('ci');
  const log = quietLog();
  const store = new MemoryTrustStore();
  const opts = {
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    repository: gun,
    log,
    trustStore: store,
    now: () => CLOCK,
    ...more,
  };
  const calls = { root: 0, repo: 0 };
  const sources = (rootKey: KeyObject = root.key, repositoryKey: KeyObject = repoKey.key) =>
    ({
      rootKey: () => (calls.root++, rootKey),
      repositoryKey: () => (calls.repo++, repositoryKey),
    }) satisfies NewRepository;
  return { gun, m, root, repoKey, ci, log, store, opts, calls, sources };
}

const publishesOf = (gun: string) => forged.published.filter((p) => p.gun === gun);
const copyOf = (f: ForgedFiles): ForgedFiles => ({
  files: new Map(f.files),
  roots: new Map(f.roots),
});

async function failure(p: Promise<unknown>): Promise<DctError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DctError);
  expect((e as DctError).message).not.toContain('\n');
  return e as DctError;
}

/** A signer key read from a bare public key (as `NAME.pub` without a role header). */
function signerKeyOf(key: KeyObject, source: string): SignerKey[] {
  const pem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return parseSignerKeys(pem, source);
}

/** A 400 VERSION answer: the server already holds newer metadata (a lost race). */
function versionConflict(res: ServerResponse): true {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'VERSION', message: 'version', detail: {} }] }));
  return true;
}

const isPublishOf = (req: SeenRequest, gun: string) =>
  req.method === 'POST' && decodeURIComponent(req.path) === `/v2/${gun}/_trust/tuf/`;

describe('initRepository: what it publishes', () => {
  it('root v1 (certificate for the GUN, 10 years) and targets v1, each signed by its key; the result, log and trust store', async () => {
    const { gun, m, root, repoKey, log, store, opts, calls, sources } = fresh();
    const out = await initRepository({
      ...opts,
      repository: `  ${gun}\t`,
      newRepository: sources(),
    });

    // One publish of exactly root then targets: the server makes snapshot and timestamp.
    const pubs = publishesOf(gun);
    expect(pubs).toHaveLength(1);
    expect([...pubs[0].files.keys()]).toEqual(['root', 'targets']);
    expect(calls).toEqual({ root: 1, repo: 1 });
    // The server's keys were asked for once each.
    expect(m.keys.timestamp).toHaveLength(1);
    expect(m.keys.snapshot).toHaveLength(1);
    const ts = m.keys.timestamp[0];
    const snap = m.keys.snapshot[0];

    const certKey = {
      keytype: 'ecdsa-x509',
      keyval: { private: null, public: Buffer.from(out.rootCertificate).toString('base64') },
    };
    const certId = keyIdOf(certKey);
    const rootEnv = parseEnvelope(pubs[0].files.get('root')!, 'root', asRoot);
    expect(JSON.parse(JSON.stringify(rootEnv.signed))).toEqual({
      _type: 'Root',
      consistent_snapshot: false,
      expires: goTimeOf(CLOCK.getTime() + 3650 * DAY),
      keys: {
        [certId]: certKey,
        [repoKey.id]: tufKeyFromKeyObject(repoKey.key),
        [ts.id]: ts.tuf,
        [snap.id]: snap.tuf,
      },
      roles: {
        root: { keyids: [certId], threshold: 1 },
        snapshot: { keyids: [snap.id], threshold: 1 },
        targets: { keyids: [repoKey.id], threshold: 1 },
        timestamp: { keyids: [ts.id], threshold: 1 },
      },
      version: 1,
    });
    expect(rootEnv.signatures.map((s) => s.keyid)).toEqual([certId]);
    verifySignatures(rootEnv, 'root', { [certId]: certKey }, { keyids: [certId], threshold: 1 });

    const cert = new X509Certificate(out.rootCertificate);
    expect(cert.subject).toBe(`CN=${gun}`);
    expect(new Date(cert.validFrom).getTime()).toBe(CLOCK.getTime());
    expect(new Date(cert.validTo).getTime()).toBe(CLOCK.getTime() + 3650 * DAY);
    expect(canonicalKeyId(certKey)).toBe(root.id);

    const targetsEnv = parseEnvelope(pubs[0].files.get('targets')!, 'targets', asTargets);
    expect(JSON.parse(JSON.stringify(targetsEnv.signed))).toEqual({
      _type: 'Targets',
      delegations: { keys: {}, roles: [] },
      expires: goTimeOf(CLOCK.getTime() + 1095 * DAY),
      targets: {},
      version: 1,
    });
    expect(targetsEnv.signatures.map((s) => s.keyid)).toEqual([repoKey.id]);
    verifySignatures(
      targetsEnv,
      'targets',
      { [repoKey.id]: tufKeyFromKeyObject(repoKey.key) },
      { keyids: [repoKey.id], threshold: 1 },
    );

    expect(out).toEqual({
      gun,
      rootKeyId: certId,
      rootCanonicalId: root.id,
      rootCertificate: out.rootCertificate,
      certificateExpires: new Date(CLOCK.getTime() + 3650 * DAY),
      repositoryKeyId: repoKey.id,
      timestampKeyId: ts.id,
      snapshotKeyId: snap.id,
    });
    expect(out.rootCertificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(log.lines).toEqual([
      `${gun}: created with root key ${shortId(root.id)} (certificate ${shortId(certId)}, valid until ${new Date(CLOCK.getTime() + 3650 * DAY).toISOString()}) and repository key ${shortId(repoKey.id)}; the server holds the timestamp and snapshot keys`,
    ]);
    // The trust store remembers the root just made, as the next flow will trust it.
    const state = store.states.get(gun)!;
    expect(state.root).toBe(pubs[0].files.get('root')!.toString('base64'));
    expect(state.versions).toEqual({ root: 1, timestamp: 1, snapshot: 1, targets: 1 });
  });

  it('without a clock or a trust store: the certificate runs 10 years from now', async () => {
    const { gun, sources, opts } = fresh();
    const before = Math.floor(Date.now() / 1000) * 1000;
    const out = await initRepository({
      trustServer: opts.trustServer,
      caPem: opts.caPem,
      repository: gun,
      log: quietLog(),
      newRepository: sources(),
    });
    const after = Date.now();
    const expires = out.certificateExpires.getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 3650 * DAY);
    expect(expires).toBeLessThanOrEqual(after + 3650 * DAY);
    const root = parseEnvelope(forged.repos.get(gun)!.files.get('root')!, 'root', asRoot);
    expect(Date.parse(root.signed.expires)).toBeGreaterThanOrEqual(before + 3650 * DAY);
    expect(Date.parse(root.signed.expires)).toBeLessThanOrEqual(after + 3650 * DAY);
  });

  it('with a signer: targets/ci then targets/releases in the same publish; the Go CLI lists them', async () => {
    const { gun, ci, repoKey, opts, sources } = fresh();
    const keys = signerKeysOf(ci);
    await initRepository({ ...opts, newRepository: sources(), signer: { name: 'ci', keys } });
    const pubs = publishesOf(gun);
    expect(pubs).toHaveLength(1);
    const targets = parseEnvelope(pubs[0].files.get('targets')!, 'targets', asTargets);
    expect(targets.signatures.map((s) => s.keyid)).toEqual([repoKey.id]);
    expect(JSON.parse(JSON.stringify(targets.signed.delegations))).toEqual({
      keys: { [ci.id]: tufKeyFromKeyObject(ci.key) },
      roles: [
        { keyids: [ci.id], name: 'targets/ci', paths: [''], threshold: 1 },
        { keyids: [ci.id], name: 'targets/releases', paths: [''], threshold: 1 },
      ],
    });
    const go = await forged.go(['delegation', 'list', gun]);
    expect(go.code, go.stderr).toBe(0);
    const rows = go.stdout.split('\n').filter((l) => l.includes('targets/'));
    expect(rows.map((l) => l.trim().split(/\s+/)[0]).sort()).toEqual([
      'targets/ci',
      'targets/releases',
    ]);
    for (const row of rows) expect(row).toContain(ci.id);
  });

  it('through signer add on a repository without trust data: created and the signer added, one publish', async () => {
    const { gun, root, repoKey, ci, log, opts, sources } = fresh();
    const out = await addSigner({
      ...opts,
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(root, repoKey),
      newRepository: sources(),
    });
    expect(publishesOf(gun)).toHaveLength(1);
    expect(out).toMatchObject({
      gun,
      role: 'targets/ci',
      keyIds: [ci.id],
      releasesKeyIds: [ci.id],
      changed: true,
    });
    expect(out.initialized).toMatchObject({
      gun,
      rootCanonicalId: root.id,
      repositoryKeyId: repoKey.id,
    });
    expect(log.lines).toEqual([
      expect.stringMatching(new RegExp(`^${gun}: created with root key ${shortId(root.id)} `)),
      `${gun}: added signer ci (keys ${shortId(ci.id)})`,
    ]);
  });
});

describe('initRepository: refusals before publishing', () => {
  it('bad signer names and a signer without keys: before any request', async () => {
    const { ci, opts, sources } = fresh();
    const offline = { ...opts, trustServer: 'https://127.0.0.1:9' };
    const seen = forged.fake.requests.length;
    for (const name of ['releases', 'Bad']) {
      const e = await failure(
        initRepository({
          ...offline,
          newRepository: sources(),
          signer: { name, keys: signerKeysOf(ci) },
        }),
      );
      expect(e.code).toBe('SIGNER_NAME_INVALID');
    }
    const e = await failure(
      initRepository({ ...offline, newRepository: sources(), signer: { name: 'ci', keys: [] } }),
    );
    expect(e.code).toBe('SIGNER_KEY_MISSING');
    expect(e.message).toBe('signer ci needs at least one public key');
    expect(forged.fake.requests.length).toBe(seen);
  });

  it('a repository that exists: REPO_EXISTS, verified with the pins; nothing changed, no key asked for', async () => {
    const { gun, root, opts, sources, calls } = fresh();
    const made = await initRepository({ ...opts, newRepository: sources() });
    const stored = copyOf(forged.repos.get(gun)!);
    const again = fresh();
    const expectExists = async (more: Partial<InitOptions>) => {
      const e = await failure(initRepository({ ...opts, ...more, newRepository: again.sources() }));
      expect(e.code).toBe('REPO_EXISTS');
      expect(e.message).toBe(
        `${forged.origin} already has trust data for ${gun}; nothing was changed`,
      );
    };
    await expectExists({});
    await expectExists({ trustStore: undefined, rootKeyIds: [] });
    await expectExists({ rootKeyIds: [root.id] });
    await expectExists({ rootKeyIds: [made.rootKeyId] });
    // A pin the root does not match: the repository is not even trusted to exist.
    const pinned = await failure(
      initRepository({ ...opts, rootKeyIds: [again.root.id], newRepository: again.sources() }),
    );
    expect(pinned.code).toBe('TUF_ROOT_UNTRUSTED');
    expect(pinned.message).toContain('unable to match any certificates to the pinned root key IDs');

    expect(again.calls).toEqual({ root: 0, repo: 0 });
    expect(calls).toEqual({ root: 1, repo: 1 });
    expect(publishesOf(gun)).toHaveLength(1);
    expect(forged.repos.get(gun)!.files.get('root')).toEqual(stored.files.get('root'));
  });

  it('a repository re-created under another root than the one trusted: refused as a rotation', async () => {
    const { gun, opts, sources, store } = fresh();
    await initRepository({ ...opts, newRepository: sources() });
    forged.repos.delete(gun);
    const other = fresh();
    await initRepository({ ...opts, trustStore: undefined, newRepository: other.sources() });
    const e = await failure(
      initRepository({ ...opts, trustStore: store, newRepository: sources() }),
    );
    expect(e.code).toBe('TUF_ROOT_ROTATION');
    expect(publishesOf(gun)).toHaveLength(2);
  });

  it('the root key as repository key: KEY_REUSED, nothing published', async () => {
    const { gun, root, opts, sources } = fresh();
    const e = await failure(
      initRepository({ ...opts, newRepository: sources(root.key, root.key) }),
    );
    expect(e.code).toBe('KEY_REUSED');
    expect(e.message).toBe(
      `${gun}: the repository key must not be the root key (${shortId(root.id)}); give a key of its own`,
    );
    expect(publishesOf(gun)).toHaveLength(0);
    expect(forged.repos.has(gun)).toBe(false);
  });

  it('a root key that cannot carry a certificate: KEY_UNSUPPORTED before the repository key is asked for', async () => {
    const { gun, opts, sources, calls } = fresh();
    const ed = generateKeyPairSync('ed25519').privateKey;
    const e = await failure(initRepository({ ...opts, newRepository: sources(ed) }));
    expect(e.code).toBe('KEY_UNSUPPORTED');
    expect(e.message).toBe(
      'a root key must be ECDSA (P-256, P-384, P-521) or RSA to carry a certificate; this is a ed25519 key',
    );
    expect(calls).toEqual({ root: 1, repo: 0 });
    expect(publishesOf(gun)).toHaveLength(0);
  });

  it("the repository's own root or repository key as the signer's key: SIGNER_KEY_IN_USE, nothing published", async () => {
    const { gun, root, repoKey, opts, sources } = fresh();
    for (const [k, source] of [
      [root, 'root.pub'],
      [repoKey, 'targets.pub'],
    ] as [AdminKey, string][]) {
      const e = await failure(
        initRepository({
          ...opts,
          newRepository: sources(),
          signer: { name: 'ci', keys: signerKeyOf(k.key, source) },
        }),
      );
      expect(e.code).toBe('SIGNER_KEY_IN_USE');
      expect(e.message).toBe(
        `${source} is a key ${gun} already uses as its root or repository key (${shortId(k.id)}); a signer needs a key of its own (\`dct key generate NAME\`)`,
      );
    }
    expect(publishesOf(gun)).toHaveLength(0);
    expect(forged.repos.has(gun)).toBe(false);
  });
});

describe('initRepository: the read-back', () => {
  it('a server that kept nothing: PUBLISH_UNCONFIRMED, no trust data', async () => {
    const { gun, log, store, opts, sources } = fresh();
    forged.intercept = (req, res) => isPublishOf(req, gun) && (res.writeHead(200).end(), true);
    const e = await failure(initRepository({ ...opts, newRepository: sources() }));
    expect(e.code).toBe('PUBLISH_UNCONFIRMED');
    expect(e.message).toBe(
      `${gun}: after creating the repository the server shows no trust data; another client may have created it at the same time`,
    );
    expect(log.lines).toEqual([]);
    expect(store.states.size).toBe(0);
  });

  it('a server that shows another root: PUBLISH_UNCONFIRMED, another root', async () => {
    const { gun, log, store, opts, sources } = fresh();
    const theirs = new TestRepo(gun, CLOCK);
    forged.intercept = (req, res) => {
      if (!isPublishOf(req, gun)) return false;
      forged.serve(theirs);
      res.writeHead(200).end();
      return true;
    };
    const e = await failure(initRepository({ ...opts, newRepository: sources() }));
    expect(e.code).toBe('PUBLISH_UNCONFIRMED');
    expect(e.message).toBe(
      `${gun}: after creating the repository the server shows another root; another client may have created it at the same time`,
    );
    expect(log.lines).toEqual([]);
    expect(store.states.size).toBe(0);
  });

  it('a server that shows our root but targets without targets/releases: PUBLISH_UNCONFIRMED naming it', async () => {
    const { gun, repoKey, ci, log, store, opts, sources } = fresh();
    // What reaches the server's store: our root, and our targets re-signed without releases.
    forged.intercept = (req) => {
      if (!isPublishOf(req, gun)) return false;
      const files = parseMultipart(req);
      const targets = parseEnvelope(files.get('targets')!, 'targets', asTargets).signed;
      const edited: TargetsMeta = {
        ...targets,
        delegations: {
          keys: targets.delegations.keys,
          roles: targets.delegations.roles.filter((r) => r.name !== 'targets/releases'),
        },
      };
      const signer = { keyId: repoKey.id, sign: (msg: Uint8Array) => sign(repoKey.key, msg) };
      files.set('targets', signEnvelope(edited, [signer]).bytes);
      const { body, contentType } = multipartBody(files);
      req.body = body;
      req.headers['content-type'] = contentType;
      return false;
    };
    const e = await failure(
      initRepository({
        ...opts,
        newRepository: sources(),
        signer: { name: 'ci', keys: signerKeysOf(ci) },
      }),
    );
    expect(e.code).toBe('PUBLISH_UNCONFIRMED');
    expect(e.message).toBe(
      `${gun}: the server does not show targets/releases after creating the repository`,
    );
    const stored = forged.repos.get(gun)!.files.get('targets')!;
    expect(
      parseEnvelope(stored, 'targets', asTargets).signed.delegations.roles.map((r) => r.name),
    ).toEqual(['targets/ci']);
    expect(log.lines).toEqual([]);
    expect(store.states.size).toBe(0);
  });

  it('another client created it first (a VERSION answer): signer add adds the signer to theirs', async () => {
    const { gun, repoKey, ci, log, opts, sources } = fresh();
    // Their repository: another root key, the same repository key.
    const theirRoot = makeKey('root');
    await initRepository({ ...opts, trustStore: undefined, newRepository: sources(theirRoot.key) });
    const theirs = copyOf(forged.repos.get(gun)!);
    forged.repos.delete(gun);
    const before = publishesOf(gun).length;
    let raced = false;
    forged.intercept = (req, res) => {
      if (raced || !isPublishOf(req, gun)) return false;
      raced = true;
      forged.repos.set(gun, copyOf(theirs));
      return versionConflict(res);
    };
    const root = makeKey('root');
    const out = await addSigner({
      ...opts,
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(root, repoKey),
      newRepository: sources(root.key),
    });
    expect(raced).toBe(true);
    expect(out.initialized).toBeUndefined();
    expect(out).toMatchObject({ changed: true, keyIds: [ci.id], releasesKeyIds: [ci.id] });
    expect(log.lines).toContain(
      `${gun}: another client created the repository meanwhile; adding the signer to it`,
    );
    // Their root stays; the signer went into their targets.
    expect(forged.repos.get(gun)!.files.get('root')).toEqual(theirs.files.get('root'));
    expect(publishesOf(gun).length).toBe(before + 1);
  });
});

describe('initRepository loses the race to create the repository', () => {
  it('REPO_EXISTS, with the server’s answer as the cause; theirs is left as it is', async () => {
    const { gun, opts, sources } = fresh();
    const theirRoot = makeKey('root');
    await initRepository({ ...opts, trustStore: undefined, newRepository: sources(theirRoot.key) });
    const theirs = copyOf(forged.repos.get(gun)!);
    forged.repos.delete(gun);
    forged.intercept = (req, res) => {
      if (!isPublishOf(req, gun)) return false;
      forged.repos.set(gun, copyOf(theirs));
      return versionConflict(res);
    };
    const e = await failure(
      initRepository({ ...opts, newRepository: sources(makeKey('root').key) }),
    );
    expect(e.code).toBe('REPO_EXISTS');
    expect(e.message).toBe(
      `another client created trust data for ${gun} on ${forged.origin} meanwhile; nothing of ours was stored`,
    );
    expect((e.cause as DctError).code).toBe('NOTARY_VERSION');
    expect(forged.repos.get(gun)!.files.get('root')).toEqual(theirs.files.get('root'));
  });
});

describe('the connection (withRepository)', () => {
  it('asks the trust server for pull,push once and for nothing narrower', async () => {
    const { gun, opts, sources } = fresh();
    const scopes = forged.requireTokens();
    await initRepository({ ...opts, newRepository: sources() });
    expect([...new Set(scopes)]).toEqual([`repository:${gun}:pull,push`]);
  });

  it('closes its HTTP client after the flow, whether it succeeded or failed', async () => {
    const { opts, sources } = fresh();
    const close = vi.spyOn(HttpClient.prototype, 'close');
    await initRepository({ ...opts, newRepository: sources() });
    expect(close).toHaveBeenCalledTimes(1);
    await failure(initRepository({ ...opts, newRepository: sources() }));
    expect(close).toHaveBeenCalledTimes(2);
  });
});

describe('the root and repository keys of an existing repository (baseRoleSigners)', () => {
  async function existing() {
    const f = fresh();
    const init = await initRepository({ ...f.opts, newRepository: f.sources() });
    return { ...f, init };
  }

  it('signer add without the repository key: REPOSITORY_KEY_MISSING naming the keys given, nothing published', async () => {
    const { gun, root, repoKey, ci, opts } = await existing();
    const other = makeKey('other');
    const before = publishesOf(gun).length;
    const held = [root, other].map((k) => shortId(k.id));
    const e = await failure(
      addSigner({ ...opts, name: 'ci', signerKeys: signerKeysOf(ci), keys: ringOf(root, other) }),
    );
    expect(e.code).toBe('REPOSITORY_KEY_MISSING');
    expect(e.message).toBe(
      `${gun}: this needs the repository (targets) key (${shortId(repoKey.id)}), but the keys given are ${held.join(', ')}`,
    );
    const empty = KeyRing.open([], { include: 'all' });
    const none = await failure(
      addSigner({ ...opts, name: 'ci', signerKeys: signerKeysOf(ci), keys: empty }),
    );
    expect(none.code).toBe('REPOSITORY_KEY_MISSING');
    expect(none.message).toBe(
      `${gun}: this needs the repository (targets) key (${shortId(repoKey.id)}), but the keys given are none`,
    );
    expect(publishesOf(gun).length).toBe(before);
  });

  it('a root rotation without the root key: ROOT_KEY_MISSING naming the certificate, before a new key is made', async () => {
    const { gun, repoKey, opts, init } = await existing();
    let made = 0;
    const e = await failure(
      rotateKey({
        ...opts,
        role: 'root',
        keys: ringOf(repoKey),
        newKey: () => (made++, makeKey('root').key),
      }),
    );
    expect(e.code).toBe('ROOT_KEY_MISSING');
    expect(e.message).toBe(
      `${gun}: this needs the root key (${shortId(init.rootKeyId)}), but the keys given are ${shortId(repoKey.id)}`,
    );
    expect(made).toBe(0);
    expect(publishesOf(gun)).toHaveLength(1);
  });

  it('a repository key role of two keys, threshold 2: both listed, "2 of them"; one is not enough', async () => {
    const gun = `${forged.host}/team/init${++n}`;
    const r = new TestRepo(gun, CLOCK);
    const a = newKey('ecdsa');
    const b = newKey('ecdsa');
    r.signRoot(1, r.rootKeys, (root) => {
      root.keys[a.id] = a.tuf;
      root.keys[b.id] = b.tuf;
      root.roles.targets = { keyids: [a.id, b.id], threshold: 2 };
    });
    r.setTargets('targets', () => undefined, [a, b]);
    r.publish();
    forged.serve(r);
    const ci = makeKey('ci');
    const log = quietLog();
    const e = await failure(
      addSigner({
        trustServer: forged.origin,
        caPem: forged.pki.caPem,
        repository: gun,
        log,
        now: () => CLOCK,
        name: 'ci',
        signerKeys: signerKeysOf(ci),
        keys: ringOfKeys(a),
      }),
    );
    expect(e.code).toBe('REPOSITORY_KEY_MISSING');
    expect(e.message).toBe(
      `${gun}: this needs the repository (targets) key (${shortId(a.id)}, ${shortId(b.id)}, 2 of them), but the keys given are ${shortId(a.id)}`,
    );
    expect(publishesOf(gun)).toHaveLength(0);
  });

  it("signer add refuses every key root lists as a signer's key, certificates by their own key (baseKeyIds)", async () => {
    const { gun, m, root, repoKey, opts } = await existing();
    const cases: [KeyObject, string, string][] = [
      [root.key, 'root.pub', root.id],
      [repoKey.key, 'targets.pub', repoKey.id],
      [m.keys.timestamp[0].key, 'timestamp.pub', m.keys.timestamp[0].id],
      [m.keys.snapshot[0].key, 'snapshot.pub', m.keys.snapshot[0].id],
    ];
    for (const [key, source, id] of cases) {
      const e = await failure(
        addSigner({
          ...opts,
          name: 'bob',
          signerKeys: signerKeyOf(key, source),
          keys: ringOf(repoKey),
        }),
      );
      expect(e.code).toBe('SIGNER_KEY_IN_USE');
      expect(e.message).toBe(
        `${source} is a key ${gun} already uses as its root or repository key (${shortId(id)}); a signer needs a key of its own (\`dct key generate NAME\`)`,
      );
    }
    expect(publishesOf(gun)).toHaveLength(1);
  });
});

describe('the publish context of signer add (publishContext)', () => {
  it("signs with the flow's clock and updates the trust store", async () => {
    const { gun, repoKey, ci, opts, store, sources } = fresh();
    await initRepository({ ...opts, newRepository: sources() });
    await addSigner({ ...opts, name: 'ci', signerKeys: signerKeysOf(ci), keys: ringOf(repoKey) });
    const pubs = publishesOf(gun);
    expect(pubs).toHaveLength(2);
    const targets = parseEnvelope(pubs[1].files.get('targets')!, 'targets', asTargets).signed;
    expect(targets.version).toBe(2);
    expect(targets.expires).toBe(goTimeOf(CLOCK.getTime() + 1095 * DAY));
    expect(store.states.get(gun)!.versions['targets']).toBe(2);
  });

  it('after a version conflict, the re-read pins nothing when no root key IDs are given', async () => {
    const { gun, repoKey, ci, opts, log, sources } = fresh();
    await initRepository({ ...opts, newRepository: sources() });
    let conflicts = 0;
    forged.intercept = (req, res) =>
      conflicts === 0 && isPublishOf(req, gun) ? (conflicts++, versionConflict(res)) : false;
    const out = await addSigner({
      ...opts,
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(repoKey),
    });
    expect(conflicts).toBe(1);
    expect(out.changed).toBe(true);
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${gun}: another signer published first; reading the repository again in \\d+ ms$`,
        ),
      ),
    );
  });

  it('after a version conflict, the re-read holds the root key IDs pinned: a root rotated meanwhile is refused', async () => {
    const { gun, root, repoKey, ci, opts, sources } = fresh();
    await initRepository({ ...opts, newRepository: sources() });
    const before = copyOf(forged.repos.get(gun)!);
    // What the server holds once someone rotated the root key; then back to before.
    await rotateKey({
      ...opts,
      trustStore: new MemoryTrustStore(),
      role: 'root',
      keys: ringOf(root),
      newKey: () => makeKey('root').key,
    });
    const rotated = copyOf(forged.repos.get(gun)!);
    forged.repos.set(gun, copyOf(before));
    const published = publishesOf(gun).length;
    let conflicts = 0;
    forged.intercept = (req, res) => {
      if (conflicts > 0 || !isPublishOf(req, gun)) return false;
      conflicts++;
      forged.repos.set(gun, copyOf(rotated));
      return versionConflict(res);
    };
    const e = await failure(
      addSigner({
        ...opts,
        rootKeyIds: [root.id],
        name: 'ci',
        signerKeys: signerKeysOf(ci),
        keys: ringOf(repoKey),
      }),
    );
    expect(conflicts).toBe(1);
    expect(e.code).toBe('TUF_ROOT_UNTRUSTED');
    expect(e.message).toContain('unable to match any certificates to the pinned root key IDs');
    // The conflicting POST was answered by the intercept; nothing reached the store after it.
    expect(publishesOf(gun).length).toBe(published);
    expect(forged.repos.get(gun)!.files.get('root')).toEqual(rotated.files.get('root'));
  });
});
