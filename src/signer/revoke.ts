/**
 * `revoke`: remove the tags from every role the keys may sign (as `docker trust revoke`
 * did, notary-spec.md §6.8), publish, and confirm by reading back.
 */
import type { ImageRef } from '../registry/reference.js';
import type { TrustedRepo } from '../tuf/repo.js';
import { perRepository, type RepoConnection } from './connect.js';
import { GroupImagesError } from './images.js';
import { loadRepo, publishChange, type RoleEdit } from './publish.js';
import { rolesForTag, signableRoles } from './roles.js';
import { digestOf, lookup } from './targets.js';
import type { RevokeOptions, SignedTag } from './types.js';

export function revokeImages(opts: RevokeOptions): Promise<SignedTag[]> {
  return perRepository<SignedTag, PreparedRevoke>(
    opts,
    true,
    (conn, group, prepared) => revokeGroup(conn, group.refs, prepared, opts),
    // Every repository is verified and planned (each tag signed, keys allowed) first.
    async (conn, group) => {
      const repo = await loadRepo(
        { conn, rootKeyIds: opts.rootKeyIds },
        await opts.trustStore?.load(conn.gun),
      );
      const planner = revokePlanner(group.refs, opts);
      planner.plan(repo);
      return { repo, planner };
    },
  );
}

interface PreparedRevoke {
  repo: TrustedRepo;
  planner: ReturnType<typeof revokePlanner>;
}

async function revokeGroup(
  conn: RepoConnection,
  refs: ImageRef[],
  { repo, planner }: PreparedRevoke,
  opts: RevokeOptions,
): Promise<SignedTag[]> {
  await publishChange({ ...opts, conn, log: opts.log }, planner.plan, planner.confirm, repo);
  return refs.map((ref) => {
    // plan() records every tag it removes and refuses the group if any is in no role.
    const r = planner.removed.get(ref)!;
    opts.log.info(`revoked ${ref.input} (${r.digest}) from ${r.roles.join(', ')}`);
    return { image: ref.input, gun: ref.gun, tag: ref.tag, ...r };
  });
}

/** The change `revoke` makes, as a pure function of a verified repository. */
function revokePlanner(refs: ImageRef[], opts: RevokeOptions) {
  // What each tag was signed as, from the first read (the output reports it).
  const removed = new Map<ImageRef, { digest: string; size: number; roles: string[] }>();
  const plan = (repo: TrustedRepo): RoleEdit[] => {
    const roles = signableRoles(repo, opts.keys, opts.signers, (m) => opts.log.warning(m));
    const edits = new Map<string, RoleEdit & { tags: string[] }>();
    const notSigned = [];
    for (const ref of refs) {
      const forTag = rolesForTag(roles, ref.tag);
      const holding = forTag.filter((r) => lookup(repo.targets.get(r.role)?.signed, ref.tag));
      const prev = removed.get(ref);
      if (holding.length === 0) {
        if (prev === undefined) notSigned.push(ref);
        continue;
      }
      const file = lookup(repo.targets.get(holding[0].role)!.signed, ref.tag)!;
      removed.set(ref, {
        digest: digestOf(file) ?? 'unknown',
        size: file.length,
        roles: [...new Set([...(prev?.roles ?? []), ...holding.map((r) => r.role)])],
      });
      for (const r of holding) {
        const e = edits.get(r.role) ?? {
          role: r.role,
          signers: r.signers,
          tags: [],
          edit: (t) => {
            for (const tag of e.tags) delete t.targets[tag];
          },
        };
        e.tags.push(ref.tag);
        edits.set(r.role, e);
      }
    }
    if (notSigned.length > 0) {
      throw new GroupImagesError(
        notSigned.map((ref) => ({
          image: ref.input,
          code: 'NOT_SIGNED',
          message: `no signed tag to remove: ${ref.tag} is in no role the keys may sign`,
        })),
      );
    }
    return [...edits.values()];
  };
  const confirm = (repo: TrustedRepo): string | undefined => {
    for (const ref of refs) {
      // confirm() runs after plan(), which recorded every tag.
      for (const role of removed.get(ref)!.roles) {
        if (lookup(repo.targets.get(role)?.signed, ref.tag) !== undefined) {
          return `${ref.tag} is still listed in ${role}`;
        }
      }
    }
    return undefined;
  };
  return { plan, confirm, removed };
}
