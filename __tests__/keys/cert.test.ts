import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootCertificate, ROOT_CERT_DAYS } from '../../src/keys/cert.js';
import { children } from '../../src/keys/der.js';
import { parseDer } from './helpers.js';
import { canonicalKeyId, keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { validRootCerts } from '../../src/tuf/rootcert.js';
import type { RootMeta } from '../../src/tuf/models.js';

const NOW = new Date('2026-12-02T10:11:12.345Z');
const GUN = 'registry.example.com:5000/team/app';
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

/** The extensions of a certificate's TBSCertificate, as raw DER. */
function extensions(pem: string): Buffer[] {
  const cert = new X509Certificate(pem);
  const tbs = children(parseDer(cert.raw))[0];
  const ext = children(tbs).find((n) => n.tag === 0xa3)!;
  return children(children(ext)[0]).map((n) => n.raw);
}

describe('rootCertificate (notary-spec.md §2)', () => {
  it('is a self-signed leaf for CN=GUN valid for 10×365 days from now', () => {
    const key = ec();
    const c = rootCertificate(key, GUN, NOW);
    const cert = new X509Certificate(c.pem);
    expect(cert.subject).toBe(`CN=${GUN}`);
    expect(cert.issuer).toBe(`CN=${GUN}`);
    expect(cert.ca).toBe(false);
    expect(cert.verify(createPublicKey(key))).toBe(true);
    expect(c.notBefore.toISOString()).toBe('2026-12-02T10:11:12.000Z');
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(ROOT_CERT_DAYS * 86_400_000);
    expect(new Date(cert.validTo).getTime()).toBe(c.notAfter.getTime());
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.3']); // codeSigning
    expect(c.pem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
    );
  });

  it('writes the extensions Go writes: KeyUsage, ExtKeyUsage, BasicConstraints, no key identifiers', () => {
    const ext = extensions(rootCertificate(ec(), GUN, NOW).pem).map((b) => b.toString('hex'));
    expect(ext).toEqual([
      '300e0603551d0f0101ff0404030205a0', // critical, digitalSignature | keyEncipherment
      '30130603551d25040c300a06082b06010505070303', // codeSigning
      '300c0603551d130101ff04023000', // critical, CA:FALSE
    ]);
  });

  it('names the certificate key and the plain key as notary does', () => {
    const key = ec();
    const c = rootCertificate(key, GUN, NOW);
    expect(c.tufKey.keytype).toBe('ecdsa-x509');
    expect(Buffer.from(c.tufKey.keyval.public, 'base64').toString()).toBe(c.pem);
    expect(c.keyId).toBe(keyIdOf(c.tufKey));
    expect(c.canonicalId).toBe(keyIdOf(tufKeyFromKeyObject(key)));
    expect(canonicalKeyId(c.tufKey)).toBe(c.canonicalId);
    const root = {
      roles: { root: { keyids: [c.keyId], threshold: 1 } },
      keys: { [c.keyId]: c.tufKey },
    } as unknown as RootMeta;
    const { valid, rejected } = validRootCerts(root, GUN, NOW, true);
    expect(rejected).toEqual([]);
    expect(valid.get(c.keyId)?.canonicalId).toBe(c.canonicalId);
  });

  it('uses PrintableString for the CN when it can, UTF8String otherwise (an underscore)', () => {
    const tag = (gun: string) => {
      const der = new X509Certificate(rootCertificate(ec(), gun, NOW).pem).raw;
      const tbs = children(children(parseDer(der))[0]);
      const atv = children(children(children(tbs[5])[0])[0]);
      return atv[1].tag;
    };
    expect(tag(GUN)).toBe(0x13);
    expect(tag('r.io/team_x/app')).toBe(0x0c);
  });

  it('gives each certificate a random positive serial', () => {
    const key = ec();
    const serials = new Set(
      Array.from(
        { length: 20 },
        () => new X509Certificate(rootCertificate(key, GUN, NOW).pem).serialNumber,
      ),
    );
    expect(serials.size).toBe(20);
  });

  it('signs RSA roots with sha256WithRSA and refuses keys that cannot carry a certificate', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const c = rootCertificate(rsa, GUN, NOW);
    expect(c.tufKey.keytype).toBe('rsa-x509');
    expect(new X509Certificate(c.pem).verify(createPublicKey(rsa))).toBe(true);
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => rootCertificate(ed, GUN, NOW)).toThrow(/ECDSA .* or RSA .*ed25519/);
  });
});
