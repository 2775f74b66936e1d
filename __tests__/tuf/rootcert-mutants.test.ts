/**
 * Root certificate rules at their edges (issue 14: mutants StrykerJS left alive in
 * tuf/rootcert.ts). Go's rules (notary trustpinning/certs.go, utils ValidateCertificate):
 * `tomorrow.Before(NotBefore) || now.After(NotAfter)` is refused, so both instants themselves
 * are accepted; `NotBefore.After(NotAfter)` is an invalid window; a CN ending in `*` has
 * every trailing `*` trimmed (strings.TrimRight) before the prefix test.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DerError,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derTime,
  tlv,
} from '../../src/keys/der.js';
import { keyIdOf, type TufKey } from '../../src/keys/keyid.js';
import { asRoot, type RootMeta } from '../../src/tuf/models.js';
import { matchCnToGun, readCert, validRootCerts } from '../../src/tuf/rootcert.js';
import { addDays } from '../../src/tuf/time.js';
import { makeCertPem, type CertOptions } from './helpers/certs.js';
import { GUN } from './helpers/fixtures.js';
import { newKey } from './helpers/repo.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

function opts(extra: Partial<CertOptions> = {}): CertOptions {
  return {
    key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    cn: GUN,
    notBefore: addDays(NOW, -1),
    notAfter: addDays(NOW, 30),
    ...extra,
  };
}

function rootOf(bundles: string[], roles?: RootMeta['roles']): RootMeta {
  const keys: Record<string, TufKey> = {};
  const ids = bundles.map((pem) => {
    const k: TufKey = {
      keytype: 'ecdsa-x509',
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
    roles: roles ?? {
      root: role(ids),
      targets: role([other.id]),
      snapshot: role([other.id]),
      timestamp: role([other.id]),
    },
    version: 1,
  });
}

const verdict = (pem: string, now = NOW) => validRootCerts(rootOf([pem]), GUN, now, true);

describe('matchCnToGun: trailing stars', () => {
  it('trims every trailing * (a/** matches a/b)', () => {
    expect(matchCnToGun('registry.example.com/**', GUN)).toBe(true);
  });
  it('trims only trailing stars: a * inside the CN is literal', () => {
    expect(matchCnToGun('reg*try*', 'reg*try/x')).toBe(true);
    expect(matchCnToGun('reg*try*', 'regtry/x')).toBe(false);
  });
});

describe('validRootCerts edges', () => {
  it('accepts a certificate at the exact instant it expires, refuses one a millisecond later', () => {
    const pem = makeCertPem(opts());
    const { notAfter } = readCert(Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64'));
    expect(verdict(pem, notAfter).rejected).toEqual([]);
    expect(verdict(pem, new Date(notAfter.getTime() + 1)).rejected).toEqual([
      expect.stringMatching(/^key [0-9a-f]+: the certificate expired at /),
    ]);
  });

  it('accepts notBefore exactly one day ahead, refuses it a second earlier (certificate times are whole seconds)', () => {
    const notBefore = addDays(NOW, 1);
    const pem = makeCertPem(opts({ notBefore }));
    expect(verdict(pem).rejected).toEqual([]);
    expect(verdict(pem, new Date(NOW.getTime() - 1000)).rejected).toEqual([
      expect.stringMatching(/the certificate is not valid before /),
    ]);
    expect(notBefore.getTime() - NOW.getTime()).toBe(DAY_MS);
  });

  it('accepts a validity window of one instant (notBefore equal to notAfter)', () => {
    const pem = makeCertPem(opts({ notBefore: NOW, notAfter: NOW }));
    expect(verdict(pem).rejected).toEqual([]);
  });

  it('names the last CN of the subject, not its last attribute', () => {
    const pem = makeCertPem(opts({ org: GUN + '-org' }));
    const { valid, rejected } = verdict(pem);
    expect(rejected).toEqual([]);
    expect([...valid.values()][0].cn).toBe(GUN);
  });

  it('a subject without CN has the empty CN, which matches no GUN', () => {
    expect(verdict(makeCertPem(opts({ noCn: true }))).rejected).toEqual([
      expect.stringMatching(/: CN "" does not match "/),
    ]);
  });

  it('reads a v1 certificate (no version field) like a v3 one', () => {
    const { valid, rejected } = verdict(makeCertPem(opts({ v1: true })));
    expect(rejected).toEqual([]);
    expect([...valid.values()][0].cn).toBe(GUN);
  });

  it.each([
    ['sha1WithRSAEncryption', '1.2.840.113549.1.1.5'],
    ['dsa-with-sha1', '1.2.840.10040.4.3'],
    ['ecdsa-with-SHA1', '1.2.840.10045.4.1'],
    ['sha1WithRSA (OIW)', '1.3.14.3.2.29'],
  ])('refuses a certificate signed with %s', (_name, sigAlgOid) => {
    expect(verdict(makeCertPem(opts({ sigAlgOid }))).rejected).toEqual([
      expect.stringMatching(/: the certificate is signed with SHA1$/),
    ]);
  });

  it('a bundle with no certificate block says so', () => {
    expect(verdict('no PEM here\n').rejected).toEqual([
      expect.stringMatching(/^key [0-9a-f]+: no certificate$/),
    ]);
  });
});

describe('readCert names the part that does not parse', () => {
  const alg = derSequence(derOid('1.2.840.10045.4.3.2'));
  const name = derSequence(tlv(0x31, derSequence(derOid('2.5.4.3'), derOctets(Buffer.from('x')))));
  const validity = derSequence(derTime(new Date(0)), derTime(new Date(1000)));
  const cert = (parts: { validity?: Buffer; subject?: Buffer }) =>
    derSequence(
      derSequence(
        derSmallInt(1),
        alg,
        name,
        parts.validity ?? validity,
        parts.subject ?? name,
        derSequence(),
      ),
      alg,
    );
  const junk = derOctets(Buffer.from([1]));

  it.each([
    ['the validity', cert({ validity: junk }), 'DER: expected Validity'],
    ['the subject', cert({ subject: junk }), 'DER: expected Name'],
    [
      'an attribute',
      cert({ subject: derSequence(tlv(0x31, junk)) }),
      'DER: expected AttributeTypeAndValue',
    ],
    [
      'notBefore',
      cert({ validity: derSequence(junk, derTime(new Date(0))) }),
      'DER: expected notBefore',
    ],
    [
      'notAfter',
      cert({ validity: derSequence(derTime(new Date(0)), junk) }),
      'DER: expected notAfter',
    ],
  ])('%s', (_, der, message) => {
    expect(() => readCert(der)).toThrow(new DerError(message));
  });

  it('reads a well-formed one', () => {
    expect(readCert(cert({}))).toEqual({
      sigAlg: '1.2.840.10045.4.3.2',
      cn: 'x',
      notBefore: new Date(0),
      notAfter: new Date(1000),
    });
  });
});
