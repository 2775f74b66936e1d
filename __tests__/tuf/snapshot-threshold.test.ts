/**
 * A snapshot role of two keys at threshold two, as root lists it: loading needs both
 * signatures (every other test repository's snapshot has one key).
 */
import { describe, expect, it } from 'vitest';
import { signEnvelope } from '../../src/tuf/envelope.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { newKey, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');

function snapshotAtTwo(): TestRepo {
  const r = new TestRepo(GUN, NOW);
  r.moreSnapshotKeys = [newKey('ecdsa')];
  r.snapshotThreshold = 2;
  r.signRoot(1);
  r.publish();
  return r;
}

describe('loadTrustedRepo, a snapshot at threshold two', () => {
  it('signed by both keys, it loads', async () => {
    const r = snapshotAtTwo();
    const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
    expect(repo.keysOf('snapshot')?.threshold).toBe(2);
    expect(repo.snapshot.signatures.map((s) => s.keyid).sort()).toEqual(
      [r.snapshotKey.id, r.moreSnapshotKeys[0].id].sort(),
    );
  });

  it('signed by one of the two → TUF_THRESHOLD', async () => {
    const r = snapshotAtTwo();
    r.snapshot = signEnvelope(r.snapshot!.signed, [r.snapshotKey.signer]);
    r.signTimestamp();
    await expect(loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW })).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringMatching(
        /^valid signatures did not meet threshold for snapshot/,
      ) as unknown,
    });
  });

  it('one key signing twice still counts once → TUF_THRESHOLD', async () => {
    const r = snapshotAtTwo();
    const one = signEnvelope(r.snapshot!.signed, [r.snapshotKey.signer]);
    const twice = signEnvelope(r.snapshot!.signed, [r.snapshotKey.signer], []);
    r.snapshot = signEnvelope(r.snapshot!.signed, [], [...one.signatures, ...twice.signatures]);
    expect(r.snapshot.signatures).toHaveLength(2);
    r.signTimestamp();
    await expect(loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW })).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
    });
  });
});
