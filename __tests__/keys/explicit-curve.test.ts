/**
 * An `ecdsa` key whose SPKI spells out the curve's parameters instead of naming it: Node reads
 * it (as prime256v1), Go's x509.ParsePKIXPublicKey does not (it takes a named curve's OID
 * only), so notary refuses every signature by such a key. So must we.
 */
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  derBitString,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derUnsigned,
  OID,
} from '../../src/keys/der.js';
import { keyIdOf, publicKeyOf, tufKeyFromKeyObject, type TufKey } from '../../src/keys/keyid.js';
import { verifyOne } from '../../src/tuf/verify.js';

const hex = (h: string) => Buffer.from(h, 'hex');
// P-256 (SEC 2, §2.4.2).
const P = hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const A = hex('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc');
const B = hex('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');
const G = hex(
  '04' +
    '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
    '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
);
const N = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The key's SPKI with ECParameters written out (RFC 3279 §2.3.5) in place of the curve OID. */
function explicitSpki(point: Buffer): Buffer {
  const params = derSequence(
    derSmallInt(1),
    derSequence(derOid('1.2.840.10045.1.1'), derUnsigned(P)),
    derSequence(derOctets(A), derOctets(B)),
    derOctets(G),
    derUnsigned(N),
    derSmallInt(1),
  );
  return derSequence(derSequence(derOid(OID.ecPublicKey), params), derBitString(point));
}

describe('an ecdsa key with explicit curve parameters', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const named = tufKeyFromKeyObject(privateKey);
  // The uncompressed point: the last 65 bytes of the named-curve SPKI.
  const point = Buffer.from(named.keyval.public, 'base64').subarray(-65);
  const spki = explicitSpki(point);
  const explicit: TufKey = {
    keytype: 'ecdsa',
    keyval: { private: null, public: spki.toString('base64') },
  };
  const message = Buffer.from('{"_type":"Targets"}');
  const sig = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });

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
