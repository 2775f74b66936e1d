/**
 * Turns one private-key PEM block into a KeyObject. Every encrypted form is decrypted here, by
 * hand, so that notary's Ed25519 PKCS#8 (which OpenSSL cannot read) takes the same path as
 * the rest: PBES2 (notary-spec.md §1.4) and OpenSSL's legacy `Proc-Type` PEM (§1.5), then the
 * inner PKCS#8 / SEC1 / PKCS#1 (§1.3). Every buffer that held key or passphrase bytes is
 * zeroed before returning.
 *
 * Why not `createPrivateKey({ passphrase })`: OpenSSL opens notary's ECDSA and RSA files, but
 * not its Ed25519 ones (an OID OpenSSL does not know), so this path would stay for those as
 * a second one; the header parse in front (the PBKDF2 cap; scrypt, PBES1 or GCM named rather
 * than taken for a wrong passphrase) would stay too; and the plaintext would sit where we
 * cannot zero it. The tests use OpenSSL as the independent check instead.
 */
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  pbkdf2Sync,
  type KeyObject,
} from 'node:crypto';
import { DctError } from '../errors.js';
import {
  DerError,
  OID,
  TAG,
  children,
  expectTag,
  octets,
  oidOf,
  parseDerPrefix,
  sequence,
  smallInt,
} from './der.js';
import { ed25519PublicBytes } from './keyid.js';
import type { PemBlock } from './pem.js';
import { CURVE_NAMES, curveByOid, keyProblem } from './rules.js';

/** Private-key PEM types this module reads. */
export const PRIVATE_KEY_TYPES = new Set([
  'ENCRYPTED PRIVATE KEY',
  'PRIVATE KEY',
  'EC PRIVATE KEY',
  'RSA PRIVATE KEY',
  'ED25519 PRIVATE KEY',
]);

const PRFS: Record<string, string> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA224]: 'sha224',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA384]: 'sha384',
  [OID.hmacWithSHA512]: 'sha512',
};

const PBES2_CIPHERS: Record<string, { name: string; keyLen: number }> = {
  [OID.aes128cbc]: { name: 'aes-128-cbc', keyLen: 16 },
  [OID.aes192cbc]: { name: 'aes-192-cbc', keyLen: 24 },
  [OID.aes256cbc]: { name: 'aes-256-cbc', keyLen: 32 },
};

const LEGACY_CIPHERS: Record<string, { name: string; keyLen: number; ivLen: number }> = {
  'AES-128-CBC': { name: 'aes-128-cbc', keyLen: 16, ivLen: 16 },
  'AES-192-CBC': { name: 'aes-192-cbc', keyLen: 24, ivLen: 16 },
  'AES-256-CBC': { name: 'aes-256-cbc', keyLen: 32, ivLen: 16 },
  'DES-EDE3-CBC': { name: 'des-ede3-cbc', keyLen: 24, ivLen: 8 },
};

/**
 * Algorithms that exist but notary never writes, by the place they appear in, named when met.
 * Any other OID where notary writes one of its own means the file was damaged: one changed
 * character of a PEM body lands in an OID as often as anywhere.
 */
const OTHER_ALGORITHMS: Record<string, Record<string, string>> = {
  'encryption scheme': {
    '1.2.840.113549.1.5.1': 'PBES1 (MD2, DES)',
    '1.2.840.113549.1.5.3': 'PBES1 (MD5, DES)',
    '1.2.840.113549.1.5.4': 'PBES1 (MD2, RC2)',
    '1.2.840.113549.1.5.6': 'PBES1 (MD5, RC2)',
    '1.2.840.113549.1.5.10': 'PBES1 (SHA-1, DES)',
    '1.2.840.113549.1.5.11': 'PBES1 (SHA-1, RC2)',
    '1.2.840.113549.1.12.1.3': 'PKCS#12 PBE (SHA-1, 3DES)',
    '1.2.840.113549.1.12.1.6': 'PKCS#12 PBE (SHA-1, RC2-40)',
  },
  'key derivation': { '1.3.6.1.4.1.11591.4.11': 'scrypt' },
  'PBKDF2 PRF': {
    '1.2.840.113549.2.12': 'HMAC-SHA-512/224',
    '1.2.840.113549.2.13': 'HMAC-SHA-512/256',
  },
  cipher: {
    '1.2.840.113549.3.2': 'RC2-CBC',
    '1.2.840.113549.3.7': 'DES-EDE3-CBC',
    '1.3.14.3.2.7': 'DES-CBC',
    '2.16.840.1.101.3.4.1.6': 'AES-128-GCM',
    '2.16.840.1.101.3.4.1.26': 'AES-192-GCM',
    '2.16.840.1.101.3.4.1.46': 'AES-256-GCM',
  },
  'key algorithm': {
    '1.2.840.10040.4.1': 'DSA',
    '1.2.840.113549.1.3.1': 'DH',
    '1.2.840.113549.1.1.10': 'RSASSA-PSS',
    '1.3.101.110': 'X25519',
    '1.3.101.111': 'X448',
    '1.3.101.113': 'Ed448',
  },
  'EC curve': {
    '1.3.132.0.10': 'secp256k1',
    '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
    '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
    '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
  },
};

/** More PBKDF2 rounds than any tool writes; a file asking for more is refused, not ground through. */
const MAX_ITERATIONS = 10_000_000;

/** RFC 8410 PKCS#8 for Ed25519 is this fixed prefix followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function isEncryptedBlock(block: PemBlock): boolean {
  return (
    block.type === 'ENCRYPTED PRIVATE KEY' ||
    block.headers['Proc-Type']?.split(',').includes('ENCRYPTED') === true
  );
}

/**
 * Loads the key in `block`. `passphrase` is needed when `isEncryptedBlock`; `label` names the
 * key in error messages ("targets key 6a03f3c (input block 2)"). The caller checks the
 * passphrase is there, so it can name the input to set.
 */
export function loadKeyBlock(
  block: PemBlock,
  passphrase: string | undefined,
  label: string,
): KeyObject {
  const encrypted = isEncryptedBlock(block);
  if (encrypted && !passphrase) {
    throw new DctError(
      'KEY_PASSPHRASE_MISSING',
      `${label} is encrypted and no passphrase was given`,
    );
  }
  const pass = encrypted ? Buffer.from(passphrase!) : undefined;
  let plain: Buffer | undefined;
  try {
    if (block.type === 'ENCRYPTED PRIVATE KEY') {
      plain = decryptPbes2(block.der, pass!, label);
      return checkKey(keyFromPkcs8(plain, label, true), label);
    }
    if (encrypted) plain = decryptLegacy(block, pass!, label);
    const der = plain ?? block.der;
    switch (block.type) {
      case 'PRIVATE KEY':
        return checkKey(keyFromPkcs8(der, label, encrypted), label);
      case 'EC PRIVATE KEY':
        return checkKey(nodeKey(der, 'sec1', label, encrypted), label);
      case 'RSA PRIVATE KEY':
        return checkKey(nodeKey(der, 'pkcs1', label, encrypted), label);
      case 'ED25519 PRIVATE KEY':
        return checkKey(ed25519FromNotary(der, label, encrypted), label);
      default:
        throw new DctError(
          'KEY_UNSUPPORTED',
          `${label}: a ${block.type} block is not a private key`,
        );
    }
  } finally {
    pass?.fill(0);
    plain?.fill(0);
  }
}

function badPassphrase(label: string, cause?: unknown): DctError {
  return new DctError(
    'KEY_BAD_PASSPHRASE',
    `${label} could not be decrypted: the passphrase is wrong (or the file is damaged)`,
    { cause },
  );
}

function notAKey(label: string, what: string, cause?: unknown): DctError {
  return new DctError('KEY_NOT_A_KEY', `${label} is damaged or not a private key: ${what}`, {
    cause,
  });
}

/** An encrypted key whose own structure (readable without the passphrase) is broken. */
function damagedFile(label: string, what: string, cause?: unknown): DctError {
  return new DctError(
    'KEY_DAMAGED',
    `${label} is damaged (${what}); copy the key file again from ~/.docker/trust/private or your backup`,
    { cause },
  );
}

/**
 * A known algorithm notary does not use is unsupported; an unknown OID, or a known one whose
 * parameters have the shape of what notary writes there (`ourShape`), is damage.
 */
function otherAlgorithm(
  label: string,
  what: keyof typeof OTHER_ALGORITHMS,
  oid: string,
  supported: string,
  ourShape = false,
): DctError {
  const name = OTHER_ALGORITHMS[what][oid];
  if (name === undefined || ourShape) {
    return damagedFile(label, `its ${what} is not the one notary writes (${oid})`);
  }
  return new DctError('KEY_UNSUPPORTED', `${label} uses ${what} ${name}; ${supported}`);
}

/** Damage in plaintext structure means a wrong passphrase when it was encrypted. */
function damaged(label: string, encrypted: boolean, what: string, cause?: unknown): DctError {
  return encrypted ? badPassphrase(label, cause) : notAKey(label, what, cause);
}

/** PBES2 with PBKDF2 and AES-CBC (RFC 8018); returns the plaintext PKCS#8 (caller zeroes it). */
export function decryptPbes2(der: Buffer, pass: Buffer, label: string): Buffer {
  let salt: Buffer, iterations: number, prf: string, cipher: { name: string; keyLen: number };
  let iv: Buffer, data: Buffer;
  try {
    const [algId, encrypted] = sequence(parseDerPrefix(der), 'EncryptedPrivateKeyInfo');
    const [algOid, params] = sequence(algId, 'AlgorithmIdentifier');
    const alg = oidOf(algOid);
    if (alg !== OID.pbes2) {
      // PBES1 parameters are (salt, count); two SEQUENCEs are PBES2's (kdf, cipher).
      throw otherAlgorithm(
        label,
        'encryption scheme',
        alg,
        'only PBES2 (what notary and docker write) is supported',
        params?.tag === TAG.SEQUENCE && children(params)[0]?.tag === TAG.SEQUENCE,
      );
    }
    const [kdf, enc] = sequence(params, 'PBES2 parameters');
    const [kdfOid, kdfParams] = sequence(kdf, 'KDF');
    const kdfName = oidOf(kdfOid);
    if (kdfName !== OID.pbkdf2) {
      throw otherAlgorithm(label, 'key derivation', kdfName, 'only PBKDF2 is supported');
    }
    const p = sequence(kdfParams, 'PBKDF2 parameters');
    salt = octets(p[0], 'salt');
    iterations = smallInt(p[1], 'iteration count');
    let rest = p.slice(2);
    let keyLength: number | undefined;
    if (rest[0]?.tag === TAG.INTEGER) {
      keyLength = smallInt(rest[0], 'key length');
      rest = rest.slice(1);
    }
    // The PRF is optional and defaults to HMAC-SHA1, which is what notary relies on (§1.4).
    prf = 'sha1';
    if (rest[0]) {
      const prfOid = oidOf(sequence(rest[0], 'PRF')[0]);
      const found = PRFS[prfOid];
      if (!found)
        throw otherAlgorithm(label, 'PBKDF2 PRF', prfOid, 'only HMAC-SHA-1/2 are supported');
      prf = found;
    }
    const [cipherOid, ivNode] = sequence(enc, 'encryption scheme');
    const cipherName = oidOf(cipherOid);
    const found = PBES2_CIPHERS[cipherName];
    if (!found) {
      // GCM's parameters are a SEQUENCE; a bare OCTET STRING is CBC's IV.
      throw otherAlgorithm(
        label,
        'cipher',
        cipherName,
        'only AES-CBC is supported',
        ivNode?.tag === TAG.OCTET_STRING,
      );
    }
    cipher = found;
    iv = octets(ivNode, 'IV');
    data = octets(encrypted, 'encrypted data');
    if (iv.length !== 16) throw new DerError('bad IV length');
    if (keyLength !== undefined && keyLength !== cipher.keyLen)
      throw new DerError('bad key length');
    if (iterations < 1) throw new DerError('no PBKDF2 iterations');
    if (iterations > MAX_ITERATIONS) {
      throw new DctError(
        'KEY_UNSUPPORTED',
        `${label} asks for ${iterations} PBKDF2 iterations; refusing`,
      );
    }
    if (data.length === 0 || data.length % 16 !== 0) throw new DerError('bad ciphertext length');
  } catch (e) {
    if (e instanceof DctError) throw e;
    throw damagedFile(label, 'its encryption header does not parse', e);
  }
  const key = pbkdf2Sync(pass, salt, iterations, cipher.keyLen, prf);
  try {
    return decipher(cipher.name, key, iv, data, label);
  } finally {
    key.fill(0);
  }
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer, label: string): Buffer {
  const d = createDecipheriv(name, key, iv);
  const head = d.update(data);
  let tail: Buffer | undefined;
  try {
    tail = d.final();
    return Buffer.concat([head, tail]);
  } catch (e) {
    // Bad padding: by far the most common sign of a wrong passphrase.
    throw badPassphrase(label, e);
  } finally {
    head.fill(0);
    tail?.fill(0);
  }
}

/** OpenSSL "traditional" PEM encryption: EVP_BytesToKey(MD5, 1 round), notary-spec.md §1.5. */
export function decryptLegacy(block: PemBlock, pass: Buffer, label: string): Buffer {
  const dek = block.headers['DEK-Info'] ?? '';
  const comma = dek.indexOf(',');
  const cipher = LEGACY_CIPHERS[(comma === -1 ? dek : dek.slice(0, comma)).toUpperCase()];
  if (!cipher) {
    throw new DctError(
      'KEY_UNSUPPORTED',
      `${label} is encrypted with ${JSON.stringify(dek.slice(0, comma === -1 ? undefined : comma))}; only AES-CBC and DES-EDE3-CBC are supported`,
    );
  }
  const ivHex = dek.slice(comma + 1);
  if (comma === -1 || !/^[0-9a-fA-F]+$/.test(ivHex) || ivHex.length !== cipher.ivLen * 2) {
    throw notAKey(label, 'its DEK-Info header has no valid IV');
  }
  const iv = Buffer.from(ivHex, 'hex');
  const key = Buffer.alloc(cipher.keyLen);
  let prev = Buffer.alloc(0);
  try {
    for (let filled = 0; filled < key.length;) {
      const next = createHash('md5').update(prev).update(pass).update(iv.subarray(0, 8)).digest();
      prev.fill(0);
      prev = next;
      filled += prev.copy(key, filled);
    }
    if (block.der.length === 0 || block.der.length % iv.length !== 0) {
      throw notAKey(label, 'the encrypted data has a bad length');
    }
    return decipher(cipher.name, key, iv, block.der, label);
  } finally {
    key.fill(0);
    prev.fill(0);
  }
}

function nodeKey(
  der: Buffer,
  type: 'pkcs8' | 'sec1' | 'pkcs1',
  label: string,
  encrypted: boolean,
): KeyObject {
  try {
    // Check the outer structure with our reader first: Node's parser reports less helpfully.
    expectTag(parseDerPrefix(der), TAG.SEQUENCE, 'a SEQUENCE');
    return createPrivateKey({ key: der, format: 'der', type });
  } catch (e) {
    throw damaged(label, encrypted, `its ${type.toUpperCase()} data does not parse`, e);
  }
}

/** Loads a PKCS#8 PrivateKeyInfo (notary's forms, §1.3, and the standard ones). */
function keyFromPkcs8(der: Buffer, label: string, encrypted: boolean): KeyObject {
  let alg: string, params: ReturnType<typeof children>[number] | undefined;
  let privateKey: Buffer, info: Buffer;
  try {
    // Notary leaves padding after the DER and Go ignores it (§1.4); so do we.
    const node = parseDerPrefix(der);
    const items = sequence(node, 'PrivateKeyInfo');
    smallInt(items[0], 'version');
    const algItems = sequence(items[1], 'AlgorithmIdentifier');
    alg = oidOf(algItems[0]);
    params = algItems[1];
    privateKey = octets(items[2], 'privateKey');
    info = node.raw;
  } catch (e) {
    throw damaged(label, encrypted, 'its PKCS#8 structure does not parse', e);
  }
  switch (alg) {
    case OID.ecPublicKey: {
      let curve: string;
      try {
        curve = oidOf(params, 'a named curve');
      } catch (e) {
        throw damaged(label, encrypted, 'its EC parameters are not a named curve', e);
      }
      if (curveByOid(curve) === undefined) {
        throw otherAlgorithm(label, 'EC curve', curve, `notary supports ${CURVE_NAMES}`);
      }
      return nodeKey(info, 'pkcs8', label, encrypted);
    }
    case OID.rsaEncryption:
    case OID.ed25519:
      return nodeKey(info, 'pkcs8', label, encrypted);
    case OID.notaryEd25519:
      return ed25519FromNotary(privateKey, label, encrypted);
    default:
      throw otherAlgorithm(label, 'key algorithm', alg, 'notary keys are ECDSA, RSA or Ed25519');
  }
}

/**
 * Notary's Ed25519 private key: pub(32) ‖ seed(32) ‖ pub(32) (§1.3). OpenSSL cannot read it,
 * so the seed is wrapped in an RFC 8410 PKCS#8, and the stored public key is checked.
 */
function ed25519FromNotary(raw: Buffer, label: string, encrypted: boolean): KeyObject {
  if (raw.length !== 96)
    throw damaged(label, encrypted, `its Ed25519 key is ${raw.length} bytes, not 96`);
  const pkcs8 = Buffer.alloc(ED25519_PKCS8_PREFIX.length + 32);
  let key: KeyObject;
  try {
    // Any 32 bytes are an Ed25519 seed: this loads whatever the file holds.
    ED25519_PKCS8_PREFIX.copy(pkcs8);
    raw.copy(pkcs8, ED25519_PKCS8_PREFIX.length, 32, 64);
    key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } finally {
    pkcs8.fill(0);
  }
  const pub = ed25519PublicBytes(key);
  if (!pub.equals(raw.subarray(0, 32)) || !pub.equals(raw.subarray(64, 96))) {
    throw damaged(label, encrypted, 'its Ed25519 public key does not match the seed');
  }
  return key;
}

/** Refuses key types and sizes notary cannot sign with (§1.6). */
function checkKey(key: KeyObject, label: string): KeyObject {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new DctError('KEY_UNSUPPORTED', `${label} ${problem}`);
  return key;
}
