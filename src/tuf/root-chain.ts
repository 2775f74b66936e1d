/**
 * Establishing the root (notary-spec.md §7.1, §7.3): the server's root must name the GUN in a
 * valid certificate, match the pins and sign itself; a root other than the cached one must be
 * reached from it by a chain of roots each signed by its predecessor. Fails closed.
 */
import { DctError } from '../errors.js';
import { checkMaxLength, CLEAR_CACHE, ROOT_MAX_BYTES, STALE, type MetaFetcher } from './checks.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import { asRoot, pickKeys, type RootMeta } from './models.js';
import { validRootCerts, type RootCert } from './rootcert.js';
import type { TrustState } from './trust-cache.js';
import { verifySignatures } from './verify.js';

export async function establishRoot(
  fetcher: MetaFetcher,
  rootBytes: Buffer,
  gun: string,
  now: Date,
  pins: string[] | undefined,
  cached: TrustState | undefined,
): Promise<Envelope<RootMeta>> {
  const root = parseEnvelope(rootBytes, 'root', asRoot);
  // Go's ValidateRoot order (trustpinning/certs.go): the new root's certificates must name
  // this GUN before any rotation check, so another repository's root is "untrusted", never
  // a rotation that clearing the cache would seem to fix.
  const leaves = validLeafCerts(root, gun, now);
  if (cached !== undefined) {
    let prev: Envelope<RootMeta>;
    try {
      prev = parseEnvelope(Buffer.from(cached.root, 'base64'), 'cached root', asRoot);
    } catch (e) {
      throw new DctError(
        'TUF_ROOT_UNTRUSTED',
        `could not validate the path to a trusted root: the cached root is unreadable; ` +
          'clear the action cache',
        { cause: e },
      );
    }
    if (!prev.bytes.equals(root.bytes)) {
      const from = prev.signed.version;
      const to = root.signed.version;
      if (to < from) {
        throw new DctError(
          'TUF_ROLLBACK',
          `root version ${to} is lower than current version ${from}; ${STALE}`,
        );
      }
      if (to === from) {
        throw rotationError(
          `the server's root differs from the trusted root of the same version ${to}`,
        );
      }
      // Every version in between must be signed by its predecessor (§7.2).
      for (let v = from + 1; v < to; v++) {
        const bytes = await fetcher.fetch('root', { version: v, maxLength: ROOT_MAX_BYTES });
        if (bytes === undefined) throw rotationError(`root version ${v} is missing on the server`);
        checkMaxLength('root', bytes, ROOT_MAX_BYTES);
        const mid = parseEnvelope(bytes, `root version ${v}`, asRoot);
        if (mid.signed.version !== v) {
          throw rotationError(`${v}.root.json holds version ${mid.signed.version}`);
        }
        checkRotation(prev, mid, gun, now, false);
        prev = mid;
      }
      checkRotation(prev, root, gun, now, true);
    }
  }
  validateRoot(root, leaves, pins);
  return root;
}

/** `next` must be signed by `prev`'s certificate keys at `prev`'s root threshold. */
function checkRotation(
  prev: Envelope<RootMeta>,
  next: Envelope<RootMeta>,
  gun: string,
  now: Date,
  isFinal: boolean,
): void {
  // The old root's certificates may have expired since; Go does not check them (§7.3).
  signedByRootOf(prev, next, gun, now, `the keys of trusted root version ${prev.signed.version}`);
  // Intermediate roots are history: their own signatures must hold, not their expiry.
  if (!isFinal) signedByRootOf(next, next, gun, now, 'its own root keys');
}

/** `next` must carry the signatures of `by`'s root certificate keys, at `by`'s threshold,
 * whether or not those certificates are still valid. */
function signedByRootOf(
  by: Envelope<RootMeta>,
  next: Envelope<RootMeta>,
  gun: string,
  now: Date,
  whose: string,
): void {
  const v = next.signed.version;
  const keyids = [...validRootCerts(by.signed, gun, now, false).valid.keys()];
  try {
    verifySignatures(next, `root version ${v}`, pickKeys(by.signed.keys, keyids), {
      keyids,
      threshold: by.signed.roles['root'].threshold,
    });
  } catch (e) {
    throw rotationError(`root version ${v} is not signed by ${whose}`, e);
  }
}

function rotationError(why: string, cause?: unknown): DctError {
  return new DctError(
    'TUF_ROOT_ROTATION',
    `could not rotate trust to a new trusted root: ${why}; ${STALE}, or ${CLEAR_CACHE}`,
    { cause },
  );
}

/** The root's certificates whose CN matches the GUN and that are valid now; none is fatal. */
function validLeafCerts(root: Envelope<RootMeta>, gun: string, now: Date): Map<string, RootCert> {
  const { valid, rejected } = validRootCerts(root.signed, gun, now, true);
  if (valid.size === 0) {
    throw untrusted(
      `unable to retrieve valid leaf certificates (${rejected.join('; ') || 'no root keys'}); ` +
        `the root must hold a certificate for ${gun} that is valid now ` +
        '(an expired cached root needs a root rotation on the server and a cleared action cache)',
    );
  }
  return valid;
}

/** The rest of Go's `ValidateRoot` on the leaf certificates: pins, self-signature. */
function validateRoot(
  root: Envelope<RootMeta>,
  valid: Map<string, RootCert>,
  pins?: string[],
): void {
  let certs = [...valid.values()];
  if (pins !== undefined && pins.length > 0) {
    const wanted = new Set(pins.map((p) => p.trim().toLowerCase()));
    certs = certs.filter((c) => wanted.has(c.keyId) || wanted.has(c.canonicalId));
    if (certs.length === 0) {
      throw untrusted(
        `unable to match any certificates to the pinned root key IDs (root has ` +
          `${[...valid.keys()].join(', ')}); check the root-key-ids input`,
      );
    }
  }
  const ids = certs.map((c) => c.keyId);
  try {
    verifySignatures(root, 'root', pickKeys(root.signed.keys, ids), {
      keyids: ids,
      threshold: root.signed.roles['root'].threshold,
    });
  } catch (e) {
    throw untrusted(`failed to validate integrity of roots (${describe(e)})`, e);
  }
}

function untrusted(reason: string, cause?: unknown): DctError {
  return new DctError(
    'TUF_ROOT_UNTRUSTED',
    `could not validate the path to a trusted root: ${reason}`,
    { cause },
  );
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
