/**
 * A root served for the wrong repository, judged as Go's ValidateRoot judges it: the
 * certificate CN is checked before any rotation from a cached root (trustpinning/certs.go).
 */
import { describe, expect, it } from 'vitest';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { FIXTURE_NOW, GUN, fixtureFetcher, fixtureFiles } from '../tuf/helpers/fixtures.js';

const repoFiles = fixtureFiles('repo');
const otherRoot = fixtureFiles('other').get('root')!;
const cn = /CN "registry\.example\.com\/tuf\/other" does not match/;

function cachedAt(version: string) {
  return { gun: GUN, root: repoFiles.get(version)!.toString('base64'), versions: {} };
}

describe('another repository’s root', () => {
  it('is untrusted without a cache', async () => {
    await expect(
      loadTrustedRepo(fixtureFetcher('repo', { root: otherRoot }), { gun: GUN, now: FIXTURE_NOW }),
    ).rejects.toMatchObject({
      code: 'TUF_ROOT_UNTRUSTED',
      message: expect.stringMatching(cn) as unknown,
    });
  });

  it.each(['1.root', 'root'])(
    'is untrusted (not a rotation, not a rollback) against a cached %s',
    async (cached) => {
      const err = await loadTrustedRepo(fixtureFetcher('repo', { root: otherRoot }), {
        gun: GUN,
        now: FIXTURE_NOW,
        trusted: cachedAt(cached),
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'TUF_ROOT_UNTRUSTED',
        message: expect.stringMatching(cn) as unknown,
      });
      // Clearing the cache would not help: the advice must not suggest it as the fix.
      expect((err as Error).message).not.toMatch(/could not rotate/);
    },
  );

  it('while a re-created repository of the same GUN is still a failed rotation', async () => {
    await expect(
      loadTrustedRepo(fixtureFetcher('repo', { root: fixtureFiles('swapped').get('root')! }), {
        gun: GUN,
        now: FIXTURE_NOW,
        trusted: cachedAt('1.root'),
      }),
    ).rejects.toMatchObject({ code: 'TUF_ROOT_ROTATION' });
  });
});
