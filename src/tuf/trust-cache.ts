/**
 * What a client keeps of a repository's trust between runs (notary-spec.md §7): the root it
 * trusted last and the highest version it has seen of every role. The action cache and
 * docker's TUF folder store this shape; the loader reads it back to refuse rollbacks.
 */

/** What a repository's trust looked like after a run; kept by the cache between runs. */
export interface TrustState {
  gun: string;
  /** base64 of the exact root.json bytes trusted last. */
  root: string;
  /** Highest version seen per role (`root`, `timestamp`, `snapshot`, `targets`, `targets/…`). */
  versions: Record<string, number>;
}
