// Smoke test of the test support itself, against the real notary-server, registry and
// notary CLI: if these fail, every other integration test would fail for the wrong reason.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, fetchManifest, pushImage } from './images.js';
import { createTrustedRepo, NotaryCli, passphraseEnv, type TrustedRepo } from './notary-cli.js';
import { node24, runActionStep } from './runner.js';
import { ensurePackages, NOTARY_SERVICE, startSandbox, type Sandbox } from './servers.js';

const alice = { username: 'alice', password: 'alice-secret' };

function headerOf(pem: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(pem)?.[1];
}

/** GET on the notary server with a bearer token; resolves the status. */
function notaryGet(sb: Sandbox, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, sb.notary.url),
      { ca: sb.caPem, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  await ensurePackages();
});

describe('sandbox with token auth', () => {
  let sb: Sandbox;
  let gun: string;
  let repo: TrustedRepo;

  beforeAll(async () => {
    sb = await startSandbox({
      notaryAuth: true,
      registryAuth: true,
      users: { alice: alice.password, bob: 'bob-secret' },
    });
    gun = `${sb.registry.host}/team/app`;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('serves both servers over TLS from a private dir', async () => {
    expect((await stat(sb.dir)).mode & 0o777).toBe(0o700);
    for (const key of ['ca.key', 'server.key', 'token.key']) {
      expect((await stat(join(sb.dir, key))).mode & 0o777).toBe(0o600);
    }
    expect(sb.registry.url).toBe(`https://${sb.registry.host}`);
    expect(sb.notary.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.caPem).toContain('BEGIN CERTIFICATE');
    expect(sb.token?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/token$/);
  });

  it('pushes every image kind with credentials; the tag holds the exact bytes', async () => {
    for (const kind of ['docker', 'oci', 'oci-index', 'docker-list'] as const) {
      const pushed = await pushImage(sb, 'team/app', kind, { kind, auth: alice });
      const stored = await fetchManifest(sb, 'team/app', kind, alice);
      expect(stored.digest).toBe(pushed.digest);
      expect(stored.size).toBe(pushed.size);
      expect(stored.mediaType).toBe(pushed.mediaType);
      expect(digestOf(stored.bytes)).toBe(pushed.digest);
    }
    // Another seed moves the tag to other content.
    const first = await fetchManifest(sb, 'team/app', 'docker', alice);
    const moved = await pushImage(sb, 'team/app', 'docker', { seed: 'other', auth: alice });
    expect(moved.digest).not.toBe(first.digest);
    expect((await fetchManifest(sb, 'team/app', 'docker', alice)).digest).toBe(moved.digest);
  });

  it('refuses an anonymous push and a wrong password', async () => {
    await expect(pushImage(sb, 'team/anon', '1')).rejects.toThrow(/HTTP 401/);
    await expect(
      pushImage(sb, 'team/app', '1', { auth: { username: 'alice', password: 'wrong' } }),
    ).rejects.toThrow(/get registry token: HTTP 401/);
  });

  it('notary-server accepts its own tokens and rejects wrong audience, expiry, scope', async () => {
    const token = sb.token!;
    const path = `/v2/${gun}/_trust/tuf/root.json`;
    const pull = [{ type: 'repository', name: gun, actions: ['pull'] }];
    // 404: authorized, nothing published yet.
    expect(await notaryGet(sb, path, token.mint(NOTARY_SERVICE, pull))).toBe(404);
    expect(await notaryGet(sb, path, token.mint('another-service', pull))).toBe(401);
    expect(await notaryGet(sb, path, token.mint(NOTARY_SERVICE, pull, '', -600))).toBe(401);
    const other = [{ type: 'repository', name: `${gun}-other`, actions: ['pull'] }];
    expect(await notaryGet(sb, path, token.mint(NOTARY_SERVICE, other))).toBe(401);
    // .key needs push as well as pull (notary-spec.md §5.1).
    const keyPath = `/v2/${gun}/_trust/tuf/timestamp.key`;
    expect(await notaryGet(sb, keyPath, token.mint(NOTARY_SERVICE, pull))).toBe(401);
  });

  it('creates a trusted repo in docker layout: signer ci in releases and targets/ci', async () => {
    token().requests.length = 0;
    repo = await createTrustedRepo(sb, gun);
    const names = Object.keys(repo.keyFiles);
    expect(names).toHaveLength(3); // root, targets, ci; snapshot is on the server
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}\.key$/);
    const roles = Object.values(repo.keyFiles).map((pem) => headerOf(pem, 'role'));
    expect(roles.sort()).toEqual(['ci', 'root', 'targets']);
    for (const pem of Object.values(repo.keyFiles)) {
      expect(pem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      // `gun:` only on the targets key (notary-spec.md §1.2).
      expect(headerOf(pem, 'gun')).toBe(headerOf(pem, 'role') === 'targets' ? gun : undefined);
    }
    expect(repo.keyFiles[`${repo.signerKeyId}.key`]).toMatch(/^role: ci$/m);
    expect(repo.keysPem).toBe(Object.values(repo.keyFiles).join(''));

    const delegations = await repo.cli.ok(['delegation', 'list', gun]);
    for (const role of ['targets/releases', 'targets/ci']) {
      expect(delegations).toMatch(
        new RegExp(`^${role}\\s+"" <all paths>\\s+${repo.signerKeyId}`, 'm'),
      );
    }
    // What the real CLI asks the token service for while creating a repository.
    const scopes = new Set(token().requests.map((r) => `${r.service} ${r.scope} ${r.user}`));
    expect(scopes).toContain(`${NOTARY_SERVICE} repository:${gun}:push,pull alice`);
    expect(scopes).toContain(`${NOTARY_SERVICE} repository:${gun}:* alice`); // key rotate -r
  });

  it('lists nothing, then the target the CLI signed, from a fresh trust dir', async () => {
    const fresh = new NotaryCli(sb);
    expect(await fresh.list(gun)).toEqual([]);

    const pushed = await pushImage(sb, 'team/app', '1.0', { auth: alice });
    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    await repo.cli.addTarget(gun, '1.0', pushed, env, ['targets/releases', 'targets/ci']);

    const expected = { name: '1.0', digest: pushed.digest, size: pushed.size };
    expect(await new NotaryCli(sb).list(gun)).toEqual([{ ...expected, role: 'targets/releases' }]);
    expect(await fresh.list(gun, 'targets/ci')).toEqual([{ ...expected, role: 'targets/ci' }]);
  });

  it('lets anonymous read but not publish; a wrong password cannot publish', async () => {
    token().requests.length = 0;
    // The CLI reads anonymously even with NOTARY_AUTH set (cmd/notary/tuf.go, readOnly).
    const reader = new NotaryCli(sb);
    expect((await reader.list(gun)).map((t) => t.name)).toEqual(['1.0']);
    expect(token().requests.map((r) => `${r.scope} ${r.user}`)).toContain(
      `repository:${gun}:pull undefined`,
    );

    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    const target = { digest: digestOf(Buffer.from('x')), size: 1 };
    const anon = new NotaryCli(sb, repo.cli.trustDir, { auth: null });
    await expect(anon.addTarget(gun, '2.0', target, env)).rejects.toThrow(/exited 1/);
    const wrong = new NotaryCli(sb, repo.cli.trustDir, {
      auth: { username: 'bob', password: 'nope' },
    });
    await expect(wrong.addTarget(gun, '2.0', target, env)).rejects.toThrow(/exited 1/);
    expect(token().requests.some((q) => q.account === 'bob' && q.status === 401)).toBe(true);
    // Nothing was published by either.
    expect((await reader.list(gun)).map((t) => t.name)).toEqual(['1.0']);
  });

  function token(): NonNullable<Sandbox['token']> {
    return sb.token!;
  }
});

describe('plain sandbox (no auth)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('has no token service and signs into `targets` when there are no delegations', async () => {
    expect(sb.token).toBeUndefined();
    const gun = `${sb.registry.host}/plain/app`;
    const pushed = await pushImage(sb, 'plain/app', 'v1', { kind: 'oci' });
    const repo = await createTrustedRepo(sb, gun, { signer: null, serverSnapshot: false });
    expect(repo.signerKeyId).toBeUndefined();
    const roles = Object.values(repo.keyFiles).map((pem) => headerOf(pem, 'role'));
    expect(roles.sort()).toEqual(['root', 'snapshot', 'targets']);

    await repo.cli.addTarget(
      gun,
      'v1',
      pushed,
      passphraseEnv(repo.passphrase, repo.rootPassphrase),
    );
    expect(await new NotaryCli(sb).list(gun)).toEqual([
      { name: 'v1', digest: pushed.digest, size: pushed.size, role: 'targets' },
    ]);
  });

  it('stop() removes the dir and is idempotent', async () => {
    const other = await startSandbox();
    await Promise.all([other.stop(), other.stop()]);
    expect(existsSync(other.dir)).toBe(false);
    await expect(fetchManifest(other, 'x/y', 'z')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('node24', () => {
  it('gives a Node 24 binary that runs an action step', async () => {
    const node = await node24();
    const dir = await mkdtemp(join(tmpdir(), 'dct-node24-'));
    const entry = join(dir, 'version.mjs');
    await writeFile(
      entry,
      "import { appendFileSync } from 'node:fs';\n" +
        'appendFileSync(process.env.GITHUB_OUTPUT, `v<<E\\n${process.version}\\nE\\n`);\n',
    );
    try {
      const run = await runActionStep('main', { inputs: {}, workDir: dir, node, entry });
      expect(run.code).toBe(0);
      expect(run.outputs.v).toMatch(/^v24\./);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
