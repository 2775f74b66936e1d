/**
 * Root rotation as the Go CLI does it (the cure for an expiring root certificate,
 * notary-spec.md §7.4), against the real server: a run that remembered the old root must
 * follow a properly cross-signed rotation, and must refuse a repository re-created with new
 * keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import { signImages } from '../../src/signer/sign.js';
import { verifyImages } from '../../src/signer/verify.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf, quietLog } from './flows.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

/** Flow options with a trust store that remembers across the runs of one test. */
function rememberingRun() {
  const store = new MemoryTrustStore();
  const common = {
    trustServer: sb.notary.url,
    caPem: sb.caPem,
    rootKeyIds: [],
    trustStore: store,
    log: quietLog(),
  };
  return { store, common };
}

describe('root rotation', () => {
  it('follows a root key rotation made by the notary CLI, with the old root remembered', async () => {
    const gun = `${sb.registry.host}/rot/app`;
    const repo = await createTrustedRepo(sb, gun);
    const { store, common } = rememberingRun();
    await pushImage(sb, 'rot/app', 'before', { seed: 'before' });
    const keys = keyRingOf(repo);
    try {
      await signImages({ ...common, images: [`${gun}:before`], keys, signers: [] });
      const rootBefore = store.states.get(gun)!.versions['root'];

      // The CLI asks for confirmation (and exits 0 when it is not given).
      await repo.cli.ok(
        ['key', 'rotate', gun, 'root'],
        passphraseEnv(repo.passphrase, repo.rootPassphrase),
        'yes\n',
      );

      const img = await pushImage(sb, 'rot/app', 'after', { seed: 'after' });
      const out = await signImages({ ...common, images: [`${gun}:after`], keys, signers: [] });
      expect(out[0].digest).toBe(img.digest);
      expect(store.states.get(gun)!.versions['root']).toBe(rootBefore + 1);
      const verified = await verifyImages({
        ...common,
        images: [`${gun}:after`],
        requiredSigners: ['ci'],
      });
      expect(verified[0].signers).toEqual(['ci']);
    } finally {
      keys.dispose();
    }
  });

  it('refuses a repository deleted and re-created with new keys when the old root is remembered', async () => {
    const gun = `${sb.registry.host}/rot/again`;
    const first = await createTrustedRepo(sb, gun);
    const { common } = rememberingRun();
    await pushImage(sb, 'rot/again', '1', { seed: 'again' });
    const keys = keyRingOf(first);
    try {
      await signImages({ ...common, images: [`${gun}:1`], keys, signers: [] });
    } finally {
      keys.dispose();
    }
    await first.cli.ok(
      ['delete', gun, '--remote'],
      passphraseEnv(first.passphrase, first.rootPassphrase),
    );
    await createTrustedRepo(sb, gun); // someone else's keys now
    const err = (await verifyImages({ ...common, images: [`${gun}:1`], requiredSigners: [] }).catch(
      (e: unknown) => e,
    )) as ImagesError;
    expect(err.failures[0].code).toMatch(/^TUF_ROOT_(ROTATION|UNTRUSTED)$/);
    expect(err.failures[0].message).toMatch(/trusted root/);
  });
});
