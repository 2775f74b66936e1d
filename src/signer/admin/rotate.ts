/**
 * `key rotate REPO ROLE` (Go `rotateKey`): the role's key in root.json is replaced and root is
 * re-signed by the root key, in one publish with whatever the new key must sign at once:
 * targets re-signed by a new repository key, a snapshot signed by a new local snapshot key. A
 * new root key gets a new certificate and the new root.json is signed by the old and the new
 * root keys, so every client that trusted the old root follows (notary-spec.md §4.1, §7.2).
 */
import type { KeyObject } from 'node:crypto';
import { DctError } from '../../errors.js';
import { rootCertificate, type RootCertificate } from '../../keys/cert.js';
import { keyIdOf, shortId, tufKeyFromKeyObject, type TufKey } from '../../keys/keyid.js';
import type { RootMeta } from '../../tuf/models.js';
import type { TufSigner } from '../../keys/sign.js';
import type { TrustedRepo } from '../../tuf/repo.js';
import { loadRepo, publishChange, type Change } from '../publish.js';
import { baseKeyIds, baseRoleSigners, keySigner, publishContext, withRepository } from './repo.js';
import type { RotatableRole, RotateKeyOptions, RotateKeyResult } from './types.js';

const ROLES: readonly RotatableRole[] = ['root', 'targets', 'snapshot', 'timestamp'];

/** The new key of a rotation, as root.json will list it. */
interface NewKey {
  id: string;
  tufKey: TufKey;
  /** Ours to sign with (absent for a server key). */
  key?: KeyObject;
  canonicalId?: string;
  cert?: RootCertificate;
}

export async function rotateKey(opts: RotateKeyOptions): Promise<RotateKeyResult> {
  const role = opts.role;
  if (!ROLES.includes(role)) {
    throw new DctError(
      'ROLE_INVALID',
      `cannot rotate the key of ${JSON.stringify(role)}; the roles are ${ROLES.join(', ')}`,
    );
  }
  if (role === 'timestamp' && opts.serverManaged === false) {
    throw new DctError(
      'ROTATE_INVALID',
      'the timestamp key is always the server’s; rotate it with the server',
    );
  }
  if ((role === 'root' || role === 'targets') && opts.serverManaged === true) {
    throw new DctError(
      'ROTATE_INVALID',
      `the ${role} key cannot be held by the server; only snapshot and timestamp can`,
    );
  }
  // Narrows `role` for rotateKey below (root and targets with `serverManaged` were refused).
  const serverManaged =
    role === 'timestamp' || (role === 'snapshot' && opts.serverManaged === true);
  if (!serverManaged && opts.newKey === undefined) {
    throw new DctError('ROTATE_INVALID', `rotating the ${role} key needs the new key`);
  }
  return withRepository(opts, async (conn) => {
    const ctx = publishContext(conn, opts.keys, opts);
    const repo = await loadRepo(ctx, await opts.trustStore?.load(conn.gun));
    const now = opts.now?.() ?? new Date();
    const oldKeyIds = [...repo.root.signed.roles[role].keyids];
    const threshold = repo.root.signed.roles[role].threshold;
    if (threshold > 1) {
      throw new DctError(
        'ROTATE_INVALID',
        `${conn.gun}: the ${role} role needs ${threshold} signatures; rotating it to one key would leave it unusable`,
      );
    }
    // Every rotation re-signs root: the root key is checked before any new key is made.
    baseRoleSigners(repo, opts.keys, 'root');

    let next: NewKey;
    if (serverManaged) {
      const tufKey = await conn.notary.rotateKey(role);
      next = { id: keyIdOf(tufKey), tufKey };
      if (oldKeyIds.includes(next.id)) {
        throw new DctError(
          'NOTARY_BAD_KEY',
          `${conn.gun}: the trust server answered the rotation of the ${role} key with a key the role already has (${shortId(next.id)}); nothing was rotated`,
        );
      }
    } else {
      const key = await opts.newKey!();
      if (key.type !== 'private') throw new TypeError('the new key must be a private key');
      if (role === 'root') {
        const cert = rootCertificate(key, conn.gun, now);
        next = { id: cert.keyId, tufKey: cert.tufKey, key, canonicalId: cert.canonicalId, cert };
      } else {
        const tufKey = tufKeyFromKeyObject(key);
        const id = keyIdOf(tufKey);
        next = { id, tufKey, key, canonicalId: id };
      }
      const reused = next.canonicalId!;
      if (role !== 'root' && baseKeyIds(repo).includes(reused)) {
        throw new DctError(
          'KEY_REUSED',
          `${conn.gun}: key ${shortId(reused)} already serves another role of the repository; the new ${role} key must be a key of its own`,
        );
      }
    }

    // Set by the first plan's edit: the new key is no key of root yet (refused above if it
    // were). A retry after a lost answer may find the change already there and edit nothing.
    let rootVersion = 0;
    const plan = (r: TrustedRepo): Change => {
      const current = r.root.signed.roles[role];
      if (current.keyids.length === 1 && current.keyids[0] === next.id) return { roles: [] };
      const signers: TufSigner[] = baseRoleSigners(r, opts.keys, 'root');
      if (role === 'root') signers.unshift(keySigner(next.id, next.key!));
      const change: Change = {
        root: {
          signers,
          edit: (root) => {
            replaceRoleKey(root, role, next);
            rootVersion = root.version + 1;
          },
        },
        roles: [],
      };
      if (role === 'targets') {
        // targets.json is signed by the old key, which root no longer lists: sign it anew.
        change.roles.push({
          role: 'targets',
          signers: [keySigner(next.id, next.key!)],
          edit: () => undefined,
        });
      }
      if (role === 'snapshot')
        change.snapshotSigners = next.key ? [keySigner(next.id, next.key)] : [];
      return change;
    };
    const confirm = (r: TrustedRepo): string | undefined => {
      const ids = r.root.signed.roles[role].keyids;
      return ids.length === 1 && ids[0] === next.id
        ? undefined
        : `root does not list the new ${role} key`;
    };
    // After a new root the old pins no longer match; the new root is checked against the old.
    const pubCtx = role === 'root' ? { ...ctx, rootKeyIds: [] } : ctx;
    await publishChange(pubCtx, plan, confirm, repo);

    const result: RotateKeyResult = {
      gun: conn.gun,
      server: conn.server,
      role,
      oldKeyIds,
      newKeyId: next.id,
      serverManaged,
      rootVersion,
    };
    if (next.canonicalId !== undefined) result.newCanonicalId = next.canonicalId;
    if (next.cert !== undefined) {
      result.rootCertificate = next.cert.pem;
      result.certificateExpires = next.cert.notAfter;
    }
    opts.log.info(
      `${conn.gun}: rotated the ${role} key from ${oldKeyIds.map(shortId).join(', ')} to ${shortId(next.id)}${serverManaged ? ' (held by the server)' : ''}`,
    );
    return result;
  });
}

/**
 * root.json with `role` keyed to the new key alone (Go `ReplaceBaseKeys`): keys no role uses
 * any more are dropped from `keys`.
 */
function replaceRoleKey(root: RootMeta, role: RotatableRole, next: NewKey): void {
  root.keys[next.id] = { keytype: next.tufKey.keytype, keyval: { ...next.tufKey.keyval } };
  root.roles[role].keyids = [next.id];
  const used = new Set(Object.values(root.roles).flatMap((r) => r.keyids));
  for (const id of Object.keys(root.keys)) if (!used.has(id)) delete root.keys[id];
}
