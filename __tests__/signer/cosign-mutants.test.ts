/**
 * The Sigstore bridge of the flows (signer/cosign.ts) over an in-memory registry and a
 * synthetic repository whose keys the test holds. verify: no `.sig` at all, a signature by a
 * key the trust data does not name, every required signer needed (by short or role name, with
 * or without other problems to report), only delegations whose paths allow the tag counted,
 * the repository key counted. sign: which keys sign (P-256 only, each once, or the
 * `cosign-key` alone), the digests an index covers (media type from the registry or the
 * document, at most four levels, each once, listed entries that are no digest skipped, a
 * manifest that is not JSON), a missing manifest, and what each tag carries when a `.sig`
 * write fails. Written against the mutants StrykerJS left alive in signer/cosign.ts (issue 14).
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signatureTag } from '../../src/cosign/image.js';
import { attachSignatures, prepareSignature } from '../../src/cosign/sign.js';
import { DctError } from '../../src/errors.js';
import { shortId } from '../../src/keys/keyid.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import type { Manifest, RegistryClient } from '../../src/registry/client.js';
import { parseImageRef, type ImageRef } from '../../src/registry/reference.js';
import type { RepoConnection } from '../../src/signer/connect.js';
import { checkCosign, prepareCosignSign, writeCosignSignatures } from '../../src/signer/cosign.js';
import { GroupImagesError } from '../../src/signer/images.js';
import type { SignedTag } from '../../src/signer/types.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { newKey, TestRepo, testKeyOf, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

const GUN = 'registry.example.com/team/app';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A registry in memory: blobs by digest, manifests by digest and tag. */
class MemRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly fetched: string[] = [];
  /** Answers a manifest write itself (e.g. fails it) when it returns something. */
  onPut?: (reference: string, bytes: Buffer) => 'drop' | Error | undefined;

  fetchManifest(_ref: ImageRef, reference: string): Promise<Manifest | undefined> {
    this.fetched.push(reference);
    const m = this.manifests.get(reference);
    if (m === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ ...m, digest: sha(m.bytes), size: m.bytes.length });
  }

  getBlob(_ref: ImageRef, digest: string): Promise<Buffer> {
    const b = this.blobs.get(digest);
    if (b === undefined) return Promise.reject(new DctError('REGISTRY_BLOB_NOT_FOUND', digest));
    return Promise.resolve(b);
  }

  pushBlob(_ref: ImageRef, bytes: Buffer): Promise<string> {
    this.blobs.set(sha(bytes), bytes);
    return Promise.resolve(sha(bytes));
  }

  putManifest(_ref: ImageRef, reference: string, mediaType: string, bytes: Buffer) {
    const answer = this.onPut?.(reference, bytes);
    if (answer instanceof Error) return Promise.reject(answer);
    if (answer !== 'drop') this.manifests.set(reference, { bytes, mediaType });
    return Promise.resolve(sha(bytes));
  }

  /** Stores a manifest under its digest; returns the digest. */
  add(doc: unknown, mediaType = OCI_MANIFEST): string {
    const bytes = Buffer.isBuffer(doc) ? doc : Buffer.from(JSON.stringify(doc));
    this.manifests.set(sha(bytes), { bytes, mediaType });
    return sha(bytes);
  }

  image(seed: string): string {
    return this.add({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { seed }, layers: [] });
  }
}

const MADE = new Date('2030-06-01T12:00:00Z');
let base: TestRepo;
let releases: TestKey;
let ci: TestKey;
let rsa: TestKey;
const rings: KeyRing[] = [];
/** The RSA key, made once: a plain Node key (nothing of src/ runs outside a test). */
let rsaKey: KeyObject;
beforeAll(() => {
  rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});

/** targets, targets/releases (any tag), targets/ci (tags `prod-…`), targets/rsa (an RSA key). */
beforeEach(() => {
  base = new TestRepo(GUN, MADE);
  base.delegate('targets', 'targets/releases');
  base.delegate('targets', 'targets/ci', { paths: ['prod-'] });
  base.delegate('targets', 'targets/rsa', { keys: [testKeyOf(rsaKey)] });
  for (const role of ['targets/releases', 'targets/ci', 'targets/rsa']) {
    base.setTargets(role, () => undefined);
  }
  base.publish();
  releases = base.delegationKeys.get('targets/releases')![0];
  ci = base.delegationKeys.get('targets/ci')![0];
  rsa = base.delegationKeys.get('targets/rsa')![0];
});
afterEach(() => {
  for (const r of rings.splice(0)) r.dispose();
});

async function trusted(r = base): Promise<TrustedRepo> {
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: MADE }))!;
}

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

const connOf = (reg: MemRegistry) => ({ gun: GUN, registry: reg }) as unknown as RepoConnection;
const attach = { settleMs: 0, sleep: () => Promise.resolve() };

/** Writes a cosign signature of `digest` by each key into its `.sig`. */
async function cosignSign(reg: MemRegistry, ref: ImageRef, digest: string, ...keys: KeyObject[]) {
  const registry = reg as unknown as RegistryClient;
  const sigs = await Promise.all(
    keys.map((key) => prepareSignature(registry, ref, digest, { key, label: 'k' })),
  );
  await attachSignatures(registry, ref, digest, sigs, attach);
}

describe('checkCosign (verify with cosign)', () => {
  let ref: ImageRef;
  let prodRef: ImageRef;
  beforeEach(() => {
    ref = parseImageRef(`${GUN}:v1`);
    prodRef = parseImageRef(`${GUN}:prod-1`);
  });

  async function verdict(
    reg: MemRegistry,
    digest: string,
    required: string[],
    r: ImageRef = ref,
  ): Promise<{ code: string; message: string } | undefined> {
    try {
      await checkCosign(connOf(reg), await trusted(), r, { digest, size: 1 }, required);
      return undefined;
    } catch (e) {
      return { code: (e as DctError).code, message: (e as Error).message };
    }
  }

  it('no .sig at all: COSIGN_NOT_SIGNED, naming the tag it looked for', async () => {
    const reg = new MemRegistry();
    const d = reg.image('a');
    expect(await verdict(reg, d, [])).toEqual({
      code: 'COSIGN_NOT_SIGNED',
      message: `has no cosign signature: the registry holds no ${signatureTag(d)} for ${d} (only a DCT signature); sign it with \`cosign: true\``,
    });
  });

  it('a signature by a delegated key passes; by a key the trust data does not name, it does not', async () => {
    const reg = new MemRegistry();
    const good = reg.image('good');
    await cosignSign(reg, ref, good, releases.key);
    expect(await verdict(reg, good, [])).toBeUndefined();

    const bad = reg.image('bad');
    await cosignSign(reg, ref, bad, newKey('ecdsa').key);
    expect(await verdict(reg, bad, [])).toEqual({
      code: 'COSIGN_NOT_VALID',
      message: `no valid cosign signature for ${bad} by a key of any signer the trust data delegates to (1 signature(s) in ${signatureTag(bad)}: layer 1: the signature is not by any of the keys)`,
    });
  });

  it('the repository (targets) key counts when no signer is required', async () => {
    const reg = new MemRegistry();
    const d = reg.image('t');
    await cosignSign(reg, ref, d, base.targetsKey.key);
    expect(await verdict(reg, d, [])).toBeUndefined();
    expect((await verdict(reg, d, ['releases']))?.code).toBe('COSIGN_NOT_VALID');
  });

  it('a delegation counts only for the tags its paths allow', async () => {
    const reg = new MemRegistry();
    const d = reg.image('ci');
    await cosignSign(reg, ref, d, ci.key);
    expect((await verdict(reg, d, [], ref))?.code).toBe('COSIGN_NOT_VALID');
    expect(await verdict(reg, d, [], prodRef)).toBeUndefined();
  });

  it('every required signer must have signed, by short or role name', async () => {
    const reg = new MemRegistry();
    const d = reg.image('both');
    await cosignSign(reg, ref, d, releases.key);
    expect(await verdict(reg, d, ['releases'])).toBeUndefined();
    expect(await verdict(reg, d, ['targets/releases'])).toBeUndefined();
    // ci has not signed, and nothing else is wrong to report.
    expect(await verdict(reg, d, ['ci', 'releases'])).toEqual({
      code: 'COSIGN_NOT_VALID',
      message: `no valid cosign signature for ${d} by a key of ci (1 signature(s) in ${signatureTag(d)})`,
    });
    const other = reg.image('other');
    await cosignSign(reg, ref, other, releases.key, ci.key);
    expect(await verdict(reg, other, ['releases', 'ci'])).toBeUndefined();
    expect(await verdict(reg, other, ['releases'])).toBeUndefined();
    expect(await verdict(reg, other, ['ci', 'rsa'])).toEqual({
      code: 'COSIGN_NOT_VALID',
      message: `no valid cosign signature for ${other} by a key of rsa (2 signature(s) in ${signatureTag(other)}: layer 1: the signature is not by any of the keys)`,
    });
    expect(await verdict(reg, d, ['ci', 'rsa', 'releases'])).toEqual({
      code: 'COSIGN_NOT_VALID',
      message: `no valid cosign signature for ${d} by a key of ci, rsa (1 signature(s) in ${signatureTag(d)})`,
    });
  });

  it('a required signer the trust data does not know has no keys, so no valid signature', async () => {
    const reg = new MemRegistry();
    const d = reg.image('nobody');
    await cosignSign(reg, ref, d, releases.key);
    expect(await verdict(reg, d, ['nobody'])).toEqual({
      code: 'COSIGN_NOT_VALID',
      message: `no valid cosign signature for ${d} by a key of nobody (1 signature(s) in ${signatureTag(d)}: layer 1: the signature is not by any of the keys)`,
    });
  });

  it('every problem found is reported, one after another', async () => {
    const reg = new MemRegistry();
    const d = reg.image('two-bad');
    await cosignSign(reg, ref, d, newKey('ecdsa').key, newKey('ecdsa').key);
    expect((await verdict(reg, d, []))?.message).toBe(
      `no valid cosign signature for ${d} by a key of any signer the trust data delegates to (2 signature(s) in ${signatureTag(d)}: layer 1: the signature is not by any of the keys; layer 2: the signature is not by any of the keys)`,
    );
  });
});

describe('prepareCosignSign (sign with cosign, before the DCT publish)', () => {
  let ref: ImageRef;
  beforeEach(() => {
    ref = parseImageRef(`${GUN}:v1`);
  });
  const target = (digest: string) => new Map([[ref, { digest, size: 1 }]]);

  it('signs with each held P-256 key of the roles, once each, labelled by signer', async () => {
    const reg = new MemRegistry();
    const d = reg.image('x');
    const repo = await trusted();
    const plan = await prepareCosignSign(
      connOf(reg),
      [ref],
      target(d),
      repo,
      () => ['targets/releases', 'targets/ci', 'targets/releases', 'targets/none'],
      ring(releases, ci, base.targetsKey),
      {},
    );
    expect([...plan.byDigest.keys()]).toEqual([d]);
    expect(plan.byDigest.get(d)!.map((s) => s.label)).toEqual([
      `the releases key ${shortId(releases.id)}`,
      `the ci key ${shortId(ci.id)}`,
    ]);
    expect(plan.digestsOf.get(ref)).toEqual([d]);
    // Each payload was uploaded before anything is published.
    for (const s of plan.byDigest.get(d)!) expect(reg.blobs.get(sha(s.payload))).toEqual(s.payload);
  });

  it('a key two roles share signs once', async () => {
    const r = new TestRepo(GUN, MADE);
    const shared = newKey('ecdsa');
    r.delegate('targets', 'targets/a', { keys: [shared] });
    r.delegate('targets', 'targets/b', { keys: [shared] });
    r.setTargets('targets/a', () => undefined);
    r.setTargets('targets/b', () => undefined);
    r.publish();
    const reg = new MemRegistry();
    const d = reg.image('y');
    const plan = await prepareCosignSign(
      connOf(reg),
      [ref],
      target(d),
      await trusted(r),
      () => ['targets/a', 'targets/b'],
      ring(shared),
      {},
    );
    expect(plan.byDigest.get(d)!.map((s) => s.label)).toEqual([`the a key ${shortId(shared.id)}`]);
  });

  it('a held key that is not P-256 stops it, pointing at cosign-key; a cosign-key signs alone', async () => {
    const reg = new MemRegistry();
    const d = reg.image('z');
    const repo = await trusted();
    const keys = ring(rsa, releases);
    const run = prepareCosignSign(
      connOf(reg),
      [ref],
      target(d),
      repo,
      () => ['targets/rsa'],
      keys,
      {},
    );
    const failed = await run.then(
      () => undefined,
      (e: unknown) => e as DctError,
    );
    expect(failed?.cause).toMatchObject({ code: 'COSIGN_KEY_UNSUPPORTED' });
    expect(failed?.cause).not.toBe(failed);
    await expect(run).rejects.toMatchObject({
      code: 'COSIGN_KEY_UNSUPPORTED',
      message: expect.stringMatching(
        new RegExp(
          `^the rsa key ${shortId(rsa.id)} is a rsa key; .*; give a cosign key as \`cosign-key\` to sign with it instead$`,
        ),
      ) as unknown,
    });
    expect(reg.blobs.size).toBe(0);

    const cosignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const plan = await prepareCosignSign(
      connOf(reg),
      [ref],
      target(d),
      repo,
      () => ['targets/rsa', 'targets/releases'],
      keys,
      { key: cosignKey },
    );
    const sigs = plan.byDigest.get(d)!;
    expect(sigs.map((s) => s.label)).toEqual(['the `cosign-key`']);
    expect(sigs[0].publicKey.export({ format: 'jwk' })).toEqual(
      createPublicKey(cosignKey).export({ format: 'jwk' }),
    );
  });

  it('an index covers every manifest it lists, each once; entries that are no digest are skipped', async () => {
    const reg = new MemRegistry();
    const m1 = reg.image('m1');
    const m2 = reg.image('m2');
    const inner = reg.add(
      { mediaType: DOCKER_LIST, manifests: [{ digest: m2 }, { digest: m1 }] },
      'application/json',
    );
    const top = reg.add(
      {
        manifests: [
          { digest: m1 },
          null,
          { digest: 'sha256:XYZ' },
          { digest: `x${m2}` },
          { digest: `${m2}x` },
          { digest: `sha256:${'a'.repeat(63)}` },
          { digest: 7 },
          // a list holding a digest is no digest, though it prints as one
          { digest: [m2] },
          { digest: inner },
          { digest: m1 },
        ],
      },
      OCI_INDEX,
    );
    const plan = await prepareCosignSign(
      connOf(reg),
      [ref],
      target(top),
      await trusted(),
      () => ['targets/releases'],
      ring(releases),
      {},
    );
    expect(plan.digestsOf.get(ref)).toEqual([top, m1, inner, m2]);
    expect([...plan.byDigest.keys()].sort()).toEqual([top, m1, inner, m2].sort());
  });

  it('descends four index levels, no further; a manifest listing manifests is no index', async () => {
    const reg = new MemRegistry();
    const leaf = reg.image('leaf');
    const chain = [leaf];
    for (let i = 0; i < 5; i++) {
      chain.unshift(
        reg.add({ mediaType: OCI_INDEX, manifests: [{ digest: chain[0] }] }, OCI_INDEX),
      );
    }
    const plan = await prepareCosignSign(
      connOf(reg),
      [ref],
      target(chain[0]),
      await trusted(),
      () => ['targets/releases'],
      ring(releases),
      {},
    );
    expect(plan.digestsOf.get(ref)).toEqual(chain.slice(0, 5));

    const notIndex = reg.add({ mediaType: OCI_MANIFEST, manifests: [{ digest: leaf }] });
    const notList = reg.add({ mediaType: OCI_INDEX, manifests: { digest: leaf } }, OCI_INDEX);
    const text = reg.add(Buffer.from('not json'), OCI_INDEX);
    for (const d of [notIndex, notList, text]) {
      const p = await prepareCosignSign(
        connOf(reg),
        [ref],
        target(d),
        await trusted(),
        () => ['targets/releases'],
        ring(releases),
        {},
      );
      expect(p.digestsOf.get(ref)).toEqual([d]);
    }
  });

  it('a manifest the registry does not have stops it', async () => {
    const reg = new MemRegistry();
    const d = `sha256:${'c'.repeat(64)}`;
    await expect(
      prepareCosignSign(
        connOf(reg),
        [ref],
        target(d),
        await trusted(),
        () => [],
        ring(releases),
        {},
      ),
    ).rejects.toMatchObject({
      code: 'REGISTRY_MANIFEST_NOT_FOUND',
      message: `manifest ${d} not found in the registry`,
    });
  });

  it('tags of one digest list it once; a manifest two tags cover is signed by both tags’ keys', async () => {
    const reg = new MemRegistry();
    const shared = reg.image('shared');
    const own = reg.image('own');
    const index = reg.add({ manifests: [{ digest: shared }, { digest: own }] }, OCI_INDEX);
    const a = parseImageRef(`${GUN}:a`);
    const b = parseImageRef(`${GUN}:b`);
    const c = parseImageRef(`${GUN}:prod-c`);
    const targets = new Map([
      [a, { digest: index, size: 1 }],
      [b, { digest: index, size: 1 }],
      [c, { digest: shared, size: 1 }],
    ]);
    const plan = await prepareCosignSign(
      connOf(reg),
      [a, b, c],
      targets,
      await trusted(),
      (r) => (r === c ? ['targets/ci'] : ['targets/releases']),
      ring(releases, ci),
      {},
    );
    expect(reg.fetched.filter((f) => f === index)).toHaveLength(1);
    expect(plan.digestsOf.get(b)).toEqual([index, shared, own]);
    expect(plan.digestsOf.get(c)).toEqual([shared]);
    expect(plan.byDigest.get(shared)!.map((s) => s.label.split(' ')[1])).toEqual([
      'releases',
      'ci',
    ]);
    expect(plan.byDigest.get(own)!.map((s) => s.label.split(' ')[1])).toEqual(['releases']);
  });
});

describe('writeCosignSignatures (after the DCT publish)', () => {
  let a: ImageRef;
  let b: ImageRef;
  beforeEach(() => {
    a = parseImageRef(`${GUN}:a`);
    b = parseImageRef(`${GUN}:b`);
  });

  async function planFor(reg: MemRegistry) {
    const shared = reg.image('shared');
    const own = reg.image('own');
    const index = reg.add({ manifests: [{ digest: shared }, { digest: own }] }, OCI_INDEX);
    const targets = new Map([
      [a, { digest: index, size: 1 }],
      [b, { digest: shared, size: 1 }],
    ]);
    const plan = await prepareCosignSign(
      connOf(reg),
      [a, b],
      targets,
      await trusted(),
      () => ['targets/releases'],
      ring(releases),
      {},
    );
    const tag = (ref: ImageRef, digest: string): SignedTag => ({
      image: ref.input,
      gun: GUN,
      tag: ref.tag,
      digest,
      size: 1,
      roles: ['targets/releases'],
    });
    return { plan, shared, own, index, signed: [tag(a, index), tag(b, shared)] };
  }

  const label = () => `the releases key ${shortId(releases.id)}`;

  it('writes each .sig, says so, and says when one was there already', async () => {
    const reg = new MemRegistry();
    const { plan, signed, index } = await planFor(reg);
    const log = quietLog();
    const slept: number[] = [];
    const settings = {
      attach: { settleMs: 0, sleep: (ms: number) => (slept.push(ms), Promise.resolve()) },
    };
    await writeCosignSignatures(connOf(reg), [a, b], plan, signed, settings, log);
    expect(slept).toEqual([0, 0, 0]);
    expect(log.lines).toContain(`cosign-signed ${GUN}@${index} with ${label()}`);
    await writeCosignSignatures(connOf(reg), [a, b], plan, signed, settings, log);
    expect(log.lines).toContain(`${GUN}@${index} already had a cosign signature by ${label()}`);
    await checkCosign(connOf(reg), await trusted(), a, { digest: index, size: 1 }, ['releases']);
  });

  it('a write another writer replaced is made again, with a warning', async () => {
    const reg = new MemRegistry();
    const { plan, signed } = await planFor(reg);
    let first = true;
    reg.onPut = () => (first ? ((first = false), 'drop') : undefined);
    const log = quietLog();
    await writeCosignSignatures(connOf(reg), [a, b], plan, signed, { attach }, log);
    expect(log.lines.filter((l) => l.startsWith('warning: '))).toEqual([
      expect.stringMatching(
        /: a concurrent write replaced our signature; adding it again$/,
      ) as unknown,
    ]);
  });

  it('a failed write names, per tag, what it carries now; tags it does not touch are done', async () => {
    const reg = new MemRegistry();
    const { plan, signed, shared, own, index } = await planFor(reg);
    reg.onPut = (reference) =>
      reference === signatureTag(own) ? new DctError('REGISTRY_DENIED', 'push denied') : undefined;
    const e = await writeCosignSignatures(
      connOf(reg),
      [a, b],
      plan,
      signed,
      { attach },
      quietLog(),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(GroupImagesError);
    const g = e as GroupImagesError;
    expect(g.failures).toEqual([
      {
        image: a.input,
        code: 'REGISTRY_DENIED',
        message: `has its DCT signature (targets/releases, ${index}) but no cosign signature for ${own} (cosign-signed: ${index}, ${shared}): push denied; run the step again to add it`,
      },
    ]);
    expect(g.done).toEqual([signed[1]]);

    // Every digest of the tag lost, and an error that is not the project's.
    const reg2 = new MemRegistry();
    const p2 = await planFor(reg2);
    reg2.onPut = () => new Error('socket hang up');
    const e2 = (await writeCosignSignatures(
      connOf(reg2),
      [a, b],
      p2.plan,
      p2.signed,
      { attach },
      quietLog(),
    ).then(
      () => undefined,
      (err: unknown) => err,
    )) as GroupImagesError;
    expect(e2.failures.map((f) => [f.image, f.code])).toEqual([
      [a.input, 'COSIGN_WRITE_FAILED'],
      [b.input, 'COSIGN_WRITE_FAILED'],
    ]);
    expect(e2.failures[1].message).toBe(
      `has its DCT signature (targets/releases, ${p2.shared}) but no cosign signature for ${p2.shared}: socket hang up; run the step again to add it`,
    );
    expect(e2.done).toEqual([]);
  });

  it('names every signer of a digest, and every role and lost digest of a tag', async () => {
    const reg = new MemRegistry();
    const shared = reg.image('shared');
    const own = reg.image('own');
    const index = reg.add({ manifests: [{ digest: shared }, { digest: own }] }, OCI_INDEX);
    const plan = await prepareCosignSign(
      connOf(reg),
      [a],
      new Map([[a, { digest: index, size: 1 }]]),
      await trusted(),
      () => ['targets/releases', 'targets/ci'],
      ring(releases, ci),
      {},
    );
    const labels = `${label()}, the ci key ${shortId(ci.id)}`;
    reg.onPut = (reference) =>
      reference === signatureTag(index) ? undefined : new DctError('REGISTRY_DENIED', 'denied');
    const log = quietLog();
    const tag: SignedTag = {
      image: a.input,
      gun: GUN,
      tag: 'a',
      digest: index,
      size: 1,
      roles: ['targets/releases', 'targets/ci'],
    };
    const e = (await writeCosignSignatures(connOf(reg), [a], plan, [tag], { attach }, log).then(
      () => undefined,
      (err: unknown) => err,
    )) as GroupImagesError;
    expect(log.lines).toContain(`cosign-signed ${GUN}@${index} with ${labels}`);
    expect(e.failures.map((f) => f.message)).toEqual([
      `has its DCT signature (targets/releases, targets/ci, ${index}) but no cosign signature for ${shared}, ${own} (cosign-signed: ${index}): denied; run the step again to add it`,
    ]);
  });

  it('a signed tag the plan does not know is counted as done', async () => {
    const reg = new MemRegistry();
    const { plan, signed } = await planFor(reg);
    reg.onPut = () => new Error('down');
    const stranger: SignedTag = { ...signed[0], image: `${GUN}:stranger` };
    const e = (await writeCosignSignatures(
      connOf(reg),
      [a, b],
      plan,
      [stranger],
      { attach },
      quietLog(),
    ).then(
      () => undefined,
      (err: unknown) => err,
    )) as GroupImagesError;
    expect(e.failures).toEqual([]);
    expect(e.done).toEqual([stranger]);
  });
});
