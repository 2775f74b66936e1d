/**
 * Edits of `targets.json`'s delegations as notary applies docker's staged changes
 * (notary-spec.md §6.4, §6.5; Go `delegationUpdateVisitor`, `DeleteDelegation`).
 */
import type { TargetsMeta } from '../../tuf/models.js';
import type { SignerKey } from './types.js';

export const RELEASES = 'targets/releases';

/**
 * Creates `role` (threshold 1, paths `[""]`) or, when it exists, adds the keys to it and `""`
 * to its paths; the threshold of an existing role is kept. Keys are added to
 * `delegations.keys`; `updatedTargets` drops the ones no role uses.
 */
export function addDelegationKeys(t: TargetsMeta, role: string, keys: SignerKey[]): void {
  for (const k of keys) {
    t.delegations.keys[k.id] = { keytype: k.tufKey.keytype, keyval: { ...k.tufKey.keyval } };
  }
  const ids = keys.map((k) => k.id);
  const existing = t.delegations.roles.find((r) => r.name === role);
  if (existing === undefined) {
    t.delegations.roles.push({ keyids: ids, name: role, paths: [''], threshold: 1 });
    return;
  }
  for (const id of ids) if (!existing.keyids.includes(id)) existing.keyids.push(id);
  const paths = existing.paths ?? [];
  if (!paths.includes('')) existing.paths = [...paths, ''];
}

/** Takes `keyIds` out of `role`'s keys (the role stays, even with none, as in Go). */
export function removeDelegationKeys(t: TargetsMeta, role: string, keyIds: string[]): void {
  const r = t.delegations.roles.find((d) => d.name === role);
  if (r !== undefined) r.keyids = r.keyids.filter((id) => !keyIds.includes(id));
}

/** Removes the delegation `role` from the list (its file is left to the server). */
export function deleteDelegation(t: TargetsMeta, role: string): void {
  t.delegations.roles = t.delegations.roles.filter((d) => d.name !== role);
}

/** Whether `t` delegates `role` with every one of `keyIds` and the path `""`. */
export function hasDelegationKeys(t: TargetsMeta, role: string, keyIds: string[]): boolean {
  const r = t.delegations.roles.find((d) => d.name === role);
  return (
    r !== undefined &&
    keyIds.every((id) => r.keyids.includes(id) && t.delegations.keys[id] !== undefined) &&
    (r.paths ?? []).includes('')
  );
}
