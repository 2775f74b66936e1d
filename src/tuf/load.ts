/**
 * The trusted-update state machine (notary-spec.md §7): root → timestamp → snapshot →
 * targets → delegations, each fetched and checked before the next is believed. Fails closed.
 */
import { DctError, isDctError } from '../errors.js';
import { cloneJson } from './canonical.js';
import {
  checkFileMeta,
  checkMaxLength,
  checkRole,
  checkVersion,
  CLEAR_CACHE,
  expiryCheck,
  fetchByMeta,
  missing,
  ROOT_MAX_BYTES,
  STALE,
  TIMESTAMP_MAX_BYTES,
  type ExpiryCheck,
  type MayExpire,
  type MetaFetcher,
} from './checks.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import {
  asSnapshot,
  asTargets,
  asTimestamp,
  isDelegationName,
  parentRole,
  pickKeys,
  restrictPaths,
  roleKeys,
  type TargetsMeta,
} from './models.js';
import { TrustedRepo, type DelegationInfo } from './repo.js';
import { establishRoot } from './root-chain.js';
import type { TrustState } from './trust-cache.js';
import { verifySignatures } from './verify.js';

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
  mayExpire?: MayExpire;
}

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
      const was = seen[name] ?? 0;
      if (was > 0) {
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
    const children = childrenOf(env, name, info.role.paths);
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
    const restricted = Object.assign(cloneJson(entry), {
      paths: restrictPaths(parentPaths, entry.paths ?? []),
    });
    return { role: restricted, keys: pickKeys(keys, entry.keyids), parent: role, file: 'absent' };
  });
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
