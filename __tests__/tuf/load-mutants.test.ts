/**
 * The loader (tuf/load.ts) at the edges the other loader tests leave open: the caps asked of
 * the fetcher, which role each error names, delegations listed twice or hidden from the
 * snapshot, which delegation failures are skipped, and how many delegation files go out
 * with targets. Written against the mutants StrykerJS left alive (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { ROOT_MAX_BYTES, TIMESTAMP_MAX_BYTES, type MetaFetcher } from '../../src/tuf/checks.js';
import { loadTrustedRepo, type TrustOptions } from '../../src/tuf/load.js';
import { metaFileFor } from '../../src/tuf/models.js';
import { addDays, goTime } from '../../src/tuf/time.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { sha256b64, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const STALE = 'the trust server may be serving stale or tampered data';
const MIB = 1024 * 1024;

const load = (f: MetaFetcher, extra: Partial<TrustOptions> = {}) =>
  loadTrustedRepo(f, { gun: GUN, now: NOW, ...extra });

/** `inner`, with some roles answered otherwise. */
function serving(
  inner: MetaFetcher,
  over: Record<string, () => Promise<Buffer | undefined>>,
): MetaFetcher {
  return { fetch: (role, opts) => (over[role] ? over[role]() : inner.fetch(role, opts)) };
}

/** Records every request; `seenAtTargets` is the list as it was when targets was answered. */
function recording(inner: MetaFetcher) {
  const asked: { role: string; opts: unknown }[] = [];
  const state = { seenAtTargets: [] as string[] };
  const f: MetaFetcher = {
    fetch(role, opts) {
      asked.push({ role, opts });
      const answer = inner.fetch(role, opts);
      if (role !== 'targets') return answer;
      return new Promise((resolve) => {
        setImmediate(() => {
          state.seenAtTargets = asked.map((a) => a.role);
          resolve(answer);
        });
      });
    },
  };
  return { f, asked, state };
}

const cache = (r: TestRepo, versions: Record<string, number>): TrustState => ({
  gun: GUN,
  root: r.root.bytes.toString('base64'),
  versions,
});

const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });
const GARBAGE = Buffer.from('[]');

describe('loadTrustedRepo, root and timestamp', () => {
  it('asks the fetcher to cap root and timestamp at their limits', async () => {
    const r = new TestRepo(GUN, NOW);
    const { f, asked } = recording(r.fetcher());
    await load(f);
    expect(asked.find((a) => a.role === 'root')!.opts).toEqual({ maxLength: ROOT_MAX_BYTES });
    expect(asked.find((a) => a.role === 'timestamp')!.opts).toEqual({
      maxLength: TIMESTAMP_MAX_BYTES,
    });
  });

  it('an oversized root from a fetcher that does not cap it → TUF_LENGTH naming root', async () => {
    const r = new TestRepo(GUN, NOW);
    const f = serving(r.fetcher(), {
      root: () => Promise.resolve(Buffer.alloc(ROOT_MAX_BYTES + 1, 0x20)),
    });
    await expect(load(f)).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `root is larger than ${ROOT_MAX_BYTES} bytes; ${STALE}`,
    });
  });

  it('an oversized timestamp → TUF_LENGTH naming timestamp', async () => {
    const r = new TestRepo(GUN, NOW);
    const f = serving(r.fetcher(), {
      timestamp: () => Promise.resolve(Buffer.alloc(TIMESTAMP_MAX_BYTES + 1, 0x20)),
    });
    await expect(load(f)).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `timestamp is larger than ${TIMESTAMP_MAX_BYTES} bytes; ${STALE}`,
    });
  });

  it('no timestamp on the server → TUF_MISSING naming timestamp', async () => {
    const r = new TestRepo(GUN, NOW);
    const f = serving(r.fetcher(), { timestamp: () => Promise.resolve(undefined) });
    await expect(load(f)).rejects.toMatchObject({
      message: expect.stringMatching(
        /^timestamp metadata is missing on the trust server; it may be mid-update/,
      ) as unknown,
    });
  });

  it('a fetcher that throws at once for the timestamp: its error, once root is read', async () => {
    const r = new TestRepo(GUN, NOW);
    const boom = new Error('boom');
    const inner = r.fetcher();
    const f: MetaFetcher = {
      fetch: (role, opts) => {
        if (role === 'timestamp') throw boom;
        return inner.fetch(role, opts);
      },
    };
    await expect(load(f)).rejects.toBe(boom);
  });

  it('a malformed timestamp is reported as the timestamp', async () => {
    const r = new TestRepo(GUN, NOW);
    const f = serving(r.fetcher(), { timestamp: () => Promise.resolve(GARBAGE) });
    await expect(load(f)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^timestamp metadata is malformed: /) as unknown,
    });
  });
});

describe('loadTrustedRepo, snapshot and targets', () => {
  it('a snapshot whose length differs from the timestamp meta names both', async () => {
    const r = new TestRepo(GUN, NOW);
    const n = r.snapshot!.bytes.length;
    r.signTimestamp((t) => {
      t.meta['snapshot'].length = n + 1;
    });
    await expect(load(r.fetcher())).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `snapshot is ${n} bytes but timestamp says ${n + 1}; ${STALE}`,
    });
  });

  it('a malformed snapshot (matching the timestamp) is reported as the snapshot', async () => {
    const r = new TestRepo(GUN, NOW);
    r.signTimestamp((t) => {
      t.meta['snapshot'] = metaFileFor(GARBAGE);
    });
    const f = serving(r.fetcher(), { snapshot: () => Promise.resolve(GARBAGE) });
    await expect(load(f)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^snapshot metadata is malformed: /) as unknown,
    });
  });

  it('a malformed targets (matching the snapshot) is reported as targets', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      s.meta['targets'] = metaFileFor(GARBAGE);
    });
    const f = serving(r.fetcher(), { targets: () => Promise.resolve(GARBAGE) });
    await expect(load(f)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^targets metadata is malformed: /) as unknown,
    });
  });

  it('a snapshot without meta for root loads (root is then checked by its chain only)', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      delete s.meta['root'];
    });
    const repo = (await load(r.fetcher()))!;
    expect(repo.targetsFor('latest').map((h) => h.role)).toEqual(['targets']);
  });

  it('a snapshot without meta for targets → the exact message', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      delete s.meta['targets'];
    });
    await expect(load(r.fetcher())).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: `snapshot has no meta for targets; ${STALE}`,
    });
  });

  it('mayExpire lets an expired timestamp and snapshot through, listed as expired', async () => {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      s.expires = goTime(addDays(NOW, -1));
    });
    r.signTimestamp(undefined, -1);
    const repo = (await load(r.fetcher(), { mayExpire: () => true }))!;
    expect([...repo.expired].sort()).toEqual(['snapshot', 'timestamp']);
  });
});

describe('loadTrustedRepo, delegations', () => {
  it('a delegation whose length differs from the snapshot names both', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.setTargets('targets/a', (t) => {
      t.targets['x'] = target('x');
    });
    const n = r.targets.get('targets/a')!.bytes.length;
    r.publish((s) => {
      s.meta['targets/a'].length = n + 1;
    });
    await expect(load(r.fetcher())).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `targets/a is ${n} bytes but snapshot says ${n + 1}; ${STALE}`,
    });
  });

  it('a delegation that is not a direct child → the exact message', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/x/y');
    r.publish();
    await expect(load(r.fetcher())).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: `targets delegates to "targets/x/y", which is not a valid direct child role; ${STALE}`,
    });
  });

  it('an entry without paths gets none (not its parent’s)', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.setTargets('targets', (t) => {
      delete t.delegations.roles[0].paths;
    });
    r.setTargets('targets/a', (t) => {
      t.targets['x'] = target('x');
    });
    r.publish();
    const repo = (await load(r.fetcher()))!;
    expect(repo.delegation('targets/a')!.role.paths).toEqual([]);
    expect(repo.targetsFor('x')).toEqual([]);
  });

  it('a delegation file with no signatures is skipped (TUF_NO_SIGNATURES), not fatal', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.setTargets('targets/a', (t) => (t.targets['x'] = target('x')), []);
    r.publish();
    const repo = (await load(r.fetcher()))!;
    expect(repo.invalidDelegations.get('targets/a')?.code).toBe('TUF_NO_SIGNATURES');
    expect(repo.delegation('targets/a')!.file).toBe('invalid');
    expect(repo.targetsFor('x')).toEqual([]);
  });

  it('a delegation listed twice whose file verified → TUF_BAD_METADATA', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.setTargets('targets', (t) => {
      t.delegations.roles.push({ ...t.delegations.roles[0] });
    });
    r.setTargets('targets/a', (t) => (t.targets['x'] = target('x')));
    r.publish();
    await expect(load(r.fetcher())).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: `targets lists targets/a twice, and Go clients cannot read the repository then ("targets/a has already been loaded"); ${STALE}`,
    });
  });

  it('a delegation listed twice with no file, or an invalid one, loads and is noted', async () => {
    for (const withFile of [false, true]) {
      const r = new TestRepo(GUN, NOW);
      r.delegate('targets', 'targets/a', { threshold: 2 });
      r.setTargets('targets', (t) => {
        t.delegations.roles.push({ ...t.delegations.roles[0] });
      });
      // Below its threshold of two: skipped as invalid.
      if (withFile) r.setTargets('targets/a', (t) => (t.targets['x'] = target('x')));
      r.publish();
      const repo = (await load(r.fetcher()))!;
      expect([...repo.listedTwice]).toEqual(['targets/a']);
      expect(repo.delegation('targets/a')!.file).toBe(withFile ? 'invalid' : 'absent');
    }
  });

  it('a delegation seen before that the snapshot no longer lists → TUF_ROLLBACK', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.publish();
    await expect(
      load(r.fetcher(), { trusted: cache(r, { 'targets/a': 1 }) }),
    ).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
      message: expect.stringMatching(
        new RegExp(
          `^targets/a was at version 1 but the snapshot no longer lists it; ${STALE}, or `,
        ),
      ) as unknown,
    });
    // Version 0 (never published) is no rollback; nor is a cache for another GUN.
    const repo = (await load(r.fetcher(), { trusted: cache(r, { 'targets/a': 0 }) }))!;
    expect(repo.delegation('targets/a')!.file).toBe('absent');
    const other = { ...cache(r, { 'targets/a': 1 }), gun: 'registry.example.com/other' };
    expect(await load(r.fetcher(), { trusted: other })).toBeDefined();
  });
});

describe('loadTrustedRepo, delegation files fetched with targets', () => {
  /** A snapshot listing `n` delegation files of `len` bytes each (none delegated). */
  function listing(n: number, len: (i: number) => number) {
    const r = new TestRepo(GUN, NOW);
    r.publish((s) => {
      for (let i = 0; i < n; i++) {
        s.meta[`targets/p${i}`] = { ...metaFileFor(Buffer.from(`p${i}`)), length: len(i) };
      }
    });
    return r;
  }
  const early = (seen: string[]) => seen.filter((role) => role.startsWith('targets/'));

  it('sixteen listed files go out before targets is read', async () => {
    const { f, state } = recording(listing(16, () => 10).fetcher());
    await load(f);
    expect(early(state.seenAtTargets)).toHaveLength(16);
  });

  it('seventeen do not', async () => {
    const { f, state } = recording(listing(17, () => 10).fetcher());
    await load(f);
    expect(early(state.seenAtTargets)).toEqual([]);
  });

  it('16 MiB in all go out; more do not', async () => {
    const exact = recording(listing(1, () => 16 * MIB).fetcher());
    await load(exact.f);
    expect(early(exact.state.seenAtTargets)).toEqual(['targets/p0']);

    const over = recording(listing(2, (i) => (i === 0 ? 16 * MIB : 1)).fetcher());
    await load(over.f);
    expect(early(over.state.seenAtTargets)).toEqual([]);
  });

  it('a delegation file is requested once, however many times it is reached', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/a');
    r.setTargets('targets/a', (t) => (t.targets['x'] = target('x')));
    r.publish();
    const { f, asked, state } = recording(r.fetcher());
    const repo = (await load(f))!;
    expect(repo.targetsFor('x').map((h) => h.role)).toEqual(['targets/a']);
    expect(early(state.seenAtTargets)).toEqual(['targets/a']);
    expect(asked.filter((a) => a.role === 'targets/a')).toHaveLength(1);
  });
});
