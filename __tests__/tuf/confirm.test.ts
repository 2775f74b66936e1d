/**
 * The read-back after a publish (confirmUploaded): the new timestamp and snapshot are checked
 * under the trusted root before their versions become the rollback floor, and our files count
 * as published only when the server's snapshot lists exactly their bytes.
 */
import { describe, expect, it } from 'vitest';
import { confirmUploaded } from '../../src/tuf/confirm.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { addDays } from '../../src/tuf/time.js';
import { newKey, sha256b64, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

type Uploaded = Map<string, { bytes: Buffer; version: number }>;

/** A loaded repository (timestamp and snapshot v2), then our publish of tag `v1` into targets, stored by the server. */
async function published(): Promise<{ r: TestRepo; repo: TrustedRepo; uploaded: Uploaded }> {
  const r = new TestRepo(GUN, NOW);
  r.publish(); // timestamp and snapshot at version 2 when loaded, so that 1 is a rollback
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
  r.setTargets('targets', (t) => (t.targets['v1'] = target('v1')));
  const ours = r.targets.get('targets')!;
  r.publish();
  const uploaded: Uploaded = new Map([
    ['targets', { bytes: ours.bytes, version: ours.signed.version }],
  ]);
  return { r, repo, uploaded };
}

describe('confirmUploaded', () => {
  it('returns the new versions when the verified snapshot lists our exact bytes', async () => {
    const { r, repo, uploaded } = await published();
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toEqual({
      gun: GUN,
      root: repo.root.bytes.toString('base64'),
      versions: { root: 1, timestamp: 3, snapshot: 3, targets: 2 },
    });
  });

  it('someone published on top of us: the snapshot lists other bytes → undefined', async () => {
    const { r, repo, uploaded } = await published();
    r.setTargets('targets', (t) => (t.targets['v2'] = target('v2')));
    r.publish();
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toBeUndefined();
  });

  it('bytes of the right length but another hash do not count → undefined', async () => {
    const { r, repo, uploaded } = await published();
    const ours = uploaded.get('targets')!;
    const other = Buffer.from(ours.bytes);
    other[other.length - 2] ^= 0x01; // same length, other content
    const swapped: Uploaded = new Map([['targets', { ...ours, bytes: other }]]);
    await expect(confirmUploaded(r.fetcher(), repo, swapped, NOW)).resolves.toBeUndefined();
  });

  it('a snapshot listing our hash with another length does not count (clients refuse it) → undefined', async () => {
    const { r, repo, uploaded } = await published();
    r.publish((s) => (s.meta['targets'].length += 1));
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toBeUndefined();
  });

  it('a role the snapshot does not list → undefined', async () => {
    const { r, repo, uploaded } = await published();
    uploaded.set('targets/ci', { bytes: Buffer.from('{}'), version: 1 });
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toBeUndefined();
  });

  it('a timestamp not signed by the root’s timestamp key is refused, never a new floor → TUF_THRESHOLD', async () => {
    const { r, repo, uploaded } = await published();
    const real = r.timestampKey;
    r.timestampKey = newKey('ed25519');
    r.signTimestamp((t) => (t.version = 1000));
    r.timestampKey = real;
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringMatching(
        /^valid signatures did not meet threshold for timestamp/,
      ) as unknown,
    });
  });

  it('a timestamp older than the one trusted → TUF_ROLLBACK', async () => {
    const { r, repo, uploaded } = await published();
    r.signTimestamp((t) => (t.version = 1));
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
      message: expect.stringMatching(
        /^timestamp version 1 is lower than current version 2/,
      ) as unknown,
    });
  });

  it('an expired timestamp → TUF_EXPIRED', async () => {
    const { r, repo, uploaded } = await published();
    await expect(
      confirmUploaded(r.fetcher(), repo, uploaded, addDays(NOW, 15)),
    ).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^timestamp expired at/) as unknown,
    });
  });

  it('a snapshot not signed by the root’s snapshot key → TUF_THRESHOLD', async () => {
    const { r, repo, uploaded } = await published();
    const real = r.snapshotKey;
    r.snapshotKey = newKey('ed25519');
    r.publish((s) => (s.version = 1000));
    r.snapshotKey = real;
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringMatching(
        /^valid signatures did not meet threshold for snapshot/,
      ) as unknown,
    });
  });

  it('a snapshot older than the one trusted → TUF_ROLLBACK', async () => {
    const { r, repo, uploaded } = await published();
    r.publish((s) => (s.version = 1));
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
      message: expect.stringMatching(
        /^snapshot version 1 is lower than current version 2/,
      ) as unknown,
    });
  });

  it('our own snapshot counts only when the timestamp lists it', async () => {
    const { r, repo, uploaded } = await published();
    const snap = r.snapshot!;
    const withSnapshot: Uploaded = new Map([
      ...uploaded,
      ['snapshot', { bytes: snap.bytes, version: snap.signed.version }],
    ]);
    await expect(confirmUploaded(r.fetcher(), repo, withSnapshot, NOW)).resolves.toMatchObject({
      versions: { timestamp: 3, snapshot: 3, targets: 2 },
    });
    // Another snapshot made since, listing the same targets: ours is not the current one.
    r.publish();
    await expect(confirmUploaded(r.fetcher(), repo, withSnapshot, NOW)).resolves.toBeUndefined();
  });
});
