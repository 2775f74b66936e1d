/**
 * `verify`, for pull-request checks and deploy gates: each tag must be signed (docker's rule:
 * `targets/releases`, else `targets`, notary-spec.md §8) with the digest the registry holds
 * for it now, and by every required signer. Needs no keys.
 */
import { DctError, type ImageFailure } from '../errors.js';
import type { ImageRef } from '../registry/reference.js';
import type { TrustedRepo } from '../tuf/repo.js';
import { perRepository, type RepoConnection } from './connect.js';
import { checkCosign } from './cosign.js';
import { GroupImagesError, imageFailure } from './images.js';
import { healthAfter, warnIfExpiring } from './health.js';
import { loadRepo, saveTrust, warnIfRootExpiring } from './publish.js';
import { signerName, signerRole } from './roles.js';
import { resolveEach } from './sign.js';
import { digestOf, sameTarget, type TagTarget } from './targets.js';
import type { VerifiedTag, VerifyOptions } from './types.js';

export function verifyImages(opts: VerifyOptions): Promise<VerifiedTag[]> {
  return perRepository(opts, false, async (conn, group) => {
    // Each tag gets its own verdict: one that cannot be resolved does not hide the others'.
    const [{ targets, failures }, repo] = await Promise.all([
      resolveEach(conn, group.refs, opts.digest, 'verify'),
      loadRepo({ conn, rootKeyIds: opts.rootKeyIds }, await opts.trustStore?.load(group.gun)).catch(
        (e: unknown) => {
          throw e instanceof DctError && e.code === 'REPO_NOT_FOUND'
            ? new DctError('NOT_SIGNED', `not signed: ${e.message}`, { cause: e })
            : e;
        },
      ),
    ]);
    warnIfRootExpiring(repo, opts.log);
    warnIfExpiring(repo, opts.log);
    opts.onHealth?.(healthAfter(repo, new Map()));
    await saveTrust({ conn, trustStore: opts.trustStore, log: opts.log }, repo);
    const checked = checkTags(repo, group.refs, targets, opts.requiredSigners, failures);
    const verified =
      opts.cosign === true
        ? await checkCosignEach(conn, repo, group.refs, targets, checked, opts, failures)
        : checked.map((t) => ({ ...t, cosign: false }));
    for (const v of verified) {
      const cosign = v.cosign === true ? ' and cosign' : '';
      opts.log.info(`verified ${v.image} (${v.digest}) signed by ${v.signers.join(', ')}${cosign}`);
    }
    if (failures.length > 0) {
      const order = (f: ImageFailure) => group.refs.findIndex((r) => r.input === f.image);
      throw new GroupImagesError(failures.sort((a, b) => order(a) - order(b)));
    }
    return verified;
  });
}

/**
 * With `cosign`, each DCT-verified tag's digest must also carry a valid cosign signature;
 * a tag without one moves to `failures`.
 */
async function checkCosignEach(
  conn: RepoConnection,
  repo: TrustedRepo,
  refs: ImageRef[],
  targets: Map<ImageRef, TagTarget>,
  verified: VerifiedTag[],
  opts: VerifyOptions,
  failures: ImageFailure[],
): Promise<VerifiedTag[]> {
  const results = await Promise.all(
    verified.map(async (tag) => {
      const ref = refs.find((r) => r.input === tag.image)!;
      try {
        await checkCosign(conn, repo, ref, targets.get(ref)!, opts.requiredSigners);
        return { ...tag, cosign: true };
      } catch (e) {
        failures.push(imageFailure(ref.input, e));
        return undefined;
      }
    }),
  );
  return results.filter((t) => t !== undefined);
}

/**
 * The verdict on each tag of one verified repository whose target the registry gave: the
 * verified ones are returned, a failure per other tag goes to `failures`.
 */
export function checkTags(
  repo: TrustedRepo,
  refs: ImageRef[],
  targets: Map<ImageRef, TagTarget>,
  required: string[],
  failures: ImageFailure[],
): VerifiedTag[] {
  const out: VerifiedTag[] = [];
  for (const ref of refs) {
    const target = targets.get(ref);
    if (target === undefined) continue;
    try {
      out.push(checkTag(repo, ref, target, required));
    } catch (e) {
      failures.push(imageFailure(ref.input, e));
    }
  }
  return out;
}

function checkTag(
  repo: TrustedRepo,
  ref: ImageRef,
  target: TagTarget,
  required: string[],
): VerifiedTag {
  // Docker's rule (TrustedRepo.dockerTarget): targets/releases and its delegations first,
  // then targets; only roles whose paths allow the tag count.
  const found = repo.targetsFor(ref.tag);
  const pulled = repo.dockerTarget(ref.tag);
  if (pulled === undefined || (pulled.role !== 'targets/releases' && pulled.role !== 'targets')) {
    if (pulled?.role.startsWith('targets/releases/') === true) {
      throw new DctError(
        'NOT_SIGNED',
        `not signed where docker reads it: ${pulled.role}, a delegation of targets/releases, holds ${ref.tag} and targets/releases does not, so docker finds it there first and refuses it ("No trust data"); sign ${ref.tag} into targets/releases`,
      );
    }
    // A skipped (expired, tampered, below-threshold) releases file explains "not signed".
    const skipped = repo.invalidDelegations.get('targets/releases');
    if (skipped !== undefined) throw untrustedRole(repo, 'targets/releases', skipped);
    throw new DctError(
      'NOT_SIGNED',
      `not signed: ${ref.tag} is in neither targets/releases nor targets of ${repo.gun}`,
    );
  }
  const trusted = pulled.target;
  if (!sameTarget(trusted, target)) {
    throw new DctError(
      'SIGNED_OTHER_DIGEST',
      `signed for another digest: the signature is for ${digestOf(trusted) ?? 'an unknown digest'} ` +
        `(${trusted.length} bytes) but the registry holds ${target.digest} (${target.size} bytes); sign the new image`,
    );
  }
  // Every loaded role that lists this exact target counts as a signer of it.
  const signedBy = found.filter(({ target: t }) => sameTarget(t, target)).map(({ role }) => role);
  const named = signedBy.filter((r) => r !== 'targets' && r !== 'targets/releases');
  const signers = named.map(signerName);
  if (signedBy.includes('targets')) signers.push('targets');
  if (signers.length === 0 && signedBy.includes('targets/releases')) signers.push('releases');

  const missing = required.filter((s) => !signedBy.includes(signerRole(s)));
  for (const role of missing.map(signerRole)) {
    const skipped = repo.invalidDelegations.get(role);
    if (skipped !== undefined) throw untrustedRole(repo, role, skipped);
  }
  if (missing.length > 0) {
    throw new DctError(
      'MISSING_SIGNER',
      `missing signer: ${missing.join(', ')} did not sign ${target.digest}` +
        ` (signed by ${signers.join(', ') || 'nobody else'})`,
    );
  }
  return {
    image: ref.input,
    gun: repo.gun,
    tag: ref.tag,
    digest: target.digest,
    size: target.size,
    signers,
  };
}

/** A role the loader skipped (Go does too), named with the reason, instead of "not signed". */
function untrustedRole(repo: TrustedRepo, role: string, why: DctError): DctError {
  return new DctError(
    'TUF_DELEGATION_INVALID',
    `${role} of ${repo.gun} could not be trusted and was ignored: ${why.message}`,
    { cause: why },
  );
}
