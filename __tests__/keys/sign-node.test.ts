/**
 * sign.ts as Node sees it: the exact options each method hands to Node's sign and verify (no
 * option of another method along, even where Node would ignore it), the length refusals made
 * before Node is asked (Node refuses those lengths too, so only the call shows who refused),
 * and an error thrown by Node taken as an invalid signature, not passed on.
 */
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Call = { algorithm: string | null; options: SignKeyObjectInput; sig?: Uint8Array };

const calls = vi.hoisted(() => ({ sign: [] as Call[], verify: [] as Call[], failVerify: false }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    sign: (algorithm: string | null, data: Uint8Array, options: SignKeyObjectInput) => {
      calls.sign.push({ algorithm, options: { ...options } });
      return real.sign(algorithm, data, options);
    },
    verify: (
      algorithm: string | null,
      data: Uint8Array,
      options: SignKeyObjectInput,
      sig: Uint8Array,
    ) => {
      calls.verify.push({ algorithm, options: { ...options }, sig });
      if (calls.failVerify) throw new Error('OpenSSL failed');
      return real.verify(algorithm, data, options, sig);
    },
  };
});

// The unit files share one module registry per worker (vitest.config.ts, isolate: false):
// sign.ts is loaded afresh here, after the mock above, so it calls the wrapped functions.
vi.resetModules();
const { sign, verifySignature } = await import('../../src/keys/sign.js');

const msg = Buffer.from('{"signed":{"_type":"Timestamp"}}');
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;
const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

beforeEach(() => {
  calls.sign.length = 0;
  calls.verify.length = 0;
  calls.failVerify = false;
});
// Another file in this worker may get the sign.ts loaded here: leave Node's verify working.
afterEach(() => {
  calls.failVerify = false;
});

/** The one call made to Node's `what`, key left out (it is the key given). */
function onlyCall(
  what: 'sign' | 'verify',
  key: KeyObject,
): { algorithm: string | null; options: Omit<SignKeyObjectInput, 'key'> } {
  expect(calls[what]).toHaveLength(1);
  const [{ algorithm, options }] = calls[what];
  const { key: given, ...rest } = options;
  expect(given).toBe(key);
  return { algorithm, options: rest };
}

describe('the options each method gives Node', () => {
  it.each([
    ['ecdsa raw', ec, undefined, { algorithm: 'sha256', options: { dsaEncoding: 'ieee-p1363' } }],
    ['ecdsa der', ec, 'der', { algorithm: 'sha256', options: { dsaEncoding: 'der' } }],
    ['rsapss', rsa, 'der', { algorithm: 'sha256', options: pss }],
    ['eddsa', ed, 'der', { algorithm: null, options: {} }],
  ] as const)('%s: signing and verifying', (_, key, encoding, expected) => {
    const { method, sig } = sign(key, msg, encoding);
    expect(onlyCall('sign', key)).toStrictEqual(expected);
    const pub = createPublicKey(key);
    expect(verifySignature(method, pub, msg, sig, encoding)).toBe(true);
    expect(onlyCall('verify', pub)).toStrictEqual(expected);
  });

  it('rsapkcs1v15: SHA-256 with PKCS#1 v1.5 padding and no salt length', () => {
    const pub = createPublicKey(rsa);
    expect(verifySignature('rsapkcs1v15', pub, msg, Buffer.alloc(256))).toBe(false);
    expect(onlyCall('verify', pub)).toStrictEqual({
      algorithm: 'sha256',
      options: { padding: constants.RSA_PKCS1_PADDING },
    });
  });
});

describe('refused before Node is asked', () => {
  it('a raw ECDSA signature not exactly twice the curve size', () => {
    const pub = createPublicKey(ec);
    const raw = sign(ec, msg).sig;
    expect(raw).toHaveLength(96);
    for (const bad of [
      raw.subarray(0, 95),
      Buffer.concat([raw, Buffer.alloc(1)]),
      raw.subarray(0, 64),
    ]) {
      expect(verifySignature('ecdsa', pub, msg, bad)).toBe(false);
    }
    expect(calls.verify).toHaveLength(0);
    // DER has no fixed length: any length goes to Node
    const der = sign(ec, msg, 'der').sig;
    expect(verifySignature('ecdsa', pub, msg, Buffer.concat([der, Buffer.alloc(1)]), 'der')).toBe(
      false,
    );
    expect(calls.verify).toHaveLength(1);
  });

  it('an Ed25519 signature not 64 bytes', () => {
    const pub = createPublicKey(ed);
    const sig = sign(ed, msg).sig;
    for (const bad of [
      sig.subarray(0, 63),
      Buffer.concat([sig, Buffer.alloc(1)]),
      Buffer.alloc(0),
    ]) {
      expect(verifySignature('eddsa', pub, msg, bad)).toBe(false);
    }
    expect(calls.verify).toHaveLength(0);
  });

  it('a key of another family or a method with no entry', () => {
    expect(verifySignature('ecdsa', createPublicKey(rsa), msg, Buffer.alloc(96), 'der')).toBe(
      false,
    );
    expect(verifySignature('dsa', createPublicKey(ec), msg, Buffer.alloc(96))).toBe(false);
    expect(calls.verify).toHaveLength(0);
  });
});

describe('an error from Node', () => {
  it.each([
    ['ecdsa', ec],
    ['rsapss', rsa],
    ['eddsa', ed],
  ] as const)('%s: is an invalid signature, not a throw', (method, key) => {
    const { sig } = sign(key, msg);
    calls.failVerify = true;
    expect(verifySignature(method, createPublicKey(key), msg, sig)).toBe(false);
    expect(calls.verify).toHaveLength(1);
  });
});
