/**
 * Publishing one repository's change, safe against other signers doing the same at once.
 * The change is a pure function of the trusted repository: on a version conflict the
 * repository is read again and the same change re-applied, re-signed and re-sent.
 */
import { DctError, describeError, isDctError } from '../errors.js';
import { backoff, type BackoffPolicy } from '../http/client.js';
import { shortId } from '../keys/keyid.js';
import type { KeyRing } from '../keys/keyring.js';
import type { TufKey } from '../keys/keyid.js';
import {
  literalSignedMessage,
  parseEnvelope,
  signEnvelope,
  type Envelope,
} from '../tuf/envelope.js';
import {
  asRoot,
  asSnapshot,
  asTargets,
  blankTargets,
  isDelegationName,
  parentRole,
  pickKeys,
  roleKeys,
  updatedRoot,
  updatedSnapshot,
  updatedTargets,
  type RootMeta,
  type TargetsMeta,
} from '../tuf/models.js';
import { verifySignatures } from '../tuf/verify.js';
import { validRootCerts } from '../tuf/rootcert.js';
import { parseExpires } from '../tuf/time.js';
import { confirmUploaded } from '../tuf/confirm.js';
import { loadTrustedRepo, type TrustOptions } from '../tuf/load.js';
import type { TrustedRepo } from '../tuf/repo.js';
import type { TufSigner } from '../keys/sign.js';
import type { RepoConnection } from './connect.js';
import { heldSigners } from './health.js';
import type { Logger, TrustStore } from './types.js';
import type { TrustState } from '../tuf/trust-cache.js';

/** Edits of one targets role: the function mutates a copy of the role's metadata. */
export interface RoleEdit {
  role: string;
  signers: TufSigner[];
  edit: (t: TargetsMeta) => void;
}

/**
 * A change that re-signs root too (a key rotation): `root` edits a copy of root.json, which is
 * signed by `root.signers` (the root role's keys, and the old root's on a root rotation).
 * The snapshot follows the new root's snapshot role; `snapshotSigners` signs it when the key
 * is not in the key ring (a new local snapshot key).
 */
export interface Change {
  root?: { signers: TufSigner[]; edit: (r: RootMeta) => void };
  roles: RoleEdit[];
  snapshotSigners?: TufSigner[];
  /** Re-sign the (client-held) snapshot even when no other role changes (`refresh`). */
  snapshot?: boolean;
}

/** A file this client signed and published: its version and expiry. */
export interface PublishedFile {
  bytes: Buffer;
  version: number;
  expires: string;
}

export interface PublishContext {
  conn: RepoConnection;
  keys: KeyRing;
  rootKeyIds: string[];
  trustStore?: TrustStore;
  log: Logger;
  now?: () => Date;
  /** Expired roles that loading lets through because this change re-signs them (refresh). */
  mayExpire?: TrustOptions['mayExpire'];
  sleep?: (ms: number) => Promise<void>;
  /** Attempts before giving up on version conflicts. */
  maxAttempts?: number;
}

const DEFAULT_ATTEMPTS = 12;
/** Conflicts in a row with nothing new on the server before it is called stale. */
const STALE_CONFLICTS = 3;

function describeVersions(versions: Record<string, number>): string {
  return Object.entries(versions)
    .map(([role, v]) => `${role} v${v}`)
    .join(', ');
}
/** Publishes without an answer before a run stops: past this the server is failing, not busy. */
const MAX_UNKNOWN_OUTCOMES = 3;

/** Between reading the repository again after a conflict or a lost answer. */
const PUBLISH_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 4_000, jitter: 'around' };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Loads and verifies the repository, with the cached trust state as the pin. */
export async function loadRepo(
  ctx: Pick<PublishContext, 'conn' | 'rootKeyIds' | 'now' | 'mayExpire'>,
  trusted: TrustState | undefined,
): Promise<TrustedRepo> {
  const { conn } = ctx;
  let repo: TrustedRepo | undefined;
  try {
    repo = await loadTrustedRepo(conn.notary, {
      gun: conn.gun,
      now: ctx.now?.(),
      // An empty list pins nothing.
      pinnedRootKeyIds: ctx.rootKeyIds,
      trusted,
      mayExpire: ctx.mayExpire,
    });
  } catch (e) {
    // Docker's own Notary service is gone (issue 11): say so, and where to go instead.
    if (
      isDockerHubNotary(conn.server) &&
      e instanceof DctError &&
      DEFAULT_SERVER_FAILURES.has(e.code)
    ) {
      throw new DctError(e.code, `${e.message}; ${HUB_NOTARY_RETIRED}`, { cause: e });
    }
    // A server nobody named may simply be the wrong one: say where it came from.
    if (!conn.serverGiven && e instanceof DctError && DEFAULT_SERVER_FAILURES.has(e.code)) {
      throw new DctError(e.code, `${e.message}; ${defaultServerNote(conn)}`, { cause: e });
    }
    throw e;
  }
  if (repo === undefined) {
    const create =
      `create the repository first (this action's \`signer-add\` command, or ` +
      `\`dct signer add --key ci.pub ci ${conn.gun}\`)`;
    throw new DctError(
      'REPO_NOT_FOUND',
      conn.serverGiven
        ? `${conn.server} does not have trust data for ${conn.gun}; ${create}`
        : `${conn.server} does not have trust data for ${conn.gun}; ${defaultServerNote(conn)}, or ${create}`,
    );
  }
  return repo;
}

const HUB_NOTARY_RETIRED =
  'Docker\'s Notary service (notary.docker.io) shut down on 8 December 2026: set `trust-server` to a self-hosted Notary server holding the repository\'s trust data, or move to Sigstore signatures (README, "Moving to Sigstore")';

function isDockerHubNotary(server: string): boolean {
  try {
    return new URL(server).hostname === 'notary.docker.io';
  } catch {
    return false;
  }
}

/** Failures that mean "not a (reachable) notary server here" rather than bad trust data. */
const DEFAULT_SERVER_FAILURES = new Set([
  'HTTP_NOT_TLS',
  'HTTP_TLS',
  'HTTP_UNREACHABLE',
  'HTTP_TIMEOUT',
  'NOTARY_NOT_FOUND',
  'NOTARY_UNAUTHORIZED',
]);

function defaultServerNote(conn: RepoConnection): string {
  const why = conn.gun.startsWith('docker.io/')
    ? "Docker Hub's"
    : "the registry's own host, as docker derives it";
  return (
    `\`trust-server\` is not set, so ${conn.server} is the default (${why}); ` +
    'if your Notary server is elsewhere, set `trust-server` (or DOCKER_CONTENT_TRUST_SERVER) to it'
  );
}

const SIX_MONTHS_MS = 183 * 24 * 3600 * 1000;

/**
 * Warns while there is time to act: a root (or its 10-year certificate) that expires within
 * six months bricks every client of the repository when it does (notary-spec.md §7.4), and
 * only the root key's holder can re-sign it.
 */
export function warnIfRootExpiring(repo: TrustedRepo, log: Logger, now = new Date()): void {
  const soon = now.getTime() + SIX_MONTHS_MS;
  const expires = parseExpires(repo.root.signed.expires);
  if (expires.getTime() < soon) {
    log.warning(
      `${repo.gun}: root metadata expires at ${repo.root.signed.expires}; re-sign root with the root key before then (\`notary witness ${repo.gun} root\`, then \`notary publish ${repo.gun}\`)`,
    );
  }
  const certs = [...validRootCerts(repo.root.signed, repo.gun, now, true).valid.values()];
  const latest = Math.max(...certs.map((c) => c.notAfter.getTime()));
  if (certs.length > 0 && latest < soon) {
    log.warning(
      `${repo.gun}: the root certificate expires at ${new Date(latest).toISOString()}; rotate the root key (\`notary key rotate ${repo.gun} root\`) before then, or every client stops trusting the repository`,
    );
  }
}

/**
 * Applies `plan` to the freshly verified repository, signs and publishes the changed roles in
 * one POST, then reads back and checks with `confirm`. `plan` returns no edits when the
 * repository already holds the change (which also settles a POST whose answer was lost).
 */
export async function publishChange(
  ctx: PublishContext,
  plan: (repo: TrustedRepo) => RoleEdit[] | Change,
  confirm: (repo: TrustedRepo) => string | undefined,
  /** A repository already loaded and verified (and planned against) by the caller. */
  first?: TrustedRepo,
): Promise<Map<string, PublishedFile>> {
  const sleep = ctx.sleep ?? defaultSleep;
  const attempts = ctx.maxAttempts ?? DEFAULT_ATTEMPTS;
  let trusted = first?.trustState() ?? (await ctx.trustStore?.load(ctx.conn.gun));
  let lastConflict: unknown;
  let unknown = 0;
  // Versions read before each VERSION conflict: a server that refuses our version as old
  // while serving the same older data again and again is not busy, it is stale.
  let conflictedAt: string | undefined;
  let staleConflicts = 0;

  for (let attempt = 0; attempt < attempts; attempt++) {
    const repo = attempt === 0 && first !== undefined ? first : await loadRepo(ctx, trusted);
    if (attempt === 0) warnIfRootExpiring(repo, ctx.log, ctx.now?.());
    trusted = repo.trustState();
    const versions = JSON.stringify(trusted.versions);
    if (conflictedAt !== undefined) {
      staleConflicts = versions === conflictedAt ? staleConflicts + 1 : 0;
      conflictedAt = undefined;
      if (staleConflicts >= STALE_CONFLICTS) {
        throw new DctError(
          'NOTARY_STALE',
          `${ctx.conn.gun}: the trust server refused our update ${staleConflicts} times as older than what it stores, yet serves the same older metadata each time (${describeVersions(trusted.versions)}); it, or a cache in front of it, is serving stale or replayed data. Nothing was published`,
          { cause: lastConflict },
        );
      }
    }
    const planned = plan(repo);
    const change = Array.isArray(planned) ? { roles: planned } : planned;
    if (change.roles.length === 0 && change.root === undefined && change.snapshot !== true) {
      const problem = confirm(repo);
      if (problem === undefined) {
        await saveTrust(ctx, repo);
        return new Map();
      }
      throw new DctError('PUBLISH_UNCONFIRMED', `${ctx.conn.gun}: ${problem}`);
    }
    if (unknown >= MAX_UNKNOWN_OUTCOMES) {
      // The read just made shows the change absent, so this failure is known to be clean.
      throw new DctError(
        'PUBLISH_FAILED',
        `${ctx.conn.gun}: no answer to ${unknown} publishes (last: ${describeError(lastConflict)}) and the repository does not show the change, so it is not published (a publish the server is still processing could appear later: run verify before signing again)`,
        { cause: lastConflict },
      );
    }
    const files = signEdits(ctx, repo, change);
    try {
      await ctx.conn.notary.publish(new Map([...files].map(([role, f]) => [role, f.bytes])));
    } catch (e) {
      if (isDctError(e, 'NOTARY_SNAPSHOT_KEY_MISSING')) throw snapshotKeyMissing(ctx, repo, e);
      if (isDctError(e, 'NOTARY_OUTCOME_UNKNOWN')) unknown++;
      if (isDctError(e, 'NOTARY_VERSION') || isDctError(e, 'NOTARY_OUTCOME_UNKNOWN')) {
        // Someone else published first (or our answer was lost): read again and decide.
        lastConflict = e;
        if (isDctError(e, 'NOTARY_VERSION')) conflictedAt = versions;
        const wait = backoff(attempt, PUBLISH_BACKOFF);
        ctx.log.info(
          `${ctx.conn.gun}: ${isDctError(e, 'NOTARY_VERSION') ? 'another signer published first' : 'the publish answer was lost'}; reading the repository again in ${wait} ms`,
        );
        await sleep(wait);
        continue;
      }
      throw e;
    }
    // Read back. The quick check: the server's verified snapshot lists our exact bytes (under
    // the old root: after a new root, the full read below follows the rotation).
    const state = files.has('root')
      ? undefined
      : await confirmUploaded(ctx.conn.notary, repo, files, ctx.now?.());
    if (state !== undefined) {
      await saveTrust(ctx, state);
      return files;
    }
    // Someone published on top of us already: read everything and look for our change.
    const after = await loadRepo(ctx, trusted);
    trusted = after.trustState();
    const problem = confirm(after);
    if (problem === undefined) {
      await saveTrust(ctx, after);
      return files;
    }
    // Another signer replaced our change between our POST and our read: apply it again.
    ctx.log.info(`${ctx.conn.gun}: read-back did not show the change (${problem}); retrying`);
    lastConflict = new DctError('PUBLISH_UNCONFIRMED', problem);
  }
  throw new DctError(
    'PUBLISH_CONFLICT',
    `${ctx.conn.gun}: gave up after ${attempts} attempts because other signers kept publishing at the same time; run the job again`,
    { cause: lastConflict },
  );
}

function signEdits(
  ctx: PublishContext,
  repo: TrustedRepo,
  change: Change,
): Map<string, PublishedFile> {
  const now = ctx.now?.() ?? new Date();
  const files = new Map<string, PublishedFile>();
  let root = repo.root.signed;
  if (change.root !== undefined) {
    root = updatedRoot(root, change.root.edit, now);
    const env = signEnvelope(root, change.root.signers);
    readBack(env, 'root', roleKeys(root, 'root'), asRoot);
    files.set('root', { bytes: env.bytes, version: root.version, expires: root.expires });
  }
  const signed = new Map<string, Envelope<TargetsMeta>>();
  for (const e of change.roles) {
    // A role whose file no key it lists signed starts empty, above that file's version.
    const invalid = repo.invalidFiles.get(e.role)?.signed.version;
    const prev =
      repo.targets.get(e.role)?.signed ??
      (invalid === undefined ? undefined : blankTargets(invalid));
    signed.set(e.role, signEnvelope(updatedTargets(prev, e.edit, now), e.signers));
  }
  for (const [role, env] of signed) {
    readBack(env, role, readerKeys(root, repo, role, signed), asTargets);
    files.set(role, { bytes: env.bytes, version: env.signed.version, expires: env.signed.expires });
  }
  // Snapshot only when we hold its key; otherwise the server makes it (notary-spec.md §5.3).
  // Every root has a snapshot role (asRoot requires the four base roles).
  const snapshotKeys = roleKeys(root, 'snapshot');
  const snapshotSigners = change.snapshotSigners ?? heldSigners(ctx.keys, snapshotKeys);
  const canSignSnapshot = snapshotSigners.length >= snapshotKeys.threshold;
  if (change.snapshot === true && !canSignSnapshot) {
    throw new DctError(
      'SNAPSHOT_KEY_MISSING',
      `${repo.gun}: the snapshot is to be re-signed but the keys given cannot sign it; nothing was published`,
    );
  }
  if (canSignSnapshot) {
    const bytes = new Map([...files].map(([role, f]) => [role, f.bytes]));
    const snapshot = updatedSnapshot(repo.snapshot.signed, bytes, now);
    const env = signEnvelope(snapshot, snapshotSigners);
    readBack(env, 'snapshot', roleKeys(root, 'snapshot'), asSnapshot);
    files.set('snapshot', {
      bytes: env.bytes,
      version: snapshot.version,
      expires: snapshot.expires,
    });
  }
  return files;
}

type Keys = { keyids: string[]; threshold: number; keys: Record<string, TufKey> };

/**
 * The keys a client checks `role` with: root's for base roles, else the first entry naming it
 * in its parent (Go's BuildDelegationRole), the parent as edited in this publish if it is.
 */
function readerKeys(
  root: RootMeta,
  repo: TrustedRepo,
  role: string,
  edited: Map<string, Envelope<TargetsMeta>>,
): Keys {
  if (!isDelegationName(role)) return roleKeys(root, role);
  const parent = (edited.get(parentRole(role)) ?? repo.targets.get(parentRole(role)))?.signed;
  const entry = parent?.delegations.roles.find((d) => d.name === role);
  if (parent === undefined || entry === undefined) return { keyids: [], threshold: 1, keys: {} };
  return { ...entry, keys: pickKeys(parent.delegations.keys, entry.keyids) };
}

/**
 * Reads a file about to be published as a client will (parse, guards, signatures with the
 * keys clients use) and checks it holds what was signed; otherwise nothing is sent.
 */
export function readBack<T>(
  env: Envelope<T>,
  role: string,
  keys: Keys,
  guard: (x: unknown) => T,
): void {
  try {
    const read = parseEnvelope(env.bytes, role, guard);
    // A client verifies canonical(JSON.parse(signed)). The file's `signed`, unescaped, is
    // canonical JSON, so it is that message, and it must be the one signed: then the client
    // checks exactly what was signed, with no second encoding of a large role to compare.
    const message = literalSignedMessage(env.bytes, read.signatures);
    if (message === undefined || !message.equals(env.message!)) {
      throw new DctError('TUF_BAD_METADATA', 'it reads back as other content than was signed');
    }
    verifySignatures({ ...read, message }, role, keys.keys, keys);
  } catch (e) {
    throw new DctError(
      'PUBLISH_READBACK',
      `refusing to publish ${role}: read back as a client reads it, ${describeError(e)}; nothing was published`,
      { cause: e },
    );
  }
}

/** The repository's snapshot key is the client's, and `keys` does not hold it (§5.3). */
function snapshotKeyMissing(ctx: PublishContext, repo: TrustedRepo, cause: unknown): DctError {
  const gun = ctx.conn.gun;
  const ids = repo.root.signed.roles['snapshot'].keyids.map(shortId).join(', ');
  return new DctError(
    'SNAPSHOT_KEY_MISSING',
    `this repository's snapshot key (${ids || 'unknown'}) is held by its owner, not by the trust server, and \`keys\` does not hold it; ` +
      'add the snapshot key to `keys` (a backup of ~/.docker/trust/private has it), ' +
      `or let the server manage it once: \`dct key rotate ${gun} snapshot --server-managed\` (or \`notary key rotate ${gun} snapshot -r\`). Nothing was published`,
    { cause },
  );
}

export async function saveTrust(
  ctx: Pick<PublishContext, 'conn' | 'trustStore' | 'log'>,
  trust: TrustedRepo | TrustState,
): Promise<void> {
  if (ctx.trustStore === undefined) return;
  try {
    await ctx.trustStore.save('trustState' in trust ? trust.trustState() : trust);
  } catch (e) {
    ctx.log.warning(`${ctx.conn.gun}: could not remember the trust data: ${describeError(e)}`);
  }
}
