/**
 * The questions asked of a verified repository (tuf/repo.ts): keys of base roles and of
 * delegations, where a target is signed (paths of the delegation, own names only), which
 * target docker pulls (targets/releases and its delegations first, then targets), and the
 * versions kept in the trust cache. Written against the mutants StrykerJS left alive (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { bareObject } from '../../src/tuf/canonical.js';
import { signEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, type TargetFile, type TargetsMeta } from '../../src/tuf/models.js';
import { TrustedRepo, type DelegationInfo } from '../../src/tuf/repo.js';

const KEY = { keytype: 'ed25519', keyval: { private: null, public: 'AAAA' } };
const file = (n: number): TargetFile => ({
  hashes: { sha256: Buffer.alloc(32, n).toString('base64') },
  length: n,
});

function rootEnv() {
  const role = (keyids: string[], threshold = 1) => ({ keyids, threshold });
  return signEnvelope(
    asRoot({
      _type: 'Root',
      consistent_snapshot: false,
      expires: '2030-01-01T00:00:00Z',
      keys: { r: KEY, s1: KEY, s2: KEY, t: KEY, ts: KEY },
      roles: {
        root: role(['r']),
        snapshot: role(['s1', 's2'], 2),
        targets: role(['t']),
        timestamp: role(['ts']),
      },
      version: 3,
    }),
    [],
  );
}

function targetsEnv(entries: Record<string, TargetFile>, version = 1) {
  const targets = bareObject<TargetFile>();
  Object.assign(targets, entries);
  const t: TargetsMeta = {
    _type: 'Targets',
    delegations: { keys: {}, roles: [] },
    expires: '2030-01-01T00:00:00Z',
    targets,
    version,
  };
  return signEnvelope(t, []);
}

/** A repository with `roles` loaded in order (name → entries, paths). */
function repoWith(roles: [string, Record<string, TargetFile>, string[]?][]): TrustedRepo {
  const repo = new TrustedRepo(
    'example.com/a/b',
    rootEnv(),
    signEnvelope(
      { _type: 'Timestamp', expires: '2030-01-01T00:00:00Z', meta: {}, version: 5 },
      [],
    ) as never,
    signEnvelope(
      { _type: 'Snapshot', expires: '2030-01-01T00:00:00Z', meta: {}, version: 4 },
      [],
    ) as never,
  );
  roles.forEach(([name, entries, paths], i) => {
    repo.targets.set(name, targetsEnv(entries, 10 + i));
    if (name === 'targets') return;
    const role: DelegationInfo['role'] = {
      keyids: [`k${i}`],
      name,
      paths: paths ?? [''],
      threshold: 2,
    };
    repo.addDelegation({
      role,
      keys: { [`k${i}`]: KEY },
      parent: name.slice(0, name.lastIndexOf('/')),
      file: 'loaded',
    });
  });
  return repo;
}

describe('keysOf', () => {
  it('a base role from root with only its own keys', () => {
    const repo = repoWith([['targets', {}]]);
    const snap = repo.keysOf('snapshot')!;
    expect(snap.keyids).toEqual(['s1', 's2']);
    expect(snap.threshold).toBe(2);
    expect(Object.keys(snap.keys).sort()).toEqual(['s1', 's2']);
  });

  it('a delegation from its entry and its parent’s keys; an unknown role has none', () => {
    const repo = repoWith([
      ['targets', {}],
      ['targets/a', {}],
    ]);
    expect(repo.keysOf('targets/a')).toEqual({ keyids: ['k1'], threshold: 2, keys: { k1: KEY } });
    expect(repo.keysOf('targets/b')).toBeUndefined();
    expect(repo.delegation('targets/a')?.parent).toBe('targets');
    expect(repo.delegationNames()).toEqual(['targets/a']);
  });
});

describe('targetsFor', () => {
  it('every role holding the name in load order, a delegation only within its paths', () => {
    const repo = repoWith([
      ['targets', { v1: file(1) }],
      ['targets/a', { v1: file(2), w: file(3) }, ['v']],
      ['targets/b', { v1: file(4) }, ['w']],
      ['targets/c', { v1: file(5) }],
    ]);
    expect(repo.targetsFor('v1')).toEqual([
      { role: 'targets', target: file(1) },
      { role: 'targets/a', target: file(2) },
      { role: 'targets/c', target: file(5) },
    ]);
    expect(repo.targetsFor('w')).toEqual([]);
    expect(repo.targetsFor('nothing')).toEqual([]);
  });

  it('the targets role is never filtered by paths, and inherited names are not targets', () => {
    const repo = repoWith([['targets', { 'any/name': file(1) }]]);
    expect(repo.targetsFor('any/name').map((h) => h.role)).toEqual(['targets']);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(repo.targetsFor(name), name).toEqual([]);
    }
  });
});

describe('dockerTarget (docker/cli GetTargetByName)', () => {
  it('targets/releases first, even when targets and others hold the name', () => {
    const repo = repoWith([
      ['targets', { t: file(1) }],
      ['targets/a', { t: file(2) }],
      ['targets/releases', { t: file(3) }],
    ]);
    expect(repo.dockerTarget('t')).toEqual({ role: 'targets/releases', target: file(3) });
  });

  it('then a delegation of targets/releases, before targets', () => {
    const repo = repoWith([
      ['targets', { t: file(1) }],
      ['targets/releases', {}],
      ['targets/releases/x', { t: file(2) }],
      ['targets/releases/y', { t: file(3) }],
    ]);
    expect(repo.dockerTarget('t')).toEqual({ role: 'targets/releases/x', target: file(2) });
  });

  it('targets/releases itself before its delegations loaded earlier', () => {
    const repo = repoWith([
      ['targets', {}],
      ['targets/releases/x', { t: file(2) }],
      ['targets/releases', { t: file(3) }],
    ]);
    expect(repo.dockerTarget('t')?.role).toBe('targets/releases');
  });

  it('a role only named like targets/releases does not count as it', () => {
    const repo = repoWith([
      ['targets', { t: file(1) }],
      ['targets/releasesx', { t: file(2) }],
    ]);
    expect(repo.dockerTarget('t')?.role).toBe('targets');
  });

  it('then targets, before other delegations; else the first other; else nothing', () => {
    const both = repoWith([
      ['targets/a', { t: file(2) }],
      ['targets', { t: file(1) }],
    ]);
    expect(both.dockerTarget('t')?.role).toBe('targets');
    const others = repoWith([
      ['targets', {}],
      ['targets/a', { t: file(2) }],
      ['targets/b', { t: file(3) }],
    ]);
    expect(others.dockerTarget('t')).toEqual({ role: 'targets/a', target: file(2) });
    expect(others.dockerTarget('none')).toBeUndefined();
  });
});

describe('trustState', () => {
  it('the root bytes and the version of every verified role', () => {
    const repo = repoWith([
      ['targets', {}],
      ['targets/a', {}],
    ]);
    expect(repo.trustState()).toEqual({
      gun: 'example.com/a/b',
      root: repo.root.bytes.toString('base64'),
      versions: { root: 3, timestamp: 5, snapshot: 4, targets: 10, 'targets/a': 11 },
    });
  });
});
