/**
 * The set-ups users really run the bundled action in, against the real servers: a plain-HTTP
 * registry on loopback (a workflow's `services: registry:2`), or named in
 * `insecure-registries`; a signer key with its own passphrase in a backup archive; a
 * repository whose snapshot key the client holds; no `trust-server` input; a server that is
 * down. Each failure is one line that says what was wrong and what to do.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { NotaryClient } from '../../src/notary/client.js';
import { closedPort, startConnectProxy } from '../http/fake-server.js';
import { makeTar } from '../keys/helpers.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../support/notary-cli.js';
import { runActionStep, type ActionRun } from '../support/runner.js';
import { startSandbox, type Sandbox } from '../support/servers.js';

let plain: Sandbox; // docker-registry without TLS
let tls: Sandbox; // the usual sandbox: both servers https
beforeAll(async () => {
  [plain, tls] = await Promise.all([startSandbox({ registryPlainHttp: true }), startSandbox()]);
});
afterAll(async () => {
  await Promise.all([plain?.stop(), tls?.stop()]);
});

async function run(
  sb: Sandbox,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const workDir = await mkdtemp(join(sb.dir, 'job-'));
  return runActionStep('main', { inputs: { 'ca-cert': sb.caPem, ...inputs }, env, workDir });
}

function signInputs(sb: Sandbox, repo: TrustedRepo, images: string[]): Record<string, string> {
  return {
    command: 'sign',
    images: images.join('\n'),
    keys: repo.keysPem,
    passphrase: repo.passphrase,
    'trust-server': sb.notary.url,
  };
}

/** The whole ~/.docker/trust/private folder as Docker's backup advice makes it, base64. */
function backupOf(repo: TrustedRepo): string {
  const entries = Object.entries(repo.keyFiles).map(([n, data]) => ({
    name: `private/${n}`,
    data,
  }));
  return gzipSync(makeTar(entries)).toString('base64');
}

interface Meta {
  signed: { version: number; roles?: Record<string, { keyids: string[] }> };
  signatures: { keyid: string }[];
}

async function serverMeta(sb: Sandbox, gun: string, role: string): Promise<Meta | undefined> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const bytes = await new NotaryClient({ server: sb.notary.url, gun, http }).fetch(role);
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString()) as Meta);
  } finally {
    await http.close();
  }
}

async function versions(sb: Sandbox, gun: string): Promise<string> {
  const out: string[] = [];
  for (const role of ['targets', 'snapshot', 'targets/releases', 'targets/ci']) {
    out.push(`${role}=${(await serverMeta(sb, gun, role))?.signed.version ?? 'none'}`);
  }
  return out.join(' ');
}

function expectOneLineEach(r: ActionRun): void {
  expect(r.code).toBe(1);
  expect(r.failed.length).toBeGreaterThan(0);
  for (const line of r.failed) expect(line).not.toContain('\n');
}

describe('a plain-HTTP registry', () => {
  it('on 127.0.0.1 and localhost needs no input: https first, then http, as docker does', async () => {
    const port = plain.registry.host.split(':')[1];
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const gun = `${host}/local/app`;
      const repo = await createTrustedRepo(plain, gun);
      const img = await pushImage(plain, 'local/app', '1.0', { seed: host });
      const signed = await run(plain, signInputs(plain, repo, [`${gun}:1.0`]));
      expect(signed.failed).toEqual([]);
      expect(JSON.parse(signed.outputs.signed)).toEqual([
        expect.objectContaining({ digest: img.digest, size: img.size }),
      ]);
      const verified = await run(plain, {
        command: 'verify',
        images: `${gun}:1.0`,
        'trust-server': plain.notary.url,
        'required-signers': 'ci',
      });
      expect(verified.failed).toEqual([]);
      expect((await new NotaryCli(plain).list(gun)).map((t) => [t.name, t.digest])).toEqual([
        ['1.0', img.digest],
      ]);
    }
  });

  it('elsewhere is used over http only when named in `insecure-registries`', async () => {
    // A host name that is not loopback, resolved by a proxy, as a runner reaches a LAN host.
    const proxy = await startConnectProxy({ hosts: { 'registry.test': '127.0.0.1' } });
    try {
      const host = `registry.test:${plain.registry.host.split(':')[1]}`;
      const gun = `${host}/lan/app`;
      const repo = await createTrustedRepo(plain, gun);
      const img = await pushImage(plain, 'lan/app', '2.0', { seed: 'lan' });
      const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
      const inputs = signInputs(plain, repo, [`${gun}:2.0`]);

      const refused = await run(plain, inputs, env);
      expectOneLineEach(refused);
      expect(refused.failed[0]).toContain(`${gun}:2.0: `);
      expect(refused.failed[0]).toMatch(/the registry registry\.test:\d+ .*plain HTTP/);
      expect(refused.failed[0]).toContain('`insecure-registries`');
      expect(await versions(plain, gun)).toMatch(/targets\/ci=none/);

      const allowed = await run(plain, { ...inputs, 'insecure-registries': host }, env);
      expect(allowed.failed).toEqual([]);
      expect(JSON.parse(allowed.outputs.signed)).toEqual([
        expect.objectContaining({ digest: img.digest }),
      ]);
      expect(proxy.connects).toContain(host);
      // undici's EnvHttpProxyAgent announces itself as experimental: not in a user's log.
      expect(allowed.stderr).not.toMatch(/experimental/i);
    } finally {
      await proxy.close();
    }
  });

  it('is never the trust server: the default (the registry host) is named with `trust-server`', async () => {
    const gun = `${plain.registry.host}/local/nots`;
    await pushImage(plain, 'local/nots', '1', { seed: 'nots' });
    const r = await run(plain, { command: 'verify', images: `${gun}:1` });
    expectOneLineEach(r);
    expect(r.failed[0]).toContain('the trust server');
    expect(r.failed[0]).toContain('`trust-server`');
    expect(r.failed[0]).toMatch(/default/);
  });
});

describe('a signer key with its own passphrase (docker trust key generate)', () => {
  let repo: TrustedRepo;
  let gun: string;
  beforeAll(async () => {
    gun = `${tls.registry.host}/own/pass`;
    repo = await createTrustedRepo(tls, gun, { signerPassphrase: 'signer-own-pass-456' });
    await pushImage(tls, 'own/pass', '1', { seed: 'own' });
  });

  it('with only the repository passphrase: an error naming the key and the input, nothing signed', async () => {
    const before = await versions(tls, gun);
    const r = await run(tls, { ...signInputs(tls, repo, [`${gun}:1`]), keys: backupOf(repo) });
    expectOneLineEach(r);
    expect(r.failed.join('\n')).toMatch(
      new RegExp(`ci key ${repo.signerKeyId!.slice(0, 7)} .*\`passphrase\`.*one per line`),
    );
    expect(r.failed.join('\n')).not.toContain(repo.passphrase);
    expect(r.outputs.signed).toBeUndefined();
    expect(await versions(tls, gun)).toBe(before);
  });

  it('with both passphrases, one per line: signs as ci, and the deploy gate passes', async () => {
    const r = await run(tls, {
      ...signInputs(tls, repo, [`${gun}:1`]),
      keys: backupOf(repo),
      passphrase: `${repo.passphrase}\nsigner-own-pass-456\n`,
    });
    expect(r.failed).toEqual([]);
    expect(r.masks).toEqual(expect.arrayContaining([repo.passphrase, 'signer-own-pass-456']));
    expect(JSON.parse(r.outputs.signed)).toEqual([
      expect.objectContaining({ roles: ['targets/releases', 'targets/ci'] }),
    ]);
    const gate = await run(tls, {
      command: 'verify',
      images: `${gun}:1`,
      'trust-server': tls.notary.url,
      'required-signers': 'ci',
    });
    expect(gate.failed).toEqual([]);
  });
});

describe('a repository whose snapshot key the client holds (notary init -p)', () => {
  let repo: TrustedRepo;
  let gun: string;
  beforeAll(async () => {
    gun = `${tls.registry.host}/client/snap`;
    repo = await createTrustedRepo(tls, gun, { serverSnapshot: false });
  });

  it('signs the snapshot with the key from the backup archive', async () => {
    const img = await pushImage(tls, 'client/snap', '1', { seed: 'snap' });
    const before = await serverMeta(tls, gun, 'snapshot');
    const root = await serverMeta(tls, gun, 'root');
    const r = await run(tls, { ...signInputs(tls, repo, [`${gun}:1`]), keys: backupOf(repo) });
    expect(r.failed).toEqual([]);
    const after = await serverMeta(tls, gun, 'snapshot');
    expect(after!.signed.version).toBe(before!.signed.version + 1);
    // Signed by the client's snapshot key named in root.json, not by a server key.
    expect(after!.signatures.map((s) => s.keyid)).toEqual(root!.signed.roles!.snapshot.keyids);
    expect((await new NotaryCli(tls).list(gun)).map((t) => [t.name, t.digest])).toEqual([
      ['1', img.digest],
    ]);
  });

  it('without the snapshot key: says to add it or to let the server manage it', async () => {
    await pushImage(tls, 'client/snap', '2', { seed: 'snap2' });
    const before = await versions(tls, gun);
    const r = await run(tls, {
      ...signInputs(tls, repo, [`${gun}:2`]),
      keys: repo.keyFiles[`${repo.signerKeyId!}.key`],
    });
    expectOneLineEach(r);
    const line = r.failed.join('\n');
    expect(line).toContain('snapshot key');
    expect(line).toContain('`keys`');
    expect(line).toContain(`dct key rotate ${gun} snapshot --server-managed`);
    expect(line).not.toMatch(/INVALID_UPDATE|ErrBadHierarchy/);
    expect(await versions(tls, gun)).toBe(before);
  });
});

describe('without `trust-server`', () => {
  it('the default server (the registry host) is named as the default, with the input to set', async () => {
    const gun = `${tls.registry.host}/nodefault/app`;
    const repo = await createTrustedRepo(tls, gun);
    await pushImage(tls, 'nodefault/app', '1', { seed: 'nd' });
    for (const command of ['sign', 'verify']) {
      const r = await run(tls, {
        command,
        images: `${gun}:1`,
        ...(command === 'sign' ? { keys: repo.keysPem, passphrase: repo.passphrase } : {}),
      });
      expectOneLineEach(r);
      const line = r.failed.join('\n');
      expect(line).toContain(`https://${tls.registry.host}`);
      expect(line).toMatch(/default/);
      expect(line).toContain('`trust-server`');
    }
  });
});

describe('a server that is down', () => {
  it('names which: the registry or the trust server', async () => {
    const gun = `${tls.registry.host}/down/app`;
    await pushImage(tls, 'down/app', '1', { seed: 'down' });
    const closed = await closedPort();
    await createTrustedRepo(tls, `127.0.0.1:${closed}/down/app`);
    const noRegistry = await run(tls, {
      command: 'verify',
      images: `127.0.0.1:${closed}/down/app:1`,
      'trust-server': tls.notary.url,
    });
    expectOneLineEach(noRegistry);
    expect(noRegistry.failed[0]).toContain(`cannot reach the registry 127.0.0.1:${closed}`);
    const noServer = await run(tls, {
      command: 'verify',
      images: `${gun}:1`,
      'trust-server': `https://127.0.0.1:${closed}`,
    });
    expectOneLineEach(noServer);
    expect(noServer.failed[0]).toContain(`cannot reach the trust server 127.0.0.1:${closed}`);
  });
});
