/**
 * encrypt.ts at its edges, against the mutants StrykerJS left alive: keys it must not write
 * (a public key, an EC curve notary does not use, a type notary has no form for), the gun
 * required for each repository role and its message, and the three key kinds `generateKey`
 * makes.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encryptNotaryKey,
  encryptPkcs8,
  generateKey,
  notaryPkcs8,
} from '../../src/keys/encrypt.js';
import { expectDctError } from './helpers.js';

const PASS = 'enc-Pass-8080';

describe('encrypt.ts edges', () => {
  it('refuses a public key before anything else', () => {
    const pub = createPublicKey(generateKey('ecdsa'));
    expect(() => encryptNotaryKey(pub, PASS, { role: 'ci' })).toThrow(
      new TypeError('encryptNotaryKey needs a private key'),
    );
  });

  it('refuses EC curves and key types notary has no form for, by name', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    const err = expectDctError(() => notaryPkcs8(k1), 'KEY_UNSUPPORTED');
    expect(err.message).toBe('only P-224/256/384/521 EC keys can be written');
    const x = generateKeyPairSync('x25519').privateKey;
    const err2 = expectDctError(() => encryptPkcs8(x, PASS), 'KEY_UNSUPPORTED', [PASS]);
    expect(err2.message).toBe('a x25519 key cannot be written as a notary key');
  });

  it('each repository role needs its gun, named in the message', () => {
    for (const role of ['targets', 'snapshot', 'timestamp']) {
      for (const gun of [undefined, '']) {
        const err = expectDctError(
          () => encryptNotaryKey(generateKey('ecdsa'), PASS, { role, gun }),
          'KEY_GUN_MISSING',
        );
        expect(err.message).toBe(`a ${role} key file needs the repository (gun) it belongs to`);
      }
    }
    const err = expectDctError(
      () => encryptNotaryKey(generateKey('ecdsa'), '', { role: 'targets', gun: 'g' }),
      'KEY_PASSPHRASE_MISSING',
    );
    expect(err.message).toBe('a passphrase is needed to write an encrypted key');
  });

  it('generateKey makes P-256, Ed25519 and RSA-2048 keys', () => {
    const ec = generateKey('ecdsa');
    expect([ec.type, ec.asymmetricKeyType, ec.asymmetricKeyDetails?.namedCurve]).toEqual([
      'private',
      'ec',
      'prime256v1',
    ]);
    expect(generateKey('ed25519').asymmetricKeyType).toBe('ed25519');
    const rsa = generateKey('rsa');
    expect([rsa.asymmetricKeyType, rsa.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048]);
  });
});
