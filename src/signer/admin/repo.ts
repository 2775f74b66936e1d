/** What the administration flows share: one repository's connection, its keys and signers. */
import type { KeyObject } from 'node:crypto';
import { DctError } from '../../errors.js';
import { HttpClient } from '../../http/client.js';
import { canonicalKeyId, shortId, type TufKey } from '../../keys/keyid.js';
import type { KeyRing } from '../../keys/keyring.js';
import { sign } from '../../keys/sign.js';
import { parseRepositoryRef } from '../../registry/reference.js';
import type { TufSigner } from '../../keys/sign.js';
import { loadTrustedRepo } from '../../tuf/load.js';
import type { TrustedRepo } from '../../tuf/repo.js';
import { connectRepo, type RepoConnection } from '../connect.js';
import type { PublishContext } from '../publish.js';
import type { AdminOptions } from './types.js';

/** Opens the repository's clients for `fn` and closes them after, whatever happens. */
export async function withRepository<T>(
  opts: Omit<AdminOptions, 'log'>,
  fn: (conn: RepoConnection) => Promise<T>,
): Promise<T> {
  const ref = parseRepositoryRef(opts.repository.trim());
  const http = new HttpClient({
    caPem: opts.caPem,
    timeoutMs: opts.timeoutMs,
    requestLog: opts.requestLog,
  });
  try {
    return await fn(await connectRepo(ref, { ...opts, http, write: true }));
  } finally {
    await http.close();
  }
}

/** The repository verified as `sign` verifies it, or undefined when the server has none. */
export async function loadIfExists(
  conn: RepoConnection,
  opts: AdminOptions,
): Promise<TrustedRepo | undefined> {
  const trusted = await opts.trustStore?.load(conn.gun);
  return loadTrustedRepo(conn.notary, {
    gun: conn.gun,
    now: opts.now?.(),
    // None or an empty list: trust on first use (root-chain.ts validateRoot).
    pinnedRootKeyIds: opts.rootKeyIds,
    trusted,
  });
}

export function publishContext(
  conn: RepoConnection,
  keys: KeyRing,
  opts: AdminOptions,
): PublishContext {
  return {
    conn,
    keys,
    rootKeyIds: opts.rootKeyIds ?? [],
    log: opts.log,
    trustStore: opts.trustStore,
    now: opts.now,
  };
}

/** A signer over a key the flow was handed (a new key); `keyId` is the ID metadata names. */
export function keySigner(keyId: string, key: KeyObject): TufSigner {
  return { keyId, sign: (message) => sign(key, message) };
}

/** The ring's signers for a base role, at its threshold; else `missing` explains. */
export function baseRoleSigners(
  repo: TrustedRepo,
  keys: KeyRing,
  role: 'root' | 'targets',
): TufSigner[] {
  const root = repo.root.signed;
  const r = root.roles[role];
  // asRoot refuses a role naming a key root lacks.
  const signers = r.keyids.flatMap((id) => {
    const s = keys.signerFor(id, root.keys[id]);
    return s === undefined ? [] : [s];
  });
  if (signers.length < r.threshold) {
    const what = role === 'root' ? 'root key' : 'repository (targets) key';
    const listed = r.keyids.map(shortId).join(', ');
    const held = keys.ids().map(shortId).join(', ') || 'none';
    throw new DctError(
      role === 'root' ? 'ROOT_KEY_MISSING' : 'REPOSITORY_KEY_MISSING',
      `${repo.gun}: this needs the ${what} (${listed}${r.threshold > 1 ? `, ${r.threshold} of them` : ''}), but the keys given are ${held}`,
    );
  }
  return signers;
}

/** The canonical IDs of every key root lists (root certificates as their own public key). */
export function baseKeyIds(repo: TrustedRepo): string[] {
  const root = repo.root.signed;
  return Object.values(root.roles).flatMap((r) =>
    r.keyids.map((id) => canonicalOf(id, root.keys[id])),
  );
}

/** The key behind a root.json entry: for a certificate, its own public key (§2). */
function canonicalOf(id: string, key: TufKey): string {
  try {
    return canonicalKeyId(key);
  } catch {
    return id; // an unreadable certificate names no key anyone holds
  }
}
