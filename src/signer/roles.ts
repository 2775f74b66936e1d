/**
 * Which roles a run signs into, as docker chooses them (notary-spec.md §6.3): every direct
 * `targets/*` delegation our keys may sign whose paths match the tag; `targets` when the
 * repository has no delegations. `signer` narrows the choice.
 */
import { DctError } from '../errors.js';
import { shortId, type TufKey } from '../keys/keyid.js';
import type { KeyRing } from '../keys/keyring.js';
import type { TufSigner } from '../keys/sign.js';
import { pathsMatch, type DelegationRole } from '../tuf/models.js';
import type { RoleKeySet, TrustedRepo } from '../tuf/repo.js';
import { canSign, refreshHint } from './health.js';

export interface SignableRole {
  role: string;
  /** The role's delegation entry (undefined for `targets`). */
  delegation?: DelegationRole;
  signers: TufSigner[];
  threshold: number;
}

const RELEASES = 'targets/releases';

/** `ci` → `targets/ci`; `targets/ci` and `targets` stay as they are. */
export function signerRole(name: string): string {
  return name === 'targets' || name.startsWith('targets/') ? name : `targets/${name}`;
}

/** `targets/ci` → `ci`; `targets/releases` → `releases`; `targets` → `targets`. */
export function signerName(role: string): string {
  return role.startsWith('targets/') ? role.slice('targets/'.length) : role;
}

function signersFor(keys: KeyRing, keyids: string[], known: Record<string, TufKey>): TufSigner[] {
  const out: TufSigner[] = [];
  for (const id of keyids) {
    const key = known[id];
    if (key === undefined) continue;
    const signer = keys.signerFor(id, key);
    if (signer !== undefined) out.push(signer);
  }
  return out;
}

/** The roles our keys can sign in this repository, narrowed by `wanted` signer names. */
export function signableRoles(
  repo: TrustedRepo,
  keys: KeyRing,
  wanted: string[],
  warn: (message: string) => void,
): SignableRole[] {
  const root = repo.root.signed;
  const top = repo.targets.get('targets');
  if (top === undefined) {
    throw new DctError(
      'TUF_BAD_METADATA',
      `${repo.gun}: the trust server returned no targets role`,
    );
  }
  const targetsRole = root.roles['targets'];
  const targetsSigners =
    targetsRole === undefined ? [] : signersFor(keys, targetsRole.keyids, root.keys);
  const asTargets: SignableRole = {
    role: 'targets',
    signers: targetsSigners,
    threshold: targetsRole?.threshold ?? 1,
  };
  const wantedRoles = new Set(wanted.map(signerRole));
  const delegations = top.signed.delegations.roles;

  const candidates: SignableRole[] = [];
  for (const d of delegations) {
    if (repo.listedTwice.has(d.name)) continue;
    const signers = signersFor(keys, d.keyids, top.signed.delegations.keys);
    if (signers.length > 0) {
      candidates.push({ role: d.name, delegation: d, signers, threshold: d.threshold });
    }
  }

  // docker loads a role once per entry naming it and fails on the second load of a file that
  // verifies: whatever is signed into such a role, docker cannot read (TrustedRepo.listedTwice).
  const twice = [...repo.listedTwice].filter((r) => delegations.some((d) => d.name === r));
  for (const name of twice) {
    const why = `targets lists ${name} twice, and docker cannot read a repository whose ${name} file verifies then ("${name} has already been loaded")`;
    if (wantedRoles.has(name)) {
      throw new DctError('DELEGATION_LISTED_TWICE', `${repo.gun}: ${why}; fix the delegation`);
    }
    warn(`${repo.gun}: ${name} is not signed: ${why}`);
  }

  let chosen: SignableRole[];
  if (wantedRoles.size > 0) {
    chosen = candidates.filter((c) => wantedRoles.has(c.role));
    // `targets/releases` comes along when the key that signs a wanted role may sign it too.
    const releases = candidates.find((c) => c.role === RELEASES);
    if (releases !== undefined && !wantedRoles.has(RELEASES)) {
      const ids = new Set(chosen.flatMap((c) => c.signers.map((s) => s.keyId)));
      if (releases.signers.some((s) => ids.has(s.keyId))) chosen.push(releases);
    }
    if (wantedRoles.has('targets')) {
      if (targetsSigners.length === 0) throw noKeys(repo, keys, ['targets']);
      chosen.push(asTargets);
    }
    const missing = [...wantedRoles].filter((r) => !chosen.some((c) => c.role === r));
    if (missing.length > 0) {
      const known = delegations.map((d) => d.name);
      // `targets` is never missing: it was chosen or refused above.
      const absent = missing.filter((m) => !known.includes(m));
      if (absent.length > 0) {
        throw new DctError(
          'SIGNER_NOT_DELEGATED',
          `${repo.gun} has no delegation ${absent.join(', ')} (it has ${known.join(', ') || 'none'}); ` +
            'add the signer (`signer-add`, or `dct signer add`) or fix `signer`',
        );
      }
      throw noKeys(repo, keys, missing);
    }
  } else if (delegations.length === 0) {
    if (targetsSigners.length === 0) throw noKeys(repo, keys, ['targets']);
    chosen = [asTargets];
  } else if (candidates.length > 0) {
    chosen = candidates;
  } else if (targetsSigners.length > 0) {
    // Docker would refuse here; the repository key may still sign `targets`, but Docker
    // clients read `targets/releases` first, so say so.
    warn(
      `${repo.gun}: none of the keys may sign a delegation (${delegations.map((d) => d.name).join(', ')}); ` +
        'signing into `targets` with the repository key. Docker clients read `targets/releases` first.',
    );
    chosen = [asTargets];
  } else {
    throw noKeys(
      repo,
      keys,
      delegations.map((d) => d.name),
    );
  }

  // Report roles in the repository's own order (`targets` first, then delegations as listed).
  const order = (r: SignableRole) => delegations.findIndex((d) => d.name === r.role);
  chosen.sort((a, b) => order(a) - order(b));
  for (const c of chosen) {
    const expired = repo.expired.has(c.role) ? repo.targets.get(c.role) : undefined;
    if (expired !== undefined) {
      // Loaded despite its expiry because this run re-signs it (issue 15, defect 5): docker
      // starts such a role over and drops its tags; the ones its paths allow are kept.
      const kept = Object.keys(expired.signed.targets).filter(
        (name) => c.delegation === undefined || pathsMatch(c.delegation, name),
      ).length;
      warn(
        `${repo.gun}: ${c.role} expired at ${expired.signed.expires}; it is signed again now, keeping the ${kept} tags it holds (refresh re-signs roles before they expire: ${refreshHint(repo.gun)})`,
      );
    }
    const invalid = repo.invalidDelegations.get(c.role);
    if (invalid !== undefined) {
      // Signed only by keys the role no longer lists (a removed signer, notary-spec.md §6.5):
      // no client trusts its entries, so it starts over (Go clients are stuck there). A bad
      // signature by a listed key (tampering) or an expired file is refused as before.
      const file = repo.invalidFiles.get(c.role);
      const listed = new Set(c.delegation?.keyids ?? []);
      const orphaned =
        invalid.code !== 'TUF_EXPIRED' &&
        file !== undefined &&
        file.signatures.every((sig) => !listed.has(sig.keyid));
      if (!orphaned) {
        throw new DctError(
          'TUF_DELEGATION_INVALID',
          `${repo.gun}: ${c.role} cannot be signed on top of: ${invalid.message}`,
        );
      }
      const entries = Object.keys(file.signed.targets).length;
      warn(
        `${repo.gun}: ${c.role} is signed by keys it no longer lists (a removed signer); its ${entries} entries are trusted by no client and are replaced by what this run signs`,
      );
    }
    if (c.signers.length < c.threshold) {
      throw new DctError(
        'SIGNING_BELOW_THRESHOLD',
        `${repo.gun}: ${c.role} needs ${c.threshold} signatures but the keys given can make ${c.signers.length}`,
      );
    }
  }
  return chosen;
}

/**
 * For loading before `sign`: an expired delegation directly under `targets` that these keys
 * can sign is let through, to be signed again (issue 15, defect 5); nothing else expired is.
 */
export function signableExpired(keys: KeyRing): (role: string, set: RoleKeySet) => boolean {
  return (role, set) =>
    role.startsWith('targets/') && !role.slice(8).includes('/') && canSign(keys, set);
}

/** The chosen roles whose paths allow this tag (notary-spec.md §4.2: prefix match). */
export function rolesForTag(roles: SignableRole[], tag: string): SignableRole[] {
  return roles.filter((r) => r.delegation === undefined || pathsMatch(r.delegation, tag));
}

function noKeys(repo: TrustedRepo, keys: KeyRing, roles: string[]): DctError {
  const held = keys.ids().map(shortId).join(', ') || 'none';
  return new DctError(
    'NO_SIGNING_KEYS',
    `${repo.gun}: no valid signing keys for ${roles.join(', ')}; the keys given have IDs ${held}. ` +
      'Pass the key of a signer delegated in this repository (add one with `signer-add`, or `dct signer add`)',
  );
}
