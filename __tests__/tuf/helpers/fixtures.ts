/** The repositories the real notary CLI + notary-server wrote (__tests__/fixtures/tuf/README.md). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryFetcher } from './repo.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/tuf/', import.meta.url));
const SUFFIX = '.json.golden';
export const GUN = 'registry.example.com/tuf/fixture';
/** A day after the fixtures were made: everything in them is valid then. */
export const FIXTURE_NOW = new Date('2026-11-28T00:00:00Z');

/**
 * role → bytes for every `<role>.json.golden` under dir (versioned roots as `N.root`). The
 * suffix keeps formatters away from bytes that must stay exactly as the server sent them.
 */
export function fixtureFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const base = join(FIXTURES, dir);
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(SUFFIX))
        out.set(relative(base, p).slice(0, -SUFFIX.length), readFileSync(p));
    }
  };
  walk(base);
  return out;
}

/** A fetcher serving a fixture directory the way notary-server does. */
export function fixtureFetcher(dir: string, replace: Record<string, Buffer> = {}): MemoryFetcher {
  const files = new Map<string, Buffer>();
  const roots = new Map<number, Buffer>();
  for (const [role, bytes] of fixtureFiles(dir)) {
    const m = /^(\d+)\.root$/.exec(role);
    if (m) roots.set(Number(m[1]), bytes);
    else files.set(role, bytes);
  }
  for (const [role, bytes] of Object.entries(replace)) files.set(role, bytes);
  return new MemoryFetcher(files, roots);
}
