import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/tuf/canonical.js';
import { parseEnvelope, serializeEnvelope, signEnvelope } from '../../src/tuf/envelope.js';
import {
  asRoot,
  asSnapshot,
  asTargets,
  asTimestamp,
  isDelegationName,
  metaFileFor,
  parentRole,
  pathsMatch,
  restrictPaths,
  targetFile,
  targetSha256,
  updatedSnapshot,
  updatedTargets,
  type TargetsMeta,
} from '../../src/tuf/models.js';
import { fixtureFiles } from './helpers/fixtures.js';
import { newKey } from './helpers/repo.js';

const NOW = new Date('2030-06-01T12:34:56.789Z');
const repoFiles = fixtureFiles('repo');
const parsed = (role: string) => parseEnvelope(repoFiles.get(role)!, role, asTargets);

describe('metaFileFor', () => {
  it('matches what notary-server put in the real snapshot for every file', () => {
    const snap = parseEnvelope(repoFiles.get('snapshot')!, 'snapshot', asSnapshot).signed;
    expect(Object.keys(snap.meta).sort()).toEqual(
      ['root', 'targets', 'targets/ci', 'targets/releases', 'targets/releases/sub'].sort(),
    );
    for (const [role, meta] of Object.entries(snap.meta)) {
      expect(metaFileFor(repoFiles.get(role)!), role).toEqual(meta);
    }
    const ts = parseEnvelope(repoFiles.get('timestamp')!, 'timestamp', asTimestamp).signed;
    expect(metaFileFor(repoFiles.get('snapshot')!)).toEqual(ts.meta['snapshot']);
  });
});

describe('targetFile (docker, notary-spec.md §8)', () => {
  it('is sha256 only, base64 of the raw digest', () => {
    const hex = createHash('sha256').update('manifest').digest('hex');
    const t = targetFile(hex, 8);
    expect(canonicalJson(t).toString()).toBe(
      `{"hashes":{"sha256":"${Buffer.from(hex, 'hex').toString('base64')}"},"length":8}`,
    );
    expect(targetSha256(t)).toBe(hex);
  });

  it('refuses a bad digest or length', () => {
    expect(() => targetFile('sha256:abc', 1)).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_TARGET' }),
    );
    expect(() => targetFile('a'.repeat(64), -1)).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_TARGET' }),
    );
  });
});

describe('updatedTargets', () => {
  it('starts a delegation file with Go’s field set at version 1, expiring in 3×365 days', () => {
    const hex = 'ab'.repeat(32);
    const t = updatedTargets(undefined, (x) => (x.targets['v1'] = targetFile(hex, 3)), NOW);
    expect(canonicalJson(t).toString()).toBe(
      '{"_type":"Targets","delegations":{"keys":{},"roles":[]},"expires":"2033-05-31T12:34:56Z",' +
        `"targets":{"v1":{"hashes":{"sha256":"${Buffer.from(hex, 'hex').toString('base64')}"},"length":3}},"version":1}`,
    );
  });

  it('bumps the version of a real file, keeps everything else, and leaves prev alone', () => {
    const prev = parsed('targets/releases').signed;
    const before = canonicalJson(prev);
    const next = updatedTargets(prev, (t) => delete t.targets['after-rotation'], NOW);
    expect(canonicalJson(prev)).toEqual(before);
    expect(next.version).toBe(prev.version + 1);
    expect(next.expires).toBe('2033-05-31T12:34:56Z');
    expect(Object.keys(next.targets).sort()).toEqual(['after-rotation2', 'v1&<>é']);
    expect(next.delegations).toEqual(prev.delegations);
  });

  it('keeps unknown fields and writes paths only when non-empty, never custom:null', () => {
    const prev = parsed('targets').signed as TargetsMeta & { x_extra?: unknown };
    (prev as unknown as Record<string, unknown>)['x_extra'] = { keep: true };
    const k = newKey('ecdsa');
    const next = updatedTargets(
      prev,
      (t) => {
        t.targets['n'] = { ...targetFile('cd'.repeat(32), 1), custom: null };
        t.delegations.keys[k.id] = k.tuf;
        t.delegations.roles.push({ keyids: [k.id], name: 'targets/new', paths: [], threshold: 1 });
        // Dropping targets/empty leaves its key unused: Go removes unused keys.
        t.delegations.roles = t.delegations.roles.filter((r) => r.name !== 'targets/empty');
      },
      NOW,
    );
    const text = canonicalJson(next).toString();
    expect(text).toContain('"x_extra":{"keep":true}');
    expect(text).toContain('{"keyids":["' + k.id + '"],"name":"targets/new","threshold":1}');
    expect(text).not.toContain('custom');
    const emptyKey = prev.delegations.roles.find((r) => r.name === 'targets/empty')!.keyids[0];
    expect(Object.keys(next.delegations.keys)).not.toContain(emptyKey);
    expect(Object.keys(next.delegations.keys)).toHaveLength(3);
  });

  it('can sign a tag named __proto__', () => {
    const t = updatedTargets(
      undefined,
      (x) => (x.targets['__proto__'] = targetFile('ef'.repeat(32), 2)),
      NOW,
    );
    expect(Object.keys(t.targets)).toEqual(['__proto__']);
    const env = signEnvelope(t, [newKey('ecdsa').signer]);
    const back = parseEnvelope(env.bytes, 'targets/x', asTargets);
    expect(Object.keys(back.signed.targets)).toEqual(['__proto__']);
    expect(serializeEnvelope(back.signed, back.signatures)).toEqual(env.bytes);
  });

  it('refuses a fractional length the change put in', () => {
    expect(() =>
      updatedTargets(undefined, (x) => (x.targets['v'] = { hashes: {}, length: 1.5 }), NOW),
    ).toThrow(expect.objectContaining({ code: 'TUF_BAD_METADATA' }));
  });
});

describe('updatedSnapshot', () => {
  it('bumps the version and re-hashes only the given files', () => {
    const prev = parseEnvelope(repoFiles.get('snapshot')!, 'snapshot', asSnapshot).signed;
    const newTargets = Buffer.from('{"new":"bytes"}');
    const next = updatedSnapshot(prev, new Map([['targets/ci', newTargets]]), NOW);
    expect(next.version).toBe(prev.version + 1);
    expect(next.expires).toBe('2033-05-31T12:34:56Z');
    expect(next.meta['targets/ci']).toEqual(metaFileFor(newTargets));
    expect(next.meta['targets']).toEqual(prev.meta['targets']);
    expect(prev.meta['targets/ci']).toEqual(metaFileFor(repoFiles.get('targets/ci')!));
  });
});

describe('signEnvelope', () => {
  it('puts new signatures first, then kept ones, replacing a key that signs again', () => {
    const [a, b] = [newKey('ecdsa'), newKey('ed25519')];
    const first = signEnvelope({ _type: 'Targets', v: 1 }, [a.signer, b.signer]);
    const c = newKey('rsa');
    const again = signEnvelope(first.signed, [c.signer, a.signer], first.signatures);
    expect(again.signatures.map((s) => s.keyid)).toEqual([c.id, a.id, b.id]);
    expect(again.signatures.map((s) => s.method)).toEqual(['rsapss', 'ecdsa', 'eddsa']);
    expect(again.bytes.toString()).toMatch(
      /^\{"signed":\{"_type":"Targets","v":1\},"signatures":\[\{"keyid":"/,
    );
  });

  it('re-signs a real file so that it still round-trips', () => {
    const env = parsed('targets/ci');
    const k = newKey('ecdsa');
    const resigned = signEnvelope(env.signed, [k.signer], env.signatures);
    const back = parseEnvelope(resigned.bytes, 'targets/ci', asTargets);
    expect(serializeEnvelope(back.signed, back.signatures)).toEqual(resigned.bytes);
    expect(back.signatures.slice(1)).toEqual(env.signatures);
    // Only the signatures changed: the signed part is byte-identical.
    const signedPart = (b: Buffer) => b.subarray(0, b.indexOf(',"signatures":'));
    expect(signedPart(resigned.bytes)).toEqual(signedPart(env.bytes));
  });
});

describe('guards', () => {
  const root = () =>
    JSON.parse(repoFiles.get('root')!.toString()) as { signed: Record<string, unknown> };
  const bad = expect.objectContaining({ code: 'TUF_BAD_METADATA' }) as unknown;

  it('refuse a wrong _type, a missing role, and a role key root does not list', () => {
    expect(() => asTargets(root().signed)).toThrow(bad);
    const noSnap = root().signed as { roles: Record<string, unknown> };
    delete noSnap.roles['snapshot'];
    expect(() => asRoot(noSnap)).toThrow(bad);
    const ghost = root().signed as { roles: Record<string, { keyids: string[] }> };
    ghost.roles['targets'].keyids.push('0'.repeat(64));
    expect(() => asRoot(ghost)).toThrow(bad);
  });

  it('refuse version 0, bad expiry, and bad hash sizes', () => {
    expect(() => asRoot({ ...root().signed, version: 0 })).toThrow(bad);
    expect(() => asRoot({ ...root().signed, expires: '2030-01-01' })).toThrow(bad);
    const ts = JSON.parse(repoFiles.get('timestamp')!.toString()) as {
      signed: { meta: { snapshot: { hashes: Record<string, string> } } };
    };
    ts.signed.meta.snapshot.hashes['sha256'] = 'AAAA';
    expect(() => asTimestamp(ts.signed)).toThrow(bad);
    delete ts.signed.meta.snapshot.hashes['sha256'];
    expect(() => asTimestamp(ts.signed)).toThrow(bad);
  });

  it('parseEnvelope names the role and refuses broken files', () => {
    expect(() => parseEnvelope(Buffer.from('{'), 'snapshot', asSnapshot)).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message: expect.stringContaining('snapshot') as unknown,
      }),
    );
    expect(() =>
      parseEnvelope(Buffer.from('{"signed":{},"signatures":[{}]}'), 'x', (v) => v),
    ).toThrow(bad);
    expect(() =>
      parseEnvelope(Buffer.from('{"signed":{"_type":"Root"},"signatures":[]}'), 'root', asTargets),
    ).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message: expect.stringMatching(/^root: /) as unknown,
      }),
    );
  });

  it('refuse a key that Go reads as one of its fields but is not spelled as it', () => {
    // Go's decoder matches "Targets", "TARGETS" or "\u212aeys" to the fields targets and keys
    // (case folding), so a file holding one is read differently by Go than by us.
    const fold = (what: string) =>
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message: expect.stringContaining(what) as unknown,
      }) as unknown;
    type Tree = Record<string, unknown>;
    const at = (o: Tree, ...path: string[]): Tree => path.reduce((c, k) => c[k] as Tree, o);
    const targets = (): Tree => ({
      _type: 'Targets',
      delegations: { keys: {}, roles: [{ keyids: [], name: 'targets/a', threshold: 1 }] },
      expires: '2030-01-01T00:00:00Z',
      targets: { v1: { hashes: { sha256: 'AAAA' }, length: 1 } },
      version: 1,
    });
    const cases: [string, (t: Tree) => void][] = [
      ['"Targets"', (t) => (t['Targets'] = {})],
      ['"TARGETS"', (t) => (t['TARGETS'] = t['targets'])],
      ['"Version"', (t) => (t['Version'] = 2)],
      ['"delegation\u017f"', (t) => (t['delegation\u017f'] = { keys: {}, roles: [] })],
      ['"Length"', (t) => (at(t, 'targets', 'v1')['Length'] = 2)],
      ['"Hashes"', (t) => (at(t, 'targets', 'v1')['Hashes'] = {})],
      ['"Roles"', (t) => (at(t, 'delegations')['Roles'] = [])],
      ['"\u212aeyids"', (t) => (at(t, 'delegations', 'roles', '0')['\u212aeyids'] = ['x'])],
    ];
    for (const [key, edit] of cases) {
      const t = targets();
      edit(t);
      expect(() => asTargets(t), key).toThrow(fold(`${key}, which Go reads as`));
    }
    const r = root().signed;
    r['Consistent_Snapshot'] = true;
    expect(() => asRoot(r)).toThrow(fold('"Consistent_Snapshot"'));
    const k = root().signed;
    const [id] = Object.keys(at(k, 'keys'));
    at(k, 'keys', id)['keyVal'] = at(k, 'keys', id)['keyval'];
    expect(() => asRoot(k)).toThrow(fold('"keyVal"'));
    const ts = JSON.parse(repoFiles.get('timestamp')!.toString()) as { signed: Tree };
    at(ts.signed, 'meta', 'snapshot')['LENGTH'] = 1;
    expect(() => asTimestamp(ts.signed)).toThrow(fold('"LENGTH"'));
    // Keys that are not fields stay what they are: unknown fields, or target names.
    const t = targets();
    at(t, 'targets')['V1'] = at(t, 'targets', 'v1');
    t['TargetsX'] = 1;
    expect(() => asTargets(t)).not.toThrow();
  });

  it('parseEnvelope refuses "Signed", "Signatures" and signature fields in another case', () => {
    const file = repoFiles.get('targets')!.toString();
    for (const [from, to] of [
      ['{"signed":', '{"Signed":{},"signed":'],
      [',"signatures":', ',"\u017fignatures":[],"signatures":'],
      ['"keyid":', '"KeyID":"x","keyid":'],
      ['"method":', '"Method":"x","method":'],
      ['"sig":', '"SIG":"x","sig":'],
    ]) {
      expect(() =>
        parseEnvelope(Buffer.from(file.replace(from, to)), 'targets', asTargets),
      ).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_METADATA',
          message: expect.stringMatching(/^targets metadata .*which Go reads as/) as unknown,
        }),
      );
    }
  });

  it('fill in delegations the way Go decodes a file without them', () => {
    const t = asTargets({
      _type: 'Targets',
      expires: '2030-01-01T00:00:00Z',
      targets: {},
      version: 1,
    });
    expect(t.delegations).toEqual({ keys: {}, roles: [] });
  });
});

describe('role names and paths', () => {
  it('isDelegationName follows Go data.IsDelegation', () => {
    for (const ok of ['targets/releases', 'targets/a/b', 'targets/a-b_c9'])
      expect(isDelegationName(ok)).toBe(true);
    for (const no of [
      'targets',
      'targets/',
      'targets//a',
      'targets/a/',
      'targets/A',
      'targets/a.b',
      'root',
      `targets/${'a'.repeat(248)}`,
    ]) {
      expect(isDelegationName(no), no).toBe(false);
    }
    expect(isDelegationName(`targets/${'a'.repeat(247)}`)).toBe(true);
  });

  it('parentRole, pathsMatch and restrictPaths', () => {
    expect(parentRole('targets/a/b')).toBe('targets/a');
    expect(parentRole('targets/a')).toBe('targets');
    expect(pathsMatch({ paths: [''] }, 'anything')).toBe(true);
    expect(pathsMatch({ paths: ['v1.'] }, 'v1.2')).toBe(true);
    expect(pathsMatch({ paths: ['v1.'] }, 'v2')).toBe(false);
    expect(pathsMatch({}, 'v2')).toBe(false);
    expect(restrictPaths([''], ['a', 'b'])).toEqual(['a', 'b']);
    expect(restrictPaths(['a/'], ['a/b', 'b', 'a'])).toEqual(['a/b']);
    // Under some parent prefix is enough; it need not be under all of them.
    expect(restrictPaths(['a/', 'b/'], ['a/1', 'b/2', 'c/3'])).toEqual(['a/1', 'b/2']);
  });
});
