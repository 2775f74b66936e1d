/**
 * Two runs of the action with different image sets, the trust cache between them (the
 * @actions/cache stand-in), against a forged trust server: once the cache remembered a
 * repository, a replayed older state or a swapped root is refused in any later run that
 * names it, whatever else that run names. Before, the cache key hashed the set of
 * repositories, so a run that also named another one restored nothing and accepted both
 * (the Go client, with the same trust directory, refuses both).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../src/action/run.js';
import { ForgedNotary, type ForgedFiles } from '../support/forged-notary.js';
import { TestRepo } from '../tuf/helpers/repo.js';
import { FakeCache } from './fake-cache.js';

let forged: ForgedNotary;
let dir: string;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
  dir = await mkdtemp(join(tmpdir(), 'dct-cache-runs-'));
});
afterAll(async () => {
  await forged?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A repository with `v1` signed in targets and pushed, served by the forged server. */
function repository(): { repo: TestRepo; image: string } {
  const name = `team/runs${++n}`;
  const repo = new TestRepo(`${forged.host}/${name}`, new Date());
  const pushed = forged.pushImage(name, 'v1');
  repo.setTargets('targets', (t) => {
    t.targets['v1'] = {
      hashes: { sha256: Buffer.from(pushed.digest.slice(7), 'hex').toString('base64') },
      length: pushed.size,
    };
  });
  repo.publish();
  forged.serve(repo);
  return { repo, image: `${repo.gun}:v1` };
}

const copy = (f: ForgedFiles): ForgedFiles => ({
  files: new Map(f.files),
  roots: new Map(f.roots),
});

/** One run of `verify` on a fresh runner (an empty RUNNER_TEMP at the hosted path), sharing
 * `cache`. */
async function verify(cache: FakeCache, images: string[]) {
  const rec = {
    failed: [] as string[],
    info: [] as string[],
    outputs: {} as Record<string, string>,
  };
  const inputs: Record<string, string> = {
    command: 'verify',
    images: images.join('\n'),
    'trust-server': forged.origin,
    'ca-cert': forged.pki.caPem,
    cache: 'true',
  };
  const run = ++n;
  const temp = join(dir, 'runner', '_temp');
  await rm(temp, { recursive: true, force: true });
  await runMain({
    core: {
      getInput: (name: string) => inputs[name] ?? '',
      setSecret: () => undefined,
      setOutput: (k: string, v: string) => void (rec.outputs[k] = v),
      setFailed: (m: string) => void rec.failed.push(m),
      info: (m: string) => void rec.info.push(m),
      warning: () => undefined,
      debug: () => undefined,
      saveState: () => undefined,
      getState: () => '',
    },
    env: { RUNNER_TEMP: temp, GITHUB_RUN_ID: String(run) },
    cache,
    writeSummary: () => Promise.resolve(),
  });
  return rec;
}

describe('two runs, different image sets, one cache', () => {
  it('a replayed older state is refused after the cache remembered the repository', async () => {
    const cache = new FakeCache(join(dir, `service-${++n}`));
    const { repo, image } = repository();
    const old = copy(forged.repos.get(repo.gun)!);
    repo.publish(); // the server moves on: snapshot and timestamp version 3
    forged.serve(repo);
    const other = repository();

    const first = await verify(cache, [image]);
    expect(first.failed).toEqual([]);

    forged.repos.set(repo.gun, copy(old)); // an older state, validly signed, served again
    const second = await verify(cache, [image, other.image]);
    expect(second.failed).toEqual([
      expect.stringMatching(
        new RegExp(`^${image}: timestamp version 2 is lower than current version 3`),
      ),
    ]);
    // The other repository of the run is verified, and remembered on its own.
    expect(JSON.parse(second.outputs.verified)).toMatchObject([{ image: other.image }]);
    const third = await verify(cache, [other.image, image]);
    expect(third.failed).toEqual([expect.stringMatching(/lower than current version 3/)]);
  });

  it('a swapped root is refused after the cache remembered the repository', async () => {
    const cache = new FakeCache(join(dir, `service-${++n}`));
    const { repo, image } = repository();
    const other = repository();
    expect((await verify(cache, [image])).failed).toEqual([]);

    // A full takeover: the same repository name, new keys, a brand-new root version 1.
    const taken = new TestRepo(repo.gun, new Date());
    taken.setTargets(
      'targets',
      (t) => (t.targets['v1'] = repo.targets.get('targets')!.signed.targets['v1']),
    );
    taken.publish();
    forged.serve(taken);
    const second = await verify(cache, [other.image, image]);
    expect(second.failed).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${image}: could not rotate trust to a new trusted root: the server's root differs from the trusted root of the same version 1`,
        ),
      ),
    ]);
  });
});
