/**
 * keyid.ts and rules.ts at their edges, against the mutants StrykerJS left alive: the key ID's
 * exact canonical JSON, each TUF key type read back into a public key (Ed25519 only at 32
 * bytes, unknown types refused by name), the certificate key types, the TUF key type table
 * the verifier checks keys against, the RSA size bound, and curve rules for keys Node does
 * not make (no curve details, or curve details on a key of another type).
 */
import {
  createHash,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rootCertificate } from '../../src/keys/cert.js';
import {
  canonicalKeyId,
  certTufKey,
  ed25519PublicBytes,
  keyIdOf,
  publicKeyOf,
  shortId,
  tufKeyFromKeyObject,
  type TufKey,
} from '../../src/keys/keyid.js';
import {
  KEYTYPE_FAMILY,
  MIN_RSA_BITS,
  PLAIN_KEYTYPE,
  certKeytype,
  curveOf,
  isCertKeytype,
  keyProblem,
  rsaBits,
} from '../../src/keys/rules.js';

const spki = (k: KeyObject) =>
  (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' });
const same = (a: KeyObject, b: KeyObject) => spki(a).equals(spki(b));

describe('keyIdOf', () => {
  it('is the SHA-256 of exactly notary’s canonical JSON', () => {
    const key: TufKey = { keytype: 'ecdsa', keyval: { private: null, public: 'QUJD' } };
    const json = '{"keytype":"ecdsa","keyval":{"private":null,"public":"QUJD"}}';
    expect(keyIdOf(key)).toBe(createHash('sha256').update(json).digest('hex'));
    expect(keyIdOf(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shortId is the first 7 hex digits', () => {
    expect(shortId('0123456789abcdef')).toBe('0123456');
  });
});

describe('tufKeyFromKeyObject and publicKeyOf round-trip every plain type', () => {
  const keys = {
    ecdsa: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ed25519: generateKeyPairSync('ed25519'),
  };
  it.each(Object.keys(keys) as (keyof typeof keys)[])('%s', (type) => {
    const { privateKey, publicKey } = keys[type];
    const fromPriv = tufKeyFromKeyObject(privateKey);
    const fromPub = tufKeyFromKeyObject(publicKey);
    expect(fromPriv).toEqual(fromPub);
    expect(fromPriv.keytype).toBe(type);
    expect(fromPriv.keyval.private).toBeNull();
    const bytes = Buffer.from(fromPriv.keyval.public, 'base64');
    if (type === 'ed25519') {
      expect(bytes).toEqual(spki(publicKey).subarray(12));
      expect(bytes).toHaveLength(32);
    } else {
      expect(bytes).toEqual(spki(publicKey));
    }
    expect(same(publicKeyOf(fromPriv), publicKey)).toBe(true);
    expect(canonicalKeyId(fromPriv)).toBe(keyIdOf(fromPriv));
  });

  it('ed25519PublicBytes is the raw 32-byte key of a private or public key', () => {
    const { privateKey, publicKey } = keys.ed25519;
    const raw = spki(publicKey).subarray(12);
    expect(ed25519PublicBytes(privateKey)).toEqual(raw);
    expect(ed25519PublicBytes(publicKey)).toEqual(raw);
  });

  it('an Ed25519 entry that is not 32 bytes is refused by name', () => {
    const raw = ed25519PublicBytes(keys.ed25519.publicKey);
    for (const b of [raw.subarray(0, 31), Buffer.concat([raw, Buffer.alloc(1)]), Buffer.alloc(0)]) {
      const key: TufKey = {
        keytype: 'ed25519',
        keyval: { private: null, public: b.toString('base64') },
      };
      expect(() => publicKeyOf(key)).toThrow('ed25519 key is not 32 bytes');
    }
  });

  it('an ecdsa or rsa entry whose SPKI does not parse names the part', () => {
    const entry = (keytype: string, der: Buffer): TufKey => ({
      keytype,
      keyval: { private: null, public: der.toString('base64') },
    });
    for (const keytype of ['ecdsa', 'rsa']) {
      // an OCTET STRING, not the SubjectPublicKeyInfo SEQUENCE
      expect(() => publicKeyOf(entry(keytype, Buffer.from('040100', 'hex')))).toThrow(
        'DER: expected SubjectPublicKeyInfo',
      );
      // a SEQUENCE whose first part is not the algorithm SEQUENCE
      expect(() => publicKeyOf(entry(keytype, Buffer.from('3003040100', 'hex')))).toThrow(
        'DER: expected algorithm',
      );
    }
  });

  it('an unknown key type is refused by name, both ways', () => {
    const key: TufKey = { keytype: 'dsa', keyval: { private: null, public: 'QUJD' } };
    expect(() => publicKeyOf(key)).toThrow('unsupported key type dsa');
    expect(() => tufKeyFromKeyObject(generateKeyPairSync('x25519').privateKey)).toThrow(
      'unsupported key type x25519',
    );
  });
});

describe('certificate keys', () => {
  it.each([
    ['ecdsa-x509', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['rsa-x509', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
  ] as const)('%s: the PEM in base64, read back to the certificate key', (type, key) => {
    const cert = rootCertificate(key, 'example.com/app', new Date('2026-01-01T00:00:00Z'));
    const tuf = certTufKey(cert.pem, createPublicKey(key));
    expect(tuf).toEqual({
      keytype: type,
      keyval: { private: null, public: Buffer.from(cert.pem).toString('base64') },
    });
    expect(same(publicKeyOf(tuf), key)).toBe(true);
    expect(canonicalKeyId(tuf)).toBe(keyIdOf(tufKeyFromKeyObject(key)));
    expect(canonicalKeyId(tuf)).not.toBe(keyIdOf(tuf));
  });

  it('a plain key is named by its TUF ID without being read: bytes that are no key get one', () => {
    for (const keytype of ['ecdsa', 'rsa', 'ed25519', 'dsa']) {
      const key: TufKey = { keytype, keyval: { private: null, public: 'QUJD' } };
      expect(() => publicKeyOf(key), keytype).toThrow();
      expect(canonicalKeyId(key), keytype).toBe(keyIdOf(key));
    }
  });
});

describe('rules tables', () => {
  it('the TUF key type of each family, and back', () => {
    expect(PLAIN_KEYTYPE).toEqual({ ec: 'ecdsa', rsa: 'rsa', ed25519: 'ed25519' });
    expect({ ...KEYTYPE_FAMILY }).toEqual({
      ecdsa: 'ec',
      'ecdsa-x509': 'ec',
      rsa: 'rsa',
      'rsa-x509': 'rsa',
      ed25519: 'ed25519',
    });
    expect(
      ['ecdsa-x509', 'rsa-x509', 'ecdsa', 'rsa', 'ed25519', 'x509'].map(isCertKeytype),
    ).toEqual([true, true, false, false, false, false]);
    expect(certKeytype(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)).toBe(
      'ecdsa-x509',
    );
    expect(certKeytype(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).toBe(
      'rsa-x509',
    );
  });

  it('rsaBits reads the modulus; 0 for a key without one', () => {
    expect(rsaBits(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).toBe(2048);
    expect(rsaBits(generateKeyPairSync('ed25519').publicKey)).toBe(0);
    expect(rsaBits(createSecretKey(Buffer.alloc(32)))).toBe(0); // no asymmetricKeyDetails
  });

  // Every EC KeyObject Node 20 makes names its curve ('UNDEF' for explicit parameters it does
  // not recognise); these stand-ins are keys without that detail, or with one on another type.
  const stub = (type: string, details?: object) =>
    ({ type: 'public', asymmetricKeyType: type, asymmetricKeyDetails: details }) as KeyObject;

  it('an EC key without curve details is on no curve notary signs with', () => {
    const bare = stub('ec');
    expect(curveOf(bare)).toBe(undefined);
    expect(keyProblem(bare)).toBe('is on EC curve unknown; notary supports P-224/256/384/521');
  });

  it('only an EC key has a curve, whatever its details say', () => {
    for (const type of ['rsa', 'ed25519', 'x25519']) {
      expect(curveOf(stub(type, { namedCurve: 'prime256v1' })), type).toBe(undefined);
    }
  });

  it('RSA just below the minimum is refused', () => {
    const below = generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS - 8 }).publicKey;
    expect(keyProblem(below)).toBe('is a 2040-bit RSA key; notary needs at least 2048 bits');
    expect(MIN_RSA_BITS).toBe(2048);
  });
});

describe('publicKeyOf reads each key once', () => {
  const ecdsa = (): TufKey =>
    tufKeyFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);

  it('gives the same KeyObject for the same type and text, another for another type', () => {
    const key = ecdsa();
    const first = publicKeyOf(key);
    // An equal key object read from other metadata is the same key.
    expect(
      publicKeyOf({ keytype: 'ecdsa', keyval: { private: null, public: key.keyval.public } }),
    ).toBe(first);
    // The key type is part of what was read: the same bytes named rsa are read on their own.
    const asRsa = publicKeyOf({ ...key, keytype: 'rsa' });
    expect(asRsa).not.toBe(first);
    expect(same(asRsa, first)).toBe(true);
  });

  it('a key that cannot be read throws every time, and is never kept', () => {
    const bad: TufKey = { keytype: 'ed25519', keyval: { private: null, public: 'QUJD' } };
    expect(() => publicKeyOf(bad)).toThrow('ed25519 key is not 32 bytes');
    expect(() => publicKeyOf(bad)).toThrow('ed25519 key is not 32 bytes');
  });

  it('keeps a key while others are read', () => {
    const [a, b] = [ecdsa(), ecdsa()];
    const kept = publicKeyOf(a);
    publicKeyOf(b);
    expect(publicKeyOf(a)).toBe(kept);
  });

  it('keeps 256 keys at most: the 257th starts the keeping over, and each is still read right', () => {
    const s = ecdsa();
    let kept = publicKeyOf(s);
    // Fresh keys until one starts the keeping over (s is read anew): then the keeping holds
    // exactly that key and s.
    for (let i = 0; publicKeyOf(s) === kept; i++) {
      expect(i).toBeLessThan(300);
      publicKeyOf(ecdsa());
    }
    const anew = publicKeyOf(s);
    expect(same(anew, kept)).toBe(true);
    kept = anew;
    const more = Array.from({ length: 254 }, ecdsa);
    for (const k of more) {
      const spkiDer = Buffer.from(k.keyval.public, 'base64');
      expect(spki(publicKeyOf(k)).equals(spkiDer)).toBe(true);
    }
    // 256 kept: s is still among them; one more key starts over.
    expect(publicKeyOf(s)).toBe(kept);
    publicKeyOf(ecdsa());
    expect(publicKeyOf(s)).not.toBe(kept);
  });
});
