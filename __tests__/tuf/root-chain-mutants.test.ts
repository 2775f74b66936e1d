/**
 * Establishing the root (tuf/root-chain.ts) at the edges the loader tests leave open: the
 * cached root's version against the server's, exactly which versioned roots are fetched and how
 * large they may be, old certificates that expired since, an intermediate's own threshold, and
 * pins by canonical ID or in another case. Written against the mutants StrykerJS left alive
 * (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { ROOT_MAX_BYTES, type MetaFetcher } from '../../src/tuf/checks.js';
import { establishRoot } from '../../src/tuf/root-chain.js';
import { validRootCerts } from '../../src/tuf/rootcert.js';
import { addDays } from '../../src/tuf/time.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { newKey, newRootKey, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const STALE = 'the trust server may be serving stale or tampered data';

const cache = (r: TestRepo): TrustState => ({
  gun: GUN,
  root: r.root.bytes.toString('base64'),
  versions: {},
});

/** A new root version with a fresh certificate, cross-signed by the old keys. */
function rotate(r: TestRepo): void {
  const old = r.rootKeys;
  r.rootKeys = [r.certKey(GUN)];
  r.signRoot(r.root.signed.version + 1, [...r.rootKeys, ...old]);
}

/** Records what is asked of `inner`. */
function recording(inner: MetaFetcher) {
  const asked: { role: string; opts: unknown }[] = [];
  const f: MetaFetcher = {
    fetch(role, opts) {
      asked.push({ role, opts });
      return inner.fetch(role, opts);
    },
  };
  return { f, asked };
}

const establish = (r: TestRepo, cached?: TrustState, pins?: string[], now = NOW) =>
  establishRoot(r.fetcher(), r.root.bytes, GUN, now, pins, cached);

describe('establishRoot, the cached root', () => {
  it('the cached root itself: accepted with no versioned fetch', async () => {
    const r = new TestRepo(GUN, NOW);
    const { f, asked } = recording(r.fetcher());
    const root = await establishRoot(f, r.root.bytes, GUN, NOW, undefined, cache(r));
    expect(root.bytes.equals(r.root.bytes)).toBe(true);
    expect(asked).toEqual([]);
  });

  it('a server root older than the cached one → TUF_ROLLBACK', async () => {
    const r = new TestRepo(GUN, NOW);
    const v1 = r.root.bytes;
    rotate(r);
    const trusted = cache(r);
    await expect(
      establishRoot(r.fetcher(), v1, GUN, NOW, undefined, trusted),
    ).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
      message: `root version 1 is lower than current version 2; ${STALE}`,
    });
  });

  it('another root of the same version → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(1);
    await expect(establish(r, trusted)).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringMatching(
        /^could not rotate trust to a new trusted root: the server's root differs from the trusted root of the same version 1; the trust server may be serving stale or tampered data, or if the repository's keys/,
      ) as unknown,
    });
  });

  it('an unreadable cached root → TUF_ROOT_UNTRUSTED, with the parse error as cause', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = { ...cache(r), root: Buffer.from('{"signed":').toString('base64') };
    const err = await establish(r, trusted).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message:
        'could not validate the path to a trusted root: the cached root is unreadable; clear the action cache',
    });
    expect((err as Error).cause).toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^cached root metadata is not valid JSON/) as unknown,
    });
  });

  it('a malformed server root is named as the root → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    await expect(
      establishRoot(r.fetcher(), Buffer.from('{}'), GUN, NOW, undefined, undefined),
    ).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^root metadata is malformed: "signed" is missing/) as unknown,
    });
  });
});

describe('establishRoot, the chain of versions', () => {
  it('fetches exactly the versions in between, each capped at the root size', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    rotate(r);
    const { f, asked } = recording(r.fetcher());
    const root = await establishRoot(f, r.root.bytes, GUN, NOW, undefined, trusted);
    expect(root.signed.version).toBe(4);
    expect(asked).toEqual([
      { role: 'root', opts: { version: 2, maxLength: ROOT_MAX_BYTES } },
      { role: 'root', opts: { version: 3, maxLength: ROOT_MAX_BYTES } },
    ]);
  });

  it('a missing version in between → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    r.oldRoots.delete(2);
    await expect(establish(r, trusted)).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining('root version 2 is missing on the server') as unknown,
    });
  });

  it('an oversized version in between, from a fetcher that does not cap it → TUF_LENGTH', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    const huge: MetaFetcher = {
      fetch: () => Promise.resolve(Buffer.alloc(ROOT_MAX_BYTES + 1, 0x20)),
    };
    await expect(
      establishRoot(huge, r.root.bytes, GUN, NOW, undefined, trusted),
    ).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `root is larger than ${ROOT_MAX_BYTES} bytes; ${STALE}`,
    });
  });

  it('a malformed version in between is named by its version → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    r.oldRoots.set(2, Buffer.from('{}'));
    await expect(establish(r, trusted)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^root version 2 metadata is malformed/) as unknown,
    });
  });

  it('a version in between holding another version names both → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    rotate(r);
    rotate(r);
    rotate(r);
    r.oldRoots.set(2, r.oldRoots.get(3)!);
    await expect(establish(r, trusted)).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining('2.root.json holds version 3') as unknown,
    });
  });

  it('old roots whose certificates expired since still chain to a valid new root', async () => {
    const r = new TestRepo(GUN, NOW);
    const shortLived = () =>
      newRootKey({ cn: GUN, notBefore: addDays(NOW, -1), notAfter: addDays(NOW, 30) });
    const a = shortLived();
    r.rootKeys = [a];
    r.signRoot(1);
    const trusted = cache(r);
    const b = shortLived();
    r.rootKeys = [b];
    r.signRoot(2, [a, b]);
    const c = r.certKey(GUN); // valid for years
    r.rootKeys = [c];
    r.signRoot(3, [b, c]);
    const later = addDays(NOW, 60);
    const root = await establish(r, trusted, undefined, later);
    expect(root.signed.version).toBe(3);
  });

  it('an intermediate root needs its own threshold of its own keys → TUF_ROOT_ROTATION', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    const [a] = r.rootKeys;
    const b = r.certKey(GUN);
    const c = r.certKey(GUN);
    r.rootKeys = [b, c];
    r.rootThreshold = 2;
    r.signRoot(2, [a, b]); // the old key, and one of its own two
    const d = r.certKey(GUN);
    r.rootKeys = [d];
    r.rootThreshold = 1;
    r.signRoot(3, [b, c, d]);
    const err = await establish(r, trusted).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringContaining(
        'root version 2 is not signed by its own root keys',
      ) as unknown,
      cause: { code: 'TUF_THRESHOLD' },
    });
    // Signed by both of its own keys, the same chain is accepted.
    r.rootKeys = [b, c];
    r.rootThreshold = 2;
    r.signRoot(2, [a, b, c]);
    r.rootKeys = [d];
    r.rootThreshold = 1;
    r.signRoot(3, [b, c, d]);
    await expect(establish(r, trusted)).resolves.toMatchObject({ signed: { version: 3 } });
  });

  it('a final root the old keys did not sign carries the verification error as cause', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(2);
    const err = await establish(r, trusted).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringMatching(
        /^could not rotate trust to a new trusted root: root version 2 is not signed by the keys of trusted root version 1; /,
      ) as unknown,
    });
    expect((err as Error).cause).toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringMatching(
        /^valid signatures did not meet threshold for root version 2 /,
      ) as unknown,
    });
  });
});

describe('establishRoot, certificates and pins', () => {
  it('a root with no root keys → TUF_ROOT_UNTRUSTED naming that', async () => {
    const r = new TestRepo(GUN, NOW);
    r.signRoot(1, r.rootKeys, (root) => (root.roles['root'].keyids = []));
    await expect(establish(r)).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringMatching(
        /^could not validate the path to a trusted root: unable to retrieve valid leaf certificates \(no root keys\); the root must hold a certificate for registry\.example\.com\/team\/app that is valid now \(an expired cached root needs a root rotation on the server and a cleared action cache\)$/,
      ) as unknown,
    });
  });

  it('every rejected root key is named, separated by semicolons', async () => {
    const r = new TestRepo(GUN, NOW);
    r.rootKeys = [newKey('ecdsa'), newKey('ed25519')];
    r.signRoot(1);
    await expect(establish(r)).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringMatching(
        /unable to retrieve valid leaf certificates \(key \w+: a ecdsa key is not a certificate; key \w+: a ed25519 key is not a certificate\)/,
      ) as unknown,
    });
  });

  it('a certificate OpenSSL parses but X.509 forbids (a fractional notAfter) is rejected, naming the key', async () => {
    const r = new TestRepo(GUN, NOW);
    const odd = newRootKey({
      cn: GUN,
      notBefore: addDays(NOW, -1),
      notAfter: addDays(NOW, 365),
      fractionalNotAfter: true,
    });
    r.rootKeys = [odd];
    r.signRoot(1);
    await expect(establish(r)).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining(
        `unable to retrieve valid leaf certificates (key ${odd.id.slice(0, 7)}: the certificate does not parse)`,
      ) as unknown,
    });
  });

  it('pins: empty means none; matched by TUF or canonical ID, in any case, around spaces', async () => {
    const r = new TestRepo(GUN, NOW);
    const id = r.rootKeys[0].id;
    const cert = validRootCerts(r.root.signed, GUN, NOW, true).valid.get(id)!;
    expect(cert.canonicalId).not.toBe(id);
    await expect(establish(r, undefined, [])).resolves.toBeDefined();
    await expect(establish(r, undefined, [` ${id.toUpperCase()} `])).resolves.toBeDefined();
    await expect(establish(r, undefined, [cert.canonicalId])).resolves.toBeDefined();
    await expect(establish(r, undefined, ['00'.repeat(32)])).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: `could not validate the path to a trusted root: unable to match any certificates to the pinned root key IDs (root has ${id}); check the root-key-ids input`,
    });
  });

  it('pins matching none of several certificates name them all, comma-separated', async () => {
    const r = new TestRepo(GUN, NOW);
    const [a, b] = [r.rootKeys[0], r.certKey(GUN)];
    r.rootKeys = [a, b];
    r.signRoot(1);
    const err = await establish(r, undefined, ['00'.repeat(32)]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TUF_ROOT_UNTRUSTED' });
    expect([
      `could not validate the path to a trusted root: unable to match any certificates to the pinned root key IDs (root has ${a.id}, ${b.id}); check the root-key-ids input`,
      `could not validate the path to a trusted root: unable to match any certificates to the pinned root key IDs (root has ${b.id}, ${a.id}); check the root-key-ids input`,
    ]).toContain((err as Error).message);
  });

  it('a pinned certificate that did not sign the root → TUF_ROOT_UNTRUSTED, with its cause', async () => {
    const r = new TestRepo(GUN, NOW);
    const signer = r.rootKeys[0];
    const other = r.certKey(GUN);
    r.rootKeys = [signer, other];
    r.signRoot(1, [signer]);
    await expect(establish(r, undefined, [signer.id])).resolves.toBeDefined();
    const err = await establish(r, undefined, [other.id]).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringMatching(
        /^could not validate the path to a trusted root: failed to validate integrity of roots \(valid signatures did not meet threshold for root/,
      ) as unknown,
      cause: { code: 'TUF_THRESHOLD' },
    });
  });

  it('a final root signed by the old keys but not its own → TUF_ROOT_UNTRUSTED, not a rotation error', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    const old = r.rootKeys;
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(2, old);
    const err = await establish(r, trusted).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining('failed to validate integrity of roots') as unknown,
    });
  });

  it('errors without an underlying one carry no cause', async () => {
    const r = new TestRepo(GUN, NOW);
    const trusted = cache(r);
    const noKeys = new TestRepo(GUN, NOW);
    noKeys.signRoot(1, noKeys.rootKeys, (root) => (root.roles['root'].keyids = []));
    const untrusted = await establish(noKeys).catch((e: unknown) => e);
    expect(untrusted).toMatchObject({ code: 'TUF_ROOT_UNTRUSTED' });
    expect(untrusted).not.toHaveProperty('cause');
    r.rootKeys = [r.certKey(GUN)];
    r.signRoot(1);
    const rotation = await establish(r, trusted).catch((e: unknown) => e);
    expect(rotation).toMatchObject({ code: 'TUF_ROOT_ROTATION' });
    expect(rotation).not.toHaveProperty('cause');
  });
});
