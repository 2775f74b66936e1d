import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheApi } from '../../src/action/cache.js';

/**
 * @actions/cache stand-in: an entry is a copy of what its paths held, under an immutable
 * key and the paths it was saved from (the service's version); restore by exact key or key
 * prefix, newest first, only for the same paths.
 */
export class FakeCache implements CacheApi {
  readonly entries: { key: string; paths: string[]; dir: string }[] = [];
  available = true;
  failRestore?: Error;
  failSave?: Error;
  restoreCalls: [string[], string, string[] | undefined][] = [];
  saveCalls: [string[], string][] = [];

  constructor(private readonly storeDir: string) {}

  isFeatureAvailable(): boolean {
    return this.available;
  }

  async restoreCache(paths: string[], key: string, restoreKeys?: string[]) {
    this.restoreCalls.push([paths, key, restoreKeys]);
    if (this.failRestore) throw this.failRestore;
    const hit = [...this.entries]
      .reverse()
      .filter((e) => e.paths.join('\n') === paths.join('\n'))
      .find((e) => e.key === key || restoreKeys?.some((p) => e.key.startsWith(p)));
    if (!hit) return undefined;
    for (const [i, p] of paths.entries())
      await cp(join(hit.dir, String(i)), p, { recursive: true });
    return hit.key;
  }

  async saveCache(paths: string[], key: string) {
    this.saveCalls.push([paths, key]);
    if (this.failSave) throw this.failSave;
    if (this.entries.some((e) => e.key === key)) return -1; // keys are immutable
    const dir = join(this.storeDir, String(this.saveCalls.length)); // unique: saves overlap
    for (const [i, p] of paths.entries()) await cp(p, join(dir, String(i)), { recursive: true });
    this.entries.push({ key, paths: [...paths], dir });
    return this.entries.length;
  }
}
