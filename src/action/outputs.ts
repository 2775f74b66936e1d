/**
 * The step outputs (ACTION.md §Outputs), built with their keys in the documented order and
 * nothing else, whatever extra fields a flow's result carries.
 */
import type { SignedTag, VerifiedTag } from '../signer/types.js';

export function isSignedTag(v: unknown): v is SignedTag {
  const t = v as Partial<SignedTag> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.image === 'string' &&
    typeof t.gun === 'string' &&
    typeof t.tag === 'string' &&
    typeof t.digest === 'string' &&
    typeof t.size === 'number' &&
    Array.isArray(t.roles)
  );
}

export function isVerifiedTag(v: unknown): v is VerifiedTag {
  const t = v as Partial<VerifiedTag> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.image === 'string' &&
    typeof t.gun === 'string' &&
    typeof t.tag === 'string' &&
    typeof t.digest === 'string' &&
    typeof t.size === 'number' &&
    Array.isArray(t.signers)
  );
}

/** `signed`: `[{"image","gun","tag","digest","size","roles"}]` (also what revoke removed). */
export function signedOutput(tags: SignedTag[]): string {
  return JSON.stringify(
    tags.map((t) => ({
      image: t.image,
      gun: t.gun,
      tag: t.tag,
      digest: t.digest,
      size: t.size,
      roles: [...t.roles],
    })),
  );
}

/** `verified`: `[{"image","gun","tag","digest","size","signers"}]`. */
export function verifiedOutput(tags: VerifiedTag[]): string {
  return JSON.stringify(
    tags.map((t) => ({
      image: t.image,
      gun: t.gun,
      tag: t.tag,
      digest: t.digest,
      size: t.size,
      signers: [...t.signers],
    })),
  );
}

/** `digests`: one unique `<gun>@<digest>` per line, in first-seen order. */
export function digestsOutput(tags: { gun: string; digest: string }[]): string {
  return [...new Set(tags.map((t) => `${t.gun}@${t.digest}`))].join('\n');
}
