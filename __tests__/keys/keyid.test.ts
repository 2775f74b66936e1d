import { describe, expect, it } from 'vitest';
import { canonicalKeyId, keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { newRootKey } from '../tuf/helpers/repo.js';

describe('canonicalKeyId (notary-spec.md §2)', () => {
  const validity = { cn: 'x', notBefore: new Date(0), notAfter: new Date(2 ** 41) };

  for (const type of ['ecdsa', 'rsa'] as const) {
    it(`a ${type}-x509 key is named by the plain key inside its certificate`, () => {
      const k = newRootKey(validity, type);
      const plainId = keyIdOf(tufKeyFromKeyObject(k.key));
      expect(k.tuf.keytype).toBe(`${type}-x509`);
      expect(canonicalKeyId(k.tuf)).toBe(plainId);
      expect(canonicalKeyId(k.tuf)).not.toBe(k.id);
    });
  }

  it('a plain key is named by its TUF ID', () => {
    const k = newRootKey(validity);
    const plain = tufKeyFromKeyObject(k.key);
    expect(canonicalKeyId(plain)).toBe(keyIdOf(plain));
  });
});
