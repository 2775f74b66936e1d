/**
 * pkcs8.ts at its edges, against the mutants StrykerJS left alive: every PBES2 PRF and cipher
 * decrypts (and no other), the explicit key length, the iteration bounds (1 and 10,000,000
 * accepted, 0 and one more refused before any PBKDF2 work), the IV and ciphertext lengths,
 * PBES1/scrypt/GCM named as unsupported while damage stays damage, every legacy DEK-Info
 * cipher and its IV checks, EVP_BytesToKey beyond one MD5 block, notary Ed25519 public-key
 * checks on both copies, and the passphrase check in front of all of it.
 */
import {
  createCipheriv,
  createHash,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import { OID, derOctets, derOid, derSequence, derSmallInt } from '../../src/keys/der.js';
import { notaryPkcs8 } from '../../src/keys/encrypt.js';
import { ed25519PublicBytes, keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { parsePem, type PemBlock } from '../../src/keys/pem.js';
import {
  PRIVATE_KEY_TYPES,
  decryptLegacy,
  decryptPbes2,
  isEncryptedBlock,
  loadKeyBlock,
} from '../../src/keys/pkcs8.js';
import { expectDctError } from './helpers.js';

const PASS = 'edge-Pass-5521';
const LABEL = 'the test key';
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const idOf = (k: KeyObject) => keyIdOf(tufKeyFromKeyObject(k));

interface Pbes2 {
  plain?: Buffer;
  pass?: string;
  scheme?: string;
  kdf?: string;
  salt?: Buffer;
  iterations?: number;
  keyLength?: number;
  prf?: string;
  cipher?: string;
  iv?: Buffer;
  data?: Buffer;
}

const NODE_CIPHER: Record<string, [string, number]> = {
  [OID.aes128cbc]: ['aes-128-cbc', 16],
  [OID.aes192cbc]: ['aes-192-cbc', 24],
  [OID.aes256cbc]: ['aes-256-cbc', 32],
};
const NODE_PRF: Record<string, string> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA224]: 'sha224',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA384]: 'sha384',
  [OID.hmacWithSHA512]: 'sha512',
};

/** An EncryptedPrivateKeyInfo built field by field; encrypted for real when `data` is not given. */
function pbes2(o: Pbes2 = {}): Buffer {
  const salt = o.salt ?? randomBytes(8);
  const iterations = o.iterations ?? 3;
  const cipher = o.cipher ?? OID.aes256cbc;
  const iv = o.iv ?? randomBytes(16);
  let data = o.data;
  if (data === undefined) {
    const [name, keyLen] = NODE_CIPHER[cipher] ?? ['aes-256-cbc', 32];
    const key = pbkdf2Sync(
      o.pass ?? PASS,
      salt,
      iterations,
      keyLen,
      o.prf ? (NODE_PRF[o.prf] ?? 'sha1') : 'sha1',
    );
    const c = createCipheriv(name, key, iv);
    const plain = o.plain ?? notaryPkcs8(ec());
    data = Buffer.concat([c.update(plain), c.final()]);
  }
  const kdfParams = [derOctets(salt), derSmallInt(iterations)];
  if (o.keyLength !== undefined) kdfParams.push(derSmallInt(o.keyLength));
  if (o.prf !== undefined) kdfParams.push(derSequence(derOid(o.prf), Buffer.from([5, 0])));
  return derSequence(
    derSequence(
      derOid(o.scheme ?? OID.pbes2),
      derSequence(
        derSequence(derOid(o.kdf ?? OID.pbkdf2), derSequence(...kdfParams)),
        derSequence(derOid(cipher), derOctets(iv)),
      ),
    ),
    derOctets(data),
  );
}

function block(
  der: Buffer,
  type = 'ENCRYPTED PRIVATE KEY',
  headers: Record<string, string> = {},
): PemBlock {
  return { type, headers, headerOrder: Object.keys(headers), der };
}

function pbesError(der: Buffer, code: string, pass = PASS): DctError {
  return expectDctError(() => decryptPbes2(der, Buffer.from(pass), LABEL), code);
}

describe('loadKeyBlock: the passphrase check and dispatch', () => {
  it('an encrypted block with an empty or no passphrase is KEY_PASSPHRASE_MISSING, naming the key', () => {
    const b = block(pbes2());
    for (const p of [undefined, '']) {
      const err = expectDctError(() => loadKeyBlock(b, p, LABEL), 'KEY_PASSPHRASE_MISSING');
      expect(err.message).toBe(`${LABEL} is encrypted and no passphrase was given`);
    }
  });

  it('a wrong passphrase is KEY_BAD_PASSPHRASE, naming the key, with the decryption error as cause', () => {
    const err = expectDctError(
      () => loadKeyBlock(block(pbes2()), 'not-the-passphrase', LABEL),
      'KEY_BAD_PASSPHRASE',
    );
    expect(err.message).toBe(
      `${LABEL} could not be decrypted: the passphrase is wrong (or the file is damaged)`,
    );
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('an unencrypted block needs no passphrase, and ignores one', () => {
    const key = ec();
    const der = key.export({ type: 'pkcs8', format: 'der' });
    for (const p of [undefined, '', 'unused']) {
      expect(idOf(loadKeyBlock(block(Buffer.from(der), 'PRIVATE KEY'), p, LABEL))).toBe(idOf(key));
    }
  });

  it('a block type that is no private key is KEY_UNSUPPORTED, named', () => {
    const der = ec().export({ type: 'pkcs8', format: 'der' });
    const err = expectDctError(
      () => loadKeyBlock(block(der, 'PUBLIC KEY'), undefined, LABEL),
      'KEY_UNSUPPORTED',
    );
    expect(err.message).toBe(`${LABEL}: a PUBLIC KEY block is not a private key`);
    expect([...PRIVATE_KEY_TYPES].sort()).toEqual([
      'EC PRIVATE KEY',
      'ED25519 PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
      'PRIVATE KEY',
      'RSA PRIVATE KEY',
    ]);
  });

  it('isEncryptedBlock: the ENCRYPTED PRIVATE KEY type, or ENCRYPTED in Proc-Type', () => {
    expect(isEncryptedBlock(block(Buffer.alloc(0)))).toBe(true);
    expect(isEncryptedBlock(block(Buffer.alloc(0), 'PRIVATE KEY'))).toBe(false);
    expect(
      isEncryptedBlock(block(Buffer.alloc(0), 'EC PRIVATE KEY', { 'Proc-Type': '4,ENCRYPTED' })),
    ).toBe(true);
    expect(
      isEncryptedBlock(block(Buffer.alloc(0), 'EC PRIVATE KEY', { 'Proc-Type': '4,MIC-ONLY' })),
    ).toBe(false);
    expect(
      isEncryptedBlock(block(Buffer.alloc(0), 'EC PRIVATE KEY', { 'Proc-Type': 'ENCRYPTED4' })),
    ).toBe(false);
  });
});

describe('decryptPbes2: algorithms', () => {
  it.each(Object.entries(NODE_PRF))('PRF %s (%s) decrypts, and only under its own PRF', (prf) => {
    const plain = notaryPkcs8(ec());
    const der = pbes2({ prf, plain });
    expect(decryptPbes2(der, Buffer.from(PASS), LABEL)).toEqual(plain);
    // The same ciphertext read as if under another PRF does not decrypt to the plaintext.
    const other = prf === OID.hmacWithSHA1 ? OID.hmacWithSHA256 : OID.hmacWithSHA1;
    const swapped = Buffer.from(der);
    const at = swapped.indexOf(derOid(prf));
    derOid(other).copy(swapped, at);
    if (derOid(other).length === derOid(prf).length) {
      let out: Buffer | undefined;
      try {
        out = decryptPbes2(swapped, Buffer.from(PASS), LABEL);
      } catch (e) {
        expect((e as DctError).code).toBe('KEY_BAD_PASSPHRASE');
      }
      if (out) expect(out.equals(plain)).toBe(false);
    }
  });

  it('no PRF field means HMAC-SHA1 (what notary writes)', () => {
    const plain = notaryPkcs8(ec());
    expect(decryptPbes2(pbes2({ plain }), Buffer.from(PASS), LABEL)).toEqual(plain);
  });

  it.each(Object.entries(NODE_CIPHER))('cipher %s (%s) decrypts', (cipher) => {
    const plain = notaryPkcs8(ec());
    expect(decryptPbes2(pbes2({ cipher, plain }), Buffer.from(PASS), LABEL)).toEqual(plain);
  });

  it('an explicit key length must be the cipher’s', () => {
    const plain = notaryPkcs8(ec());
    for (const [cipher, [, keyLen]] of Object.entries(NODE_CIPHER)) {
      expect(
        decryptPbes2(pbes2({ cipher, plain, keyLength: keyLen }), Buffer.from(PASS), LABEL),
      ).toEqual(plain);
      for (const wrong of [keyLen - 8, keyLen + 8]) {
        const err = pbesError(pbes2({ cipher, keyLength: wrong }), 'KEY_DAMAGED');
        expect(err.message).toContain('encryption header does not parse');
      }
    }
    // a key length and a PRF together
    expect(
      decryptPbes2(
        pbes2({ plain, keyLength: 32, prf: OID.hmacWithSHA512 }),
        Buffer.from(PASS),
        LABEL,
      ),
    ).toEqual(plain);
  });

  it('an unknown PRF OID is damage; HMAC-SHA-512/224 and /256 are named as unsupported', () => {
    const damaged = pbesError(
      pbes2({ prf: '1.2.840.113549.2.99', data: Buffer.alloc(16) }),
      'KEY_DAMAGED',
    );
    expect(damaged.message).toBe(
      `${LABEL} is damaged (its PBKDF2 PRF is not the one notary writes (1.2.840.113549.2.99)); copy the key file again from ~/.docker/trust/private or your backup`,
    );
    for (const [oid, name] of [
      ['1.2.840.113549.2.12', 'HMAC-SHA-512/224'],
      ['1.2.840.113549.2.13', 'HMAC-SHA-512/256'],
    ]) {
      const err = pbesError(pbes2({ prf: oid, data: Buffer.alloc(16) }), 'KEY_UNSUPPORTED');
      expect(err.message).toBe(`${LABEL} uses PBKDF2 PRF ${name}; only HMAC-SHA-1/2 are supported`);
    }
  });

  it('GCM and other ciphers: named when their parameters are not a CBC IV, damage when they are', () => {
    const gcm = (cipher: string, params: Buffer) =>
      derSequence(
        derSequence(
          derOid(OID.pbes2),
          derSequence(
            derSequence(derOid(OID.pbkdf2), derSequence(derOctets(randomBytes(8)), derSmallInt(3))),
            derSequence(derOid(cipher), params),
          ),
        ),
        derOctets(Buffer.alloc(32)),
      );
    const gcmParams = derSequence(derOctets(randomBytes(12)));
    for (const [oid, name] of [
      ['2.16.840.1.101.3.4.1.6', 'AES-128-GCM'],
      ['2.16.840.1.101.3.4.1.26', 'AES-192-GCM'],
      ['2.16.840.1.101.3.4.1.46', 'AES-256-GCM'],
      ['1.2.840.113549.3.2', 'RC2-CBC'],
      ['1.2.840.113549.3.7', 'DES-EDE3-CBC'],
      ['1.3.14.3.2.7', 'DES-CBC'],
    ]) {
      const err = pbesError(gcm(oid, gcmParams), 'KEY_UNSUPPORTED');
      expect(err.message).toBe(`${LABEL} uses cipher ${name}; only AES-CBC is supported`);
    }
    // A known OID but with a CBC-shaped IV: one changed character turned our OID into it.
    const err = pbesError(
      gcm('2.16.840.1.101.3.4.1.46', derOctets(randomBytes(16))),
      'KEY_DAMAGED',
    );
    expect(err.message).toContain(
      'its cipher is not the one notary writes (2.16.840.1.101.3.4.1.46)',
    );
    // No parameters at all: not CBC's shape, so the known name is given.
    const bare = pbesError(
      derSequence(
        derSequence(
          derOid(OID.pbes2),
          derSequence(
            derSequence(derOid(OID.pbkdf2), derSequence(derOctets(randomBytes(8)), derSmallInt(3))),
            derSequence(derOid('2.16.840.1.101.3.4.1.6')),
          ),
        ),
        derOctets(Buffer.alloc(32)),
      ),
      'KEY_UNSUPPORTED',
    );
    expect(bare.message).toContain('AES-128-GCM');
  });

  it('PBES1 and PKCS#12 schemes are named; with PBES2-shaped parameters they are damage', () => {
    const pbes1 = (oid: string, params: Buffer) =>
      derSequence(derSequence(derOid(oid), params), derOctets(Buffer.alloc(32)));
    const saltCount = derSequence(derOctets(randomBytes(8)), derSmallInt(2048));
    for (const [oid, name] of [
      ['1.2.840.113549.1.5.1', 'PBES1 (MD2, DES)'],
      ['1.2.840.113549.1.5.3', 'PBES1 (MD5, DES)'],
      ['1.2.840.113549.1.5.4', 'PBES1 (MD2, RC2)'],
      ['1.2.840.113549.1.5.6', 'PBES1 (MD5, RC2)'],
      ['1.2.840.113549.1.5.10', 'PBES1 (SHA-1, DES)'],
      ['1.2.840.113549.1.5.11', 'PBES1 (SHA-1, RC2)'],
      ['1.2.840.113549.1.12.1.3', 'PKCS#12 PBE (SHA-1, 3DES)'],
      ['1.2.840.113549.1.12.1.6', 'PKCS#12 PBE (SHA-1, RC2-40)'],
    ]) {
      const err = pbesError(pbes1(oid, saltCount), 'KEY_UNSUPPORTED');
      expect(err.message).toBe(
        `${LABEL} uses encryption scheme ${name}; only PBES2 (what notary and docker write) is supported`,
      );
    }
    // PBES2's (kdf, cipher) shape under a PBES1 OID: our OID, damaged.
    const pbes2Shape = derSequence(
      derSequence(derOid(OID.pbkdf2)),
      derSequence(derOid(OID.aes256cbc)),
    );
    const err = pbesError(pbes1('1.2.840.113549.1.5.3', pbes2Shape), 'KEY_DAMAGED');
    expect(err.message).toContain('its encryption scheme is not the one notary writes');
    // A SEQUENCE holding no SEQUENCE first, or no parameters at all, keeps the name.
    for (const params of [derSequence(derSmallInt(1), derSequence()), derSequence()]) {
      expect(pbesError(pbes1('1.2.840.113549.1.5.3', params), 'KEY_UNSUPPORTED').message).toContain(
        'PBES1 (MD5, DES)',
      );
    }
    const noParams = derSequence(
      derSequence(derOid('1.2.840.113549.1.5.3')),
      derOctets(Buffer.alloc(32)),
    );
    expect(pbesError(noParams, 'KEY_UNSUPPORTED').message).toContain('PBES1 (MD5, DES)');
  });

  it('scrypt is named; an unknown KDF is damage', () => {
    const err = pbesError(
      pbes2({ kdf: '1.3.6.1.4.1.11591.4.11', data: Buffer.alloc(16) }),
      'KEY_UNSUPPORTED',
    );
    expect(err.message).toBe(`${LABEL} uses key derivation scrypt; only PBKDF2 is supported`);
    const bad = pbesError(
      pbes2({ kdf: '1.2.840.113549.1.5.99', data: Buffer.alloc(16) }),
      'KEY_DAMAGED',
    );
    expect(bad.message).toContain('its key derivation is not the one notary writes');
  });
});

describe('decryptPbes2: the header limits, checked before PBKDF2 runs', () => {
  it('iteration counts: 1 is the least accepted, 0 refused', () => {
    const plain = notaryPkcs8(ec());
    expect(decryptPbes2(pbes2({ plain, iterations: 1 }), Buffer.from(PASS), LABEL)).toEqual(plain);
    const err = pbesError(pbes2({ iterations: 0, data: Buffer.alloc(16) }), 'KEY_DAMAGED');
    expect(err.message).toContain('encryption header does not parse');
  });

  it('10,000,000 iterations is the most accepted; one more is refused without deriving', () => {
    const max = 10_000_000;
    // Running 10M rounds is slow, so the ciphertext length is wrong: at the limit the header
    // check gets past the count to the length (damage); above it the count is refused first.
    const atMax = pbesError(pbes2({ iterations: max, data: Buffer.alloc(15) }), 'KEY_DAMAGED');
    expect(atMax.message).toContain('encryption header does not parse');
    const over = pbesError(
      pbes2({ iterations: max + 1, data: Buffer.alloc(16) }),
      'KEY_UNSUPPORTED',
    );
    expect(over.message).toBe(`${LABEL} asks for ${max + 1} PBKDF2 iterations; refusing`);
  });

  it('the IV must be 16 bytes', () => {
    for (const n of [0, 8, 15, 17, 32]) {
      pbesError(pbes2({ iv: randomBytes(n), data: Buffer.alloc(16) }), 'KEY_DAMAGED');
    }
  });

  it('the ciphertext must be a non-empty multiple of 16 bytes', () => {
    for (const n of [0, 1, 15, 17, 31]) {
      pbesError(pbes2({ data: Buffer.alloc(n) }), 'KEY_DAMAGED');
    }
    // 16 and 32 pass the header and fail as a wrong passphrase would (bad padding). Random
    // bytes would end in valid padding once in ~256 runs: these decrypt to blocks ending in
    // 0, which no padding does.
    for (const n of [16, 32]) {
      const [salt, iv] = [randomBytes(8), randomBytes(16)];
      const key = pbkdf2Sync(PASS, salt, 3, 32, 'sha1');
      const c = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      const data = Buffer.concat([c.update(Buffer.alloc(n)), c.final()]);
      pbesError(pbes2({ salt, iv, iterations: 3, data }), 'KEY_BAD_PASSPHRASE');
    }
  });

  it('an unparsable header is KEY_DAMAGED with its cause; the right passphrase cannot help', () => {
    const err = pbesError(Buffer.from([0x30, 0x03, 0x02, 0x01]), 'KEY_DAMAGED');
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.message).toBe(
      `${LABEL} is damaged (its encryption header does not parse); copy the key file again from ~/.docker/trust/private or your backup`,
    );
  });
});

function legacyPem(key: KeyObject, cipher: string, pass = PASS, type: 'sec1' | 'pkcs1' = 'sec1') {
  return parsePem(key.export({ type, format: 'pem', cipher, passphrase: pass }) as string)[0];
}

describe('decryptPbes2: the part of a header that does not parse is named in the cause', () => {
  const junk = derOctets(Buffer.from([1]));
  const salt = derOctets(randomBytes(8));
  const count = derSmallInt(3);
  const cipher = derSequence(derOid(OID.aes256cbc), derOctets(randomBytes(16)));
  const info = (alg: Buffer) => derSequence(alg, derOctets(Buffer.alloc(16)));
  const scheme = (params: Buffer) => info(derSequence(derOid(OID.pbes2), params));
  const kdf = (part: Buffer) => scheme(derSequence(part, cipher));
  const pbkdf2 = (...params: Buffer[]) =>
    kdf(derSequence(derOid(OID.pbkdf2), derSequence(...params)));
  // An INTEGER of seven bytes: more than smallInt reads.
  const huge = Buffer.from([0x02, 0x07, 1, 1, 1, 1, 1, 1, 1]);

  it.each([
    ['the whole', junk, 'DER: expected EncryptedPrivateKeyInfo'],
    ['the algorithm', info(junk), 'DER: expected AlgorithmIdentifier'],
    ['the PBES2 parameters', scheme(junk), 'DER: expected PBES2 parameters'],
    ['the KDF', kdf(junk), 'DER: expected KDF'],
    [
      'the PBKDF2 parameters',
      kdf(derSequence(derOid(OID.pbkdf2), junk)),
      'DER: expected PBKDF2 parameters',
    ],
    ['the salt', pbkdf2(count, count), 'DER: expected salt'],
    ['the iteration count', pbkdf2(salt, salt), 'DER: expected iteration count'],
    ['the key length', pbkdf2(salt, count, huge), 'DER: key length out of range'],
    ['the PRF', pbkdf2(salt, count, junk), 'DER: expected PRF'],
    [
      'the encryption scheme',
      scheme(derSequence(derSequence(derOid(OID.pbkdf2), derSequence(salt, count)), junk)),
      'DER: expected encryption scheme',
    ],
    [
      'the IV',
      scheme(
        derSequence(
          derSequence(derOid(OID.pbkdf2), derSequence(salt, count)),
          derSequence(derOid(OID.aes256cbc), count),
        ),
      ),
      'DER: expected IV',
    ],
    [
      'the encrypted data',
      derSequence(
        derSequence(
          derOid(OID.pbes2),
          derSequence(derSequence(derOid(OID.pbkdf2), derSequence(salt, count)), cipher),
        ),
        count,
      ),
      'DER: expected encrypted data',
    ],
    ['an IV of 8 bytes', pbes2({ iv: randomBytes(8), data: Buffer.alloc(16) }), 'bad IV length'],
    [
      'a key length not the cipher’s',
      pbes2({ keyLength: 16, data: Buffer.alloc(16) }),
      'bad key length',
    ],
    ['no iterations', pbes2({ iterations: 0, data: Buffer.alloc(16) }), 'no PBKDF2 iterations'],
    ['15 bytes of ciphertext', pbes2({ data: Buffer.alloc(15) }), 'bad ciphertext length'],
  ])('%s', (_, der, cause) => {
    const err = pbesError(der, 'KEY_DAMAGED');
    expect(err.message).toBe(
      `${LABEL} is damaged (its encryption header does not parse); copy the key file again from ~/.docker/trust/private or your backup`,
    );
    expect(err.cause).toMatchObject({ message: cause });
  });
});

describe('legacy Proc-Type encryption (decryptLegacy)', () => {
  it.each(['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc'])(
    '%s opens with the passphrase (one and two MD5 blocks of key), and not without it',
    (cipher) => {
      const key = ec();
      const b = legacyPem(key, cipher);
      expect(idOf(loadKeyBlock(b, PASS, LABEL))).toBe(idOf(key));
      expect(() => loadKeyBlock(b, `${PASS}x`, LABEL)).toThrow(
        expect.objectContaining({ code: 'KEY_BAD_PASSPHRASE' }) as Error,
      );
    },
  );

  it('reads the cipher name in any case', () => {
    const key = ec();
    const b = legacyPem(key, 'aes-128-cbc');
    const lower = {
      ...b,
      headers: { ...b.headers, 'DEK-Info': b.headers['DEK-Info'].toLowerCase() },
    };
    expect(idOf(loadKeyBlock(lower, PASS, LABEL))).toBe(idOf(key));
  });

  it('an RSA PRIVATE KEY block decrypts the same way', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(idOf(loadKeyBlock(legacyPem(key, 'aes-128-cbc', PASS, 'pkcs1'), PASS, LABEL))).toBe(
      idOf(key),
    );
  });

  it('an unknown or missing cipher is KEY_UNSUPPORTED, quoting only the cipher name', () => {
    const b = legacyPem(ec(), 'aes-128-cbc');
    const iv = b.headers['DEK-Info'].split(',')[1];
    const cases: [string | undefined, string][] = [
      [`BF-CBC,${iv}`, '"BF-CBC"'],
      ['AES-128-GCM', '"AES-128-GCM"'],
      [undefined, '""'],
    ];
    for (const [dek, shown] of cases) {
      const headers: Record<string, string> = { 'Proc-Type': '4,ENCRYPTED' };
      if (dek !== undefined) headers['DEK-Info'] = dek;
      const err = expectDctError(
        () => decryptLegacy({ ...b, headers }, Buffer.from(PASS), LABEL),
        'KEY_UNSUPPORTED',
        [iv],
      );
      expect(err.message).toBe(
        `${LABEL} is encrypted with ${shown}; only AES-CBC and DES-EDE3-CBC are supported`,
      );
    }
  });

  it('the IV must be hex of the cipher’s block size, after a comma', () => {
    const b = legacyPem(ec(), 'aes-128-cbc');
    const iv = b.headers['DEK-Info'].split(',')[1];
    const bad = [
      'AES-128-CBC',
      'AES-128-CBC,',
      `AES-128-CBC,${iv.slice(2)}`,
      `AES-128-CBC,${iv}00`,
      `AES-128-CBC,${iv.slice(0, -1)}g`,
      `AES-128-CBC,x${iv.slice(1)}`,
      `DES-EDE3-CBC,${iv}`,
    ];
    for (const dek of bad) {
      const err = expectDctError(
        () =>
          decryptLegacy(
            { ...b, headers: { ...b.headers, 'DEK-Info': dek } },
            Buffer.from(PASS),
            LABEL,
          ),
        'KEY_NOT_A_KEY',
      );
      expect(err.message, dek).toBe(
        `${LABEL} is damaged or not a private key: its DEK-Info header has no valid IV`,
      );
    }
    // upper- and lower-case hex are both read
    const key = ec();
    const ok = legacyPem(key, 'aes-128-cbc');
    const [name, hex] = ok.headers['DEK-Info'].split(',');
    const lower = { ...ok, headers: { ...ok.headers, 'DEK-Info': `${name},${hex.toLowerCase()}` } };
    expect(idOf(loadKeyBlock(lower, PASS, LABEL))).toBe(idOf(key));
  });

  it('the ciphertext must be a non-empty multiple of the IV length (8 for DES-EDE3)', () => {
    const aes = legacyPem(ec(), 'aes-128-cbc');
    for (const der of [
      Buffer.alloc(0),
      aes.der.subarray(0, 8),
      aes.der.subarray(0, aes.der.length - 1),
    ]) {
      const err = expectDctError(
        () => decryptLegacy({ ...aes, der }, Buffer.from(PASS), LABEL),
        'KEY_NOT_A_KEY',
      );
      expect(err.message).toBe(
        `${LABEL} is damaged or not a private key: the encrypted data has a bad length`,
      );
    }
    const des = legacyPem(ec(), 'des-ede3-cbc');
    // 8 bytes short is still whole DES blocks: it reaches the cipher (a wrong-padding failure).
    expectDctError(
      () =>
        decryptLegacy(
          { ...des, der: des.der.subarray(0, des.der.length - 8) },
          Buffer.from(PASS),
          LABEL,
        ),
      'KEY_BAD_PASSPHRASE',
    );
    expectDctError(
      () =>
        decryptLegacy(
          { ...des, der: des.der.subarray(0, des.der.length - 4) },
          Buffer.from(PASS),
          LABEL,
        ),
      'KEY_NOT_A_KEY',
    );
  });

  it('derives the key as OpenSSL’s EVP_BytesToKey(MD5, 1 round, IV[0:8] salt)', () => {
    // Encrypt by hand with the derivation written out, and decrypt with the module.
    const key = ec();
    const sec1 = key.export({ type: 'sec1', format: 'der' });
    for (const [name, keyLen, ivLen] of [
      ['AES-256-CBC', 32, 16],
      ['DES-EDE3-CBC', 24, 8],
      ['AES-128-CBC', 16, 16],
    ] as const) {
      const iv = randomBytes(ivLen);
      const d1 = createHash('md5').update(PASS).update(iv.subarray(0, 8)).digest();
      const d2 = createHash('md5').update(d1).update(PASS).update(iv.subarray(0, 8)).digest();
      const k = Buffer.concat([d1, d2]).subarray(0, keyLen);
      const c = createCipheriv(name.toLowerCase(), k, iv);
      const der = Buffer.concat([c.update(sec1), c.final()]);
      const b: PemBlock = {
        type: 'EC PRIVATE KEY',
        headers: { 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': `${name},${iv.toString('hex')}` },
        headerOrder: ['Proc-Type', 'DEK-Info'],
        der,
      };
      expect(decryptLegacy(b, Buffer.from(PASS), LABEL)).toEqual(sec1);
    }
  });
});

/** notary's PKCS#8 of an Ed25519 key, and where its 96-byte private key sits in it. */
function notaryEd() {
  const key = generateKeyPairSync('ed25519').privateKey;
  const der = notaryPkcs8(key);
  const pub = ed25519PublicBytes(key);
  const at = der.length - 96;
  return { key, der, pub, at };
}

describe('notary Ed25519 keys', () => {
  it('load from PRIVATE KEY (PKCS#8) and ED25519 PRIVATE KEY (raw 96 bytes) blocks', () => {
    const { key, der, at } = notaryEd();
    expect(idOf(loadKeyBlock(block(der, 'PRIVATE KEY'), undefined, LABEL))).toBe(idOf(key));
    const raw = Buffer.from(der.subarray(at));
    expect(idOf(loadKeyBlock(block(raw, 'ED25519 PRIVATE KEY'), undefined, LABEL))).toBe(idOf(key));
  });

  it('either stored copy of the public key not matching the seed is damage', () => {
    for (const offset of [0, 31, 64, 95]) {
      const { der, at } = notaryEd();
      der[at + offset] ^= 1;
      const err = expectDctError(
        () => loadKeyBlock(block(der, 'PRIVATE KEY'), undefined, LABEL),
        'KEY_NOT_A_KEY',
      );
      expect(err.message).toBe(
        `${LABEL} is damaged or not a private key: its Ed25519 public key does not match the seed`,
      );
    }
    // The same damage under encryption reads as a wrong passphrase.
    const { der, at } = notaryEd();
    der[at + 70] ^= 1;
    expectDctError(
      () => loadKeyBlock(block(pbes2({ plain: der })), PASS, LABEL),
      'KEY_BAD_PASSPHRASE',
    );
  });

  it('a raw key that is not 96 bytes is damage, its length named', () => {
    const { der, at } = notaryEd();
    for (const n of [0, 64, 95, 97]) {
      const raw = Buffer.alloc(n);
      der.copy(raw, 0, at, at + Math.min(n, 96));
      const err = expectDctError(
        () => loadKeyBlock(block(raw, 'ED25519 PRIVATE KEY'), undefined, LABEL),
        'KEY_NOT_A_KEY',
      );
      expect(err.message).toBe(
        `${LABEL} is damaged or not a private key: its Ed25519 key is ${n} bytes, not 96`,
      );
    }
  });
});

function pkcs8(alg: Buffer, privateKey: Buffer = Buffer.alloc(32, 1)): Buffer {
  return derSequence(derSmallInt(0), alg, derOctets(privateKey));
}

describe('PKCS#8 key algorithms and curves', () => {
  it('other key algorithms are named as unsupported; an unknown one is damage', () => {
    for (const [oid, name] of [
      ['1.2.840.10040.4.1', 'DSA'],
      ['1.2.840.113549.1.3.1', 'DH'],
      ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
      ['1.3.101.110', 'X25519'],
      ['1.3.101.111', 'X448'],
      ['1.3.101.113', 'Ed448'],
    ]) {
      const err = expectDctError(
        () => loadKeyBlock(block(pkcs8(derSequence(derOid(oid))), 'PRIVATE KEY'), undefined, LABEL),
        'KEY_UNSUPPORTED',
      );
      expect(err.message).toBe(
        `${LABEL} uses key algorithm ${name}; notary keys are ECDSA, RSA or Ed25519`,
      );
    }
    const err = expectDctError(
      () =>
        loadKeyBlock(
          block(pkcs8(derSequence(derOid('1.3.101.199'))), 'PRIVATE KEY'),
          undefined,
          LABEL,
        ),
      'KEY_DAMAGED',
    );
    expect(err.message).toContain('its key algorithm is not the one notary writes (1.3.101.199)');
  });

  it('EC curves: others named, unknown ones damage, parameters not a named curve damage', () => {
    const ecAlg = (params: Buffer) => derSequence(derOid(OID.ecPublicKey), params);
    for (const [oid, name] of [
      ['1.3.132.0.10', 'secp256k1'],
      ['1.3.36.3.3.2.8.1.1.7', 'brainpoolP256r1'],
      ['1.3.36.3.3.2.8.1.1.11', 'brainpoolP384r1'],
      ['1.3.36.3.3.2.8.1.1.13', 'brainpoolP512r1'],
    ]) {
      const err = expectDctError(
        () => loadKeyBlock(block(pkcs8(ecAlg(derOid(oid))), 'PRIVATE KEY'), undefined, LABEL),
        'KEY_UNSUPPORTED',
      );
      expect(err.message).toBe(`${LABEL} uses EC curve ${name}; notary supports P-224/256/384/521`);
    }
    const unknown = expectDctError(
      () =>
        loadKeyBlock(block(pkcs8(ecAlg(derOid('1.3.132.0.99'))), 'PRIVATE KEY'), undefined, LABEL),
      'KEY_DAMAGED',
    );
    expect(unknown.message).toContain('its EC curve is not the one notary writes (1.3.132.0.99)');
    const notNamed = expectDctError(
      () => loadKeyBlock(block(pkcs8(ecAlg(Buffer.from([5, 0]))), 'PRIVATE KEY'), undefined, LABEL),
      'KEY_NOT_A_KEY',
    );
    expect(notNamed.message).toBe(
      `${LABEL} is damaged or not a private key: its EC parameters are not a named curve`,
    );
    expectDctError(
      () => loadKeyBlock(block(pbes2({ plain: pkcs8(ecAlg(Buffer.from([5, 0]))) })), PASS, LABEL),
      'KEY_BAD_PASSPHRASE',
    );
  });

  it('a PKCS#8 that does not parse: damage unencrypted, a wrong passphrase encrypted', () => {
    const broken = derSequence(derSmallInt(0), derSequence(derOid(OID.rsaEncryption)));
    const err = expectDctError(
      () => loadKeyBlock(block(broken, 'PRIVATE KEY'), undefined, LABEL),
      'KEY_NOT_A_KEY',
    );
    expect(err.message).toBe(
      `${LABEL} is damaged or not a private key: its PKCS#8 structure does not parse`,
    );
    expect(err.cause).toMatchObject({ message: 'DER: expected privateKey' });
    expectDctError(
      () => loadKeyBlock(block(pbes2({ plain: broken })), PASS, LABEL),
      'KEY_BAD_PASSPHRASE',
    );
  });

  it('Node’s own parse failing names the format; the outer SEQUENCE is checked first', () => {
    const bad = derSequence(derSmallInt(1), derOctets(Buffer.alloc(32, 7)));
    for (const [type, name] of [
      ['EC PRIVATE KEY', 'SEC1'],
      ['RSA PRIVATE KEY', 'PKCS1'],
    ]) {
      for (const der of [bad, derOctets(Buffer.alloc(4))]) {
        const err = expectDctError(
          () => loadKeyBlock(block(der, type), undefined, LABEL),
          'KEY_NOT_A_KEY',
        );
        expect(err.message).toBe(
          `${LABEL} is damaged or not a private key: its ${name} data does not parse`,
        );
      }
    }
    // rsaEncryption with an inner key that is not PKCS#1
    const rsa = pkcs8(derSequence(derOid(OID.rsaEncryption), Buffer.from([5, 0])));
    const err = expectDctError(
      () => loadKeyBlock(block(rsa, 'PRIVATE KEY'), undefined, LABEL),
      'KEY_NOT_A_KEY',
    );
    expect(err.message).toContain('its PKCS8 data does not parse');
  });

  it.each([
    ['the whole', derOctets(Buffer.alloc(4)), 'DER: expected PrivateKeyInfo'],
    [
      'the version',
      derSequence(derOctets(Buffer.alloc(1)), derSequence(derOid(OID.rsaEncryption))),
      'DER: expected version',
    ],
    [
      'the algorithm',
      derSequence(derSmallInt(0), derSmallInt(0), derOctets(Buffer.alloc(4))),
      'DER: expected AlgorithmIdentifier',
    ],
    [
      'the EC curve',
      pkcs8(derSequence(derOid(OID.ecPublicKey), derSequence())),
      'DER: expected a named curve',
    ],
  ])('a PKCS#8 whose %s does not parse names it in the cause', (_, der, cause) => {
    const err = expectDctError(
      () => loadKeyBlock(block(der, 'PRIVATE KEY'), undefined, LABEL),
      'KEY_NOT_A_KEY',
    );
    expect(err.cause).toMatchObject({ message: cause });
  });

  it('an EC or RSA key that is not a SEQUENCE says so in the cause', () => {
    for (const type of ['EC PRIVATE KEY', 'RSA PRIVATE KEY']) {
      const err = expectDctError(
        () => loadKeyBlock(block(derOctets(Buffer.alloc(4)), type), undefined, LABEL),
        'KEY_NOT_A_KEY',
      );
      expect(err.cause).toMatchObject({ message: 'DER: expected a SEQUENCE' });
    }
  });

  it('trailing bytes after the PKCS#8 are ignored, as Go does (notary pads)', () => {
    const key = ec();
    const der = Buffer.concat([key.export({ type: 'pkcs8', format: 'der' }), Buffer.alloc(5, 5)]);
    expect(idOf(loadKeyBlock(block(der, 'PRIVATE KEY'), undefined, LABEL))).toBe(idOf(key));
  });

  it('keys notary cannot sign with are refused after loading, with the reason', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const err = expectDctError(
      () =>
        loadKeyBlock(
          block(small.export({ type: 'pkcs8', format: 'der' }), 'PRIVATE KEY'),
          undefined,
          LABEL,
        ),
      'KEY_UNSUPPORTED',
    );
    expect(err.message.startsWith(`${LABEL} `)).toBe(true);
    expect(err.message).toContain('1024-bit');
  });
});
