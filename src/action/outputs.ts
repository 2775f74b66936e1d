/**
 * The step outputs (ACTION.md §Outputs), built with their keys in the documented order and
 * nothing else, whatever extra fields a flow's result carries.
 */
import type { SignedTag, VerifiedTag } from '../signer/types.js';

/** The fields both result shapes share (`image`, `gun`, `tag`, `digest`, `size`). */
function isTagResult(v: unknown, list: 'roles' | 'signers'): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    ['image', 'gun', 'tag', 'digest'].every((k) => typeof t[k] === 'string') &&
    typeof t.size === 'number' &&
    Array.isArray(t[list])
  );
}

export function isSignedTag(v: unknown): v is SignedTag {
  return isTagResult(v, 'roles');
}

export function isVerifiedTag(v: unknown): v is VerifiedTag {
  return isTagResult(v, 'signers');
}

/** The fields both outputs share, in ACTION.md's order. */
function tagFields(t: SignedTag | VerifiedTag) {
  return { image: t.image, gun: t.gun, tag: t.tag, digest: t.digest, size: t.size };
}

/** `signed`: `[{"image","gun","tag","digest","size","roles"}]` (also what revoke removed). */
export function signedOutput(tags: SignedTag[]): string {
  return JSON.stringify(tags.map((t) => ({ ...tagFields(t), roles: [...t.roles] })));
}

/** `verified`: `[{"image","gun","tag","digest","size","signers","cosign"}]`. */
export function verifiedOutput(tags: VerifiedTag[]): string {
  return JSON.stringify(
    tags.map((t) => ({ ...tagFields(t), signers: [...t.signers], cosign: t.cosign === true })),
  );
}

/** `digests`: one unique `<gun>@<digest>` per line, in first-seen order. */
export function digestsOutput(tags: { gun: string; digest: string }[]): string {
  return [...new Set(tags.map((t) => `${t.gun}@${t.digest}`))].join('\n');
}

/** `refreshed`: `[{"gun","role","version","expires"}]`, one per re-signed role. */
export function refreshedOutput(
  roles: { gun: string; role: string; version: number; expires: string }[],
): string {
  return JSON.stringify(
    roles.map((r) => ({ gun: r.gun, role: r.role, version: r.version, expires: r.expires })),
  );
}
