/**
 * The update state machine against synthetic repositories whose keys the test holds, for
 * the faults the real server cannot be made to show (notary-spec.md §7).
 */
import { describe, expect, it } from 'vitest';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { serializeEnvelope } from '../../src/tuf/envelope.js';
import { metaFileFor } from '../../src/tuf/models.js';
import { addDays } from '../../src/tuf/time.js';
import { TIMESTAMP_MAX_BYTES, type MetaFetcher } from '../../src/tuf/checks.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { newKey, sha256b64, TestRepo, type TestKey } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');

const load = (
  repo: TestRepo,
  extra: { trusted?: TrustState; pinnedRootKeyIds?: string[]; now?: Date } = {},
) => loadTrustedRepo(repo.fetcher(), { gun: GUN, now: NOW, ...extra });

const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

describe('loadTrustedRepo, synthetic repositories', () => {
  it('loads a repository produced with updatedTargets / updatedSnapshot / signEnvelope', async () => {
    const r = new TestRepo(GUN, NOW);
    const repo = (await load(r))!;
    expect([...repo.targets.keys()]).toEqual(['targets']);
    expect(repo.targetsFor('latest').map((h) => h.role)).toEqual(['targets']);
    expect(repo.trustState().versions).toEqual({ root: 1, timestamp: 1, snapshot: 1, targets: 1 });
  });

  it('checks snapshot meta length → TUF_LENGTH', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      s.meta['targets'].length += 1;
    });
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: expect.stringMatching(/^targets is \d+ bytes but snapshot says \d+/) as unknown,
    });
  });

  it('checks every known hash, sha512 included → TUF_HASH_MISMATCH', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      s.meta['targets'].hashes['sha512'] = metaFileFor(Buffer.from('x')).hashes['sha512']!;
    });
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_HASH_MISMATCH',
      message: expect.stringMatching(
        /^sha512 checksum for targets did not match: expected [0-9a-f]{128}/,
      ) as unknown,
    });
  });

  it('checks the snapshot against the timestamp meta → TUF_HASH_MISMATCH', async () => {
    const r = new TestRepo(GUN, NOW);
    r.signTimestamp((t) => {
      const bytes = Buffer.from(r.snapshot!.bytes);
      bytes[bytes.length - 3] = 0x41; // same length, other content
      t.meta['snapshot'] = metaFileFor(bytes);
    });
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_HASH_MISMATCH' });
  });

  it('refuses an oversized timestamp even if the fetcher does not cap it → TUF_LENGTH', async () => {
    const r = new TestRepo(GUN, NOW);
    const inner = r.fetcher();
    const fetcher: MetaFetcher = {
      fetch: (role, opts) =>
        role === 'timestamp'
          ? Promise.resolve(Buffer.alloc(TIMESTAMP_MAX_BYTES + 1, 0x20))
          : inner.fetch(role, opts),
    };
    await expect(loadTrustedRepo(fetcher, { gun: GUN, now: NOW })).rejects.toMatchObject({
      code: 'TUF_LENGTH',
    });
  });

  it('targets below threshold is fatal; one key signing twice counts once → TUF_THRESHOLD', async () => {
    const r = new TestRepo(GUN, NOW);
    const second = newKey('ecdsa');
    r.signRoot(2, r.rootKeys, (root) => {
      root.keys[second.id] = second.tuf;
      root.roles['targets'] = { keyids: [r.targetsKey.id, second.id], threshold: 2 };
    });
    r.setTargets('targets', () => {});
    const env = r.targets.get('targets')!;
    const twice = [env.signatures[0], env.signatures[0]];
    r.targets.set('targets', {
      ...env,
      signatures: twice,
      bytes: serializeEnvelope(env.signed, twice),
    });
    r.publish();
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringContaining('1 valid of 2 required') as unknown,
    });
    // With both keys it loads.
    r.setTargets('targets', () => {}, [r.targetsKey, second]);
    r.publish();
    await expect(load(r)).resolves.toBeDefined();
  });

  it('an expired targets is fatal → TUF_EXPIRED', async () => {
    const r = new TestRepo(GUN, NOW);
    await expect(load(r, { now: addDays(NOW, 3 * 365 + 1) })).rejects.toMatchObject({
      // The timestamp (14 days) expires first.
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^timestamp expired/) as unknown,
    });
    r.now = addDays(NOW, -3 * 365 - 1);
    r.setTargets('targets', () => {});
    r.now = NOW;
    r.publish();
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^targets expired at/) as unknown,
    });
  });

  it('a delegation below threshold or expired is skipped and reported, with its subtree', async () => {
    const r = new TestRepo(GUN, NOW);
    const [k1, k2] = [newKey('ecdsa'), newKey('ed25519')];
    r.delegate('targets', 'targets/releases', { keys: [k1, k2], threshold: 2 });
    r.delegate('targets/releases', 'targets/releases/deep');
    r.setTargets('targets/releases/deep', (t) => (t.targets['v2'] = target('v2')));
    r.setTargets('targets/releases', (t) => (t.targets['v1'] = target('v1')), [k1]);
    r.delegate('targets', 'targets/old');
    r.now = addDays(NOW, -3 * 365 - 1);
    r.setTargets('targets/old', (t) => (t.targets['v3'] = target('v3')));
    r.now = NOW;
    r.delegate('targets', 'targets/ok', { keys: [newKey('rsa')] });
    r.setTargets('targets/ok', (t) => (t.targets['v1'] = target('v1')));
    r.publish();

    const repo = (await load(r))!;
    expect([...repo.targets.keys()]).toEqual(['targets', 'targets/ok']);
    expect([...repo.invalidDelegations].map(([n, e]) => [n, e.code])).toEqual([
      ['targets/releases', 'TUF_THRESHOLD'],
      ['targets/old', 'TUF_EXPIRED'],
    ]);
    expect(repo.delegation('targets/releases')?.file).toBe('invalid');
    expect(repo.delegation('targets/releases/deep')).toBeUndefined();
    expect(repo.targetsFor('v1').map((h) => h.role)).toEqual(['targets/ok']);
    expect(repo.trustState().versions).not.toHaveProperty('targets/releases');

    // Signed by both, it loads, and so does its child.
    r.setTargets('targets/releases', () => {}, [k1, k2]);
    r.publish();
    const fixed = (await load(r))!;
    expect([...fixed.targets.keys()]).toEqual([
      'targets',
      'targets/releases',
      'targets/releases/deep',
      'targets/ok',
    ]);
  });

  it('a tampered delegation signature is reported as TUF_SIGNATURE (skipped)', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/ci');
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')));
    const env = r.targets.get('targets/ci')!;
    const sig = Buffer.from(env.signatures[0].sig, 'base64');
    sig[10] = sig[10] ^ 0xff;
    const bad = [{ ...env.signatures[0], sig: sig.toString('base64') }];
    r.targets.set('targets/ci', {
      ...env,
      signatures: bad,
      bytes: serializeEnvelope(env.signed, bad),
    });
    r.publish();
    const repo = (await load(r))!;
    expect(repo.invalidDelegations.get('targets/ci')?.code).toBe('TUF_SIGNATURE');
    expect(repo.targetsFor('x')).toEqual([]);
  });

  it('a delegation signed by a key outside the role → TUF_THRESHOLD (skipped)', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/ci');
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')), [newKey()]);
    r.publish();
    const repo = (await load(r))!;
    expect(repo.invalidDelegations.get('targets/ci')?.code).toBe('TUF_THRESHOLD');
  });

  it("restricts a child's paths to its parent's and ignores targets outside a role's paths", async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a', { paths: ['foo/'] });
    r.delegate('targets/a', 'targets/a/b', { paths: ['foo/bar', 'baz'] });
    r.setTargets('targets/a', (t) => {
      t.targets['foo/1'] = target('foo/1');
      t.targets['other'] = target('other');
    });
    r.setTargets('targets/a/b', (t) => {
      t.targets['foo/bar1'] = target('foo/bar1');
      t.targets['baz1'] = target('baz1');
    });
    r.publish();
    const repo = (await load(r))!;
    expect(repo.delegation('targets/a/b')?.role.paths).toEqual(['foo/bar']);
    expect(repo.targetsFor('foo/1').map((h) => h.role)).toEqual(['targets/a']);
    expect(repo.targetsFor('foo/bar1').map((h) => h.role)).toEqual(['targets/a/b']);
    expect(repo.targetsFor('baz1')).toEqual([]);
    expect(repo.targetsFor('other')).toEqual([]);
  });

  it('a delegation that is not a direct child → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    r.setTargets('targets', (t) => {
      t.delegations.roles.push({ keyids: [], name: 'targets/x/y', paths: [''], threshold: 1 });
    });
    r.publish();
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_BAD_METADATA' });
  });

  it('a key entry that does not hash to its ID → TUF_INVALID_KEY_ID', async () => {
    const r = new TestRepo(GUN, NOW);
    const [real, fake] = [newKey(), newKey()];
    r.delegationKeys.set('targets/ci', [real]);
    r.setTargets('targets', (t) => {
      t.delegations.keys[real.id] = fake.tuf;
      t.delegations.roles.push({
        keyids: [real.id],
        name: 'targets/ci',
        paths: [''],
        threshold: 1,
      });
    });
    r.setTargets('targets/ci', (t) => (t.targets['x'] = target('x')));
    r.publish();
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_INVALID_KEY_ID' });
  });

  it('a snapshot without targets meta → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => delete s.meta['targets']);
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_BAD_METADATA' });
  });
});

describe('root trust, synthetic repositories', () => {
  function rotate(r: TestRepo, crossSign = true): void {
    const old = r.rootKeys;
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(r.root.signed.version + 1, crossSign ? [...r.rootKeys, ...old] : r.rootKeys);
    r.publish();
  }

  const cache = (r: TestRepo): TrustState => ({
    gun: GUN,
    root: r.root.bytes.toString('base64'),
    versions: {},
  });

  it('accepts a chain of cross-signed rotations from the cached root', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    rotate(r);
    const fetcher = r.fetcher();
    const repo = (await loadTrustedRepo(fetcher, { gun: GUN, now: NOW, trusted }))!;
    expect(repo.root.signed.version).toBe(4);
    expect(fetcher.requests.filter((q) => q.endsWith('.root'))).toEqual(['2.root', '3.root']);
  });

  it('refuses a rotation the old root did not sign → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r, false);
    await expect(load(r, { trusted })).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining(
        'root version 3 is not signed by the keys of trusted root version 2',
      ) as unknown,
    });
    // Without a cache the same root is taken on first use.
    await expect(load(r)).resolves.toBeDefined();
  });

  it("a rotation needs the old root's threshold, not one of its keys → TUF_ROOT_ROTATION", async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [r.certKey(GUN), r.certKey(GUN)];
    r.rootThreshold = 2;
    r.signRoot(2, r.rootKeys);
    r.publish();
    const trusted = cache(r);
    const [a, b] = r.rootKeys as [TestKey, TestKey];
    const fresh = r.certKey(GUN);
    r.rootKeys = [fresh];
    r.rootThreshold = 1;
    r.signRoot(3, [fresh, a]); // one of two old keys: below the old threshold
    r.publish();
    await expect(load(r, { trusted })).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining(
        'root version 3 is not signed by the keys of trusted root version 2',
      ) as unknown,
    });
    r.signRoot(3, [fresh, a, b]); // both: accepted
    r.publish();
    const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW, trusted }))!;
    expect(repo.root.signed.version).toBe(3);
  });

  it('a root below its own threshold of two is refused even on first use → TUF_ROOT_UNTRUSTED', async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [r.certKey(GUN), r.certKey(GUN)];
    r.rootThreshold = 2;
    r.signRoot(2, [r.rootKeys[0]]);
    r.publish();
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_ROOT_UNTRUSTED' });
    r.signRoot(2, r.rootKeys);
    r.publish();
    await expect(load(r)).resolves.toBeDefined();
  });

  it('refuses an intermediate root not signed by its own keys → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    const old = r.rootKeys;
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(2, old); // signed by the old key only
    rotate(r);
    await expect(load(r, { trusted })).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining(
        'root version 2 is not signed by its own root keys',
      ) as unknown,
    });
  });

  it('refuses a versioned root whose content has another version', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    r.oldRoots.set(2, r.oldRoots.get(3)!);
    await expect(load(r, { trusted })).rejects.toMatchObject({ code: 'TUF_ROOT_ROTATION' });
  });

  it('refuses a root not signed at threshold by its own certificates → TUF_ROOT_UNTRUSTED', async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [r.certKey(GUN), r.certKey(GUN)];
    r.rootThreshold = 2;
    r.signRoot(1, [r.rootKeys[0]]);
    r.publish();
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining('failed to validate integrity of roots') as unknown,
    });
    r.signRoot(1, r.rootKeys);
    r.publish();
    await expect(load(r)).resolves.toBeDefined();
  });

  it('refuses a root whose only root key is a plain key → TUF_ROOT_UNTRUSTED', async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [newKey('ecdsa')];
    r.signRoot(1);
    r.publish();
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining('unable to retrieve valid leaf certificates') as unknown,
    });
  });

  it('accepts a wildcard CN covering the GUN, refuses one that does not', async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [r.certKey('registry.example.com/team/*')];
    r.signRoot(1);
    r.publish();
    await expect(load(r)).resolves.toBeDefined();
    r.rootKeys = [r.certKey('registry.example.com/other/*')];
    r.signRoot(1);
    r.publish();
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_ROOT_UNTRUSTED' });
  });

  it('an expired root (metadata) → TUF_EXPIRED', async () => {
    const r = new TestRepo(GUN, NOW);
    r.signRoot(1, r.rootKeys, (root) => {
      root.expires = '2030-05-01T00:00:00Z';
    });
    r.publish();
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^root expired at 2030-05-01T00:00:00Z/) as unknown,
    });
  });

  it('pins: a pinned certificate must be in the root, even with a cache', async () => {
    const r = new TestRepo(GUN, NOW);
    const first = r.rootKeys[0].id;
    await expect(load(r, { pinnedRootKeyIds: [first] })).resolves.toBeDefined();
    const trusted = cache(r);
    rotate(r);
    await expect(load(r, { trusted, pinnedRootKeyIds: [first] })).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
    });
    await expect(load(r, { trusted, pinnedRootKeyIds: [r.rootKeys[0].id] })).resolves.toBeDefined();
  });
});

describe('size limits', () => {
  it('refuses, before downloading, a role the snapshot says is larger than the cap', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => (s.meta['targets'].length = 10 * 1024 * 1024 * 1024));
    const asked: (number | undefined)[] = [];
    const fetcher = r.fetcher();
    const spying: MetaFetcher = {
      fetch: (role, opts) => {
        if (role === 'targets') asked.push(opts?.maxLength);
        return fetcher.fetch(role, opts);
      },
    };
    await expect(loadTrustedRepo(spying, { gun: GUN, now: NOW })).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: expect.stringMatching(
        /snapshot says targets is \d+ bytes, over the 64 MiB/,
      ) as unknown,
    });
    expect(asked).toEqual([]);
  });
});
