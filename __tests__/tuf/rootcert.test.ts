import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalKeyId, keyIdOf, type TufKey } from '../../src/keys/keyid.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, type RootMeta } from '../../src/tuf/models.js';
import { matchCnToGun, pemCertificates, validRootCerts } from '../../src/tuf/rootcert.js';
import { addDays } from '../../src/tuf/time.js';
import { certKeyIdsOf, makeCertPem, type CertOptions } from './helpers/certs.js';
import { FIXTURE_NOW, fixtureFiles, GUN } from './helpers/fixtures.js';
import { newKey } from './helpers/repo.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const ecKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

function certOpts(extra: Partial<CertOptions> = {}): CertOptions {
  return {
    key: ecKey(),
    cn: GUN,
    notBefore: addDays(NOW, -1),
    notAfter: addDays(NOW, 3650),
    ...extra,
  };
}

function rootWith(pems: string[], keytype = 'ecdsa-x509'): RootMeta {
  const keys: Record<string, TufKey> = {};
  const ids = pems.map((pem) => {
    const k: TufKey = {
      keytype,
      keyval: { private: null, public: Buffer.from(pem).toString('base64') },
    };
    keys[keyIdOf(k)] = k;
    return keyIdOf(k);
  });
  const other = newKey('ecdsa');
  keys[other.id] = other.tuf;
  const role = (keyids: string[]) => ({ keyids, threshold: 1 });
  return asRoot({
    _type: 'Root',
    consistent_snapshot: false,
    expires: '2040-01-01T00:00:00Z',
    keys,
    roles: {
      root: role(ids),
      targets: role([other.id]),
      snapshot: role([other.id]),
      timestamp: role([other.id]),
    },
    version: 1,
  });
}

function check(pems: string[], now = NOW, checkExpiry = true, keytype?: string) {
  return validRootCerts(rootWith(pems, keytype), GUN, now, checkExpiry);
}

describe('matchCnToGun', () => {
  it('is exact unless the CN ends in *', () => {
    expect(matchCnToGun(GUN, GUN)).toBe(true);
    expect(matchCnToGun(`${GUN}x`, GUN)).toBe(false);
    expect(matchCnToGun('registry.example.com/tuf/*', GUN)).toBe(true);
    expect(matchCnToGun('registry.example.com/*', GUN)).toBe(true);
    expect(matchCnToGun('*', GUN)).toBe(true);
    expect(matchCnToGun('registry.example.com/other/*', GUN)).toBe(false);
    expect(matchCnToGun('registry.example.com/tuf', `${GUN}`)).toBe(false);
  });
});

describe('validRootCerts (notary-spec.md §2, §7.3)', () => {
  it('accepts the real root certificate and reads its dates like OpenSSL', () => {
    const root = parseEnvelope(fixtureFiles('repo').get('root')!, 'root', asRoot).signed;
    const { valid, rejected } = validRootCerts(root, GUN, FIXTURE_NOW, true);
    expect(rejected).toEqual([]);
    const [id] = certKeyIdsOf(root);
    const cert = valid.get(id)!;
    const x509 = new X509Certificate(Buffer.from(root.keys[id].keyval.public, 'base64'));
    expect(cert.notAfter).toEqual(new Date(x509.validTo));
    expect(cert.notBefore).toEqual(new Date(x509.validFrom));
    expect(x509.subject).toBe(`CN=${cert.cn}`);
    expect(cert.canonicalId).toBe(canonicalKeyId(root.keys[id]));
  });

  it('accepts a certificate of ours for the GUN', () => {
    const { valid, rejected } = check([makeCertPem(certOpts())]);
    expect(rejected).toEqual([]);
    expect(valid.size).toBe(1);
  });

  it.each([
    [
      'another CN',
      () => certOpts({ cn: 'registry.example.com/tuf/other' }),
      /CN "registry.example.com\/tuf\/other" does not match/,
    ],
    ['a CA certificate', () => certOpts({ ca: true }), /exactly one non-CA certificate/],
    ['SHA1 signature', () => certOpts({ hash: 'sha1' }), /SHA1/],
    [
      'expired',
      () => certOpts({ notBefore: addDays(NOW, -20), notAfter: addDays(NOW, -1) }),
      /expired at/,
    ],
    [
      'notBefore more than a day ahead',
      () => certOpts({ notBefore: addDays(NOW, 1.1) }),
      /not valid before/,
    ],
    [
      'notAfter before notBefore',
      () => certOpts({ notBefore: addDays(NOW, -1), notAfter: addDays(NOW, -2) }),
      /validity window/,
    ],
  ])('refuses %s', (_name, opts, why) => {
    const { valid, rejected } = check([makeCertPem(opts())]);
    expect(valid.size).toBe(0);
    expect(rejected).toEqual([expect.stringMatching(why)]);
  });

  it('allows notBefore up to a day ahead', () => {
    expect(check([makeCertPem(certOpts({ notBefore: addDays(NOW, 0.9) }))]).valid.size).toBe(1);
  });

  it('ignores expiry when asked (a previous root during rotation)', () => {
    const old = makeCertPem(certOpts({ notBefore: addDays(NOW, -20), notAfter: addDays(NOW, -1) }));
    expect(check([old], NOW, false).valid.size).toBe(1);
  });

  it('RSA: 2048 bits accepted as rsa-x509, 1024 refused', () => {
    const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
    expect(
      check([makeCertPem(certOpts({ key: rsa(2048) }))], NOW, true, 'rsa-x509').valid.size,
    ).toBe(1);
    expect(
      check([makeCertPem(certOpts({ key: rsa(1024) }))], NOW, true, 'rsa-x509').rejected,
    ).toEqual([expect.stringMatching(/shorter than 2048/)]);
  });

  it('bundles: leaf first plus a CA is fine; CA first or two leaves is not', () => {
    const leaf = makeCertPem(certOpts());
    const ca = makeCertPem(certOpts({ cn: 'some CA', ca: true }));
    expect(check([leaf + ca]).valid.size).toBe(1);
    expect(check([ca + leaf]).valid.size).toBe(0);
    expect(check([leaf + makeCertPem(certOpts())]).valid.size).toBe(0);
  });

  it('refuses plain keys and garbage in the root role', () => {
    const k = newKey('ecdsa');
    const root = rootWith([]);
    root.keys[k.id] = k.tuf;
    root.roles['root'] = { keyids: [k.id, 'f'.repeat(64)], threshold: 1 };
    expect(validRootCerts(root, GUN, NOW, true).rejected).toEqual([
      expect.stringMatching(/ecdsa key is not a certificate/),
      expect.stringMatching(/missing from root keys/),
    ]);
    expect(certKeyIdsOf(root)).toEqual([]);
    expect(
      check(['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']).rejected,
    ).toEqual([expect.stringMatching(/does not parse/)]);
  });

  it('pemCertificates refuses other PEM blocks, even around a certificate (as Go does)', () => {
    const pem = makeCertPem(certOpts());
    expect(pemCertificates(pem)).toHaveLength(1);
    const relabelled = pem.replace(/ CERTIFICATE-----/g, ' TRUSTED CERTIFICATE-----');
    expect(() => pemCertificates(relabelled)).toThrow('unexpected PEM block TRUSTED CERTIFICATE');
    expect(check([relabelled]).rejected).toEqual([expect.stringMatching(/does not parse$/)]);
    expect(check([pem]).rejected).toEqual([]);
  });
});
