/**
 * `dct inspect`'s view of a verified repository (signer/inspect.ts) on a synthetic one: the
 * order a Go client walks the roles (breadth first, children as listed, each once, a tag's
 * paths limiting the walk), docker's released-signature rows (only targets or
 * targets/releases make a row, other roles listing the same tag and digest sign it, natural
 * then digest order), the signers and their canonical keys (releases left out, a later entry
 * winning, an untranslatable key dropping all), the administrative keys and role list, docker's
 * JSON, and the natural order and table layout at their edges. Written against the mutants
 * StrykerJS left alive in signer/inspect.ts (issue 14).
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalKeyId } from '../../src/keys/keyid.js';
import {
  dockerTrustJson,
  formatInspectJson,
  formatTable,
  naturalLess,
  releasedSignatures,
  REPO_ADMIN,
  signerKeys,
  trustInfo,
  walkOrder,
} from '../../src/signer/inspect.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TargetsMeta } from '../../src/tuf/models.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { newKey, newRootKey, TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const MADE = new Date('2030-06-01T12:00:00Z');

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const put = (t: TargetsMeta, name: string, content = name) =>
  void (t.targets[name] = {
    hashes: { sha256: createHash('sha256').update(content).digest('base64') },
    length: content.length,
  });

async function load(r: TestRepo): Promise<TrustedRepo> {
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: MADE }))!;
}

/**
 * targets → [releases, ci, qa (paths `qa-`), empty (no file)]; ci → [ci/sub]. Tags: targets
 * holds latest, v10, v2; releases holds v2, v1 and `qa-1`; ci holds v2 (same), v10 (another
 * digest) and only-ci; ci/sub holds v2; qa holds qa-1.
 */
let repo: TrustedRepo;
let r: TestRepo;
beforeEach(async () => {
  r = new TestRepo(GUN, MADE);
  r.setTargets('targets', (t) => {
    put(t, 'v10');
    put(t, 'v2');
  });
  r.delegate('targets', 'targets/releases');
  r.delegate('targets', 'targets/ci');
  r.delegate('targets', 'targets/qa', { paths: ['qa-'] });
  r.delegate('targets', 'targets/empty');
  r.delegate('targets/ci', 'targets/ci/sub');
  r.setTargets('targets/releases', (t) => {
    put(t, 'v2');
    put(t, 'v1');
    put(t, 'qa-1');
  });
  r.setTargets('targets/ci', (t) => {
    put(t, 'v2');
    put(t, 'v10', 'other');
    put(t, 'only-ci');
  });
  r.setTargets('targets/ci/sub', (t) => put(t, 'v2'));
  r.setTargets('targets/qa', (t) => put(t, 'qa-1'));
  repo = await load(r);
});

describe('walkOrder', () => {
  it('walks breadth first, children in their parent’s order, skipping roles without a file', () => {
    expect(walkOrder(repo)).toEqual([
      'targets',
      'targets/releases',
      'targets/ci',
      'targets/qa',
      'targets/ci/sub',
    ]);
  });

  it('with a tag, leaves out (and does not descend into) roles whose paths do not allow it', () => {
    expect(walkOrder(repo, 'v1')).toEqual([
      'targets',
      'targets/releases',
      'targets/ci',
      'targets/ci/sub',
    ]);
    expect(walkOrder(repo, 'qa-1')).toEqual([
      'targets',
      'targets/releases',
      'targets/ci',
      'targets/qa',
      'targets/ci/sub',
    ]);
  });

  it('a role its parent lists twice (so it has no file) is not walked', async () => {
    const t = new TestRepo(GUN, MADE);
    t.delegate('targets', 'targets/a');
    t.delegate('targets', 'targets/b');
    t.setTargets('targets/b', () => undefined);
    t.setTargets('targets', (m) => void m.delegations.roles.push({ ...m.delegations.roles[0] }));
    const loaded = await load(t);
    expect(loaded.targets.get('targets')!.signed.delegations.roles.map((d) => d.name)).toEqual([
      'targets/a',
      'targets/b',
      'targets/a',
    ]);
    expect(walkOrder(loaded)).toEqual(['targets', 'targets/b']);
  });
});

describe('releasedSignatures', () => {
  it('rows for what targets or releases hold, signed by the other roles with the same digest', () => {
    expect(releasedSignatures(repo)).toEqual([
      { SignedTag: 'latest', Digest: hex('latest'), Signers: [] },
      { SignedTag: 'qa-1', Digest: hex('qa-1'), Signers: ['qa'] },
      { SignedTag: 'v1', Digest: hex('v1'), Signers: [] },
      { SignedTag: 'v2', Digest: hex('v2'), Signers: ['ci', 'ci/sub'] },
      { SignedTag: 'v10', Digest: hex('v10'), Signers: [] },
    ]);
  });

  it('with a tag: that tag only, and none for a name only the prototype knows', () => {
    expect(releasedSignatures(repo, 'v2')).toEqual([
      { SignedTag: 'v2', Digest: hex('v2'), Signers: ['ci', 'ci/sub'] },
    ]);
    expect(releasedSignatures(repo, 'only-ci')).toEqual([]);
    expect(releasedSignatures(repo, 'constructor')).toEqual([]);
    expect(releasedSignatures(repo, 'toString')).toEqual([]);
  });

  it('one tag under two digests: by digest, whichever role holds the lower one', async () => {
    const [lo, hi] = ['a-content', 'b-content'].sort((x, y) => (hex(x) < hex(y) ? -1 : 1));
    for (const [inTargets, inReleases] of [
      [lo, hi],
      [hi, lo],
    ]) {
      const t = new TestRepo(GUN, MADE);
      t.delegate('targets', 'targets/releases');
      t.setTargets('targets', (m) => put(m, 'x', inTargets));
      t.setTargets('targets/releases', (m) => put(m, 'x', inReleases));
      const rows = releasedSignatures(await load(t), 'x');
      expect(rows.map((x) => x.Digest)).toEqual([hex(lo), hex(hi)]);
    }
  });

  it('one tag under two digests: a row each, by digest; a target without sha256 shows none', async () => {
    const t = new TestRepo(GUN, MADE);
    t.delegate('targets', 'targets/releases');
    t.setTargets('targets', (m) => {
      put(m, 'x', 'b-content');
      m.targets['nohash'] = { hashes: { sha512: 'AAAA' }, length: 1 };
    });
    t.setTargets('targets/releases', (m) => {
      put(m, 'x', 'a-content');
      put(m, 'x2', 'one');
    });
    const rows = releasedSignatures(await load(t));
    const [lo, hi] = [hex('a-content'), hex('b-content')].sort();
    expect(rows.map((x) => [x.SignedTag, x.Digest])).toEqual([
      ['latest', hex('latest')],
      ['nohash', ''],
      ['x', lo],
      ['x', hi],
      ['x2', hex('one')],
    ]);
  });
});

describe('signerKeys and trustInfo', () => {
  it('every signer but releases, keys as canonical IDs', () => {
    const keys = signerKeys(repo);
    expect([...keys.keys()]).toEqual(['ci', 'qa', 'empty', 'ci/sub']);
    expect(keys.get('ci')).toEqual({
      keys: [r.delegationKeys.get('targets/ci')![0].id],
      role: 'targets/ci',
    });
  });

  it('a certificate key shows as its public key; a later entry of a name wins', async () => {
    const t = new TestRepo(GUN, MADE);
    const cert = newRootKey({ cn: 'x', notBefore: MADE, notAfter: new Date('2040-01-01Z') });
    t.delegate('targets', 'targets/a', { keys: [cert] });
    t.delegate('targets', 'targets/b');
    t.setTargets('targets/a', () => undefined);
    const loaded = await load(t);
    expect(signerKeys(loaded).get('a')!.keys).toEqual([canonicalKeyId(cert.tuf)]);
    expect(canonicalKeyId(cert.tuf)).not.toBe(cert.id);
  });

  it('a key ID the metadata cannot translate drops the whole list, as docker does', async () => {
    const t = new TestRepo(GUN, MADE);
    t.delegate('targets', 'targets/a');
    t.delegate('targets', 'targets/b');
    const missing = newKey();
    t.setTargets('targets', (m) => void m.delegations.roles[1].keyids.push(missing.id));
    const loaded = await load(t);
    expect(signerKeys(loaded).size).toBe(0);
  });

  it('signers by name descending, whatever order the delegations are listed in', async () => {
    for (const order of [
      ['a', 'b', 'c', 'd'],
      ['d', 'c', 'b', 'a'],
      ['b', 'd', 'a', 'c'],
    ]) {
      const t = new TestRepo(GUN, MADE);
      for (const name of order) t.delegate('targets', `targets/${name}`);
      const info = trustInfo(await load(t));
      expect(
        info.signers.map((x) => x.Name),
        order.join(),
      ).toEqual(['d', 'c', 'b', 'a']);
    }
  });

  it('a delegation key that is no key (a certificate that does not parse) drops the list', async () => {
    const t = new TestRepo(GUN, MADE);
    t.delegate('targets', 'targets/a');
    t.delegate('targets', 'targets/b');
    const bogus = { keytype: 'ecdsa-x509', keyval: { private: null, public: 'AAAA' } };
    t.setTargets('targets', (m) => {
      m.delegations.keys['f'.repeat(64)] = bogus;
      m.delegations.roles[1].keyids.push('f'.repeat(64));
    });
    const loaded = await load(t);
    expect(loaded.delegation('targets/b')!.role.keyids).toContain('f'.repeat(64));
    expect(signerKeys(loaded).size).toBe(0);
  });

  it('trustInfo: signers by name descending, with expiry when their file exists; keys; roles', () => {
    const info = trustInfo(repo, 'v2');
    expect(info.signedTags).toEqual(releasedSignatures(repo, 'v2'));
    expect(info.signers.map((s) => [s.Name, s.Expires])).toEqual([
      ['qa', r.targets.get('targets/qa')!.signed.expires],
      ['empty', undefined],
      ['ci/sub', r.targets.get('targets/ci/sub')!.signed.expires],
      ['ci', r.targets.get('targets/ci')!.signed.expires],
    ]);
    expect(info.signers[0]).toEqual({
      Name: 'qa',
      Keys: [{ ID: r.delegationKeys.get('targets/qa')![0].id }],
      Expires: r.targets.get('targets/qa')!.signed.expires,
    });
    expect('Expires' in info.signers[1]).toBe(false);
    expect(info.administrativeKeys).toEqual([
      { Name: 'Root', Keys: [{ ID: r.rootKeys[0].id }], Expires: r.root.signed.expires },
      {
        Name: 'Repository',
        Keys: [{ ID: r.targetsKey.id }],
        Expires: r.targets.get('targets')!.signed.expires,
      },
    ]);
    const v = (role: string) => {
      const s =
        role === 'root'
          ? r.root.signed
          : role === 'snapshot'
            ? r.snapshot!.signed
            : role === 'timestamp'
              ? r.timestamp!.signed
              : r.targets.get(role)!.signed;
      return { role, version: s.version, expires: s.expires };
    };
    expect(info.roles).toEqual(
      [
        'root',
        'targets',
        'snapshot',
        'timestamp',
        'targets/releases',
        'targets/ci',
        'targets/qa',
        'targets/ci/sub',
      ].map(v),
    );
  });

  it('trustInfo without a tag lists every row', () => {
    expect(trustInfo(repo).signedTags).toEqual(releasedSignatures(repo));
  });
});

describe('dockerTrustJson', () => {
  it('Repo Admin for a tag no other role signs; Keys left out when empty; Expires kept', () => {
    const json = dockerTrustJson('app', {
      signedTags: [
        { SignedTag: 'a', Digest: 'd1', Signers: [] },
        { SignedTag: 'b', Digest: 'd2', Signers: ['ci'] },
      ],
      signers: [
        { Name: 'ci', Keys: [{ ID: 'k1' }], Expires: 'e1' },
        { Name: 'none', Keys: [] },
      ],
      administrativeKeys: [{ Name: 'Root', Keys: [{ ID: 'r' }], Expires: 'e2' }],
      roles: [],
    });
    expect(json).toEqual({
      Name: 'app',
      SignedTags: [
        { SignedTag: 'a', Digest: 'd1', Signers: [REPO_ADMIN] },
        { SignedTag: 'b', Digest: 'd2', Signers: ['ci'] },
      ],
      Signers: [{ Name: 'ci', Keys: [{ ID: 'k1' }], Expires: 'e1' }, { Name: 'none' }],
      AdministrativeKeys: [{ Name: 'Root', Keys: [{ ID: 'r' }], Expires: 'e2' }],
    });
    expect(REPO_ADMIN).toBe('Repo Admin');
    expect(Object.keys((json as { Signers: object[] }).Signers[1])).toEqual(['Name']);
  });
});

describe('formatInspectJson', () => {
  it('escapes the line and paragraph separators as Go does', () => {
    expect(formatInspectJson(['a\u2028b\u2029c'])).toBe('[\n    "a\\u2028b\\u2029c"\n]\n');
  });
});

describe('naturalLess at its edges', () => {
  const cases: Array<[string, string, boolean]> = [
    ['a', 'b', true],
    ['b', 'a', false],
    ['a1', 'a', false],
    ['a', 'a1', true],
    ['1', '1a', true],
    ['1a', '1', false],
    ['x01', 'x1', false],
    ['x1', 'x01', true],
    ['x001', 'x01', false],
    ['x01', 'x001', true],
    ['0', '00', true],
    ['00', '0', false],
    ['00', '00', false],
    ['9', '10', true],
    ['10', '9', false],
    ['12', '13', true],
    ['13', '12', false],
    ['12', '12', false],
    ['1a', '1b', true],
    ['1b', '1a', false],
    ['a10b', 'a10c', true],
    ['a10', 'a10', false],
    ['a0', 'a00', true],
    ['1', '2a', true],
    ['2a', '1', false],
    ['12', '1a', false],
    ['1a', '12', true],
    ['0a', '0', false],
    ['0', '0a', true],
    ['', 'a', true],
    ['a', '', false],
    ['', '', false],
    ['01a', '1b', false],
    ['1b', '01a', true],
    ['v1.02', 'v1.2', false],
    ['v1.2', 'v1.02', true],
    ['007', '7', false],
    ['07x', '7y', false],
    // a character just below '0' is no digit: digits sort first
    ['1', '.', true],
    ['.', '1', false],
    ['a/', 'a0', false],
    // digit runs of different lengths after the same prefix: the longer is the larger
    ['x10', 'x9', false],
    ['x9', 'x10', true],
    ['x100', 'x10', false],
  ];
  for (const [a, b, want] of cases) {
    it(`${JSON.stringify(a)} < ${JSON.stringify(b)} is ${want}`, () => {
      expect(naturalLess(a, b)).toBe(want);
    });
  }
});

describe('formatTable', () => {
  it('pads by the widest cell of each column but the last, rows of any length', () => {
    expect(formatTable([['A', 'B'], ['long-cell-12', 'x', 'tail'], ['C']])).toBe(
      'A              B\nlong-cell-12   x         tail\nC\n',
    );
    expect(formatTable([['only']])).toBe('only\n');
    expect(formatTable([['exactly-7', 'z']])).toBe('exactly-7   z\n');
  });
});
