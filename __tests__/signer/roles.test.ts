/**
 * Which roles a run may sign into, on synthetic repositories whose delegations have thresholds
 * above one, expired files and tampered signatures (src/signer/roles.ts with the loader's
 * verdicts from src/tuf/load.ts). Signing on top of a file no client trusts must be refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../src/keys/keyring.js';
import { signableExpired, signableRoles } from '../../src/signer/roles.js';
import { serializeEnvelope } from '../../src/tuf/envelope.js';
import { addDays } from '../../src/tuf/time.js';
import { loadTrustedRepo, type TrustOptions } from '../../src/tuf/load.js';
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
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

async function choose(
  r: TestRepo,
  keys: KeyRing,
  wanted: string[] = [],
  mayExpire?: TrustOptions['mayExpire'],
) {
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW, mayExpire }))!;
  const warnings: string[] = [];
  const roles = signableRoles(repo, keys, wanted, (m) => warnings.push(m));
  return { repo, roles, warnings };
}

/** targets/releases keyed to [a, b] at threshold 2, holding v1, its file signed by `signers`. */
function releasesAtTwo(signers: (a: TestKey, b: TestKey) => TestKey[]) {
  const r = new TestRepo(GUN, NOW);
  const [a, b] = [newKey('ecdsa'), newKey('ed25519')];
  r.delegate('targets', 'targets/releases', { keys: [a, b], threshold: 2 });
  r.setTargets('targets/releases', (t) => (t.targets['v1'] = target('v1')), signers(a, b));
  r.publish();
  return { r, a, b };
}

describe('signableRoles on delegations with a threshold of two', () => {
  it('signs a delegation met at its threshold with both keys', async () => {
    const { r, a, b } = releasesAtTwo((a, b) => [a, b]);
    const { roles, warnings } = await choose(r, ring(a, b));
    expect(roles.map((c) => [c.role, c.threshold, c.signers.map((s) => s.keyId).sort()])).toEqual([
      ['targets/releases', 2, [a.id, b.id].sort()],
    ]);
    expect(warnings).toEqual([]);
  });

  it('refuses to sign on top of a file below its threshold, even holding both keys → TUF_DELEGATION_INVALID', async () => {
    // Signed by a alone: no client trusts v1, and a run must not build on it.
    const { r, a, b } = releasesAtTwo((a) => [a]);
    await expect(choose(r, ring(a, b))).rejects.toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
      message: expect.stringMatching(
        new RegExp(
          `^${GUN}: targets/releases cannot be signed on top of: valid signatures did not meet threshold for targets/releases \\(`,
        ),
      ) as unknown,
    });
  });

  it('refuses when the keys given make fewer signatures than the threshold → SIGNING_BELOW_THRESHOLD', async () => {
    const { r, a } = releasesAtTwo((a, b) => [a, b]);
    await expect(choose(r, ring(a))).rejects.toMatchObject({
      code: 'SIGNING_BELOW_THRESHOLD',
      message: `${GUN}: targets/releases needs 2 signatures but the keys given can make 1`,
    });
  });
});

describe('signableRoles on a tampered delegation file', () => {
  function tampered() {
    const r = new TestRepo(GUN, NOW);
    const k = newKey('ecdsa');
    r.delegate('targets', 'targets/ci', { keys: [k] });
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')));
    const env = r.targets.get('targets/ci')!;
    const sig = Buffer.from(env.signatures[0].sig, 'base64');
    sig[10] ^= 0xff;
    const bad = [{ ...env.signatures[0], sig: sig.toString('base64') }];
    r.targets.set('targets/ci', {
      ...env,
      signatures: bad,
      bytes: serializeEnvelope(env.signed, bad),
    });
    r.publish();
    return { r, k };
  }

  it('a bad signature by a key the role lists is refused → TUF_DELEGATION_INVALID', async () => {
    const { r, k } = tampered();
    await expect(choose(r, ring(k))).rejects.toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
      message: expect.stringMatching(
        new RegExp(`^${GUN}: targets/ci cannot be signed on top of: `),
      ) as unknown,
    });
    // Named explicitly, the same.
    await expect(choose(r, ring(k), ['ci'])).rejects.toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
    });
  });

  it('a file signed only by a removed key starts over, with a warning (the orphaned case)', async () => {
    const r = new TestRepo(GUN, NOW);
    const [gone, now] = [newKey('ecdsa'), newKey('ecdsa')];
    r.delegate('targets', 'targets/ci', { keys: [now] });
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')), [gone]);
    r.publish();
    const { repo, roles, warnings } = await choose(r, ring(now));
    expect(repo.invalidDelegations.get('targets/ci')?.code).toBe('TUF_THRESHOLD');
    expect(roles.map((c) => c.role)).toEqual(['targets/ci']);
    expect(warnings).toEqual([
      `${GUN}: targets/ci is signed by keys it no longer lists (a removed signer); its 1 entries are trusted by no client and are replaced by what this run signs`,
    ]);
  });
});

describe('signableRoles on an expired delegation', () => {
  function expiredCi() {
    const r = new TestRepo(GUN, NOW);
    const k = newKey('ecdsa');
    r.delegate('targets', 'targets/ci', { keys: [k], paths: ['v'] });
    r.now = addDays(NOW, -3 * 365 - 1);
    r.setTargets('targets/ci', (t) => {
      t.targets['v1'] = target('v1');
      t.targets['other'] = target('other');
    });
    r.now = NOW;
    r.publish();
    return { r, k };
  }

  it('loaded without leave to expire, it is refused → TUF_DELEGATION_INVALID', async () => {
    const { r, k } = expiredCi();
    await expect(choose(r, ring(k))).rejects.toMatchObject({
      code: 'TUF_DELEGATION_INVALID',
      message: expect.stringMatching(
        new RegExp(`^${GUN}: targets/ci cannot be signed on top of: targets/ci expired at `),
      ) as unknown,
    });
  });

  it('let through by signableExpired, it is re-signed with a warning counting the tags its paths keep', async () => {
    const { r, k } = expiredCi();
    const keys = ring(k);
    const { repo, roles, warnings } = await choose(r, keys, [], signableExpired(keys));
    expect([...repo.expired]).toEqual(['targets/ci']);
    expect(roles.map((c) => c.role)).toEqual(['targets/ci']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^${GUN}: targets/ci expired at \\S+; it is signed again now, keeping the 1 tags it holds`,
      ),
    );
  });

  it('leave to expire is for the roles these keys sign, and never for a bad signature', async () => {
    const { r, k } = expiredCi();
    r.delegate('targets', 'targets/qa');
    r.now = addDays(NOW, -3 * 365 - 1);
    r.setTargets('targets/qa', (t) => (t.targets['q'] = target('q')));
    r.setTargets('targets/ci', (t) => (t.targets['v2'] = target('v2')));
    r.now = NOW;
    // targets/ci, expired, also carries a tampered signature by its own key.
    const env = r.targets.get('targets/ci')!;
    const sig = Buffer.from(env.signatures[0].sig, 'base64');
    sig[10] ^= 0xff;
    const bad = [{ ...env.signatures[0], sig: sig.toString('base64') }];
    r.targets.set('targets/ci', {
      ...env,
      signatures: bad,
      bytes: serializeEnvelope(env.signed, bad),
    });
    r.publish();
    const keys = ring(k);
    const repo = (await loadTrustedRepo(r.fetcher(), {
      gun: GUN,
      now: NOW,
      mayExpire: signableExpired(keys),
    }))!;
    expect([...repo.expired]).toEqual([]);
    expect([...repo.invalidDelegations].map(([n, e]) => [n, e.code])).toEqual([
      ['targets/ci', 'TUF_SIGNATURE'],
      ['targets/qa', 'TUF_EXPIRED'],
    ]);
    expect(() => signableRoles(repo, keys, [], () => undefined)).toThrow(
      expect.objectContaining({ code: 'TUF_DELEGATION_INVALID' }),
    );
  });

  it('signableExpired lets through only a direct delegation these keys can sign at its threshold', () => {
    const [a, b] = [newKey('ecdsa'), newKey('ecdsa')];
    const may = signableExpired(ring(a));
    const set = (keys: TestKey[], threshold = 1) => ({
      keyids: keys.map((k) => k.id),
      threshold,
      keys: Object.fromEntries(keys.map((k) => [k.id, k.tuf])),
    });
    expect(may('targets/ci', set([a]))).toBe(true);
    expect(may('targets/ci', set([b]))).toBe(false);
    expect(may('targets/ci', set([a, b], 2))).toBe(false);
    expect(may('targets/ci/deep', set([a]))).toBe(false);
    expect(may('targets', set([a]))).toBe(false);
    expect(may('snapshot', set([a]))).toBe(false);
  });
});
