import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  verify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../src/keys/encrypt.js';
import { sign, signatureMethod } from '../../src/keys/sign.js';

const msg = Buffer.from('{"signed":{"_type":"Targets"}}');

function ec(curve: string): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
}

describe('sign', () => {
  it.each([
    ['P-256', 32],
    ['P-384', 48],
    ['P-521', 66],
  ])('ecdsa %s: raw r‖s of 2×%i bytes over SHA-256', (curve, size) => {
    const key = ec(curve);
    const { method, sig } = sign(key, msg);
    expect(method).toBe('ecdsa');
    expect(sig.length).toBe(2 * size);
    const pub = createPublicKey(key);
    expect(verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    // not DER, and not another digest
    let derOk: boolean;
    try {
      derOk = verify('sha256', msg, { key: pub, dsaEncoding: 'der' }, sig);
    } catch {
      derOk = false;
    }
    expect(derOk).toBe(false);
    expect(verify('sha384', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(false);
  });

  it('rsapss: PSS, SHA-256, MGF1-SHA256, salt 32', () => {
    const key = generateKey('rsa');
    const { method, sig } = sign(key, msg);
    expect(method).toBe('rsapss');
    expect(sig.length).toBe(256);
    const pub = createPublicKey(key);
    const pss = (saltLength: number) =>
      verify(
        'sha256',
        msg,
        { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        sig,
      );
    expect(pss(32)).toBe(true);
    expect(pss(20)).toBe(false);
    expect(verify('sha256', msg, pub, sig)).toBe(false); // not PKCS#1 v1.5
  });

  it('eddsa: plain Ed25519, 64 bytes', () => {
    const key = generateKey('ed25519');
    const { method, sig } = sign(key, msg);
    expect(method).toBe('eddsa');
    expect(sig.length).toBe(64);
    expect(verify(null, msg, createPublicKey(key), sig)).toBe(true);
    expect(verify(null, Buffer.from('other'), createPublicKey(key), sig)).toBe(false);
  });

  it('refuses key types notary has no method for', () => {
    expect(() => signatureMethod(generateKeyPairSync('x25519').privateKey)).toThrow(TypeError);
  });
});
