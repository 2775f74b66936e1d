/**
 * The metadata guards and publish helpers (tuf/models.ts) at their edges: each part of a
 * file of the wrong JSON type, lengths and versions at their minimum, hashes by algorithm and
 * size, which meta needs sha256, targets entries checked again after an edit, delegation
 * fields, and the versions and expiries of new metadata. Written against the mutants
 * StrykerJS left alive (issue 14).
 */
import { describe, expect, it } from 'vitest';
import {
  asRoot,
  asSnapshot,
  asTargets,
  asTimestamp,
  blankTargets,
  parentRole,
  pickKeys,
  roleKeys,
  targetFile,
  targetSha256,
  updatedRoot,
  updatedSnapshot,
  updatedTargets,
  type TargetsMeta,
} from '../../src/tuf/models.js';
import { goTime } from '../../src/tuf/time.js';

const NOW = new Date('2030-06-01T12:00:00Z');
const SHA256 = Buffer.alloc(32, 1).toString('base64');
const SHA512 = Buffer.alloc(64, 2).toString('base64');
const KEY = { keytype: 'ed25519', keyval: { private: null, public: 'AAAA' } };

type Tree = Record<string, unknown>;

function refused(what: string): unknown {
  return expect.objectContaining({
    code: 'TUF_BAD_METADATA',
    message: expect.stringContaining(what) as unknown,
  });
}

const root = (): Tree => ({
  _type: 'Root',
  consistent_snapshot: false,
  expires: '2030-01-01T00:00:00Z',
  keys: { k1: structuredClone(KEY) },
  roles: {
    root: { keyids: ['k1'], threshold: 1 },
    snapshot: { keyids: ['k1'], threshold: 1 },
    targets: { keyids: ['k1'], threshold: 1 },
    timestamp: { keyids: ['k1'], threshold: 1 },
  },
  version: 1,
});

const targets = (): Tree => ({
  _type: 'Targets',
  delegations: {
    keys: { d1: structuredClone(KEY) },
    roles: [{ keyids: ['d1'], name: 'targets/a', paths: ['v'], threshold: 1 }],
  },
  expires: '2030-01-01T00:00:00Z',
  targets: { v1: { hashes: { sha256: SHA256 }, length: 1 } },
  version: 1,
});

const fileMeta = (hashes: Tree = { sha256: SHA256 }, length: unknown = 1): Tree => ({
  hashes,
  length,
});

const snapshot = (meta: Tree = { root: fileMeta(), targets: fileMeta() }): Tree => ({
  _type: 'Snapshot',
  expires: '2030-01-01T00:00:00Z',
  meta,
  version: 1,
});

const timestamp = (meta: Tree = { snapshot: fileMeta() }): Tree => ({
  _type: 'Timestamp',
  expires: '2030-01-01T00:00:00Z',
  meta,
  version: 1,
});

const at = (o: Tree, ...path: string[]): Tree => path.reduce((c, k) => c[k] as Tree, o);

describe('the common fields', () => {
  it('accept the smallest version and refuse anything but a positive safe integer', () => {
    expect(asRoot(root()).version).toBe(1);
    for (const version of [0, -1, 1.5, '1', null, 2 ** 53]) {
      expect(() => asRoot({ ...root(), version }), String(version)).toThrow(
        refused('version is not an integer ≥ 1'),
      );
    }
  });

  it('refuse a signed part that is not an object, a wrong or missing _type, a non-string expiry', () => {
    for (const x of [null, [], 'Root', 1]) {
      expect(() => asRoot(x), JSON.stringify(x)).toThrow(refused('"signed" is not an object'));
    }
    expect(() => asRoot({ ...root(), _type: 'Targets' })).toThrow(
      refused('_type is "Targets", expected "Root"'),
    );
    const untyped = root();
    delete untyped['_type'];
    expect(() => asRoot(untyped)).toThrow(refused('_type is null, expected "Root"'));
    expect(() => asRoot({ ...root(), expires: 1 })).toThrow(refused('expires is not a string'));
  });
});

describe('asRoot', () => {
  it('takes consistent_snapshot as a boolean or absent, nothing else', () => {
    const none = root();
    delete none['consistent_snapshot'];
    expect(() => asRoot(none)).not.toThrow();
    expect(() => asRoot({ ...root(), consistent_snapshot: true })).not.toThrow();
    for (const v of [0, 'false', null]) {
      expect(() => asRoot({ ...root(), consistent_snapshot: v })).toThrow(
        refused('consistent_snapshot is not a boolean'),
      );
    }
  });

  it('refuses keys, key types and key values of the wrong shape', () => {
    const cases: [string, (r: Tree) => void][] = [
      ['keys is not an object', (r) => (r['keys'] = [])],
      ['keys.k1 is not an object', (r) => (at(r, 'keys')['k1'] = 'x')],
      ['keys.k1.keytype is not a string', (r) => (at(r, 'keys', 'k1')['keytype'] = 1)],
      ['keys.k1.keyval is not an object', (r) => delete at(r, 'keys', 'k1')['keyval']],
      [
        'keys.k1.keyval.public is not a string',
        (r) => (at(r, 'keys', 'k1', 'keyval')['public'] = null),
      ],
      ['roles is not an object', (r) => (r['roles'] = null)],
      ['roles.timestamp is not an object', (r) => (at(r, 'roles')['timestamp'] = [])],
      [
        'roles.targets.keyids is not a list of strings',
        (r) => (at(r, 'roles', 'targets')['keyids'] = 'k1'),
      ],
      [
        'roles.targets.keyids is not a list of strings',
        (r) => (at(r, 'roles', 'targets')['keyids'] = [1]),
      ],
      [
        'roles.root.threshold is not an integer ≥ 1',
        (r) => (at(r, 'roles', 'root')['threshold'] = 0),
      ],
      ['root has no "timestamp" role', (r) => delete at(r, 'roles')['timestamp']],
      [
        'root role snapshot names key k2 that root lacks',
        (r) => (at(r, 'roles', 'snapshot')['keyids'] = ['k1', 'k2']),
      ],
    ];
    for (const [message, edit] of cases) {
      const r = root();
      edit(r);
      expect(() => asRoot(r), message).toThrow(refused(message));
    }
  });

  it('reads a root without keys as one with none (its roles then name keys it lacks)', () => {
    const r = root();
    delete r['keys'];
    expect(() => asRoot(r)).toThrow(refused('root role root names key k1 that root lacks'));
  });
});

describe('asTargets: target entries', () => {
  const withTarget = (entry: unknown): Tree => ({ ...targets(), targets: { v1: entry } });

  it('accepts a zero length and unknown hash algorithms of any size', () => {
    const t = asTargets(withTarget({ hashes: { sha256: SHA256, md5: 'x' }, length: 0 }));
    expect(t.targets['v1'].length).toBe(0);
    expect(() => asTargets(withTarget({ hashes: {}, length: 0, custom: { a: 1 } }))).not.toThrow();
  });

  it('refuses an entry of the wrong shape, naming it', () => {
    const cases: [unknown, string][] = [
      [null, 'target "v1" is not an object'],
      [[], 'target "v1" is not an object'],
      ['x', 'target "v1" is not an object'],
      [{ length: 1 }, 'target "v1".hashes is not an object'],
      [{ hashes: null, length: 1 }, 'target "v1".hashes is not an object'],
      [{ hashes: [SHA256], length: 1 }, 'target "v1".hashes is not an object'],
      [{ hashes: { sha256: 1 }, length: 1 }, 'target "v1".hashes.sha256 is not a string'],
      [{ hashes: {}, length: -1 }, 'target "v1".length is not an integer ≥ 0'],
      [{ hashes: {}, length: 1.5 }, 'target "v1".length is not an integer ≥ 0'],
      [{ hashes: {}, length: '1' }, 'target "v1".length is not an integer ≥ 0'],
      [{ hashes: {}, length: 2 ** 53 }, 'target "v1".length is not an integer ≥ 0'],
      [{ hashes: {} }, 'target "v1".length is not an integer ≥ 0'],
      [{ hashes: {}, length: 1, Custom: 1 }, '"Custom", which Go reads as "custom"'],
      // An empty key holding a valid length does not stand in for the real one.
      [{ hashes: {}, length: '1', '': 1 }, 'target "v1".length is not an integer ≥ 0'],
    ];
    for (const [entry, message] of cases) {
      expect(() => asTargets(withTarget(entry)), message).toThrow(refused(message));
    }
  });

  it('refuses a targets map that is not an object and reads a missing one as empty', () => {
    expect(() => asTargets({ ...targets(), targets: [] })).toThrow(
      refused('targets is not an object'),
    );
    const none = targets();
    delete none['targets'];
    expect(Object.keys(asTargets(none).targets)).toEqual([]);
  });
});

describe('asTargets: delegations', () => {
  it('refuses delegation parts of the wrong shape', () => {
    const role = (r: Tree) => at(r, 'delegations', 'roles', '0');
    const cases: [string, (t: Tree) => void][] = [
      ['delegations is not an object', (t) => (t['delegations'] = [])],
      ['delegations.keys is not an object', (t) => (at(t, 'delegations')['keys'] = 'x')],
      [
        'delegations.keys.d1.keytype is not a string',
        (t) => delete at(t, 'delegations', 'keys', 'd1')['keytype'],
      ],
      ['delegations.roles is not a list', (t) => (at(t, 'delegations')['roles'] = {})],
      ['delegations.roles[0] is not an object', (t) => (at(t, 'delegations')['roles'] = [null])],
      ['delegations.roles[0].name is not a string', (t) => delete role(t)['name']],
      ['delegations.roles[0].keyids is not a list of strings', (t) => (role(t)['keyids'] = null)],
      ['delegations.roles[0].threshold is not an integer ≥ 1', (t) => (role(t)['threshold'] = 0)],
      ['delegations.roles[0].paths is not a list of strings', (t) => (role(t)['paths'] = 'v')],
      ['delegations.roles[0].paths is not a list of strings', (t) => (role(t)['paths'] = [1])],
      ['"Paths", which Go reads as "paths"', (t) => (role(t)['Paths'] = [])],
    ];
    for (const [message, edit] of cases) {
      const t = targets();
      edit(t);
      expect(() => asTargets(t), message).toThrow(refused(message));
    }
  });

  it('takes null or absent paths, and fills in absent keys and roles', () => {
    const t = targets();
    at(t, 'delegations', 'roles', '0')['paths'] = null;
    expect(() => asTargets(t)).not.toThrow();
    delete at(t, 'delegations', 'roles', '0')['paths'];
    expect(() => asTargets(t)).not.toThrow();
    const bare = targets();
    bare['delegations'] = {};
    const d = asTargets(bare).delegations;
    expect(Object.keys(d.keys)).toEqual([]);
    expect(d.roles).toEqual([]);
  });
});

describe('asSnapshot and asTimestamp: file meta', () => {
  it('root and targets need a sha256; other roles may have sha512 alone', () => {
    const only512 = fileMeta({ sha512: SHA512 });
    expect(() =>
      asSnapshot(snapshot({ root: fileMeta(), targets: fileMeta(), 'targets/a': only512 })),
    ).not.toThrow();
    expect(() => asSnapshot(snapshot({ root: only512, targets: fileMeta() }))).toThrow(
      refused('snapshot meta for root has no sha256 hash'),
    );
    expect(() => asSnapshot(snapshot({ root: fileMeta(), targets: only512 }))).toThrow(
      refused('snapshot meta for targets has no sha256 hash'),
    );
    expect(() => asTimestamp(timestamp({ snapshot: only512 }))).toThrow(
      refused('timestamp meta for snapshot has no sha256 hash'),
    );
  });

  it('checks the size of sha256 and sha512 and needs at least one of them', () => {
    const cases: [Tree, string][] = [
      [{ sha256: Buffer.alloc(31).toString('base64') }, 'sha256 hash has a bad size'],
      [{ sha256: Buffer.alloc(33).toString('base64') }, 'sha256 hash has a bad size'],
      [{ sha256: SHA256, sha512: SHA256 }, 'sha512 hash has a bad size'],
      [{ md5: SHA256 }, 'has no sha256 or sha512 hash'],
      [{}, 'has no sha256 or sha512 hash'],
      [{ sha256: SHA256, md5: 1 }, 'snapshot meta for targets/a.hashes.md5 is not a string'],
    ];
    for (const [hashes, message] of cases) {
      expect(
        () =>
          asSnapshot(
            snapshot({ root: fileMeta(), targets: fileMeta(), 'targets/a': fileMeta(hashes) }),
          ),
        message,
      ).toThrow(refused(message));
    }
    expect(() =>
      asSnapshot(
        snapshot({
          root: fileMeta({ sha256: SHA256, sha512: SHA512, md5: 'x' }),
          targets: fileMeta(),
        }),
      ),
    ).not.toThrow();
  });

  it('takes a zero length, refuses a negative one, and refuses meta that is not an object', () => {
    expect(() => asTimestamp(timestamp({ snapshot: fileMeta(undefined, 0) }))).not.toThrow();
    expect(() => asTimestamp(timestamp({ snapshot: fileMeta(undefined, -1) }))).toThrow(
      refused('timestamp meta for snapshot.length is not an integer ≥ 0'),
    );
    expect(() => asTimestamp(timestamp({ snapshot: fileMeta(SHA256 as never) }))).toThrow(
      refused('timestamp meta for snapshot.hashes is not an object'),
    );
    expect(() => asTimestamp(timestamp({}))).toThrow(refused('timestamp has no meta for snapshot'));
    expect(() => asSnapshot({ ...snapshot(), meta: [] })).toThrow(refused('meta is not an object'));
    expect(() => asTimestamp({ ...timestamp(), meta: null })).toThrow(
      refused('meta is not an object'),
    );
    expect(() => asTimestamp({ ...timestamp(), _type: 'Snapshot' })).toThrow(
      refused('expected "Timestamp"'),
    );
  });
});

describe('helpers', () => {
  it('roleKeys gives a base role with only the keys it names; an unknown role is refused', () => {
    const r = asRoot(root());
    (r.keys as Record<string, unknown>)['other'] = KEY;
    const got = roleKeys(r, 'targets');
    expect(got.keyids).toEqual(['k1']);
    expect(got.threshold).toBe(1);
    expect(Object.keys(got.keys)).toEqual(['k1']);
    expect(() => roleKeys(r, 'targets/a')).toThrow(refused('root has no "targets/a" role'));
    expect(Object.keys(pickKeys(r.keys, ['missing', 'other']))).toEqual(['other']);
  });

  it('targetFile wants exactly 64 lower-case hex digits and a byte count', () => {
    const hex = 'ab'.repeat(32);
    expect(targetFile(hex, 0).length).toBe(0);
    for (const bad of [`${hex}0`, hex.slice(1), hex.toUpperCase(), `x${hex}`, `${hex}\n`]) {
      expect(() => targetFile(bad, 1), bad).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_TARGET',
          message: `"${bad}" is not a hex sha256 digest`,
        }),
      );
    }
    for (const length of [1.5, Number.NaN, 2 ** 53]) {
      expect(() => targetFile(hex, length)).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_TARGET',
          message: `target length ${length} is not a byte count`,
        }),
      );
    }
    expect(targetSha256({ hashes: { sha512: SHA512 }, length: 1 })).toBeUndefined();
  });

  it('parentRole of a name without a slash is empty', () => {
    expect(parentRole('targets')).toBe('');
  });
});

describe('new metadata for a publish', () => {
  it('blankTargets is an empty file at the given version', () => {
    const t = blankTargets(7);
    expect(t.version).toBe(7);
    expect(t._type).toBe('Targets');
    expect(t.expires).toBe('');
    expect(Object.keys(t.targets)).toEqual([]);
    expect(t.delegations.roles).toEqual([]);
    expect(updatedTargets(t, () => {}, NOW).version).toBe(8);
  });

  it('updatedTargets drops a custom that is null or undefined, keeps any other', () => {
    const t = updatedTargets(
      undefined,
      (x) => {
        x.targets['a'] = { hashes: { sha256: SHA256 }, length: 1, custom: null };
        x.targets['b'] = { hashes: { sha256: SHA256 }, length: 1, custom: undefined };
        x.targets['c'] = { hashes: { sha256: SHA256 }, length: 1, custom: 0 };
        x.targets['d'] = { hashes: { sha256: SHA256 }, length: 1, custom: false };
      },
      NOW,
    );
    expect('custom' in t.targets['a']).toBe(false);
    expect('custom' in t.targets['b']).toBe(false);
    expect(t.targets['c'].custom).toBe(0);
    expect(t.targets['d'].custom).toBe(false);
  });

  it('updatedTargets drops empty or null paths and keys no role names', () => {
    const t = updatedTargets(
      undefined,
      (x) => {
        x.delegations.keys['used'] = KEY;
        x.delegations.keys['unused'] = KEY;
        x.delegations.roles.push(
          { keyids: ['used'], name: 'targets/a', paths: [], threshold: 1 },
          { keyids: [], name: 'targets/b', paths: null as never, threshold: 1 },
          { keyids: [], name: 'targets/c', paths: ['p'], threshold: 1 },
        );
      },
      NOW,
    );
    expect(Object.keys(t.delegations.keys)).toEqual(['used']);
    expect(t.delegations.roles.map((r) => 'paths' in r)).toEqual([false, false, true]);
  });

  it('updatedTargets checks an entry the change replaced, even under a name prev had', () => {
    const prev = updatedTargets(
      undefined,
      (x) => (x.targets['v'] = { hashes: { sha256: SHA256 }, length: 1 }),
      NOW,
    );
    expect(() =>
      updatedTargets(prev, (x) => (x.targets['v'] = { hashes: {}, length: -1 }), NOW),
    ).toThrow(refused('target "v".length is not an integer ≥ 0'));
    const kept = updatedTargets(prev, () => {}, NOW);
    expect(kept.targets['v']).toBe(prev.targets['v']);
  });

  it('updatedRoot bumps the version, renews the expiry to 10×365 days, and checks the result', () => {
    const prev = asRoot(root());
    const next = updatedRoot(prev, (r) => (r.consistent_snapshot = true), NOW);
    expect(next.version).toBe(2);
    expect(next.expires).toBe(goTime(new Date(NOW.getTime() + 3650 * 86_400_000)));
    expect(next.consistent_snapshot).toBe(true);
    expect(prev.consistent_snapshot).toBe(false);
    expect(() => updatedRoot(prev, (r) => (r.roles['root'].keyids = ['nobody']), NOW)).toThrow(
      refused('names key nobody that root lacks'),
    );
  });

  it('updatedSnapshot renews the expiry to 3×365 days and checks the result', () => {
    const prev = asSnapshot(snapshot());
    const next = updatedSnapshot(prev, new Map([['targets/a', Buffer.from('x')]]), NOW);
    expect(next.version).toBe(2);
    expect(next.expires).toBe(goTime(new Date(NOW.getTime() + 1095 * 86_400_000)));
    expect(next.meta['targets/a'].length).toBe(1);
    expect(next.meta['root']).toEqual(prev.meta['root']);
    const t: TargetsMeta = updatedTargets(undefined, () => {}, NOW);
    expect(t.expires).toBe(next.expires);
  });
});

describe('every Go struct field, spelled in another case, is refused where it stands', () => {
  // Go's decoder reads `"Version"` as `version`; a file holding a field so spelled reads one
  // way here and another way in Go. Each field of each struct, with the place it is named by.
  const clash = (where: string, key: string, field: string) =>
    refused(
      `${where} has the key "${key}", which Go reads as "${field}"; a file that can be read two ways is refused`,
    );
  const upper = (field: string) => field.toUpperCase();

  it('the signed part of each role', () => {
    const cases: [(x: unknown) => unknown, () => Tree, string[]][] = [
      [asRoot, root, ['_type', 'expires', 'version', 'consistent_snapshot', 'keys', 'roles']],
      [asTargets, targets, ['_type', 'expires', 'version', 'delegations', 'targets']],
      [asSnapshot, snapshot, ['_type', 'expires', 'version', 'meta']],
      [asTimestamp, timestamp, ['_type', 'expires', 'version', 'meta']],
    ];
    for (const [read, make, names] of cases) {
      for (const field of names) {
        const signed = { ...make(), [upper(field)]: 1 };
        expect(() => read(signed), field).toThrow(clash('"signed"', upper(field), field));
      }
    }
  });

  it('keys, key values, root roles, delegations and delegated roles', () => {
    const cases: [string, (x: unknown) => unknown, () => Tree, string[], string, string[]][] = [
      ['keys.k1', asRoot, root, ['keys', 'k1'], 'keys.k1', ['keytype', 'keyval']],
      ['keyval', asRoot, root, ['keys', 'k1', 'keyval'], 'keys.k1.keyval', ['private', 'public']],
      ['root role', asRoot, root, ['roles', 'root'], 'roles.root', ['keyids', 'threshold']],
      ['delegations', asTargets, targets, ['delegations'], 'delegations', ['keys', 'roles']],
      [
        'delegated key',
        asTargets,
        targets,
        ['delegations', 'keys', 'd1'],
        'delegations.keys.d1',
        ['keytype', 'keyval'],
      ],
    ];
    for (const [label, read, make, path, where, names] of cases) {
      for (const field of names) {
        const signed = make();
        at(signed, ...path)[upper(field)] = 1;
        expect(() => read(signed), `${label} ${field}`).toThrow(clash(where, upper(field), field));
      }
    }
    for (const field of ['keyids', 'name', 'paths', 'threshold']) {
      const signed = targets();
      const roles = at(signed, 'delegations')['roles'] as Tree[];
      roles[0][upper(field)] = 1;
      expect(() => asTargets(signed), `delegated role ${field}`).toThrow(
        clash('delegations.roles[0]', upper(field), field),
      );
    }
  });
});
