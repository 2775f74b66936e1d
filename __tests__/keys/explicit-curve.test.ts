/**
 * An `ecdsa` key whose SPKI spells out the curve's parameters instead of naming it: Node reads
 * it (as prime256v1), Go's x509.ParsePKIXPublicKey does not (it takes a named curve's OID
 * only), so notary refuses every signature by such a key. So must we. Likewise an
 * `ecdsa-x509` certificate that certifies such a key: Go's x509.ParseCertificate refuses it.
 */
import { createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  certTufKey,
  keyIdOf,
  publicKeyOf,
  tufKeyFromKeyObject,
  type TufKey,
} from '../../src/keys/keyid.js';
import { validRootCerts } from '../../src/tuf/rootcert.js';
import { asRoot } from '../../src/tuf/models.js';
import { verifyOne } from '../../src/tuf/verify.js';
import { explicitP256Spki, makeCertPem } from '../tuf/helpers/certs.js';

describe('an ecdsa key with explicit curve parameters', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let named: TufKey;
  let spki: Buffer;
  let explicit: TufKey;
  const message = Buffer.from('{"_type":"Targets"}');
  const sig = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  beforeEach(() => {
    named = tufKeyFromKeyObject(privateKey);
    spki = explicitP256Spki(privateKey);
    explicit = {
      keytype: 'ecdsa',
      keyval: { private: null, public: spki.toString('base64') },
    };
  });

  it('is the same key to Node, so only the encoding differs', () => {
    const node = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(node.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(node.export({ format: 'jwk' })).toEqual(
      createPublicKey(privateKey).export({ format: 'jwk' }),
    );
  });

  it('is refused as a key, and its signatures do not count (the named form does)', () => {
    expect(() => publicKeyOf(explicit)).toThrow(/named curve/);
    expect(verifyOne(message, 'ecdsa', sig, explicit)).toBe(false);
    expect(verifyOne(message, 'ecdsa', sig, named)).toBe(true);
    expect(keyIdOf(explicit)).not.toBe(keyIdOf(named));
  });
});

describe('an ecdsa-x509 certificate of a key with explicit curve parameters', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const GUN = 'registry.example.com/app';
  const now = new Date();
  const cert = (spki?: Buffer) =>
    makeCertPem({
      key: privateKey,
      cn: GUN,
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + 365 * 86_400_000),
      spki,
    });
  let named: TufKey;
  let explicit: TufKey;
  beforeEach(() => {
    named = certTufKey(cert(), privateKey);
    explicit = certTufKey(cert(explicitP256Spki(privateKey)), privateKey);
  });
  const message = Buffer.from('{"_type":"Root"}');
  const sig = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });

  it('holds the same key to Node, and is refused as a key: its signatures do not count', () => {
    expect(explicit.keytype).toBe('ecdsa-x509');
    expect(
      new X509Certificate(Buffer.from(explicit.keyval.public, 'base64')).publicKey.export({
        format: 'jwk',
      }),
    ).toEqual(createPublicKey(privateKey).export({ format: 'jwk' }));
    expect(() => publicKeyOf(explicit)).toThrow(/named curve/);
    expect(verifyOne(message, 'ecdsa', sig, explicit)).toBe(false);
    expect(verifyOne(message, 'ecdsa', sig, named)).toBe(true);
  });

  it('is not a usable root certificate (the named form is)', () => {
    const root = (k: TufKey) =>
      asRoot({
        _type: 'Root',
        consistent_snapshot: false,
        expires: '2040-01-01T00:00:00Z',
        keys: { [keyIdOf(k)]: k },
        roles: Object.fromEntries(
          ['root', 'targets', 'snapshot', 'timestamp'].map((r) => [
            r,
            { keyids: [keyIdOf(k)], threshold: 1 },
          ]),
        ),
        version: 1,
      });
    const bad = validRootCerts(root(explicit), GUN, now, true);
    expect(bad.valid.size).toBe(0);
    expect(bad.rejected).toEqual([
      `key ${keyIdOf(explicit).slice(0, 7)}: its key is not usable: DER: expected a named curve`,
    ]);
    const good = validRootCerts(root(named), GUN, now, true);
    expect([...good.valid.keys()]).toEqual([keyIdOf(named)]);
    expect(good.rejected).toEqual([]);
  });
});
