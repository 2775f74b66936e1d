/**
 * src/signer/publish.ts at its edges, against the mutants StrykerJS left alive, on an
 * in-memory trust server over a repository whose keys the test holds: loadRepo's wording for
 * a missing repository and for an unreachable default or retired server; publishChange's
 * retries (a version conflict, a lost answer, a stale server, other signers that never stop),
 * its read-back (our bytes replaced, the change gone), a change already there, the snapshot
 * key held by the owner, root and snapshot re-signed, the keys a new delegation's file is
 * read with, and the trust cache kept or left alone.
 */
import { describe, expect, it, vi } from 'vitest';
import { DctError } from '../../src/errors.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { shortId } from '../../src/keys/keyid.js';
import type { NotaryClient } from '../../src/notary/client.js';
import type { RepoConnection } from '../../src/signer/connect.js';
import {
  loadRepo,
  publishChange,
  readBack,
  saveTrust,
  warnIfRootExpiring,
  type Change,
  type PublishContext,
  type RoleEdit,
} from '../../src/signer/publish.js';
import { parseEnvelope, signEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, asSnapshot, asTargets, type TargetsMeta } from '../../src/tuf/models.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { validRootCerts } from '../../src/tuf/rootcert.js';
import { parseExpires } from '../../src/tuf/time.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import {
  newKey,
  newRootKey,
  oneKeyRole,
  sha256b64,
  TestRepo,
  type TestKey,
} from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

const GUN = 'registry.example.com/team/app';
const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

type Outcome = 'store' | DctError | ((files: Map<string, Buffer>) => void);

/**
 * A trust server in memory over `repo`: serves its current files, and answers each publish
 * with the next scripted outcome (default: store it as notary-server does).
 */
class FakeNotary {
  readonly published: Map<string, Buffer>[] = [];
  script: Outcome[] = [];
  constructor(readonly repo: TestRepo) {}

  fetch(role: string, opts?: { sha256?: string; version?: number; maxLength?: number }) {
    return this.repo.fetcher().fetch(role, opts);
  }

  publish(files: Map<string, Buffer>): Promise<void> {
    this.published.push(files);
    const next = this.script.shift() ?? 'store';
    if (next instanceof DctError) return Promise.reject(next);
    if (next === 'store') this.store(files);
    else next(files);
    return Promise.resolve();
  }

  store(files: Map<string, Buffer>): void {
    const r = this.repo;
    for (const [role, bytes] of files) {
      if (role === 'root') {
        r.root = parseEnvelope(bytes, 'root', asRoot);
        r.oldRoots.set(r.root.signed.version, bytes);
      } else if (role !== 'snapshot') {
        r.targets.set(role, parseEnvelope(bytes, role, asTargets));
      }
    }
    const ours = files.get('snapshot');
    if (ours === undefined) {
      r.publish();
    } else {
      r.snapshot = parseEnvelope(ours, 'snapshot', asSnapshot);
      r.signTimestamp();
    }
  }
}

function conn(
  notary: Pick<NotaryClient, 'fetch'> & Partial<NotaryClient>,
  more: Partial<RepoConnection> = {},
): RepoConnection {
  return {
    gun: GUN,
    server: 'https://notary.example.com',
    serverGiven: true,
    notary: notary as NotaryClient,
    registry: undefined as never,
    ...more,
  };
}

function context(fake: FakeNotary, keys: KeyRing, more: Partial<PublishContext> = {}) {
  const log = quietLog();
  const waits: number[] = [];
  const ctx: PublishContext = {
    conn: conn(fake),
    keys,
    rootKeyIds: [],
    log,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    ...more,
  };
  return { ctx, log, waits };
}

const addTag = (signers: TestKey[], tag = 'v1'): RoleEdit[] => [
  {
    role: 'targets',
    signers: signers.map((k) => k.signer),
    edit: (t: TargetsMeta) => void (t.targets[tag] = target(tag)),
  },
];

/** Adds v1 to targets unless it is there already. */
const planV1 =
  (k: TestKey) =>
  (repo: TrustedRepo): RoleEdit[] =>
    repo.targets.get('targets')!.signed.targets['v1'] === undefined ? addTag([k]) : [];
const confirmV1 = (repo: TrustedRepo) =>
  repo.targets.get('targets')!.signed.targets['v1'] === undefined ? 'v1 is not there' : undefined;

const versionConflict = () => new DctError('NOTARY_VERSION', 'old version');
const lostAnswer = () => new DctError('NOTARY_OUTCOME_UNKNOWN', 'no answer');

/** Publishes v1 into `role` (not in the repository), signed by a key it does not list. */
function publishV1Into(role: string, fake: FakeNotary, keys: KeyRing) {
  return publishChange(
    context(fake, keys).ctx,
    () => ({
      roles: [
        {
          role,
          signers: [newKey('ecdsa').signer],
          edit: (t) => void (t.targets['v1'] = target('v1')),
        },
      ],
    }),
    () => undefined,
  );
}

function setUp() {
  const r = new TestRepo(GUN, new Date());
  const keys = ringOfKeys(r.targetsKey);
  return { r, keys, fake: new FakeNotary(r) };
}

describe('loadRepo', () => {
  const unreachable = {
    fetch: () => Promise.reject(new DctError('HTTP_UNREACHABLE', 'cannot reach it')),
  };
  const create =
    "create the repository first (this action's `signer-add` command, or `dct signer add --key ci.pub ci " +
    `${GUN}\`)`;
  const note = (server: string, whose: string) =>
    `\`trust-server\` is not set, so ${server} is the default (${whose}); if your Notary server is elsewhere, set \`trust-server\` (or DOCKER_CONTENT_TRUST_SERVER) to it`;

  it('a repository the server does not have → REPO_NOT_FOUND, naming the default server when none was given', async () => {
    const empty = { fetch: () => Promise.resolve(undefined) };
    await expect(loadRepo({ conn: conn(empty), rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      code: 'REPO_NOT_FOUND',
      message: `https://notary.example.com does not have trust data for ${GUN}; ${create}`,
    });
    const derived = conn(empty, { server: 'https://registry.example.com', serverGiven: false });
    await expect(loadRepo({ conn: derived, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      code: 'REPO_NOT_FOUND',
      message: `https://registry.example.com does not have trust data for ${GUN}; ${note('https://registry.example.com', "the registry's own host, as docker derives it")}, or ${create}`,
    });
  });

  it('an unreachable default server is named as the default; a given one is not', async () => {
    const derived = conn(unreachable, {
      server: 'https://registry.example.com',
      serverGiven: false,
    });
    await expect(loadRepo({ conn: derived, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      code: 'HTTP_UNREACHABLE',
      message: `cannot reach it; ${note('https://registry.example.com', "the registry's own host, as docker derives it")}`,
    });
    const hub = conn(unreachable, {
      gun: 'docker.io/library/app',
      server: 'https://hub.example.com',
      serverGiven: false,
    });
    await expect(loadRepo({ conn: hub, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      message: `cannot reach it; ${note('https://hub.example.com', "Docker Hub's")}`,
    });
    await expect(
      loadRepo({ conn: conn(unreachable), rootKeyIds: [] }, undefined),
    ).rejects.toMatchObject({ code: 'HTTP_UNREACHABLE', message: 'cannot reach it' });
  });

  it('bad trust data from a default server is not blamed on the server choice', async () => {
    const bad = { fetch: () => Promise.reject(new DctError('TUF_SIGNATURE', 'bad signature')) };
    const derived = conn(bad, { server: 'https://registry.example.com', serverGiven: false });
    await expect(loadRepo({ conn: derived, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      code: 'TUF_SIGNATURE',
      message: 'bad signature',
    });
    const odd = { fetch: () => Promise.reject(new Error('odd')) };
    await expect(
      loadRepo({ conn: conn(odd, { serverGiven: false }), rootKeyIds: [] }, undefined),
    ).rejects.toThrow(/^odd$/);
  });

  it('Docker’s retired Notary service says so, given or not', async () => {
    for (const serverGiven of [true, false]) {
      const hub = conn(unreachable, { server: 'https://notary.docker.io', serverGiven });
      await expect(loadRepo({ conn: hub, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
        code: 'HTTP_UNREACHABLE',
        message:
          'cannot reach it; Docker\'s Notary service (notary.docker.io) shut down on 8 December 2026: set `trust-server` to a self-hosted Notary server holding the repository\'s trust data, or move to Sigstore signatures (README, "Moving to Sigstore")',
      });
    }
    for (const code of [
      'HTTP_NOT_TLS',
      'HTTP_TLS',
      'HTTP_TIMEOUT',
      'NOTARY_NOT_FOUND',
      'NOTARY_UNAUTHORIZED',
    ]) {
      const failing = { fetch: () => Promise.reject(new DctError(code, 'no')) };
      const hub = conn(failing, { server: 'https://notary.docker.io' });
      await expect(loadRepo({ conn: hub, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
        code,
        message: expect.stringMatching(/^no; Docker's Notary service/) as unknown,
      });
    }
    const elsewhere = conn(unreachable, { server: 'not a url' });
    await expect(loadRepo({ conn: elsewhere, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      message: 'cannot reach it',
    });
    const lookalike = conn(unreachable, { server: 'https://notary.docker.io.example.com' });
    await expect(loadRepo({ conn: lookalike, rootKeyIds: [] }, undefined)).rejects.toMatchObject({
      message: 'cannot reach it',
    });
  });

  it('pins the root key IDs given, and only those', async () => {
    const { r } = setUp();
    const fake = new FakeNotary(r);
    await expect(
      loadRepo({ conn: conn(fake), rootKeyIds: [r.rootKeys[0].id] }, undefined),
    ).resolves.toBeDefined();
    await expect(
      loadRepo({ conn: conn(fake), rootKeyIds: ['0'.repeat(64)] }, undefined),
    ).rejects.toBeInstanceOf(DctError);
  });
});

describe('publishChange', () => {
  it('publishes, returns each file with its version and expiry, and remembers the trust data', async () => {
    const { r, keys, fake } = setUp();
    const trustStore = new MemoryTrustStore();
    const { ctx } = context(fake, keys, { trustStore });
    const files = await publishChange(ctx, planV1(r.targetsKey), confirmV1);
    expect([...files.keys()]).toEqual(['targets']);
    const sent = parseEnvelope(files.get('targets')!.bytes, 'targets', asTargets);
    expect(files.get('targets')).toMatchObject({ version: 2, expires: sent.signed.expires });
    expect(trustStore.states.get(GUN)?.versions).toMatchObject({ targets: 2 });
    keys.dispose();
  });

  it('nothing to change and the change is there: nothing is sent, the trust data is remembered', async () => {
    const { r, keys, fake } = setUp();
    r.setTargets('targets', (t) => void (t.targets['v1'] = target('v1')));
    r.publish();
    const trustStore = new MemoryTrustStore();
    const files = await publishChange(
      context(fake, keys, { trustStore }).ctx,
      planV1(r.targetsKey),
      confirmV1,
    );
    expect(files.size).toBe(0);
    expect(fake.published).toEqual([]);
    expect(trustStore.states.get(GUN)?.versions).toMatchObject({ targets: 2 });
    keys.dispose();
  });

  it('nothing to change but the change is not there → PUBLISH_UNCONFIRMED', async () => {
    const { keys, fake } = setUp();
    await expect(publishChange(context(fake, keys).ctx, () => [], confirmV1)).rejects.toMatchObject(
      { code: 'PUBLISH_UNCONFIRMED', message: `${GUN}: v1 is not there` },
    );
    keys.dispose();
  });

  it('another signer first: reads again after a backoff, re-applies, and publishes', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [versionConflict()];
    const { ctx, log, waits } = context(fake, keys);
    const files = await publishChange(ctx, planV1(r.targetsKey), confirmV1);
    expect(fake.published).toHaveLength(2);
    expect(files.get('targets')?.version).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(100);
    expect(waits[0]).toBeLessThanOrEqual(300);
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${GUN}: another signer published first; reading the repository again in ${waits[0]} ms$`,
        ),
      ),
    );
    keys.dispose();
  });

  it('a server that refuses our version three times while serving the same data → NOTARY_STALE', async () => {
    const { r, keys, fake } = setUp();
    fake.script = Array.from({ length: 10 }, versionConflict);
    const { ctx, waits } = context(fake, keys);
    await expect(publishChange(ctx, planV1(r.targetsKey), confirmV1)).rejects.toMatchObject({
      code: 'NOTARY_STALE',
      message: `${GUN}: the trust server refused our update 3 times as older than what it stores, yet serves the same older metadata each time (root v1, timestamp v1, snapshot v1, targets v1); it, or a cache in front of it, is serving stale or replayed data. Nothing was published`,
    });
    expect(fake.published).toHaveLength(3);
    // The backoff doubles from 200 ms (±50%).
    expect(waits).toHaveLength(3);
    expect(waits[1]).toBeGreaterThanOrEqual(200);
    expect(waits[1]).toBeLessThanOrEqual(600);
    expect(waits[2]).toBeGreaterThanOrEqual(400);
    expect(waits[2]).toBeLessThanOrEqual(1200);
    keys.dispose();
  });

  it('other signers publishing every time: gives up after the attempts allowed → PUBLISH_CONFLICT', async () => {
    const { r, keys, fake } = setUp();
    let n = 0;
    const busy = (): Outcome => () => {
      // Someone else's tag lands instead of ours, and the server says our version is old.
      r.setTargets('targets', (t) => void (t.targets[`other${++n}`] = target('x')));
      r.publish();
      throw versionConflict();
    };
    fake.script = Array.from({ length: 10 }, busy);
    const { ctx, waits } = context(fake, keys, { maxAttempts: 6 });
    const err = await publishChange(ctx, planV1(r.targetsKey), confirmV1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'PUBLISH_CONFLICT',
      message: `${GUN}: gave up after 6 attempts because other signers kept publishing at the same time; run the job again`,
      cause: { code: 'NOTARY_VERSION' },
    });
    expect(fake.published).toHaveLength(6);
    // Capped at 4 s (±50%).
    expect(Math.max(...waits)).toBeLessThanOrEqual(6000);
    expect(waits[5]).toBeGreaterThanOrEqual(2000);
    keys.dispose();
  });

  it('three lost answers with the change absent → PUBLISH_FAILED, naming the last', async () => {
    const { r, keys, fake } = setUp();
    fake.script = Array.from({ length: 10 }, lostAnswer);
    const { ctx, log } = context(fake, keys);
    await expect(publishChange(ctx, planV1(r.targetsKey), confirmV1)).rejects.toMatchObject({
      code: 'PUBLISH_FAILED',
      message: `${GUN}: no answer to 3 publishes (last: no answer) and the repository does not show the change, so it is not published (a publish the server is still processing could appear later: run verify before signing again)`,
      cause: { code: 'NOTARY_OUTCOME_UNKNOWN', message: 'no answer' },
    });
    expect(fake.published).toHaveLength(3);
    expect(log.lines.filter((l) => l.includes('the publish answer was lost'))).toHaveLength(3);
    keys.dispose();
  });

  it('a lost answer whose publish landed is settled by reading again', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [
      (files) => {
        fake.store(files);
        throw lostAnswer();
      },
    ];
    const files = await publishChange(context(fake, keys).ctx, planV1(r.targetsKey), confirmV1);
    expect(files.size).toBe(0);
    expect(fake.published).toHaveLength(1);
    keys.dispose();
  });

  it('the owner’s snapshot key not held → SNAPSHOT_KEY_MISSING naming it', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [new DctError('NOTARY_SNAPSHOT_KEY_MISSING', 'no snapshot key')];
    await expect(
      publishChange(context(fake, keys).ctx, planV1(r.targetsKey), confirmV1),
    ).rejects.toMatchObject({
      code: 'SNAPSHOT_KEY_MISSING',
      message:
        `this repository's snapshot key (${shortId(r.snapshotKey.id)}) is held by its owner, not by the trust server, and \`keys\` does not hold it; ` +
        'add the snapshot key to `keys` (a backup of ~/.docker/trust/private has it), ' +
        `or let the server manage it once: \`dct key rotate ${GUN} snapshot --server-managed\` (or \`notary key rotate ${GUN} snapshot -r\`). Nothing was published`,
      cause: { code: 'NOTARY_SNAPSHOT_KEY_MISSING' },
    });
    expect(fake.published).toHaveLength(1);
    keys.dispose();
  });

  it('any other publish failure is passed on at once', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [new DctError('NOTARY_UNAUTHORIZED', 'denied')];
    await expect(
      publishChange(context(fake, keys).ctx, planV1(r.targetsKey), confirmV1),
    ).rejects.toMatchObject({ code: 'NOTARY_UNAUTHORIZED', message: 'denied' });
    expect(fake.published).toHaveLength(1);
    keys.dispose();
  });

  it('published on top of at once: the change is found by a full read', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [
      (files) => {
        fake.store(files);
        r.setTargets('targets', (t) => void (t.targets['later'] = target('later')));
        r.publish();
      },
    ];
    const trustStore = new MemoryTrustStore();
    const files = await publishChange(
      context(fake, keys, { trustStore }).ctx,
      planV1(r.targetsKey),
      confirmV1,
    );
    expect(files.get('targets')?.version).toBe(2);
    expect(fake.published).toHaveLength(1);
    expect(trustStore.states.get(GUN)?.versions).toMatchObject({ targets: 3 });
    keys.dispose();
  });

  it('replaced right after our publish: applied again', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [
      (files) => {
        fake.store(files);
        r.setTargets('targets', (t) => {
          delete t.targets['v1'];
          t.targets['theirs'] = target('theirs');
        });
        r.publish();
      },
    ];
    const { ctx, log } = context(fake, keys);
    const files = await publishChange(ctx, planV1(r.targetsKey), confirmV1);
    expect(fake.published).toHaveLength(2);
    expect(files.get('targets')?.version).toBe(4);
    expect(log.lines).toContain(
      `${GUN}: read-back did not show the change (v1 is not there); retrying`,
    );
    expect(Object.keys(r.targets.get('targets')!.signed.targets).sort()).toEqual([
      'latest',
      'theirs',
      'v1',
    ]);
    keys.dispose();
  });

  it('a trust cache that cannot be written is a warning, not a failure', async () => {
    const { r, keys, fake } = setUp();
    const trustStore = {
      load: () => Promise.resolve(undefined),
      save: () => Promise.reject(new DctError('CACHE_FAILED', 'disk full')),
    };
    const { ctx, log } = context(fake, keys, { trustStore });
    await publishChange(ctx, planV1(r.targetsKey), confirmV1);
    expect(log.lines).toContain(`warning: ${GUN}: could not remember the trust data: disk full`);
    keys.dispose();
  });

  it('the cached trust data is the floor of the first read', async () => {
    const { r, keys, fake } = setUp();
    const trustStore = new MemoryTrustStore();
    const state: TrustState = {
      gun: GUN,
      root: r.root.bytes.toString('base64'),
      versions: { root: 1, timestamp: 1, snapshot: 1, targets: 9 },
    };
    await trustStore.save(state);
    await expect(
      publishChange(context(fake, keys, { trustStore }).ctx, planV1(r.targetsKey), confirmV1),
    ).rejects.toMatchObject({ code: 'TUF_ROLLBACK' });
    expect(fake.published).toEqual([]);
    keys.dispose();
  });
});

describe('publishChange: what is signed', () => {
  it('a delegation added and signed in one publish is read back with the new entry', async () => {
    const { r, keys, fake } = setUp();
    const k = newKey('ecdsa');
    const change: Change = {
      roles: [
        {
          role: 'targets',
          signers: [r.targetsKey.signer],
          edit: (t) => {
            t.delegations.keys[k.id] = k.tuf;
            t.delegations.roles.push({
              keyids: [k.id],
              name: 'targets/new',
              paths: [''],
              threshold: 1,
            });
          },
        },
        {
          role: 'targets/new',
          signers: [k.signer],
          edit: (t) => void (t.targets['v1'] = target('v1')),
        },
      ],
    };
    const files = await publishChange(
      context(fake, keys).ctx,
      () => change,
      () => undefined,
    );
    expect([...files.keys()]).toEqual(['targets', 'targets/new']);
    keys.dispose();
  });

  it('a delegation its parent does not list is never sent → PUBLISH_READBACK', async () => {
    const { keys, fake } = setUp();
    await expect(publishV1Into('targets/nope', fake, keys)).rejects.toMatchObject({
      code: 'PUBLISH_READBACK',
      message:
        'refusing to publish targets/nope: read back as a client reads it, valid signatures did not meet threshold for targets/nope (0 valid of 1 required); it was not signed by the keys the repository trusts for this role; nothing was published',
      cause: { code: 'TUF_THRESHOLD' },
    });
    expect(fake.published).toEqual([]);
    keys.dispose();
  });

  it('a role whose file no listed key signed starts empty above that file’s version', async () => {
    const { r, keys, fake } = setUp();
    const [gone, now] = [newKey('ecdsa'), newKey('ecdsa')];
    r.delegate('targets', 'targets/ci', { keys: [now] });
    for (const tag of ['a', 'b', 'c']) {
      r.setTargets('targets/ci', (t) => void (t.targets[tag] = target(tag)), [gone]);
    }
    r.publish();
    const change: Change = {
      roles: [
        {
          role: 'targets/ci',
          signers: [now.signer],
          edit: (t) => void (t.targets['v1'] = target('v1')),
        },
      ],
    };
    const files = await publishChange(
      context(fake, keys).ctx,
      () => change,
      () => undefined,
    );
    const sent = parseEnvelope(files.get('targets/ci')!.bytes, 'targets/ci', asTargets);
    expect(sent.signed.version).toBe(4);
    expect(Object.keys(sent.signed.targets)).toEqual(['v1']);
    keys.dispose();
  });

  it('the snapshot alone is re-signed when asked and its key is held', async () => {
    const { r, fake } = setUp();
    const keys = ringOfKeys(r.snapshotKey);
    const files = await publishChange(
      context(fake, keys).ctx,
      () => ({ roles: [], snapshot: true }),
      () => undefined,
    );
    expect([...files.keys()]).toEqual(['snapshot']);
    expect(files.get('snapshot')?.version).toBe(2);
    keys.dispose();
  });

  it('root re-signed by its key is sent with the snapshot and read back in full', async () => {
    const { r, fake } = setUp();
    const keys = ringOfKeys(r.snapshotKey);
    const trustStore = new MemoryTrustStore();
    const files = await publishChange(
      context(fake, keys, { trustStore }).ctx,
      () => ({ root: { signers: [r.rootKeys[0].signer], edit: () => undefined }, roles: [] }),
      () => undefined,
    );
    expect([...files.keys()]).toEqual(['root', 'snapshot']);
    expect(files.get('root')?.version).toBe(2);
    expect(trustStore.states.get(GUN)?.versions).toMatchObject({ root: 2 });
    // The new root is what is remembered, not the one the publish started from.
    expect(trustStore.states.get(GUN)?.root).toBe(files.get('root')!.bytes.toString('base64'));
    keys.dispose();
  });

  it('a root not signed by its keys is never sent → PUBLISH_READBACK', async () => {
    const { r, fake } = setUp();
    const keys = ringOfKeys(r.snapshotKey);
    await expect(
      publishChange(
        context(fake, keys).ctx,
        () => ({ root: { signers: [newKey('ecdsa').signer], edit: () => undefined }, roles: [] }),
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: 'PUBLISH_READBACK',
      message: expect.stringMatching(/^refusing to publish root: /) as unknown,
    });
    expect(fake.published).toEqual([]);
    keys.dispose();
  });
});

describe('saveTrust', () => {
  it('saves a repository’s state or a state as given, and nothing without a store', async () => {
    const { keys, fake } = setUp();
    const repo = await loadRepo({ conn: conn(fake), rootKeyIds: [] }, undefined);
    const store = new MemoryTrustStore();
    await saveTrust({ conn: conn(fake), trustStore: store, log: quietLog() }, repo);
    expect(store.states.get(GUN)).toEqual(repo.trustState());
    const state = { ...repo.trustState(), versions: { targets: 5 } };
    await saveTrust({ conn: conn(fake), trustStore: store, log: quietLog() }, state);
    expect(store.states.get(GUN)).toEqual(state);
    await expect(saveTrust({ conn: conn(fake), log: quietLog() }, state)).resolves.toBeUndefined();
    keys.dispose();
  });
});

describe('warnIfRootExpiring at the six-month line', () => {
  const SIX_MONTHS = 183 * 24 * 3600 * 1000;

  async function judged() {
    const made = new Date('2030-06-01T12:00:00Z');
    const r = new TestRepo(GUN, made);
    const repo = await loadRepo(
      { conn: conn(new FakeNotary(r)), rootKeyIds: [], now: () => made },
      undefined,
    );
    const [cert] = [...validRootCerts(repo.root.signed, GUN, made, true).valid.values()];
    const expires = parseExpires(repo.root.signed.expires);
    const at = (ms: number) => {
      const log = quietLog();
      warnIfRootExpiring(repo, log, new Date(ms));
      return log.lines;
    };
    return { repo, cert, expires, at };
  }

  it('root metadata: silent at exactly six months, warned a millisecond later', async () => {
    const { repo, expires, at } = await judged();
    const metadata = (lines: string[]) => lines.filter((l) => l.includes('root metadata'));
    expect(metadata(at(expires.getTime() - SIX_MONTHS))).toEqual([]);
    expect(metadata(at(expires.getTime() - SIX_MONTHS + 1))).toEqual([
      `warning: ${GUN}: root metadata expires at ${repo.root.signed.expires}; re-sign root with the root key before then (\`notary witness ${GUN} root\`, then \`notary publish ${GUN}\`)`,
    ]);
  });

  it('root certificate: silent at exactly six months, warned a millisecond later', async () => {
    const { cert, at } = await judged();
    const certificate = (lines: string[]) => lines.filter((l) => l.includes('certificate'));
    const notAfter = cert.notAfter.getTime();
    expect(certificate(at(notAfter - SIX_MONTHS))).toEqual([]);
    expect(certificate(at(notAfter - SIX_MONTHS + 1))).toEqual([
      `warning: ${GUN}: the root certificate expires at ${cert.notAfter.toISOString()}; rotate the root key (\`notary key rotate ${GUN} root\`) before then, or every client stops trusting the repository`,
    ]);
  });

  it('no certificate valid any more: only the metadata warning', async () => {
    const { cert, expires, at } = await judged();
    const lines = at(Math.max(cert.notAfter.getTime(), expires.getTime()) + 1000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/root metadata expires at/);
  });
});

describe('publishChange: causes, the first read, the stale count, read-back', () => {
  it('the default and retired-server wording keeps the loader’s failure as the cause', async () => {
    const failure = new DctError('HTTP_UNREACHABLE', 'cannot reach it');
    const unreachable = { fetch: () => Promise.reject(failure) };
    for (const more of [
      { server: 'https://notary.docker.io' },
      { server: 'https://registry.example.com', serverGiven: false },
    ]) {
      const err = await loadRepo({ conn: conn(unreachable, more), rootKeyIds: [] }, undefined).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DctError);
      expect((err as DctError).cause).toBe(failure);
    }
  });

  it('a repository the caller already loaded is planned on as it is, not read again', async () => {
    const { r, keys, fake } = setUp();
    const first = await loadRepo({ conn: conn(fake), rootKeyIds: [] }, undefined);
    const planned: TrustedRepo[] = [];
    const plan = (repo: TrustedRepo) => (planned.push(repo), planV1(r.targetsKey)(repo));
    await publishChange(context(fake, keys).ctx, plan, confirmV1, first);
    expect(planned[0]).toBe(first);
    keys.dispose();
  });

  it('a root expiring soon is warned about once, however many attempts the publish takes', async () => {
    const r = new TestRepo(GUN, new Date());
    const soon = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    r.signRoot(2, r.rootKeys, (root) => void (root.expires = soon));
    r.publish();
    const keys = ringOfKeys(r.targetsKey);
    const fake = new FakeNotary(r);
    fake.script = [versionConflict(), versionConflict()];
    const { ctx, log } = context(fake, keys);
    await publishChange(ctx, planV1(r.targetsKey), confirmV1);
    expect(fake.published).toHaveLength(3);
    expect(log.lines.filter((l) => l.includes('root metadata expires'))).toEqual([
      `warning: ${GUN}: root metadata expires at ${soon}; re-sign root with the root key before then (\`notary witness ${GUN} root\`, then \`notary publish ${GUN}\`)`,
    ]);
    keys.dispose();
  });

  it('a lost answer between version conflicts does not restart the count → NOTARY_STALE after the third', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [versionConflict(), versionConflict(), lostAnswer(), versionConflict()];
    const err = await publishChange(context(fake, keys).ctx, planV1(r.targetsKey), confirmV1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'NOTARY_STALE',
      message: expect.stringMatching(
        new RegExp(`^${GUN}: the trust server refused our update 3 times as older`),
      ) as unknown,
      cause: { code: 'NOTARY_VERSION', message: 'old version' },
    });
    expect(fake.published).toHaveLength(4);
    keys.dispose();
  });

  it('the server’s snapshot listing our bytes confirms the publish; `confirm` is not asked', async () => {
    const { r, keys, fake } = setUp();
    const asked: TrustedRepo[] = [];
    const never = (repo: TrustedRepo) => (asked.push(repo), 'not checked this way');
    const files = await publishChange(context(fake, keys).ctx, planV1(r.targetsKey), never);
    expect([...files.keys()]).toEqual(['targets']);
    expect(fake.published).toHaveLength(1);
    expect(asked).toEqual([]);
    keys.dispose();
  });

  it('read-back failing on every attempt → PUBLISH_CONFLICT caused by the change not showing', async () => {
    const { r, keys, fake } = setUp();
    const replaced = (): Outcome => (files) => {
      fake.store(files);
      r.setTargets('targets', (t) => void delete t.targets['v1']);
      r.publish();
    };
    fake.script = [replaced(), replaced()];
    const err = await publishChange(
      context(fake, keys, { maxAttempts: 2 }).ctx,
      planV1(r.targetsKey),
      confirmV1,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'PUBLISH_CONFLICT',
      cause: { code: 'PUBLISH_UNCONFIRMED', message: 'v1 is not there' },
    });
    expect(fake.published).toHaveLength(2);
    keys.dispose();
  });

  it('a delegation whose parent role does not exist is never sent → PUBLISH_READBACK', async () => {
    const { keys, fake } = setUp();
    await expect(publishV1Into('targets/none/ci', fake, keys)).rejects.toMatchObject({
      code: 'PUBLISH_READBACK',
      message: expect.stringMatching(
        /^refusing to publish targets\/none\/ci: read back as a client reads it, /,
      ) as unknown,
    });
    expect(fake.published).toEqual([]);
    keys.dispose();
  });

  it('content that reads back otherwise but is the signed message is published', async () => {
    // A lone surrogate is written as U+FFFD: the file reads back with U+FFFD, and its
    // canonical form is still the message the signature covers.
    const { r, keys, fake } = setUp();
    const files = await publishChange(
      context(fake, keys).ctx,
      () => addTag([r.targetsKey], 'v\ud800'),
      () => undefined,
    );
    const sent = parseEnvelope(files.get('targets')!.bytes, 'targets', asTargets);
    expect(Object.keys(sent.signed.targets).sort()).toEqual(['latest', 'v\ufffd']);
    keys.dispose();
  });

  it('the owner’s snapshot keys not held → SNAPSHOT_KEY_MISSING naming each of them', async () => {
    const { r, keys, fake } = setUp();
    const second = newKey('ed25519');
    r.moreSnapshotKeys = [second];
    r.signRoot(2);
    r.publish();
    fake.script = [new DctError('NOTARY_SNAPSHOT_KEY_MISSING', 'no snapshot key')];
    await expect(
      publishChange(context(fake, keys).ctx, planV1(r.targetsKey), confirmV1),
    ).rejects.toMatchObject({
      code: 'SNAPSHOT_KEY_MISSING',
      message: expect.stringMatching(
        new RegExp(
          `^this repository's snapshot key \\(${shortId(r.snapshotKey.id)}, ${shortId(second.id)}\\) is held by its owner`,
        ),
      ) as unknown,
    });
    keys.dispose();
  });
});

describe('publishChange waits, warnIfRootExpiring with several certificates', () => {
  it('without a `sleep` given, the backoff after a conflict is a real timer of the logged length', async () => {
    const { r, keys, fake } = setUp();
    fake.script = [versionConflict()];
    const timer = vi.spyOn(globalThis, 'setTimeout');
    try {
      const { ctx, log } = context(fake, keys);
      delete ctx.sleep;
      await publishChange(ctx, planV1(r.targetsKey), confirmV1);
      const line = log.lines.find((l) => l.includes('another signer published first'));
      const ms = Number(/again in (\d+) ms$/.exec(line ?? '')?.[1]);
      expect(ms).toBeGreaterThanOrEqual(100);
      expect(timer.mock.calls.map((c) => c[1])).toContain(ms);
      expect(fake.published).toHaveLength(2);
    } finally {
      timer.mockRestore();
      keys.dispose();
    }
  });

  it('the root certificate warning goes by the latest of several valid certificates', async () => {
    const made = new Date('2030-06-01T12:00:00Z');
    const r = new TestRepo(GUN, made);
    const day = 24 * 3600 * 1000;
    const soon = newRootKey({
      cn: GUN,
      notBefore: new Date(made.getTime() - day),
      notAfter: new Date(made.getTime() + 30 * day),
    });
    r.rootKeys = [...r.rootKeys, soon];
    r.signRoot(2);
    r.publish();
    const repo = await loadRepo(
      { conn: conn(new FakeNotary(r)), rootKeyIds: [], now: () => made },
      undefined,
    );
    expect(validRootCerts(repo.root.signed, GUN, made, true).valid.size).toBe(2);
    const log = quietLog();
    warnIfRootExpiring(repo, log, made);
    expect(log.lines).toEqual([]);
  });
});

describe('readBack: the file must be the very message signed', () => {
  const refused = (role: string) =>
    expect.objectContaining({
      code: 'PUBLISH_READBACK',
      message: `refusing to publish ${role}: read back as a client reads it, it reads back as other content than was signed; nothing was published`,
    }) as unknown;

  it("passes what was signed; refuses another message, or a file not in Go's layout", () => {
    const { k, keys, role } = oneKeyRole();
    const t = asTargets({
      _type: 'Targets',
      delegations: { keys: {}, roles: [] },
      expires: '2030-01-01T00:00:00Z',
      targets: { v1: target('v1') },
      version: 3,
    });
    const env = signEnvelope(t, [k.signer]);
    const ks = { ...role, keys };
    expect(() => readBack(env, 'targets', ks, asTargets)).not.toThrow();
    const other = Buffer.from(env.message!.toString().replace('"version":3', '"version":4'));
    expect(() => readBack({ ...env, message: other }, 'targets', ks, asTargets)).toThrow(
      refused('targets'),
    );
    expect(() => readBack({ ...env, message: other }, 'targets', ks, asTargets)).toThrow(
      expect.objectContaining({
        cause: expect.objectContaining({ code: 'TUF_BAD_METADATA' }) as unknown,
      }) as unknown,
    );
    // Valid JSON, but a space after "signed": no literal message to compare.
    const spaced = Buffer.from(env.bytes.toString().replace('{"signed":', '{"signed": '));
    expect(() => readBack({ ...env, bytes: spaced }, 'targets', ks, asTargets)).toThrow(
      refused('targets'),
    );
  });
});
