/**
 * The bundled action against servers behind token auth: credentials from the inputs, and
 * from the Docker config through a credential helper, as docker/login-action leaves them.
 */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../support/notary-cli.js';
import { runActionStep } from '../support/runner.js';
import { DEFAULT_USERS, startSandbox, type Sandbox } from '../support/servers.js';

let sb: Sandbox;
let repo: TrustedRepo;
let gun: string;
const [user, password] = Object.entries(DEFAULT_USERS)[0];
beforeAll(async () => {
  sb = await startSandbox({ notaryAuth: true, registryAuth: true });
  gun = `${sb.registry.host}/auth/app`;
  repo = await createTrustedRepo(sb, gun);
});
afterAll(async () => {
  await sb?.stop();
});

const inputs = (image: string): Record<string, string> => ({
  command: 'sign',
  images: image,
  keys: repo.keysPem,
  passphrase: repo.passphrase,
  'trust-server': sb.notary.url,
  'ca-cert': sb.caPem,
});

describe('the bundled action with token auth', () => {
  it('signs with registry-username and registry-password', async () => {
    const img = await pushImage(sb, 'auth/app', 'inputs', { auth: { username: user, password } });
    const dir = await mkdtemp(join(sb.dir, 'job-'));
    const run = await runActionStep('main', {
      inputs: {
        ...inputs(`${gun}:inputs`),
        'registry-username': user,
        'registry-password': password,
      },
      workDir: dir,
    });
    expect(run.failed).toEqual([]);
    expect(run.masks).toContain(password);
    const listed = await new NotaryCli(sb).list(gun, 'targets/ci');
    expect(listed.find((t) => t.name === 'inputs')?.digest).toBe(img.digest);
  });

  it('signs with credentials from a Docker config credential helper, run through @actions/exec', async () => {
    const img = await pushImage(sb, 'auth/app', 'helper', { auth: { username: user, password } });
    const dir = await mkdtemp(join(sb.dir, 'job-'));
    const bin = join(dir, 'bin');
    const config = join(dir, 'docker-config');
    await mkdir(bin);
    await mkdir(config);
    // The helper protocol: the server URL on stdin, {"Username","Secret"} on stdout.
    await writeFile(
      join(bin, 'docker-credential-dcttest'),
      `#!/bin/sh\nread server\necho "$server" >> "${join(dir, 'asked')}"\n` +
        `printf '{"ServerURL":"%s","Username":"${user}","Secret":"${password}"}' "$server"\n`,
    );
    await chmod(join(bin, 'docker-credential-dcttest'), 0o755);
    await writeFile(join(config, 'config.json'), JSON.stringify({ credsStore: 'dcttest' }));
    const run = await runActionStep('main', {
      inputs: inputs(`${gun}:helper`),
      env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      workDir: dir,
    });
    expect(run.failed).toEqual([]);
    // The helper's secret was masked although it never was an input.
    expect(run.masks).toContain(password);
    expect(run.stdout).not.toContain('docker-credential-dcttest get');
    expect(await readFile(join(dir, 'asked'), 'utf8')).toContain(sb.registry.host);
    const listed = await new NotaryCli(sb).list(gun, 'targets/ci');
    expect(listed.find((t) => t.name === 'helper')?.digest).toBe(img.digest);
  });

  it('fails with one line naming the credentials when they are wrong', async () => {
    await pushImage(sb, 'auth/app', 'denied', { auth: { username: user, password } });
    const dir = await mkdtemp(join(sb.dir, 'job-'));
    const run = await runActionStep('main', {
      inputs: {
        ...inputs(`${gun}:denied`),
        'registry-username': user,
        'registry-password': 'nope-nope',
      },
      workDir: dir,
    });
    expect(run.code).toBe(1);
    expect(run.failed).toHaveLength(1);
    expect(run.failed[0]).toMatch(/registry-username|registry-password/);
    expect(run.failed[0]).not.toContain('nope-nope');
  });
});
