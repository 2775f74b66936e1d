/**
 * The shared role checks (tuf/checks.ts) at their boundaries: equal versions, expiry at the
 * exact instant, lengths at the cap, every hash algorithm, what a fetch is asked for.
 * Written against the mutants StrykerJS left alive (issue 14).
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkFileMeta,
  checkMaxLength,
  checkRole,
  checkVersion,
  expiryCheck,
  fetchByMeta,
  METADATA_MAX_BYTES,
  ROOT_MAX_BYTES,
  TIMESTAMP_MAX_BYTES,
  type MetaFetcher,
} from '../../src/tuf/checks.js';
import { signEnvelope } from '../../src/tuf/envelope.js';
import type { MetaFile } from '../../src/tuf/models.js';
import type { RoleKeySet } from '../../src/tuf/repo.js';
import { newKey, type TestKey } from './helpers/repo.js';

const NOW = new Date('2030-06-01T12:00:00Z');
const AT_NOW = '2030-06-01T12:00:00Z';
const MS_BEFORE = '2030-06-01T11:59:59.999Z';
const NO_KEYS: RoleKeySet = { keyids: [], threshold: 1, keys: {} };

const b64 = (alg: string, b: Buffer) => createHash(alg).update(b).digest('base64');
const metaOf = (b: Buffer, algs = ['sha256']): MetaFile => ({
  length: b.length,
  hashes: Object.fromEntries(algs.map((a) => [a, b64(a, b)])),
});

describe('size caps', () => {
  it("are notary's: 100 MiB for a root (MaxDownloadSize), 1 MiB for a timestamp, 64 MiB for others", () => {
    // notary-spec.md §5.2; the tests elsewhere build their oversized files from these constants.
    expect(ROOT_MAX_BYTES).toBe(104_857_600);
    expect(TIMESTAMP_MAX_BYTES).toBe(1_048_576);
    expect(METADATA_MAX_BYTES).toBe(67_108_864);
  });
});

describe('checkVersion', () => {
  it('accepts the same version as the one seen, and a higher one', () => {
    expect(() => checkVersion('targets', 3, { targets: 3 })).not.toThrow();
    expect(() => checkVersion('targets', 4, { targets: 3 })).not.toThrow();
    expect(() => checkVersion('targets', 1, {})).not.toThrow();
    expect(() => checkVersion('targets', 1, { snapshot: 9 })).not.toThrow();
  });

  it('refuses a lower version → TUF_ROLLBACK', () => {
    expect(() => checkVersion('targets', 2, { targets: 3 })).toThrow(
      expect.objectContaining({ code: 'TUF_ROLLBACK' }),
    );
    expect(() => checkVersion('targets', 2, { targets: 3 })).toThrow(
      /^targets version 2 is lower than current version 3; the trust server may be serving stale or tampered data, or if the repository's keys/,
    );
  });
});

describe('expiryCheck', () => {
  it('an expiry at the current instant is not expired; a millisecond before is', () => {
    const check = expiryCheck(NOW);
    expect(check('targets', AT_NOW, NO_KEYS)).toBe(false);
    expect(() => check('targets', MS_BEFORE, NO_KEYS)).toThrow(
      expect.objectContaining({ code: 'TUF_EXPIRED' }),
    );
  });

  it('names the fix for each kind of role', () => {
    const check = expiryCheck(NOW);
    const msg = (role: string) => {
      try {
        check(role, MS_BEFORE, NO_KEYS);
      } catch (e) {
        return (e as Error).message;
      }
      return 'not thrown';
    };
    const stale =
      'the trust server may be serving stale or tampered data (the server re-signs it on demand)';
    expect(msg('timestamp')).toBe(`timestamp expired at ${MS_BEFORE}; ${stale}`);
    expect(msg('snapshot')).toBe(`snapshot expired at ${MS_BEFORE}; ${stale}`);
    expect(msg('root')).toBe(
      `root expired at ${MS_BEFORE}; the repository owner must re-sign root with the root key (\`refresh\` with the root key and its passphrase)`,
    );
    expect(msg('targets/ci')).toBe(
      `targets/ci expired at ${MS_BEFORE}; re-sign it with the key that signs it: the action's \`command: refresh\`, or \`dct refresh\``,
    );
  });

  it('lets an expired role through only when mayExpire answers exactly true for it', () => {
    const asked: [string, RoleKeySet][] = [];
    const yes = expiryCheck(NOW, (role, keys) => (asked.push([role, keys]), true));
    expect(yes('targets', MS_BEFORE, NO_KEYS)).toBe(true);
    expect(asked).toEqual([['targets', NO_KEYS]]);
    // Not asked when the role has not expired.
    expect(yes('targets', AT_NOW, NO_KEYS)).toBe(false);
    expect(asked).toHaveLength(1);
    const no = expiryCheck(NOW, () => false);
    expect(() => no('targets', MS_BEFORE, NO_KEYS)).toThrow(
      expect.objectContaining({ code: 'TUF_EXPIRED' }),
    );
  });

  it('a malformed expiry is not let through by mayExpire', () => {
    const check = expiryCheck(NOW, () => true);
    expect(() => check('targets', 'not a time', NO_KEYS)).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
    );
  });
});

describe('checkRole', () => {
  let key: TestKey;
  let keys: RoleKeySet;
  beforeEach(() => {
    key = newKey('ed25519');
    keys = { keyids: [key.id], threshold: 1, keys: { [key.id]: key.tuf } };
  });
  const env = (version: number, expires = AT_NOW) =>
    signEnvelope({ _type: 'Targets', expires, version, targets: {} }, [key.signer]);

  it('checks signatures, then the version, then expiry', () => {
    const check = expiryCheck(NOW);
    expect(checkRole(env(2), 'targets', keys, { targets: 2 }, check)).toBe(false);
    const other = newKey('ed25519');
    const unsigned = signEnvelope({ _type: 'Targets', expires: AT_NOW, version: 2 }, [
      other.signer,
    ]);
    expect(() => checkRole(unsigned, 'targets', keys, {}, check)).toThrow(
      expect.objectContaining({ code: 'TUF_THRESHOLD' }),
    );
    expect(() => checkRole(env(1), 'targets', keys, { targets: 2 }, check)).toThrow(
      expect.objectContaining({ code: 'TUF_ROLLBACK' }),
    );
    expect(() => checkRole(env(3, MS_BEFORE), 'targets', keys, {}, check)).toThrow(
      expect.objectContaining({ code: 'TUF_EXPIRED' }),
    );
    const lenient = expiryCheck(NOW, () => true);
    expect(checkRole(env(3, MS_BEFORE), 'targets', keys, {}, lenient)).toBe(true);
  });
});

describe('checkMaxLength', () => {
  it('accepts exactly the cap, refuses one byte over → TUF_LENGTH', () => {
    expect(() => checkMaxLength('timestamp', Buffer.alloc(8), 8)).not.toThrow();
    expect(() => checkMaxLength('timestamp', Buffer.alloc(9), 8)).toThrow(
      expect.objectContaining({
        code: 'TUF_LENGTH',
        message:
          'timestamp is larger than 8 bytes; the trust server may be serving stale or tampered data',
      }),
    );
  });
});

describe('checkFileMeta', () => {
  const bytes = Buffer.from('{"signed":{}}');

  it('accepts the listed length and hashes', () => {
    expect(() =>
      checkFileMeta('snapshot', bytes, metaOf(bytes, ['sha256', 'sha512']), 'timestamp'),
    ).not.toThrow();
    expect(() =>
      checkFileMeta('snapshot', bytes, metaOf(bytes, ['sha512']), 'timestamp'),
    ).not.toThrow();
  });

  it('a length one byte off either way → TUF_LENGTH', () => {
    for (const delta of [-1, 1]) {
      const meta = { ...metaOf(bytes), length: bytes.length + delta };
      expect(() => checkFileMeta('snapshot', bytes, meta, 'timestamp')).toThrow(
        expect.objectContaining({
          code: 'TUF_LENGTH',
          message: `snapshot is ${bytes.length} bytes but timestamp says ${bytes.length + delta}; the trust server may be serving stale or tampered data`,
        }),
      );
    }
  });

  it('a sha512 mismatch is caught even after a matching sha256 → TUF_HASH_MISMATCH', () => {
    const other = Buffer.from(bytes);
    other[2] ^= 1;
    const meta: MetaFile = {
      length: bytes.length,
      hashes: { sha256: b64('sha256', bytes), sha512: b64('sha512', other) },
    };
    expect(() => checkFileMeta('snapshot', bytes, meta, 'timestamp')).toThrow(
      expect.objectContaining({
        code: 'TUF_HASH_MISMATCH',
        message: `sha512 checksum for snapshot did not match: expected ${createHash('sha512').update(other).digest('hex')}; the trust server may be serving stale or tampered data`,
      }),
    );
  });

  it('a sha256 mismatch alone → TUF_HASH_MISMATCH', () => {
    const meta: MetaFile = {
      length: bytes.length,
      hashes: { sha256: b64('sha256', Buffer.from('x')) },
    };
    expect(() => checkFileMeta('snapshot', bytes, meta, 'timestamp')).toThrow(
      expect.objectContaining({ code: 'TUF_HASH_MISMATCH' }),
    );
    expect(() => checkFileMeta('snapshot', bytes, meta, 'timestamp')).toThrow(
      /^sha256 checksum for snapshot did not match: expected [0-9a-f]{64};/,
    );
  });
});

describe('fetchByMeta', () => {
  const bytes = Buffer.from('{"signed":{"v":1}}');

  function fetcher(body: Buffer | undefined) {
    const asked: { role: string; opts: unknown }[] = [];
    const f: MetaFetcher = {
      fetch(role, opts) {
        asked.push({ role, opts });
        return Promise.resolve(body);
      },
    };
    return { f, asked };
  }

  it('asks for the checksum-addressed file (hex) capped at the listed length', async () => {
    const { f, asked } = fetcher(bytes);
    await expect(fetchByMeta(f, 'targets', metaOf(bytes), 'snapshot')).resolves.toBe(bytes);
    expect(asked).toEqual([
      {
        role: 'targets',
        opts: {
          maxLength: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      },
    ]);
  });

  it('without a sha256 it asks by name only (and still checks the other hashes)', async () => {
    const { f, asked } = fetcher(bytes);
    await expect(fetchByMeta(f, 'targets', metaOf(bytes, ['sha512']), 'snapshot')).resolves.toBe(
      bytes,
    );
    expect(asked).toEqual([{ role: 'targets', opts: { maxLength: bytes.length } }]);
  });

  it('checks what came back → TUF_HASH_MISMATCH', async () => {
    const other = Buffer.from(bytes);
    other[3] ^= 1;
    const { f } = fetcher(other);
    await expect(fetchByMeta(f, 'targets', metaOf(bytes), 'snapshot')).rejects.toMatchObject({
      code: 'TUF_HASH_MISMATCH',
    });
  });

  it('a 404 → TUF_MISSING', async () => {
    const { f } = fetcher(undefined);
    await expect(fetchByMeta(f, 'targets', metaOf(bytes), 'snapshot')).rejects.toMatchObject({
      code: 'TUF_MISSING',
      message:
        'targets metadata is missing on the trust server; it may be mid-update (retry), or the trust server may be serving stale or tampered data',
    });
  });

  it('a listed length at the cap is fetched; one byte over is refused before any request', async () => {
    const { f, asked } = fetcher(undefined);
    const at: MetaFile = { length: METADATA_MAX_BYTES, hashes: {} };
    await expect(fetchByMeta(f, 'targets', at, 'snapshot')).rejects.toMatchObject({
      code: 'TUF_MISSING',
    });
    expect(asked).toHaveLength(1);
    const over: MetaFile = { length: METADATA_MAX_BYTES + 1, hashes: {} };
    await expect(fetchByMeta(f, 'targets', over, 'snapshot')).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `snapshot says targets is ${METADATA_MAX_BYTES + 1} bytes, over the 64 MiB this client reads; the trust server may be serving stale or tampered data`,
    });
    expect(asked).toHaveLength(1);
  });
});
