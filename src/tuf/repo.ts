/**
 * The repository model: what `loadTrustedRepo` verified of one repository (notary-spec.md §7),
 * and the questions the flows ask of it (keys of a role, where a target is signed, what docker
 * pulls, what to keep in the trust cache).
 */
import type { DctError } from '../errors.js';
import type { TufKey } from '../keys/keyid.js';
import type { Envelope } from './envelope.js';
import {
  pathsMatch,
  roleKeys,
  type DelegationRole,
  type RootMeta,
  type SnapshotMeta,
  type TargetFile,
  type TargetsMeta,
  type TimestampMeta,
} from './models.js';
import type { TrustState } from './trust-cache.js';

/** The keys and threshold a role is checked with. */
export interface RoleKeySet {
  keyids: string[];
  threshold: number;
  keys: Record<string, TufKey>;
}

/** Where a delegation stands after loading (see `TrustedRepo.delegation`). */
export interface DelegationInfo {
  /** The entry from the parent, `paths` already restricted to the parent's (§4.2). */
  role: DelegationRole & { paths: string[] };
  /** The parent's delegation keys for this role's keyids. */
  keys: Record<string, TufKey>;
  parent: string;
  /** loaded: verified file; absent: no file in the snapshot yet (empty, version 0);
   *  invalid: a file that is expired or not signed at threshold (see invalidDelegations). */
  file: 'loaded' | 'absent' | 'invalid';
}

const RELEASES = 'targets/releases';

/** The verified state of one repository, as `loadTrustedRepo` left it. */
export class TrustedRepo {
  readonly gun: string;
  readonly root: Envelope<RootMeta>;
  readonly timestamp: Envelope<TimestampMeta>;
  readonly snapshot: Envelope<SnapshotMeta>;
  /** Every targets role loaded and verified: 'targets' first, then delegations depth-first. */
  readonly targets = new Map<string, Envelope<TargetsMeta>>();
  /** Delegations whose file exists but is expired or below threshold: never build on these. */
  readonly invalidDelegations = new Map<string, DctError>();
  /** The files behind `invalidDelegations` (their versions bound the next upload). */
  readonly invalidFiles = new Map<string, Envelope<TargetsMeta>>();
  /** Delegations their parent lists more than once: Go cannot read a file signed into them. */
  readonly listedTwice = new Set<string>();
  /** Roles loaded although expired, because the caller re-signs them (`TrustOptions.mayExpire`). */
  readonly expired = new Set<string>();
  private readonly delegations = new Map<string, DelegationInfo>();

  constructor(
    gun: string,
    root: Envelope<RootMeta>,
    timestamp: Envelope<TimestampMeta>,
    snapshot: Envelope<SnapshotMeta>,
  ) {
    this.gun = gun;
    this.root = root;
    this.timestamp = timestamp;
    this.snapshot = snapshot;
  }

  /** @internal used while loading */
  addDelegation(info: DelegationInfo): void {
    this.delegations.set(info.role.name, info);
  }

  /** A delegation listed by a loaded parent: its entry, keys, parent and file state. */
  delegation(role: string): DelegationInfo | undefined {
    return this.delegations.get(role);
  }

  /** Every delegation listed by a loaded parent, depth-first. */
  delegationNames(): string[] {
    return [...this.delegations.keys()];
  }

  /**
   * Keys and threshold of any role: base roles from root, delegations from their parent.
   * E.g. `keysOf('snapshot')` tells whether the client (not the server) holds the snapshot key.
   */
  keysOf(
    role: string,
  ): { keyids: string[]; threshold: number; keys: Record<string, TufKey> } | undefined {
    if (this.root.signed.roles[role] !== undefined) return roleKeys(this.root.signed, role);
    const d = this.delegations.get(role);
    if (d === undefined) return undefined;
    return { keyids: d.role.keyids, threshold: d.role.threshold, keys: d.keys };
  }

  /**
   * Where a target name is signed: each loaded role holding it, 'targets' first, then
   * delegations depth-first, skipping delegations whose paths do not allow the name.
   */
  targetsFor(name: string): Array<{ role: string; target: TargetFile }> {
    const out: Array<{ role: string; target: TargetFile }> = [];
    for (const [role, env] of this.targets) {
      if (role !== 'targets' && !pathsMatch(this.delegations.get(role)!.role, name)) continue;
      if (Object.prototype.hasOwnProperty.call(env.signed.targets, name)) {
        out.push({ role, target: env.signed.targets[name] });
      }
    }
    return out;
  }

  /**
   * The target docker pulls for a name (docker/cli GetTargetByName(name, targets/releases,
   * targets), notary-spec.md §8): the first role holding it walking targets/releases and its
   * delegations, else walking targets and its other delegations. Docker refuses a target
   * found in any role but targets/releases and targets ("No trust data"), so the caller must
   * check `role`.
   */
  dockerTarget(name: string): { role: string; target: TargetFile } | undefined {
    const found = this.targetsFor(name);
    const releases = found.filter((f) => f.role === RELEASES || f.role.startsWith(`${RELEASES}/`));
    if (releases.length > 0) return releases.find((f) => f.role === RELEASES) ?? releases[0];
    return found.find((f) => f.role === 'targets') ?? found[0];
  }

  /** What to keep in the cache: these root bytes and the versions of every verified role. */
  trustState(): TrustState {
    const versions: Record<string, number> = {
      root: this.root.signed.version,
      timestamp: this.timestamp.signed.version,
      snapshot: this.snapshot.signed.version,
    };
    for (const [role, env] of this.targets) versions[role] = env.signed.version;
    return { gun: this.gun, root: this.root.bytes.toString('base64'), versions };
  }
}
