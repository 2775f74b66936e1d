/**
 * The read-back after a publish (tuf/confirm.ts) at the edges confirm.test.ts leaves open:
 * a missing or oversized timestamp, our own snapshot used without fetching it, and the versions kept for roles we did not upload. Written against the
 * mutants StrykerJS left alive (issue 14).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TIMESTAMP_MAX_BYTES, type MetaFetcher } from '../../src/tuf/checks.js';
import { confirmUploaded } from '../../src/tuf/confirm.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { metaFileFor } from '../../src/tuf/models.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { sha256b64, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

type Uploaded = Map<string, { bytes: Buffer; version: number }>;

async function published(): Promise<{ r: TestRepo; repo: TrustedRepo; uploaded: Uploaded }> {
  const r = new TestRepo(GUN, NOW);
  r.delegate('targets', 'targets/ci');
  r.setTargets('targets/ci', (t) => (t.targets['ci'] = target('ci')));
  r.publish();
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
  r.setTargets('targets', (t) => (t.targets['v1'] = target('v1')));
  const ours = r.targets.get('targets')!;
  r.publish();
  const uploaded: Uploaded = new Map([
    ['targets', { bytes: ours.bytes, version: ours.signed.version }],
  ]);
  return { r, repo, uploaded };
}

describe('confirmUploaded, edges', () => {
  it('keeps the versions of roles we did not upload', async () => {
    const { r, repo, uploaded } = await published();
    const before = repo.trustState().versions;
    expect(before['targets/ci']).toBe(1);
    const f = r.fetcher();
    await expect(confirmUploaded(f, repo, uploaded, NOW)).resolves.toMatchObject({
      versions: {
        ...before,
        timestamp: r.timestamp!.signed.version,
        snapshot: r.snapshot!.signed.version,
        targets: uploaded.get('targets')!.version,
      },
    });
    // The snapshot is asked for by name (and the hash the timestamp gives).
    expect(f.requests).toEqual(['timestamp', expect.stringMatching(/^snapshot\.[0-9a-f]+$/)]);
  });

  it('a role the snapshot lists without a sha256 is not confirmed (undefined), not an error', async () => {
    const { r, repo } = await published();
    const ci = r.targets.get('targets/ci')!;
    r.publish((s) => {
      s.meta['targets/ci'].hashes = {
        sha512: createHash('sha512').update(ci.bytes).digest('base64'),
      };
    });
    const uploaded: Uploaded = new Map([['targets/ci', { bytes: ci.bytes, version: 1 }]]);
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toBeUndefined();
  });

  it('a timestamp missing on the server → TUF_MISSING', async () => {
    const { r, repo, uploaded } = await published();
    const f = r.fetcher();
    f.files.delete('timestamp');
    await expect(confirmUploaded(f, repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_MISSING',
      message: expect.stringMatching(
        /^timestamp metadata is missing on the trust server/,
      ) as unknown,
    });
  });

  it('asks for the timestamp capped, and refuses an oversized one a fetcher did not cap → TUF_LENGTH', async () => {
    const { repo, uploaded } = await published();
    const asked: unknown[] = [];
    const huge: MetaFetcher = {
      fetch: (role, opts) => {
        asked.push([role, opts]);
        return Promise.resolve(Buffer.alloc(TIMESTAMP_MAX_BYTES + 1, 0x20));
      },
    };
    await expect(confirmUploaded(huge, repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: `timestamp is larger than ${TIMESTAMP_MAX_BYTES} bytes; the trust server may be serving stale or tampered data`,
    });
    expect(asked).toEqual([['timestamp', { maxLength: TIMESTAMP_MAX_BYTES }]]);
  });

  it('our own snapshot, when the timestamp lists it, is used without fetching it', async () => {
    const { r, repo, uploaded } = await published();
    const snap = r.snapshot!;
    uploaded.set('snapshot', { bytes: snap.bytes, version: snap.signed.version });
    const f = r.fetcher();
    await expect(confirmUploaded(f, repo, uploaded, NOW)).resolves.toMatchObject({
      versions: { snapshot: snap.signed.version, targets: uploaded.get('targets')!.version },
    });
    expect(f.requests).toEqual(['timestamp']);
  });

  it('our own snapshot of the right length but other bytes → undefined', async () => {
    const { r, repo, uploaded } = await published();
    const bytes = Buffer.from(r.snapshot!.bytes);
    bytes[bytes.length - 2] ^= 0x01;
    uploaded.set('snapshot', { bytes, version: r.snapshot!.signed.version });
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).resolves.toBeUndefined();
  });

  it('errors name the file and its parent: a malformed timestamp or snapshot, a snapshot of another length', async () => {
    const { r, repo, uploaded } = await published();
    const bad = r.fetcher();
    bad.files.set('timestamp', Buffer.from('{}'));
    await expect(confirmUploaded(bad, repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^timestamp metadata is malformed/) as unknown,
    });
    // A snapshot whose hash and length the timestamp vouches for, but that does not parse.
    const junk = Buffer.from('{}');
    r.signTimestamp((t) => (t.meta['snapshot'] = metaFileFor(junk)));
    const badSnapshot = r.fetcher();
    badSnapshot.files.set('snapshot', junk);
    await expect(confirmUploaded(badSnapshot, repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringMatching(/^snapshot metadata is malformed/) as unknown,
    });
    r.signTimestamp((t) => (t.meta['snapshot'].length += 1));
    await expect(confirmUploaded(r.fetcher(), repo, uploaded, NOW)).rejects.toMatchObject({
      code: 'TUF_LENGTH',
      message: expect.stringMatching(/^snapshot is \d+ bytes but timestamp says \d+;/) as unknown,
    });
  });
});
