/**
 * src/signer/admin/signers.ts (addSigner, removeSigner) against a forged trust server that
 * answers as notary-server does (support/forged-notary.ts `manage`), against the mutants
 * StrykerJS left alive: every refusal before publishing (bad names, no trust data, a key the
 * repository already uses as root or repository key, no repository key, the last signer of
 * targets/releases), the exact delegation entries and key lists published (judged from the
 * stored targets.json and by the Go notary CLI), nothing published when nothing changes, the
 * warnings and questions of removing a signer whose keys releases still needs, keys another
 * signer shares staying in targets/releases, races with another client (a repository created
 * meanwhile, a signer removed meanwhile, a publish the server dropped), result fields and log
 * lines.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { DctError, isDctError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { shortId } from '../../src/keys/keyid.js';
import { NotaryClient } from '../../src/notary/client.js';
import {
  addSigner,
  initRepository,
  removeSigner,
  type SignerKey,
} from '../../src/signer/admin/index.js';
import { parseEnvelope, signEnvelope } from '../../src/tuf/envelope.js';
import { asTargets, targetFile, updatedTargets, type TargetsMeta } from '../../src/tuf/models.js';
import type { SeenRequest } from '../http/fake-server.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary, type ForgedFiles } from '../support/forged-notary.js';
import { signerFor } from '../tuf/helpers/repo.js';
import { makeKey, ringOf, signerKeysOf, type TestKey } from './admin-helpers.js';
import { quietLog } from './flows.js';

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
});

const RELEASES = 'targets/releases';
const HOW =
  '; to create it, give its root key and a repository key (`dct signer add` does this with the keys in $DOCKER_CONFIG/trust/private)';

/** One repository on the forged server, with its root and repository keys. */
class Repo {
  readonly gun = `${forged.host}/team/signers${++n}`;
  readonly root = makeKey('root');
  readonly repoKey = makeKey('targets', this.gun);
  readonly store = new MemoryTrustStore();
  log = quietLog();

  constructor(manage = true) {
    if (manage) forged.manage(this.gun);
  }

  opts() {
    return {
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      repository: this.gun,
      log: this.log,
      trustStore: this.store,
    };
  }

  get newRepository() {
    return { rootKey: () => this.root.key, repositoryKey: () => this.repoKey.key };
  }

  /** Creates the repository with the first signer, then adds the others; a fresh log after. */
  async create(...signers: [string, TestKey[]][]): Promise<void> {
    const [first, ...rest] = signers;
    await addSigner({
      ...this.opts(),
      name: first[0],
      signerKeys: first[1].flatMap(signerKeysOf),
      keys: ringOf(this.root, this.repoKey),
      newRepository: this.newRepository,
    });
    for (const [name, keys] of rest) {
      await addSigner({
        ...this.opts(),
        name,
        signerKeys: keys.flatMap(signerKeysOf),
        keys: ringOf(this.repoKey),
      });
    }
    this.log = quietLog();
  }

  stored(): ForgedFiles {
    return forged.repos.get(this.gun)!;
  }

  top(): TargetsMeta {
    return parseEnvelope(this.stored().files.get('targets')!, 'targets', asTargets).signed;
  }

  /** The delegation entries of the stored targets.json. */
  roles() {
    return this.top().delegations.roles;
  }

  /** A copy of what the server stores now (to put back later). */
  copy(): ForgedFiles {
    const s = this.stored();
    return { files: new Map(s.files), roots: new Map(s.roots) };
  }

  /** Publishes hand-made edits of targets.json (signed by the repository key) and of
   *  targets/releases (signed by `releases.signers`); the server adds snapshot and timestamp. */
  async handPublish(edits: {
    targets?: (t: TargetsMeta) => void;
    releases?: { edit: (t: TargetsMeta) => void; signers: TestKey[] };
  }): Promise<void> {
    const files = new Map<string, Buffer>();
    const now = new Date();
    const prev = (role: string) => {
      const bytes = this.stored().files.get(role);
      return bytes === undefined ? undefined : parseEnvelope(bytes, role, asTargets).signed;
    };
    if (edits.targets !== undefined) {
      const t = updatedTargets(prev('targets'), edits.targets, now);
      files.set('targets', signEnvelope(t, [signerFor(this.repoKey.key, this.repoKey.id)]).bytes);
    }
    if (edits.releases !== undefined) {
      const t = updatedTargets(prev(RELEASES), edits.releases.edit, now);
      const signers = edits.releases.signers.map((k) => signerFor(k.key, k.id));
      files.set(RELEASES, signEnvelope(t, signers).bytes);
    }
    const http = new HttpClient({ caPem: forged.pki.caPem });
    try {
      await new NotaryClient({ server: forged.origin, gun: this.gun, http }).publish(files);
    } finally {
      await http.close();
    }
  }
}

/** `notary delegation list`: one line per role, `ROLE PATHS KEYIDS THRESHOLD`, spaces
 *  collapsed, a role's further key IDs (printed on lines of their own) joined by commas. */
async function goDelegations(gun: string): Promise<string[]> {
  const go = await forged.go(['delegation', 'list', gun]);
  expect(go.code, go.stderr).toBe(0);
  const rows: { head: string; keys: string[]; threshold: string }[] = [];
  for (const line of go.stdout.split('\n').map((l) => l.trim())) {
    const m = /^(targets\/\S+\s+.*?)\s+([0-9a-f]{64})\s+(\d+)$/.exec(line);
    if (m !== null) rows.push({ head: m[1].replace(/\s+/g, ' '), keys: [m[2]], threshold: m[3] });
    else if (/^[0-9a-f]{64}$/.test(line)) rows[rows.length - 1].keys.push(line);
  }
  return rows.map((r) => `${r.head} ${r.keys.join(',')} ${r.threshold}`);
}

function row(role: string, keys: TestKey[], threshold = 1): string {
  return `${role} "" <all paths> ${keys.map((k) => k.id).join(',')} ${threshold}`;
}

async function failure(p: Promise<unknown>): Promise<DctError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isDctError(e), String(e)).toBe(true);
  return e as DctError;
}

function tag(name: string) {
  return targetFile('ab'.repeat(32), name.length);
}

function reply(res: ServerResponse, status: number, code?: string): true {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(
      JSON.stringify({ errors: code === undefined ? [] : [{ code, message: code, detail: {} }] }),
    );
  return true;
}

const isPublish = (req: SeenRequest) => req.method === 'POST' && req.path.endsWith('/_trust/tuf/');

/** A signer key without a `role:` header. */
function unlabelled(k: TestKey): SignerKey {
  const [key] = signerKeysOf(k);
  const { role: _drop, ...rest } = key;
  return rest;
}

describe('addSigner', () => {
  it('creates the repository with the signer: result, log, delegations (two keys)', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const ci2 = makeKey('ci');
    const out = await addSigner({
      ...r.opts(),
      name: 'ci',
      signerKeys: [...signerKeysOf(ci), ...signerKeysOf(ci2)],
      keys: ringOf(r.root, r.repoKey),
      newRepository: r.newRepository,
    });
    const { initialized, ...rest } = out;
    expect(rest).toStrictEqual({
      gun: r.gun,
      server: forged.origin,
      role: 'targets/ci',
      keyIds: [ci.id, ci2.id],
      releasesKeyIds: [ci.id, ci2.id],
      changed: true,
    });
    expect(initialized).toMatchObject({
      gun: r.gun,
      rootCanonicalId: r.root.id,
      repositoryKeyId: r.repoKey.id,
    });
    expect(r.log.lines).toEqual([
      expect.stringMatching(new RegExp(`^${r.gun}: created with root key ${shortId(r.root.id)} `)),
      `${r.gun}: added signer ci (keys ${shortId(ci.id)}, ${shortId(ci2.id)})`,
    ]);
    expect(r.roles()).toEqual([
      { keyids: [ci.id, ci2.id], name: 'targets/ci', paths: [''], threshold: 1 },
      { keyids: [ci.id, ci2.id], name: RELEASES, paths: [''], threshold: 1 },
    ]);
  });

  it('without trust data and without newRepository: REPO_NOT_FOUND, nothing created', async () => {
    const r = new Repo();
    const e = await failure(
      addSigner({
        ...r.opts(),
        name: 'ci',
        signerKeys: signerKeysOf(makeKey('ci')),
        keys: ringOf(r.repoKey),
      }),
    );
    expect(e.code).toBe('REPO_NOT_FOUND');
    expect(e.message).toBe(`${forged.origin} does not have trust data for ${r.gun}${HOW}`);
    expect(forged.repos.has(r.gun)).toBe(false);
  });

  it('warns about a key labelled for another role, not for its own name, targets/<name> or none', async () => {
    const r = new Repo();
    const bob = makeKey('bob');
    const own = makeKey('ci');
    const full = makeKey('targets/ci');
    const none = makeKey('ci');
    await addSigner({
      ...r.opts(),
      name: 'ci',
      signerKeys: [
        ...signerKeysOf(bob),
        ...signerKeysOf(own),
        ...signerKeysOf(full),
        unlabelled(none),
      ],
      keys: ringOf(r.root, r.repoKey),
      newRepository: r.newRepository,
    });
    const ids = [bob, own, full, none].map((k) => shortId(k.id)).join(', ');
    expect(r.log.lines).toEqual([
      'warning: bob.pub is labelled "role: bob"; adding it as signer ci',
      expect.stringMatching(/: created with root key /),
      `${r.gun}: added signer ci (keys ${ids})`,
    ]);
  });

  it('adds to an existing repository: extends targets/releases, the Go CLI lists both', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    const bob2 = makeKey('bob');
    await r.create(['ci', [ci]]);
    const before = forged.published.length;
    const out = await addSigner({
      ...r.opts(),
      name: 'bob',
      signerKeys: [...signerKeysOf(bob), ...signerKeysOf(bob2)],
      keys: ringOf(r.repoKey),
    });
    expect(out).toStrictEqual({
      gun: r.gun,
      server: forged.origin,
      role: 'targets/bob',
      keyIds: [bob.id, bob2.id],
      releasesKeyIds: [ci.id, bob.id, bob2.id],
      changed: true,
    });
    expect(r.log.lines).toEqual([
      `${r.gun}: added signer bob (keys ${shortId(bob.id)}, ${shortId(bob2.id)})`,
    ]);
    expect(forged.published.length).toBe(before + 1);
    expect([...forged.published[before].files.keys()]).toEqual(['targets']);
    expect(r.roles()).toEqual([
      { keyids: [ci.id], name: 'targets/ci', paths: [''], threshold: 1 },
      { keyids: [ci.id, bob.id, bob2.id], name: RELEASES, paths: [''], threshold: 1 },
      { keyids: [bob.id, bob2.id], name: 'targets/bob', paths: [''], threshold: 1 },
    ]);
    expect(await goDelegations(r.gun)).toEqual([
      row('targets/bob', [bob, bob2]),
      row('targets/ci', [ci]),
      row(RELEASES, [ci, bob, bob2]),
    ]);
  });

  it('a second key for a signer already in releases by another name: edits, reports the full lists', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    await r.create(['ci', [ci]], ['bob', [bob]]);
    const before = forged.published.length;
    // targets/ci lacks bob's key, targets/releases has it: still a change.
    const out = await addSigner({
      ...r.opts(),
      name: 'ci',
      signerKeys: signerKeysOf({ ...bob, role: 'ci' }),
      keys: ringOf(r.repoKey),
    });
    expect(out).toMatchObject({
      keyIds: [ci.id, bob.id],
      releasesKeyIds: [ci.id, bob.id],
      changed: true,
    });
    expect(r.log.lines).toEqual([`${r.gun}: added signer ci (keys ${shortId(bob.id)})`]);
    expect(forged.published.length).toBe(before + 1);
    expect(r.roles()[0]).toEqual({
      keyids: [ci.id, bob.id],
      name: 'targets/ci',
      paths: [''],
      threshold: 1,
    });
  });

  it('a signer whose keys releases lost is put back in releases', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    await r.create(['ci', [ci]]);
    await r.handPublish({
      targets: (t) => {
        t.delegations.roles.find((d) => d.name === RELEASES)!.keyids = [];
      },
    });
    const out = await addSigner({
      ...r.opts(),
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(r.repoKey),
    });
    expect(out).toMatchObject({ keyIds: [ci.id], releasesKeyIds: [ci.id], changed: true });
    expect(await goDelegations(r.gun)).toEqual([row('targets/ci', [ci]), row(RELEASES, [ci])]);
  });

  it('nothing to do: unchanged, nothing published, the lists as they are', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    await r.create(['ci', [ci]], ['bob', [bob]]);
    const before = forged.published.length;
    const out = await addSigner({
      ...r.opts(),
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(r.repoKey),
    });
    expect(out).toStrictEqual({
      gun: r.gun,
      server: forged.origin,
      role: 'targets/ci',
      keyIds: [ci.id],
      releasesKeyIds: [ci.id, bob.id],
      changed: false,
    });
    expect(r.log.lines).toEqual([`${r.gun}: signer ci already had these keys; nothing to publish`]);
    expect(forged.published.length).toBe(before);
  });

  it('refuses the root key, the repository key, and a ring without the repository key, before publishing', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    await r.create(['ci', [ci]]);
    const before = forged.published.length;
    const asSigner = (k: TestKey) => signerKeysOf({ ...k, role: 'bob' });
    for (const k of [r.root, r.repoKey]) {
      const e = await failure(
        addSigner({ ...r.opts(), name: 'bob', signerKeys: asSigner(k), keys: ringOf(r.repoKey) }),
      );
      expect(e.code).toBe('SIGNER_KEY_IN_USE');
      expect(e.message).toBe(
        `bob.pub is a key ${r.gun} already uses as its root or repository key (${shortId(k.id)}); a signer needs a key of its own (\`dct key generate NAME\`)`,
      );
    }
    const other = makeKey('targets', `${forged.host}/team/other`);
    const e = await failure(
      addSigner({
        ...r.opts(),
        name: 'bob',
        signerKeys: signerKeysOf(makeKey('bob')),
        keys: ringOf(other),
      }),
    );
    expect(e.code).toBe('REPOSITORY_KEY_MISSING');
    expect(e.message).toBe(
      `${r.gun}: this needs the repository (targets) key (${shortId(r.repoKey.id)}), but the keys given are ${shortId(other.id)}`,
    );
    expect(forged.published.length).toBe(before);
  });

  it('a publish the server drops is sent again; the read-back names the missing role', async () => {
    for (const lost of ['targets/ci', RELEASES]) {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['bob', [bob]]);
      if (lost === RELEASES) {
        // targets/ci already lists bob's key; only releases lacks ci's.
        await r.handPublish({
          targets: (t) => {
            t.delegations.keys[ci.id] = signerKeysOf(ci)[0].tufKey;
            t.delegations.roles.push({
              keyids: [ci.id],
              name: 'targets/ci',
              paths: [''],
              threshold: 1,
            });
          },
        });
      }
      let dropped = 0;
      forged.intercept = (req, res) => {
        if (!isPublish(req) || dropped > 0) return false;
        dropped++;
        res.writeHead(200).end();
        return true;
      };
      const before = forged.published.length;
      const out = await addSigner({
        ...r.opts(),
        name: 'ci',
        signerKeys: signerKeysOf(ci),
        keys: ringOf(r.repoKey),
      });
      expect(dropped).toBe(1);
      expect(forged.published.length).toBe(before + 1);
      expect(r.log.lines).toEqual([
        `${r.gun}: read-back did not show the change (${lost} does not list the signer's keys); retrying`,
        `${r.gun}: added signer ci (keys ${shortId(ci.id)})`,
      ]);
      expect(out).toMatchObject({
        keyIds: [ci.id],
        releasesKeyIds: [bob.id, ci.id],
        changed: true,
      });
    }
  });

  describe('a repository another client creates at the same time', () => {
    /** Hides the trust data until the first publish, which is refused as `code`. */
    function hideUntilPublish(code: string, staysHidden = false): { publishes: number } {
      const seen = { publishes: 0 };
      forged.intercept = (req, res) => {
        if (isPublish(req)) {
          seen.publishes++;
          return seen.publishes === 1 ? reply(res, 400, code) : false;
        }
        const hidden = seen.publishes === 0 || staysHidden;
        if (hidden && req.method === 'GET' && req.path.endsWith('.json')) {
          return reply(res, 404, 'METADATA_NOT_FOUND');
        }
        return false;
      };
      return seen;
    }

    it('lost the race: the signer is added to the repository the other client made', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]]);
      const seen = hideUntilPublish('VERSION');
      const store = new MemoryTrustStore();
      const out = await addSigner({
        ...r.opts(),
        trustStore: store,
        name: 'bob',
        signerKeys: signerKeysOf(bob),
        keys: ringOf(r.root, r.repoKey),
        newRepository: r.newRepository,
      });
      expect(seen.publishes).toBe(2);
      expect(out).toStrictEqual({
        gun: r.gun,
        server: forged.origin,
        role: 'targets/bob',
        keyIds: [bob.id],
        releasesKeyIds: [ci.id, bob.id],
        changed: true,
      });
      expect(r.log.lines).toEqual([
        `${r.gun}: another client created the repository meanwhile; adding the signer to it`,
        `${r.gun}: added signer bob (keys ${shortId(bob.id)})`,
      ]);
      expect(await goDelegations(r.gun)).toEqual([
        row('targets/bob', [bob]),
        row('targets/ci', [ci]),
        row(RELEASES, [ci, bob]),
      ]);
    });

    it('lost the race but still nothing to read: the conflict is the error', async () => {
      const r = new Repo();
      await r.create(['ci', [makeKey('ci')]]);
      hideUntilPublish('VERSION', true);
      const e = await failure(
        addSigner({
          ...r.opts(),
          trustStore: new MemoryTrustStore(),
          name: 'bob',
          signerKeys: signerKeysOf(makeKey('bob')),
          keys: ringOf(r.root, r.repoKey),
          newRepository: r.newRepository,
        }),
      );
      expect(e.code).toBe('NOTARY_VERSION');
      expect(r.roles().map((d) => d.name)).toEqual(['targets/ci', RELEASES]);
    });

    it('a refusal that is no race stops there, even when trust data appears', async () => {
      const r = new Repo();
      await r.create(['ci', [makeKey('ci')]]);
      const seen = hideUntilPublish('INVALID_UPDATE');
      const e = await failure(
        addSigner({
          ...r.opts(),
          trustStore: new MemoryTrustStore(),
          name: 'bob',
          signerKeys: signerKeysOf(makeKey('bob')),
          keys: ringOf(r.root, r.repoKey),
          newRepository: r.newRepository,
        }),
      );
      expect(e.code).toBe('NOTARY_REJECTED');
      expect(seen.publishes).toBe(1);
      expect(r.log.lines).toEqual([]);
      expect(r.roles().map((d) => d.name)).toEqual(['targets/ci', RELEASES]);
    });
  });
});

describe('removeSigner', () => {
  it('refuses releases, an unknown repository, before any request', async () => {
    const r = new Repo();
    const keys = ringOf(r.repoKey);
    const e = await failure(removeSigner({ ...r.opts(), name: 'releases', keys }));
    expect(e.code).toBe('SIGNER_NAME_INVALID');
    expect(e.message).toBe(
      'releases is a reserved name and cannot be removed; remove the signers it lists one by one',
    );
    const bad = await failure(removeSigner({ ...r.opts(), name: 'Bad', keys }));
    expect(bad.code).toBe('SIGNER_NAME_INVALID');
    const none = await failure(removeSigner({ ...r.opts(), name: 'ci', keys }));
    expect(none.code).toBe('REPO_NOT_FOUND');
    expect(none.message).toBe(`${forged.origin} does not have trust data for ${r.gun}`);
  });

  it('an unknown signer: SIGNER_NOT_FOUND naming the signers (not releases, none when none)', async () => {
    const r = new Repo();
    await r.create(['ci', [makeKey('ci')]], ['bob-2', [makeKey('bob')]]);
    const e = await failure(removeSigner({ ...r.opts(), name: 'carol', keys: ringOf(r.repoKey) }));
    expect(e.code).toBe('SIGNER_NOT_FOUND');
    expect(e.message).toBe(`${r.gun} has no signer carol (signers: ci, bob-2)`);

    const empty = new Repo();
    await initRepository({ ...empty.opts(), newRepository: empty.newRepository });
    const e2 = await failure(
      removeSigner({ ...empty.opts(), name: 'carol', keys: ringOf(empty.repoKey) }),
    );
    expect(e2.message).toBe(`${empty.gun} has no signer carol (signers: none)`);
  });

  it('removes a signer: its role, its keys from releases only; result, log, Go CLI', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    const bob2 = makeKey('bob');
    await r.create(['ci', [ci]], ['bob', [bob, bob2]], ['carol', [makeKey('carol')]]);
    const carol = r.roles().find((d) => d.name === 'targets/carol')!.keyids[0];
    const before = forged.published.length;
    const asked: string[] = [];
    const out = await removeSigner({
      ...r.opts(),
      name: 'bob',
      keys: ringOf(r.repoKey),
      confirm: (q) => {
        asked.push(q);
        return Promise.resolve(true);
      },
    });
    expect(out).toStrictEqual({
      gun: r.gun,
      server: forged.origin,
      role: 'targets/bob',
      keyIds: [bob.id, bob2.id],
      releasesKeyIds: [ci.id, carol],
      removed: true,
    });
    expect(asked).toEqual([]);
    expect(r.log.lines).toEqual([`${r.gun}: removed signer bob`]);
    expect(forged.published.length).toBe(before + 1);
    expect(r.roles()).toEqual([
      { keyids: [ci.id], name: 'targets/ci', paths: [''], threshold: 1 },
      { keyids: [ci.id, carol], name: RELEASES, paths: [''], threshold: 1 },
      { keyids: [carol], name: 'targets/carol', paths: [''], threshold: 1 },
    ]);
    expect(Object.keys(r.top().delegations.keys).sort()).toEqual([ci.id, carol].sort());
    const rows = await goDelegations(r.gun);
    expect(rows.map((l) => l.split(' ')[0])).toEqual(['targets/carol', 'targets/ci', RELEASES]);
    expect(rows[2]).toContain(ci.id);
    expect(rows.join('\n')).not.toContain(bob.id);
  });

  it('keeps in releases a key another remaining signer uses', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    const own = makeKey('ci');
    await r.create(['ci', [ci]], ['bob', [bob]], ['ci-alt', [ci, own]]);
    const out = await removeSigner({ ...r.opts(), name: 'ci-alt', keys: ringOf(r.repoKey) });
    expect(out).toMatchObject({ keyIds: [own.id], releasesKeyIds: [ci.id, bob.id], removed: true });
    expect(r.roles().find((d) => d.name === RELEASES)!.keyids).toEqual([ci.id, bob.id]);
    expect(await goDelegations(r.gun)).toEqual([
      row('targets/bob', [bob]),
      row('targets/ci', [ci]),
      row(RELEASES, [ci, bob]),
    ]);
  });

  it('a repository without targets/releases: removes the role, nothing to ask', async () => {
    const r = new Repo();
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    await r.create(['ci', [ci]], ['bob', [bob]]);
    await r.handPublish({
      targets: (t) => {
        t.delegations.roles = t.delegations.roles.filter((d) => d.name !== RELEASES);
      },
    });
    const out = await removeSigner({ ...r.opts(), name: 'ci', keys: ringOf(r.repoKey) });
    expect(out).toStrictEqual({
      gun: r.gun,
      server: forged.origin,
      role: 'targets/ci',
      keyIds: [ci.id],
      releasesKeyIds: [],
      removed: true,
    });
    expect(r.roles().map((d) => d.name)).toEqual(['targets/bob']);
  });

  describe('the last signer of targets/releases', () => {
    it('without force or confirm: SIGNER_LAST_RELEASES, nothing published; the repository key is asked first', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      await r.create(['ci', [ci]]);
      const before = forged.published.length;
      const noKey = await failure(removeSigner({ ...r.opts(), name: 'ci', keys: ringOf(r.root) }));
      expect(noKey.code).toBe('REPOSITORY_KEY_MISSING');
      const e = await failure(removeSigner({ ...r.opts(), name: 'ci', keys: ringOf(r.repoKey) }));
      expect(e.code).toBe('SIGNER_LAST_RELEASES');
      expect(e.message).toBe(
        `signer ci is the last signer of ${RELEASES} in ${r.gun}: without it no key can sign releases; nothing was removed (force it to remove anyway)`,
      );
      expect(forged.published.length).toBe(before);
    });

    it('asked and answered no: not removed, nothing published', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]], ['bob', [bob]]);
      await r.handPublish({
        releases: {
          edit: (t) => {
            t.targets['v1'] = tag('v1');
          },
          signers: [ci],
        },
      });
      const before = forged.published.length;
      const asked: string[] = [];
      const out = await removeSigner({
        ...r.opts(),
        name: 'ci',
        keys: ringOf(r.repoKey),
        confirm: (q) => {
          asked.push(q);
          return Promise.resolve(false);
        },
      });
      const warning = `signer ci signed the current ${RELEASES} of ${r.gun}: without it the 1 tag released there stop verifying until another signer signs again`;
      expect(asked).toEqual([`${warning}. Remove signer ci anyway?`]);
      expect(out).toStrictEqual({
        gun: r.gun,
        server: forged.origin,
        role: 'targets/ci',
        keyIds: [ci.id],
        releasesKeyIds: [bob.id],
        removed: false,
        warning,
      });
      expect(r.log.lines).toEqual([`${r.gun}: signer ci was not removed`]);
      expect(forged.published.length).toBe(before);
    });

    it('asked and answered yes, or forced: removed, with the warning', async () => {
      for (const how of ['confirm', 'force'] as const) {
        const r = new Repo();
        const ci = makeKey('ci');
        await r.create(['ci', [ci]]);
        await r.handPublish({
          releases: {
            edit: (t) => {
              t.targets['v1'] = tag('v1');
              t.targets['v2'] = tag('v2');
            },
            signers: [ci],
          },
        });
        const asked: string[] = [];
        const confirm = (q: string) => {
          asked.push(q);
          return Promise.resolve(true);
        };
        const out = await removeSigner({
          ...r.opts(),
          name: 'ci',
          keys: ringOf(r.repoKey),
          ...(how === 'force' ? { force: true, confirm } : { confirm }),
        });
        const warning = `signer ci is the last signer of ${RELEASES} in ${r.gun}: without it no key can sign releases, and the 2 tags released there stop verifying`;
        expect(asked).toEqual(how === 'force' ? [] : [`${warning}. Remove signer ci anyway?`]);
        expect(out).toStrictEqual({
          gun: r.gun,
          server: forged.origin,
          role: 'targets/ci',
          keyIds: [ci.id],
          releasesKeyIds: [],
          removed: true,
          warning,
        });
        expect(r.log.lines).toEqual([`${r.gun}: removed signer ci`]);
        expect(r.roles()).toEqual([{ keyids: [], name: RELEASES, paths: [''], threshold: 1 }]);
      }
    });

    it('one tag, threshold 2 with two keys: each is the last', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]], ['bob', [bob]]);
      await r.handPublish({
        targets: (t) => {
          t.delegations.roles.find((d) => d.name === RELEASES)!.threshold = 2;
        },
        releases: {
          edit: (t) => {
            t.targets['v1'] = tag('v1');
          },
          signers: [ci, bob],
        },
      });
      const e = await failure(removeSigner({ ...r.opts(), name: 'bob', keys: ringOf(r.repoKey) }));
      expect(e.code).toBe('SIGNER_LAST_RELEASES');
      expect(e.message).toBe(
        `signer bob is the last signer of ${RELEASES} in ${r.gun}: without it no key can sign releases, and the 1 tag released there stop verifying; nothing was removed (force it to remove anyway)`,
      );
    });

    it('no question when the remaining keys reach the threshold and signed the tags', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      const carol = makeKey('carol');
      await r.create(['ci', [ci]], ['bob', [bob]], ['carol', [carol]]);
      await r.handPublish({
        targets: (t) => {
          t.delegations.roles.find((d) => d.name === RELEASES)!.threshold = 2;
        },
        releases: {
          edit: (t) => {
            t.targets['v1'] = tag('v1');
          },
          signers: [ci, bob, carol],
        },
      });
      const out = await removeSigner({ ...r.opts(), name: 'carol', keys: ringOf(r.repoKey) });
      expect(out).toStrictEqual({
        gun: r.gun,
        server: forged.origin,
        role: 'targets/carol',
        keyIds: [carol.id],
        releasesKeyIds: [ci.id, bob.id],
        removed: true,
      });
    });

    it('no question when releases has no tags, even signed by the removed key only', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]], ['bob', [bob]]);
      // No releases file at all first, then an empty one signed by bob alone.
      const out = await removeSigner({ ...r.opts(), name: 'ci', keys: ringOf(r.repoKey) });
      expect(out).toStrictEqual({
        gun: r.gun,
        server: forged.origin,
        role: 'targets/ci',
        keyIds: [ci.id],
        releasesKeyIds: [bob.id],
        removed: true,
      });
      const carol = makeKey('carol');
      await addSigner({
        ...r.opts(),
        name: 'carol',
        signerKeys: signerKeysOf(carol),
        keys: ringOf(r.repoKey),
      });
      await r.handPublish({ releases: { edit: () => undefined, signers: [bob] } });
      const out2 = await removeSigner({ ...r.opts(), name: 'bob', keys: ringOf(r.repoKey) });
      expect(out2).toMatchObject({ removed: true, releasesKeyIds: [carol.id] });
      expect(out2.warning).toBeUndefined();
    });

    it('removing the last signer of a repository without tags: the warning names no tags', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      await r.create(['ci', [ci]]);
      await r.handPublish({ releases: { edit: () => undefined, signers: [ci] } });
      const out = await removeSigner({
        ...r.opts(),
        name: 'ci',
        keys: ringOf(r.repoKey),
        force: true,
      });
      expect(out.warning).toBe(
        `signer ci is the last signer of ${RELEASES} in ${r.gun}: without it no key can sign releases`,
      );
    });
  });

  describe('races', () => {
    /** ci and bob; then the state where another client removed bob (`releasesToo`: and its
     *  key from releases), with the server back at the state before. */
    async function removedMeanwhile(releasesToo: boolean) {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]], ['bob', [bob]]);
      const before = r.copy();
      await r.handPublish({
        targets: (t) => {
          t.delegations.roles = t.delegations.roles.filter((d) => d.name !== 'targets/bob');
          if (releasesToo) {
            const rel = t.delegations.roles.find((d) => d.name === RELEASES)!;
            rel.keyids = rel.keyids.filter((id) => id !== bob.id);
          }
        },
      });
      const meanwhile = r.copy();
      forged.repos.set(r.gun, before);
      let conflicts = 0;
      forged.intercept = (req, res) => {
        if (!isPublish(req)) return false;
        conflicts++;
        forged.repos.set(r.gun, meanwhile);
        return reply(res, 400, 'VERSION');
      };
      return { r, ci, bob, conflicts: () => conflicts };
    }

    it('another client removed the signer first: done, with nothing more to publish', async () => {
      const { r, ci, bob, conflicts } = await removedMeanwhile(true);
      const published = forged.published.length;
      const out = await removeSigner({ ...r.opts(), name: 'bob', keys: ringOf(r.repoKey) });
      expect(conflicts()).toBe(1);
      expect(forged.published.length).toBe(published);
      expect(out).toStrictEqual({
        gun: r.gun,
        server: forged.origin,
        role: 'targets/bob',
        keyIds: [bob.id],
        releasesKeyIds: [ci.id],
        removed: true,
      });
      expect(r.log.lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${r.gun}: another signer published first; reading the repository again in \\d+ ms$`,
          ),
        ),
        `${r.gun}: removed signer bob`,
      ]);
    });

    it('another client removed the role but left its key in releases: unconfirmed, nothing published', async () => {
      const { r } = await removedMeanwhile(false);
      const published = forged.published.length;
      const e = await failure(removeSigner({ ...r.opts(), name: 'bob', keys: ringOf(r.repoKey) }));
      expect(e.code).toBe('PUBLISH_UNCONFIRMED');
      expect(e.message).toBe(`${r.gun}: ${RELEASES} still lists the keys of bob`);
      expect(forged.published.length).toBe(published);
    });

    it('a publish the server drops is sent again: the read-back saw the role still delegated', async () => {
      const r = new Repo();
      const ci = makeKey('ci');
      const bob = makeKey('bob');
      await r.create(['ci', [ci]], ['bob', [bob]]);
      let dropped = 0;
      forged.intercept = (req, res) => {
        if (!isPublish(req) || dropped > 0) return false;
        dropped++;
        res.writeHead(200).end();
        return true;
      };
      const out = await removeSigner({ ...r.opts(), name: 'bob', keys: ringOf(r.repoKey) });
      expect(dropped).toBe(1);
      expect(out.removed).toBe(true);
      expect(r.log.lines).toEqual([
        `${r.gun}: read-back did not show the change (targets/bob is still delegated); retrying`,
        `${r.gun}: removed signer bob`,
      ]);
      expect(await goDelegations(r.gun)).toEqual([row('targets/ci', [ci]), row(RELEASES, [ci])]);
    });
  });
});
