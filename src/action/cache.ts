/**
 * The trust store kept between runs with the Actions cache: one `<sha256(gun)>.json` per
 * repository holding its TrustState (root bytes base64 + versions; nothing secret), and one
 * cache entry per repository, so a run restores every repository it names whatever else it
 * names. Cache keys are immutable: a run that learns something about a repository saves
 * that file under a new key of the repository's prefix, and later runs restore the newest.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import { parseImageRef } from '../registry/reference.js';
import { isTrustState, neverLower } from '../signer/trust-state.js';
import type { Logger, TrustStore } from '../signer/types.js';
import type { TrustState } from '../tuf/trust-cache.js';

export { isTrustState };

/** The three calls of @actions/cache used here, injectable for tests. */
export interface CacheApi {
  isFeatureAvailable(): boolean;
  restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys?: string[],
  ): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A TrustStore over a directory; remembers whether anything changed since it was read. */
export class FileTrustStore implements TrustStore {
  private readonly loaded = new Map<string, string>();
  /** GUNs whose file a save changed. */
  readonly changedGuns = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  fileFor(gun: string): string {
    return join(this.dir, `${sha256(gun)}.json`);
  }

  /** True once a save wrote something different from what was there. */
  get changed(): boolean {
    return this.changedGuns.size > 0;
  }

  async load(gun: string): Promise<TrustState | undefined> {
    const file = this.fileFor(gun);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined; // never seen: the flow trusts on first use
    }
    let state: unknown;
    try {
      state = JSON.parse(text);
    } catch {
      // not JSON: refused as damaged just below
    }
    if (!isTrustState(state) || state.gun !== gun) {
      this.log.warning(
        `The cached trust state of ${gun} is damaged and was ignored; its root will be trusted again on first use`,
      );
      return undefined;
    }
    this.loaded.set(file, text);
    return { gun: state.gun, root: state.root, versions: { ...state.versions } };
  }

  async save(state: TrustState): Promise<void> {
    if (!isTrustState(state)) {
      throw new TypeError('refusing to cache an invalid trust state');
    }
    const file = this.fileFor(state.gun);
    // Never lower what is remembered: another step or run may have seen newer versions.
    const { root, versions } = neverLower(await this.load(state.gun), state);
    const text = `${JSON.stringify({ gun: state.gun, root, versions })}\n`;
    if (this.loaded.get(file) === text) return;
    await mkdir(this.dir, { recursive: true });
    // Write then rename, so a crash never leaves half a file for the next run to trip on.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
    this.loaded.set(file, text);
    this.changedGuns.add(state.gun);
  }
}

/** `dct-trust-repo-<sha256(gun), 16 hex>-`: every entry of one repository, whatever the run. */
export function cacheKeyPrefix(gun: string): string {
  return `dct-trust-repo-${sha256(gun).slice(0, 16)}-`;
}

/** The repositories (GUNs) of the images; a reference that does not parse names none here
 * (the flow reports it). */
function gunsOf(images: string[]): string[] {
  const guns = new Set<string>();
  for (const image of images) {
    try {
      guns.add(parseImageRef(image).gun);
    } catch {
      // reported by the flow
    }
  }
  return [...guns];
}

/** Restores or saves this many repositories at once. */
const PARALLEL = 4;

async function eachLimited<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

export interface TrustCacheOptions {
  enabled: boolean;
  /** Fixed per runner: @actions/cache versions entries by their paths. */
  dir: string;
  images: string[];
  env: Record<string, string | undefined>;
  api: CacheApi;
  log: Logger;
  /** Called with `dir` before it is created (main records it in state for post). */
  recordPath(path: string): void;
  now?: () => number;
}

export class TrustCache {
  private constructor(
    readonly store: FileTrustStore,
    private readonly api: CacheApi,
    /** The key each repository's entry is saved under in this run. */
    private readonly saveKeys: Map<string, string>,
    private readonly log: Logger,
  ) {}

  /**
   * Restore the newest cached trust state of each repository the images name. Undefined when
   * the cache is off or the cache service is missing (outside GitHub); cache errors only warn.
   */
  static async open(o: TrustCacheOptions): Promise<TrustCache | undefined> {
    if (!o.enabled) {
      o.log.debug('cache: false, so trusted roots are not remembered between runs');
      return undefined;
    }
    let available = false;
    try {
      available = o.api.isFeatureAvailable();
    } catch (e) {
      o.log.debug(`Actions cache check failed: ${describeError(e)}`);
    }
    if (!available) {
      o.log.debug('The Actions cache service is not available here; trust state is not kept');
      return undefined;
    }
    const runId = o.env.GITHUB_RUN_ID ?? '0';
    const attempt = o.env.GITHUB_RUN_ATTEMPT ?? '1';
    const now = (o.now ?? Date.now)();
    const log = o.log;
    o.recordPath(o.dir);
    await mkdir(o.dir, { recursive: true });
    // An earlier step of this job may have left newer states here than the cache holds.
    const earlier = await readStates(o.dir);
    const store = new FileTrustStore(o.dir, log);
    const saveKeys = new Map<string, string>();
    const guns = gunsOf(o.images);
    for (const gun of guns) saveKeys.set(gun, `${cacheKeyPrefix(gun)}${runId}-${attempt}-${now}`);
    await eachLimited(guns, async (gun) => {
      try {
        // The paths are the entry's version in the cache service: always this one file.
        const hit = await o.api.restoreCache([store.fileFor(gun)], saveKeys.get(gun)!, [
          cacheKeyPrefix(gun),
        ]);
        log.info(
          hit === undefined
            ? `No trust state of ${gun} in the cache: its root is trusted on first use`
            : `Restored the trust state of ${gun} from cache ${hit}`,
        );
      } catch (e) {
        log.warning(
          `Could not restore the trust state of ${gun} from the cache: ${describeError(e)}`,
        );
      }
    });
    for (const state of earlier) await store.save(state); // merged: never lowered
    return new TrustCache(store, o.api, saveKeys, log);
  }

  /** Save each repository whose state changed under a new key; never throws. */
  async save(): Promise<void> {
    const changed = [...this.store.changedGuns].filter((gun) => this.saveKeys.has(gun));
    if (changed.length === 0) {
      this.log.debug('Trust state unchanged; the cache is not saved again');
      return;
    }
    await eachLimited(changed, async (gun) => {
      const key = this.saveKeys.get(gun)!;
      try {
        // -1: not saved (e.g. another job took the key); @actions/cache has already said why.
        const id = await this.api.saveCache([this.store.fileFor(gun)], key);
        if (id !== -1) this.log.info(`Saved the trust state of ${gun} to cache ${key}`);
      } catch (e) {
        this.log.warning(
          `Could not save the trust state of ${gun} to the cache: ${describeError(e)}`,
        );
      }
    });
  }
}

/** The trust states in `dir` (files that are not states are skipped). */
async function readStates(dir: string): Promise<TrustState[]> {
  const out: TrustState[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    try {
      const state: unknown = JSON.parse(await readFile(join(dir, name), 'utf8'));
      if (isTrustState(state)) out.push(state);
    } catch {
      // damaged: the store says so when it is loaded
    }
  }
  return out;
}
