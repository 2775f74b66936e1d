/**
 * The bundled action (dist/), run as a GitHub runner runs it, for every command against the
 * real notary-server and registry.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { NotaryClient } from '../../src/notary/client.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../support/notary-cli.js';
import { runActionJob, runActionStep, type ActionRun } from '../support/runner.js';
import { findSecrets } from '../support/secret-scan.js';
import { startSandbox, type Sandbox } from '../support/servers.js';

let sb: Sandbox;
let repo: TrustedRepo;
let gun: string;
beforeAll(async () => {
  sb = await startSandbox();
  gun = `${sb.registry.host}/e2e/app`;
  repo = await createTrustedRepo(sb, gun);
});
afterAll(async () => {
  await sb?.stop();
});

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(sb.dir, 'job-'));
  await mkdir(join(dir, 'tmp'));
  return dir;
}

function env(dir: string): Record<string, string> {
  return { TMPDIR: join(dir, 'tmp') };
}

function signInputs(images: string[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    command: 'sign',
    images: images.join('\n'),
    keys: Buffer.from(repo.keysPem).toString('base64'),
    passphrase: repo.passphrase,
    'trust-server': sb.notary.url,
    'ca-cert': sb.caPem,
    ...extra,
  };
}

function verifyInputs(
  images: string[],
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    command: 'verify',
    images: images.join('\n'),
    'trust-server': sb.notary.url,
    'ca-cert': sb.caPem,
    ...extra,
  };
}

function json<T>(run: ActionRun, name: string): T {
  expect(run.outputs[name], `${name} output; errors: ${run.failed.join(' | ')}`).toBeDefined();
  return JSON.parse(run.outputs[name]) as T;
}

/** The secrets a leak would show: passphrase, private scalars, unencrypted DER. */
function secretNeedles(): Buffer[] {
  const { files } = readKeySecret(repo.keysPem, () => undefined);
  const ring = KeyRing.open(files, { passphrase: repo.passphrase, include: 'signing' });
  try {
    const needles = [Buffer.from(repo.passphrase), Buffer.from(repo.rootPassphrase)];
    for (const held of ring.held()) {
      const jwk = held.key.export({ format: 'jwk' });
      needles.push(Buffer.from(jwk.d!, 'base64url'));
      needles.push(held.key.export({ format: 'der', type: 'pkcs8' }));
    }
    return needles;
  } finally {
    ring.dispose();
  }
}

describe('the bundled action', () => {
  it('signs, sets the outputs and the summary, leaves no secret on disk, and post cleans up', async () => {
    const a = await pushImage(sb, 'e2e/app', '1.0', { seed: 'one' });
    const b = await pushImage(sb, 'e2e/app', 'latest', { seed: 'one' });
    const dir = await workDir();
    const { main, post } = await runActionJob({
      inputs: signInputs([`${gun}:1.0`, `${gun}:latest`], { digest: a.digest, signer: 'ci' }),
      env: env(dir),
      workDir: dir,
    });
    expect(main.failed).toEqual([]);
    expect(main.code).toBe(0);
    const signed = json<Record<string, unknown>[]>(main, 'signed');
    expect(signed).toEqual([
      {
        image: `${gun}:1.0`,
        gun,
        tag: '1.0',
        digest: a.digest,
        size: a.size,
        roles: ['targets/releases', 'targets/ci'],
      },
      {
        image: `${gun}:latest`,
        gun,
        tag: 'latest',
        digest: b.digest,
        size: b.size,
        roles: ['targets/releases', 'targets/ci'],
      },
    ]);
    expect(main.outputs['digests']).toBe(`${gun}@${a.digest}`);
    expect(main.summary).toContain('<table>');
    expect(main.summary).toContain(a.digest);
    // Every PEM body line was masked before anything could log it.
    expect(main.masks).toContain(repo.passphrase);
    const logged = main.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(logged.join('\n')).not.toContain(repo.passphrase);
    expect(post.code).toBe(0);
    expect(post.failed).toEqual([]);
    expect(findSecrets([dir], secretNeedles())).toEqual([]);
    const listed = await new NotaryCli(sb).list(gun, 'targets/ci');
    expect(listed.map((t) => `${t.name} ${t.digest}`).sort()).toEqual([
      `1.0 ${a.digest}`,
      `latest ${a.digest}`,
    ]);
  });

  it('verifies with and without required signers, and names what is missing', async () => {
    const img = await pushImage(sb, 'e2e/app', 'v2', { seed: 'v2' });
    const dir = await workDir();
    const signRun = await runActionStep('main', {
      inputs: signInputs([`${gun}:v2`]),
      env: env(dir),
      workDir: dir,
    });
    expect(signRun.failed).toEqual([]);

    const ok = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:v2`], { 'required-signers': 'ci' }),
      env: env(dir),
      workDir: dir,
    });
    expect(ok.failed).toEqual([]);
    expect(json(ok, 'verified')).toEqual([
      {
        image: `${gun}:v2`,
        gun,
        tag: 'v2',
        digest: img.digest,
        size: img.size,
        signers: ['ci'],
        cosign: false,
      },
    ]);
    expect(ok.summary).toContain('ci');

    const missing = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:v2`], { 'required-signers': 'ci,qa' }),
      env: env(dir),
      workDir: dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.failed).toHaveLength(1);
    expect(missing.failed[0]).toMatch(new RegExp(`${gun}:v2: missing signer: qa`));
  });

  it('fails verify after the tag was pushed again with another digest', async () => {
    await pushImage(sb, 'e2e/app', 'moving', { seed: 'first' });
    const dir = await workDir();
    expect(
      (
        await runActionStep('main', {
          inputs: signInputs([`${gun}:moving`]),
          env: env(dir),
          workDir: dir,
        })
      ).failed,
    ).toEqual([]);
    const moved = await pushImage(sb, 'e2e/app', 'moving', { seed: 'second' });
    const run = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:moving`]),
      env: env(dir),
      workDir: dir,
    });
    expect(run.code).toBe(1);
    expect(run.failed[0]).toMatch(/signed for another digest/);
    expect(run.failed[0]).toContain(moved.digest);
  });

  it('revokes, then verify fails as unsigned', async () => {
    const img = await pushImage(sb, 'e2e/app', 'gone', { seed: 'gone' });
    const dir = await workDir();
    expect(
      (
        await runActionStep('main', {
          inputs: signInputs([`${gun}:gone`]),
          env: env(dir),
          workDir: dir,
        })
      ).failed,
    ).toEqual([]);
    const revoke = await runActionStep('main', {
      inputs: { ...signInputs([`${gun}:gone`]), command: 'revoke' },
      env: env(dir),
      workDir: dir,
    });
    expect(revoke.failed).toEqual([]);
    const removed = json<{ tag: string; digest: string; roles: string[] }[]>(revoke, 'signed');
    expect(removed).toEqual([
      expect.objectContaining({
        tag: 'gone',
        digest: img.digest,
        roles: expect.arrayContaining(['targets/releases', 'targets/ci']) as unknown,
      }),
    ]);
    const run = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:gone`]),
      env: env(dir),
      workDir: dir,
    });
    expect(run.code).toBe(1);
    expect(run.failed[0]).toMatch(/not signed/);
    expect((await new NotaryCli(sb).list(gun)).some((t) => t.name === 'gone')).toBe(false);
  });

  it('runs the post step cleanly after a failed main step', async () => {
    const dir = await workDir();
    const { main, post } = await runActionJob({
      inputs: signInputs([`${gun}:does-not-exist`]),
      env: env(dir),
      workDir: dir,
    });
    expect(main.code).toBe(1);
    expect(main.failed[0]).toMatch(/does-not-exist/);
    expect(post.code).toBe(0);
    expect(post.failed).toEqual([]);
    expect(findSecrets([dir], secretNeedles())).toEqual([]);
  });

  it('also signs under Node 20 (the oldest Node the bundle supports)', async () => {
    const img = await pushImage(sb, 'e2e/app', 'node20', { seed: 'n20' });
    const dir = await workDir();
    const { main, post } = await runActionJob({
      inputs: signInputs([`${gun}:node20`]),
      env: env(dir),
      workDir: dir,
      node: process.execPath,
    });
    expect(main.failed).toEqual([]);
    expect(json<{ digest: string }[]>(main, 'signed')[0].digest).toBe(img.digest);
    expect(post.code).toBe(0);
  });

  it('8 runs of the action at once, 5 tags each, all succeed and all 40 tags are signed', async () => {
    const busy = `${sb.registry.host}/e2e/busy`;
    const busyRepo = await createTrustedRepo(sb, busy);
    const jobs = Array.from({ length: 8 }, (_, j) =>
      Array.from({ length: 5 }, (_, t) => `r${j}-${t}`),
    );
    for (const tag of jobs.flat()) await pushImage(sb, 'e2e/busy', tag, { seed: tag });
    const runs = await Promise.all(
      jobs.map(async (tags) => {
        const dir = await workDir();
        return runActionStep('main', {
          inputs: {
            ...signInputs(tags.map((t) => `${busy}:${t}`)),
            keys: busyRepo.keysPem,
            passphrase: busyRepo.passphrase,
          },
          env: env(dir),
          workDir: dir,
        });
      }),
    );
    expect(runs.map((r) => r.failed)).toEqual(jobs.map(() => []));
    const listed = await new NotaryCli(sb).list(busy, 'targets/releases');
    expect(listed.map((t) => t.name).sort()).toEqual(jobs.flat().sort());
  }, 300_000);
  it('pins the root with root-key-ids: the right ID passes, another fails closed', async () => {
    const img = await pushImage(sb, 'e2e/app', 'pinned', { seed: 'pinned' });
    const http = new HttpClient({ caPem: sb.caPem });
    let rootIds: string[];
    try {
      const root = await new NotaryClient({ server: sb.notary.url, gun, http }).fetch('root');
      rootIds = (
        JSON.parse(root!.toString()) as { signed: { roles: { root: { keyids: string[] } } } }
      ).signed.roles.root.keyids;
    } finally {
      await http.close();
    }
    const dir = await workDir();
    const wrong = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:pinned`], { 'root-key-ids': 'ab'.repeat(32) }),
      env: env(dir),
      workDir: dir,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.failed[0]).toMatch(/could not validate the path to a trusted root/);
    const right = await runActionStep('main', {
      inputs: signInputs([`${gun}:pinned`], { 'root-key-ids': rootIds.join(',') }),
      env: env(dir),
      workDir: dir,
    });
    expect(right.failed).toEqual([]);
    expect(json<{ digest: string }[]>(right, 'signed')[0].digest).toBe(img.digest);
  });
});

describe('what the log says', () => {
  it('verify prints one line per verified tag, as sign does', async () => {
    const a = await pushImage(sb, 'e2e/app', 'said-1', { seed: 'said' });
    await pushImage(sb, 'e2e/app', 'said-2', { seed: 'said' });
    const dir = await workDir();
    const images = [`${gun}:said-1`, `${gun}:said-2`];
    const signed = await runActionStep('main', {
      inputs: signInputs(images),
      env: env(dir),
      workDir: dir,
    });
    expect(signed.failed).toEqual([]);
    const run = await runActionStep('main', {
      inputs: verifyInputs(images, { 'required-signers': 'ci' }),
      env: env(dir),
      workDir: dir,
    });
    expect(run.failed).toEqual([]);
    const lines = run.stdout.split('\n').filter((l) => !l.startsWith('::'));
    for (const image of images) {
      expect(lines.filter((l) => l.startsWith(`verified ${image} (${a.digest})`))).toHaveLength(1);
    }
    expect(lines.join('\n')).toMatch(/signed by ci/);
  });

  it('verify with `digest` on a moved tag speaks of verifying, not of signing', async () => {
    const first = await pushImage(sb, 'e2e/app', 'moved-v', { seed: 'mv1' });
    const dir = await workDir();
    expect(
      (
        await runActionStep('main', {
          inputs: signInputs([`${gun}:moved-v`]),
          env: env(dir),
          workDir: dir,
        })
      ).failed,
    ).toEqual([]);
    const moved = await pushImage(sb, 'e2e/app', 'moved-v', { seed: 'mv2' });
    const run = await runActionStep('main', {
      inputs: verifyInputs([`${gun}:moved-v`], { digest: first.digest }),
      env: env(dir),
      workDir: dir,
    });
    expect(run.code).toBe(1);
    expect(run.failed).toHaveLength(1);
    expect(run.failed[0]).toContain(moved.digest);
    expect(run.failed[0]).toContain(first.digest);
    expect(run.failed[0]).not.toMatch(/signed|sign\b/i);
    expect(run.failed[0]).toMatch(/verif/);
  });

  it('names each image once, the expected form once, and no error twice', async () => {
    const dir = await workDir();
    const run = await runActionStep('main', {
      inputs: signInputs([`${gun}:nope`, `${sb.registry.host}/e2e/UPPER:1`]),
      env: env(dir),
      workDir: dir,
    });
    expect(run.code).toBe(1);
    const count = (text: string, part: string): number => text.split(part).length - 1;
    for (const line of run.failed) {
      const image = line.slice(0, line.indexOf(': '));
      expect(count(line, image), line).toBe(1);
      expect(count(line, 'expected'), line).toBeLessThanOrEqual(1);
    }
    // The failure lines are the whole story: no debug line says any of it again.
    const debug = run.stdout.split('\n').filter((l) => l.startsWith('::debug::'));
    for (const line of run.failed) {
      const message = line.slice(line.indexOf(': ') + 2);
      expect(debug.filter((d) => d.includes(message.slice(0, 40)))).toEqual([]);
    }
  });

  it('says a warning once, even when the change is planned more than once', async () => {
    await pushImage(sb, 'e2e/app', 'repo-key', { seed: 'rk' });
    const targetsOnly = Object.entries(repo.keyFiles)
      .filter(([name]) => !name.startsWith(repo.signerKeyId!))
      .map(([, pem]) => pem)
      .join('');
    const dir = await workDir();
    const run = await runActionStep('main', {
      inputs: { ...signInputs([`${gun}:repo-key`]), keys: targetsOnly },
      env: env(dir),
      workDir: dir,
    });
    expect(run.failed).toEqual([]);
    const downgrade = run.warnings.filter((w) => w.includes('none of the keys may sign'));
    expect(downgrade).toHaveLength(1);
    expect(new Set(run.warnings).size).toBe(run.warnings.length);
  });
});
