/**
 * src/signer/verify.ts end to end against a forged trust server and registry
 * (support/forged-notary.ts), against the mutants StrykerJS left alive: the log line and
 * result of a verified tag, a repository the server does not have ("not signed") and other
 * load failures kept as they are, one verdict per tag in the order the images were given,
 * the trust cache read and written, `cosign` refusing a tag without a cosign signature, and
 * the verdicts of checkGroup on the roles that sign a tag.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OCI_CONFIG,
  OCI_MANIFEST,
  sha256,
  signatureLayer,
  signatureTag,
} from '../../src/cosign/image.js';
import { SIMPLE_SIGNING_MEDIA_TYPE, simpleSigningPayload } from '../../src/cosign/payload.js';
import { cosignSignature } from '../../src/cosign/sign.js';
import { ImagesError } from '../../src/errors.js';
import { parseImageRef, type ImageRef } from '../../src/registry/reference.js';
import type { RepoHealth } from '../../src/signer/health.js';
import { GroupImagesError } from '../../src/signer/images.js';
import type { TagTarget } from '../../src/signer/targets.js';
import { verifyImages } from '../../src/signer/verify.js';
import { checkGroup } from './check-group.js';
import type { VerifyOptions } from '../../src/signer/types.js';
import { targetFile } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { newKey, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog } from './flows.js';

let forged: ForgedNotary;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.onPublish = undefined;
  forged.published.length = 0;
});

const file = (t: TagTarget) => targetFile(t.digest.slice('sha256:'.length), t.size);

/** docker's layout, served: targets/releases and targets/ci keyed to one key, both holding v1. */
function served(): { r: TestRepo; name: string; v1: TagTarget; ci: TestKey } {
  const r = new TestRepo(`${forged.host}/team/verify${++n}`, new Date());
  const name = r.gun.slice(forged.host.length + 1);
  const v1 = forged.pushImage(name, 'v1');
  const ci = newKey('ecdsa');
  r.delegate('targets', 'targets/releases', { keys: [ci] });
  r.delegate('targets', 'targets/ci', { keys: [ci] });
  r.setTargets('targets/releases', (t) => void (t.targets['v1'] = file(v1)));
  r.setTargets('targets/ci', (t) => void (t.targets['v1'] = file(v1)));
  r.publish();
  forged.serve(r);
  return { r, name, v1, ci };
}

function opts(images: string[], more: Partial<VerifyOptions> = {}) {
  const log = quietLog();
  return {
    log,
    opts: {
      images,
      requiredSigners: [],
      rootKeyIds: [],
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      log,
      ...more,
    } satisfies VerifyOptions,
  };
}

async function failures(run: Promise<unknown>) {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the run should have failed').toBeInstanceOf(ImagesError);
  return (err as ImagesError).failures;
}

describe('verifyImages', () => {
  it('a verified tag is returned without cosign and logged with its signers', async () => {
    const { r, v1 } = served();
    const { log, opts: o } = opts([`${r.gun}:v1`], { requiredSigners: ['ci'] });
    const health: RepoHealth[] = [];
    const store = new MemoryTrustStore();
    const tags = await verifyImages({ ...o, trustStore: store, onHealth: (h) => health.push(h) });
    expect(tags).toEqual([
      {
        image: `${r.gun}:v1`,
        gun: r.gun,
        tag: 'v1',
        digest: v1.digest,
        size: v1.size,
        signers: ['ci'],
        cosign: false,
      },
    ]);
    expect(log.lines).toContain(`verified ${r.gun}:v1 (${v1.digest}) signed by ci`);
    expect(health.map((h) => h.gun)).toEqual([r.gun]);
    // The trust data read is remembered for the next run.
    expect(store.states.get(r.gun)?.versions).toMatchObject({ targets: 3, 'targets/ci': 1 });
  });

  it('a repository the trust server does not have → NOT_SIGNED for each tag, saying so', async () => {
    const r = new TestRepo(`${forged.host}/team/absent${++n}`, new Date());
    const name = r.gun.slice(forged.host.length + 1);
    forged.pushImage(name, 'v1');
    const got = await failures(verifyImages(opts([`${r.gun}:v1`, `${r.gun}:v2`]).opts));
    const why =
      `not signed: ${forged.origin} does not have trust data for ${r.gun}; create the repository first ` +
      "(this action's `signer-add` command, or `dct signer add --key ci.pub ci " +
      `${r.gun}\`)`;
    expect(got).toEqual([
      { image: `${r.gun}:v1`, code: 'NOT_SIGNED', message: why },
      { image: `${r.gun}:v2`, code: 'NOT_SIGNED', message: why },
    ]);
  });

  it('any other load failure is reported as it is', async () => {
    const { r } = served();
    const { opts: o } = opts([`${r.gun}:v1`], { rootKeyIds: ['0'.repeat(64)] });
    const [f] = await failures(verifyImages(o));
    expect(f.code).not.toBe('NOT_SIGNED');
    expect(f.message).not.toMatch(/^not signed/);
  });

  it('a cached state newer than the server’s is the floor: the stale server is refused', async () => {
    const { r } = served();
    const store = new MemoryTrustStore();
    await verifyImages({ ...opts([`${r.gun}:v1`]).opts, trustStore: store });
    store.states.get(r.gun)!.versions['targets/ci'] = 7;
    const [f] = await failures(verifyImages({ ...opts([`${r.gun}:v1`]).opts, trustStore: store }));
    expect(f).toMatchObject({ image: `${r.gun}:v1`, code: 'TUF_ROLLBACK' });
  });

  it('one verdict per tag, in the order the images were given, and the good ones are logged', async () => {
    const { r, name, v1 } = served();
    forged.pushImage(name, 'v3'); // pushed, never signed
    // v2 is not in the registry: it fails before its trust data is looked at.
    const images = [`${r.gun}:v3`, `${r.gun}:v2`, `${r.gun}:v1`];
    const { log, opts: o } = opts(images);
    const got = await failures(verifyImages(o));
    expect(got.map((f) => [f.image, f.code])).toEqual([
      [`${r.gun}:v3`, 'NOT_SIGNED'],
      [`${r.gun}:v2`, expect.stringMatching(/^REGISTRY_/) as unknown],
    ]);
    expect(log.lines).toContain(`verified ${r.gun}:v1 (${v1.digest}) signed by ci`);
    const reversed = await failures(verifyImages(opts([...images].reverse()).opts));
    expect(reversed.map((f) => f.image)).toEqual([`${r.gun}:v2`, `${r.gun}:v3`]);
  });

  it('with cosign, a tag without a cosign signature → COSIGN_NOT_SIGNED and is not logged as verified', async () => {
    const { r, v1 } = served();
    const { log, opts: o } = opts([`${r.gun}:v1`], { cosign: true });
    const [f] = await failures(verifyImages(o));
    expect(f).toMatchObject({ image: `${r.gun}:v1`, code: 'COSIGN_NOT_SIGNED' });
    expect(f.message).toContain(v1.digest);
    expect(log.lines.filter((l) => l.startsWith('verified'))).toEqual([]);
  });
});

/** The trust server asks for a bearer token; the scopes asked for are recorded. */
function tokenGate(): string[] {
  const scopes = forged.requireTokens();
  return scopes;
}

/** Stores a cosign signature of `t` by `key` under its `.sig` tag, and serves its payload. */
function cosignSign(name: string, t: TagTarget, key: TestKey, blobs: Map<string, Buffer>): void {
  const payload = simpleSigningPayload(`${forged.host}/${name}`, t.digest);
  const layer = signatureLayer(
    payload,
    SIMPLE_SIGNING_MEDIA_TYPE,
    cosignSignature(key.key, payload),
  );
  const config = Buffer.from('{}');
  blobs.set(layer.digest, payload);
  blobs.set(sha256(config), config);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [layer],
  };
  forged.manifests.set(`${name}:${signatureTag(t.digest)}`, Buffer.from(JSON.stringify(manifest)));
}

function serveBlobs(blobs: Map<string, Buffer>): void {
  forged.intercept = (req, res) => {
    const m = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.path.split('?')[0]);
    const blob = m === null ? undefined : blobs.get(m[1]);
    if (blob === undefined) return false;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(blob);
    return true;
  };
}

describe('verifyImages with cosign', () => {
  it('tags with a cosign signature by a delegated key are verified and logged as such', async () => {
    const { r, name, v1, ci } = served();
    const v2 = forged.pushImage(name, 'v2');
    r.setTargets('targets/releases', (t) => void (t.targets['v2'] = file(v2)));
    r.delegate('targets', 'targets/qa', { keys: [ci] });
    r.setTargets('targets/qa', (t) => void (t.targets['v2'] = file(v2)));
    r.setTargets('targets/ci', (t) => void (t.targets['v2'] = file(v2)));
    r.publish();
    forged.serve(r);
    const blobs = new Map<string, Buffer>();
    cosignSign(name, v1, ci, blobs);
    cosignSign(name, v2, ci, blobs);
    serveBlobs(blobs);
    const { log, opts: o } = opts([`${r.gun}:v1`, `${r.gun}:v2`], { cosign: true });
    const tags = await verifyImages(o);
    expect(tags.map((t) => [t.tag, t.signers, t.cosign])).toEqual([
      ['v1', ['ci'], true],
      ['v2', ['ci', 'qa'], true],
    ]);
    expect(log.lines).toContain(`verified ${r.gun}:v1 (${v1.digest}) signed by ci and cosign`);
    expect(log.lines).toContain(`verified ${r.gun}:v2 (${v2.digest}) signed by ci, qa and cosign`);
  });

  it('each tag is checked for its own cosign signature', async () => {
    const { r, name, ci } = served();
    const v2 = forged.pushImage(name, 'v2');
    r.setTargets('targets/releases', (t) => void (t.targets['v2'] = file(v2)));
    r.publish();
    forged.serve(r);
    const blobs = new Map<string, Buffer>();
    cosignSign(name, v2, ci, blobs);
    serveBlobs(blobs);
    const { log, opts: o } = opts([`${r.gun}:v1`, `${r.gun}:v2`], { cosign: true });
    const got = await failures(verifyImages(o));
    expect(got.map((f) => [f.image, f.code])).toEqual([[`${r.gun}:v1`, 'COSIGN_NOT_SIGNED']]);
    expect(log.lines).toContain(
      `verified ${r.gun}:v2 (${v2.digest}) signed by releases and cosign`,
    );
  });
});

describe('verifyImages and the trust server token', () => {
  it('asks for pull access only', async () => {
    const { r } = served();
    const scopes = tokenGate();
    await verifyImages(opts([`${r.gun}:v1`]).opts);
    expect([...new Set(scopes)]).toEqual([`repository:${r.gun}:pull`]);
  });
});

describe('verifyImages with an expected digest', () => {
  it('a tag that moved → TAG_MOVED worded for verify', async () => {
    const { r, v1 } = served();
    const want = `sha256:${'ab'.repeat(32)}`;
    const [f] = await failures(verifyImages(opts([`${r.gun}:v1`], { digest: want }).opts));
    expect(f).toEqual({
      image: `${r.gun}:v1`,
      code: 'TAG_MOVED',
      message: `the registry's tag v1 now points to ${v1.digest}, not the expected ${want}; the tag was pushed again after that build. The image a pull would get is not the expected one: check who pushed the tag, or verify the digest it holds now`,
    });
  });
});

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
const GOOD: TagTarget = { digest: `sha256:${'1'.repeat(64)}`, size: 501 };
const OTHER: TagTarget = { digest: `sha256:${'2'.repeat(64)}`, size: 502 };

async function loaded(edit: (r: TestRepo) => void) {
  const r = new TestRepo(GUN, NOW);
  edit(r);
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
}

function check(repo: Awaited<ReturnType<typeof loaded>>, target: TagTarget, required: string[]) {
  const refs: ImageRef[] = [parseImageRef(`${GUN}:v1`)];
  return () => checkGroup(repo, refs, new Map([[refs[0], target]]), required);
}

function failureOf(fn: () => unknown): { image: string; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GroupImagesError);
    return (e as GroupImagesError).failures[0];
  }
  throw new Error('expected checkGroup to fail');
}

describe('checkGroup on the roles that sign a tag', () => {
  it('a tag targets holds, with no targets/releases, is verified as signed by targets', async () => {
    const repo = await loaded((r) =>
      r.setTargets('targets', (t) => (t.targets['v1'] = file(GOOD))),
    );
    expect(check(repo, GOOD, [])()).toMatchObject([{ tag: 'v1', signers: ['targets'] }]);
  });

  it('targets/releases counts as releases only when no named signer signed', async () => {
    const k = newKey('ecdsa');
    const repo = await loaded((r) => {
      r.delegate('targets', 'targets/releases', { keys: [k] });
      r.delegate('targets', 'targets/ci', { keys: [k] });
      r.delegate('targets', 'targets/qa', { keys: [k] });
      r.setTargets('targets/releases', (t) => (t.targets['v1'] = file(GOOD)));
      r.setTargets('targets/ci', (t) => (t.targets['v1'] = file(GOOD)));
      r.setTargets('targets/qa', (t) => (t.targets['v1'] = file(GOOD)));
      r.setTargets('targets', (t) => (t.targets['v1'] = file(GOOD)));
    });
    expect(check(repo, GOOD, ['releases', 'targets'])()).toMatchObject([
      { signers: ['ci', 'qa', 'targets'] },
    ]);
  });

  it('several required signers missing are all named, with every signer that did sign', async () => {
    const k = newKey('ecdsa');
    const repo = await loaded((r) => {
      r.delegate('targets', 'targets/releases', { keys: [k] });
      r.delegate('targets', 'targets/ci', { keys: [k] });
      r.delegate('targets', 'targets/qa', { keys: [k] });
      r.delegate('targets', 'targets/ops', { keys: [k] });
      r.setTargets('targets/releases', (t) => (t.targets['v1'] = file(GOOD)));
      r.setTargets('targets/ci', (t) => (t.targets['v1'] = file(GOOD)));
      r.setTargets('targets/qa', (t) => (t.targets['v1'] = file(GOOD)));
    });
    expect(failureOf(check(repo, GOOD, ['ci', 'ops', 'dev']))).toEqual({
      image: `${GUN}:v1`,
      code: 'MISSING_SIGNER',
      message: `missing signer: ops, dev did not sign ${GOOD.digest} (signed by ci, qa)`,
    });
  });

  it('a signature over a target without a sha256 → SIGNED_OTHER_DIGEST naming an unknown digest', async () => {
    const k = newKey('ecdsa');
    const repo = await loaded((r) => {
      r.delegate('targets', 'targets/releases', { keys: [k] });
      r.setTargets(
        'targets/releases',
        (t) => (t.targets['v1'] = { hashes: { sha512: 'AAAA' }, length: GOOD.size }),
      );
    });
    expect(failureOf(check(repo, GOOD, []))).toEqual({
      image: `${GUN}:v1`,
      code: 'SIGNED_OTHER_DIGEST',
      message:
        `signed for another digest: the signature is for an unknown digest (${GOOD.size} bytes) ` +
        `but the registry holds ${GOOD.digest} (${GOOD.size} bytes); sign the new image`,
    });
  });

  it('a releases file that could not be trusted explains a tag found nowhere → TUF_DELEGATION_INVALID', async () => {
    const repo = await loaded((r) => {
      r.delegate('targets', 'targets/releases');
      r.setTargets('targets/releases', (t) => (t.targets['v1'] = file(OTHER)), [newKey()]);
    });
    const f = failureOf(check(repo, GOOD, []));
    expect(f.code).toBe('TUF_DELEGATION_INVALID');
    expect(f.message).toMatch(
      new RegExp(
        `^targets/releases of ${GUN} could not be trusted and was ignored: valid signatures did not meet threshold for targets/releases`,
      ),
    );
  });
});
