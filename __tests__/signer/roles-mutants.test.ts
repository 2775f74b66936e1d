/**
 * src/signer/roles.ts at its edges, against the mutants StrykerJS left alive: signer names and
 * roles, which delegations a `signer` list picks (and `targets/releases` coming along), the
 * errors naming absent delegations and missing keys, the fallback to `targets`, the order of
 * the roles, a delegation listed twice, the root's `targets` threshold, and the orphaned-file
 * rule (an expired file, a file the loader left behind, a file also signed by a listed key).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import { shortId } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { refreshHint } from '../../src/signer/health.js';
import {
  rolesForTag,
  signableRoles,
  signerName,
  signerRole,
  type SignableRole,
} from '../../src/signer/roles.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { newKey, sha256b64, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { ringOfKeys } from './flows.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

const rings: KeyRing[] = [];
afterEach(() => {
  for (const r of rings.splice(0)) r.dispose();
});

function ring(...keys: TestKey[]): KeyRing {
  const r = keys.length === 0 ? KeyRing.open([], { include: 'signing' }) : ringOfKeys(...keys);
  rings.push(r);
  return r;
}

async function load(r: TestRepo): Promise<TrustedRepo> {
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
}

function pick(repo: TrustedRepo, keys: KeyRing, wanted: string[] = []) {
  const warnings: string[] = [];
  const roles = signableRoles(repo, keys, wanted, (m) => warnings.push(m));
  return { roles, warnings, names: roles.map((c) => c.role) };
}

function refused(fn: () => unknown): DctError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DctError);
    return e as DctError;
  }
  throw new Error('expected signableRoles to refuse');
}

const noKeysMessage = (roles: string, held: string) =>
  `${GUN}: no valid signing keys for ${roles}; the keys given have IDs ${held}. ` +
  'Pass the key of a signer delegated in this repository (add one with `signer-add`, or `dct signer add`)';

/** targets/releases (key `rel`), targets/ci (key `ci`), targets/qa (key `qa`), in that order. */
function threeSigners(rel: TestKey, ci: TestKey, qa: TestKey): TestRepo {
  const r = new TestRepo(GUN, NOW);
  r.delegate('targets', 'targets/releases', { keys: [rel] });
  r.delegate('targets', 'targets/ci', { keys: [ci] });
  r.delegate('targets', 'targets/qa', { keys: [qa] });
  return r;
}

describe('signer names and roles', () => {
  it('signerRole prefixes bare names and keeps roles', () => {
    expect(signerRole('ci')).toBe('targets/ci');
    expect(signerRole('targets')).toBe('targets');
    expect(signerRole('targets/ci')).toBe('targets/ci');
    expect(signerRole('targetsci')).toBe('targets/targetsci');
    expect(signerRole('x/targets/')).toBe('targets/x/targets/');
  });

  it('signerName strips the targets/ prefix only', () => {
    expect(signerName('targets/ci')).toBe('ci');
    expect(signerName('targets/a/b')).toBe('a/b');
    expect(signerName('targets')).toBe('targets');
    expect(signerName('releases')).toBe('releases');
  });
});

describe('rolesForTag', () => {
  it('keeps targets and the delegations whose paths prefix the tag', () => {
    const role = (name: string, paths?: string[]): SignableRole => ({
      role: name,
      signers: [],
      threshold: 1,
      delegation:
        paths === undefined ? undefined : { name, keyids: [], threshold: 1, paths: paths },
    });
    const roles = [role('targets'), role('targets/v', ['v']), role('targets/x', ['x', 'y'])];
    expect(rolesForTag(roles, 'v1').map((r) => r.role)).toEqual(['targets', 'targets/v']);
    expect(rolesForTag(roles, 'y2').map((r) => r.role)).toEqual(['targets', 'targets/x']);
    expect(rolesForTag([role('targets/v', ['v'])], 'w')).toEqual([]);
  });
});

describe('signableRoles without a signer list', () => {
  it('no delegations: targets, at the root threshold, with the targets key, and no warning', async () => {
    const r = new TestRepo(GUN, NOW);
    const { roles, warnings } = pick(await load(r), ring(r.targetsKey));
    expect(roles).toEqual([
      {
        role: 'targets',
        signers: [expect.objectContaining({ keyId: r.targetsKey.id }) as unknown],
        threshold: 1,
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('no delegations and not the targets key → NO_SIGNING_KEYS naming the keys held, or none', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = await load(r);
    const stranger = newKey('ecdsa');
    expect(refused(() => pick(repo, ring(stranger)))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets', shortId(stranger.id)),
    });
    expect(refused(() => pick(repo, ring()))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets', 'none'),
    });
    const other = newKey('ed25519');
    expect(refused(() => pick(repo, ring(stranger, other)))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets', `${shortId(stranger.id)}, ${shortId(other.id)}`),
    });
  });

  it('only the delegations our keys may sign are chosen', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    const { names, warnings } = pick(repo, ring(ci));
    expect(names).toEqual(['targets/ci']);
    expect(warnings).toEqual([]);
  });

  it('delegations none of the keys may sign, with the targets key: targets, with a warning', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const r = threeSigners(rel, ci, qa);
    const { names, warnings } = pick(await load(r), ring(r.targetsKey));
    expect(names).toEqual(['targets']);
    expect(warnings).toEqual([
      `${GUN}: none of the keys may sign a delegation (targets/releases, targets/ci, targets/qa); ` +
        'signing into `targets` with the repository key. Docker clients read `targets/releases` first.',
    ]);
  });

  it('delegations none of the keys may sign, without the targets key → NO_SIGNING_KEYS naming them', async () => {
    const [rel, ci, qa, other] = [newKey(), newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    expect(refused(() => pick(repo, ring(other)))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets/releases, targets/ci, targets/qa', shortId(other.id)),
    });
  });

  it('a key a delegation lists without its public key is not a signer of it', async () => {
    const r = new TestRepo(GUN, NOW);
    const [a, b] = [newKey(), newKey()];
    r.delegate('targets', 'targets/ci', { keys: [a, b] });
    r.setTargets('targets', (t) => delete t.delegations.keys[b.id]);
    const { roles } = pick(await load(r), ring(a, b));
    expect(roles.map((c) => [c.role, c.signers.map((s) => s.keyId)])).toEqual([
      ['targets/ci', [a.id]],
    ]);
  });
});

describe('signableRoles with a signer list', () => {
  it('picks the named delegation only, and keeps the repository order', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    expect(pick(repo, ring(rel, ci, qa), ['qa']).names).toEqual(['targets/qa']);
    expect(pick(repo, ring(rel, ci, qa), ['qa', 'ci']).names).toEqual(['targets/ci', 'targets/qa']);
    expect(pick(repo, ring(rel, ci, qa), ['targets/qa', 'releases']).names).toEqual([
      'targets/releases',
      'targets/qa',
    ]);
  });

  it('targets/releases comes along when a wanted role’s key may sign it, once, in the repository order', async () => {
    const ci = newKey();
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/ci', { keys: [ci] });
    r.delegate('targets', 'targets/releases', { keys: [ci] });
    const repo = await load(r);
    expect(pick(repo, ring(ci), ['ci']).names).toEqual(['targets/ci', 'targets/releases']);
    expect(pick(repo, ring(ci), ['releases', 'ci']).names).toEqual([
      'targets/ci',
      'targets/releases',
    ]);
    expect(pick(repo, ring(ci, r.targetsKey), ['targets', 'ci']).names).toEqual([
      'targets',
      'targets/ci',
      'targets/releases',
    ]);
  });

  it('targets/releases comes along when any one of its keys signs a wanted role', async () => {
    const [a, b] = [newKey(), newKey()];
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/releases', { keys: [a, b] });
    r.delegate('targets', 'targets/ci', { keys: [a] });
    const repo = await load(r);
    expect(pick(repo, ring(a, b), ['ci']).names).toEqual(['targets/releases', 'targets/ci']);
  });

  it('targets/releases stays out when its key signs no wanted role', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    expect(pick(repo, ring(rel, ci), ['ci']).names).toEqual(['targets/ci']);
  });

  it('`targets` named: the repository key signs it; without that key → NO_SIGNING_KEYS', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const r = threeSigners(rel, ci, qa);
    const repo = await load(r);
    const { roles, warnings } = pick(repo, ring(r.targetsKey), ['targets']);
    expect(roles.map((c) => [c.role, c.threshold, c.signers.map((s) => s.keyId)])).toEqual([
      ['targets', 1, [r.targetsKey.id]],
    ]);
    expect(warnings).toEqual([]);
    expect(refused(() => pick(repo, ring(ci), ['targets', 'ci']))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets', shortId(ci.id)),
    });
  });

  it('a signer the repository does not delegate → SIGNER_NOT_DELEGATED naming what it has', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    const hint = 'add the signer (`signer-add`, or `dct signer add`) or fix `signer`';
    expect(refused(() => pick(repo, ring(ci), ['ci', 'nope', 'qa', 'gone']))).toMatchObject({
      code: 'SIGNER_NOT_DELEGATED',
      message: `${GUN} has no delegation targets/nope, targets/gone (it has targets/releases, targets/ci, targets/qa); ${hint}`,
    });
    const bare = await load(new TestRepo(GUN, NOW));
    expect(refused(() => pick(bare, ring(ci), ['ci']))).toMatchObject({
      code: 'SIGNER_NOT_DELEGATED',
      message: `${GUN} has no delegation targets/ci (it has none); ${hint}`,
    });
  });

  it('a delegated signer whose key is not given → NO_SIGNING_KEYS naming it', async () => {
    const [rel, ci, qa] = [newKey(), newKey(), newKey()];
    const repo = await load(threeSigners(rel, ci, qa));
    expect(refused(() => pick(repo, ring(ci), ['ci', 'qa']))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets/qa', shortId(ci.id)),
    });
  });
});

describe('signableRoles on the root’s targets role', () => {
  it('a targets threshold of two is not met by the one repository key → SIGNING_BELOW_THRESHOLD', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = await load(r);
    repo.root.signed.roles['targets'].threshold = 2;
    expect(refused(() => pick(repo, ring(r.targetsKey)))).toMatchObject({
      code: 'SIGNING_BELOW_THRESHOLD',
      message: `${GUN}: targets needs 2 signatures but the keys given can make 1`,
    });
  });

  it('a root without a targets role gives targets no signers', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = await load(r);
    delete repo.root.signed.roles['targets'];
    expect(refused(() => pick(repo, ring(r.targetsKey)))).toMatchObject({
      code: 'NO_SIGNING_KEYS',
      message: noKeysMessage('targets', shortId(r.targetsKey.id)),
    });
  });

  it('a repository without a targets file → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = await load(r);
    repo.targets.delete('targets');
    expect(refused(() => pick(repo, ring(r.targetsKey)))).toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: `${GUN}: the trust server returned no targets role`,
    });
  });

  it('an expired targets file re-signed keeps every tag it holds (no paths to apply)', async () => {
    const r = new TestRepo(GUN, NOW);
    r.setTargets('targets', (t) => (t.targets['v1'] = target('v1')));
    const repo = await load(r);
    repo.expired.add('targets');
    const { names, warnings } = pick(repo, ring(r.targetsKey));
    expect(names).toEqual(['targets']);
    expect(warnings).toEqual([
      `${GUN}: targets expired at ${repo.targets.get('targets')!.signed.expires}; it is signed again now, keeping the 2 tags it holds (refresh re-signs roles before they expire: ${refreshHint(GUN)})`,
    ]);
  });
});

describe('signableRoles on a delegation listed twice', () => {
  /** targets lists targets/releases twice (keys `first`, then `second`), and targets/ci (`second`). */
  function listedTwice(first: TestKey, second: TestKey): TestRepo {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/releases', { keys: [first] });
    r.delegate('targets', 'targets/ci', { keys: [second] });
    r.setTargets('targets', (t) => {
      t.delegations.keys[second.id] = second.tuf;
      t.delegations.roles.push({
        keyids: [second.id],
        name: 'targets/releases',
        paths: [''],
        threshold: 1,
      });
    });
    return r;
  }
  const why =
    'targets lists targets/releases twice, and docker cannot read a repository whose targets/releases file verifies then ("targets/releases has already been loaded")';

  it('unnamed, it is left out with a warning', async () => {
    const [first, second] = [newKey(), newKey()];
    const repo = await load(listedTwice(first, second));
    const { names, warnings } = pick(repo, ring(first, second));
    expect(names).toEqual(['targets/ci']);
    expect(warnings).toEqual([`${GUN}: targets/releases is not signed: ${why}`]);
  });

  it('named → DELEGATION_LISTED_TWICE', async () => {
    const [first, second] = [newKey(), newKey()];
    const repo = await load(listedTwice(first, second));
    expect(refused(() => pick(repo, ring(first, second), ['releases']))).toMatchObject({
      code: 'DELEGATION_LISTED_TWICE',
      message: `${GUN}: ${why}; fix the delegation`,
    });
  });

  it('a nested delegation listed twice is not one of targets’ and gets no warning here', async () => {
    const [rel, sub, ci] = [newKey(), newKey(), newKey()];
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/releases', { keys: [rel] });
    r.delegate('targets', 'targets/ci', { keys: [ci] });
    r.delegate('targets/releases', 'targets/releases/sub', { keys: [sub] });
    r.delegate('targets/releases', 'targets/releases/sub', { keys: [sub] });
    const repo = await load(r);
    expect([...repo.listedTwice]).toEqual(['targets/releases/sub']);
    const { names, warnings } = pick(repo, ring(ci));
    expect(names).toEqual(['targets/ci']);
    expect(warnings).toEqual([]);
  });
});

describe('signableRoles on a delegation file no listed key signed (the orphaned rule)', () => {
  /** targets/ci keyed to `now`, its file signed by `gone` alone: loaded as invalid. */
  async function orphaned() {
    const r = new TestRepo(GUN, NOW);
    const [gone, now] = [newKey(), newKey()];
    r.delegate('targets', 'targets/ci', { keys: [now] });
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')), [gone]);
    const repo = await load(r);
    expect(repo.invalidFiles.has('targets/ci')).toBe(true);
    return { repo, now };
  }

  it('reported expired rather than unsigned, it is refused → TUF_DELEGATION_INVALID', async () => {
    const { repo, now } = await orphaned();
    repo.invalidDelegations.set('targets/ci', new DctError('TUF_EXPIRED', 'targets/ci expired'));
    expect(refused(() => pick(repo, ring(now)))).toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
      message: `${GUN}: targets/ci cannot be signed on top of: targets/ci expired`,
    });
  });

  it('a verdict without the file behind it is refused → TUF_DELEGATION_INVALID', async () => {
    const { repo, now } = await orphaned();
    repo.invalidFiles.delete('targets/ci');
    expect(refused(() => pick(repo, ring(now)))).toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
    });
  });

  it('a file also signed by a listed key, below threshold, is refused → TUF_DELEGATION_INVALID', async () => {
    const r = new TestRepo(GUN, NOW);
    const [gone, a, b] = [newKey(), newKey(), newKey()];
    r.delegate('targets', 'targets/ci', { keys: [a, b], threshold: 2 });
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')), [gone, a]);
    const repo = await load(r);
    expect(repo.invalidDelegations.get('targets/ci')?.code).toBe('TUF_THRESHOLD');
    expect(refused(() => pick(repo, ring(a, b)))).toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
    });
  });

  it('targets itself reported invalid is refused, having no delegation keys', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = await load(r);
    repo.invalidDelegations.set('targets', new DctError('TUF_THRESHOLD', 'below threshold'));
    expect(refused(() => pick(repo, ring(r.targetsKey)))).toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
      message: `${GUN}: targets cannot be signed on top of: below threshold`,
    });
  });
});
