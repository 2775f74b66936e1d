/**
 * sign.ts at its edges, against the mutants StrykerJS left alive: the refusal message for a
 * key type with no method, RSA PKCS#1 v1.5 as a verify-only method (its own digest, not PSS),
 * PSS with any other salt length refused, a method given in mixed case, and every method
 * refusing a key of another family even when the signature bytes are valid for it.
 */
import { constants, createPublicKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, signatureMethod, verifySignature } from '../../src/keys/sign.js';

const msg = Buffer.from('{"signed":{"_type":"Snapshot"}}');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;

describe('sign.ts edges', () => {
  it('names the key type it cannot sign with', () => {
    expect(() => signatureMethod(generateKeyPairSync('x448').privateKey)).toThrow(
      'cannot sign with a x448 key',
    );
    expect([ec, rsa, ed].map(signatureMethod)).toEqual(['ecdsa', 'rsapss', 'eddsa']);
  });

  it('rsapkcs1v15 verifies SHA-256 PKCS#1 v1.5 only, in any case', () => {
    const pub = createPublicKey(rsa);
    const v15 = nodeSign('sha256', msg, { key: rsa, padding: constants.RSA_PKCS1_PADDING });
    expect(verifySignature('RSAPKCS1V15', pub, msg, v15)).toBe(true);
    expect(verifySignature('rsapss', pub, msg, v15)).toBe(false);
    const sha1 = nodeSign('sha1', msg, rsa);
    expect(verifySignature('rsapkcs1v15', pub, msg, sha1)).toBe(false);
  });

  it('rsapss: salt 32 only, SHA-256 only', () => {
    const pub = createPublicKey(rsa);
    const pss = (hash: string, saltLength: number) =>
      nodeSign(hash, msg, { key: rsa, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    expect(verifySignature('RsaPss', pub, msg, pss('sha256', 32))).toBe(true);
    expect(verifySignature('rsapss', pub, msg, pss('sha256', 20))).toBe(false);
    expect(verifySignature('rsapss', pub, msg, pss('sha256', 222))).toBe(false);
    expect(verifySignature('rsapss', pub, msg, pss('sha384', 32))).toBe(false);
  });

  it('ecdsa: SHA-256 only', () => {
    const pub = createPublicKey(ec);
    const sha384 = nodeSign('sha384', msg, { key: ec, dsaEncoding: 'ieee-p1363' });
    expect(verifySignature('ecdsa', pub, msg, sha384)).toBe(false);
  });

  it('a valid signature under a method of another family is refused', () => {
    const sigs = {
      ecdsa: [createPublicKey(ec), sign(ec, msg).sig],
      rsapss: [createPublicKey(rsa), sign(rsa, msg).sig],
      eddsa: [createPublicKey(ed), sign(ed, msg).sig],
    } as const;
    for (const [method, [pub, sig]] of Object.entries(sigs)) {
      expect(verifySignature(method, pub, msg, sig), method).toBe(true);
      for (const other of ['ecdsa', 'rsapss', 'rsapkcs1v15', 'eddsa']) {
        if (other !== method) expect(verifySignature(other, pub, msg, sig), other).toBe(false);
      }
    }
  });

  it('sign gives DER ECDSA when asked, and raw by default', () => {
    const der = sign(ec, msg, 'der');
    expect(der.method).toBe('ecdsa');
    expect(der.sig[0]).toBe(0x30);
    expect(verifySignature('ecdsa', createPublicKey(ec), msg, der.sig, 'der')).toBe(true);
    // Ed25519 and RSA ignore the ECDSA encoding
    for (const k of [ed, rsa]) {
      const s = sign(k, msg, 'der');
      expect(verifySignature(s.method, createPublicKey(k), msg, s.sig)).toBe(true);
    }
  });
});
