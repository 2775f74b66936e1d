/**
 * `signer add` and `signer remove` (notary-spec.md §6.4, §6.5): edits of `targets.json`'s
 * delegations, signed with the repository key, published through `publishChange` so that a
 * concurrent signer's publish is re-read and the edit re-applied.
 */
import { DctError } from '../../errors.js';
import { shortId } from '../../keys/keyid.js';
import type { TargetsMeta } from '../../tuf/models.js';
import type { TrustedRepo } from '../../tuf/repo.js';
import { publishChange, type RoleEdit } from '../publish.js';
import {
  addDelegationKeys,
  deleteDelegation,
  hasDelegationKeys,
  RELEASES,
  removeDelegationKeys,
} from './delegations.js';
import { checkNotAdminKey, checkSigner, createRepository, isCreateRace } from './init.js';
import {
  baseKeyIds,
  baseRoleSigners,
  loadIfExists,
  publishContext,
  withRepository,
} from './repo.js';
import { validateSignerName } from './signer-keys.js';
import type {
  AddSignerOptions,
  AddSignerResult,
  AdminOptions,
  RemoveSignerOptions,
  RemoveSignerResult,
} from './types.js';

/**
 * Adds the keys as signer `name`: `targets/<name>` and `targets/releases` list them (created
 * with threshold 1 and paths `[""]`, or extended). A repository without trust data is created
 * first when `newRepository` is given, in the same publish.
 */
export async function addSigner(opts: AddSignerOptions): Promise<AddSignerResult> {
  checkSigner(opts.name, opts.signerKeys);
  const role = `targets/${opts.name}`;
  const keyIds = opts.signerKeys.map((k) => k.id);
  for (const k of opts.signerKeys) {
    if (k.role !== undefined && k.role !== opts.name && k.role !== role) {
      opts.log.warning(
        `${k.source} is labelled "role: ${k.role}"; adding it as signer ${opts.name}`,
      );
    }
  }
  return withRepository(opts, async (conn) => {
    let repo = await loadIfExists(conn, opts);
    if (repo === undefined) {
      if (opts.newRepository === undefined) throw notFound(conn.server, conn.gun, opts);
      try {
        const created = await createRepository(conn, opts, opts.newRepository, {
          name: opts.name,
          keys: opts.signerKeys,
        });
        opts.log.info(
          `${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(shortId).join(', ')})`,
        );
        return {
          gun: conn.gun,
          server: conn.server,
          role,
          keyIds,
          releasesKeyIds: keyIds,
          initialized: created.init,
          changed: true,
        };
      } catch (e) {
        if (!isCreateRace(e)) throw e;
        repo = await loadIfExists(conn, opts);
        if (repo === undefined) throw e;
        opts.log.info(
          `${conn.gun}: another client created the repository meanwhile; adding the signer to it`,
        );
      }
    }

    let after: TargetsMeta['delegations'] | undefined;
    const plan = (r: TrustedRepo): RoleEdit[] => {
      const signers = baseRoleSigners(r, opts.keys, 'targets');
      for (const k of opts.signerKeys) checkNotAdminKey(r.gun, k, baseKeyIds(r));
      const top = r.targets.get('targets')!.signed;
      after = top.delegations;
      if (hasDelegationKeys(top, role, keyIds) && hasDelegationKeys(top, RELEASES, keyIds))
        return [];
      const edit = (t: TargetsMeta): void => {
        addDelegationKeys(t, role, opts.signerKeys);
        addDelegationKeys(t, RELEASES, opts.signerKeys);
        after = t.delegations;
      };
      return [{ role: 'targets', signers, edit }];
    };
    const confirm = (r: TrustedRepo): string | undefined => {
      const top = r.targets.get('targets')!.signed;
      for (const name of [role, RELEASES]) {
        if (!hasDelegationKeys(top, name, keyIds)) return `${name} does not list the signer's keys`;
      }
      return undefined;
    };
    // Everything that can fail (keys, the signer keys' own roles) fails before publishing.
    const changed = plan(repo).length > 0;
    await publishChange(publishContext(conn, opts.keys, opts), plan, confirm, repo);
    opts.log.info(
      changed
        ? `${conn.gun}: added signer ${opts.name} (keys ${keyIds.map(shortId).join(', ')})`
        : `${conn.gun}: signer ${opts.name} already had these keys; nothing to publish`,
    );
    // plan() set `after`, holding both roles (edited, or already as wanted).
    const idsOf = (name: string) => after!.roles.find((d) => d.name === name)!.keyids;
    return {
      gun: conn.gun,
      server: conn.server,
      role,
      keyIds: [...idsOf(role)],
      releasesKeyIds: [...idsOf(RELEASES)],
      changed,
    };
  });
}

/**
 * Removes signer `name`: deletes `targets/<name>` and takes its keys out of `targets/releases`
 * (keys another remaining signer also uses stay). When that leaves `targets/releases`
 * unusable, asks `confirm` unless `force`.
 */
export async function removeSigner(opts: RemoveSignerOptions): Promise<RemoveSignerResult> {
  if (opts.name === 'releases') {
    throw new DctError(
      'SIGNER_NAME_INVALID',
      'releases is a reserved name and cannot be removed; remove the signers it lists one by one',
    );
  }
  validateSignerName(opts.name);
  const role = `targets/${opts.name}`;
  return withRepository(opts, async (conn) => {
    const repo = await loadIfExists(conn, opts);
    if (repo === undefined) throw notFound(conn.server, conn.gun);
    const top = repo.targets.get('targets')!.signed;
    const entry = top.delegations.roles.find((d) => d.name === role);
    if (entry === undefined) {
      const names = top.delegations.roles
        .map((d) => d.name)
        // The loader refuses an entry that is not a direct child: each is targets/<one name>.
        .filter((n) => n !== RELEASES)
        .map((n) => n.slice('targets/'.length));
      throw new DctError(
        'SIGNER_NOT_FOUND',
        `${conn.gun} has no signer ${opts.name} (signers: ${names.join(', ') || 'none'})`,
      );
    }
    baseRoleSigners(repo, opts.keys, 'targets'); // the repository key, before any question
    const removed = keysToRemove(top, role, entry.keyids);
    const base = {
      gun: conn.gun,
      server: conn.server,
      role,
      keyIds: removed,
      releasesKeyIds: releasesKeys(top).filter((id) => !removed.includes(id)),
    };
    const warning = lastSignerProblem(repo, opts.name, removed);
    if (warning !== undefined && opts.force !== true) {
      if (opts.confirm === undefined) {
        throw new DctError(
          'SIGNER_LAST_RELEASES',
          `${warning}; nothing was removed (force it to remove anyway)`,
        );
      }
      if (!(await opts.confirm(`${warning}. Remove signer ${opts.name} anyway?`))) {
        opts.log.info(`${conn.gun}: signer ${opts.name} was not removed`);
        return { ...base, removed: false, warning };
      }
    }

    const plan = (r: TrustedRepo): RoleEdit[] => {
      const t = r.targets.get('targets')!.signed;
      const current = t.delegations.roles.find((d) => d.name === role);
      if (current === undefined) return [];
      const ids = keysToRemove(t, role, current.keyids);
      const edit = (next: TargetsMeta): void => {
        deleteDelegation(next, role);
        removeDelegationKeys(next, RELEASES, ids);
      };
      return [{ role: 'targets', signers: baseRoleSigners(r, opts.keys, 'targets'), edit }];
    };
    const confirm = (r: TrustedRepo): string | undefined => {
      const t = r.targets.get('targets')!.signed;
      if (t.delegations.roles.some((d) => d.name === role)) return `${role} is still delegated`;
      if (releasesKeys(t).some((id) => removed.includes(id))) {
        return `${RELEASES} still lists the keys of ${opts.name}`;
      }
      return undefined;
    };
    await publishChange(publishContext(conn, opts.keys, opts), plan, confirm, repo);
    opts.log.info(`${conn.gun}: removed signer ${opts.name}`);
    return warning === undefined ? { ...base, removed: true } : { ...base, removed: true, warning };
  });
}

function releasesKeys(t: TargetsMeta): string[] {
  return t.delegations.roles.find((d) => d.name === RELEASES)?.keyids ?? [];
}

/** The signer's keys to take out of `targets/releases`: those no other signer still uses. */
function keysToRemove(t: TargetsMeta, role: string, keyIds: string[]): string[] {
  const others = t.delegations.roles.filter((d) => d.name !== role && d.name !== RELEASES);
  return keyIds.filter((id) => !others.some((d) => d.keyids.includes(id)));
}

/**
 * Why removing `removed` from `targets/releases` would hurt (docker asks the same before it
 * removes the signer of the last release): fewer keys than its threshold remain, or the
 * tags in its current file are signed by too few of the remaining keys.
 */
function lastSignerProblem(repo: TrustedRepo, name: string, removed: string[]): string | undefined {
  const top = repo.targets.get('targets')!.signed;
  const releases = top.delegations.roles.find((d) => d.name === RELEASES);
  if (releases === undefined || !releases.keyids.some((id) => removed.includes(id)))
    return undefined;
  const remaining = releases.keyids.filter((id) => !removed.includes(id));
  const file = repo.targets.get(RELEASES);
  const tags = file === undefined ? 0 : Object.keys(file.signed.targets).length;
  const tagText = `${tags} tag${tags === 1 ? '' : 's'}`;
  if (remaining.length < releases.threshold) {
    return `signer ${name} is the last signer of ${RELEASES} in ${repo.gun}: without it no key can sign releases${tags > 0 ? `, and the ${tagText} released there stop verifying` : ''}`;
  }
  if (tags > 0) {
    const signedBy = new Set(
      file!.signatures.map((s) => s.keyid).filter((id) => remaining.includes(id)),
    );
    if (signedBy.size < releases.threshold) {
      return `signer ${name} signed the current ${RELEASES} of ${repo.gun}: without it the ${tagText} released there stop verifying until another signer signs again`;
    }
  }
  return undefined;
}

function notFound(server: string, gun: string, opts?: AdminOptions): DctError {
  const how =
    opts === undefined
      ? ''
      : '; to create it, give its root key and a repository key (`dct signer add` does this with the keys in $DOCKER_CONFIG/trust/private)';
  return new DctError('REPO_NOT_FOUND', `${server} does not have trust data for ${gun}${how}`);
}
