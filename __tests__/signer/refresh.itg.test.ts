/**
 * `refresh` (issue 11) against the real notary-server, judged by the Go notary CLI. The Go CLI
 * cannot write a role that expires in days, and the server takes no upload that has already
 * expired: the roles are published through our own publish path with a clock set back by the
 * role's lifetime, so that they expire when the test wants (days ahead, or seconds ahead and
 * then waited for).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { KeyRing as Ring } from '../../src/keys/keyring.js';
import { NotaryClient } from '../../src/notary/client.js';
import { parseRepositoryRef } from '../../src/registry/reference.js';
import { connectRepo, type RepoConnection } from '../../src/signer/connect.js';
import { heldSigners } from '../../src/signer/health.js';
import { loadRepo, publishChange, type Change } from '../../src/signer/publish.js';
import { refreshRepositories, type RefreshResult } from '../../src/signer/refresh.js';
import { signImages } from '../../src/signer/sign.js';
import { verifyImages } from '../../src/signer/verify.js';
import { runMain } from '../../src/action/run.js';
import { signEnvelope } from '../../src/tuf/envelope.js';
import {
  ROOT_EXPIRY_DAYS,
  TARGETS_EXPIRY_DAYS,
  updatedRoot,
  updatedSnapshot,
} from '../../src/tuf/models.js';
import { addDays, parseExpires } from '../../src/tuf/time.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { pushImage } from '../support/images.js';
import {
  createTrustedRepo,
  NotaryCli,
  type TrustedRepo as CliRepo,
} from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf, quietLog } from './flows.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const DAY = 86_400_000;
const conn = () => ({ trustServer: sb.notary.url, caPem: sb.caPem });

/** Every key the CLI made, root included (opened with the root passphrase). */
function fullRing(repo: CliRepo): KeyRing {
  const { files } = readKeySecret(repo.keysPem, () => undefined);
  return Ring.open(files, {
    passphrase: repo.passphrase,
    rootPassphrase: repo.rootPassphrase,
    include: 'all',
  });
}

/**
 * Re-signs targets roles (content unchanged) so that they expire at `at`: the publish runs
 * with a clock set back by their 3-year lifetime. A client-held snapshot is re-signed in the
 * same publish, so it expires then too.
 */
async function expireAt(gun: string, keys: KeyRing, roles: string[], at: Date): Promise<void> {
  await withConn(gun, async (c) => {
    const repo = await loadRepo({ conn: c, rootKeyIds: [] }, undefined);
    const then = addDays(at, -TARGETS_EXPIRY_DAYS);
    const change: Change = {
      roles: roles.map((role) => ({
        role,
        signers: heldSigners(keys, repo.keysOf(role)),
        edit: () => undefined,
      })),
    };
    // The repository loaded now is handed over, so the set-back clock only dates the files.
    await publishChange(
      { conn: c, keys, rootKeyIds: [], log: quietLog(), now: () => then },
      () => change,
      () => undefined,
      repo,
    );
  });
}

/** Root re-signed to expire at `at` (and a client-held snapshot over it, of usual lifetime). */
async function expireRootAt(gun: string, keys: KeyRing, at: Date): Promise<void> {
  await withConn(gun, async (c) => {
    const repo = await loadRepo({ conn: c, rootKeyIds: [] }, undefined);
    const root = updatedRoot(repo.root.signed, () => undefined, addDays(at, -ROOT_EXPIRY_DAYS));
    const files = new Map([
      ['root', signEnvelope(root, heldSigners(keys, repo.keysOf('root'))).bytes],
    ]);
    const snapshotSigners = heldSigners(keys, repo.keysOf('snapshot'));
    if (snapshotSigners.length > 0) {
      const snapshot = updatedSnapshot(repo.snapshot.signed, files, new Date());
      files.set('snapshot', signEnvelope(snapshot, snapshotSigners).bytes);
    }
    await c.notary.publish(files);
  });
}

async function withConn(gun: string, fn: (c: RepoConnection) => Promise<void>): Promise<void> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    await fn(await connectRepo(parseRepositoryRef(gun), { ...conn(), http, write: true }));
  } finally {
    await http.close();
  }
}

/** Version and expiry of each role as the server stores it now. */
async function serverRoles(
  gun: string,
): Promise<Record<string, { version: number; expires: string }>> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const client = new NotaryClient({ server: sb.notary.url, gun, http });
    const out: Record<string, { version: number; expires: string }> = {};
    for (const role of ['root', 'snapshot', 'targets', 'targets/releases', 'targets/ci']) {
      const bytes = await client.fetch(role);
      if (bytes === undefined) continue;
      const { signed } = JSON.parse(bytes.toString()) as {
        signed: { version: number; expires: string };
      };
      out[role] = { version: signed.version, expires: signed.expires };
    }
    return out;
  } finally {
    await http.close();
  }
}

/** A docker-layout repository (server snapshot, targets/releases + targets/ci) with one tag. */
async function dockerRepo(name: string) {
  const gun = `${sb.registry.host}/${name}`;
  const repo = await createTrustedRepo(sb, gun);
  const img = await pushImage(sb, name, '1.0', { seed: name });
  const keys = keyRingOf(repo);
  await signImages({
    ...conn(),
    images: [`${gun}:1.0`],
    keys,
    signers: [],
    rootKeyIds: [],
    log: quietLog(),
  });
  return { gun, repo, img, keys };
}

const lasts = (expires: string, days: number) =>
  parseExpires(expires).getTime() > Date.now() + days * DAY;

type DockerRepo = Awaited<ReturnType<typeof dockerRepo>>;

/**
 * The repositories whose roles have expired for real, made once for the whole file: the server
 * takes no upload that has already expired, so each is set to expire a few seconds ahead and
 * then waited for. All are set to the same moment, so the file waits for it once, not once
 * per test. Each test still has repositories of its own and disposes their keys.
 */
interface Expired {
  app: DockerRepo; // targets, targets/releases and targets/ci expired
  mixedGood: DockerRepo; // nothing expired
  mixedBad: DockerRepo; // targets and targets/releases expired
  sign: DockerRepo; // targets/releases expired
  top: DockerRepo; // targets expired
}
let expired: Promise<Expired> | undefined;
function expiredRepos(): Promise<Expired> {
  expired ??= (async () => {
    const [app, mixedGood, mixedBad, sign, top] = [
      await dockerRepo('expired/app'),
      await dockerRepo('mixed/good'),
      await dockerRepo('mixed/bad'),
      await dockerRepo('expired/sign'),
      await dockerRepo('expired/top'),
    ];
    // Ahead by enough for the four publishes below on a loaded machine, then waited for.
    const at = new Date(Date.now() + 10_000);
    await Promise.all([
      expireAt(app.gun, app.keys, ['targets', 'targets/releases', 'targets/ci'], at),
      expireAt(mixedBad.gun, mixedBad.keys, ['targets', 'targets/releases'], at),
      expireAt(sign.gun, sign.keys, ['targets/releases'], at),
      expireAt(top.gun, top.keys, ['targets'], at),
    ]);
    await new Promise((r) => setTimeout(r, Math.max(0, at.getTime() - Date.now()) + 1_500));
    return { app, mixedGood, mixedBad, sign, top };
  })();
  return expired;
}

describe('refresh against the real notary-server', () => {
  it('re-signs exactly the roles within the window; the Go CLI lists the repository; a second run changes nothing', async () => {
    const { gun, repo, img, keys } = await dockerRepo('fresh/app');
    const store = new MemoryTrustStore();
    try {
      const now = new Date();
      await expireAt(gun, keys, ['targets/releases'], addDays(now, 5));
      await expireAt(gun, keys, ['targets'], addDays(now, 40));
      await expireAt(gun, keys, ['targets/ci'], addDays(now, 200));
      const before = await serverRoles(gun);

      const log = quietLog();
      const opts = {
        ...conn(),
        repositories: [`${gun}:ignored-tag`],
        keys,
        expiresWithinMs: 90 * DAY,
        trustStore: store,
        log,
      };
      const [result] = await refreshRepositories(opts);
      expect(result.refreshed.map((r) => [r.gun, r.role, r.version])).toEqual([
        [gun, 'targets', before['targets'].version + 1],
        [gun, 'targets/releases', before['targets/releases'].version + 1],
      ]);
      const after = await serverRoles(gun);
      for (const role of ['targets', 'targets/releases']) {
        expect(after[role].version).toBe(before[role].version + 1);
        expect(after[role].expires).toBe(result.refreshed.find((r) => r.role === role)!.expires);
        expect(lasts(after[role].expires, 3 * 365 - 2)).toBe(true);
      }
      // Outside the window: untouched.
      expect(after['targets/ci']).toEqual(before['targets/ci']);
      expect(after['root']).toEqual(before['root']);
      // The health report has every role, re-signed ones with their new expiry.
      const health = Object.fromEntries(result.roles.map((h) => [h.role, h]));
      expect(health['targets/releases'].expires).toBe(after['targets/releases'].expires);
      expect(health['targets/ci'].expires).toBe(before['targets/ci'].expires);
      expect(health['timestamp'].serverManaged).toBe(true);
      expect(health['snapshot'].serverManaged).toBe(true);

      // The Go CLI, from a fresh trust dir and from the one that created the repository.
      const listed = { name: '1.0', digest: img.digest, size: img.size, role: 'targets/releases' };
      expect(await new NotaryCli(sb).list(gun)).toEqual([listed]);
      expect(await repo.cli.list(gun)).toEqual([listed]);

      // Nothing is due any more: nothing is published.
      const again = await refreshRepositories(opts);
      expect(again[0].refreshed).toEqual([]);
      expect(await serverRoles(gun)).toEqual(after);
    } finally {
      keys.dispose();
    }
  });

  it('re-signs root, targets and a client-held snapshot with the root key; the Go CLI follows', async () => {
    const gun = `${sb.registry.host}/fresh/plain`;
    const repo = await createTrustedRepo(sb, gun, { serverSnapshot: false, signer: null });
    const img = await pushImage(sb, 'fresh/plain', 'v1', { seed: 'plain' });
    const keys = fullRing(repo);
    const warm = new NotaryCli(sb);
    try {
      await signImages({
        ...conn(),
        images: [`${gun}:v1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      const now = new Date();
      await expireRootAt(gun, keys, addDays(now, 60));
      await expireAt(gun, keys, ['targets'], addDays(now, 10));
      const before = await serverRoles(gun);
      // The snapshot was signed along with targets, by the same set-back clock.
      expect(lasts(before['snapshot'].expires, 30)).toBe(false);
      expect((await warm.list(gun)).map((t) => t.name)).toEqual(['v1']);

      const [result] = await refreshRepositories({
        ...conn(),
        repositories: [gun],
        keys,
        expiresWithinMs: 90 * DAY,
        log: quietLog(),
      });
      expect(result.refreshed.map((r) => [r.role, r.version])).toEqual([
        ['root', before['root'].version + 1],
        ['targets', before['targets'].version + 1],
        ['snapshot', before['snapshot'].version + 1],
      ]);
      const after = await serverRoles(gun);
      expect(lasts(after['root'].expires, 10 * 365 - 2)).toBe(true);
      expect(lasts(after['targets'].expires, 3 * 365 - 2)).toBe(true);
      expect(lasts(after['snapshot'].expires, 3 * 365 - 2)).toBe(true);
      expect(result.roles.find((h) => h.role === 'snapshot')?.serverManaged).toBe(false);

      const listed = [{ name: 'v1', digest: img.digest, size: img.size, role: 'targets' }];
      expect(await new NotaryCli(sb).list(gun)).toEqual(listed);
      expect(await warm.list(gun)).toEqual(listed);
    } finally {
      keys.dispose();
    }
  });

  it('repairs a repository whose targets and delegations have expired; the Go CLI refused it and lists it again', async () => {
    const { gun, repo, img, keys } = (await expiredRepos()).app;
    try {
      const refused = await new NotaryCli(sb).run(['list', gun]);
      expect(refused.code).not.toBe(0);
      expect(`${refused.stdout}${refused.stderr}`).toMatch(/expired/i);
      // verify and sign still refuse what refresh has not repaired.
      const verified = verifyImages({
        ...conn(),
        images: [`${gun}:1.0`],
        requiredSigners: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      await expect(verified).rejects.toThrow(/targets expired at/);

      const before = await serverRoles(gun);
      const [result] = await refreshRepositories({
        ...conn(),
        repositories: [gun],
        keys,
        expiresWithinMs: 0,
        log: quietLog(),
      });
      expect(result.refreshed.map((r) => [r.role, r.version])).toEqual([
        ['targets', before['targets'].version + 1],
        ['targets/releases', before['targets/releases'].version + 1],
        ['targets/ci', before['targets/ci'].version + 1],
      ]);

      const listed = { name: '1.0', digest: img.digest, size: img.size };
      for (const role of ['targets/releases', 'targets/ci']) {
        expect(await new NotaryCli(sb).list(gun, role)).toEqual([{ ...listed, role }]);
      }
      expect(await repo.cli.list(gun)).toEqual([{ ...listed, role: 'targets/releases' }]);
      const ok = await verifyImages({
        ...conn(),
        images: [`${gun}:1.0`],
        requiredSigners: ['ci'],
        rootKeyIds: [],
        log: quietLog(),
      });
      expect(ok[0].digest).toBe(img.digest);
    } finally {
      keys.dispose();
    }
  });

  it('publishes nothing for a repository that fails to load, names the role, and fails after the others are done', async () => {
    const { mixedGood: good, mixedBad: bad } = await expiredRepos();
    // One ring for both runs: the good repository's keys, and only the signer key of the bad.
    const { files } = readKeySecret(
      good.repo.keysPem + bad.repo.keyFiles[`${bad.repo.signerKeyId}.key`],
      () => undefined,
    );
    const keys = Ring.open(files, { passphrase: good.repo.passphrase, include: 'signing' });
    try {
      // bad's targets and targets/releases have expired (expiredRepos).
      await expireAt(good.gun, good.keys, ['targets/releases'], addDays(new Date(), 3));
      const badBefore = await serverRoles(bad.gun);
      const goodBefore = await serverRoles(good.gun);

      const run = refreshRepositories({
        ...conn(),
        repositories: [bad.gun, good.gun],
        keys,
        expiresWithinMs: 90 * DAY,
        log: quietLog(),
      });
      const e = await run.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ImagesError);
      const failure = e as ImagesError;
      expect(failure.failures.map((f) => [f.image, f.code])).toEqual([[bad.gun, 'TUF_EXPIRED']]);
      expect(failure.failures[0].message).toMatch(/^targets expired at /);
      const done = failure.done as RefreshResult[];
      expect(done.map((d) => [d.gun, d.refreshed.map((r) => r.role)])).toEqual([
        [good.gun, ['targets/releases']],
      ]);
      expect(await serverRoles(bad.gun)).toEqual(badBefore);
      expect((await serverRoles(good.gun))['targets/releases'].version).toBe(
        goodBefore['targets/releases'].version + 1,
      );
    } finally {
      keys.dispose();
      good.keys.dispose();
      bad.keys.dispose();
    }
  });
});

describe('sign into an expired targets/releases (issue 15, defect 5)', () => {
  it('signs it again, keeping its tags, with a warning; the Go CLI lists old and new tags', async () => {
    const { gun, img, keys } = (await expiredRepos()).sign;
    try {
      // Go skips the expired role: the tag is only in targets/ci, which docker does not read.
      expect(await new NotaryCli(sb).list(gun, 'targets/releases')).toEqual([]);

      const next = await pushImage(sb, 'expired/sign', '2.0', { seed: 'expired-2' });
      const log = quietLog();
      const out = await signImages({
        ...conn(),
        images: [`${gun}:2.0`],
        keys,
        signers: [],
        rootKeyIds: [],
        log,
      });
      expect([...out[0].roles].sort()).toEqual(['targets/ci', 'targets/releases']);
      expect(log.lines.join('\n')).toMatch(
        /warning: .*targets\/releases expired at .*signed again now, keeping the 1 tags.*command: refresh/,
      );
      const rows = (await new NotaryCli(sb).list(gun, 'targets/releases')).map((t) => [
        t.name,
        t.digest,
      ]);
      expect(rows.sort()).toEqual([
        ['1.0', img.digest],
        ['2.0', next.digest],
      ]);
    } finally {
      keys.dispose();
    }
  });

  it('still refuses an expired targets role, which only refresh with the repository key repairs', async () => {
    const { gun, keys } = (await expiredRepos()).top;
    try {
      await pushImage(sb, 'expired/top', '2.0', { seed: 'expired-top' });
      const run = signImages({
        ...conn(),
        images: [`${gun}:2.0`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      await expect(run).rejects.toThrow(/targets expired at .*command: refresh/);
    } finally {
      keys.dispose();
    }
  });
});

describe('the action (src/action/run.ts with the real flows and keys)', () => {
  /** A core that records what a runner would print; the rest of the deps are the real ones. */
  function runWith(inputs: Record<string, string>) {
    const rec = {
      failed: [] as string[],
      outputs: {} as Record<string, string>,
      warnings: [] as string[],
      summary: '',
    };
    const core = {
      getInput: (name: string) => inputs[name] ?? '',
      setSecret: () => undefined,
      setOutput: (k: string, v: string) => void (rec.outputs[k] = v),
      setFailed: (m: string) => void rec.failed.push(m),
      info: () => undefined,
      warning: (m: string) => void rec.warnings.push(m),
      debug: () => undefined,
      saveState: () => undefined,
      getState: () => '',
    };
    const done = runMain({
      core,
      env: {},
      cache: {
        isFeatureAvailable: () => false,
        restoreCache: () => Promise.reject(new Error('no cache here')),
        saveCache: () => Promise.reject(new Error('no cache here')),
      },
      writeSummary: (html) => {
        rec.summary = html;
        return Promise.resolve();
      },
    });
    return done.then(() => rec);
  }

  it('verify warns about a role within 30 days; refresh re-signs it and says so; then no warning', async () => {
    const { gun, repo, keys } = await dockerRepo('action/app');
    keys.dispose();
    const ring = keyRingOf(repo);
    try {
      await expireAt(gun, ring, ['targets/releases'], addDays(new Date(), 5));
    } finally {
      ring.dispose();
    }
    const common = { images: `${gun}:1.0`, 'trust-server': sb.notary.url, 'ca-cert': sb.caPem };

    const before = await runWith({ ...common, command: 'verify' });
    expect(before.failed).toEqual([]);
    const expiring = before.warnings.filter((w) => w.includes(' expires at '));
    expect(expiring).toHaveLength(1);
    expect(expiring[0]).toMatch(
      new RegExp(
        `^${gun}: targets/releases expires at \\S+ \\(in [45] days\\).*\`command: refresh\``,
      ),
    );
    expect(before.summary).toMatch(
      /<td>targets\/releases<\/td><td>\d+<\/td><td>[^<]+<\/td><td>[45] ⚠️<\/td>/,
    );

    const refreshed = await runWith({
      ...common,
      command: 'refresh',
      keys: Buffer.from(repo.keysPem).toString('base64'),
      passphrase: repo.passphrase,
    });
    expect(refreshed.failed).toEqual([]);
    const out = JSON.parse(refreshed.outputs['refreshed']) as { gun: string; role: string }[];
    expect(out.map((r) => [r.gun, r.role])).toEqual([[gun, 'targets/releases']]);
    expect(refreshed.summary).toMatch(/^<h2>Refreshed trust data<\/h2>/);
    expect(refreshed.summary).toMatch(/<td>targets\/releases<\/td>.*?<td>re-signed<\/td>/);

    const after = await runWith({ ...common, command: 'verify' });
    expect(after.failed).toEqual([]);
    expect(after.warnings.filter((w) => w.includes(' expires at '))).toEqual([]);
    expect(after.summary).not.toContain('⚠️');
  });
});
