import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TrustCache,
  cacheKeyPrefix,
  isTrustState,
  repositoryOf,
  type CacheApi,
} from '../../src/action/cache.js';
import type { TrustState } from '../../src/signer/types.js';

/** @actions/cache stand-in: entries are copies of the directory, restored newest-first. */
class FakeCache implements CacheApi {
  readonly entries: { key: string; dir: string }[] = [];
  available = true;
  failRestore?: Error;
  failSave?: Error;
  restoreCalls: [string[], string, string[] | undefined][] = [];

  constructor(private readonly storeDir: string) {}

  isFeatureAvailable(): boolean {
    return this.available;
  }

  async restoreCache(paths: string[], key: string, restoreKeys?: string[]) {
    this.restoreCalls.push([paths, key, restoreKeys]);
    if (this.failRestore) throw this.failRestore;
    const hit = [...this.entries]
      .reverse()
      .find((e) => e.key === key || restoreKeys?.some((p) => e.key.startsWith(p)));
    if (!hit) return undefined;
    await cp(hit.dir, paths[0], { recursive: true });
    return hit.key;
  }

  async saveCache(paths: string[], key: string) {
    if (this.failSave) throw this.failSave;
    if (this.entries.some((e) => e.key === key)) return -1; // keys are immutable
    const dir = join(this.storeDir, String(this.entries.length));
    await cp(paths[0], dir, { recursive: true });
    this.entries.push({ key, dir });
    return this.entries.length;
  }
}

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

/** One run of the action on a fresh runner (its own RUNNER_TEMP). */
async function open(over: { enabled?: boolean; images?: string[]; attempt?: string } = {}) {
  const log = logger();
  const recorded: { path: string; existed: boolean }[] = [];
  const dir = join(root, `runner-${++n}`, 'dct-trust-cache');
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
    const prefix = cacheKeyPrefix([`${GUN}:1.0`]);
    expect(k1).not.toBe(k2);
    expect(k1.startsWith(prefix) && k2.startsWith(prefix)).toBe(true);
    expect(k2).toMatch(/^dct-trust-[0-9a-f]{16}-42-2-\d+$/);
    const [paths, primary, restoreKeys] = fake.restoreCalls[1];
    expect(paths).toEqual([b.dir]);
    expect(primary).toBe(k2);
    expect(restoreKeys).toEqual([prefix]);
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
      'Could not restore the trust state cache: cache service 503',
    ]);
    await a.cache!.store.save(STATE);
    fake.failSave = new Error('quota exceeded');
    await expect(a.cache!.save()).resolves.toBeUndefined();
    expect(a.log.lines.warning[1]).toBe('Could not save the trust state cache: quota exceeded');
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
  it('repositoryOf drops tag and digest but keeps a port', () => {
    expect(repositoryOf('localhost:5000/a/b:1')).toBe('localhost:5000/a/b');
    expect(repositoryOf('localhost:5000/a/b')).toBe('localhost:5000/a/b');
    expect(repositoryOf(`alpine:3@sha256:${'0'.repeat(64)}`)).toBe('alpine');
  });

  it('cacheKeyPrefix depends on the repositories only, not their order or tags', () => {
    const p = cacheKeyPrefix(['a/x:1', 'b/y:2']);
    expect(cacheKeyPrefix(['b/y:9', 'a/x:latest', 'a/x:1'])).toBe(p);
    expect(cacheKeyPrefix(['a/x:1'])).not.toBe(p);
  });

  it('isTrustState checks the shape', () => {
    expect(isTrustState(STATE)).toBe(true);
    expect(isTrustState({ ...STATE, root: 'not base64!' })).toBe(false);
    expect(isTrustState({ ...STATE, versions: { root: 1.5 } })).toBe(false);
    expect(isTrustState(null)).toBe(false);
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

    const dir = join(root, 'same-runner', 'dct-trust-cache');
    const step = (images: string[]) =>
      TrustCache.open({
        enabled: true,
        dir,
        images,
        env: { GITHUB_RUN_ID: '43' },
        api: fake,
        log: logger(),
        recordPath: () => undefined,
        now: () => ++n,
      });
    const first = await step([`${GUN}:1.0`]);
    await first!.store.save(STATE); // saw timestamp 7
    const second = await step([`${GUN}:old`]); // restores the entry with timestamp 2
    expect((await second!.store.load(GUN))?.versions['timestamp']).toBe(7);
  });
});
