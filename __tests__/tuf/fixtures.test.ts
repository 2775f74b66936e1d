/**
 * Files written by the real notary 0.7.0 CLI and notary-server (see
 * __tests__/fixtures/tuf/README.md): parse, re-serialize, verify, load.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalKeyId, type TufKey } from '../../src/keys/keyid.js';
import {
  literalSignedMessage,
  parseEnvelope,
  serializeEnvelope,
  signedMessage,
} from '../../src/tuf/envelope.js';
import { asRoot, asSnapshot, asTargets, asTimestamp, targetSha256 } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { verifyOne, verifySignatures } from '../../src/tuf/verify.js';
import { certKeyIdsOf } from './helpers/certs.js';
import { FIXTURE_NOW, fixtureFetcher, fixtureFiles, GUN } from './helpers/fixtures.js';

const GUARDS: Record<string, (x: unknown) => unknown> = {
  Root: asRoot,
  Targets: asTargets,
  Snapshot: asSnapshot,
  Timestamp: asTimestamp,
};

function typeOf(bytes: Buffer): string {
  return (JSON.parse(bytes.toString('utf8')) as { signed: { _type: string } }).signed._type;
}

const allFiles = ['repo', 'swapped', 'other'].flatMap((dir) =>
  [...fixtureFiles(dir)].map(([role, bytes]) => ({ name: `${dir}/${role}`, role, bytes })),
);

/** What root (`keys`) and targets (`delegations.keys`) files hold. */
interface KeyHolder {
  keys?: Record<string, TufKey>;
  delegations?: { keys: Record<string, TufKey> };
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Flips one bit in the decoded bytes of the first signature, keeping the file's length. */
function breakFirstSignature(bytes: Buffer): Buffer {
  const text = bytes.toString('utf8');
  const m = /"sig":"([^"]+)"/.exec(text)!;
  const sig = Buffer.from(m[1], 'base64');
  sig[5] = sig[5] ^ 0x01;
  return Buffer.from(text.replace(m[1], sig.toString('base64')), 'utf8');
}

describe('fixture files from the real notary', () => {
  it('has every kind of file', () => {
    expect(new Set(allFiles.map((f) => typeOf(f.bytes)))).toEqual(
      new Set(['Root', 'Targets', 'Snapshot', 'Timestamp']),
    );
  });

  it.each(allFiles)('$name parses and re-serializes byte-identical', ({ name, bytes }) => {
    const env = parseEnvelope(bytes, name, GUARDS[typeOf(bytes)]);
    expect(serializeEnvelope(env.signed as object, env.signatures)).toEqual(bytes);
  });

  // The fast path of verification reads the message from the file: it must be taken for
  // what the real notary writes (canonical JSON, HTML-escaped), and give Go's message.
  it.each(allFiles)('$name holds its signed message literally', ({ name, bytes }) => {
    const env = parseEnvelope(bytes, name, GUARDS[typeOf(bytes)]);
    const literal = literalSignedMessage(bytes, env.signatures);
    expect(literal?.equals(signedMessage(bytes, name))).toBe(true);
  });

  it('escapes <>& in the file but signs them raw', () => {
    const bytes = fixtureFiles('repo').get('targets')!;
    expect(bytes.toString('utf8')).toContain('"a\\u0026b\\u003cc\\u003eé"');
    expect(signedMessage(bytes, 'targets').toString('utf8')).toContain('"a&b<c>é"');
  });

  it('every signature in every file verifies with its key (ecdsa, x509, rsapss, eddsa)', () => {
    // Pool every key any root or delegation lists, then check each signature on its own.
    const pool = new Map<string, TufKey>();
    for (const f of allFiles) {
      const signed = (JSON.parse(f.bytes.toString('utf8')) as { signed: KeyHolder }).signed;
      for (const [id, k] of Object.entries(signed.keys ?? {})) pool.set(id, k);
      for (const [id, k] of Object.entries(signed.delegations?.keys ?? {})) pool.set(id, k);
    }
    const methods = new Set<string>();
    const keytypes = new Set<string>();
    let count = 0;
    for (const f of allFiles) {
      const env = parseEnvelope(f.bytes, f.name, GUARDS[typeOf(f.bytes)]);
      const message = signedMessage(f.bytes, f.name);
      for (const s of env.signatures) {
        const key = pool.get(s.keyid);
        expect(key, `${f.name} key ${s.keyid}`).toBeDefined();
        expect(verifyOne(message, s.method, Buffer.from(s.sig, 'base64'), key!), f.name).toBe(true);
        // The same signature must fail over any other message.
        const other = Buffer.concat([message, Buffer.from(' ')]);
        expect(verifyOne(other, s.method, Buffer.from(s.sig, 'base64'), key!)).toBe(false);
        methods.add(s.method);
        keytypes.add(key!.keytype);
        count++;
      }
    }
    expect(count).toBeGreaterThan(allFiles.length);
    expect(methods).toEqual(new Set(['ecdsa', 'eddsa', 'rsapss']));
    expect(keytypes).toEqual(new Set(['ecdsa', 'ecdsa-x509', 'ed25519', 'rsa']));
  });

  it('the current root is signed at threshold by its own root role', () => {
    const bytes = fixtureFiles('repo').get('root')!;
    const env = parseEnvelope(bytes, 'root', asRoot);
    verifySignatures(env, 'root', env.signed.keys, env.signed.roles['root']);
    expect(certKeyIdsOf(env.signed)).toEqual(env.signed.roles['root'].keyids);
  });
});

describe('loadTrustedRepo on the fixture repository', () => {
  it('loads and verifies everything, delegations depth-first', async () => {
    const fetcher = fixtureFetcher('repo');
    const repo = (await loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW }))!;
    expect([...repo.targets.keys()]).toEqual([
      'targets',
      'targets/releases',
      'targets/releases/sub',
      'targets/ci',
    ]);
    expect(repo.delegationNames()).toEqual([
      'targets/releases',
      'targets/releases/sub',
      'targets/ci',
      'targets/empty',
    ]);
    expect(repo.invalidDelegations.size).toBe(0);
    // `notary delegation add targets/empty` made no file: known, absent, version 0.
    expect(repo.delegation('targets/empty')?.file).toBe('absent');
    expect(repo.delegation('targets/releases/sub')).toMatchObject({
      parent: 'targets/releases',
      file: 'loaded',
      role: { paths: ['sub/'], threshold: 1 },
    });
    // Fetched by checksum, never by plain name, once the timestamp is known.
    expect(fetcher.requests.slice(0, 2)).toEqual(['root', 'timestamp']);
    expect(fetcher.requests.slice(2).every((r) => /\.[0-9a-f]{8}$/.test(r))).toBe(true);

    const hits = repo.targetsFor('v1&<>é');
    expect(hits.map((h) => h.role)).toEqual(['targets/releases']);
    expect(targetSha256(hits[0].target)).toBe(sha256('manifest-one'));
    expect(repo.targetsFor('sub/x').map((h) => h.role)).toEqual(['targets/releases/sub']);
    expect(repo.targetsFor('a&b<c>é').map((h) => h.role)).toEqual(['targets']);
    expect(targetSha256(repo.targetsFor('a&b<c>é')[0].target)).toBe(sha256('manifest-two\n'));

    const state = repo.trustState();
    expect(Buffer.from(state.root, 'base64')).toEqual(fixtureFiles('repo').get('root'));
    expect(state.versions).toMatchObject({ root: 3, 'targets/ci': 1 });
    expect(Object.keys(state.versions).sort()).toEqual([
      'root',
      'snapshot',
      'targets',
      'targets/ci',
      'targets/releases',
      'targets/releases/sub',
      'timestamp',
    ]);
    // The timestamp and snapshot keys are the server's: the client holds neither.
    expect(repo.keysOf('snapshot')?.keyids).toEqual(repo.root.signed.roles['snapshot'].keyids);
    expect(
      repo.keysOf('targets/ci')?.keys[repo.delegation('targets/ci')!.role.keyids[0]]?.keytype,
    ).toBe('rsa');
  });

  it('returns undefined when the server has no root', async () => {
    const fetcher = fixtureFetcher('repo');
    fetcher.files.delete('root');
    expect(await loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW })).toBeUndefined();
  });

  it('fails when the timestamp is missing', async () => {
    const fetcher = fixtureFetcher('repo');
    fetcher.files.delete('timestamp');
    await expect(loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW })).rejects.toMatchObject({
      code: 'TUF_MISSING',
    });
  });

  it('follows the real root rotation chain 1 → 2 → 3 from a cached version 1', async () => {
    const files = fixtureFiles('repo');
    const fetcher = fixtureFetcher('repo');
    const trusted = {
      gun: GUN,
      root: files.get('1.root')!.toString('base64'),
      versions: { root: 1 },
    };
    const repo = (await loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW, trusted }))!;
    expect(repo.root.signed.version).toBe(3);
    expect(fetcher.requests).toContain('2.root');
    expect(fetcher.requests).not.toContain('3.root');
    expect(repo.trustState().root).toBe(files.get('root')!.toString('base64'));
  });

  it('fails when an intermediate root is missing', async () => {
    const files = fixtureFiles('repo');
    const fetcher = fixtureFetcher('repo');
    fetcher.roots.delete(2);
    const trusted = { gun: GUN, root: files.get('1.root')!.toString('base64'), versions: {} };
    await expect(
      loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW, trusted }),
    ).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
    });
  });

  it('uses the cache of another GUN as no cache at all', async () => {
    const files = fixtureFiles('swapped');
    const trusted = {
      gun: 'other/gun',
      root: files.get('root')!.toString('base64'),
      versions: { targets: 99 },
    };
    const repo = await loadTrustedRepo(fixtureFetcher('repo'), {
      gun: GUN,
      now: FIXTURE_NOW,
      trusted,
    });
    expect(repo?.root.signed.version).toBe(3);
  });
});

describe('loadTrustedRepo fails closed on the fixture repository', () => {
  const load = (fetcher = fixtureFetcher('repo'), extra: object = {}) =>
    loadTrustedRepo(fetcher, { gun: GUN, now: FIXTURE_NOW, ...extra });

  it('a changed byte in a delegation file → TUF_HASH_MISMATCH', async () => {
    const bytes = Buffer.from(fixtureFiles('repo').get('targets/releases')!);
    const at = bytes.indexOf('after-rotation2');
    bytes[at] = 'b'.charCodeAt(0);
    await expect(load(fixtureFetcher('repo', { 'targets/releases': bytes }))).rejects.toMatchObject(
      {
        code: 'TUF_HASH_MISMATCH',
        message: expect.stringMatching(
          /^sha256 checksum for targets\/releases did not match/,
        ) as unknown,
      },
    );
  });

  it('a changed signature on the timestamp → TUF_SIGNATURE', async () => {
    const ts = breakFirstSignature(fixtureFiles('repo').get('timestamp')!);
    await expect(load(fixtureFetcher('repo', { timestamp: ts }))).rejects.toMatchObject({
      code: 'TUF_SIGNATURE',
    });
  });

  it('a changed version in the signed timestamp → TUF_SIGNATURE', async () => {
    const ts = fixtureFiles('repo')
      .get('timestamp')!
      .toString('utf8')
      .replace('"version":8', '"version":9');
    await expect(
      load(fixtureFetcher('repo', { timestamp: Buffer.from(ts) })),
    ).rejects.toMatchObject({
      code: 'TUF_SIGNATURE',
    });
  });

  it('a timestamp signed by another key → TUF_THRESHOLD', async () => {
    // swapped/… has its own timestamp key; its signature names a key root does not list.
    const repoTs = fixtureFiles('repo').get('timestamp')!.toString('utf8');
    const env = parseEnvelope(Buffer.from(repoTs), 'timestamp', asTimestamp);
    const foreign = serializeEnvelope(env.signed, [
      { ...env.signatures[0], keyid: 'ab'.repeat(32) },
    ]);
    await expect(load(fixtureFetcher('repo', { timestamp: foreign }))).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
    });
  });

  it('an expired timestamp → TUF_EXPIRED', async () => {
    await expect(
      load(fixtureFetcher('repo'), { now: new Date('2026-12-12T00:00:00Z') }),
    ).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(
        /^timestamp expired at 2026-12-11T16:09:08\.859609781Z/,
      ) as unknown,
    });
  });

  it('versions lower than the cached ones → TUF_ROLLBACK', async () => {
    const files = fixtureFiles('repo');
    const root = files.get('root')!.toString('base64');
    const targetsVersion = parseEnvelope(files.get('targets')!, 'targets', asTargets).signed
      .version;
    await expect(
      load(fixtureFetcher('repo'), {
        trusted: { gun: GUN, root, versions: { targets: targetsVersion + 1 } },
      }),
    ).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
      message: expect.stringMatching(
        new RegExp(
          `^targets version ${targetsVersion} is lower than current version ${targetsVersion + 1}`,
        ),
      ) as unknown,
    });
    await expect(
      load(fixtureFetcher('repo'), {
        trusted: { gun: GUN, root, versions: { 'targets/releases/sub': 7 } },
      }),
    ).rejects.toMatchObject({ code: 'TUF_ROLLBACK' });
  });

  it('a root older than the cached one → TUF_ROLLBACK', async () => {
    const files = fixtureFiles('repo');
    const trusted = { gun: GUN, root: files.get('root')!.toString('base64'), versions: {} };
    await expect(
      load(fixtureFetcher('repo', { root: files.get('2.root')! }), { trusted }),
    ).rejects.toMatchObject({ code: 'TUF_ROLLBACK' });
  });

  it('a root that is not the one the snapshot lists → TUF_LENGTH', async () => {
    // 2.root.json is a valid root for the GUN (TOFU) but the snapshot names version 3.
    const older = fixtureFiles('repo').get('2.root')!;
    await expect(load(fixtureFetcher('repo', { root: older }))).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: expect.stringMatching(/^root is \d+ bytes but snapshot says \d+/) as unknown,
    });
  });

  it('a root from another repository (certificate CN mismatch) → TUF_ROOT_UNTRUSTED', async () => {
    const other = fixtureFiles('other').get('root')!;
    await expect(load(fixtureFetcher('repo', { root: other }))).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining(
        'CN "registry.example.com/tuf/other" does not match',
      ) as unknown,
    });
    // The same root is fine for its own GUN: loading gets past root to the missing timestamp.
    const fetcher = fixtureFetcher('other');
    await expect(
      loadTrustedRepo(fetcher, { gun: 'registry.example.com/tuf/other', now: FIXTURE_NOW }),
    ).rejects.toMatchObject({ code: 'TUF_MISSING' });
  });

  it('a re-created repository (new keys) against a cached root → TUF_ROOT_ROTATION', async () => {
    const cached = fixtureFiles('repo').get('1.root')!.toString('base64');
    const swapped = fixtureFiles('swapped');
    await expect(
      load(fixtureFetcher('repo', { root: swapped.get('root')! }), {
        trusted: { gun: GUN, root: cached, versions: {} },
      }),
    ).rejects.toMatchObject({
      code: 'TUF_ROOT_ROTATION',
      message: expect.stringMatching(
        /^could not rotate trust to a new trusted root: .*clear the action cache/,
      ) as unknown,
    });
    // Same version, different bytes.
    await expect(
      load(fixtureFetcher('repo', { root: swapped.get('1.root')! }), {
        trusted: { gun: GUN, root: cached, versions: {} },
      }),
    ).rejects.toMatchObject({ code: 'TUF_ROOT_ROTATION' });
  });

  it('pinned root key IDs: TUF or canonical ID of the current cert accepted, others refused', async () => {
    const root = parseEnvelope(fixtureFiles('repo').get('root')!, 'root', asRoot).signed;
    const certId = root.roles['root'].keyids[0];
    await expect(
      load(fixtureFetcher('repo'), { pinnedRootKeyIds: [certId] }),
    ).resolves.toBeDefined();
    const canonical = canonicalKeyId(root.keys[certId]);
    expect(canonical).not.toBe(certId);
    await expect(
      load(fixtureFetcher('repo'), { pinnedRootKeyIds: [canonical.toUpperCase()] }),
    ).resolves.toBeDefined();
    const oldRoot = parseEnvelope(fixtureFiles('repo').get('1.root')!, 'root', asRoot).signed;
    await expect(
      load(fixtureFetcher('repo'), { pinnedRootKeyIds: oldRoot.roles['root'].keyids }),
    ).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining(
        'unable to match any certificates to the pinned root key IDs',
      ) as unknown,
    });
  });

  it('an expired root certificate → TUF_ROOT_UNTRUSTED, even when it is the cached root', async () => {
    const root = fixtureFiles('repo').get('root')!.toString('base64');
    await expect(
      load(fixtureFetcher('repo'), {
        now: new Date('2037-01-01T00:00:00Z'),
        trusted: { gun: GUN, root, versions: {} },
      }),
    ).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringContaining('the certificate expired at') as unknown,
    });
  });
});
