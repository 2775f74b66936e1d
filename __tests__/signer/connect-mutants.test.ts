/**
 * `connectRepo` and `perRepository` on their own, with flows the test writes: the credentials
 * handed to the registry layer (inputs, Docker config, a credential helper) and each secret
 * learned there masked, whether the trust server counts as given, registry clients that reach
 * the registry, one pair of credentials refused for two registries (username or password
 * alone), every repository prepared before any runs, a failed preparation holding back every
 * other image, and failures collected with what did succeed. Written against the mutants
 * StrykerJS left alive in signer/connect.ts (issue 14).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DctError, ImagesError } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { connectRepo, perRepository, type RepoConnection } from '../../src/signer/connect.js';
import type { GunGroup } from '../../src/signer/images.js';
import { ForgedNotary } from '../support/forged-notary.js';

const SERVER = 'https://127.0.0.1:1';
let dir: string;
let emptyDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dct-connect-mutants-'));
  emptyDir = mkdtempSync(join(tmpdir(), 'dct-connect-empty-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

/** A Docker config directory holding `config`. */
function dockerConfig(name: string, config: unknown): string {
  const made = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(made, 'config.json'), JSON.stringify(config));
  return made;
}

const auth = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64');

async function connect(
  opts: Parameters<typeof connectRepo>[1] extends infer O ? Partial<O> : never,
) {
  const http = new HttpClient({});
  try {
    return await connectRepo(parseImageRef('registry.example.com/team/app:1'), {
      dockerConfigDir: emptyDir,
      ...opts,
      http,
      write: false,
    });
  } finally {
    await http.close();
  }
}

describe('connectRepo: credentials', () => {
  it('hands the inputs over: a username without a password is refused', async () => {
    await expect(connect({ username: 'user' })).rejects.toMatchObject({
      code: 'CREDENTIALS_INCOMPLETE',
    });
  });

  it('masks a Docker config password, and its identity token when there is one', async () => {
    const masked: string[] = [];
    await connect({
      dockerConfigDir: dockerConfig('plain', {
        auths: { 'registry.example.com': { auth: auth('user', 'config-password') } },
      }),
      onSecret: (s) => masked.push(s),
    });
    expect(masked).toEqual(['config-password']);

    masked.length = 0;
    await connect({
      dockerConfigDir: dockerConfig('token', {
        auths: {
          'registry.example.com': { auth: auth('user', 'pw2'), identitytoken: 'identity-token' },
        },
      }),
      onSecret: (s) => masked.push(s),
    });
    expect(masked).toEqual(['pw2', 'identity-token']);

    // Without anyone to tell, an identity token is no error.
    await connect({
      dockerConfigDir: dockerConfig('token2', {
        auths: { 'registry.example.com': { auth: auth('u', 'p'), identitytoken: 'tok' } },
      }),
    });
  });

  it('runs the credential helper it is given', async () => {
    const masked: string[] = [];
    const asked: string[] = [];
    await connect({
      dockerConfigDir: dockerConfig('helper', { credHelpers: { 'registry.example.com': 'x' } }),
      execCredentialHelper: (cmd, _args, stdin) => {
        asked.push(`${cmd} ${stdin}`);
        return Promise.resolve({
          code: 0,
          stdout: JSON.stringify({ Username: 'u', Secret: 'helper-secret' }),
        });
      },
      onSecret: (s) => masked.push(s),
    });
    expect(asked).toEqual(['docker-credential-x registry.example.com']);
    expect(masked).toEqual(['helper-secret']);
  });

  it('learns no secret without credentials, and masks nothing then', async () => {
    const masked: string[] = [];
    await connect({ onSecret: (s) => masked.push(s) });
    expect(masked).toEqual([]);
  });
});

describe('connectRepo: the trust server', () => {
  it('counts as given only when a non-blank URL was given', async () => {
    expect((await connect({})).serverGiven).toBe(false);
    expect((await connect({ trustServer: '  ' })).serverGiven).toBe(false);
    const given = await connect({ trustServer: 'https://notary.example.com' });
    expect(given.serverGiven).toBe(true);
    expect(given.server).toBe('https://notary.example.com');
    expect(given.gun).toBe('registry.example.com/team/app');
  });
});

describe('connectRepo: the clients reach the servers', () => {
  let forged: ForgedNotary;
  beforeAll(async () => {
    forged = await ForgedNotary.start();
  });
  afterAll(async () => {
    await forged.close();
  });

  it('perRepository connects with the CA given, and closes its HTTP client after', async () => {
    const { digest } = forged.pushImage('team/per', 'v1');
    const image = `${forged.host}/team/per:v1`;
    let kept: RepoConnection | undefined;
    const got = await perRepository(
      {
        trustServer: forged.origin,
        caPem: forged.pki.caPem,
        dockerConfigDir: emptyDir,
        images: [image],
      },
      false,
      async (conn) => {
        kept = conn;
        return [(await conn.registry.resolveTag(parseImageRef(image))).digest];
      },
    );
    expect(got).toEqual([digest]);
    await expect(kept!.registry.resolveTag(parseImageRef(image))).rejects.toThrow(
      /ERR_CLIENT_CLOSED/,
    );
  });

  it('the registry client resolves a tag through the run’s HTTP client', async () => {
    const { digest } = forged.pushImage('team/app', '1.0');
    const http = new HttpClient({ caPem: forged.pki.caPem, retries: 1 });
    try {
      const ref = parseImageRef(`${forged.host}/team/app:1.0`);
      const conn = await connectRepo(ref, {
        trustServer: forged.origin,
        dockerConfigDir: emptyDir,
        http,
        write: false,
      });
      expect((await conn.registry.resolveTag(ref)).digest).toBe(digest);
    } finally {
      await http.close();
    }
  });
});

describe('perRepository', () => {
  const A = 'registry.example.com/team/a';
  const B = 'registry.example.com/team/b';
  const base = { trustServer: SERVER, dockerConfigDir: emptyDir };

  it('one pair of credentials is refused for two registries, by username or password alone', async () => {
    const images = ['one.example/app:1', 'two.example/app:1'];
    for (const creds of [{ username: 'u' }, { password: 'p' }]) {
      let ran = false;
      const e = await perRepository({ ...base, images, ...creds }, false, () => {
        ran = true;
        return Promise.resolve([]);
      }).catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 'CREDENTIALS_AMBIGUOUS' });
      expect(e).not.toBeInstanceOf(ImagesError);
      expect(ran).toBe(false);
    }
  });

  it('takes them for one registry, and two registries without them', async () => {
    const one = await perRepository(
      { ...base, images: [`${A}:1`, `${B}:1`], username: 'u', password: 'p' },
      false,
      (conn) => Promise.resolve([conn.gun]),
    );
    expect(one.sort()).toEqual([A, B]);
    const two = await perRepository(
      { ...base, images: ['one.example/app:1', 'two.example/app:1'] },
      false,
      (conn) => Promise.resolve([conn.gun]),
    );
    expect(two.sort()).toEqual(['one.example/app', 'two.example/app']);
  });

  it('runs each repository on a connection to the server given; one failure fails its images only', async () => {
    const seen: Array<[string, string, boolean, string[]]> = [];
    const run = (conn: RepoConnection, group: GunGroup) => {
      seen.push([conn.gun, conn.server, conn.serverGiven, group.refs.map((r) => r.input)]);
      if (conn.gun === B) return Promise.reject(new DctError('TAG_MOVED', 'b moved'));
      return Promise.resolve(group.refs.map((r) => r.tag));
    };
    const e = (await perRepository(
      { ...base, images: [`${A}:1`, `${B}:1`, `${A}:2`, `${B}:2`] },
      false,
      run,
    ).catch((err: unknown) => err)) as ImagesError;
    expect(e).toBeInstanceOf(ImagesError);
    expect(e.failures.map((f) => [f.image, f.code])).toEqual([
      [`${B}:1`, 'TAG_MOVED'],
      [`${B}:2`, 'TAG_MOVED'],
    ]);
    expect(e.done).toEqual(['1', '2']);
    expect(seen.sort()).toEqual([
      [A, SERVER, true, [`${A}:1`, `${A}:2`]],
      [B, SERVER, true, [`${B}:1`, `${B}:2`]],
    ]);

    const all = await perRepository({ ...base, images: [`${A}:1`, `${A}:2`] }, false, run);
    expect(all).toEqual(['1', '2']);
  });

  it('with a preparation: every repository is prepared before any runs, with what it prepared', async () => {
    const order: string[] = [];
    const done = await perRepository(
      { ...base, images: [`${A}:1`, `${B}:1`] },
      true,
      (conn, _group, prepared: string) => {
        order.push(`run ${conn.gun}`);
        return Promise.resolve([`${conn.gun}=${prepared}`]);
      },
      (conn) => {
        order.push(`prepare ${conn.gun}`);
        return Promise.resolve(`prepared ${conn.gun.slice(-1)}`);
      },
    );
    expect(done.sort()).toEqual([`${A}=prepared a`, `${B}=prepared b`]);
    expect(order.slice(0, 2).sort()).toEqual([`prepare ${A}`, `prepare ${B}`]);
    expect(order.slice(2).sort()).toEqual([`run ${A}`, `run ${B}`]);
  });

  it('a failed preparation runs nothing and holds back every other image', async () => {
    let ran = false;
    const e = (await perRepository(
      { ...base, images: [`${A}:1`, `${B}:1`, `${A}:2`] },
      true,
      () => {
        ran = true;
        return Promise.resolve([]);
      },
      (conn) =>
        conn.gun === B
          ? Promise.reject(new DctError('TAG_MOVED', 'b moved'))
          : Promise.resolve(undefined),
    ).catch((err: unknown) => err)) as ImagesError;
    expect(ran).toBe(false);
    expect(e).toBeInstanceOf(ImagesError);
    expect(e.failures).toEqual([
      { image: `${B}:1`, code: 'TAG_MOVED', message: 'b moved' },
      {
        image: `${A}:1`,
        code: 'NOT_PUBLISHED',
        message: 'not signed because another image of this run failed',
      },
      {
        image: `${A}:2`,
        code: 'NOT_PUBLISHED',
        message: 'not signed because another image of this run failed',
      },
    ]);
    expect(e.done).toEqual([]);
  });

  it('with a preparation, a failed run fails its images and keeps what the others did', async () => {
    const e = (await perRepository(
      { ...base, images: [`${A}:1`, `${B}:1`] },
      true,
      (conn) =>
        conn.gun === B
          ? Promise.reject(new DctError('PUBLISH_FAILED', 'b failed'))
          : Promise.resolve(['a done']),
      () => Promise.resolve(undefined),
    ).catch((err: unknown) => err)) as ImagesError;
    expect(e).toBeInstanceOf(ImagesError);
    expect(e.failures.map((f) => [f.image, f.code])).toEqual([[`${B}:1`, 'PUBLISH_FAILED']]);
    expect(e.done).toEqual(['a done']);
  });
});
