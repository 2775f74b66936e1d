import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrustCache, cacheKeyPrefix, isTrustState } from '../../src/action/cache.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { FakeCache } from './fake-cache.js';

function logger() {
  const lines = { info: [] as string[], warning: [] as string[], debug: [] as string[] };
  return {
    lines,
    info: (m: string) => void lines.info.push(m),
    warning: (m: string) => void lines.warning.push(m),
    debug: (m: string) => void lines.debug.push(m),
  };
}

const GUN = 'registry.example.com/team/app';
const STATE: TrustState = {
  gun: GUN,
  root: Buffer.from('{"signed":{"_type":"Root"}}').toString('base64'),
  versions: { root: 1, targets: 3, snapshot: 3, timestamp: 7, 'targets/releases': 2 },
};

let root: string;
let fake: FakeCache;
let n = 0;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dct-cache-'));
  fake = new FakeCache(join(root, 'service'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * One run of the action on a fresh runner: an empty RUNNER_TEMP at the same path as every
 * hosted runner's (the cache service versions entries by their paths).
 */
async function open(over: { enabled?: boolean; images?: string[]; attempt?: string } = {}) {
  const log = logger();
  const recorded: { path: string; existed: boolean }[] = [];
  const dir = join(root, 'runner', 'dct-trust-cache');
  await rm(dir, { recursive: true, force: true });
  n++;
  const cache = await TrustCache.open({
    enabled: over.enabled ?? true,
    dir,
    images: over.images ?? [`${GUN}:1.0`, `${GUN}:latest`],
    env: { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: over.attempt ?? '1' },
    api: fake,
    log,
    recordPath: (path) => recorded.push({ path, existed: existsSync(path) }),
    now: () => n,
  });
  return { cache, log, recorded, dir };
}

describe('TrustCache', () => {
  it('round-trips a trust state through save and a later restore', async () => {
    const first = await open();
    expect(await first.cache!.store.load(GUN)).toBeUndefined();
    await first.cache!.store.save(STATE);
    await first.cache!.save();
    expect(fake.entries).toHaveLength(1);
    // The file is named by the GUN's hash and holds only the non-secret state.
    const files = await readdir(first.dir);
    expect(files).toEqual([`${createHash('sha256').update(GUN).digest('hex')}.json`]);
    expect(JSON.parse(await readFile(join(first.dir, files[0]), 'utf8'))).toEqual(STATE);

    const second = await open({ attempt: '2' });
    expect(second.log.lines.info.join()).toContain(fake.entries[0].key);
    expect(await second.cache!.store.load(GUN)).toEqual(STATE);
    expect(await second.cache!.store.load('other.example.com/x')).toBeUndefined();
  });

  it('restores by prefix and saves under a new key each run', async () => {
    const a = await open();
    await a.cache!.store.save(STATE);
    await a.cache!.save();
    const b = await open({ attempt: '2' });
    await b.cache!.store.save({ ...STATE, versions: { ...STATE.versions, timestamp: 8 } });
    await b.cache!.save();
    const [k1, k2] = fake.entries.map((e) => e.key);
    const prefix = cacheKeyPrefix(GUN);
    expect(k1).not.toBe(k2);
    expect(k1.startsWith(prefix) && k2.startsWith(prefix)).toBe(true);
    expect(k2).toMatch(/^dct-trust-repo-[0-9a-f]{16}-42-2-\d+$/);
    // One entry per repository: its own file, restored by its own prefix.
    const [paths, primary, restoreKeys] = fake.restoreCalls[1];
    expect(paths).toEqual([b.cache!.store.fileFor(GUN)]);
    expect(primary).toBe(k2);
    expect(restoreKeys).toEqual([prefix]);
    expect(fake.saveCalls.map(([p]) => p)).toEqual([paths, paths]);
    // The newest entry wins.
    const c = await open({ attempt: '3' });
    expect((await c.cache!.store.load(GUN))?.versions.timestamp).toBe(8);
  });

  it('saves nothing when nothing changed', async () => {
    const a = await open();
    await a.cache!.store.save(STATE);
    await a.cache!.save();
    const b = await open({ attempt: '2' });
    const loaded = await b.cache!.store.load(GUN);
    await b.cache!.store.save(loaded!);
    await b.cache!.save();
    expect(fake.entries).toHaveLength(1);
    expect(b.log.lines.debug.join()).toMatch(/unchanged/);
  });

  it('records the cache dir in state before creating it', async () => {
    const { recorded, dir } = await open();
    expect(recorded).toEqual([{ path: dir, existed: false }]);
    expect(existsSync(dir)).toBe(true);
  });

  it('is skipped when the input is off, or quietly when the service is missing', async () => {
    const off = await open({ enabled: false });
    expect(off.cache).toBeUndefined();
    expect(off.recorded).toEqual([]);
    fake.available = false;
    const away = await open();
    expect(away.cache).toBeUndefined();
    expect(away.log.lines.warning).toEqual([]);
    expect(away.log.lines.debug.join()).toMatch(/not available/);
    expect(fake.restoreCalls).toEqual([]);
  });

  it('turns cache service errors into warnings', async () => {
    fake.failRestore = new Error('cache service 503');
    const a = await open();
    expect(a.cache).toBeDefined();
    expect(a.log.lines.warning).toEqual([
      `Could not restore the trust state of ${GUN} from the cache: cache service 503`,
    ]);
    await a.cache!.store.save(STATE);
    fake.failSave = new Error('quota exceeded');
    await expect(a.cache!.save()).resolves.toBeUndefined();
    expect(a.log.lines.warning[1]).toBe(
      `Could not save the trust state of ${GUN} to the cache: quota exceeded`,
    );
  });

  it('ignores a damaged or foreign cache file with a warning', async () => {
    const a = await open();
    const file = a.cache!.store.fileFor(GUN);
    await writeFile(file, '{"gun":');
    expect(await a.cache!.store.load(GUN)).toBeUndefined();
    await writeFile(file, JSON.stringify({ ...STATE, gun: 'someone/else' }));
    expect(await a.cache!.store.load(GUN)).toBeUndefined();
    expect(a.log.lines.warning).toHaveLength(2);
    expect(a.log.lines.warning[0]).toContain(GUN);
  });

  it('refuses to store an invalid state', async () => {
    const a = await open();
    const bad = { ...STATE, versions: { root: -1 } };
    await expect(a.cache!.store.save(bad)).rejects.toThrow(TypeError);
    expect(a.cache!.store.changed).toBe(false);
  });
});

describe('helpers', () => {
  it('cacheKeyPrefix is one per repository (GUN), of fixed length', () => {
    expect(cacheKeyPrefix(GUN)).toMatch(/^dct-trust-repo-[0-9a-f]{16}-$/);
    expect(cacheKeyPrefix(`${GUN}2`)).not.toBe(cacheKeyPrefix(GUN));
  });

  it('isTrustState checks the shape', () => {
    expect(isTrustState(STATE)).toBe(true);
    expect(isTrustState({ ...STATE, root: 'not base64!' })).toBe(false);
    expect(isTrustState({ ...STATE, versions: { root: 1.5 } })).toBe(false);
    expect(isTrustState(null)).toBe(false);
  });
});

describe('each repository remembered on its own (a forgotten root is a takeover)', () => {
  const OTHER = 'other.example.com/team/tool';
  const OTHER_STATE: TrustState = { ...STATE, gun: OTHER };

  it('restores a repository whatever else the run names', async () => {
    const a = await open({ images: [`${GUN}:1.0`] });
    await a.cache!.store.save(STATE);
    await a.cache!.save();
    // A later run that also names another repository, and one that names it first.
    for (const images of [
      [`${GUN}:1.0`, `${OTHER}:2`],
      [`${OTHER}:2`, `${GUN}:latest`, 'third.example.com/x:1'],
    ]) {
      const b = await open({ images, attempt: String(++n) });
      expect(await b.cache!.store.load(GUN)).toEqual(STATE);
    }
  });

  it('restores one entry per repository, short and long names of one repository as one', async () => {
    const b = await open({ images: ['alpine:3', 'docker.io/library/alpine:latest', `${OTHER}:1`] });
    expect(fake.restoreCalls.map(([paths]) => paths)).toEqual([
      [b.cache!.store.fileFor('docker.io/library/alpine')],
      [b.cache!.store.fileFor(OTHER)],
    ]);
  });

  it('saves only the repositories whose state changed, each under its own key', async () => {
    const a = await open({ images: [`${GUN}:1.0`, `${OTHER}:1`] });
    await a.cache!.store.save(STATE);
    await a.cache!.store.save(OTHER_STATE);
    await a.cache!.save();
    expect(fake.saveCalls.map(([, key]) => key.slice(0, 32)).sort()).toEqual(
      [cacheKeyPrefix(GUN), cacheKeyPrefix(OTHER)].map((p) => p.slice(0, 32)).sort(),
    );
    const b = await open({ images: [`${GUN}:1.0`, `${OTHER}:1`], attempt: '2' });
    await b.cache!.store.save({ ...STATE, versions: { ...STATE.versions, timestamp: 9 } });
    await b.cache!.store.save(OTHER_STATE); // unchanged
    await b.cache!.save();
    expect(fake.saveCalls).toHaveLength(3);
    expect(fake.saveCalls[2][1].startsWith(cacheKeyPrefix(GUN))).toBe(true);
    // Each restored on its own.
    const c = await open({ images: [`${OTHER}:1`], attempt: '3' });
    expect(await c.cache!.store.load(OTHER)).toEqual(OTHER_STATE);
    const d = await open({ images: [`${GUN}:x`], attempt: '4' });
    expect((await d.cache!.store.load(GUN))?.versions['timestamp']).toBe(9);
  });
});

describe('FileTrustStore.save', () => {
  it('never lowers a remembered version (a slower run saving older data later)', async () => {
    const { cache } = await open();
    const store = cache!.store;
    await store.save(STATE);
    const older: TrustState = {
      ...STATE,
      versions: { ...STATE.versions, timestamp: 5, targets: 4, 'targets/ci': 1 },
    };
    await store.save(older);
    const kept = await store.load(GUN);
    expect(kept?.versions).toEqual({ ...STATE.versions, targets: 4, 'targets/ci': 1 });
  });
});

describe('two steps of one job', () => {
  it('a later step restoring an older cache entry keeps what an earlier step saw', async () => {
    const older: TrustState = { ...STATE, versions: { ...STATE.versions, timestamp: 2 } };
    // Some earlier run cached an older state under the second step's images.
    const past = await open({ images: [`${GUN}:old`] });
    await past.cache!.store.save(older);
    await past.cache!.save();

    // The same path as the past run's: the cache service only restores an entry there.
    const dir = past.dir;
    const log = logger();
    const step = (images: string[]) =>
      TrustCache.open({
        enabled: true,
        dir,
        images,
        env: { GITHUB_RUN_ID: '43' },
        api: fake,
        log,
        recordPath: () => undefined,
        now: () => ++n,
      });
    const first = await step([`${GUN}:1.0`]);
    await first!.store.save(STATE); // saw timestamp 7
    const second = await step([`${GUN}:old`]); // restores the entry with timestamp 2
    expect(log.lines.info.filter((l) => l.startsWith('Restored'))).toHaveLength(2);
    expect((await second!.store.load(GUN))?.versions['timestamp']).toBe(7);
  });
});
