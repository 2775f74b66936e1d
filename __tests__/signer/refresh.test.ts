/** `refreshRepositories` input handling; the flow itself runs against the real server in
 *  refresh.itg.test.ts. */
import { describe, expect, it } from 'vitest';
import { DctError, ImagesError } from '../../src/errors.js';
import type { RepoConnection } from '../../src/signer/connect.js';
import { loadRepo } from '../../src/signer/publish.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { refreshRepositories } from '../../src/signer/refresh.js';
import { quietLog } from './flows.js';

describe('refreshRepositories: bad input', () => {
  it('a bad repository name stops the run before any server is asked, naming it', async () => {
    const run = refreshRepositories({
      // Unreachable on purpose: nothing may be requested before every name has parsed.
      trustServer: 'https://127.0.0.1:1',
      repositories: ['registry.example.com/team/app', 'registry.example.com/Team/App'],
      keys: {} as KeyRing,
      expiresWithinMs: 0,
      log: quietLog(),
    });
    const e = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ImagesError);
    expect((e as ImagesError).failures).toEqual([
      {
        image: 'registry.example.com/Team/App',
        code: 'REPOSITORY_INVALID',
        message: expect.stringMatching(/must be lowercase/) as unknown,
      },
    ]);
    expect((e as ImagesError).done).toEqual([]);
  });

  it('no repository at all is an error', async () => {
    await expect(
      refreshRepositories({
        repositories: [],
        keys: {} as KeyRing,
        expiresWithinMs: 0,
        log: quietLog(),
      }),
    ).rejects.toThrow('no repository to refresh was given');
  });
});

describe('loadRepo: Docker Hub’s retired Notary service', () => {
  /** A connection whose trust server fails every read with `e`. */
  const failingConn = (server: string, e: DctError, serverGiven = false): RepoConnection =>
    ({
      gun: 'docker.io/team/app',
      server,
      serverGiven,
      notary: { fetch: () => Promise.reject(e) },
      registry: {},
    }) as unknown as RepoConnection;

  it('a failure of notary.docker.io says it shut down and where to go', async () => {
    const e = new DctError('HTTP_UNREACHABLE', 'cannot reach the trust server notary.docker.io');
    for (const given of [false, true]) {
      const run = loadRepo(
        { conn: failingConn('https://notary.docker.io', e, given), rootKeyIds: [] },
        undefined,
      );
      await expect(run).rejects.toMatchObject({
        code: 'HTTP_UNREACHABLE',
        message: expect.stringMatching(
          /^cannot reach the trust server notary\.docker\.io; Docker's Notary service \(notary\.docker\.io\) shut down on 8 December 2026: set `trust-server` to a self-hosted Notary server .* or move to Sigstore signatures/,
        ) as unknown,
      });
    }
  });

  it('another server failing says nothing of it; bad trust data from Docker Hub neither', async () => {
    const down = new DctError(
      'HTTP_UNREACHABLE',
      'cannot reach the trust server notary.example.com',
    );
    await expect(
      loadRepo(
        { conn: failingConn('https://notary.example.com', down, true), rootKeyIds: [] },
        undefined,
      ),
    ).rejects.toThrow(/^cannot reach the trust server notary\.example\.com$/);
    const bad = new DctError('TUF_HASH_MISMATCH', 'sha256 checksum for targets did not match');
    await expect(
      loadRepo({ conn: failingConn('https://notary.docker.io', bad), rootKeyIds: [] }, undefined),
    ).rejects.toThrow(/^sha256 checksum for targets did not match$/);
  });
});
