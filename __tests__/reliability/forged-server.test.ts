/**
 * What a hostile or odd trust server gets: a clear error, never a crash, a split view or a
 * forgotten root. The real notary-server cannot be made to serve any of this, so a forged one
 * serves trust data signed by keys the test holds (support/forged-notary.ts). Where the Go
 * notary CLI (0.7.0) judges the same bytes differently, its verdict is in the test's comment.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { NotaryClient } from '../../src/notary/client.js';
import { canonicalJson } from '../../src/tuf/canonical.js';
import type { TargetsMeta } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { encryptNotaryKey } from '../../src/keys/encrypt.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { connectRepo } from '../../src/signer/connect.js';
import { publishChange } from '../../src/signer/publish.js';
import { ImagesError } from '../../src/errors.js';
import { signImages } from '../../src/signer/sign.js';
import type { TagTarget } from '../../src/signer/targets.js';
import { verifyImages } from '../../src/signer/verify.js';
import { quietLog } from '../signer/flows.js';
import { newKey, TestRepo, type TestKey } from '../tuf/helpers/repo.js';

let forged: ForgedNotary;
let http: HttpClient;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
beforeEach(() => {
  http = new HttpClient({ caPem: forged.pki.caPem, retries: 1, sleep: () => Promise.resolve() });
});
afterEach(async () => {
  await http.close();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.gzipAll = false;
  forged.onPublish = undefined;
  forged.published.length = 0;
});

/** A repository of its own per test: GUN `<forged host>/team/app<n>`, keys held here. */
function newRepo(): TestRepo {
  return new TestRepo(`${forged.host}/team/app${++n}`, new Date());
}

function load(repo: TestRepo) {
  return loadTrustedRepo(new NotaryClient({ server: forged.origin, gun: repo.gun, http }), {
    gun: repo.gun,
  });
}

const MiB = 1 << 20;

describe('answers over the caps (defect 1)', () => {
  it('a 2 MiB timestamp is refused in one line naming the server', async () => {
    const r = newRepo();
    forged.serve(r);
    forged.intercept = (req, res) => {
      if (!req.path.endsWith('/timestamp.json')) return false;
      res.writeHead(200, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB, 0x20));
      return true;
    };
    await expect(load(r)).rejects.toMatchObject({
      code: 'HTTP_TOO_LARGE',
      message: expect.stringMatching(
        new RegExp(
          `^the trust server ${forged.host} sent more than ${MiB} bytes for \\S+/timestamp\\.json`,
        ),
      ) as unknown,
    });
  });

  it('a validly signed 12 MiB root is read, as Go reads it', async () => {
    // Go: `notary list` accepts it (root is fetched with notary's 100 MiB MaxDownloadSize).
    const r = newRepo();
    r.signRoot(1, r.rootKeys, (root) => {
      (root as unknown as Record<string, unknown>)['padding'] = 'x'.repeat(12 * MiB);
    });
    r.publish();
    forged.serve(r);
    const repo = (await load(r))!;
    expect(repo.root.bytes.length).toBeGreaterThan(12 * MiB);
    expect(repo.targetsFor('latest')).toHaveLength(1);
  });

  it('an error page over the cap is read for its status', async () => {
    const r = newRepo();
    forged.serve(r);
    forged.intercept = (req, res) => {
      if (!req.path.includes('/_trust/tuf/root.json')) return false;
      res.writeHead(404, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB, 0x3c));
      return true;
    };
    // No root: the repository does not exist (Go: "does not have trust data").
    expect(await load(r)).toBeUndefined();
  });
});

describe('a proxy that gzips every answer (defect 6)', () => {
  it('is read through, whatever Accept-Encoding said', async () => {
    const r = newRepo();
    forged.serve(r);
    const plain = await load(r);
    forged.gzipAll = true;
    const repo = (await load(r))!;
    expect(repo.trustState()).toEqual(plain!.trustState());
  });
});

/**
 * A targets file signed by the targets key over canonical(signed), as Go verifies it, but
 * written with `signed`'s keys in the order given (JSON.stringify) and then `text` applied.
 */
function forgeTargets(r: TestRepo, signed: Record<string, unknown>, text = (s: string) => s) {
  const { method, sig } = r.targetsKey.signer.sign(canonicalJson(signed));
  const sigs = [{ keyid: r.targetsKey.id, method, sig: sig.toString('base64') }];
  const file = `{"signed":${JSON.stringify(signed)},"signatures":${JSON.stringify(sigs)}}`;
  const bytes = Buffer.from(text(file));
  r.targets.set('targets', { signed: signed as unknown as TargetsMeta, signatures: sigs, bytes });
  r.publish();
  forged.serve(r);
}

const file = (digest: string, length = 100) => ({
  hashes: { sha256: Buffer.from(digest.slice(7), 'hex').toString('base64') },
  length,
});
const GOOD = `sha256:${'1'.repeat(64)}`;
const EVIL = `sha256:${'e'.repeat(64)}`;

function targetsSigned(r: TestRepo, extra: Record<string, unknown>): Record<string, unknown> {
  const t = r.targets.get('targets')!.signed;
  return { _type: 'Targets', delegations: t.delegations, expires: t.expires, ...extra, version: 2 };
}

describe('a signed file that can be read two ways (defect 3)', () => {
  it('"targets" then "Targets": refused, naming the key', async () => {
    // Go (`notary list`) reads the later "Targets" into the same field: v1 is EVIL for Go,
    // while JSON.parse reads "targets" (GOOD). Both keys are under the signature.
    const r = newRepo();
    forgeTargets(r, targetsSigned(r, { targets: { v1: file(GOOD) }, Targets: { v1: file(EVIL) } }));
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringContaining('"Targets", which Go reads as "targets"') as unknown,
    });
  });

  it('"Targets" alone, or "delegation\u017f" (long s): refused', async () => {
    // Go reads them as targets and delegations (`notary list` shows v1 as EVIL); JSON.parse
    // sees neither.
    const r = newRepo();
    forgeTargets(r, targetsSigned(r, { Targets: { v1: file(EVIL) } }));
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_BAD_METADATA' });
    const s = newRepo();
    const signed = targetsSigned(s, { targets: {} });
    signed['delegation\u017f'] = signed['delegations'];
    delete signed['delegations'];
    forgeTargets(s, signed);
    await expect(load(s)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringContaining('which Go reads as "delegations"') as unknown,
    });
  });

  it('"targets" twice: refused (Go lists v1, which no signature covers)', async () => {
    // The signature covers {"targets":{"v2":…}}: Go's signature check decodes into a map (the
    // last wins) but its struct decoding merges both maps, so Go also lists v1.
    const r = newRepo();
    forgeTargets(r, targetsSigned(r, { targets: { v2: file(GOOD) } }), (s) =>
      s.replace('"targets":{', `"targets":{"v1":${JSON.stringify(file(EVIL))}},"targets":{`),
    );
    await expect(load(r)).rejects.toMatchObject({
      code: 'TUF_BAD_METADATA',
      message: expect.stringContaining('the key "targets" is in one object twice') as unknown,
    });
  });

  it('tags that differ only in case are distinct tags, as for Go (`notary list` shows both)', async () => {
    const r = newRepo();
    forgeTargets(r, targetsSigned(r, { targets: { v1: file(GOOD), V1: file(EVIL) } }));
    const repo = (await load(r))!;
    expect(repo.targetsFor('v1')[0].target).toEqual(file(GOOD));
    expect(repo.targetsFor('V1')[0].target).toEqual(file(EVIL));
  });
});

/** A KeyRing holding `keys` (encrypted and opened as the `keys` input would be). */
function ringOf(...keys: TestKey[]): KeyRing {
  const pem = keys.map((k) => encryptNotaryKey(k.key, 'pass-phrase-1', { role: 'ci' })).join('');
  return KeyRing.open(readKeySecret(pem, () => undefined).files, {
    passphrase: 'pass-phrase-1',
    include: 'signing',
  });
}

/** docker's layout: targets/releases and targets/ci, both keyed to one signer key. */
function dockerRepo(): { r: TestRepo; signer: TestKey; name: string } {
  const r = newRepo();
  const signer = newKey('ecdsa');
  r.delegate('targets', 'targets/releases', { keys: [signer] });
  r.delegate('targets', 'targets/ci', { keys: [signer] });
  r.publish();
  forged.serve(r);
  return { r, signer, name: r.gun.slice(forged.host.length + 1) };
}

function signOpts(image: string, keys: KeyRing, log = quietLog()) {
  return {
    images: [image],
    keys,
    signers: [],
    rootKeyIds: [],
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    log,
  };
}

describe('signing on top of a co-signer’s TAB or NUL (defect 4)', () => {
  it('writes them escaped, keeps them, and the result reads back', async () => {
    // notary 0.7.0 cannot write such a name at all (MarshalJSON: invalid character '\t' in
    // string literal) and notary-server refuses it (INVALID_UPDATE); a file written by another
    // client with the name escaped is read by Go (`notary list` lists "a\tb").
    const { r, signer, name } = dockerRepo();
    r.setTargets('targets/releases', (t) => {
      t.targets['a\tb'] = file(GOOD);
      t.targets['nul\u0000x'] = file(EVIL);
    });
    r.publish();
    forged.serve(r);
    forged.storeInto(r);
    const pushed = forged.pushImage(name, 'v2');
    const keys = ringOf(signer);
    await signImages(signOpts(`${r.gun}:v2`, keys));
    const sent = forged.published[0].files.get('targets/releases')!.toString('utf8');
    // eslint-disable-next-line no-control-regex -- no raw control character may be sent
    expect(sent).not.toMatch(/[\u0000-\u001f]/);
    expect(sent).toContain('"a\\tb"');
    expect(sent).toContain('"nul\\u0000x"');
    const repo = (await load(r))!;
    expect(Object.keys(repo.targets.get('targets/releases')!.signed.targets).sort()).toEqual(
      ['a\tb', 'nul\u0000x', 'v2'].sort(),
    );
    expect(repo.targetsFor('v2')[0].target).toEqual(file(pushed.digest, pushed.size));
    keys.dispose();
  });
});

describe('what is about to be published is read back first (defect 4)', () => {
  it('a file readers would not accept is never sent', async () => {
    const { r, signer } = dockerRepo();
    const stranger = newKey('ecdsa');
    const keys = ringOf(signer, stranger);
    const conn = await connectRepo(parseImageRef(`${r.gun}:x`), {
      trustServer: forged.origin,
      http,
      write: true,
    });
    // Signed by a key targets/releases does not list: every reader skips the file.
    const edit = {
      role: 'targets/releases',
      signers: [stranger.signer],
      edit: (t: TargetsMeta) => void (t.targets['v9'] = file(GOOD)),
    };
    await expect(
      publishChange(
        { conn, keys, rootKeyIds: [], log: quietLog() },
        () => [edit],
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: 'PUBLISH_READBACK',
      message: expect.stringMatching(
        /refusing to publish targets\/releases: .*valid signatures did not meet threshold for targets\/releases/,
      ) as unknown,
    });
    expect(forged.published).toEqual([]);
    keys.dispose();
  });
});

function verifyOpts(image: string, log = quietLog()) {
  return {
    images: [image],
    requiredSigners: [],
    rootKeyIds: [],
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    log,
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

describe('what docker would pull, and signing only where docker looks (defect 7)', () => {
  /** v1 pushed; targets/releases delegates targets/releases/sub, which holds v1. */
  function shadowed(subHolds: string): { r: TestRepo; image: string; pushed: TagTarget } {
    const r = newRepo();
    const name = r.gun.slice(forged.host.length + 1);
    const pushed = forged.pushImage(name, 'v1');
    r.delegate('targets', 'targets/releases');
    r.delegate('targets/releases', 'targets/releases/sub');
    r.setTargets('targets/releases', (t) => void (t.targets['other'] = file(GOOD)));
    r.setTargets('targets/releases/sub', (t) => void (t.targets['v1'] = file(subHolds)));
    r.setTargets('targets', (t) => void (t.targets['v1'] = file(pushed.digest, pushed.size)));
    r.publish();
    forged.serve(r);
    return { r, image: `${r.gun}:v1`, pushed };
  }

  it('verify refuses a tag a delegation of targets/releases holds before targets does', async () => {
    // docker 28 (`docker pull`, content trust on) walks targets/releases and its delegations
    // first (GetTargetByName(v1, targets/releases, targets)), finds v1 in
    // targets/releases/sub and refuses it: "No trust data for v1". Before, verify fell back to
    // targets, which holds the digest the registry has, and passed.
    for (const subHolds of [EVIL, GOOD]) {
      const { image } = shadowed(subHolds);
      const [f] = await failures(verifyImages(verifyOpts(image)));
      expect(f).toMatchObject({ image, code: 'NOT_SIGNED' });
      expect(f.message).toMatch(/targets\/releases\/sub\b.*docker .*refuses/);
    }
  });

  it('verify takes targets/releases itself over its delegations, as docker does', async () => {
    // docker: releases holds v1, so the walk stops there (trust passes, the pull goes on).
    const { r, image, pushed } = shadowed(EVIL);
    r.setTargets(
      'targets/releases',
      (t) => void (t.targets['v1'] = file(pushed.digest, pushed.size)),
    );
    r.publish();
    forged.serve(r);
    const [tag] = await verifyImages(verifyOpts(image));
    expect(tag).toMatchObject({ digest: pushed.digest, signers: ['targets'] });
  });

  /** targets lists targets/releases twice: first with `first`, then with `second`. */
  function listedTwice(first: TestKey, second: TestKey) {
    const r = newRepo();
    const name = r.gun.slice(forged.host.length + 1);
    r.delegate('targets', 'targets/releases', { keys: [first] });
    r.delegate('targets', 'targets/ci', { keys: [second] });
    r.setTargets('targets', (t) => {
      t.delegations.keys[second.id] = second.tuf;
      t.delegations.roles.push({
        keyids: [second.id],
        name: 'targets/releases',
        paths: [''],
        threshold: 1,
      });
    });
    r.publish();
    forged.serve(r);
    forged.storeInto(r);
    return { r, name };
  }

  it('sign never signs a delegation through a second entry of its name', async () => {
    // Go reads the first entry of a name (BuildDelegationRole): a targets/releases signed by
    // the second entry's key is skipped by docker ("valid signatures did not meet threshold
    // for targets/releases" → "No valid trust data for v1"). Before, sign signed it with that
    // key and reported v1 as signed in targets/releases.
    const other = newKey('ecdsa');
    const ours = newKey('ecdsa');
    const { r, name } = listedTwice(other, ours);
    forged.pushImage(name, 'v1');
    const keys = ringOf(ours);
    const log = quietLog();
    const [tag] = await signImages(signOpts(`${r.gun}:v1`, keys, log));
    expect(tag.roles).toEqual(['targets/ci']);
    expect([...forged.published[0].files.keys()]).toEqual(['targets/ci']);
    expect(log.lines.join('\n')).toMatch(/targets lists targets\/releases twice/);
    expect(log.lines.join('\n')).toMatch(/signed in targets\/ci only; docker pull reads/);
    keys.dispose();
  });

  it('a delegation listed twice whose file verifies makes the repository unreadable, as for Go', async () => {
    // docker/notary: "targets/releases has already been loaded" for any read of the repository.
    const ours = newKey('ecdsa');
    const { r, name } = listedTwice(ours, newKey('ecdsa'));
    const pushed = forged.pushImage(name, 'v1');
    r.delegationKeys.set('targets/releases', [ours]);
    r.setTargets(
      'targets/releases',
      (t) => void (t.targets['v1'] = file(pushed.digest, pushed.size)),
    );
    r.publish();
    forged.serve(r);
    const [f] = await failures(verifyImages(verifyOpts(`${r.gun}:v1`)));
    expect(f).toMatchObject({ code: 'TUF_BAD_METADATA' });
    expect(f.message).toMatch(/targets lists targets\/releases twice/);
    // Nor is anything signed on top of it.
    const keys = ringOf(ours);
    const [g] = await failures(signImages(signOpts(`${r.gun}:v1`, keys)));
    expect(g).toMatchObject({ code: 'TUF_BAD_METADATA' });
    expect(forged.published).toEqual([]);
    keys.dispose();
  });
});
