import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID, TAG, octets, oidOf, sequence, smallInt } from '../../src/keys/der.js';
import { encryptNotaryKey, generateKey, notaryPkcs8 } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { encodePem, parsePem } from '../../src/keys/pem.js';
import { decryptPbes2 } from '../../src/keys/pkcs8.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { expectDctError, fixtureKey, fixtureText, manifest, parseDer } from './helpers.js';

const PASS = 'our-Pass-1618';

function idOf(key: KeyObject): string {
  return keyIdOf(tufKeyFromKeyObject(key));
}

describe('encryptNotaryKey', () => {
  it('writes PBES2 exactly as notary does (§1.4)', () => {
    const pem = encryptNotaryKey(generateKey('ecdsa'), PASS, {
      role: 'targets',
      gun: 'example.com/a/b',
    });
    const [block] = parsePem(pem);
    expect(block.type).toBe('ENCRYPTED PRIVATE KEY');
    const [alg, data] = sequence(parseDer(block.der), 'EncryptedPrivateKeyInfo');
    const [pbes2, params] = sequence(alg, 'alg');
    expect(oidOf(pbes2)).toBe(OID.pbes2);
    const [kdf, enc] = sequence(params, 'params');
    const [kdfOid, kdfParams] = sequence(kdf, 'kdf');
    expect(oidOf(kdfOid)).toBe(OID.pbkdf2);
    const p = sequence(kdfParams, 'pbkdf2');
    // salt and iteration count only: no keyLength, no PRF (so HMAC-SHA1)
    expect(p.length).toBe(2);
    expect(octets(p[0]).length).toBe(8);
    expect(smallInt(p[1])).toBe(2048);
    const [cipher, iv] = sequence(enc, 'enc');
    expect(oidOf(cipher)).toBe(OID.aes256cbc);
    expect(octets(iv).length).toBe(16);
    expect(data.tag).toBe(TAG.OCTET_STRING);
  });

  it('writes the same PEM layout as notary, headers sorted, gun only for repository roles', () => {
    const notaryFile = fixtureText(fixtureKey((k) => k.role === 'targets' && k.gun !== '').file);
    const ours = encryptNotaryKey(generateKey('ecdsa'), PASS, {
      role: 'targets',
      gun: manifest.gun,
    });
    const shape = (t: string) =>
      t.split('\n').map((l) => (/^[A-Za-z0-9+/=]+$/.test(l) ? `b64:${l.length}` : l));
    expect(shape(ours)).toEqual(shape(notaryFile));
    for (const role of ['snapshot', 'timestamp']) {
      expect(
        parsePem(encryptNotaryKey(generateKey('ecdsa'), PASS, { role, gun: 'g' }))[0].headerOrder,
      ).toEqual(['gun', 'role']);
    }
    for (const role of ['root', 'targets/releases', 'ci']) {
      const [b] = parsePem(encryptNotaryKey(generateKey('ecdsa'), PASS, { role, gun: 'g' }));
      expect(b.headers).toEqual({ role });
    }
    expectDctError(
      () => encryptNotaryKey(generateKey('ecdsa'), PASS, { role: 'targets' }),
      'KEY_GUN_MISSING',
      [PASS],
    );
    expectDctError(
      () => encryptNotaryKey(generateKey('ecdsa'), '', { role: 'x' }),
      'KEY_PASSPHRASE_MISSING',
    );
  });

  it('uses notary’s inner PKCS#8 forms (§1.3)', () => {
    const inner = (key: KeyObject) => {
      const der = notaryPkcs8(key);
      const [version, alg, priv] = sequence(parseDer(der), 'PrivateKeyInfo');
      return { version: smallInt(version), alg: sequence(alg, 'alg'), priv: octets(priv) };
    };
    const ec = inner(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
    expect(ec.version).toBe(1);
    expect(ec.alg.map((n) => oidOf(n))).toEqual([OID.ecPublicKey, OID.p384]);
    const rsa = inner(generateKey('rsa'));
    expect(rsa.version).toBe(0);
    expect(rsa.alg.map((n) => oidOf(n))).toEqual([OID.rsaEncryption]); // no NULL
    const edKey = generateKey('ed25519');
    const ed = inner(edKey);
    expect(ed.version).toBe(0);
    expect(ed.alg.map((n) => oidOf(n))).toEqual([OID.notaryEd25519]);
    expect(ed.priv.length).toBe(96);
    const pub = Buffer.from(tufKeyFromKeyObject(edKey).keyval.public, 'base64');
    expect(ed.priv.subarray(0, 32).equals(pub) && ed.priv.subarray(64).equals(pub)).toBe(true);
  });

  it.each(
    manifest.keys
      .filter((k) => k.file.startsWith('trust-private/') && k.role !== 'root')
      .map((k) => [`${k.type} ${k.role}`, k] as const),
  )('inner PKCS#8 of %s is byte for byte what notary wrote', (_, k) => {
    const text = fixtureText(k.file);
    const [block] = parsePem(text);
    const plain = decryptPbes2(block.der, Buffer.from(manifest.passphrase), 'test');
    const ring = KeyRing.open(readKeySecret(text, () => {}).files, {
      passphrase: manifest.passphrase,
      include: 'all',
    });
    expect(notaryPkcs8(ring.held()[0].key).equals(plain)).toBe(true);
  });

  it.each(['ecdsa', 'rsa', 'ed25519'] as const)('round-trips %s through KeyRing', (type) => {
    const key = generateKey(type);
    const pem = encryptNotaryKey(key, PASS, { role: 'targets/releases' });
    const ring = KeyRing.open(readKeySecret(pem, () => {}).files, {
      passphrase: PASS,
      include: 'all',
    });
    expect(ring.ids()).toEqual([idOf(key)]);
    expect(ring.held()[0].role).toBe('targets/releases');
  });

  it.each(['ecdsa', 'rsa'] as const)(
    '%s output decrypts with OpenSSL (PRF absent = SHA1)',
    (type) => {
      const key = generateKey(type);
      const [block] = parsePem(encryptNotaryKey(key, PASS, { role: 'root' }));
      const bare = encodePem({ type: block.type, headers: {}, der: block.der });
      expect(idOf(createPrivateKey({ key: bare, passphrase: PASS }))).toBe(idOf(key));
      expect(() => createPrivateKey({ key: bare, passphrase: 'not-it' })).toThrow();
    },
  );

  it('uses a fresh salt and IV each time', () => {
    const key = generateKey('ecdsa');
    const a = encryptNotaryKey(key, PASS, { role: 'x' });
    const b = encryptNotaryKey(key, PASS, { role: 'x' });
    expect(a).not.toBe(b);
  });
});
