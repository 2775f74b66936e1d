/**
 * src/signer/admin/images.ts (the action's signer-add and signer-remove) against a forged
 * trust server that answers as notary-server does (support/forged-notary.ts `manage`), against
 * the mutants StrykerJS left alive: one result per repository of `images` (a tag ignored, each
 * repository once) with its fields, `added`/`removed`/`unchanged` and `created`; a repository
 * that fails is one failure and neither stops nor half-publishes another; and which keys of
 * the `keys` input create a new repository (the first root key by ID, the repository key for
 * this GUN before one without a GUN, never a key of another role or GUN), with the messages
 * when none fits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KeyObject } from 'node:crypto';
import { ImagesError, isDctError, type DctError } from '../../src/errors.js';
import { keyIdOf, shortId, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import {
  addSignerToImages,
  fromKeyRing,
  removeSignerFromImages,
  type SignerAdminOptions,
} from '../../src/signer/admin/images.js';
import { addSigner } from '../../src/signer/admin/index.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets } from '../../src/tuf/models.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary } from '../support/forged-notary.js';
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

function newGun(): string {
  const gun = `${forged.host}/team/images${++n}`;
  forged.manage(gun);
  return gun;
}

const idOf = (k: KeyObject) => keyIdOf(tufKeyFromKeyObject(k));

/** A repository key file without a `gun:` header (older notary clients wrote them so). */
function gunless(role = 'targets'): TestKey {
  const k = makeKey(role, 'placeholder/repo');
  const { gun: _gun, ...rest } = k;
  return { ...rest, pem: k.pem.replace(/^gun: .*\r?\n/m, '') };
}

/** Keys made until `ok` holds for them (key IDs are random). */
function keysWhere<T>(make: () => T, ok: (t: T) => boolean): T {
  for (;;) {
    const t = make();
    if (ok(t)) return t;
  }
}

/** A repository with trust data: root, repository key, signer `name`. */
async function existing(name: string, signer: TestKey) {
  const gun = newGun();
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  await addSigner({
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    repository: gun,
    log: quietLog(),
    name,
    signerKeys: signerKeysOf(signer),
    keys: ringOf(root, repoKey),
    newRepository: { rootKey: () => root.key, repositoryKey: () => repoKey.key },
  });
  return { gun, root, repoKey };
}

function options(images: string[], keys: ReturnType<typeof ringOf>): SignerAdminOptions {
  return {
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    images,
    signer: 'ci',
    keys,
    rootKeyIds: [],
    trustStore: new MemoryTrustStore(),
    log: quietLog(),
  };
}

function delegations(gun: string) {
  const bytes = forged.repos.get(gun)!.files.get('targets')!;
  return parseEnvelope(bytes, 'targets', asTargets).signed.delegations.roles;
}

async function failure(p: Promise<unknown>): Promise<DctError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isDctError(e), String(e)).toBe(true);
  return e as DctError;
}

async function goRoles(gun: string): Promise<string[]> {
  const go = await forged.go(['delegation', 'list', gun]);
  expect(go.code, go.stderr).toBe(0);
  return go.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((w) => w.startsWith('targets/'));
}

describe('addSignerToImages', () => {
  it('one result per repository: added to one, created with the other; then unchanged', async () => {
    const bob = makeKey('bob');
    const a = await existing('bob', bob);
    const b = newGun();
    const root = makeKey('root');
    const repoKeyB = makeKey('targets', b);
    const ci = makeKey('ci');
    const keys = ringOf(root, a.repoKey, repoKeyB);
    const opts = {
      ...options([`${a.gun}:v1`, b, `${a.gun}:v2`], keys),
      signerKeys: signerKeysOf(ci),
    };
    const before = forged.published.length;
    const out = await addSignerToImages(opts);
    expect(out).toStrictEqual([
      {
        image: `${a.gun}:v1`,
        gun: a.gun,
        signer: 'ci',
        keyIds: [ci.id],
        result: 'added',
        created: false,
      },
      { image: b, gun: b, signer: 'ci', keyIds: [ci.id], result: 'added', created: true },
    ]);
    expect(forged.published.length).toBe(before + 2);
    expect(delegations(a.gun).find((d) => d.name === RELEASES)!.keyids).toEqual([bob.id, ci.id]);
    expect(delegations(b)).toEqual([
      { keyids: [ci.id], name: 'targets/ci', paths: [''], threshold: 1 },
      { keyids: [ci.id], name: RELEASES, paths: [''], threshold: 1 },
    ]);
    expect(await goRoles(a.gun)).toEqual(['targets/bob', 'targets/ci', RELEASES]);
    expect(await goRoles(b)).toEqual(['targets/ci', RELEASES]);

    const again = await addSignerToImages({ ...opts, images: [a.gun, b] });
    expect(again).toStrictEqual([
      {
        image: a.gun,
        gun: a.gun,
        signer: 'ci',
        keyIds: [ci.id],
        result: 'unchanged',
        created: false,
      },
      { image: b, gun: b, signer: 'ci', keyIds: [ci.id], result: 'unchanged', created: false },
    ]);
    expect(forged.published.length).toBe(before + 2);
  });

  it('a repository that cannot be created fails alone; the other is published', async () => {
    const a = await existing('bob', makeKey('bob'));
    const c = newGun();
    const ci = makeKey('ci');
    // No root key: c cannot be created.
    const opts = { ...options([c, a.gun], ringOf(a.repoKey)), signerKeys: signerKeysOf(ci) };
    const e = await failure(addSignerToImages(opts));
    expect(e).toBeInstanceOf(ImagesError);
    const msg = `${c} has no trust data yet; to create it, \`keys\` must hold a root key (opened with \`root-passphrase\`) and a repository key (\`role: targets\`)`;
    expect(e.code).toBe('ROOT_KEY_MISSING');
    expect((e as ImagesError).failures).toEqual([
      { image: c, code: 'ROOT_KEY_MISSING', message: msg },
    ]);
    expect((e as ImagesError).done).toStrictEqual([
      { image: a.gun, gun: a.gun, signer: 'ci', keyIds: [ci.id], result: 'added', created: false },
    ]);
    expect(forged.repos.has(c)).toBe(false);
    expect(await goRoles(a.gun)).toEqual(['targets/bob', 'targets/ci', RELEASES]);
  });
});

describe('removeSignerFromImages', () => {
  it('removed from one; the one without the signer fails alone', async () => {
    const ci = makeKey('ci');
    const bob = makeKey('bob');
    const e1 = await existing('bob', bob);
    await addSigner({
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      repository: e1.gun,
      log: quietLog(),
      name: 'ci',
      signerKeys: signerKeysOf(ci),
      keys: ringOf(e1.repoKey),
    });
    const f = await existing('bob', bob);
    const err = await failure(
      removeSignerFromImages(options([`${e1.gun}:latest`, f.gun], ringOf(e1.repoKey, f.repoKey))),
    );
    expect((err as ImagesError).failures).toEqual([
      {
        image: f.gun,
        code: 'SIGNER_NOT_FOUND',
        message: `${f.gun} has no signer ci (signers: bob)`,
      },
    ]);
    expect((err as ImagesError).done).toStrictEqual([
      {
        image: `${e1.gun}:latest`,
        gun: e1.gun,
        signer: 'ci',
        keyIds: [ci.id],
        result: 'removed',
        created: false,
      },
    ]);
    expect(await goRoles(e1.gun)).toEqual(['targets/bob', RELEASES]);
    expect(delegations(e1.gun).find((d) => d.name === RELEASES)!.keyids).toEqual([bob.id]);
  });

  it('a removal answered no (options are passed through) is unchanged; the last signer is refused', async () => {
    const ci = makeKey('ci');
    const g = await existing('ci', ci);
    const keys = ringOf(g.repoKey);
    const before = forged.published.length;
    const refused = await failure(removeSignerFromImages(options([g.gun], keys)));
    expect(refused.code).toBe('SIGNER_LAST_RELEASES');
    const opts = { ...options([g.gun], keys), confirm: () => Promise.resolve(false) };
    expect(await removeSignerFromImages(opts)).toStrictEqual([
      {
        image: g.gun,
        gun: g.gun,
        signer: 'ci',
        keyIds: [ci.id],
        result: 'unchanged',
        created: false,
      },
    ]);
    expect(forged.published.length).toBe(before);
  });
});

describe('fromKeyRing', () => {
  const gun = 'registry.example/team/app';

  it('the root key is the root key with the lowest ID, whatever the order given', () => {
    const roots = [makeKey('root'), makeKey('root'), makeKey('root')];
    const lowest = [...roots].sort((x, y) => (x.id < y.id ? -1 : 1))[0].id;
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      const ring = ringOf(makeKey('targets', gun), ...order.map((i) => roots[i]));
      expect(idOf(fromKeyRing(ring, gun).rootKey() as KeyObject)).toBe(lowest);
    }
  });

  it('no root key: ROOT_KEY_MISSING naming the inputs', () => {
    const e = (() => {
      try {
        void fromKeyRing(ringOf(makeKey('targets', gun)), gun).rootKey();
      } catch (err) {
        return err as DctError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('ROOT_KEY_MISSING');
    expect(e.message).toBe(
      `${gun} has no trust data yet; to create it, \`keys\` must hold a root key (opened with \`root-passphrase\`) and a repository key (\`role: targets\`)`,
    );
  });

  it('the repository key: this GUN before none, then the lowest ID; never another role or GUN', () => {
    const pick = (...keys: TestKey[]) =>
      idOf(fromKeyRing(ringOf(...keys), gun).repositoryKey() as KeyObject);
    // The key for this GUN wins over a key without one, even when its ID is higher.
    const [mine, none] = keysWhere(
      () => [makeKey('targets', gun), gunless()] as const,
      ([m, g]) => g.id < m.id,
    );
    expect(pick(none, mine)).toBe(mine.id);
    expect(pick(mine, none)).toBe(mine.id);
    // Two without a GUN: the lower ID.
    const [g1, g2] = keysWhere(
      () => [gunless(), gunless()] as const,
      ([x, y]) => x.id < y.id,
    );
    expect(pick(g2, g1)).toBe(g1.id);
    expect(pick(g1, g2)).toBe(g1.id);
    // One without a GUN is used; a key of another role (even with a lower ID) or GUN is not.
    const [t, ci] = keysWhere(
      () => [gunless(), gunless('ci')] as const,
      ([x, c]) => c.id < x.id,
    );
    const other = makeKey('targets', 'registry.example/team/other');
    expect(pick(ci, other, t)).toBe(t.id);
  });

  it('no repository key for this GUN: REPOSITORY_KEY_MISSING naming the targets keys given', () => {
    const missing = (...keys: TestKey[]) => {
      try {
        void fromKeyRing(ringOf(...keys), gun).repositoryKey();
      } catch (err) {
        expect((err as DctError).code).toBe('REPOSITORY_KEY_MISSING');
        return (err as DctError).message;
      }
      throw new Error('no error');
    };
    const base = `${gun} has no trust data yet; to create it, \`keys\` must hold a repository key for it (a key file with \`role: targets\` and \`gun: ${gun}\`, or no gun)`;
    const root = makeKey('root');
    expect(missing(root, gunless('ci'))).toBe(base);
    const o1 = makeKey('targets', 'registry.example/one');
    const o2 = makeKey('targets', 'registry.example/two');
    expect(missing(root, o1, o2)).toBe(
      `${base}; the targets keys given are for registry.example/one (${shortId(o1.id)}), registry.example/two (${shortId(o2.id)})`,
    );
  });
});
