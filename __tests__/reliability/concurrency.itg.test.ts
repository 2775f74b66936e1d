/**
 * Many signers at once: 4 runs of mixed kinds (delegation signers and the repository key),
 * each signing tags in the same 3 repositories in one call, all started together against the
 * real notary-server. Version conflicts are settled by re-reading and re-applying; no run
 * fails, no tag is lost, and no role's change overwrites another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunPath } from '../../src/notary/client.js';
import { signImages } from '../../src/signer/sign.js';
import { verifyImages } from '../../src/signer/verify.js';
import { pushImage, type PushedImage } from '../support/images.js';
import { createTrustedRepo, type TrustedRepo } from '../support/notary-cli.js';
import { quietLog } from '../signer/flows.js';
import { goList, MemoryTrustStore, startBench, withKeys, type Bench } from './helpers.js';

let bench: Bench;
const REPOS = ['rel/busy-0', 'rel/busy-1', 'rel/busy-2'];
const TAGS_PER_REPO = 2;
let repos: TrustedRepo[];

/** The `signer` input of each run, the roles it lands in, and who verify names. */
const RUNS = [
  { signers: [], roles: ['targets/releases', 'targets/ci'], verifiedAs: ['ci'] },
  { signers: ['releases'], roles: ['targets/releases'], verifiedAs: ['releases'] },
  { signers: ['targets'], roles: ['targets'], verifiedAs: ['targets'] },
  { signers: ['ci'], roles: ['targets/releases', 'targets/ci'], verifiedAs: ['ci'] },
];

beforeAll(async () => {
  bench = await startBench();
  repos = [];
  // One at a time: the Go CLI runs are the slow part and the machine has two cores.
  for (const name of REPOS) repos.push(await createTrustedRepo(bench.sb, gunOf(name)));
});
afterAll(async () => {
  await bench?.stop();
});

function gunOf(name: string): string {
  return `${bench.sb.registry.host}/${name}`;
}

describe('concurrent signers', () => {
  it('3 repositories × 4 mixed signers, all at once: every run succeeds, every tag is listed', async () => {
    // run → image reference → what was pushed under it
    const plans: Map<string, PushedImage>[] = [];
    for (let s = 0; s < RUNS.length; s++) {
      const plan = new Map<string, PushedImage>();
      for (const name of REPOS) {
        for (let t = 0; t < TAGS_PER_REPO; t++) {
          const tag = `s${s}-t${t}`;
          plan.set(`${gunOf(name)}:${tag}`, await pushImage(bench.sb, name, tag, { seed: tag }));
        }
      }
      plans.push(plan);
    }

    const stores = plans.map(() => new MemoryTrustStore());
    const results = await Promise.allSettled(
      plans.map((plan, s) =>
        // Every run holds the keys of all three repositories, as one CI job would.
        withKeys(repos, (keys) =>
          signImages({
            // Through the (fault-free) proxy, to count the publishes.
            trustServer: bench.proxy.url,
            caPem: bench.sb.caPem,
            images: [...plan.keys()],
            keys,
            signers: RUNS[s].signers,
            rootKeyIds: [],
            trustStore: stores[s],
            log: quietLog(),
          }),
        ),
      ),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failed).toEqual([]);
    for (const [s, r] of results.entries()) {
      const signed = r.status === 'fulfilled' ? r.value : [];
      expect(signed.map((x) => `${x.image} ${x.digest} ${[...x.roles].sort().join(',')}`)).toEqual(
        [...plans[s]].map(
          ([image, pushed]) => `${image} ${pushed.digest} ${[...RUNS[s].roles].sort().join(',')}`,
        ),
      );
      // Each run remembered every repository it signed in.
      expect([...stores[s].states.keys()].sort()).toEqual(REPOS.map(gunOf).sort());
    }

    // Each run published once per repository; any other POST lost a version race (400).
    for (const name of REPOS) {
      const posts = bench.proxy.log.filter(
        (e) => e.method === 'POST' && e.path === `/v2/${gunPath(gunOf(name))}/_trust/tuf/`,
      );
      expect(posts.filter((p) => p.status === 200)).toHaveLength(RUNS.length);
      expect(posts.filter((p) => p.status !== 200 && p.status !== 400)).toEqual([]);
    }

    // The Go CLI, from scratch, lists every tag with its digest in every role it went to.
    for (const name of REPOS) {
      for (const role of ['targets', 'targets/releases', 'targets/ci']) {
        const want = plans
          .flatMap((plan, s) => (RUNS[s].roles.includes(role) ? [...plan] : []))
          .filter(([image]) => image.startsWith(`${gunOf(name)}:`))
          .map(([image, pushed]) => `${image.split(':').pop()} ${pushed.digest} ${pushed.size}`)
          .sort();
        expect(want.length).toBeGreaterThan(0);
        expect(await goList(bench.sb, gunOf(name), role)).toEqual(want);
      }
    }

    // And verify, with the state the first run cached, accepts all 24 tags.
    const verified = await verifyImages({
      trustServer: bench.proxy.url,
      caPem: bench.sb.caPem,
      images: plans.flatMap((plan) => [...plan.keys()]),
      requiredSigners: [],
      rootKeyIds: [],
      trustStore: stores[0],
      log: quietLog(),
    });
    expect(verified.map((v) => `${v.image} ${v.digest} ${v.signers.join(',')}`).sort()).toEqual(
      plans
        .flatMap((plan, s) =>
          [...plan].map(([image, p]) => `${image} ${p.digest} ${RUNS[s].verifiedAs.join(',')}`),
        )
        .sort(),
    );
  }, 120_000);
});
