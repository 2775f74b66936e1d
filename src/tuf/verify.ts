/** Signature verification as notary's tuf/signed/verify.go does it (notary-spec.md §4.5). */
import type { KeyObject } from 'node:crypto';
import { DctError } from '../errors.js';
import { keyIdOf, publicKeyOf, shortId, type TufKey } from '../keys/keyid.js';
import { KEYTYPE_FAMILY } from '../keys/rules.js';
import { verifySignature } from '../keys/sign.js';
import { literalSignedMessage, signedMessage, type Envelope } from './envelope.js';

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
  // The key type named in metadata must hold the kind of key found in it.
  if (KEYTYPE_FAMILY[key.keytype] !== pub.asymmetricKeyType) return false;
  return verifySignature(method, pub, message, sig);
}
