import { cp, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerTufStore } from '../../src/cli/truststore.js';
import type { Logger } from '../../src/signer/types.js';
import { tempHome } from './helpers.js';

const REPO = fileURLToPath(new URL('../fixtures/tuf/repo/', import.meta.url));
const GUN = 'registry.example:5000/acme/app';

function logger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => undefined,
    debug: () => undefined,
    warning: (m) => warnings.push(m),
  };
}

/** A metadata directory laid out as docker 28 leaves it after a pull. */
async function dockerCache(): Promise<{
  store: DockerTufStore;
  dir: string;
  log: ReturnType<typeof logger>;
}> {
  const home = await tempHome();
  const log = logger();
  const store = new DockerTufStore(join(home.config, 'trust', 'tuf'), log);
  const dir = store.metadataDir(GUN);
  await mkdir(join(dir, 'targets'), { recursive: true });
  for (const role of [
    'root',
    'targets',
    'snapshot',
    'timestamp',
    'targets/releases',
    'targets/ci',
  ]) {
    await cp(join(REPO, `${role}.json.golden`), join(dir, `${role}.json`));
  }
  return { store, dir, log };
}

const DOCKER_VERSIONS = {
  root: 3,
  targets: 5,
  snapshot: 9,
  timestamp: 8,
  'targets/releases': 3,
  'targets/ci': 1,
};

describe('DockerTufStore', () => {
  it('lays a repository out as docker does: <gun>/metadata', () => {
    const store = new DockerTufStore('/cfg/trust/tuf', logger());
    expect(store.metadataDir(GUN)).toBe('/cfg/trust/tuf/registry.example:5000/acme/app/metadata');
  });

  it('reads the pinned root and every role version from a docker-written cache', async () => {
    const { store, dir } = await dockerCache();
    const state = await store.load(GUN);
    expect(state?.gun).toBe(GUN);
    expect(state?.root).toBe((await readFile(join(dir, 'root.json'))).toString('base64'));
    expect(state?.versions).toEqual(DOCKER_VERSIONS);
  });

  it('knows nothing of a repository it never saw', async () => {
    const { store } = await dockerCache();
    await expect(store.load('registry.example:5000/acme/never')).resolves.toBeUndefined();
  });

  it('never lowers a version nor replaces a newer root when saving older data', async () => {
    const { store, dir } = await dockerCache();
    const rootBefore = await readFile(join(dir, 'root.json'));
    const older = (await readFile(join(REPO, '1.root.json.golden'))).toString('base64');
    await store.save({ gun: GUN, root: older, versions: { root: 1, targets: 2, snapshot: 12 } });
    expect(await readFile(join(dir, 'root.json'))).toEqual(rootBefore);
    const state = await store.load(GUN);
    expect(state?.versions).toEqual({ ...DOCKER_VERSIONS, snapshot: 12 });
    expect(state?.root).toBe(rootBefore.toString('base64'));
    // docker's own role files are left as they are
    expect(await readFile(join(dir, 'targets.json'))).toEqual(
      await readFile(join(REPO, 'targets.json.golden')),
    );
  });

  it('saves a newer root over the pinned one, files private', async () => {
    const home = await tempHome();
    const store = new DockerTufStore(join(home.config, 'trust', 'tuf'), logger());
    const v1 = await readFile(join(REPO, '1.root.json.golden'));
    const v3 = await readFile(join(REPO, '3.root.json.golden'));
    await store.save({ gun: GUN, root: v1.toString('base64'), versions: { root: 1, targets: 1 } });
    await store.save({ gun: GUN, root: v3.toString('base64'), versions: { root: 3 } });
    const dir = store.metadataDir(GUN);
    expect(await readFile(join(dir, 'root.json'))).toEqual(v3);
    expect((await store.load(GUN))?.versions).toEqual({ root: 3, targets: 1 });
    expect((await stat(join(dir, 'root.json'))).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['dct-versions.json', 'root.json']);
  });

  it('takes the higher of the role files and its own versions file', async () => {
    const { store, dir } = await dockerCache();
    await writeFile(join(dir, 'dct-versions.json'), JSON.stringify({ targets: 7, snapshot: 1 }));
    expect((await store.load(GUN))?.versions).toEqual({ ...DOCKER_VERSIONS, targets: 7 });
    await writeFile(join(dir, 'dct-versions.json'), '{not json');
    expect((await store.load(GUN))?.versions).toEqual(DOCKER_VERSIONS);
  });

  it('skips a half-written role file and keeps the others', async () => {
    const { store, dir, log } = await dockerCache();
    await writeFile(join(dir, 'snapshot.json'), '{"signed": {"vers');
    const { snapshot: _, ...rest } = DOCKER_VERSIONS;
    expect((await store.load(GUN))?.versions).toEqual(rest);
    expect(log.warnings).toEqual([]);
  });

  it('ignores a damaged root with a warning, then trusts again on first use', async () => {
    const { store, dir, log } = await dockerCache();
    await writeFile(join(dir, 'root.json'), '\u0000garbage');
    await expect(store.load(GUN)).resolves.toBeUndefined();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(`The trusted root of ${GUN}`);
    expect(log.warnings[0]).toContain('damaged and was ignored');
    const v1 = await readFile(join(REPO, '1.root.json.golden'));
    await store.save({ gun: GUN, root: v1.toString('base64'), versions: { root: 1 } });
    expect(await readFile(join(dir, 'root.json'))).toEqual(v1);
  });

  it('forgets a repository and refuses to store an invalid state', async () => {
    const { store, dir } = await dockerCache();
    await store.forget(GUN);
    await expect(stat(dir)).rejects.toThrow();
    await expect(store.load(GUN)).resolves.toBeUndefined();
    await expect(
      store.save({ gun: GUN, root: 'not base64!', versions: { root: 1 } }),
    ).rejects.toThrow(TypeError);
    await expect(store.save({ gun: GUN, root: 'AA==', versions: { root: -1 } })).rejects.toThrow(
      TypeError,
    );
  });
});
