/**
 * How many round trips loading a repository takes (issue 16, item 2), counted in stages: a
 * fetcher that answers the requests made together at once, so each stage is one wait for the
 * server. Fetching early must never mean trusting early: the errors stay the sequential ones.
 */
import { describe, expect, it } from 'vitest';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import type { MetaFetcher } from '../../src/tuf/checks.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { MemoryFetcher, sha256b64, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');

/**
 * Holds every request until the current turn of the event loop is over, then answers them
 * together: `stages` lists what was asked in each round trip.
 */
class StagedFetcher implements MetaFetcher {
  readonly stages: string[][] = [];
  private batch: Array<() => void> = [];
  private names: string[] = [];

  constructor(private readonly inner: MemoryFetcher) {}

  fetch(
    role: string,
    opts: { sha256?: string; version?: number; maxLength?: number } = {},
  ): Promise<Buffer | undefined> {
    if (this.batch.length === 0) setImmediate(() => this.flush());
    this.names.push(opts.version !== undefined ? `${opts.version}.${role}` : role);
    return new Promise((resolve, reject) => {
      this.batch.push(() => void this.inner.fetch(role, opts).then(resolve, reject));
    });
  }

  private flush(): void {
    const batch = this.batch;
    this.stages.push(this.names.sort());
    this.batch = [];
    this.names = [];
    for (const answer of batch) answer();
  }
}

const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

/** docker's layout: targets delegating to targets/releases and a signer, both with files. */
function dockerRepo(): TestRepo {
  const r = new TestRepo(GUN, NOW);
  r.delegate('targets', 'targets/releases');
  r.delegate('targets', 'targets/ci');
  r.setTargets('targets/releases', (t) => (t.targets['v1'] = target('v1')));
  r.setTargets('targets/ci', (t) => (t.targets['v1'] = target('v1')));
  r.publish();
  return r;
}

async function cachedState(r: TestRepo): Promise<TrustState> {
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!.trustState();
}

describe('loading a repository in few round trips', () => {
  it('docker layout: root ∥ timestamp, snapshot, then targets ∥ its delegations', async () => {
    const r = dockerRepo();
    const trusted = await cachedState(r);
    const staged = new StagedFetcher(r.fetcher());
    const repo = (await loadTrustedRepo(staged, { gun: GUN, now: NOW, trusted }))!;
    expect(staged.stages).toEqual([
      ['root', 'timestamp'],
      ['snapshot'],
      ['targets', 'targets/ci', 'targets/releases'],
    ]);
    // The same result as one request at a time, in the same order.
    const sequential = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW, trusted }))!;
    expect([...repo.targets.keys()]).toEqual([...sequential.targets.keys()]);
    expect([...repo.targets.keys()]).toEqual(['targets', 'targets/releases', 'targets/ci']);
    expect(repo.trustState()).toEqual(sequential.trustState());
  });

  it('a root rotation still fetches the roots in between before anything else is read', async () => {
    const r = dockerRepo();
    const trusted = await cachedState(r);
    r.signRoot(2);
    r.signRoot(3);
    r.publish();
    const staged = new StagedFetcher(r.fetcher());
    const repo = (await loadTrustedRepo(staged, { gun: GUN, now: NOW, trusted }))!;
    expect(repo.root.signed.version).toBe(3);
    expect(staged.stages).toEqual([
      ['root', 'timestamp'],
      ['2.root'],
      ['snapshot'],
      ['targets', 'targets/ci', 'targets/releases'],
    ]);
  });

  it('many delegations: each level is fetched at once, after its verified parent', async () => {
    const r = new TestRepo(GUN, NOW);
    const names = Array.from({ length: 20 }, (_, i) => `targets/s${String(i).padStart(2, '0')}`);
    for (const name of names) {
      r.delegate('targets', name);
      r.setTargets(name, (t) => (t.targets[name] = target(name)));
    }
    r.publish();
    const staged = new StagedFetcher(r.fetcher());
    const repo = (await loadTrustedRepo(staged, { gun: GUN, now: NOW }))!;
    expect(staged.stages).toEqual([['root', 'timestamp'], ['snapshot'], ['targets'], names]);
    expect([...repo.targets.keys()]).toEqual(['targets', ...names]);
  });

  it('an untrusted root is reported, not the timestamp fetched with it', async () => {
    const r = dockerRepo();
    const fetcher = r.fetcher();
    fetcher.files.delete('timestamp');
    await expect(
      loadTrustedRepo(new StagedFetcher(fetcher), {
        gun: GUN,
        now: NOW,
        pinnedRootKeyIds: ['0'.repeat(64)],
      }),
    ).rejects.toMatchObject({ code: 'TUF_ROOT_UNTRUSTED' });
    // With a trusted root, the missing timestamp is what fails.
    await expect(
      loadTrustedRepo(new StagedFetcher(fetcher), { gun: GUN, now: NOW }),
    ).rejects.toMatchObject({ code: 'TUF_MISSING', message: /^timestamp metadata is missing/ });
  });

  it('a tampered targets file is reported before a delegation fetched with it', async () => {
    const r = dockerRepo();
    const fetcher = r.fetcher();
    fetcher.files.delete('targets/releases');
    // A missing delegation file fails the load when the walk reaches it …
    await expect(
      loadTrustedRepo(new StagedFetcher(fetcher), { gun: GUN, now: NOW }),
    ).rejects.toMatchObject({ code: 'TUF_MISSING', message: /^targets\/releases metadata/ });
    // … but the targets file, checked first, decides when it is bad too.
    const targets = Buffer.from(fetcher.files.get('targets')!);
    targets[targets.length - 2] ^= 1;
    fetcher.files.set('targets', targets);
    await expect(
      loadTrustedRepo(new StagedFetcher(fetcher), { gun: GUN, now: NOW }),
    ).rejects.toMatchObject({ code: 'TUF_HASH_MISMATCH', message: /checksum for targets did/ });
  });

  it('a delegation no verified parent lists is never read, even if fetched', async () => {
    const r = dockerRepo();
    // The snapshot lists targets/ci, but targets no longer delegates to it.
    r.setTargets('targets', (t) => {
      t.delegations.roles = t.delegations.roles.filter((d) => d.name !== 'targets/ci');
    });
    r.publish();
    const fetcher = r.fetcher();
    fetcher.files.set('targets/ci', Buffer.from('not even JSON'));
    const repo = (await loadTrustedRepo(new StagedFetcher(fetcher), { gun: GUN, now: NOW }))!;
    expect([...repo.targets.keys()]).toEqual(['targets', 'targets/releases']);
    expect(repo.delegation('targets/ci')).toBeUndefined();
  });
});
