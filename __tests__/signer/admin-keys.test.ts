import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDctError } from '../../src/errors.js';
import { encodePem } from '../../src/keys/pem.js';
import { parseRepositoryRef } from '../../src/registry/reference.js';
import { parseSignerKeys, validateSignerName } from '../../src/signer/admin/index.js';
import {
  addDelegationKeys,
  deleteDelegation,
  hasDelegationKeys,
  removeDelegationKeys,
} from '../../src/signer/admin/delegations.js';
import { fromKeyRing } from '../../src/signer/admin/images.js';
import { blankTargets } from '../../src/tuf/models.js';
import { makeCertPem } from '../tuf/helpers/certs.js';
import { makeKey, pubFile, ringOf } from './admin-helpers.js';

const NOW = new Date('2026-12-02T00:00:00Z');
const DAY = 86_400_000;
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isDctError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

function cert(opts: Partial<Parameters<typeof makeCertPem>[0]> = {}) {
  return makeCertPem({
    key: ec(),
    cn: 'alice',
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 365 * DAY),
    ...opts,
  });
}

describe('validateSignerName (docker: ^[a-z0-9][a-z0-9_-]*$, not releases)', () => {
  it.each(['ci', 'a', '0', 'team_a-1'])('accepts %s', (n) => {
    expect(() => validateSignerName(n)).not.toThrow();
  });
  it.each(['', 'Ci', '-ci', '_ci', 'c i', 'targets/ci', 'ci/x', 'é', 'x'.repeat(201)])(
    'refuses %j',
    (n) => expect(code(() => validateSignerName(n))).toMatch(/^SIGNER_NAME_INVALID: signer name/),
  );
  it('refuses releases, saying it is reserved', () => {
    expect(code(() => validateSignerName('releases'))).toMatch(
      /releases is a reserved signer name/,
    );
  });
});

describe('parseSignerKeys', () => {
  it('reads NAME.pub as docker trust key generate writes it (role header)', () => {
    const k = makeKey('alice');
    const [key] = parseSignerKeys(pubFile(k), 'alice.pub', NOW);
    expect(key).toMatchObject({ id: k.id, canonicalId: k.id, role: 'alice', source: 'alice.pub' });
    expect(key.tufKey.keytype).toBe('ecdsa');
  });

  it('reads a certificate as an ecdsa-x509 key whose canonical ID is the key inside', () => {
    const key = ec();
    const pem = makeCertPem({
      key,
      cn: 'alice',
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + DAY),
    });
    const [k] = parseSignerKeys(pem, 'alice.crt', NOW);
    expect(k.tufKey.keytype).toBe('ecdsa-x509');
    expect(k.id).not.toBe(k.canonicalId);
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(k.canonicalId).toBe(makeKeyId(spki));
    expect(k.notAfter?.getTime()).toBe(NOW.getTime() + DAY);
  });

  it('keeps several keys, once each, and a certificate over its own public key', () => {
    const a = makeKey('a');
    const b = makeKey('b');
    expect(
      parseSignerKeys(pubFile(a) + pubFile(b) + pubFile(a), 'keys', NOW).map((k) => k.id),
    ).toEqual([a.id, b.id]);
    const key = ec();
    const pub = encodePem({
      type: 'PUBLIC KEY',
      headers: {},
      der: createPublicKey(key).export({ type: 'spki', format: 'der' }),
    });
    const both = parseSignerKeys(pub + cert({ key }), 'ci', NOW);
    expect(both.map((k) => k.tufKey.keytype)).toEqual(['ecdsa-x509']);
  });

  it.each([
    [
      'a private key',
      () => makeKey('ci').pem,
      /^SIGNER_KEY_PRIVATE: ci.pub holds a private key; a signer is added with its public key/,
    ],
    [
      'a certificate for another key',
      () => cert() + pubFile(makeKey('ci')),
      /^SIGNER_KEY_MISMATCH: ci.pub: the certificate is for key \w{7} but the public key beside it is \w{7}/,
    ],
    [
      'an expired certificate',
      () =>
        cert({
          notAfter: new Date(NOW.getTime() - DAY),
          notBefore: new Date(NOW.getTime() - 9 * DAY),
        }),
      /^SIGNER_KEY_EXPIRED: the certificate in ci.pub \(CN "alice"\) expired at 2026-12-01/,
    ],
    [
      'a certificate not valid yet',
      () => cert({ notBefore: new Date(NOW.getTime() + 3 * DAY) }),
      /^SIGNER_KEY_EXPIRED: .*is not valid before 2026-12-05/,
    ],
    [
      'a CA certificate',
      () => cert({ ca: true }),
      /^SIGNER_KEY_INVALID: ci.pub is a CA certificate/,
    ],
    [
      'a SHA1 certificate',
      () => cert({ hash: 'sha1' }),
      /^SIGNER_KEY_INVALID: ci.pub is a certificate signed with SHA1/,
    ],
    [
      'an Ed25519 key',
      () =>
        encodePem({
          type: 'PUBLIC KEY',
          headers: {},
          der: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }),
        }),
      /^SIGNER_KEY_INVALID: ci.pub holds a ed25519 key; signer keys are ECDSA/,
    ],
    [
      'a short RSA key',
      () =>
        encodePem({
          type: 'PUBLIC KEY',
          headers: {},
          der: generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
            type: 'spki',
            format: 'der',
          }),
        }),
      /^SIGNER_KEY_INVALID: ci.pub holds a 1024-bit RSA key/,
    ],
    ['no PEM at all', () => 'ssh-ed25519 AAAA', /^SIGNER_KEY_INVALID: ci.pub holds no PEM block/],
    [
      'another block type',
      () => '-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n',
      /^SIGNER_KEY_INVALID: ci.pub holds a FOO block/,
    ],
    [
      'a broken public key',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      /^SIGNER_KEY_INVALID: ci.pub holds a PUBLIC KEY block that does not parse/,
    ],
  ])('refuses %s with one clear line', (_what, text, expected) => {
    const t = text();
    const msg = code(() => parseSignerKeys(t, 'ci.pub', NOW));
    expect(msg).toMatch(expected);
    expect(msg).not.toContain('\n');
    // Nothing of a private key is echoed.
    for (const line of t.split('\n').filter((l) => /^[A-Za-z0-9+/=]{20,}$/.test(l))) {
      expect(msg).not.toContain(line);
    }
  });
});

/** The key ID of notary-spec.md §2, written out independently of src/keys/keyid.ts. */
function makeKeyId(spkiB64: string): string {
  const canonical = `{"keytype":"ecdsa","keyval":{"private":null,"public":"${spkiB64}"}}`;
  return createHash('sha256').update(canonical).digest('hex');
}

describe('delegation edits (notary delegationUpdateVisitor, DeleteDelegation)', () => {
  const keysOf = (...names: string[]) =>
    names.flatMap((n) => parseSignerKeys(pubFile(makeKey(n)), n, NOW));

  it('creates targets/NAME then targets/releases, threshold 1, paths [""]', () => {
    const t = blankTargets(0);
    const [a] = keysOf('a');
    addDelegationKeys(t, 'targets/a', [a]);
    addDelegationKeys(t, 'targets/releases', [a]);
    expect(t.delegations.roles).toEqual([
      { keyids: [a.id], name: 'targets/a', paths: [''], threshold: 1 },
      { keyids: [a.id], name: 'targets/releases', paths: [''], threshold: 1 },
    ]);
    expect(Object.keys(t.delegations.keys)).toEqual([a.id]);
    expect(hasDelegationKeys(t, 'targets/releases', [a.id])).toBe(true);
  });

  it('extends an existing role: keys appended once, "" added to its paths, threshold kept', () => {
    const t = blankTargets(3);
    const [a, b] = keysOf('a', 'b');
    t.delegations.roles.push({
      keyids: [a.id],
      name: 'targets/releases',
      paths: ['prod-'],
      threshold: 2,
    });
    t.delegations.keys[a.id] = a.tufKey;
    addDelegationKeys(t, 'targets/releases', [a, b]);
    expect(t.delegations.roles[0]).toEqual({
      keyids: [a.id, b.id],
      name: 'targets/releases',
      paths: ['prod-', ''],
      threshold: 2,
    });
    removeDelegationKeys(t, 'targets/releases', [a.id]);
    expect(t.delegations.roles[0].keyids).toEqual([b.id]);
    deleteDelegation(t, 'targets/releases');
    expect(t.delegations.roles).toEqual([]);
  });
});

describe('parseRepositoryRef', () => {
  it('takes names with or without a tag, as docker trust commands do', () => {
    expect(parseRepositoryRef('alpine')).toMatchObject({ gun: 'docker.io/library/alpine' });
    expect(parseRepositoryRef('r.io:5000/team/app:1.0')).toMatchObject({
      gun: 'r.io:5000/team/app',
      tag: '1.0',
    });
    expect(parseRepositoryRef('r.io/team/app').tag).toBeUndefined();
  });
  it.each(['', 'r.io/UPPER', 'r.io/app@sha256:' + 'a'.repeat(64)])(
    'refuses %j naming the repository',
    (s) => {
      expect(code(() => parseRepositoryRef(s))).toMatch(
        /^REPOSITORY_INVALID: invalid repository name/,
      );
    },
  );
});

describe('fromKeyRing: a new repository from the action’s keys', () => {
  const GUN = 'r.io/team/app';
  it('takes the root key and the repository key for this GUN', async () => {
    const root = makeKey('root');
    const other = makeKey('targets', 'r.io/other');
    const mine = makeKey('targets', GUN);
    const src = fromKeyRing(ringOf(other, root, mine), GUN);
    expect((await src.rootKey()).equals(root.key)).toBe(true);
    expect((await src.repositoryKey()).equals(mine.key)).toBe(true);
  });
  it('says which key is missing', () => {
    const src = fromKeyRing(ringOf(makeKey('targets', 'r.io/other')), GUN);
    expect(code(() => src.rootKey())).toMatch(
      /^ROOT_KEY_MISSING: r.io\/team\/app has no trust data yet; to create it, `keys` must hold a root key \(opened with `root-passphrase`\)/,
    );
    expect(code(() => src.repositoryKey())).toMatch(
      /^REPOSITORY_KEY_MISSING: .*`gun: r.io\/team\/app`.*the targets keys given are for r.io\/other/,
    );
  });
});
