/**
 * What a trust store (the Actions cache, docker's TUF folder) keeps of a repository: checked
 * when read, and never lowered when written.
 */
import type { TrustState } from '../tuf/trust-cache.js';

export function isTrustState(v: unknown): v is TrustState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  if (typeof s.gun !== 'string' || s.gun === '') return false;
  if (typeof s.root !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s.root)) return false;
  if (typeof s.versions !== 'object' || s.versions === null || Array.isArray(s.versions)) {
    return false;
  }
  return Object.values(s.versions).every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
}

/**
 * `state` merged with what the store `kept`: every role's highest version, and the root of
 * the higher root version. Another step, run or tool may have seen newer data than this run.
 */
export function neverLower(
  kept: TrustState | undefined,
  state: TrustState,
): { root: string; versions: Record<string, number> } {
  const versions = { ...state.versions };
  let root = state.root;
  if (kept !== undefined) {
    for (const [role, v] of Object.entries(kept.versions)) {
      if ((versions[role] ?? -1) < v) versions[role] = v;
    }
    if ((kept.versions['root'] ?? 0) > (state.versions['root'] ?? 0)) root = kept.root;
  }
  return { root, versions };
}
