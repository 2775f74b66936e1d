/**
 * The bridge to Sigstore, with the real cosign (Debian trixie's) as the judge: what the
 * bundled action signs, cosign verifies; what cosign signs with an exported key, the action
 * accepts; tampering, a foreign key and a missing signature are refused by both.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendSignatureLayers,
  sha256,
  signatureTag,
  type Descriptor,
} from '../../src/cosign/image.js';
import { cosignPublicKeyPem, encryptCosignKey, writeCosignKeyPair } from '../../src/cosign/key.js';
import { attachSignatures, prepareSignature } from '../../src/cosign/sign.js';
import { HttpClient } from '../../src/http/client.js';
import { encryptNotaryKey } from '../../src/keys/encrypt.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { RegistryClient } from '../../src/registry/client.js';
import { runCli } from '../../src/cli/run.js';
import { configDir, dct } from '../cli/support.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { cosignVerify, ensureCosign, runCosign } from '../support/cosign.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { fetchManifest, pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../support/notary-cli.js';
import { runActionStep, type ActionRun } from '../support/runner.js';
import { startSandbox, type Sandbox } from '../support/servers.js';

let sb: Sandbox;
let repo: TrustedRepo;
let gun: string;
let signerKey: KeyObject;
let signerPub: string;
let http: HttpClient;
let registry: RegistryClient;

const PATH = 'cosign/app';

beforeAll(async () => {
  await ensureCosign();
  sb = await startSandbox();
  gun = `${sb.registry.host}/${PATH}`;
  repo = await createTrustedRepo(sb, gun);
  signerKey = keyOf(repo, repo.signerKeyId!);
  signerPub = join(sb.dir, 'signer.pub');
  await writeFile(signerPub, cosignPublicKeyPem(signerKey));
  http = new HttpClient({ caPem: sb.caPem });
  registry = new RegistryClient({ http });
});
afterAll(async () => {
  await http?.close();
  await sb?.stop();
});

/** The private key with canonical ID `id` from a repository's key files. */
function keyOf(r: TrustedRepo, id: string): KeyObject {
  const { files } = readKeySecret(r.keysPem, () => undefined);
  const ring = KeyRing.open(files, { passphrase: r.passphrase, include: 'signing' });
  const held = ring.held().find((h) => h.id === id);
  if (held === undefined) throw new Error(`no key ${id}`);
  return held.key;
}

async function action(inputs: Record<string, string>): Promise<ActionRun> {
  const dir = await mkdtemp(join(sb.dir, 'job-'));
  await mkdir(join(dir, 'tmp'));
  return runActionStep('main', {
    inputs: { 'trust-server': sb.notary.url, 'ca-cert': sb.caPem, cache: 'false', ...inputs },
    env: { TMPDIR: join(dir, 'tmp') },
    workDir: dir,
  });
}

function sign(images: string[], extra: Record<string, string> = {}): Promise<ActionRun> {
  return action({
    command: 'sign',
    images: images.join('\n'),
    keys: Buffer.from(repo.keysPem).toString('base64'),
    passphrase: repo.passphrase,
    ...extra,
  });
}

function verify(images: string[], extra: Record<string, string> = {}): Promise<ActionRun> {
  return action({ command: 'verify', images: images.join('\n'), cosign: 'true', ...extra });
}

function ok(run: ActionRun): ActionRun {
  expect(run.failed, run.stderr.slice(-2000)).toEqual([]);
  expect(run.code).toBe(0);
  return run;
}

async function sigLayers(digest: string): Promise<Descriptor[]> {
  const m = await registry.fetchManifest(parseImageRef(`${gun}:x`), signatureTag(digest));
  if (m === undefined) return [];
  return (JSON.parse(m.bytes.toString()) as { layers: Descriptor[] }).layers;
}

describe('cosign signatures written by the action', () => {
  it('verify with the real cosign under the signer public key, and once only', async () => {
    const img = await pushImage(sb, PATH, '1.0', { seed: 'single' });
    ok(await sign([`${gun}:1.0`], { cosign: 'true', digest: img.digest }));
    expect((await new NotaryCli(sb).list(gun, 'targets/ci')).map((t) => t.name)).toContain('1.0');

    const judged = await cosignVerify(sb, signerPub, `${gun}@${img.digest}`);
    expect(judged.stderr).toContain(
      'The signatures were verified against the specified public key',
    );
    expect(judged.code).toBe(0);
    expect(judged.stdout).toContain(img.digest);
    // cosign checks the tag's digest the same way.
    expect((await cosignVerify(sb, signerPub, `${gun}:1.0`)).code).toBe(0);

    // Signing again adds nothing: the signature is already there.
    ok(await sign([`${gun}:1.0`], { cosign: 'true' }));
    expect(await sigLayers(img.digest)).toHaveLength(1);

    const verified = ok(await verify([`${gun}:1.0`], { 'required-signers': 'ci' }));
    expect(JSON.parse(verified.outputs.verified)).toEqual([
      expect.objectContaining({ tag: '1.0', digest: img.digest, signers: ['ci'], cosign: true }),
    ]);
  });

  it('cover an image index and every manifest it lists', async () => {
    const idx = await pushImage(sb, PATH, 'multi', { kind: 'oci-index', seed: 'index' });
    ok(await sign([`${gun}:multi`], { cosign: 'true' }));
    const index = JSON.parse((await fetchManifest(sb, PATH, 'multi')).bytes.toString()) as {
      manifests: { digest: string }[];
    };
    const children = index.manifests.map((m) => m.digest);
    expect(children).toHaveLength(2);
    for (const d of [idx.digest, ...children]) {
      const judged = await cosignVerify(sb, signerPub, `${gun}@${d}`);
      expect(judged.code, `${d}: ${judged.stderr}`).toBe(0);
    }
    ok(await verify([`${gun}:multi`]));
  });
});

describe('a key exported for cosign', () => {
  it('signs with the real cosign, and verify with cosign: true accepts that signature', async () => {
    const dir = await mkdtemp(join(sb.dir, 'export-'));
    const files = await writeCosignKeyPair(dir, 'ci', signerKey, 'export-pw');
    const img = await pushImage(sb, PATH, '2.0', { seed: 'exported' });
    ok(await sign([`${gun}:2.0`]));

    // Only a DCT signature so far: verify with cosign fails and names the digest.
    const before = await verify([`${gun}:2.0`]);
    expect(before.code).toBe(1);
    expect(before.failed).toEqual([
      expect.stringMatching(new RegExp(`^${gun}:2.0: has no cosign signature: .*${img.digest}`)),
    ]);

    const signed = await runCosign(
      sb,
      ['sign', '--key', files.privateKey, '--tlog-upload=false', '-y', `${gun}@${img.digest}`],
      { password: 'export-pw' },
    );
    expect(signed.code, signed.stderr).toBe(0);
    const after = ok(await verify([`${gun}:2.0`], { 'required-signers': 'ci' }));
    expect(JSON.parse(after.outputs.verified)).toEqual([
      expect.objectContaining({ tag: '2.0', cosign: true }),
    ]);
    expect((await cosignVerify(sb, files.publicKey, `${gun}@${img.digest}`)).code).toBe(0);
  });
});

describe('dct key export --cosign', () => {
  it("writes the delegated key in cosign's format: the real cosign signs with it, both verifiers accept", async () => {
    // The signer's key as docker keeps it, in a Docker config of its own.
    const config = await mkdtemp(join(sb.dir, 'dct-'));
    await mkdir(join(config, 'trust', 'private'), { recursive: true });
    const id = repo.signerKeyId!;
    await writeFile(
      join(config, 'trust', 'private', `${id}.key`),
      encryptNotaryKey(signerKey, repo.passphrase, { role: 'ci' }),
      { mode: 0o600 },
    );
    const out = await mkdtemp(join(sb.dir, 'cosign-out-'));
    const stderr: string[] = [];
    const code = await runCli(['key', 'export', 'ci', '--cosign', '--dir', out], {
      env: {
        DOCKER_CONFIG: config,
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: repo.passphrase,
        COSIGN_PASSWORD: 'dct-cosign-pw',
      },
      cwd: out,
      stdout: () => undefined,
      stderr: (t) => void stderr.push(String(t)),
    });
    expect(code, stderr.join('')).toBe(0);
    expect(await readFile(join(out, 'ci.cosign.pub'), 'utf8')).toBe(cosignPublicKeyPem(signerKey));

    const img = await pushImage(sb, PATH, '2.1', { seed: 'dct-exported' });
    ok(await sign([`${gun}:2.1`]));
    const signed = await runCosign(
      sb,
      [
        'sign',
        '--key',
        join(out, 'ci.cosign.key'),
        '--tlog-upload=false',
        '-y',
        `${gun}@${img.digest}`,
      ],
      { password: 'dct-cosign-pw' },
    );
    expect(signed.code, signed.stderr).toBe(0);
    expect((await cosignVerify(sb, join(out, 'ci.cosign.pub'), `${gun}@${img.digest}`)).code).toBe(
      0,
    );
    const after = ok(await verify([`${gun}:2.1`], { 'required-signers': 'ci' }));
    expect(JSON.parse(after.outputs.verified)).toEqual([
      expect.objectContaining({ tag: '2.1', cosign: true }),
    ]);

    // A second export never overwrites the pair.
    const again = await runCli(['key', 'export', 'ci', '--cosign', '--dir', out], {
      env: { DOCKER_CONFIG: config, DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: repo.passphrase },
      cwd: out,
      stdout: () => undefined,
      stderr: (t) => void stderr.push(String(t)),
    });
    expect(again).toBe(1);
    expect(stderr.join('')).toMatch(/ci.cosign.key: exists already/);
  });
});

describe('dct sign --cosign', () => {
  it('dual-signs as the action does: the real cosign verifies under the signer key, verify accepts', async () => {
    const config = await configDir(sb);
    await mkdir(join(config, 'trust', 'private'), { recursive: true });
    await writeFile(
      join(config, 'trust', 'private', `${repo.signerKeyId!}.key`),
      encryptNotaryKey(signerKey, repo.passphrase, { role: 'ci' }),
      { mode: 0o600 },
    );
    const img = await pushImage(sb, PATH, '2.2', { seed: 'dct-dual' });
    const r = await dct(sb, config, ['sign', '--cosign', `${gun}:2.2`], {
      env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: repo.passphrase },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Successfully wrote the cosign signature of ${gun}@${img.digest}`);
    expect((await cosignVerify(sb, signerPub, `${gun}@${img.digest}`)).code).toBe(0);
    const after = ok(await verify([`${gun}:2.2`], { 'required-signers': 'ci' }));
    expect(JSON.parse(after.outputs.verified)).toEqual([
      expect.objectContaining({ tag: '2.2', digest: img.digest, cosign: true }),
    ]);
  });
});

describe('refused by cosign and by the action alike', () => {
  it('a signature by a key the trust data does not delegate', async () => {
    const img = await pushImage(sb, PATH, '3.0', { seed: 'foreign' });
    ok(await sign([`${gun}:3.0`]));
    const dir = await mkdtemp(join(sb.dir, 'other-'));
    const gen = await runCosign(sb, ['generate-key-pair'], { password: 'o', cwd: dir });
    expect(gen.code, gen.stderr).toBe(0);
    const signed = await runCosign(
      sb,
      [
        'sign',
        '--key',
        join(dir, 'cosign.key'),
        '--tlog-upload=false',
        '-y',
        `${gun}@${img.digest}`,
      ],
      { password: 'o' },
    );
    expect(signed.code, signed.stderr).toBe(0);
    expect((await cosignVerify(sb, join(dir, 'cosign.pub'), `${gun}@${img.digest}`)).code).toBe(0);

    const judged = await cosignVerify(sb, signerPub, `${gun}@${img.digest}`);
    expect(judged.code).not.toBe(0);
    expect(judged.stderr).toMatch(/no matching signatures/);
    const ours = await verify([`${gun}:3.0`]);
    expect(ours.code).toBe(1);
    expect(ours.failed[0]).toMatch(
      new RegExp(`no valid cosign signature for ${img.digest} by a key of any signer`),
    );
    expect(ours.failed[0]).toMatch(/not by any of the keys/);
  });

  it('a tampered payload', async () => {
    const img = await pushImage(sb, PATH, '4.0', { seed: 'tampered' });
    ok(await sign([`${gun}:4.0`], { cosign: 'true' }));
    const [layer] = await sigLayers(img.digest);
    const ref = parseImageRef(`${gun}:4.0`);
    // The same signature over a payload with one claim added: still the right digest and
    // repository, so only the signature check can catch it.
    const payload = Buffer.from(
      (await registry.getBlob(ref, layer.digest, 1 << 20))
        .toString()
        .replace('"optional":null', '"optional":{"tampered":"yes"}'),
    );
    await registry.pushBlob(ref, payload);
    const forged = appendSignatureLayers(undefined, undefined, [
      { ...layer, size: payload.length, digest: sha256(payload) },
    ]);
    await registry.pushBlob(ref, forged.config);
    await registry.putManifest(
      ref,
      signatureTag(img.digest),
      'application/vnd.oci.image.manifest.v1+json',
      forged.manifest,
    );

    const judged = await cosignVerify(sb, signerPub, `${gun}@${img.digest}`);
    expect(judged.code).not.toBe(0);
    expect(judged.stderr).toMatch(/invalid signature/);
    const ours = await verify([`${gun}:4.0`]);
    expect(ours.code).toBe(1);
    expect(ours.failed[0]).toMatch(/no valid cosign signature .*not by any of the keys/);
  });

  it('a digest without a cosign signature', async () => {
    const img = await pushImage(sb, PATH, '5.0', { seed: 'unsigned' });
    ok(await sign([`${gun}:5.0`]));
    const judged = await cosignVerify(sb, signerPub, `${gun}@${img.digest}`);
    expect(judged.code).not.toBe(0);
    expect(judged.stderr).toMatch(/no signatures found/);
    const ours = await verify([`${gun}:5.0`]);
    expect(ours.code).toBe(1);
    expect(ours.failed[0]).toContain(img.digest);
    expect(ours.failed[0]).toMatch(/only a DCT signature/);
  });
});

describe('two signers of one digest at once', () => {
  it('both end up in its .sig, even when one write replaced the other', async () => {
    const img = await pushImage(sb, PATH, '6.0', { seed: 'race' });
    const ref = parseImageRef(`${gun}:6.0`);
    const [a, b] = [0, 1].map(() => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const sigA = await prepareSignature(registry, ref, img.digest, { key: a, label: 'A' });
    const sigB = await prepareSignature(registry, ref, img.digest, { key: b, label: 'B' });
    // A reads the (empty) signature image, then waits until B has written its own before
    // writing one built on what it read: B's signature is replaced, and B must notice.
    let bWrote!: () => void;
    const bWritten = new Promise<void>((r) => (bWrote = r));
    let aWaited = false;
    const lost: string[] = [];
    const attachB = attachSignatures(registry, ref, img.digest, [sigB], {
      settleMs: 300,
      log: (m) => lost.push(m),
      beforeWrite: () => {
        setTimeout(bWrote, 50); // after B's PUT has been sent
        return Promise.resolve();
      },
    });
    const attachA = attachSignatures(registry, ref, img.digest, [sigA], {
      settleMs: 300,
      beforeWrite: async () => {
        if (!aWaited) {
          aWaited = true;
          await bWritten;
        }
      },
    });
    await Promise.all([attachA, attachB]);
    expect(lost.join('\n')).toMatch(/a concurrent write replaced our signature/);
    expect(await sigLayers(img.digest)).toHaveLength(2);
    for (const [name, key] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const pub = join(sb.dir, `race-${name}.pub`);
      await writeFile(pub, cosignPublicKeyPem(key));
      expect((await cosignVerify(sb, pub, `${gun}@${img.digest}`)).code).toBe(0);
    }
  });

  it('two action runs with different signers, at once, both dual-sign', async () => {
    const qa = await addSigner(repo, 'qa');
    const img = await pushImage(sb, PATH, '7.0', { seed: 'two-jobs' });
    const runs = await Promise.all([
      sign([`${gun}:7.0`], { cosign: 'true', signer: 'ci' }),
      action({
        command: 'sign',
        images: `${gun}:7.0`,
        keys: qa.keyPem,
        passphrase: repo.passphrase,
        signer: 'qa',
        cosign: 'true',
      }),
    ]);
    runs.forEach(ok);
    expect(await sigLayers(img.digest)).toHaveLength(2);
    await writeFile(join(sb.dir, 'qa.pub'), cosignPublicKeyPem(qa.key));
    for (const pub of [signerPub, join(sb.dir, 'qa.pub')]) {
      expect((await cosignVerify(sb, pub, `${gun}@${img.digest}`)).code).toBe(0);
    }
    ok(await verify([`${gun}:7.0`], { 'required-signers': 'ci,qa' }));
  });
});

/** Adds delegation targets/<name> with a new key, as `docker trust signer add` would. */
async function addSigner(
  r: TrustedRepo,
  name: string,
): Promise<{ keyPem: string; key: KeyObject }> {
  const env = {
    NOTARY_TARGETS_PASSPHRASE: r.passphrase,
    NOTARY_SNAPSHOT_PASSPHRASE: r.passphrase,
    NOTARY_DELEGATION_PASSPHRASE: r.passphrase,
  };
  const work = await mkdtemp(join(sb.dir, `${name}-`));
  const out = join(work, name);
  await r.cli.ok(['key', 'generate', 'ecdsa', '--role', name, '--output', out], env);
  await r.cli.ok(['delegation', 'add', r.gun, `targets/${name}`, `${out}.pem`, '--all-paths'], env);
  await r.cli.ok(['publish', r.gun], env);
  const keyPem = await readFile(`${out}-key.pem`, 'utf8');
  const { files } = readKeySecret(keyPem, () => undefined);
  const ring = KeyRing.open(files, { passphrase: r.passphrase, include: 'signing' });
  return { keyPem, key: ring.held()[0].key };
}

describe('bad input', () => {
  it('a cosign-key that does not decrypt, or is not P-256', async () => {
    const img = await pushImage(sb, PATH, '8.0', { seed: 'bad-key' });
    const good = await encryptCosignKey(signerKey, 'right');
    const wrong = await sign([`${gun}:8.0`], {
      cosign: 'true',
      'cosign-key': good,
      'cosign-password': 'not-the-password',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.failed).toEqual([
      expect.stringMatching(/^`cosign-key` could not be decrypted: the password is wrong/),
    ]);
    const p384 = await encryptCosignKey(
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey,
      'pw',
    );
    const curve = await sign([`${gun}:8.0`], {
      cosign: 'true',
      'cosign-key': p384,
      'cosign-password': 'pw',
    });
    expect(curve.code).toBe(1);
    expect(curve.failed[0]).toMatch(/`cosign-key` is an EC secp384r1 key; .*ECDSA P-256/);
    // Neither run signed anything.
    expect((await new NotaryCli(sb).list(gun)).some((t) => t.name === '8.0')).toBe(false);
    expect(await sigLayers(img.digest)).toEqual([]);

    // The right password: the cosign-key signs, not the signer key.
    ok(
      await sign([`${gun}:8.0`], {
        cosign: 'true',
        'cosign-key': good,
        'cosign-password': 'right',
      }),
    );
    expect((await cosignVerify(sb, signerPub, `${gun}@${img.digest}`)).code).toBe(0);
  });

  it('a signer key that is not P-256 stops the run before anything is published', async () => {
    // A P-384 delegation key: DCT can sign with it, cosign signing here cannot.
    const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const pub = join(await mkdtemp(join(sb.dir, 'p384-')), 'wide.pem');
    await writeFile(pub, cosignPublicKeyPem(key));
    const env = {
      NOTARY_TARGETS_PASSPHRASE: repo.passphrase,
      NOTARY_SNAPSHOT_PASSPHRASE: repo.passphrase,
    };
    await repo.cli.ok(['delegation', 'add', gun, 'targets/wide', pub, '--all-paths'], env);
    await repo.cli.ok(['publish', gun], env);
    const img = await pushImage(sb, PATH, '8.1', { seed: 'p384' });
    const run = await action({
      command: 'sign',
      images: `${gun}:8.1`,
      keys: encryptNotaryKey(key, repo.passphrase, { role: 'wide' }),
      passphrase: repo.passphrase,
      signer: 'wide',
      cosign: 'true',
    });
    expect(run.code).toBe(1);
    expect(run.failed).toEqual([
      expect.stringMatching(
        /^.*:8\.1: the wide key [0-9a-f]{7} is an EC secp384r1 key; .*ECDSA P-256.*give a cosign key as `cosign-key`/,
      ),
    ]);
    expect((await new NotaryCli(sb).list(gun)).some((t) => t.name === '8.1')).toBe(false);
    expect(await sigLayers(img.digest)).toEqual([]);
    // Without cosign the same key signs the DCT side as before.
    ok(
      await action({
        command: 'sign',
        images: `${gun}:8.1`,
        keys: encryptNotaryKey(key, repo.passphrase, { role: 'wide' }),
        passphrase: repo.passphrase,
        signer: 'wide',
      }),
    );
  });

  it('when the .sig cannot be written after the DCT publish, the step fails and says what each tag carries', async () => {
    const proxy: FaultProxy = await startFaultProxy({
      target: sb.registry.url,
      caPem: sb.caPem,
      certPem: await readFile(sb.certFile, 'utf8'),
      keyPem: await readFile(sb.keyFile, 'utf8'),
    });
    try {
      const host = new URL(proxy.url).host;
      const pgun = `${host}/${PATH}`;
      const prepo = await createTrustedRepo(sb, pgun);
      const img = await pushImage(sb, PATH, '9.0', { seed: 'half' });
      proxy.rules.push({
        match: (r) => r.method === 'PUT' && /\/manifests\/sha256-[0-9a-f]{64}\.sig$/.test(r.path),
        action: { kind: 'status', status: 500 },
      });
      const run = await action({
        command: 'sign',
        images: `${pgun}:9.0`,
        keys: prepo.keysPem,
        passphrase: prepo.passphrase,
        cosign: 'true',
      });
      expect(run.code).toBe(1);
      expect(run.failed).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${pgun}:9.0: has its DCT signature \\(targets/releases, targets/ci, ${img.digest}\\) but no cosign signature for ${img.digest}: .*HTTP 500.*run the step again`,
          ),
        ),
      ]);
      expect((await new NotaryCli(sb).list(pgun)).map((t) => t.name)).toContain('9.0');
      // Run again once the registry takes writes: the cosign signature is added.
      proxy.rules.length = 0;
      ok(
        await action({
          command: 'sign',
          images: `${pgun}:9.0`,
          keys: prepo.keysPem,
          passphrase: prepo.passphrase,
          cosign: 'true',
        }),
      );
      const pub = join(sb.dir, 'half.pub');
      await writeFile(pub, cosignPublicKeyPem(keyOf(prepo, prepo.signerKeyId!)));
      expect((await cosignVerify(sb, pub, `${gun}@${img.digest}`)).code).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe('a registry that refuses the push', () => {
  let auth: Sandbox;
  beforeAll(async () => {
    auth = await startSandbox({ registryAuth: true });
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('stops the run before anything is published and names the credentials', async () => {
    const agun = `${auth.registry.host}/${PATH}`;
    const arepo = await createTrustedRepo(auth, agun);
    const user = Object.entries(auth.token!.users)[0];
    await pushImage(auth, PATH, '1.0', { auth: { username: user[0], password: user[1] } });
    const dir = await mkdtemp(join(auth.dir, 'job-'));
    // Anonymous: the token service grants pull, not push.
    const run = await runActionStep('main', {
      inputs: {
        command: 'sign',
        images: `${agun}:1.0`,
        keys: arepo.keysPem,
        passphrase: arepo.passphrase,
        'trust-server': auth.notary.url,
        'ca-cert': auth.caPem,
        cache: 'false',
        cosign: 'true',
      },
      workDir: dir,
    });
    expect(run.code).toBe(1);
    expect(run.failed).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${agun}:1.0: ${auth.registry.host} refused to let anonymous push to ${PATH} \\(HTTP 401\\): the credentials for ${auth.registry.host} .* need push rights on ${PATH}`,
        ),
      ),
    ]);
    expect((await new NotaryCli(auth).list(agun)).some((t) => t.name === '1.0')).toBe(false);
  });
});
