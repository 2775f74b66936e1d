/**
 * How long each role of a repository stays valid, and the warnings that come early enough to
 * act on (issue 11): a role that expires stops every client at once, attacked or not.
 */
import type { KeyRing } from '../keys/keyring.js';
import type { TufSigner } from '../keys/sign.js';
import { parseExpires } from '../tuf/time.js';
import type { RoleKeySet, TrustedRepo } from '../tuf/repo.js';
import type { Logger } from './types.js';

/** One role as the trust health report shows it. */
export interface RoleHealth {
  role: string;
  version: number;
  /** As the metadata writes it (RFC 3339). */
  expires: string;
  /** TUF key IDs the role lists (root's for base roles, the parent's for delegations). */
  keyIds: string[];
  /** The trust server signs and renews it: the timestamp, and a snapshot the keys cannot sign. */
  serverManaged: boolean;
  /** The file has expired and no client counts it (a delegation Go skips with a warning). */
  expired?: boolean;
}

/** One repository's roles after a run, and which of them the run re-signed. */
export interface RepoHealth {
  gun: string;
  roles: RoleHealth[];
  /** Roles this run signed and published. */
  changed: string[];
}

/** Warn this long before a role expires (issue 11). */
export const WARN_WITHIN_MS = 30 * 86_400_000;

/** The signers `keys` holds for a role's listed keys (at most one per key). */
export function heldSigners(keys: KeyRing | undefined, set: RoleKeySet | undefined): TufSigner[] {
  if (keys === undefined || set === undefined) return [];
  return set.keyids.flatMap((id) => {
    const key = set.keys[id];
    const s = key === undefined ? undefined : keys.signerFor(id, key);
    return s === undefined ? [] : [s];
  });
}

/** Whether `keys` can sign a role with these keys at its threshold. */
export function canSign(keys: KeyRing | undefined, set: RoleKeySet | undefined): boolean {
  return set !== undefined && heldSigners(keys, set).length >= set.threshold;
}

/**
 * Every role with a file: root, targets, the delegations (loaded ones, then those skipped as
 * expired), snapshot, timestamp. `keys` (when given) tells a client-held snapshot from the
 * server's: without the keys that sign it, nobody here can tell, and the snapshot is shown as
 * the server's.
 */
export function roleHealth(repo: TrustedRepo, keys?: KeyRing): RoleHealth[] {
  const out: RoleHealth[] = [];
  const add = (role: string, file: { version: number; expires: string }, extra = {}) => {
    out.push({
      role,
      version: file.version,
      expires: file.expires,
      keyIds: [...(repo.keysOf(role)?.keyids ?? [])],
      serverManaged:
        role === 'timestamp' || (role === 'snapshot' && !canSign(keys, repo.keysOf('snapshot'))),
      ...extra,
    });
  };
  add('root', repo.root.signed);
  for (const [role, env] of repo.targets) add(role, env.signed);
  for (const [role, env] of repo.invalidFiles) {
    if (repo.invalidDelegations.get(role)?.code === 'TUF_EXPIRED') {
      add(role, env.signed, { expired: true });
    }
  }
  add('snapshot', repo.snapshot.signed);
  add('timestamp', repo.timestamp.signed);
  return out;
}

/**
 * The repository's roles after a publish: `repo` as loaded before it, with the version and
 * expiry of each file the run signed (`published`). The server's own new snapshot and
 * timestamp are not read back; they are marked as the server's.
 */
export function healthAfter(
  repo: TrustedRepo,
  published: ReadonlyMap<string, { version: number; expires: string }>,
  keys?: KeyRing,
): RepoHealth {
  const roles = roleHealth(repo, keys).map((h) => {
    const f = published.get(h.role);
    if (f === undefined) return h;
    const { expired: _was, ...rest } = h;
    return { ...rest, version: f.version, expires: f.expires };
  });
  return {
    gun: repo.gun,
    roles,
    changed: roles.map((h) => h.role).filter((r) => published.has(r)),
  };
}

/** Whole days from `now` until `expires` (negative once it has passed). */
export function daysLeft(expires: string, now: Date): number {
  return Math.floor((parseExpires(expires).getTime() - now.getTime()) / 86_400_000);
}

/** The command that re-signs what is about to expire, for messages. */
export function refreshHint(gun: string): string {
  return `run this action with \`command: refresh\` (or \`dct refresh ${gun}\`) with the keys that sign it`;
}

/**
 * Warns about each role that expires within 30 days (or has expired and is skipped), naming
 * the role, the date and the fix. Not about the roles the server renews itself (timestamp, a
 * server-held snapshot), nor about root (`warnIfRootExpiring` warns six months ahead), nor
 * about `skip` (the roles this run re-signs). The snapshot is re-signed by every publish,
 * so it never expires before the targets roles do, and their warning covers it.
 */
export function warnIfExpiring(
  repo: TrustedRepo,
  log: Logger,
  opts: { now?: Date; skip?: Iterable<string> } = {},
): void {
  const now = opts.now ?? new Date();
  const skip = new Set(opts.skip ?? []);
  for (const r of roleHealth(repo)) {
    if (r.serverManaged || r.role === 'root' || r.role === 'snapshot' || skip.has(r.role)) {
      continue;
    }
    const left = parseExpires(r.expires).getTime() - now.getTime();
    if (left >= WARN_WITHIN_MS) continue;
    const then =
      r.role === 'targets'
        ? 'every client refuses the repository'
        : 'clients ignore its signatures';
    const when =
      left < 0
        ? `expired at ${r.expires}, so clients ignore its signatures`
        : `expires at ${r.expires} (in ${daysLeft(r.expires, now)} days), and ${then} then`;
    log.warning(`${repo.gun}: ${r.role} ${when}; re-sign it: ${refreshHint(repo.gun)}`);
  }
}
