import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../src/keys/encrypt.js';
import { sign, signatureMethod, verifySignature } from '../../src/keys/sign.js';

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

describe('verifySignature: the one dispatch signing and verifying share', () => {
  it.each(['P-224', 'P-256', 'P-384', 'P-521'])('ecdsa %s: what sign makes verifies', (curve) => {
    const key = ec(curve);
    const { method, sig } = sign(key, msg);
    const pub = createPublicKey(key);
    expect(verifySignature(method, pub, msg, sig)).toBe(true);
    expect(verifySignature('ECDSA', pub, msg, sig)).toBe(true); // case-insensitive, as Go
    expect(verifySignature(method, pub, Buffer.from('other'), sig)).toBe(false);
  });

  it('ecdsa: raw needs exactly twice the curve size; der is what cosign writes', () => {
    const key = ec('P-256');
    const pub = createPublicKey(key);
    const raw = sign(key, msg).sig;
    const der = sign(key, msg, 'der').sig;
    expect(der[0]).toBe(0x30);
    expect(verifySignature('ecdsa', pub, msg, der, 'der')).toBe(true);
    expect(verifySignature('ecdsa', pub, msg, der)).toBe(false);
    expect(verifySignature('ecdsa', pub, msg, raw, 'der')).toBe(false);
    expect(verifySignature('ecdsa', pub, msg, Buffer.concat([raw, Buffer.alloc(1)]))).toBe(false);
  });

  it('refuses curves notary does not sign with, even with a valid signature', () => {
    const key = ec('secp256k1');
    const sig = signRaw(key);
    expect(
      verify('sha256', msg, { key: createPublicKey(key), dsaEncoding: 'ieee-p1363' }, sig),
    ).toBe(true);
    const pub = createPublicKey(key);
    expect(verifySignature('ecdsa', pub, msg, sig)).toBe(false);
  });

  it('rsa: pss and pkcs1v15 by method; keys below 2048 bits refused', () => {
    const key = generateKey('rsa');
    const pub = createPublicKey(key);
    const { sig } = sign(key, msg);
    expect(verifySignature('rsapss', pub, msg, sig)).toBe(true);
    expect(verifySignature('rsapkcs1v15', pub, msg, sig)).toBe(false);
    const v15 = nodeSign('sha256', msg, key);
    expect(verifySignature('rsapkcs1v15', pub, msg, v15)).toBe(true);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const smallSig = nodeSign('sha256', msg, {
      key: small,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    expect(
      verify(
        'sha256',
        msg,
        { key: createPublicKey(small), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        smallSig,
      ),
    ).toBe(true);
    expect(verifySignature('rsapss', createPublicKey(small), msg, smallSig)).toBe(false);
  });

  it('a method for another key type, or no method at all, is not valid', () => {
    const ed = generateKey('ed25519');
    const { sig } = sign(ed, msg);
    const pub = createPublicKey(ed);
    expect(verifySignature('eddsa', pub, msg, sig)).toBe(true);
    expect(verifySignature('eddsa', pub, msg, Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
    for (const m of ['ecdsa', 'rsapss', 'constructor', 'toString', '']) {
      expect(verifySignature(m, pub, msg, sig)).toBe(false);
    }
  });
});

function signRaw(key: KeyObject): Buffer {
  return nodeSign('sha256', msg, { key, dsaEncoding: 'ieee-p1363' });
}
