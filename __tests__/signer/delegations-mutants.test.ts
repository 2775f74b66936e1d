/**
 * The edits of targets' delegations (signer/admin/delegations.ts) on their own, against the
 * mutants StrykerJS left alive (issue 14): keys copied into the map, paths completed once,
 * removals and deletions that touch only the named role, and what counts as delegated.
 */
import { describe, expect, it } from 'vitest';
import {
  addDelegationKeys,
  deleteDelegation,
  hasDelegationKeys,
  RELEASES,
  removeDelegationKeys,
} from '../../src/signer/admin/delegations.js';
import type { SignerKey } from '../../src/signer/admin/types.js';
import { blankTargets, type TargetsMeta } from '../../src/tuf/models.js';

const key = (id: string): SignerKey => ({
  id,
  canonicalId: id,
  source: `${id}.pub`,
  tufKey: { keytype: 'ecdsa', keyval: { private: null, public: `${id}-public` } },
});

function targets(): TargetsMeta {
  const t = blankTargets(1);
  t.delegations.keys = {
    a: { keytype: 'ecdsa', keyval: { private: null, public: 'a' } },
    b: { keytype: 'ecdsa', keyval: { private: null, public: 'b' } },
  };
  t.delegations.roles = [
    { keyids: ['a', 'b'], name: 'targets/one', paths: [''], threshold: 1 },
    { keyids: ['a', 'b'], name: 'targets/two', threshold: 2 },
  ];
  return t;
}

describe('delegation edits', () => {
  it('RELEASES names targets/releases', () => {
    expect(RELEASES).toBe('targets/releases');
  });

  it('addDelegationKeys copies each key into the map, and completes paths with "" once', () => {
    const t = targets();
    const k = key('c');
    addDelegationKeys(t, 'targets/two', [k]);
    expect(t.delegations.keys['c']).toEqual(k.tufKey);
    expect(t.delegations.keys['c'].keyval).not.toBe(k.tufKey.keyval);
    // a role without paths gets [""]; one that has "" keeps its paths as they are
    expect(t.delegations.roles[1]).toEqual({
      keyids: ['a', 'b', 'c'],
      name: 'targets/two',
      paths: [''],
      threshold: 2,
    });
    addDelegationKeys(t, 'targets/one', [key('a')]);
    expect(t.delegations.roles[0].paths).toEqual(['']);
    expect(t.delegations.roles[0].keyids).toEqual(['a', 'b']);
  });

  it('removeDelegationKeys touches only the named role, and an absent role is no error', () => {
    const t = targets();
    removeDelegationKeys(t, 'targets/two', ['a']);
    expect(t.delegations.roles.map((r) => r.keyids)).toEqual([['a', 'b'], ['b']]);
    expect(() => removeDelegationKeys(t, 'targets/none', ['a'])).not.toThrow();
  });

  it('deleteDelegation removes only the named role', () => {
    const t = targets();
    deleteDelegation(t, 'targets/one');
    expect(t.delegations.roles.map((r) => r.name)).toEqual(['targets/two']);
  });

  it('hasDelegationKeys: that role, every key listed there and in the map, and the path ""', () => {
    const t = targets();
    expect(hasDelegationKeys(t, 'targets/one', ['a', 'b'])).toBe(true);
    expect(hasDelegationKeys(t, 'targets/one', [])).toBe(true);
    // another role's keys and paths do not count
    expect(hasDelegationKeys(t, 'targets/two', ['a'])).toBe(false);
    expect(hasDelegationKeys(t, 'targets/none', [])).toBe(false);
    // one key of two missing from the role
    expect(hasDelegationKeys(t, 'targets/one', ['a', 'c'])).toBe(false);
    // listed in the role but not in the map
    t.delegations.roles[0].keyids.push('d');
    expect(hasDelegationKeys(t, 'targets/one', ['d'])).toBe(false);
    // in the map but not listed in the role
    t.delegations.keys['e'] = { keytype: 'ecdsa', keyval: { private: null, public: 'e' } };
    expect(hasDelegationKeys(t, 'targets/one', ['e'])).toBe(false);
    // the role found second, with the keys but without "", is not delegated
    t.delegations.roles[1].paths = ['v'];
    expect(hasDelegationKeys(t, 'targets/two', ['a', 'b'])).toBe(false);
    t.delegations.roles[1].paths = ['v', ''];
    expect(hasDelegationKeys(t, 'targets/two', ['a', 'b'])).toBe(true);
  });
});
