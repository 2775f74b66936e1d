/** `refreshRepositories` input handling; the flow itself runs against the real server in
 *  refresh.itg.test.ts. */
import { describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
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
