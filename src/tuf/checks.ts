/**
 * What every role's loading shares (notary-spec.md §7): the size caps, fetching a file by the
 * length and hashes its parent names, and the signature, version and expiry checks. Fails closed.
 */
import { createHash } from 'node:crypto';
import { DctError, isDctError } from '../errors.js';
import type { Envelope } from './envelope.js';
import type { MetaFile } from './models.js';
import type { RoleKeySet } from './repo.js';
import { parseExpires } from './time.js';
import { verifySignatures } from './verify.js';

export interface MetaFetcher {
  /** GET a role file. `sha256` (hex) → checksum-addressed `role.<sha>.json`; `version` →
   *  `N.role.json`. Returns undefined on 404. Must enforce `maxLength`. */
  fetch(
    role: string,
    opts?: { sha256?: string; version?: number; maxLength?: number },
  ): Promise<Buffer | undefined>;
}

/**
 * notary's MaxDownloadSize, the cap Go applies to a root fetched without a checksum; the notary
 * client also applies it to any fetch given no length (notary-spec.md §5.2).
 */
export const ROOT_MAX_BYTES = 100 * 1024 * 1024;
/** notary-spec.md §5.2. */
export const TIMESTAMP_MAX_BYTES = 1024 * 1024;
/** Any other role file: 100,000s of targets fit well below this. */
export const METADATA_MAX_BYTES = 64 * 1024 * 1024;

export const STALE = 'the trust server may be serving stale or tampered data';
export const CLEAR_CACHE =
  "if the repository's keys were rotated or it was re-created on purpose, clear the action cache";

/** Whether an expired role may still be loaded, given its keys (see `TrustOptions.mayExpire`). */
export type MayExpire = (role: string, keys: RoleKeySet) => boolean;

/** Checks a role's expiry; true when it has expired and `mayExpire` lets it through. */
export type ExpiryCheck = (role: string, expires: string, keys: RoleKeySet) => boolean;

export function expiryCheck(now: Date, mayExpire?: MayExpire): ExpiryCheck {
  return (role, expires, keys) => {
    try {
      checkExpiry(role, expires, now);
      return false;
    } catch (e) {
      if (isDctError(e, 'TUF_EXPIRED') && mayExpire?.(role, keys) === true) return true;
      throw e;
    }
  };
}

/** Signatures, version and expiry of a base role; true when expired and let through. */
export function checkRole(
  env: Envelope<{ expires: string; version: number }>,
  role: string,
  keys: RoleKeySet,
  seen: Record<string, number>,
  check: ExpiryCheck,
): boolean {
  verifySignatures(env, role, keys.keys, keys);
  checkVersion(role, env.signed.version, seen);
  return check(role, env.signed.expires, keys);
}

export function checkVersion(role: string, version: number, seen: Record<string, number>): void {
  const current = seen[role] ?? 0;
  if (version < current) {
    throw new DctError(
      'TUF_ROLLBACK',
      `${role} version ${version} is lower than current version ${current}; ${STALE}, or ${CLEAR_CACHE}`,
    );
  }
}

function checkExpiry(role: string, expires: string, now: Date): void {
  const at = parseExpires(expires);
  if (at.getTime() < now.getTime()) {
    const fix =
      role === 'timestamp' || role === 'snapshot'
        ? `${STALE} (the server re-signs it on demand)`
        : role === 'root'
          ? 'the repository owner must re-sign root with the root key (`refresh` with the root key and its passphrase)'
          : "re-sign it with the key that signs it: the action's `command: refresh`, or `dct refresh`";
    throw new DctError('TUF_EXPIRED', `${role} expired at ${expires}; ${fix}`);
  }
}

export async function fetchByMeta(
  fetcher: MetaFetcher,
  role: string,
  meta: MetaFile,
  parent: string,
): Promise<Buffer> {
  const b64 = meta.hashes['sha256'];
  // The parent names the length; a hostile one cannot make us buffer more than the cap.
  if (meta.length > METADATA_MAX_BYTES) {
    throw new DctError(
      'TUF_LENGTH',
      `${parent} says ${role} is ${meta.length} bytes, over the ${METADATA_MAX_BYTES >> 20} MiB this client reads; ${STALE}`,
    );
  }
  const opts: { sha256?: string; maxLength: number } = { maxLength: meta.length };
  if (b64 !== undefined) opts.sha256 = Buffer.from(b64, 'base64').toString('hex');
  const bytes = await fetcher.fetch(role, opts);
  if (bytes === undefined) throw missing(role);
  checkFileMeta(role, bytes, meta, parent);
  return bytes;
}

export function checkFileMeta(role: string, bytes: Buffer, meta: MetaFile, parent: string): void {
  if (bytes.length !== meta.length) {
    throw new DctError(
      'TUF_LENGTH',
      `${role} is ${bytes.length} bytes but ${parent} says ${meta.length}; ${STALE}`,
    );
  }
  for (const alg of ['sha256', 'sha512']) {
    const expected = meta.hashes[alg];
    if (expected === undefined) continue;
    const actual = createHash(alg).update(bytes).digest();
    if (!actual.equals(Buffer.from(expected, 'base64'))) {
      throw new DctError(
        'TUF_HASH_MISMATCH',
        `${alg} checksum for ${role} did not match: expected ` +
          `${Buffer.from(expected, 'base64').toString('hex')}; ${STALE}`,
      );
    }
  }
}

export function checkMaxLength(role: string, bytes: Buffer, max: number): void {
  if (bytes.length > max) {
    throw new DctError('TUF_LENGTH', `${role} is larger than ${max} bytes; ${STALE}`);
  }
}

export function missing(role: string): DctError {
  return new DctError(
    'TUF_MISSING',
    `${role} metadata is missing on the trust server; it may be mid-update (retry), or ${STALE}`,
  );
}
