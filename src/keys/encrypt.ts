/**
 * Writes private keys exactly as notary does (notary-spec.md §1.3–§1.4): notary's own inner
 * PKCS#8, wrapped in PBES2 with PBKDF2-HMAC-SHA1 (no PRF field), 2048 rounds, an 8-byte salt
 * and AES-256-CBC. Node's built-in encrypted export names hmacWithSHA256, which Go notary
 * silently ignores and then fails to decrypt, so the DER is built here by hand.
 */
import {
  createCipheriv,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { DctError } from '../errors.js';
import { OID, derOctets, derOid, derSequence, derSmallInt } from './der.js';
import { ed25519PublicBytes } from './keyid.js';
import { encodePem } from './pem.js';
import { CURVE_NAMES, curveOf, MIN_RSA_BITS } from './rules.js';

const ITERATIONS = 2048;

/** Roles whose key files carry a `gun:` header; notary strips it for every other role (§1.2). */
const GUN_ROLES = new Set(['targets', 'snapshot', 'timestamp']);

/** notary's PKCS#8 PrivateKeyInfo for `key` (§1.3). The caller zeroes the result. */
export function notaryPkcs8(key: KeyObject): Buffer {
  const type = key.asymmetricKeyType;
  let inner: Buffer | undefined;
  let wrapped: Buffer | undefined;
  try {
    if (type === 'ec') {
      const curve = curveOf(key)?.oid;
      if (!curve)
        throw new DctError('KEY_UNSUPPORTED', `only ${CURVE_NAMES} EC keys can be written`);
      inner = key.export({ type: 'sec1', format: 'der' });
      wrapped = derOctets(inner);
      // ECDSA: version 1 (not 0), notary's encoder writes it so (§1.3).
      return derSequence(
        derSmallInt(1),
        derSequence(derOid(OID.ecPublicKey), derOid(curve)),
        wrapped,
      );
    }
    if (type === 'rsa') {
      inner = key.export({ type: 'pkcs1', format: 'der' });
      wrapped = derOctets(inner);
      // RSA: the AlgorithmIdentifier holds only the OID, no NULL parameter (§1.3).
      return derSequence(derSmallInt(0), derSequence(derOid(OID.rsaEncryption)), wrapped);
    }
    if (type === 'ed25519') {
      const std = key.export({ type: 'pkcs8', format: 'der' });
      const pub = ed25519PublicBytes(key);
      inner = Buffer.alloc(96);
      pub.copy(inner, 0);
      std.copy(inner, 32, std.length - 32); // the RFC 8410 seed is the last 32 bytes
      pub.copy(inner, 64);
      std.fill(0);
      wrapped = derOctets(inner);
      return derSequence(derSmallInt(0), derSequence(derOid(OID.notaryEd25519)), wrapped);
    }
    throw new DctError(
      'KEY_UNSUPPORTED',
      `a ${String(type)} key cannot be written as a notary key`,
    );
  } finally {
    inner?.fill(0);
    wrapped?.fill(0);
  }
}

/** The EncryptedPrivateKeyInfo DER of `key`, as notary writes it (§1.4). */
export function encryptPkcs8(key: KeyObject, passphrase: string): Buffer {
  const salt = randomBytes(8);
  const iv = randomBytes(16);
  const pass = Buffer.from(passphrase);
  let plain: Buffer | undefined;
  let dk: Buffer | undefined;
  try {
    plain = notaryPkcs8(key);
    dk = pbkdf2Sync(pass, salt, ITERATIONS, 32, 'sha1');
    const cipher = createCipheriv('aes-256-cbc', dk, iv);
    const data = Buffer.concat([cipher.update(plain), cipher.final()]);
    return derSequence(
      derSequence(
        derOid(OID.pbes2),
        derSequence(
          // PBKDF2 params: salt and iteration count only, so the PRF defaults to HMAC-SHA1.
          derSequence(derOid(OID.pbkdf2), derSequence(derOctets(salt), derSmallInt(ITERATIONS))),
          derSequence(derOid(OID.aes256cbc), derOctets(iv)),
        ),
      ),
      derOctets(data),
    );
  } finally {
    pass.fill(0);
    plain?.fill(0);
    dk?.fill(0);
  }
}

/**
 * PEM text of `key` encrypted with `passphrase`, byte for byte in notary's layout: type
 * `ENCRYPTED PRIVATE KEY`, headers sorted (`gun` before `role`), `gun` only for the targets,
 * snapshot and timestamp roles (§1.2).
 */
export function encryptNotaryKey(
  key: KeyObject,
  passphrase: string,
  headers: { role: string; gun?: string },
): string {
  if (key.type !== 'private') throw new TypeError('encryptNotaryKey needs a private key');
  if (!passphrase) {
    throw new DctError(
      'KEY_PASSPHRASE_MISSING',
      'a passphrase is needed to write an encrypted key',
    );
  }
  const h: Record<string, string> = { role: headers.role };
  if (GUN_ROLES.has(headers.role)) {
    if (!headers.gun) {
      throw new DctError(
        'KEY_GUN_MISSING',
        `a ${headers.role} key file needs the repository (gun) it belongs to`,
      );
    }
    h.gun = headers.gun;
  }
  return encodePem({
    type: 'ENCRYPTED PRIVATE KEY',
    headers: h,
    der: encryptPkcs8(key, passphrase),
  });
}

/** A new private key of the kind notary makes: ECDSA P-256, Ed25519, or RSA-2048 (imported). */
export function generateKey(type: 'ecdsa' | 'ed25519' | 'rsa'): KeyObject {
  switch (type) {
    case 'ecdsa':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS }).privateKey;
  }
}
