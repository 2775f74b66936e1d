/**
 * Resolving tags against an expected digest (issue 16, item 2): the tag and the manifest under
 * the digest are asked for at once, and the answers are judged in the old order.
 */
import { describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import type { ManifestInfo, RegistryClient } from '../../src/registry/client.js';
import { parseImageRef } from '../../src/registry/reference.js';
import type { RepoConnection } from '../../src/signer/connect.js';
import { resolveEach } from '../../src/signer/sign.js';

const GUN = 'registry.example.com/team/app';
const WANT = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** A registry whose answers wait until `answer()`; `asked` lists the requests made so far. */
function heldRegistry(tag: () => ManifestInfo, byDigest: () => ManifestInfo) {
  const asked: string[] = [];
  const held: Array<() => void> = [];
  const hold = (what: string, answer: () => ManifestInfo) => {
    asked.push(what);
    return new Promise<void>((resolve) => held.push(resolve)).then(answer);
  };
  const registry = {
    resolveTag: () => hold('tag', tag),
    getManifest: (_ref: unknown, digest: string) => hold(digest, byDigest),
  } as unknown as RegistryClient;
  const conn = { gun: GUN, registry } as unknown as RepoConnection;
  const answer = () => held.splice(0).forEach((a) => a());
  return { conn, asked, answer };
}

const info = (digest: string, size = 123): ManifestInfo => ({
  digest,
  size,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
});

async function resolving(reg: ReturnType<typeof heldRegistry>, command: 'sign' | 'verify') {
  let finished = false;
  const done = resolveEach(reg.conn, [parseImageRef(`${GUN}:1.0`)], WANT, command).finally(() => {
    finished = true;
  });
  const tick = () => new Promise((r) => setImmediate(r));
  // Let every request that does not wait for another answer go out: the first round trip.
  await tick();
  const together = [...reg.asked];
  while (!finished) {
    reg.answer();
    await tick();
  }
  return { together, result: await done };
}

describe('resolving a tag against an expected digest', () => {
  it('asks for the tag and the manifest under the digest in one round trip', async () => {
    const reg = heldRegistry(
      () => info(WANT),
      () => info(WANT, 456),
    );
    const { together, result } = await resolving(reg, 'sign');
    expect(together).toEqual(['tag', WANT]);
    expect([...result.targets.values()]).toEqual([{ digest: WANT, size: 456 }]);
    expect(result.failures).toEqual([]);
  });

  it('a moved tag is reported as TAG_MOVED, not as the failure of the digest request', async () => {
    const reg = heldRegistry(
      () => info(OTHER),
      () => {
        throw new DctError('REGISTRY_MANIFEST_NOT_FOUND', 'not there');
      },
    );
    const { result } = await resolving(reg, 'verify');
    expect(result.failures.map((f) => f.code)).toEqual(['TAG_MOVED']);
  });

  it('the digest request failing counts once the tag holds the digest', async () => {
    const reg = heldRegistry(
      () => info(WANT),
      () => {
        throw new DctError('REGISTRY_MANIFEST_NOT_FOUND', `manifest ${WANT} not found`);
      },
    );
    const { result } = await resolving(reg, 'sign');
    expect(result.failures.map((f) => f.code)).toEqual(['REGISTRY_MANIFEST_NOT_FOUND']);
  });

  it('the tag failing is reported, whatever the digest request says', async () => {
    const reg = heldRegistry(
      () => {
        throw new DctError('REGISTRY_TAG_NOT_FOUND', 'tag not found in the registry');
      },
      () => {
        throw new DctError('REGISTRY_MANIFEST_NOT_FOUND', 'not there');
      },
    );
    const { result } = await resolving(reg, 'sign');
    expect(result.failures.map((f) => f.code)).toEqual(['REGISTRY_TAG_NOT_FOUND']);
  });
});
