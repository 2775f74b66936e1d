/** Signature verification as notary's tuf/signed/verify.go does it (notary-spec.md §4.5). */
import { constants, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { DctError } from '../errors.js';
import { keyIdOf, shortId, type TufKey } from '../keys/keyid.js';
import { MIN_RSA_BITS } from '../keys/rules.js';
import { literalSignedMessage, signedMessage, type Envelope } from './envelope.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Checks that at least `threshold` distinct keys of the role signed the file. The message is
 * canonical(JSON.parse(signed)) re-derived from `env.bytes`, never the file bytes (§3.2).
 * Signatures by keys outside the role are ignored; a role key whose entry does not hash to
 * its ID is an error (`TUF_INVALID_KEY_ID`). Below threshold: `TUF_SIGNATURE` when a role
 * key's signature was present but wrong (tampering), else `TUF_THRESHOLD`.
 */
export function verifySignatures(
  env: Envelope<unknown>,
  roleName: string,
  keys: Record<string, TufKey>,
  role: { keyids: string[]; threshold: number },
): void {
  if (env.signatures.length === 0) {
    throw new DctError(
      'TUF_NO_SIGNATURES',
      `${roleName} metadata has no signatures; the trust server may be serving tampered data`,
    );
  }
  if (!Number.isSafeInteger(role.threshold) || role.threshold < 1) {
    throw new DctError('TUF_BAD_METADATA', `role ${roleName} has an invalid threshold`);
  }
  // A file written as Go writes it holds canonical(signed) HTML-escaped (§3.2): undoing the
  // escaping gives the signed message without parsing and re-encoding a large file. Only
  // signatures that verify over it are trusted; otherwise the message is derived as Go does.
  const literal =
    env.message === undefined ? literalSignedMessage(env.bytes, env.signatures) : undefined;
  if (
    literal !== undefined &&
    validSignatures(env, roleName, keys, role, literal).valid.size >= role.threshold
  ) {
    return;
  }
  const message = env.message ?? signedMessage(env.bytes, roleName);
  const { valid, failed } = validSignatures(env, roleName, keys, role, message);
  if (valid.size >= role.threshold) return;
  const counts = `${valid.size} valid of ${role.threshold} required`;
  if (failed.length > 0) {
    throw new DctError(
      'TUF_SIGNATURE',
      `signature of key ${shortId(failed[0])} on ${roleName} is invalid (${counts}); ` +
        'the trust server may be serving tampered data',
    );
  }
  throw new DctError(
    'TUF_THRESHOLD',
    `valid signatures did not meet threshold for ${roleName} (${counts}); ` +
      'it was not signed by the keys the repository trusts for this role',
  );
}

function validSignatures(
  env: Envelope<unknown>,
  roleName: string,
  keys: Record<string, TufKey>,
  role: { keyids: string[] },
  message: Buffer,
): { valid: Set<string>; failed: string[] } {
  const allowed = new Set(role.keyids);
  const valid = new Set<string>();
  const failed: string[] = [];
  for (const sig of env.signatures) {
    if (!allowed.has(sig.keyid)) continue;
    const key = keys[sig.keyid];
    if (key === undefined) continue;
    if (keyIdOf(key) !== sig.keyid) {
      throw new DctError(
        'TUF_INVALID_KEY_ID',
        `key ${shortId(sig.keyid)} of ${roleName} does not match its ID; ` +
          'the metadata is corrupt or tampered with',
      );
    }
    if (verifyOne(message, sig.method, Buffer.from(sig.sig, 'base64'), key)) {
      valid.add(sig.keyid);
    } else {
      failed.push(sig.keyid);
    }
  }
  return { valid, failed };
}

/** One signature over `message` by `key` with notary's `method` (case-insensitive). */
export function verifyOne(message: Buffer, method: string, sig: Buffer, key: TufKey): boolean {
  let pub: KeyObject;
  try {
    pub = publicKeyOf(key);
  } catch {
    return false;
  }
  const type = pub.asymmetricKeyType;
  try {
    switch (method.toLowerCase()) {
      case 'ecdsa': {
        if (type !== 'ec' || !['ecdsa', 'ecdsa-x509'].includes(key.keytype)) return false;
        // Go requires raw r‖s of exactly twice the curve size; DER is refused.
        const size = EC_SIZES[pub.asymmetricKeyDetails?.namedCurve ?? ''];
        if (size === undefined || sig.length !== 2 * size) return false;
        return verify('sha256', message, { key: pub, dsaEncoding: 'ieee-p1363' }, sig);
      }
      case 'rsapss':
        if (!isRsa(pub, key)) return false;
        return verify(
          'sha256',
          message,
          { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
          sig,
        );
      case 'rsapkcs1v15':
        if (!isRsa(pub, key)) return false;
        return verify('sha256', message, { key: pub, padding: constants.RSA_PKCS1_PADDING }, sig);
      case 'eddsa':
        if (type !== 'ed25519' || key.keytype !== 'ed25519' || sig.length !== 64) return false;
        return verify(null, message, pub, sig);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

const EC_SIZES: Record<string, number> = {
  prime256v1: 32,
  secp384r1: 48,
  secp521r1: 66,
  secp224r1: 28,
};

function isRsa(pub: KeyObject, key: TufKey): boolean {
  return (
    pub.asymmetricKeyType === 'rsa' &&
    ['rsa', 'rsa-x509'].includes(key.keytype) &&
    (pub.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS
  );
}

/** The public key a TUF key object holds; x509 types use the (first) certificate's key. */
export function publicKeyOf(key: TufKey): KeyObject {
  const bytes = Buffer.from(key.keyval.public, 'base64');
  switch (key.keytype) {
    case 'ecdsa':
    case 'rsa':
      return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
    case 'ed25519':
      if (bytes.length !== 32) throw new Error('ed25519 key is not 32 bytes');
      return createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]),
        format: 'der',
        type: 'spki',
      });
    case 'ecdsa-x509':
    case 'rsa-x509':
      return new X509Certificate(bytes).publicKey;
    default:
      throw new Error(`unsupported key type ${key.keytype}`);
  }
}
