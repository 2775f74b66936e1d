/**
 * The TUF cache where docker and notary keep what they trusted:
 * `$DOCKER_CONFIG/trust/tuf/<gun>/metadata/<role>.json` (CLI.md). `dct` reads the root a
 * docker or notary client pinned there, and the versions of every role file it finds, so a
 * rollback is refused whichever of the three tools saw the newer data; it writes back the root
 * it trusts and the versions it saw (`dct-versions.json`, which docker and notary ignore).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isTrustState, neverLower } from '../signer/trust-state.js';
import type { Logger, TrustStore } from '../signer/types.js';
import type { TrustState } from '../tuf/trust-cache.js';

const VERSIONS_FILE = 'dct-versions.json';

export class DockerTufStore implements TrustStore {
  constructor(
    readonly dir: string,
    private readonly log: Logger,
  ) {}

  metadataDir(gun: string): string {
    return join(this.dir, ...gun.split('/'), 'metadata');
  }

  async load(gun: string): Promise<TrustState | undefined> {
    const dir = this.metadataDir(gun);
    let rootBytes: Buffer;
    try {
      rootBytes = await readFile(join(dir, 'root.json'));
    } catch {
      return undefined; // never seen: trust on first use
    }
    const versions: Record<string, number> = {};
    const note = (role: string, v: unknown): void => {
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
        versions[role] = Math.max(versions[role] ?? 0, v);
      }
    };
    try {
      note('root', versionOf(rootBytes));
    } catch {
      this.log.warning(
        `The trusted root of ${gun} in ${dir} is damaged and was ignored; its root will be trusted again on first use`,
      );
      return undefined;
    }
    for (const path of await roleFiles(dir)) {
      const role = path.slice(0, -'.json'.length);
      if (role === 'root') continue;
      try {
        note(role, versionOf(await readFile(join(dir, path))));
      } catch {
        // a role file docker left half-written is not trusted data; the server's copy is read
      }
    }
    try {
      const side: unknown = JSON.parse(await readFile(join(dir, VERSIONS_FILE), 'utf8'));
      if (typeof side === 'object' && side !== null && !Array.isArray(side)) {
        for (const [role, v] of Object.entries(side)) note(role, v);
      }
    } catch {
      // absent or damaged: the role files still say what was seen
    }
    const state = { gun, root: rootBytes.toString('base64'), versions };
    return isTrustState(state) ? state : undefined;
  }

  async save(state: TrustState): Promise<void> {
    if (!isTrustState(state)) throw new TypeError('refusing to store an invalid trust state');
    const dir = this.metadataDir(state.gun);
    const kept = await this.load(state.gun);
    const { root, versions } = neverLower(kept, state);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (kept?.root !== root) await atomicWrite(join(dir, 'root.json'), Buffer.from(root, 'base64'));
    await atomicWrite(join(dir, VERSIONS_FILE), Buffer.from(`${JSON.stringify(versions)}\n`));
  }

  /** Forgets a repository (after `delete --remote`). */
  async forget(gun: string): Promise<void> {
    await rm(join(this.dir, ...gun.split('/')), { recursive: true, force: true });
  }
}

function versionOf(bytes: Buffer): unknown {
  const doc = JSON.parse(bytes.toString('utf8')) as { signed?: { version?: unknown } };
  return doc.signed?.version;
}

async function roleFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.json') && e.name !== VERSIONS_FILE)
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
  } catch {
    return [];
  }
}

async function atomicWrite(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}
