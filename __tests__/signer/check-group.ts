/**
 * `checkTags`' verdicts for one repository as `verifyImages` reports them: the verified tags,
 * or one error naming every failed tag (with the verified ones in `done`).
 */
import type { ImageFailure } from '../../src/errors.js';
import type { ImageRef } from '../../src/registry/reference.js';
import { GroupImagesError } from '../../src/signer/images.js';
import type { TagTarget } from '../../src/signer/targets.js';
import type { VerifiedTag } from '../../src/signer/types.js';
import { checkTags } from '../../src/signer/verify.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';

export function checkGroup(
  repo: TrustedRepo,
  refs: ImageRef[],
  targets: Map<ImageRef, TagTarget>,
  required: string[],
): VerifiedTag[] {
  const failures: ImageFailure[] = [];
  const verified = checkTags(repo, refs, targets, required, failures);
  if (failures.length > 0) throw new GroupImagesError(failures, verified);
  return verified;
}
