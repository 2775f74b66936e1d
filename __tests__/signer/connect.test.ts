import { describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import { verifyImages } from '../../src/signer/verify.js';
import { quietLog } from './flows.js';

describe('perRepository', () => {
  it('refuses one pair of credentials for images of two registries, before any request', async () => {
    const err = await verifyImages({
      images: ['ghcr.example:5000/o/app:1', 'hub.example:5000/o/app:1'],
      username: 'gh-user',
      password: 'gh-token-secret',
      requiredSigners: [],
      rootKeyIds: [],
      log: quietLog(),
    }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ImagesError);
    expect(err).toMatchObject({ code: 'CREDENTIALS_AMBIGUOUS' });
    expect((err as Error).message).toMatch(/ghcr\.example:5000, hub\.example:5000/);
    expect((err as Error).message).not.toContain('gh-token-secret');
  });

  it('a bad reference stops the run, naming every bad one', async () => {
    const err = (await verifyImages({
      images: ['Bad/Name:1', 'ok.example/app:1', 'also bad'],
      requiredSigners: [],
      rootKeyIds: [],
      log: quietLog(),
    }).catch((e: unknown) => e)) as ImagesError;
    expect(err.failures.map((f) => [f.image, f.code])).toEqual([
      ['Bad/Name:1', 'IMAGE_REF_INVALID'],
      ['also bad', 'IMAGE_REF_INVALID'],
    ]);
  });
});
