/**
 * Creating a repository as docker did (notary-spec.md §6.1, §6.4): the server's timestamp and
 * snapshot keys (each asked for once), a root certificate for the GUN on the given root key,
 * root v1 and targets v1 (with the first signer's delegations), one publish; the server makes
 * the snapshot and the timestamp.
 */
import { DctError, isDctError } from '../../errors.js';
import { rootCertificate } from '../../keys/cert.js';
import { keyIdOf, shortId, tufKeyFromKeyObject, type TufKey } from '../../keys/keyid.js';
import { bareObject } from '../../tuf/canonical.js';
import { signEnvelope } from '../../tuf/envelope.js';
import { asRoot, ROOT_EXPIRY_DAYS, updatedTargets, type RootMeta } from '../../tuf/models.js';
import { addDays, goTime } from '../../tuf/time.js';
import { loadTrustedRepo } from '../../tuf/load.js';
import type { TrustedRepo } from '../../tuf/repo.js';
import type { RepoConnection } from '../connect.js';
import { saveTrust } from '../publish.js';
import { addDelegationKeys, hasDelegationKeys, RELEASES } from './delegations.js';
import { keySigner, loadIfExists, withRepository } from './repo.js';
import { validateSignerName } from './signer-keys.js';
import type { AdminOptions, InitOptions, InitResult, NewRepository, SignerKey } from './types.js';

/**
 * Creates the repository; with `signer`, also its delegations `targets/<name>` and
 * `targets/releases` in the same publish. Throws REPO_EXISTS when the server already has
 * trust data for it, or another client creates it first (nothing is changed), and whatever
 * the key sources throw.
 */
export async function initRepository(opts: InitOptions): Promise<InitResult> {
  if (opts.signer !== undefined) checkSigner(opts.signer.name, opts.signer.keys);
  return withRepository(opts, async (conn) => {
    if ((await loadIfExists(conn, opts)) !== undefined) {
      throw new DctError(
        'REPO_EXISTS',
        `${conn.server} already has trust data for ${conn.gun}; nothing was changed`,
      );
    }
    try {
      return (await createRepository(conn, opts, opts.newRepository, opts.signer)).init;
    } catch (e) {
      if (!isDctError(e) || e.code !== 'NOTARY_VERSION') throw e;
      throw new DctError(
        'REPO_EXISTS',
        `another client created trust data for ${conn.gun} on ${conn.server} meanwhile; nothing of ours was stored`,
        { cause: e },
      );
    }
  });
}

export function checkSigner(name: string, keys: SignerKey[]): void {
  validateSignerName(name);
  if (keys.length === 0) {
    throw new DctError('SIGNER_KEY_MISSING', `signer ${name} needs at least one public key`);
  }
}

/**
 * The creation itself, for a repository the caller found without trust data. A NOTARY_VERSION
 * error means another client created it meanwhile (nothing of ours was stored).
 */
export async function createRepository(
  conn: RepoConnection,
  opts: AdminOptions,
  sources: NewRepository,
  signer?: { name: string; keys: SignerKey[] },
): Promise<{ init: InitResult; repo: TrustedRepo }> {
  const now = opts.now?.() ?? new Date();
  // The server's keys first: a refusal (401) or an outage stops here, before any key is made.
  // Each is asked for once: before the first publish every call may return a new key (§5.1).
  const timestampKey = await conn.notary.getKey('timestamp');
  const snapshotKey = await conn.notary.getKey('snapshot');

  const rootKey = await sources.rootKey();
  const cert = rootCertificate(rootKey, conn.gun, now);
  const repoKey = await sources.repositoryKey();
  const targetsKey = tufKeyFromKeyObject(repoKey);
  const targetsId = keyIdOf(targetsKey);
  if (targetsId === cert.canonicalId) {
    throw new DctError(
      'KEY_REUSED',
      `${conn.gun}: the repository key must not be the root key (${shortId(targetsId)}); give a key of its own`,
    );
  }
  if (signer !== undefined) {
    for (const k of signer.keys) checkNotAdminKey(conn.gun, k, [cert.canonicalId, targetsId]);
  }

  const ids = {
    root: cert.keyId,
    targets: targetsId,
    timestamp: keyIdOf(timestampKey),
    snapshot: keyIdOf(snapshotKey),
  };
  const root = newRoot(
    {
      [ids.root]: cert.tufKey,
      [ids.targets]: targetsKey,
      [ids.timestamp]: timestampKey,
      [ids.snapshot]: snapshotKey,
    },
    ids,
    now,
  );
  const rootFile = signEnvelope(root, [keySigner(ids.root, rootKey)]);
  const targets = updatedTargets(
    undefined,
    (t) => {
      if (signer === undefined) return;
      // docker stages targets/<name> before targets/releases (§6.4): that is the list order.
      addDelegationKeys(t, `targets/${signer.name}`, signer.keys);
      addDelegationKeys(t, RELEASES, signer.keys);
    },
    now,
  );
  const targetsFile = signEnvelope(targets, [keySigner(ids.targets, repoKey)]);
  // Root must come with the first publish; snapshot is the server's (§5.3).
  await conn.notary.publish(
    new Map([
      ['root', rootFile.bytes],
      ['targets', targetsFile.bytes],
    ]),
  );

  const repo = await loadTrustedRepo(conn.notary, { gun: conn.gun, now: opts.now?.() });
  if (repo === undefined || !repo.root.bytes.equals(rootFile.bytes)) {
    throw new DctError(
      'PUBLISH_UNCONFIRMED',
      `${conn.gun}: after creating the repository the server shows ${repo === undefined ? 'no trust data' : 'another root'}; another client may have created it at the same time`,
    );
  }
  // Every loaded repository has its targets file.
  const top = repo.targets.get('targets')!.signed;
  if (signer !== undefined) {
    const keyIds = signer.keys.map((k) => k.id);
    for (const role of [`targets/${signer.name}`, RELEASES]) {
      if (!hasDelegationKeys(top, role, keyIds)) {
        throw new DctError(
          'PUBLISH_UNCONFIRMED',
          `${conn.gun}: the server does not show ${role} after creating the repository`,
        );
      }
    }
  }
  await saveTrust({ conn, trustStore: opts.trustStore, log: opts.log }, repo);
  opts.log.info(
    `${conn.gun}: created with root key ${shortId(cert.canonicalId)} (certificate ${shortId(ids.root)}, valid until ${cert.notAfter.toISOString()}) and repository key ${shortId(ids.targets)}; the server holds the timestamp and snapshot keys`,
  );
  return {
    repo,
    init: {
      gun: conn.gun,
      rootKeyId: ids.root,
      rootCanonicalId: cert.canonicalId,
      rootCertificate: cert.pem,
      certificateExpires: cert.notAfter,
      repositoryKeyId: ids.targets,
      timestampKeyId: ids.timestamp,
      snapshotKeyId: ids.snapshot,
    },
  };
}

/** root.json v1 as Go's `data.NewRoot` writes it (§4.1): threshold 1 each, 10-year expiry. */
function newRoot(
  keys: Record<string, TufKey>,
  ids: { root: string; targets: string; timestamp: string; snapshot: string },
  now: Date,
): RootMeta {
  const keyMap = bareObject<TufKey>();
  Object.assign(keyMap, keys);
  return asRoot({
    _type: 'Root',
    consistent_snapshot: false,
    expires: goTime(addDays(now, ROOT_EXPIRY_DAYS)),
    keys: keyMap,
    roles: {
      root: { keyids: [ids.root], threshold: 1 },
      snapshot: { keyids: [ids.snapshot], threshold: 1 },
      targets: { keyids: [ids.targets], threshold: 1 },
      timestamp: { keyids: [ids.timestamp], threshold: 1 },
    },
    version: 1,
  });
}

/** A signer key must be its own: not the repository's root or targets key. */
export function checkNotAdminKey(gun: string, key: SignerKey, adminIds: string[]): void {
  if (adminIds.includes(key.canonicalId)) {
    throw new DctError(
      'SIGNER_KEY_IN_USE',
      `${key.source} is a key ${gun} already uses as its root or repository key (${shortId(key.canonicalId)}); a signer needs a key of its own (\`dct key generate NAME\`)`,
    );
  }
}

/** Whether the error is a lost race to create the repository. */
export function isCreateRace(e: unknown): boolean {
  return isDctError(e, 'NOTARY_VERSION');
}
