/**
 * The trust cache at the edges StrykerJS found untested: a later step on the same runner
 * restoring an older cache entry over the file an earlier step left keeps the newer versions
 * (only `.json` trust states in the directory are merged; damaged files are skipped), a
 * repository the run does not name is never saved under another's key, a failing or missing
 * cache service, the key's defaults outside a workflow run, and what is logged.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrustCache, cacheKeyPrefix, type CacheApi } from '../../src/action/cache.js';
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
const OTHER = 'other.example.com/team/tool';
const STATE: TrustState = {
  gun: GUN,
  root: Buffer.from('{"signed":{"_type":"Root"}}').toString('base64'),
  versions: { root: 1, targets: 3, snapshot: 3, timestamp: 7 },
};
const at = (timestamp: number): TrustState => ({
  ...STATE,
  versions: { ...STATE.versions, timestamp },
});

let root: string;
let dir: string;
let fake: FakeCache;
let n = 0;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dct-cache-m-'));
  dir = join(root, 'runner', 'dct-trust-cache');
  fake = new FakeCache(join(root, 'service'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** One step on the runner: the same directory every time (it is not emptied between steps). */
async function step(
  images: string[],
  over: { env?: Record<string, string>; api?: CacheApi; enabled?: boolean } = {},
) {
  const log = logger();
  const recorded: string[] = [];
  const cache = await TrustCache.open({
    enabled: over.enabled ?? true,
    dir,
    images,
    env: over.env ?? { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: String(++n) },
    api: over.api ?? fake,
    log,
    recordPath: (p) => void recorded.push(p),
    now: () => 1000 + n,
  });
  return { cache, log, recorded };
}

describe('two steps of one job on the same runner', () => {
  it('a later step restoring an older entry keeps what an earlier step saw', async () => {
    // A past run cached timestamp 2.
    const past = await step([`${GUN}:old`]);
    await past.cache!.store.save(at(2));
    await past.cache!.save();
    // The first step restores it and learns timestamp 7 (left in the directory, not cached).
    const first = await step([`${GUN}:1.0`]);
    expect((await first.cache!.store.load(GUN))?.versions.timestamp).toBe(2);
    await first.cache!.store.save(STATE);
    // The second step restores timestamp 2 over the file: the merge keeps 7.
    const second = await step([`${GUN}:1.0`]);
    expect(second.log.lines.info).toEqual([
      `Restored the trust state of ${GUN} from cache ${fake.entries[0].key}`,
    ]);
    expect((await second.cache!.store.load(GUN))?.versions.timestamp).toBe(7);
  });

  it('merges only .json trust states from the directory and skips damaged files', async () => {
    const first = await step([`${GUN}:1.0`]);
    await first.cache!.store.save(STATE);
    await writeFile(join(dir, 'notes.txt'), JSON.stringify(at(99)));
    await writeFile(join(dir, 'state.json.tmp'), JSON.stringify(at(98)));
    await writeFile(join(dir, 'junk.json'), '{"gun":');
    await writeFile(join(dir, 'shape.json'), JSON.stringify({ gun: GUN, root: 'x', versions: [] }));
    const second = await step([`${GUN}:1.0`]);
    expect(second.cache).toBeDefined();
    expect((await second.cache!.store.load(GUN))?.versions.timestamp).toBe(7);
  });
});

describe('TrustCache.save', () => {
  it('never saves a repository the run does not name', async () => {
    const a = await step([`${GUN}:1.0`]);
    await a.cache!.store.save({ ...STATE, gun: OTHER });
    expect(a.cache!.store.changed).toBe(true);
    await a.cache!.save();
    expect(fake.saveCalls).toEqual([]);
    expect(a.log.lines.debug).toContain('Trust state unchanged; the cache is not saved again');
  });

  it('logs a save that was made, and says nothing more when the key was taken', async () => {
    const a = await step([`${GUN}:1.0`]);
    await a.cache!.store.save(STATE);
    await a.cache!.save();
    const key = fake.entries[0].key;
    expect(a.log.lines.info).toEqual([
      `No trust state of ${GUN} in the cache: its root is trusted on first use`,
      `Saved the trust state of ${GUN} to cache ${key}`,
    ]);
    await a.cache!.store.save(at(8));
    await a.cache!.save(); // same key again: the service answers -1
    expect(fake.saveCalls).toHaveLength(2);
    expect(a.log.lines.info).toHaveLength(2);
    expect(a.log.lines.warning).toEqual([]);
  });

  it('keys by run 0, attempt 1 outside a workflow run', async () => {
    const a = await step([`${GUN}:1.0`], { env: {} });
    await a.cache!.store.save(STATE);
    await a.cache!.save();
    expect(fake.saveCalls[0][1]).toBe(`${cacheKeyPrefix(GUN)}0-1-${1000 + n}`);
  });
});

describe('TrustCache.open', () => {
  it('says why it is off when the input is false', async () => {
    const off = await step([`${GUN}:1.0`], { enabled: false });
    expect(off.cache).toBeUndefined();
    expect(off.log.lines.debug).toEqual([
      'cache: false, so trusted roots are not remembered between runs',
    ]);
  });

  it('is off, quietly, when the cache check throws', async () => {
    const api: CacheApi = {
      isFeatureAvailable: () => {
        throw new Error('no ACTIONS_CACHE_URL');
      },
      restoreCache: () => Promise.reject(new Error('not called')),
      saveCache: () => Promise.reject(new Error('not called')),
    };
    const s = await step([`${GUN}:1.0`], { api });
    expect(s.cache).toBeUndefined();
    expect(s.recorded).toEqual([]);
    expect(s.log.lines.warning).toEqual([]);
    expect(s.log.lines.debug).toEqual([
      'Actions cache check failed: no ACTIONS_CACHE_URL',
      'The Actions cache service is not available here; trust state is not kept',
    ]);
  });
});

describe('FileTrustStore', () => {
  it('is changed once a save wrote something new', async () => {
    const a = await step([`${GUN}:1.0`]);
    expect(a.cache!.store.changed).toBe(false);
    await a.cache!.store.save(STATE);
    expect(a.cache!.store.changed).toBe(true);
  });

  it('names why it refuses an invalid state', async () => {
    const a = await step([`${GUN}:1.0`]);
    await expect(a.cache!.store.save({ ...STATE, root: '' })).rejects.toThrow(
      'refusing to cache an invalid trust state',
    );
  });
});
