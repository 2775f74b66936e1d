/**
 * The trusted-update state machine (notary-spec.md §7): root → timestamp → snapshot →
 * targets → delegations, each checked before the next is believed. Fails closed.
 */
import { createHash } from 'node:crypto';
import { DctError, isDctError } from '../errors.js';
import type { TufKey } from '../keys/keyid.js';
import type { TrustState } from '../signer/types.js';
import { cloneJson } from './canonical.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import {
  asRoot,
  asSnapshot,
  asTargets,
  asTimestamp,
  isDelegationName,
  parentRole,
  pathsMatch,
  pickKeys,
  restrictPaths,
  roleKeys,
  type DelegationRole,
  type MetaFile,
  type RootMeta,
  type SnapshotMeta,
  type TargetFile,
  type TargetsMeta,
  type TimestampMeta,
} from './models.js';
import { validRootCerts, type RootCert } from './rootcert.js';
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

export interface TrustOptions {
  gun: string;
  now?: Date;
  /** Root certificate key IDs to accept (TUF IDs as in root.json, or canonical IDs). */
  pinnedRootKeyIds?: string[];
  /** From the cache: the root trusted last and the versions seen. Ignored for another GUN. */
  trusted?: TrustState;
  /**
   * Whether an expired role may still be loaded because the caller is about to re-sign it
   * (`refresh`, issue 11), given the role's keys. Only the expiry is let through: signatures,
   * thresholds, hashes and versions are checked as ever. Such roles are listed in
   * `TrustedRepo.expired`. Absent: every expired role is refused (or skipped, a delegation).
   */
  mayExpire?: (role: string, keys: RoleKeySet) => boolean;
}

/** The keys and threshold a role is checked with. */
export interface RoleKeySet {
  keyids: string[];
  threshold: number;
  keys: Record<string, TufKey>;
}

/** Checks a role's expiry; true when it has expired and `mayExpire` lets it through. */
type ExpiryCheck = (role: string, expires: string, keys: RoleKeySet) => boolean;

function expiryCheck(now: Date, mayExpire?: TrustOptions['mayExpire']): ExpiryCheck {
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

/** Where a delegation stands after loading (see `TrustedRepo.delegation`). */
export interface DelegationInfo {
  /** The entry from the parent, `paths` already restricted to the parent's (§4.2). */
  role: DelegationRole;
  /** The parent's delegation keys for this role's keyids. */
  keys: Record<string, TufKey>;
  parent: string;
  /** loaded: verified file; absent: no file in the snapshot yet (empty, version 0);
   *  invalid: a file that is expired or not signed at threshold (see invalidDelegations). */
  file: 'loaded' | 'absent' | 'invalid';
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

const STALE = 'the trust server may be serving stale or tampered data';
const RELEASES = 'targets/releases';
const CLEAR_CACHE =
  "if the repository's keys were rotated or it was re-created on purpose, clear the action cache";

/**
 * Loads and verifies a repository's trust data. Returns undefined when the server has no
 * root for the GUN (a repository that does not exist yet).
 */
export async function loadTrustedRepo(
  fetcher: MetaFetcher,
  opts: TrustOptions,
): Promise<TrustedRepo | undefined> {
  const now = opts.now ?? new Date();
  const cached = opts.trusted?.gun === opts.gun ? opts.trusted : undefined;
  const seen = cached?.versions ?? {};
  const check = expiryCheck(now, opts.mayExpire);
  const expired = new Set<string>();

  // The timestamp does not depend on the root: its request goes out with the root's, but its
  // answer is only read once the root is established.
  const rootFetch = fetcher.fetch('root', { maxLength: ROOT_MAX_BYTES });
  const tsFetch = early(() => fetcher.fetch('timestamp', { maxLength: TIMESTAMP_MAX_BYTES }));
  const rootBytes = await rootFetch;
  if (rootBytes === undefined) return undefined;
  checkMaxLength('root', rootBytes, ROOT_MAX_BYTES);
  const root = await establishRoot(
    fetcher,
    rootBytes,
    opts.gun,
    now,
    opts.pinnedRootKeyIds,
    cached,
  );
  if (check('root', root.signed.expires, roleKeys(root.signed, 'root'))) expired.add('root');

  const tsBytes = await settle(tsFetch);
  if (tsBytes === undefined) throw missing('timestamp');
  checkMaxLength('timestamp', tsBytes, TIMESTAMP_MAX_BYTES);
  const timestamp = parseEnvelope(tsBytes, 'timestamp', asTimestamp);
  if (checkRole(timestamp, 'timestamp', roleKeys(root.signed, 'timestamp'), seen, check)) {
    expired.add('timestamp');
  }

  const snapshotMeta = timestamp.signed.meta['snapshot'];
  const snapshot = parseEnvelope(
    await fetchByMeta(fetcher, 'snapshot', snapshotMeta, 'timestamp'),
    'snapshot',
    asSnapshot,
  );
  if (checkRole(snapshot, 'snapshot', roleKeys(root.signed, 'snapshot'), seen, check)) {
    expired.add('snapshot');
  }

  const rootMeta = snapshot.signed.meta['root'];
  if (rootMeta !== undefined) checkFileMeta('root', rootBytes, rootMeta, 'snapshot');

  const repo = new TrustedRepo(opts.gun, root, timestamp, snapshot);
  for (const role of expired) repo.expired.add(role);
  await loadTargets(fetcher, repo, seen, check);
  return repo;
}

/**
 * After a publish: fetches and verifies the new timestamp and snapshot under the root already
 * trusted, and returns the trust state to keep if the server's current snapshot lists exactly
 * the bytes in `uploaded` for every role (so the server holds our files as the current
 * versions). Undefined when it does not (someone published on top of us): the caller then
 * reads the whole repository again.
 */
export async function confirmUploaded(
  fetcher: MetaFetcher,
  repo: TrustedRepo,
  uploaded: Map<string, { bytes: Buffer; version: number }>,
  now: Date = new Date(),
): Promise<TrustState | undefined> {
  const seen = repo.trustState().versions;
  const check = expiryCheck(now);
  const tsBytes = await fetcher.fetch('timestamp', { maxLength: TIMESTAMP_MAX_BYTES });
  if (tsBytes === undefined) throw missing('timestamp');
  checkMaxLength('timestamp', tsBytes, TIMESTAMP_MAX_BYTES);
  const timestamp = parseEnvelope(tsBytes, 'timestamp', asTimestamp);
  checkRole(timestamp, 'timestamp', roleKeys(repo.root.signed, 'timestamp'), seen, check);
  const snapshotMeta = timestamp.signed.meta['snapshot'];
  const ownSnapshot = uploaded.get('snapshot')?.bytes;
  if (ownSnapshot !== undefined && !sameFile(ownSnapshot, snapshotMeta)) return undefined;
  const snapshot = parseEnvelope(
    ownSnapshot ?? (await fetchByMeta(fetcher, 'snapshot', snapshotMeta, 'timestamp')),
    'snapshot',
    asSnapshot,
  );
  checkRole(snapshot, 'snapshot', roleKeys(repo.root.signed, 'snapshot'), seen, check);
  const versions = { ...seen };
  versions['timestamp'] = timestamp.signed.version;
  versions['snapshot'] = snapshot.signed.version;
  for (const [role, file] of uploaded) {
    if (role === 'snapshot') continue;
    if (!sameFile(file.bytes, snapshot.signed.meta[role])) return undefined;
    versions[role] = file.version;
  }
  return { gun: repo.gun, root: repo.root.bytes.toString('base64'), versions };
}

function sameFile(bytes: Buffer, meta: MetaFile | undefined): boolean {
  if (meta === undefined || meta.length !== bytes.length) return false;
  const sha256 = meta.hashes['sha256'];
  return (
    sha256 !== undefined &&
    createHash('sha256').update(bytes).digest().equals(Buffer.from(sha256, 'base64'))
  );
}

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

// ---------------------------------------------------------------------------------------
// Root (§7.1, §7.3).

async function establishRoot(
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
  const v = next.signed.version;
  // The old root's certificates may have expired since; Go does not check them (§7.3).
  const trusted = [...validRootCerts(prev.signed, gun, now, false).valid.keys()];
  try {
    verifySignatures(next, `root version ${v}`, pickKeys(prev.signed.keys, trusted), {
      keyids: trusted,
      threshold: prev.signed.roles['root'].threshold,
    });
  } catch (e) {
    throw rotationError(
      `root version ${v} is not signed by the keys of trusted root version ${prev.signed.version}`,
      e,
    );
  }
  if (!isFinal) {
    // Intermediate roots are history: their own signatures must hold, not their expiry.
    const own = [...validRootCerts(next.signed, gun, now, false).valid.keys()];
    try {
      verifySignatures(next, `root version ${v}`, pickKeys(next.signed.keys, own), {
        keyids: own,
        threshold: next.signed.roles['root'].threshold,
      });
    } catch (e) {
      throw rotationError(`root version ${v} is not signed by its own root keys`, e);
    }
  }
}

function rotationError(why: string, cause?: unknown): DctError {
  return new DctError(
    'TUF_ROOT_ROTATION',
    `could not rotate trust to a new trusted root: ${why}; ${STALE}, or ${CLEAR_CACHE}`,
    cause === undefined ? undefined : { cause },
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
    cause === undefined ? undefined : { cause },
  );
}

// ---------------------------------------------------------------------------------------
// Targets and delegations (§7.2 step 3).

async function loadTargets(
  fetcher: MetaFetcher,
  repo: TrustedRepo,
  seen: Record<string, number>,
  check: ExpiryCheck,
): Promise<void> {
  const meta = repo.snapshot.signed.meta;
  const targetsMeta = meta['targets'];
  if (targetsMeta === undefined) {
    throw new DctError('TUF_BAD_METADATA', `snapshot has no meta for targets; ${STALE}`);
  }
  // Delegation files are fetched while their parents are: each is still read only when the
  // walk below reaches it through its verified parent, in the same order and with the same
  // checks. The ones the snapshot lists go out with targets when they are few and small (a
  // snapshot cannot make this client download much it would not read); the rest, with
  // their siblings once their parent is verified.
  const fetches = new Map<string, Early<Buffer>>();
  const prefetch = (name: string): void => {
    const fileMeta = meta[name];
    if (fileMeta === undefined || fetches.has(name)) return;
    fetches.set(
      name,
      early(() => fetchByMeta(fetcher, name, fileMeta, 'snapshot')),
    );
  };
  const listed = Object.keys(meta).filter(isDelegationName);
  const listedBytes = listed.reduce((n, name) => n + meta[name].length, 0);
  const targetsFetch = fetchByMeta(fetcher, 'targets', targetsMeta, 'snapshot');
  if (listed.length <= PREFETCH_MAX_FILES && listedBytes <= PREFETCH_MAX_BYTES) {
    listed.forEach(prefetch);
  }
  const targets = parseEnvelope(await targetsFetch, 'targets', asTargets);
  if (checkRole(targets, 'targets', roleKeys(repo.root.signed, 'targets'), seen, check)) {
    repo.expired.add('targets');
  }
  repo.targets.set('targets', targets);

  // Depth-first: a loaded role's children go to the front of the queue (Go's order).
  const queue = childrenOf(targets, 'targets', ['']);
  for (const child of queue) prefetch(child.role.name);
  while (queue.length > 0) {
    const info = queue.shift()!;
    const name = info.role.name;
    const first = repo.delegation(name);
    if (first !== undefined) {
      // Go reads the first entry of a name and loads the role once per entry: a second load
      // of a file that verified fails its whole update (tuf builder).
      repo.listedTwice.add(name);
      if (first.file === 'loaded') {
        throw new DctError(
          'TUF_BAD_METADATA',
          `${info.parent} lists ${name} twice, and Go clients cannot read the repository then ("${name} has already been loaded"); ${STALE}`,
        );
      }
      continue;
    }
    repo.addDelegation(info);
    const fileMeta = meta[name];
    // Not in the snapshot: no file yet (docker's signer add creates none), i.e. empty;
    // unless this client has seen one, then its signatures are being hidden.
    if (fileMeta === undefined) {
      const was = seen[name];
      if (was !== undefined && was > 0) {
        throw new DctError(
          'TUF_ROLLBACK',
          `${name} was at version ${was} but the snapshot no longer lists it; ${STALE}, or ${CLEAR_CACHE}`,
        );
      }
      continue;
    }
    prefetch(name);
    const bytes = await settle(fetches.get(name)!);
    fetches.delete(name);
    const env = parseEnvelope(bytes, name, asTargets);
    try {
      verifySignatures(env, name, info.keys, info.role);
      const keys = { keyids: info.role.keyids, threshold: info.role.threshold, keys: info.keys };
      if (check(name, env.signed.expires, keys)) repo.expired.add(name);
    } catch (e) {
      // Go warns and skips a delegation that is expired or below threshold.
      if (!isDctError(e) || !SKIPPABLE.has(e.code)) throw e;
      info.file = 'invalid';
      repo.invalidDelegations.set(name, e);
      repo.invalidFiles.set(name, env);
      continue;
    }
    checkVersion(name, env.signed.version, seen);
    info.file = 'loaded';
    repo.targets.set(name, env);
    const children = childrenOf(env, name, info.role.paths ?? []);
    for (const child of children) prefetch(child.role.name);
    queue.unshift(...children);
  }
}

/** Bounds on the delegation files fetched with targets, before any parent lists them. */
const PREFETCH_MAX_FILES = 16;
const PREFETCH_MAX_BYTES = 16 * 1024 * 1024;

const SKIPPABLE = new Set(['TUF_THRESHOLD', 'TUF_SIGNATURE', 'TUF_NO_SIGNATURES', 'TUF_EXPIRED']);

/** The delegations a targets file lists; each must be a valid direct child of the file's role. */
function childrenOf(
  env: Envelope<TargetsMeta>,
  role: string,
  parentPaths: string[],
): DelegationInfo[] {
  const { keys, roles } = env.signed.delegations;
  return roles.map((entry) => {
    if (!isDelegationName(entry.name) || parentRole(entry.name) !== role) {
      throw new DctError(
        'TUF_BAD_METADATA',
        `${role} delegates to "${entry.name}", which is not a valid direct child role; ${STALE}`,
      );
    }
    const restricted = cloneJson(entry);
    restricted.paths = restrictPaths(parentPaths, entry.paths ?? []);
    return { role: restricted, keys: pickKeys(keys, entry.keyids), parent: role, file: 'absent' };
  });
}

// ---------------------------------------------------------------------------------------
// Checks shared by every role.

/** Signatures, version and expiry of a base role; true when expired and let through. */
function checkRole(
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

function checkVersion(role: string, version: number, seen: Record<string, number>): void {
  const current = seen[role];
  if (current !== undefined && version < current) {
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

async function fetchByMeta(
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

/** A request started before its answer may be used: its outcome is kept, never thrown early. */
type Early<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

function early<T>(start: () => Promise<T>): Early<T> {
  let p: Promise<T>;
  try {
    p = start();
  } catch (error) {
    return Promise.resolve({ ok: false as const, error });
  }
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** The outcome of an early request, now that it may be used: its value or its error. */
async function settle<T>(e: Early<T>): Promise<T> {
  const got = await e;
  if (!got.ok) throw got.error;
  return got.value;
}

function checkFileMeta(role: string, bytes: Buffer, meta: MetaFile, parent: string): void {
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

function checkMaxLength(role: string, bytes: Buffer, max: number): void {
  if (bytes.length > max) {
    throw new DctError('TUF_LENGTH', `${role} is larger than ${max} bytes; ${STALE}`);
  }
}

function missing(role: string): DctError {
  return new DctError(
    'TUF_MISSING',
    `${role} metadata is missing on the trust server; it may be mid-update (retry), or ${STALE}`,
  );
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
