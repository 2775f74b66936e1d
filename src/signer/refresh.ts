/**
 * `refresh` (issue 11): in each repository, every role the keys can sign that expires within
 * the window is signed again, content unchanged, with the next version and the role's usual
 * lifetime from now (notary-spec.md §4). One publish per repository; repositories are
 * independent, and one that fails publishes nothing.
 *
 * A role that has already expired can be repaired: loading lets through the expiry of exactly
 * the roles these keys re-sign (`TrustOptions.mayExpire`), and checks everything else.
 */
import { DctError } from '../errors.js';
import type { KeyRing } from '../keys/keyring.js';
import type { RepositoryRef } from '../registry/reference.js';
import { parseExpires } from '../tuf/time.js';
import type { TrustedRepo } from '../tuf/repo.js';
import { withRepository } from './admin/repo.js';
import { canSign, healthAfter, heldSigners, type RoleHealth } from './health.js';
import { eachRepository } from './images.js';
import { loadRepo, publishChange, type Change, type PublishContext } from './publish.js';
import type { ConnectionOptions, Logger, TrustStore } from './types.js';

export interface RefreshOptions extends ConnectionOptions {
  /** Repositories (`host[:port]/path/name`, docker's short names allowed; a `:tag` is ignored). */
  repositories: string[];
  /** The keys to re-sign with; root keys included re-sign root too. */
  keys: KeyRing;
  /** Re-sign what expires within this long from now (see `parseDuration`). */
  expiresWithinMs: number;
  /** Root certificate key IDs to pin; none = trust on first use. */
  rootKeyIds?: string[];
  trustStore?: TrustStore;
  log: Logger;
  /** The clock (tests); default `new Date()`. */
  now?: () => Date;
}

/** One re-signed role, as the action's `refreshed` output lists it. */
export interface RefreshedRole {
  gun: string;
  role: string;
  version: number;
  expires: string;
}

/** What one repository's refresh did, and each role's standing after it. */
export interface RefreshResult {
  /** The repository as given. */
  repository: string;
  gun: string;
  server: string;
  /** The roles this run signed and published (none when nothing was due). */
  refreshed: RefreshedRole[];
  /** Every role after the run (re-signed ones with their new version and expiry). */
  roles: RoleHealth[];
}

const UNITS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
/** A window beyond this re-signs everything every time: surely a typo. */
const MAX_WINDOW_DAYS = 20 * 365;

/**
 * `90d`, `12h`, `2w` → milliseconds. `input` names where the value came from in the error
 * (the action's `expires-within`, the CLI's `--expires-within`).
 */
export function parseDuration(value: string, input = '`expires-within`'): number {
  const m = /^(\d{1,6})([hdw])$/i.exec(value.trim());
  const ms = m === null ? NaN : Number(m[1]) * UNITS[m[2].toLowerCase()];
  if (!Number.isFinite(ms) || ms > MAX_WINDOW_DAYS * UNITS.d) {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    throw new DctError(
      'INPUT_INVALID',
      `${input} must be a whole number of hours, days or weeks up to ${MAX_WINDOW_DAYS} days, such as 90d, 12h or 2w; got ${shown}`,
    );
  }
  return ms;
}

/**
 * Refreshes every repository at once; then one ImagesError naming each that failed (with
 * the others' results in `done`), after all have finished.
 */
export async function refreshRepositories(opts: RefreshOptions): Promise<RefreshResult[]> {
  if (opts.repositories.length === 0) {
    throw new DctError('INPUT_INVALID', 'no repository to refresh was given');
  }
  return eachRepository(opts.repositories, (ref) => refreshOne(ref, opts));
}

/** A role due for re-signing, or one due that these keys cannot sign. */
interface Due {
  role: string;
  expires: string;
  signable: boolean;
}

/**
 * The roles that expire before `deadline`, in publishing order (root, targets, delegations
 * parents first, snapshot). The timestamp is the server's; a snapshot these keys cannot
 * sign is the server's too (or its holder's), and the server renews its own.
 */
function dueRoles(repo: TrustedRepo, keys: KeyRing, deadline: number): Due[] {
  const out: Due[] = [];
  const consider = (role: string, expires: string) => {
    if (parseExpires(expires).getTime() > deadline) return;
    out.push({ role, expires, signable: canSign(keys, repo.keysOf(role)) });
  };
  consider('root', repo.root.signed.expires);
  for (const [role, env] of repo.targets) consider(role, env.signed.expires);
  if (canSign(keys, repo.keysOf('snapshot'))) consider('snapshot', repo.snapshot.signed.expires);
  return out;
}

async function refreshOne(ref: RepositoryRef, opts: RefreshOptions): Promise<RefreshResult> {
  const window = opts.expiresWithinMs;
  return withRepository({ ...opts, repository: ref.gun }, async (conn) => {
    const ctx: PublishContext = {
      conn,
      keys: opts.keys,
      rootKeyIds: opts.rootKeyIds ?? [],
      log: opts.log,
      // The roles these keys re-sign may already have expired; the timestamp is the server's.
      mayExpire: (role, keys) => role !== 'timestamp' && canSign(opts.keys, keys),
    };
    if (opts.trustStore !== undefined) ctx.trustStore = opts.trustStore;
    if (opts.now !== undefined) ctx.now = opts.now;
    const now = () => opts.now?.() ?? new Date();

    const repo = await loadRepo(ctx, await opts.trustStore?.load(conn.gun));
    const due = (r: TrustedRepo) => dueRoles(r, opts.keys, now().getTime() + window);
    const warned = new Set<string>();
    const plan = (r: TrustedRepo): Change => {
      const change: Change = { roles: [] };
      for (const d of due(r)) {
        if (!d.signable) {
          if (!warned.has(d.role)) {
            warned.add(d.role);
            opts.log.warning(
              `${conn.gun}: ${d.role} expires at ${d.expires} but the keys given cannot sign it, so it is not refreshed; ${whoSigns(d.role)}`,
            );
          }
          continue;
        }
        const signers = heldSigners(opts.keys, r.keysOf(d.role));
        if (d.role === 'root') change.root = { signers, edit: () => undefined };
        else if (d.role === 'snapshot') change.snapshot = true;
        else change.roles.push({ role: d.role, signers, edit: () => undefined });
      }
      return change;
    };
    const confirm = (r: TrustedRepo): string | undefined => {
      const left = due(r).filter((d) => d.signable);
      return left.length === 0
        ? undefined
        : `${left.map((d) => d.role).join(', ')} still expires at ${left[0].expires}`;
    };
    warnExpiredUnsignable(repo, opts.log);
    const published = await publishChange(ctx, plan, confirm, repo);

    const health = healthAfter(repo, published, opts.keys);
    // In the repository's order (root, targets, delegations, snapshot).
    const refreshed: RefreshedRole[] = health.changed.map((role) => ({
      gun: conn.gun,
      role,
      version: published.get(role)!.version,
      expires: published.get(role)!.expires,
    }));
    opts.log.info(
      refreshed.length === 0
        ? `${conn.gun}: nothing the keys can sign expires within the window; nothing was published`
        : `${conn.gun}: refreshed ${refreshed.map((r) => `${r.role} (v${r.version}, until ${r.expires})`).join(', ')}`,
    );
    return {
      repository: ref.input,
      gun: conn.gun,
      server: conn.server,
      refreshed,
      roles: health.roles,
    };
  });
}

/** Expired delegations these keys cannot sign stay skipped by every client: say so. */
function warnExpiredUnsignable(repo: TrustedRepo, log: Logger): void {
  for (const [role, e] of repo.invalidDelegations) {
    if (e.code !== 'TUF_EXPIRED') continue;
    log.warning(
      `${repo.gun}: ${role} has expired and the keys given cannot sign it, so clients keep ignoring its signatures; ${whoSigns(role)}`,
    );
  }
}

function whoSigns(role: string): string {
  if (role === 'root') return 'add the root key to the keys and give its passphrase';
  if (role === 'targets') return 'add the repository (targets) key to the keys';
  return `refresh with the key of ${role}`;
}
