import { DctError, ImagesError, isDctError, describeError, type ImageFailure } from '../errors.js';
import {
  parseDigest,
  parseImageRef,
  parseRepositoryRef,
  type ImageRef,
  type RepositoryRef,
} from '../registry/reference.js';

/** The images of one trust repository (GUN), published together in one POST. */
export interface GunGroup {
  gun: string;
  refs: ImageRef[];
}

/**
 * Parses every image reference and groups them by GUN. A reference that does not parse is
 * a failure of that image alone; the flows refuse to publish anything when any failed, so a
 * typo never leaves the other tags signed and this one not.
 */
export function groupImages(images: string[]): { groups: GunGroup[]; failures: ImageFailure[] } {
  const groups = new Map<string, ImageRef[]>();
  const failures: ImageFailure[] = [];
  for (const image of images) {
    try {
      const ref = parseImageRef(image);
      const list = groups.get(ref.gun) ?? [];
      // The same tag twice in one repository is one target; keep the first.
      if (!list.some((r) => r.tag === ref.tag && r.digest === ref.digest)) list.push(ref);
      groups.set(ref.gun, list);
    } catch (e) {
      failures.push(imageFailure(image, e));
    }
  }
  return { groups: [...groups].map(([gun, refs]) => ({ gun, refs })), failures };
}

/** The digest an image must carry: its own `@sha256:` pin, else the `digest` input. */
export function expectedDigest(ref: ImageRef, digest: string | undefined): string | undefined {
  const pinned = ref.digest;
  const given = digest === undefined ? undefined : parseDigest(digest, 'digest');
  if (pinned !== undefined && given !== undefined && pinned !== given) {
    throw new DctError(
      'DIGEST_CONFLICT',
      `the reference pins ${pinned} but the \`digest\` input is ${given}; give one digest`,
    );
  }
  return pinned ?? given;
}

export function imageFailure(image: string, e: unknown): ImageFailure {
  return {
    image,
    code: isDctError(e) ? e.code : 'UNEXPECTED',
    message: describeError(e),
  };
}

/** Runs `fn` for every group at once; collects results and per-image failures. */
export async function forEachGroup<T>(
  groups: GunGroup[],
  fn: (group: GunGroup) => Promise<T[]>,
): Promise<{ done: T[]; failures: ImageFailure[] }> {
  const settled = await Promise.allSettled(groups.map((g) => fn(g)));
  const done: T[] = [];
  const failures: ImageFailure[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      done.push(...s.value);
      return;
    }
    const group = groups[i];
    const err: unknown = s.reason;
    // A flow may already have split its failure per image.
    if (err instanceof GroupImagesError) {
      failures.push(...err.failures);
      done.push(...(err.done as T[]));
      return;
    }
    for (const ref of group.refs) failures.push(imageFailure(ref.input, err));
  });
  return { done, failures };
}

/**
 * A group-level failure that names individual images (e.g. one tag moved, one unsigned);
 * `done` holds the group's results that did go through.
 */
export class GroupImagesError extends Error {
  constructor(
    readonly failures: ImageFailure[],
    readonly done: unknown[] = [],
  ) {
    super(failures.map((f) => `${f.image}: ${f.message}`).join('\n'));
  }
}

/**
 * Runs `run` for every repository named (a tag ignored, each repository once) at once, then
 * throws one ImagesError naming every failure, with the others' results in `done`. A name
 * that does not parse stops the run before any repository is touched.
 */
export async function eachRepository<T>(
  names: string[],
  run: (ref: RepositoryRef) => Promise<T>,
): Promise<T[]> {
  const refs: RepositoryRef[] = [];
  const failures: ImageFailure[] = [];
  for (const name of names) {
    try {
      const ref = parseRepositoryRef(name.trim());
      if (!refs.some((r) => r.gun === ref.gun)) refs.push(ref);
    } catch (e) {
      failures.push(imageFailure(name, e));
    }
  }
  if (failures.length > 0) throw new ImagesError(failures);
  const settled = await Promise.allSettled(refs.map((ref) => run(ref)));
  const done: T[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') done.push(s.value);
    else failures.push(imageFailure(refs[i].input, s.reason));
  });
  if (failures.length > 0) throw new ImagesError(failures, done);
  return done;
}
