/**
 * `keyval.public` is Go's []byte: standard padded base64, and the key ID hashes the key as Go
 * writes it again. Buffer.from reads other spellings of the same bytes too; a key spelled so
 * is not one notary reads under that ID, so its signatures must not count here either.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { publicKeyOf, tufKeyFromKeyObject, type TufKey } from '../../src/keys/keyid.js';
import { verifyOne } from '../../src/tuf/verify.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** An Ed25519 key whose base64 holds a '+' or '/' (so the URL-safe spelling differs). */
function keyWithSymbols() {
  for (;;) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = tufKeyFromKeyObject(privateKey);
    if (/[+/]/.test(key.keyval.public)) return { privateKey, key };
  }
}

describe('a public key not in standard padded base64', () => {
  let privateKey: KeyObject;
  let key: TufKey;
  const message = Buffer.from('{"_type":"Root"}');
  let sig: Buffer;
  const spelled = (pub: string): TufKey => ({
    keytype: 'ed25519',
    keyval: { private: null, public: pub },
  });
  let b64: string; // 32 bytes: 43 characters and one '='
  // The 43rd character carries 4 bits of the last byte and 2 unused bits: flip the lowest.
  const lastBits = (b64: string) =>
    b64.slice(0, 42) + ALPHABET[ALPHABET.indexOf(b64[42]) ^ 1] + '=';
  beforeEach(() => {
    ({ privateKey, key } = keyWithSymbols());
    sig = sign(null, message, privateKey);
    b64 = key.keyval.public;
  });

  it('reads the one spelling Go writes', () => {
    expect(b64).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifyOne(message, 'eddsa', sig, key)).toBe(true);
  });

  it.each([
    ['without its padding', (b64: string) => b64.slice(0, -1)],
    ['with a line break', (b64: string) => `${b64.slice(0, 20)}\n${b64.slice(20)}`],
    ['with a space', (b64: string) => `${b64.slice(0, 20)} ${b64.slice(20)}`],
    ['in the URL-safe alphabet', (b64: string) => b64.replace(/\+/g, '-').replace(/\//g, '_')],
    ['with bits set past the last byte', lastBits],
    ['with text after the padding', (b64: string) => `${b64}AA==`],
  ])('%s: refused, and its signature does not count', (_how, spell) => {
    const pub = spell(b64);
    // The same bytes to Buffer.from (so only the spelling is refused), but not the same text.
    expect(pub).not.toBe(b64);
    expect(Buffer.from(pub, 'base64').subarray(0, 32)).toEqual(Buffer.from(b64, 'base64'));
    expect(() => publicKeyOf(spelled(pub))).toThrow('not in standard padded base64');
    expect(verifyOne(message, 'eddsa', sig, spelled(pub))).toBe(false);
  });
});
