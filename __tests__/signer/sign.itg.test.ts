import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { NotaryClient } from '../../src/notary/client.js';
import { signImages } from '../../src/signer/sign.js';
import { revokeImages } from '../../src/signer/revoke.js';
import { publishChange } from '../../src/signer/publish.js';
import { connectRepo } from '../../src/signer/connect.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { toTargetFile } from '../../src/signer/targets.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf, quietLog } from './flows.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const conn = () => ({ trustServer: sb.notary.url, caPem: sb.caPem });

/** What the Go CLI lists from an empty trust dir: the independent judge. */
async function goList(gun: string) {
  return new NotaryCli(sb).list(gun);
}

async function serverVersions(gun: string): Promise<Record<string, number>> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const client = new NotaryClient({ server: sb.notary.url, gun, http });
    const out: Record<string, number> = {};
    for (const role of ['timestamp', 'snapshot', 'targets', 'targets/releases', 'targets/ci']) {
      const bytes = await client.fetch(role);
      if (bytes)
        out[role] = (
          JSON.parse(bytes.toString()) as { signed: { version: number } }
        ).signed.version;
    }
    return out;
  } finally {
    await http.close();
  }
}

describe('sign against the real notary-server', () => {
  it('signs two tags into targets/releases and targets/ci (docker layout); notary lists them', async () => {
    const gun = `${sb.registry.host}/team/app`;
    const repo = await createTrustedRepo(sb, gun);
    const a = await pushImage(sb, 'team/app', '1.0', { seed: 'a' });
    const b = await pushImage(sb, 'team/app', 'latest', { seed: 'b' });
    const keys = keyRingOf(repo);
    try {
      const out = await signImages({
        ...conn(),
        images: [`${gun}:1.0`, `${gun}:latest`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      expect(out.map((o) => [o.tag, o.digest, o.size, [...o.roles].sort()])).toEqual([
        ['1.0', a.digest, a.size, ['targets/ci', 'targets/releases']],
        ['latest', b.digest, b.size, ['targets/ci', 'targets/releases']],
      ]);
    } finally {
      keys.dispose();
    }
    // `notary list` shows each name once (first role wins), so ask each role.
    const cli = new NotaryCli(sb);
    for (const role of ['targets/releases', 'targets/ci']) {
      const rows = (await cli.list(gun, role)).map(
        (t) => `${t.name} ${t.digest} ${t.size} ${t.role}`,
      );
      expect(rows.sort()).toEqual([
        `1.0 ${a.digest} ${a.size} ${role}`,
        `latest ${b.digest} ${b.size} ${role}`,
      ]);
    }
  });

  it('signs into targets with a client-held snapshot key and no delegations', async () => {
    const gun = `${sb.registry.host}/team/plain`;
    const repo = await createTrustedRepo(sb, gun, { serverSnapshot: false, signer: null });
    const img = await pushImage(sb, 'team/plain', 'v1', { kind: 'oci-index', seed: 'p' });
    const before = await serverVersions(gun);
    const keys = keyRingOf(repo);
    try {
      const out = await signImages({
        ...conn(),
        images: [`${gun}:v1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      expect(out[0].roles).toEqual(['targets']);
      expect(out[0].digest).toBe(img.digest);
    } finally {
      keys.dispose();
    }
    const after = await serverVersions(gun);
    // We signed the snapshot ourselves: its version moved by one, as did targets.
    expect(after['snapshot']).toBe(before['snapshot'] + 1);
    expect(after['targets']).toBe(before['targets'] + 1);
    expect(await goList(gun)).toEqual([
      { name: 'v1', digest: img.digest, size: img.size, role: 'targets' },
    ]);
  });

  it('signs on top of what the Go CLI wrote, and the Go CLI signs on top of ours', async () => {
    const gun = `${sb.registry.host}/team/mixed`;
    const repo = await createTrustedRepo(sb, gun);
    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    // The Go CLI signs first, into the delegation, with a sha256+sha512 target.
    await repo.cli.ok(['add', gun, 'from-go', '/etc/hostname', '--roles', 'targets/releases'], env);
    await repo.cli.ok(['publish', gun], env);
    const img = await pushImage(sb, 'team/mixed', 'ours', { seed: 'm' });
    const keys = keyRingOf(repo);
    try {
      await signImages({
        ...conn(),
        images: [`${gun}:ours`],
        keys,
        signers: ['ci'],
        rootKeyIds: [],
        log: quietLog(),
      });
    } finally {
      keys.dispose();
    }
    // Then the Go CLI again, on top of ours, from its (now stale) trust dir.
    await repo.cli.ok(
      ['add', gun, 'after-us', '/etc/hostname', '--roles', 'targets/releases'],
      env,
    );
    await repo.cli.ok(['publish', gun], env);
    const releases = (await goList(gun)).filter((t) => t.role === 'targets/releases');
    expect(releases.map((t) => t.name).sort()).toEqual(['after-us', 'from-go', 'ours']);
    expect(releases.find((t) => t.name === 'ours')).toMatchObject({
      digest: img.digest,
      size: img.size,
    });
  });

  /** Adds `name` to targets/releases through publishChange, as sign would. */
  async function addToReleases(
    gun: string,
    keys: ReturnType<typeof keyRingOf>,
    http: HttpClient,
    name: string,
    target: { digest: string; size: number },
  ) {
    const c = await connectRepo(parseImageRef(`${gun}:x`), { ...conn(), http, write: true });
    await publishChange(
      { conn: c, keys, rootKeyIds: [], log: quietLog() },
      (r) => {
        const d = r.targets
          .get('targets')!
          .signed.delegations.roles.find((x) => x.name === 'targets/releases')!;
        const signers = d.keyids.flatMap((id) => {
          const s = keys.signerFor(id, r.targets.get('targets')!.signed.delegations.keys[id]);
          return s ? [s] : [];
        });
        return r.targets.get('targets/releases')?.signed.targets[name]
          ? []
          : [
              {
                role: 'targets/releases',
                signers,
                edit: (t) => void (t.targets[name] = toTargetFile(target)),
              },
            ];
      },
      (r) => (r.targets.get('targets/releases')?.signed.targets[name] ? undefined : 'missing'),
    );
    return c;
  }

  it('publishes a target name with &<> byte-compatibly (HTML-escaped file, canonical signature)', async () => {
    const gun = `${sb.registry.host}/team/escape`;
    const repo = await createTrustedRepo(sb, gun);
    const keys = keyRingOf(repo);
    const http = new HttpClient({ caPem: sb.caPem });
    try {
      const name = 'a&b<c>é';
      const target = { digest: `sha256:${'ab'.repeat(32)}`, size: 42 };
      const c = await addToReleases(gun, keys, http, name, target);
      const raw = await c.notary.fetch('targets/releases');
      expect(raw!.toString()).toContain('"a\\u0026b\\u003cc\\u003eé"');
    } finally {
      keys.dispose();
      await http.close();
    }
    const listed = await goList(gun);
    expect(listed).toContainEqual({
      name: 'a&b<c>é',
      digest: `sha256:${'ab'.repeat(32)}`,
      size: 42,
      role: 'targets/releases',
    });
  });

  it('a target name with a TAB: Go cannot write it, notary-server refuses it, nothing is published', async () => {
    // notary-spec.md §3.1 has canonical JSON keep control characters raw, which is right for
    // the signed message, but the file cannot hold them raw: Go's writer fails and the server,
    // which re-serializes uploads (§3.3), refuses even a correctly escaped one.
    const gun = `${sb.registry.host}/team/tab`;
    const repo = await createTrustedRepo(sb, gun);
    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    const hex = 'cd'.repeat(32);
    await repo.cli.ok(
      ['addhash', gun, 'a\tb', '7', '--sha256', hex, '-r', 'targets/releases'],
      env,
    );
    const go = await repo.cli.run(['publish', gun], env);
    expect(go.code).not.toBe(0);
    expect(go.stdout + go.stderr).toContain(
      "MarshalJSON for type *json.RawMessage: invalid character '\\t'",
    );
    const before = await serverVersions(gun);
    const keys = keyRingOf(repo);
    const http = new HttpClient({ caPem: sb.caPem });
    try {
      const err = await addToReleases(gun, keys, http, 'a\tb', {
        digest: `sha256:${hex}`,
        size: 7,
      }).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'NOTARY_REJECTED',
        message: expect.stringContaining('INVALID_UPDATE') as unknown,
      });
    } finally {
      keys.dispose();
      await http.close();
    }
    expect(await serverVersions(gun)).toEqual(before);
  });

  it('refuses, publishing nothing, when a tag moved away from the expected digest', async () => {
    const gun = `${sb.registry.host}/team/moved`;
    const repo = await createTrustedRepo(sb, gun);
    const built = await pushImage(sb, 'team/moved', '1', { seed: 'built' });
    await pushImage(sb, 'team/moved', '1', { seed: 'someone-else' });
    await pushImage(sb, 'team/moved', '2', { seed: 'built' });
    const before = await serverVersions(gun);
    const keys = keyRingOf(repo);
    try {
      const err = await signImages({
        ...conn(),
        images: [`${gun}:1`, `${gun}:2`],
        digest: built.digest,
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImagesError);
      const failures = (err as ImagesError).failures;
      expect(failures.find((f) => f.image.endsWith(':1'))?.code).toBe('TAG_MOVED');
      expect(failures.find((f) => f.image.endsWith(':2'))?.code).toBe('NOT_PUBLISHED');
    } finally {
      keys.dispose();
    }
    expect(await serverVersions(gun)).toEqual(before);
    expect(await goList(gun)).toEqual([]);
  });

  it('publishes no repository when a tag of another repository in the run failed', async () => {
    const gunA = `${sb.registry.host}/team/two-a`;
    const gunB = `${sb.registry.host}/team/two-b`;
    const repoA = await createTrustedRepo(sb, gunA);
    const repoB = await createTrustedRepo(sb, gunB, { passphrase: repoA.passphrase });
    const b = await pushImage(sb, 'team/two-b', '1', { seed: 'b' });
    // team/two-a:1 does not exist in the registry.
    const before = await serverVersions(gunB);
    // Keys for both: B alone would be signed.
    const keys = keyRingOf(repoA, repoA.keysPem + repoB.keysPem);
    try {
      const err = await signImages({
        ...conn(),
        images: [`${gunA}:1`, `${gunB}:1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }).catch((e: unknown) => e);
      const failures = (err as ImagesError).failures;
      expect(failures.find((f) => f.image === `${gunA}:1`)?.code).toMatch(/NOT_FOUND/);
      expect(failures.find((f) => f.image === `${gunB}:1`)?.code).toBe('NOT_PUBLISHED');
    } finally {
      keys.dispose();
    }
    expect(await serverVersions(gunB)).toEqual(before);
    expect((await goList(gunB)).map((t) => t.digest)).not.toContain(b.digest);
  });

  it('publishes no repository when another repository of the run cannot be signed or revoked', async () => {
    const gunA = `${sb.registry.host}/team/plan-a`;
    const gunB = `${sb.registry.host}/team/plan-b`;
    const repoA = await createTrustedRepo(sb, gunA);
    await createTrustedRepo(sb, gunB); // its signer key is not among ours
    const a = await pushImage(sb, 'team/plan-a', '1', { seed: 'pa' });
    await pushImage(sb, 'team/plan-b', '1', { seed: 'pb' });
    const beforeA = await serverVersions(gunA);
    const keys = keyRingOf(repoA);
    try {
      const run = (images: string[]) =>
        signImages({ ...conn(), images, keys, signers: [], rootKeyIds: [], log: quietLog() });
      const err = (await run([`${gunA}:1`, `${gunB}:1`]).catch((e: unknown) => e)) as ImagesError;
      expect(err.failures.find((f) => f.image === `${gunB}:1`)?.code).toBe('NO_SIGNING_KEYS');
      expect(err.failures.find((f) => f.image === `${gunA}:1`)?.code).toBe('NOT_PUBLISHED');
      expect(await serverVersions(gunA)).toEqual(beforeA);

      // revoke: A:1 is signed now; B's keys are not ours. Nothing is removed.
      await run([`${gunA}:1`]);
      const signedA = await serverVersions(gunA);
      const revokeErr = (await revokeImages({
        ...conn(),
        images: [`${gunA}:1`, `${gunB}:1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }).catch((e: unknown) => e)) as ImagesError;
      expect(revokeErr.failures.find((f) => f.image === `${gunA}:1`)?.code).toBe('NOT_PUBLISHED');
      expect(await serverVersions(gunA)).toEqual(signedA);
      expect((await goList(gunA)).map((t) => t.digest)).toContain(a.digest);
    } finally {
      keys.dispose();
    }
  });

  it('says how to create a repository that does not exist', async () => {
    const gun = `${sb.registry.host}/team/absent`;
    await pushImage(sb, 'team/absent', '1');
    const other = await createTrustedRepo(sb, `${sb.registry.host}/team/other`);
    const keys = keyRingOf(other);
    try {
      const err = await signImages({
        ...conn(),
        images: [`${gun}:1`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      }).catch((e: unknown) => e);
      expect((err as ImagesError).failures[0].code).toBe('REPO_NOT_FOUND');
      expect((err as ImagesError).failures[0].message).toMatch(
        /does not have trust data.*`signer-add` command, or `dct signer add/,
      );
    } finally {
      keys.dispose();
    }
  });

  it('8 signers at once, 5 tags each, into one repository: every tag signed, every run succeeds', async () => {
    const gun = `${sb.registry.host}/team/busy`;
    const repo = await createTrustedRepo(sb, gun);
    const jobs = Array.from({ length: 8 }, (_, j) =>
      Array.from({ length: 5 }, (_, t) => `j${j}-t${t}`),
    );
    for (const tags of jobs) {
      for (const tag of tags) await pushImage(sb, 'team/busy', tag, { seed: tag });
    }
    const results = await Promise.allSettled(
      jobs.map(async (tags) => {
        const keys = keyRingOf(repo);
        try {
          return await signImages({
            ...conn(),
            images: tags.map((t) => `${gun}:${t}`),
            keys,
            signers: [],
            rootKeyIds: [],
            log: quietLog(),
          });
        } finally {
          keys.dispose();
        }
      }),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.map((f) => String(f.reason))).toEqual([]);
    const listed = await goList(gun);
    const releases = listed
      .filter((t) => t.role === 'targets/releases')
      .map((t) => t.name)
      .sort();
    expect(releases).toEqual(jobs.flat().sort());
  }, 300_000);

  it('loads and verifies a repository the Go CLI created', async () => {
    const gun = `${sb.registry.host}/team/check`;
    await createTrustedRepo(sb, gun);
    const http = new HttpClient({ caPem: sb.caPem });
    try {
      const client = new NotaryClient({ server: sb.notary.url, gun, http });
      const repo = await loadTrustedRepo(client, { gun });
      expect(repo?.targets.has('targets')).toBe(true);
    } finally {
      await http.close();
    }
  });
});
