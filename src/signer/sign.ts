/**
 * `sign`: resolve each tag's manifest in the registry, then add the tags to every role the
 * keys may sign, one publish per repository, repositories in parallel.
 */
import { DctError, type ImageFailure } from '../errors.js';
import type { ImageRef } from '../registry/reference.js';
import { perRepository, type RepoConnection } from './connect.js';
import { expectedDigest, GroupImagesError, imageFailure } from './images.js';
import { loadRepo, publishChange, type RoleEdit } from './publish.js';
import type { TrustedRepo } from '../tuf/repo.js';
import { rolesForTag, signableExpired, signableRoles } from './roles.js';
import { pathsMatch } from '../tuf/models.js';
import { healthAfter, warnIfExpiring } from './health.js';
import { lookup, sameTarget, toTargetFile, type TagTarget } from './targets.js';
import { prepareCosignSign, writeCosignSignatures, type CosignSignPlan } from './cosign.js';
import type { SignedTag, SignOptions } from './types.js';

export function signImages(opts: SignOptions): Promise<SignedTag[]> {
  return perRepository<SignedTag, PreparedSign>(
    opts,
    true,
    (conn, group, prepared) => signGroup(conn, group.refs, prepared, opts),
    // Every repository is resolved, verified and planned before any is published.
    (conn, group) => prepareSign(conn, group.refs, opts),
  );
}

/** Resolves every tag of one repository; any failure stops the repository before publishing. */
export async function resolveTargets(
  conn: RepoConnection,
  refs: ImageRef[],
  digest: string | undefined,
): Promise<Map<ImageRef, TagTarget>> {
  const { targets, failures } = await resolveEach(conn, refs, digest, 'sign');
  if (failures.length > 0) {
    // The other tags of this repository are fine but are not published alone: say so.
    for (const ref of refs) {
      if (!failures.some((f) => f.image === ref.input)) {
        failures.push({
          image: ref.input,
          code: 'NOT_PUBLISHED',
          message: 'not signed because another tag of the same repository failed',
        });
      }
    }
    throw new GroupImagesError(failures);
  }
  return targets;
}

/** Resolves each tag on its own: what each holds, or why it could not be resolved. */
export async function resolveEach(
  conn: RepoConnection,
  refs: ImageRef[],
  digest: string | undefined,
  command: 'sign' | 'verify',
): Promise<{ targets: Map<ImageRef, TagTarget>; failures: ImageFailure[] }> {
  const targets = new Map<ImageRef, TagTarget>();
  const failures: ImageFailure[] = [];
  await Promise.all(
    refs.map(async (ref) => {
      try {
        targets.set(ref, await resolveTarget(conn, ref, expectedDigest(ref, digest), command));
      } catch (e) {
        failures.push(imageFailure(ref.input, e));
      }
    }),
  );
  return { targets, failures };
}

async function resolveTarget(
  conn: RepoConnection,
  ref: ImageRef,
  want: string | undefined,
  command: 'sign' | 'verify',
): Promise<TagTarget> {
  // The manifest under the expected digest is asked for with the tag's, and read only once
  // the tag is known to hold that digest (its failure counts only then).
  const tagFetch = conn.registry.resolveTag(ref);
  const pinnedFetch = want === undefined ? undefined : conn.registry.getManifest(ref, want);
  pinnedFetch?.catch(() => undefined);
  const current = await tagFetch;
  if (pinnedFetch === undefined) {
    return { digest: current.digest, size: current.size };
  }
  if (current.digest !== want) {
    const moved = `the registry's tag ${ref.tag} now points to ${current.digest}, not the expected ${want}; the tag was pushed again after that build.`;
    throw new DctError(
      'TAG_MOVED',
      command === 'sign'
        ? `${moved} Nothing was signed: sign the digest the tag holds, or build and push again`
        : `${moved} The image a pull would get is not the expected one: check who pushed the tag, or verify the digest it holds now`,
    );
  }
  // The size comes from the manifest stored under the digest itself.
  const pinned = await pinnedFetch;
  return { digest: pinned.digest, size: pinned.size };
}

/** The change `sign` makes, as a pure function of a verified repository (see publishChange). */
interface SignPlanner {
  plan: (repo: TrustedRepo) => RoleEdit[];
  confirm: (repo: TrustedRepo) => string | undefined;
  /** The roles each tag went into, as of the last plan (which refuses a tag that has none). */
  rolesOf: (ref: ImageRef) => string[];
}

function signPlanner(
  refs: ImageRef[],
  targets: Map<ImageRef, TagTarget>,
  opts: SignOptions,
): SignPlanner {
  let rolesByTag = new Map<ImageRef, string[]>();
  const plan = (repo: TrustedRepo): RoleEdit[] => {
    const roles = signableRoles(repo, opts.keys, opts.signers, (m) => opts.log.warning(m));
    rolesByTag = new Map();
    const edits = new Map<string, RoleEdit & { tags: [string, TagTarget][] }>();
    const unsignable: ImageFailure[] = [];
    // A role that has expired is signed again even when every tag is already in it; the
    // entries its paths do not allow are dropped (no client trusts them).
    for (const r of roles.filter((x) => repo.expired.has(x.role))) {
      const e: RoleEdit & { tags: [string, TagTarget][] } = {
        role: r.role,
        signers: r.signers,
        tags: [],
        edit: (t) => {
          for (const name of Object.keys(t.targets)) {
            if (r.delegation !== undefined && !pathsMatch(r.delegation, name)) {
              delete t.targets[name];
            }
          }
          for (const [tag, tt] of e.tags) t.targets[tag] = toTargetFile(tt);
        },
      };
      edits.set(r.role, e);
    }
    for (const ref of refs) {
      const target = targets.get(ref)!;
      const forTag = rolesForTag(roles, ref.tag);
      if (forTag.length === 0) {
        unsignable.push({
          image: ref.input,
          code: 'TAG_OUTSIDE_PATHS',
          message: `no role the keys may sign allows the tag ${ref.tag} (delegation paths)`,
        });
        continue;
      }
      rolesByTag.set(
        ref,
        forTag.map((r) => r.role),
      );
      for (const r of forTag) {
        if (sameTarget(lookup(repo.targets.get(r.role)?.signed, ref.tag), target)) continue;
        const e = edits.get(r.role) ?? {
          role: r.role,
          signers: r.signers,
          tags: [],
          edit: (t) => {
            for (const [tag, tt] of e.tags) t.targets[tag] = toTargetFile(tt);
          },
        };
        e.tags.push([ref.tag, target]);
        edits.set(r.role, e);
      }
    }
    if (unsignable.length > 0) throw new GroupImagesError(unsignable);
    return [...edits.values()];
  };
  const confirm = (repo: TrustedRepo): string | undefined => {
    // After plan(), which gave every tag its roles or refused the group.
    for (const ref of refs) {
      for (const role of rolesByTag.get(ref)!) {
        if (!sameTarget(lookup(repo.targets.get(role)?.signed, ref.tag), targets.get(ref)!)) {
          return `${ref.tag} is not listed in ${role} with ${targets.get(ref)!.digest}`;
        }
      }
    }
    return undefined;
  };
  return { plan, confirm, rolesOf: (ref) => rolesByTag.get(ref)! };
}

interface PreparedSign {
  targets: Map<ImageRef, TagTarget>;
  repo: TrustedRepo;
  planner: SignPlanner;
  cosign?: CosignSignPlan;
}

/**
 * Everything that can fail before publishing: the tags in the registry, the trust data, and
 * a dry run of the change (keys, delegations, paths, thresholds).
 */
async function prepareSign(
  conn: RepoConnection,
  refs: ImageRef[],
  opts: SignOptions,
): Promise<PreparedSign> {
  // The trusted state first: awaited inside the array, it would leave the registry's
  // rejection unhandled while a slow store (the CLI's files) is read.
  const trusted = await opts.trustStore?.load(conn.gun);
  const [targets, repo] = await Promise.all([
    resolveTargets(conn, refs, opts.digest),
    loadRepo({ conn, rootKeyIds: opts.rootKeyIds, mayExpire: signableExpired(opts.keys) }, trusted),
  ]);
  const planner = signPlanner(refs, targets, opts);
  planner.plan(repo);
  if (opts.cosign === undefined) return { targets, repo, planner };
  const cosign = await prepareCosignSign(
    conn,
    refs,
    targets,
    repo,
    planner.rolesOf,
    opts.keys,
    opts.cosign,
  );
  return { targets, repo, planner, cosign };
}

async function signGroup(
  conn: RepoConnection,
  refs: ImageRef[],
  { targets, repo, planner, cosign }: PreparedSign,
  opts: SignOptions,
): Promise<SignedTag[]> {
  const published = await publishChange(
    { ...opts, conn, keys: opts.keys, log: opts.log, mayExpire: signableExpired(opts.keys) },
    planner.plan,
    planner.confirm,
    repo,
  );
  warnIfExpiring(repo, opts.log, { skip: published.keys() });
  opts.onHealth?.(healthAfter(repo, published, opts.keys));
  for (const ref of refs) {
    const roles = planner.rolesOf(ref);
    opts.log.info(`signed ${ref.input} (${targets.get(ref)!.digest}) in ${roles.join(', ')}`);
    if (!roles.includes('targets/releases') && !roles.includes('targets')) {
      // notary-spec.md §8: `verify` with `required-signers` counts it, docker pull does not.
      opts.log.warning(
        `${ref.input}: signed in ${roles.join(', ')} only; docker pull reads targets/releases, then targets, so it does not use this signature`,
      );
    }
  }
  const signed = refs.map((ref) => ({
    image: ref.input,
    gun: ref.gun,
    tag: ref.tag,
    digest: targets.get(ref)!.digest,
    size: targets.get(ref)!.size,
    roles: planner.rolesOf(ref),
  }));
  if (cosign !== undefined) {
    await writeCosignSignatures(conn, refs, cosign, signed, opts.cosign ?? {}, opts.log);
  }
  return signed;
}
