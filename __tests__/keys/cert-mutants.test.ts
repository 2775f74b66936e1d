/**
 * cert.ts at its edges, against the mutants StrykerJS left alive: the signature algorithm and
 * hash each curve takes (P-384 with SHA-384, P-521 with SHA-512, RSA with a NULL parameter),
 * P-224 and public keys refused by name, and every character PrintableString allows.
 */
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootCertificate } from '../../src/keys/cert.js';
import { children, oidOf } from '../../src/keys/der.js';
import { expectDctError, parseDer } from './helpers.js';

const NOW = new Date('2026-12-02T10:11:12.999Z');
const GUN = 'registry.example.com/app';

function sigAlg(pem: string): { oid: string; params: number } {
  const [tbs, alg] = children(parseDer(new X509Certificate(pem).raw));
  const inner = children(children(tbs)[2]);
  expect(children(alg).map((n) => n.raw.toString('hex'))).toEqual(
    inner.map((n) => n.raw.toString('hex')),
  );
  return { oid: oidOf(inner[0]), params: inner.length };
}

describe('rootCertificate edges', () => {
  it.each([
    ['P-256', '1.2.840.10045.4.3.2'],
    ['P-384', '1.2.840.10045.4.3.3'],
    ['P-521', '1.2.840.10045.4.3.4'],
  ])('%s: signed with %s, no parameters, and it verifies', (curve, oid) => {
    const key = generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
    const c = rootCertificate(key, GUN, NOW);
    expect(sigAlg(c.pem)).toEqual({ oid, params: 1 });
    const x = new X509Certificate(c.pem);
    expect(x.verify(createPublicKey(key))).toBe(true);
    expect(c.notBefore.toISOString()).toBe('2026-12-02T10:11:12.000Z');
  });

  it('RSA: sha256WithRSAEncryption with a NULL parameter', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const c = rootCertificate(key, GUN, NOW);
    expect(sigAlg(c.pem)).toEqual({ oid: '1.2.840.113549.1.1.11', params: 2 });
  });

  it('refuses P-224 and other key types by name, and public keys', () => {
    const p224 = generateKeyPairSync('ec', { namedCurve: 'P-224' }).privateKey;
    const err = expectDctError(() => rootCertificate(p224, GUN, NOW), 'KEY_UNSUPPORTED');
    expect(err.message).toBe(
      'a root key must be ECDSA (P-256, P-384, P-521) or RSA to carry a certificate; this is an EC key on secp224r1',
    );
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(expectDctError(() => rootCertificate(ed, GUN, NOW), 'KEY_UNSUPPORTED').message).toMatch(
      /; this is a ed25519 key$/,
    );
    const pub = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    expect(() => rootCertificate(pub, GUN, NOW)).toThrow(
      new TypeError('rootCertificate needs the private key'),
    );
  });

  it('PrintableString for every character it allows, UTF8String for any other', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const tag = (cn: string) => {
      const tbs = children(
        children(parseDer(new X509Certificate(rootCertificate(key, cn, NOW).pem).raw))[0],
      );
      return children(children(children(tbs[5])[0])[0])[1].tag;
    };
    expect(tag("Az09 '()+,-./:=?")).toBe(0x13);
    expect(tag('')).toBe(0x13);
    for (const c of ['_', '@', '*', 'é', '!', '"']) expect(tag(`a${c}b`), c).toBe(0x0c);
  });
});
