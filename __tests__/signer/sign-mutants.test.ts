/**
 * src/signer/sign.ts end to end against a forged trust server and registry
 * (support/forged-notary.ts), against the mutants StrykerJS left alive: what a signed tag
 * reports and logs, the warning when docker pull would not use the signature (none for
 * `targets` alone), a tag already signed left alone, one unresolvable tag holding back the
 * others, a moved tag, the manifest by digest asked for only when pinned, a tag outside every
 * role's paths, an expired role re-signed without the entries its paths drop, expiry warnings
 * only for roles not re-signed, cosign stopped by a key that is not P-256 before publishing, a
 * publish the server never keeps, and the token scope asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, verify } from 'node:crypto';
import { SIGNATURE_ANNOTATION, signatureTag } from '../../src/cosign/image.js';
import { ImagesError } from '../../src/errors.js';
import { shortId } from '../../src/keys/keyid.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import type { RepoHealth } from '../../src/signer/health.js';
import { signImages } from '../../src/signer/sign.js';
import type { TagTarget } from '../../src/signer/targets.js';
import type { SignOptions } from '../../src/signer/types.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets, targetFile, type TargetsMeta } from '../../src/tuf/models.js';
import { addDays } from '../../src/tuf/time.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { newKey, sha256b64, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

let forged: ForgedNotary;
let n = 0;
const rings: KeyRing[] = [];

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
  for (const r of rings.splice(0)) r.dispose();
});

const file = (t: TagTarget) => targetFile(t.digest.slice('sha256:'.length), t.size);

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

/** targets/releases keyed to `rel`, targets/ci to `ci` (the same key unless given). */
function served(opts: { rel?: TestKey; ciPaths?: string[]; ci?: TestKey } = {}) {
  const r = new TestRepo(`${forged.host}/team/sign${++n}`, new Date());
  const name = r.gun.slice(forged.host.length + 1);
  const ci = opts.ci ?? newKey('ecdsa');
  r.delegate('targets', 'targets/releases', { keys: [opts.rel ?? ci] });
  r.delegate('targets', 'targets/ci', { keys: [ci], paths: opts.ciPaths });
  r.publish();
  forged.serve(r);
  forged.storeInto(r);
  return { r, name, ci };
}

/** Edits `r` as of `days` days from now (back in time when negative), then publishes and serves it. */
function backdated(r: TestRepo, days: number, edit: () => void): void {
  const now = r.now;
  r.now = addDays(now, days);
  edit();
  r.now = now;
  r.publish();
  forged.serve(r);
}

function opts(images: string[], keys: KeyRing, more: Partial<SignOptions> = {}) {
  const log = quietLog();
  return {
    log,
    opts: {
      images,
      keys,
      signers: [],
      rootKeyIds: [],
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      log,
      ...more,
    } satisfies SignOptions,
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

const sentTargets = (role: string, i = 0): TargetsMeta =>
  parseEnvelope(forged.published[i].files.get(role)!, role, asTargets).signed;

describe('signImages', () => {
  it('signs into every role the keys may sign, reports and logs each tag', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    const health: RepoHealth[] = [];
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci), { onHealth: (h) => health.push(h) });
    const tags = await signImages(o);
    expect(tags).toEqual([
      {
        image: `${r.gun}:v1`,
        gun: r.gun,
        tag: 'v1',
        digest: v1.digest,
        size: v1.size,
        roles: ['targets/releases', 'targets/ci'],
      },
    ]);
    expect(log.lines).toEqual(
      expect.arrayContaining([
        `signed ${r.gun}:v1 (${v1.digest}) in targets/releases, targets/ci`,
      ]) as unknown,
    );
    expect(log.lines.filter((l) => l.includes('docker pull reads'))).toEqual([]);
    expect(sentTargets('targets/releases').targets['v1']).toEqual(file(v1));
    expect(sentTargets('targets/ci').targets['v1']).toEqual(file(v1));
    expect(health.map((h) => h.gun)).toEqual([r.gun]);
  });

  it('signed only where docker pull does not look: a warning says so', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa') });
    forged.pushImage(name, 'v1');
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [tag] = await signImages(o);
    expect(tag.roles).toEqual(['targets/ci']);
    expect(log.lines).toContain(
      `warning: ${r.gun}:v1: signed in targets/ci only; docker pull reads targets/releases, then targets, so it does not use this signature`,
    );
  });

  it('signed in two roles docker pull does not read: the warning names both', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa') });
    r.delegate('targets', 'targets/qa', { keys: [ci] });
    r.publish();
    forged.serve(r);
    forged.pushImage(name, 'v1');
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [tag] = await signImages(o);
    expect(tag.roles).toEqual(['targets/ci', 'targets/qa']);
    expect(log.lines).toContain(
      `warning: ${r.gun}:v1: signed in targets/ci, targets/qa only; docker pull reads targets/releases, then targets, so it does not use this signature`,
    );
  });

  it('signed into targets alone: docker pull reads it, no warning', async () => {
    const r = new TestRepo(`${forged.host}/team/sign${++n}`, new Date());
    forged.serve(r);
    forged.storeInto(r);
    const v1 = forged.pushImage(r.gun.slice(forged.host.length + 1), 'v1');
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(r.targetsKey));
    const [tag] = await signImages(o);
    expect(tag.roles).toEqual(['targets']);
    expect(sentTargets('targets').targets['v1']).toEqual(file(v1));
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('a role about to expire is warned about unless this run re-signed it', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa') });
    forged.pushImage(name, 'v1');
    // Both delegations signed so long ago that they expire in 10 days.
    backdated(r, -3 * 365 + 10, () => {
      for (const role of ['targets/releases', 'targets/ci']) {
        r.setTargets(
          role,
          (t) => void (t.targets['v0'] = file({ digest: `sha256:${'0'.repeat(64)}`, size: 1 })),
        );
      }
    });
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [tag] = await signImages(o);
    expect(tag.roles).toEqual(['targets/ci']);
    const expiring = log.lines.filter((l) => l.includes(' expires at '));
    expect(expiring.map((l) => l.split(' expires at ')[0])).toEqual([
      `warning: ${r.gun}: targets/releases`,
    ]);
  });

  it('cosign also writes a cosign signature by the signing key, after publishing', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    let writes = 0;
    const attach = { settleMs: 0, beforeWrite: () => Promise.resolve(void writes++) };
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci), { cosign: { attach } });
    const [tag] = await signImages(o);
    // The settings reach the writer.
    expect(writes).toBe(1);
    expect(tag).toMatchObject({ digest: v1.digest, roles: ['targets/releases', 'targets/ci'] });
    expect(forged.published).toHaveLength(1);
    // One signature per key: releases and ci share ci's key, which signs once.
    const put = forged.manifestPuts.filter((p) => p.repository === name);
    expect(put.map((p) => p.reference)).toEqual([signatureTag(v1.digest)]);
    const manifest = JSON.parse(put[0].bytes.toString()) as {
      layers: { digest: string; annotations: Record<string, string> }[];
    };
    expect(manifest.layers).toHaveLength(1);
    const payload = forged.blobs.get(manifest.layers[0].digest)!;
    expect(JSON.parse(payload.toString())).toMatchObject({
      critical: { image: { 'docker-manifest-digest': v1.digest } },
    });
    const sig = Buffer.from(manifest.layers[0].annotations[SIGNATURE_ANNOTATION], 'base64');
    expect(verify('sha256', payload, createPublicKey(ci.key), sig)).toBe(true);
    expect(log.lines).toContain(
      `cosign-signed ${r.gun}@${v1.digest} with the releases key ${shortId(ci.id)}`,
    );
  });

  it('cosign with a DCT key that is not P-256 stops before anything is published', async () => {
    const rsa = newKey('rsa');
    const { r, name } = served({ ci: rsa });
    forged.pushImage(name, 'v1');
    const [f] = await failures(signImages(opts([`${r.gun}:v1`], ring(rsa), { cosign: {} }).opts));
    expect(f).toMatchObject({ image: `${r.gun}:v1`, code: 'COSIGN_KEY_UNSUPPORTED' });
    // targets/releases comes first, keyed to the same key.
    expect(f.message).toBe(
      `the releases key ${shortId(rsa.id)} is a rsa key; cosign signing here needs an ECDSA P-256 key (what \`cosign generate-key-pair\` and docker make); give a cosign key as \`cosign-key\` to sign with it instead`,
    );
    expect(forged.published).toEqual([]);
  });

  it('a role that already holds the tag with this digest is left alone', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    r.setTargets('targets/releases', (t) => void (t.targets['v1'] = file(v1)));
    r.publish();
    forged.serve(r);
    const [tag] = await signImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(tag.roles).toEqual(['targets/releases', 'targets/ci']);
    expect([...forged.published[0].files.keys()]).toEqual(['targets/ci']);
    // Signed everywhere already: nothing is sent at all.
    forged.published.length = 0;
    await signImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(forged.published).toEqual([]);
  });

  it('a tag the registry does not have holds back the repository’s other tags', async () => {
    const { r, name, ci } = served();
    forged.pushImage(name, 'v1');
    const got = await failures(signImages(opts([`${r.gun}:v1`, `${r.gun}:v2`], ring(ci)).opts));
    expect(got.map((f) => [f.image, f.code])).toEqual([
      [`${r.gun}:v2`, expect.stringMatching(/^REGISTRY_/) as unknown],
      [`${r.gun}:v1`, 'NOT_PUBLISHED'],
    ]);
    expect(got[1].message).toBe('not signed because another tag of the same repository failed');
    expect(forged.published).toEqual([]);
  });

  it('the manifest by digest is asked for only with an expected digest', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    const asked: string[] = [];
    forged.intercept = (req) => {
      const m = /\/manifests\/(.+)$/.exec(req.path);
      if (m !== null) asked.push(m[1]);
      return false;
    };
    await signImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(asked).toEqual(['v1']);
    asked.length = 0;
    await signImages(opts([`${r.gun}:v1`], ring(ci), { digest: v1.digest }).opts);
    expect(asked.sort()).toEqual([v1.digest, 'v1'].sort());
  });

  it('a tag that no longer holds the expected digest → TAG_MOVED worded for sign', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    const want = `sha256:${'cd'.repeat(32)}`;
    const [f] = await failures(signImages(opts([`${r.gun}:v1`], ring(ci), { digest: want }).opts));
    expect(f).toEqual({
      image: `${r.gun}:v1`,
      code: 'TAG_MOVED',
      message: `the registry's tag v1 now points to ${v1.digest}, not the expected ${want}; the tag was pushed again after that build. Nothing was signed: sign the digest the tag holds, or build and push again`,
    });
    expect(forged.published).toEqual([]);
  });

  it('the expected digest the tag holds is signed', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    const [tag] = await signImages(opts([`${r.gun}:v1`], ring(ci), { digest: v1.digest }).opts);
    expect(tag).toMatchObject({ digest: v1.digest, size: v1.size });
  });

  it('a tag no role the keys may sign allows → TAG_OUTSIDE_PATHS, nothing signed', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa'), ciPaths: ['v'] });
    forged.pushImage(name, 'x1');
    forged.pushImage(name, 'v1');
    const got = await failures(signImages(opts([`${r.gun}:v1`, `${r.gun}:x1`], ring(ci)).opts));
    expect(got).toEqual([
      {
        image: `${r.gun}:x1`,
        code: 'TAG_OUTSIDE_PATHS',
        message: 'no role the keys may sign allows the tag x1 (delegation paths)',
      },
      expect.objectContaining({ image: `${r.gun}:v1`, code: 'NOT_PUBLISHED' }) as unknown,
    ]);
    expect(forged.published).toEqual([]);
  });

  it('an expired role is signed again, dropping the entries its paths do not allow', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa'), ciPaths: ['v'] });
    const v1 = forged.pushImage(name, 'v1');
    backdated(r, -3 * 365 - 1, () =>
      r.setTargets('targets/ci', (t) => {
        t.targets['v0'] = { hashes: { sha256: sha256b64('v0') }, length: 2 };
        t.targets['other'] = { hashes: { sha256: sha256b64('other') }, length: 5 };
        t.targets['v1'] = file(v1);
      }),
    );
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [tag] = await signImages(o);
    expect(tag.roles).toEqual(['targets/ci']);
    // v1 was there already: the role is signed again all the same.
    const sent = sentTargets('targets/ci');
    expect(Object.keys(sent.targets).sort()).toEqual(['v0', 'v1']);
    expect(sent.targets['v1']).toEqual(file(v1));
    expect(log.lines.join('\n')).toMatch(/targets\/ci expired at \S+; it is signed again now/);
  });

  it('an expired role gets the new tag too', async () => {
    const { r, name, ci } = served({ rel: newKey('ecdsa') });
    const v2 = forged.pushImage(name, 'v2');
    backdated(r, -3 * 365 - 1, () =>
      r.setTargets(
        'targets/ci',
        (t) => (t.targets['v0'] = { hashes: { sha256: sha256b64('v0') }, length: 2 }),
      ),
    );
    await signImages(opts([`${r.gun}:v2`], ring(ci)).opts);
    const sent = sentTargets('targets/ci');
    expect(Object.keys(sent.targets).sort()).toEqual(['v0', 'v2']);
    expect(sent.targets['v2']).toEqual(file(v2));
  });

  it('a server that never keeps the publish: the read-back says which tag is missing where', async () => {
    const { r, name, ci } = served();
    const v1 = forged.pushImage(name, 'v1');
    forged.onPublish = undefined; // recorded, answered 200, never stored
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [f] = await failures(signImages(o));
    expect(f.code).toBe('PUBLISH_CONFLICT');
    expect(forged.published.length).toBeGreaterThan(1);
    expect(log.lines).toContain(
      `${r.gun}: read-back did not show the change (v1 is not listed in targets/releases with ${v1.digest}); retrying`,
    );
  });

  it('asks the trust server for push access', async () => {
    const { r, name, ci } = served();
    forged.pushImage(name, 'v1');
    const scopes = forged.requireTokens();
    await signImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect([...new Set(scopes)]).toEqual([`repository:${r.gun}:pull,push`]);
  });
});
