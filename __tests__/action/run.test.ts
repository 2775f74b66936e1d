import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CacheApi } from '../../src/action/cache.js';
import {
  RETIRED_NOTARY_WARNING,
  runMain,
  type Flows,
  type MainDeps,
} from '../../src/action/run.js';
import { DctError, ImagesError } from '../../src/errors.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import type { RefreshOptions, RefreshResult } from '../../src/signer/refresh.js';
import type { SignOptions, SignedTag, VerifiedTag } from '../../src/signer/types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const APP = 'registry.example.com/team/app';
const PASS = 'S3cr3t"pass\\word';

function fakeCore(inputs: Record<string, string>) {
  const rec = {
    failed: [] as string[],
    outputs: {} as Record<string, string>,
    secrets: [] as string[],
    info: [] as string[],
    warning: [] as string[],
    debug: [] as string[],
    state: new Map<string, string>(),
  };
  const core = {
    getInput: (name: string) => inputs[name] ?? '',
    setSecret: (s: string) => void rec.secrets.push(s),
    setOutput: (k: string, v: string) => void (rec.outputs[k] = v),
    setFailed: (m: string) => void rec.failed.push(m),
    info: (m: string) => void rec.info.push(m),
    warning: (m: string) => void rec.warning.push(m),
    debug: (m: string) => void rec.debug.push(m),
    saveState: (k: string, v: string) => void rec.state.set(k, v),
    getState: (k: string) => rec.state.get(k) ?? '',
  };
  return { core, rec };
}

const noCache: CacheApi = {
  isFeatureAvailable: () => false,
  restoreCache: () => Promise.reject(new Error('not called')),
  saveCache: () => Promise.reject(new Error('not called')),
};

/** Rejects with anything, Error or not: the boundary must cope with both. */
// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- on purpose
const rejectWith = (e: unknown): Promise<never> => Promise.reject(e);

const unused = (): Promise<never> => Promise.reject(new Error('flow not expected'));

function setup(
  inputs: Record<string, string>,
  flows: Partial<Flows> = {},
  over: Partial<MainDeps> = {},
) {
  const { core, rec } = fakeCore(inputs);
  const ring = { warnings: ['key abc is expired'], dispose: vi.fn() };
  const summaries: string[] = [];
  const loadKeys = vi.fn((_i: unknown, mask: (s: string) => void): Promise<KeyRing> => {
    mask('decoded-pem-line-AAAA');
    return Promise.resolve(ring as unknown as KeyRing);
  });
  const deps: Partial<MainDeps> = {
    core,
    env: {},
    flows: {
      sign: unused,
      verify: unused,
      revoke: unused,
      signerAdd: unused,
      signerRemove: unused,
      refresh: unused,
      ...flows,
    },
    loadKeys,
    cache: noCache,
    writeSummary: (html) => {
      summaries.push(html);
      return Promise.resolve();
    },
    ...over,
  };
  return { deps, rec, ring, summaries, loadKeys };
}

const SIGN_INPUTS = {
  command: 'sign',
  images: `${APP}:1.0\n${APP}:latest\n`,
  digest: D1,
  keys: 'KEYDATA-line-one\nKEYDATA-line-two',
  passphrase: PASS,
  'trust-server': 'https://notary.example.com',
};

const signed = (tag: string, digest = D1): SignedTag => ({
  image: `${APP}:${tag}`,
  gun: APP,
  tag,
  digest,
  size: 528,
  roles: ['targets/releases'],
});

describe('runMain: success', () => {
  it('signs, sets `signed` and `digests` exactly, writes the summary, disposes the keys', async () => {
    const sign = vi.fn((_o: unknown) =>
      Promise.resolve([{ ...signed('1.0'), extra: 'dropped' }, signed('latest')] as SignedTag[]),
    );
    const { deps, rec, ring, summaries } = setup(SIGN_INPUTS, { sign });
    await runMain(deps);

    expect(rec.failed).toEqual([]);
    expect(rec.outputs.signed).toBe(
      JSON.stringify([
        {
          image: `${APP}:1.0`,
          gun: APP,
          tag: '1.0',
          digest: D1,
          size: 528,
          roles: ['targets/releases'],
        },
        {
          image: `${APP}:latest`,
          gun: APP,
          tag: 'latest',
          digest: D1,
          size: 528,
          roles: ['targets/releases'],
        },
      ]),
    );
    expect(rec.outputs.digests).toBe(`${APP}@${D1}`);
    expect(rec.outputs.verified).toBeUndefined();
    expect(ring.dispose).toHaveBeenCalledOnce();
    expect(rec.warning).toEqual(['key abc is expired']);
    expect(rec.secrets).toEqual(
      expect.arrayContaining([PASS, 'KEYDATA-line-two', 'decoded-pem-line-AAAA']),
    );
    expect(rec.state.get('isPost')).toBe('true');

    const opts = sign.mock.calls[0][0] as Record<string, unknown>;
    expect(opts).toMatchObject({
      images: [`${APP}:1.0`, `${APP}:latest`],
      digest: D1,
      keys: ring,
      signers: [],
      rootKeyIds: [],
      trustServer: 'https://notary.example.com',
      trustStore: undefined,
    });

    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('<h2>Signed tags</h2>');
    expect(summaries[0]).toContain(`<td>${APP}:latest</td>`);
    expect(summaries[0]).not.toContain('Failed');
  });

  it('verifies without keys and sets `verified` and unique `digests`', async () => {
    const v = (image: string, digest: string): VerifiedTag => ({
      image,
      gun: image.split(':')[0],
      tag: image.split(':')[1],
      digest,
      size: 1,
      signers: ['ci'],
    });
    const verify = vi.fn(() =>
      Promise.resolve([v('r.io/a:1', D1), v('r.io/a:2', D1), v('r.io/b:1', D2)]),
    );
    const { deps, rec, loadKeys, summaries } = setup(
      { command: 'verify', images: 'r.io/a:1,r.io/a:2,r.io/b:1', 'required-signers': 'ci' },
      { verify },
    );
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(loadKeys).not.toHaveBeenCalled();
    expect(verify).toHaveBeenCalledWith(expect.objectContaining({ requiredSigners: ['ci'] }));
    const verified = JSON.parse(rec.outputs.verified) as object[];
    expect(verified).toHaveLength(3);
    expect(Object.keys(verified[0])).toEqual([
      'image',
      'gun',
      'tag',
      'digest',
      'size',
      'signers',
      'cosign',
    ]);
    expect(rec.outputs.digests).toBe(`r.io/a@${D1}\nr.io/b@${D2}`);
    expect(rec.outputs.signed).toBeUndefined();
    expect(summaries[0]).toContain('<h2>Verified tags</h2>');
    expect(summaries[0]).toContain('<th>Signers</th>');
  });

  it('passes a logger that maps to core.info/warning/debug', async () => {
    const verify = vi.fn(
      (o: { log: { info(m: string): void; warning(m: string): void; debug(m: string): void } }) => {
        o.log.info('i');
        o.log.warning('w');
        o.log.debug('d');
        return Promise.resolve([]);
      },
    );
    const { deps, rec } = setup({ command: 'verify', images: 'r.io/a:1' }, { verify });
    await runMain(deps);
    expect(rec.info).toContain('i');
    expect(rec.warning).toContain('w');
    expect(rec.debug).toContain('d');
  });
});

describe('runMain: the error boundary', () => {
  const verifyInputs = { command: 'verify', images: 'r.io/a:1\nr.io/b:1' };

  it('a thrown string becomes one ::error:: line', async () => {
    const { deps, rec } = setup(verifyInputs, { verify: () => rejectWith('boom') });
    await runMain(deps);
    expect(rec.failed).toEqual(['Unexpected error: boom']);
  });

  it('a thrown plain object becomes one line', async () => {
    const { deps, rec } = setup(verifyInputs, {
      verify: () => rejectWith({ status: 500, detail: 'multi\nline' }),
    });
    await runMain(deps);
    expect(rec.failed).toHaveLength(1);
    expect(rec.failed[0]).toMatch(/^Unexpected error: .*"status":500/);
    expect(rec.failed[0]).not.toContain('\n');
  });

  it('a DctError gives its message as it is', async () => {
    const { deps, rec } = setup(verifyInputs, {
      verify: () =>
        Promise.reject(
          new DctError('TRUST_SERVER_DOWN', 'notary.example.com did not answer; retry later', {
            cause: new Error(`connect ECONNREFUSED, auth ${PASS}`),
          }),
        ),
    });
    await runMain({ ...deps, env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: PASS } });
    expect(rec.failed).toEqual(['notary.example.com did not answer; retry later']);
    // The cause goes to the debug log only, redacted.
    expect(rec.debug).toContain('Caused by: connect ECONNREFUSED, auth ***');
  });

  it('an ImagesError gives one line per image, and what went through is still output', async () => {
    const done: VerifiedTag = {
      image: 'r.io/c:1',
      gun: 'r.io/c',
      tag: '1',
      digest: D2,
      size: 3,
      signers: ['targets'],
    };
    const err = new ImagesError(
      [
        {
          image: 'r.io/a:1',
          code: 'NOT_SIGNED',
          message: 'r.io/a:1 has no signed tag 1; sign it first',
        },
        {
          image: 'r.io/b:1',
          code: 'DIGEST_MISMATCH',
          message: 'signed <digest> differs\nfrom the registry',
        },
      ],
      [done, { junk: true }],
    );
    const { deps, rec, summaries } = setup(verifyInputs, { verify: () => Promise.reject(err) });
    await runMain(deps);
    expect(rec.failed).toEqual([
      'r.io/a:1: r.io/a:1 has no signed tag 1; sign it first',
      'r.io/b:1: signed <digest> differs from the registry',
    ]);
    expect(JSON.parse(rec.outputs.verified)).toEqual([{ ...done, cosign: false }]);
    expect(summaries[0]).toContain('<h3>Failed</h3>');
    expect(summaries[0]).toContain(
      '<td>r.io/b:1</td><td>signed &lt;digest&gt; differs from the registry</td>',
    );
    expect(summaries[0]).toContain('<td>r.io/c:1</td>');
  });

  it('names the repository once when the reason is the whole repository', async () => {
    const err = new ImagesError([
      {
        image: 'r.io/a:1',
        code: 'NO_SIGNING_KEYS',
        message:
          'r.io/a: no valid signing keys for targets/releases; the keys given have IDs 3647add',
      },
      { image: 'r.io/a@' + D1, code: 'NOTARY_REJECTED', message: 'r.io/a: the server refused' },
      { image: 'r.io/ab:1', code: 'NOTARY_REJECTED', message: 'r.io/a: another repository' },
    ]);
    const { deps, rec, summaries } = setup(SIGN_INPUTS, { sign: () => Promise.reject(err) });
    await runMain(deps);
    expect(rec.failed).toEqual([
      'r.io/a:1: no valid signing keys for targets/releases; the keys given have IDs 3647add',
      `r.io/a@${D1}: the server refused`,
      'r.io/ab:1: r.io/a: another repository',
    ]);
    expect(summaries[0]).toContain('<td>r.io/a:1</td><td>no valid signing keys');
  });

  it('cuts a failure line that a server or an input made huge', async () => {
    const err = new ImagesError([
      { image: 'r.io/a:1', code: 'NOTARY_REJECTED', message: `rejected: ${'x'.repeat(50_000)}` },
    ]);
    const { deps, rec } = setup(verifyInputs, { verify: () => Promise.reject(err) });
    await runMain(deps);
    expect(rec.failed).toHaveLength(1);
    expect(rec.failed[0].length).toBeLessThan(1_100);
  });

  it('redacts a secret carried inside an unknown error, raw or JSON-escaped', async () => {
    for (const thrown of [
      new Error(`decrypt failed for passphrase ${PASS}`),
      { passphrase: PASS },
      `pem body: decoded-pem-line-AAAA`,
    ]) {
      const { deps, rec, summaries } = setup(SIGN_INPUTS, { sign: () => rejectWith(thrown) });
      await runMain(deps);
      expect(rec.failed).toHaveLength(1);
      expect(rec.failed[0]).toContain('***');
      const all = [...rec.failed, ...rec.debug, ...summaries].join('\n');
      expect(all).not.toContain('S3cr3t');
      expect(all).not.toContain('decoded-pem-line');
    }
  });

  it('prints one line per input problem and runs nothing', async () => {
    const { deps, rec, loadKeys, summaries } = setup({ command: 'sign', images: '', digest: 'x' });
    await runMain(deps);
    expect(rec.failed).toHaveLength(3);
    expect(rec.failed[0]).toMatch(/^`images`/);
    expect(rec.failed[1]).toMatch(/^`digest`/);
    expect(rec.failed[2]).toMatch(/^`keys`/);
    expect(loadKeys).not.toHaveBeenCalled();
    expect(summaries[0]).toContain('<h2>Docker Content Trust</h2>');
    expect(summaries[0]).toContain('<td>—</td><td><code>images</code> is empty');
  });

  it('disposes the keys when the flow fails, and when loading keys fails nothing runs', async () => {
    const a = setup(SIGN_INPUTS, { sign: () => Promise.reject(new Error('x')) });
    await runMain(a.deps);
    expect(a.ring.dispose).toHaveBeenCalledOnce();

    const sign = vi.fn(unused);
    const b = setup(
      SIGN_INPUTS,
      { sign },
      {
        loadKeys: () =>
          Promise.reject(new DctError('KEY_PASSPHRASE', 'the passphrase does not open key 1a2b')),
      },
    );
    await runMain(b.deps);
    expect(b.rec.failed).toEqual(['the passphrase does not open key 1a2b']);
    expect(sign).not.toHaveBeenCalled();
  });

  it('a failing job summary is a warning, not a failure', async () => {
    const { deps, rec } = setup(
      { command: 'verify', images: 'r.io/a:1' },
      { verify: () => Promise.resolve([]) },
      { writeSummary: () => Promise.reject(new Error('EACCES')) },
    );
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(rec.warning).toEqual(['Could not write the job summary: EACCES']);
  });
});

describe('runMain: signer-add and signer-remove', () => {
  const PUB = (() => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    return `-----BEGIN PUBLIC KEY-----\nrole: ci\n\n${der}\n-----END PUBLIC KEY-----\n`;
  })();
  const inputs = {
    command: 'signer-add',
    images: `${APP}\nr.io/other:1`,
    keys: 'KEYDATA-line-one',
    signer: 'ci',
    'signer-keys': PUB,
    'trust-server': 'https://notary.example.com',
  };
  const change = (gun: string) => ({
    image: gun,
    gun,
    signer: 'ci',
    keyIds: ['0123456789abcdef'],
    result: 'added' as const,
    created: false,
  });

  it('hands the flow the parsed signer keys and lists the result in the summary, no outputs', async () => {
    const signerAdd = vi.fn(
      (o: { signer: string; signerKeys: { id: string }[]; images: string[] }) => {
        expect(o.signer).toBe('ci');
        expect(o.signerKeys).toHaveLength(1);
        expect(o.images).toEqual([APP, 'r.io/other:1']);
        return Promise.resolve([change(APP)]);
      },
    );
    const { deps, rec, summaries, ring } = setup(inputs, { signerAdd });
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(signerAdd).toHaveBeenCalledOnce();
    expect(rec.outputs).toEqual({});
    expect(summaries[0]).toMatch(/^<h2>Signer added<\/h2>/);
    expect(summaries[0]).toContain('<code>0123456</code>');
    expect(ring.dispose).toHaveBeenCalled();
  });

  it('a private key in signer-keys fails with one line and never reaches the flow', async () => {
    const { deps, rec } = setup({
      ...inputs,
      'signer-keys': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    });
    await runMain(deps);
    expect(rec.failed).toHaveLength(1);
    expect(rec.failed[0]).toMatch(/`signer-keys` holds a private key/);
  });

  it('one failed repository is one line; the one that went through is in the summary', async () => {
    const err = new ImagesError(
      [{ image: 'r.io/other:1', code: 'SIGNER_NOT_FOUND', message: 'r.io/other has no signer ci' }],
      [change(APP)],
    );
    const { deps, rec, summaries } = setup(
      { ...inputs, command: 'signer-remove', 'signer-keys': '' },
      { signerRemove: () => Promise.reject(err) },
    );
    await runMain(deps);
    expect(rec.failed).toEqual(['r.io/other:1: r.io/other has no signer ci']);
    expect(summaries[0]).toContain(`<td>${APP}</td><td>ci</td>`);
  });
});

describe('runMain: refresh', () => {
  const inputs = {
    command: 'refresh',
    images: `${APP}:1.0\nr.io/other`,
    keys: 'KEYDATA-line-one',
    'root-passphrase': 'root-pass',
    'expires-within': '2w',
    'trust-server': 'https://notary.example.com',
  };
  const result = (gun: string, roles: string[]): RefreshResult => ({
    repository: gun,
    gun,
    server: 'https://notary.example.com',
    refreshed: roles.map((role) => ({ gun, role, version: 7, expires: '2029-12-01T00:00:00Z' })),
    roles: [
      {
        role: 'targets',
        version: 7,
        expires: '2029-12-01T00:00:00Z',
        keyIds: ['abcdef0123456789'],
        serverManaged: false,
      },
    ],
  });

  it('hands the flow the repositories and the window, sets `refreshed`, and shows trust health', async () => {
    const refresh = vi.fn((o: RefreshOptions) => {
      expect(o.repositories).toEqual([`${APP}:1.0`, 'r.io/other']);
      expect(o.expiresWithinMs).toBe(14 * 86_400_000);
      return Promise.resolve([result(APP, ['targets']), result('r.io/other', [])]);
    });
    const { deps, rec, summaries, loadKeys } = setup(inputs, { refresh });
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(refresh).toHaveBeenCalledOnce();
    // With root-passphrase, the root keys are opened too: refresh may re-sign root.
    expect((loadKeys.mock.calls[0][0] as { command: string }).command).toBe('refresh');
    expect(rec.outputs).toEqual({
      refreshed: JSON.stringify([
        { gun: APP, role: 'targets', version: 7, expires: '2029-12-01T00:00:00Z' },
      ]),
    });
    expect(summaries[0]).toMatch(/^<h2>Refreshed trust data<\/h2>/);
    expect(summaries[0]).toContain('<h3>Trust health</h3>');
    expect(summaries[0]).toContain('<td>re-signed</td>');
  });

  it('a bad expires-within fails with one line naming it, and nothing runs', async () => {
    const { deps, rec } = setup({ ...inputs, 'expires-within': '3 months' });
    await runMain(deps);
    expect(rec.failed).toEqual([
      '`expires-within` must be a whole number of hours, days or weeks up to 7300 days, such as 90d, 12h or 2w; got "3 months"',
    ]);
  });

  it('expires-within with another command is refused', async () => {
    const { deps, rec } = setup({ ...SIGN_INPUTS, 'expires-within': '30d' });
    await runMain(deps);
    expect(rec.failed).toEqual(['`expires-within` is only used by refresh, not sign']);
  });

  it('one failed repository is one line; what the others re-signed is still output', async () => {
    const err = new ImagesError(
      [
        {
          image: 'r.io/other',
          code: 'TUF_EXPIRED',
          message: 'targets expired at 2020-01-01T00:00:00Z',
        },
      ],
      [result(APP, ['targets/releases'])],
    );
    const { deps, rec, summaries } = setup(inputs, { refresh: () => Promise.reject(err) });
    await runMain(deps);
    expect(rec.failed).toEqual(['r.io/other: targets expired at 2020-01-01T00:00:00Z']);
    expect(JSON.parse(rec.outputs.refreshed)).toEqual([
      { gun: APP, role: 'targets/releases', version: 7, expires: '2029-12-01T00:00:00Z' },
    ]);
    expect(summaries[0]).toContain(`<h4>${APP}</h4>`);
  });
});

describe('runMain: trust health of sign and verify', () => {
  it('lists the roles each repository reported, and marks what the run re-signed', async () => {
    const sign = vi.fn((o: SignOptions) => {
      o.onHealth?.({
        gun: APP,
        changed: ['targets/releases'],
        roles: [
          {
            role: 'targets/releases',
            version: 3,
            expires: '2029-12-01T00:00:00Z',
            keyIds: ['abcdef0123456789'],
            serverManaged: false,
          },
          {
            role: 'timestamp',
            version: 9,
            expires: '2026-12-15T00:00:00Z',
            keyIds: ['0011223344556677'],
            serverManaged: true,
          },
        ],
      });
      return Promise.resolve([signed('1.0'), signed('latest')]);
    });
    const { deps, rec, summaries } = setup(SIGN_INPUTS, { sign });
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(summaries[0]).toContain(`<h4>${APP}</h4>`);
    expect(summaries[0]).toMatch(
      /<tr><td>targets\/releases<\/td><td>3<\/td><td>2029-12-01T00:00:00Z<\/td><td>-?\d+<\/td><td><code>abcdef0<\/code><\/td><td>re-signed<\/td><\/tr>/,
    );
    expect(summaries[0]).toMatch(/<td>timestamp<\/td>.*<td>the trust server<\/td><td><\/td>/);
  });
});

describe('runMain: notary.docker.io', () => {
  it.each([
    [{ images: 'alpine:3' }, true],
    [{ images: 'user/app:1' }, true],
    [{ images: 'docker.io/user/app:1' }, true],
    [{ images: 'alpine:3', 'trust-server': 'https://notary.example.com' }, false],
    [{ images: 'r.example.com/a:1' }, false],
    [{ images: 'localhost:5000/a:1' }, false],
    [{ images: 'r.example.com/a:1', 'trust-server': 'https://notary.docker.io' }, true],
  ])('%j warns: %s', async (inputs, warns) => {
    const { deps, rec } = setup(
      { command: 'verify', ...inputs },
      { verify: () => Promise.resolve([]) },
    );
    await runMain(deps);
    expect(rec.warning.includes(RETIRED_NOTARY_WARNING)).toBe(warns);
  });
});

describe('runMain: trust cache', () => {
  let temp: string | undefined;
  afterEach(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('hands the flow a store under RUNNER_TEMP, records the dir in state, saves what changed', async () => {
    temp = await mkdtemp(join(tmpdir(), 'dct-run-'));
    const saved: string[] = [];
    const cache: CacheApi = {
      isFeatureAvailable: () => true,
      restoreCache: () => Promise.resolve(undefined),
      saveCache: (_p, key) => {
        saved.push(key);
        return Promise.resolve(1);
      },
    };
    const verify = vi.fn(async (o: { trustStore?: { save(s: unknown): Promise<void> } }) => {
      await o.trustStore!.save({ gun: 'r.io/a', root: 'AAAA', versions: { root: 1 } });
      return [];
    });
    const { deps, rec } = setup(
      { command: 'verify', images: 'r.io/a:1' },
      { verify },
      { cache, env: { RUNNER_TEMP: temp, GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1' } },
    );
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(JSON.parse(rec.state.get('tempPaths')!)).toEqual([join(temp, 'dct-trust-cache')]);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatch(/^dct-trust-repo-[0-9a-f]{16}-7-1-\d+$/);
  });
});

describe('runMain with the real @actions/core', () => {
  it('prints ::error:: lines and sets exit code 1', async () => {
    const keep = { ...process.env };
    const writes: string[] = [];
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        writes.push(String(chunk));
        return true;
      });
    for (const k of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) delete process.env[k];
    process.env.INPUT_COMMAND = 'bogus';
    process.env.INPUT_IMAGES = '';
    try {
      await runMain();
    } finally {
      spy.mockRestore();
      process.env = keep;
    }
    const errors = writes
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('::error::'));
    expect(errors).toEqual([
      '::error::`command` must be sign, verify, revoke, refresh, signer-add or signer-remove; got "bogus"',
      '::error::`images` is empty: give one image reference per line, e.g. registry.example.com/team/app:1.0',
    ]);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
  });
});

describe('runMain with the real keys code', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = (passphrase: string) =>
    privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase,
    }) as string;

  it('decrypts the keys for the flow and disposes of them afterwards', async () => {
    let ring: KeyRing | undefined;
    let sizeInFlow = -1;
    const sign = vi.fn((o: { keys: KeyRing }) => {
      ring = o.keys;
      sizeInFlow = o.keys.ids().length;
      return Promise.resolve([]);
    });
    const keys = pem(PASS);
    const { deps, rec } = setup({ ...SIGN_INPUTS, keys }, { sign });
    delete deps.loadKeys; // the default: readKeySecret + KeyRing.open
    await runMain(deps);
    expect(rec.failed).toEqual([]);
    expect(sizeInFlow).toBe(1);
    expect(() => ring!.ids()).toThrow(/disposed/);
    // Each base64 body line of the PEM was masked.
    const body = keys.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    expect(rec.secrets).toEqual(expect.arrayContaining(body));
  });

  it('a wrong passphrase fails with one line that does not hold it', async () => {
    const { deps, rec } = setup({ ...SIGN_INPUTS, keys: pem('another one') }, {});
    delete deps.loadKeys;
    await runMain(deps);
    expect(rec.failed).toHaveLength(1);
    expect(rec.failed[0]).toMatch(/passphrase/);
    expect(rec.failed[0]).not.toContain('S3cr3t');
    expect(rec.failed[0]).not.toMatch(/^Unexpected/);
  });
});

describe('runMain: nothing secret leaves the step', () => {
  let temp: string | undefined;
  afterEach(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('keeps only the flag and temp paths in state; no masked value in state, outputs or logs', async () => {
    temp = await mkdtemp(join(tmpdir(), 'dct-run-'));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keys = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: PASS,
    }) as string;
    const cache: CacheApi = {
      isFeatureAvailable: () => true,
      restoreCache: () => Promise.resolve(undefined),
      saveCache: () => Promise.resolve(1),
    };
    for (const outcome of ['signed', 'failed'] as const) {
      const sign = vi.fn(async (o: { trustStore?: { save(s: unknown): Promise<void> } }) => {
        await o.trustStore!.save({ gun: APP, root: 'AAAA', versions: { root: 1 } });
        if (outcome === 'failed') throw new Error(`could not use ${PASS} for ${keys}`);
        return [signed('1.0')];
      });
      const { deps, rec, summaries } = setup(
        { ...SIGN_INPUTS, keys, 'registry-username': 'me', 'registry-password': ' reg-pw ' },
        { sign },
        { cache, env: { RUNNER_TEMP: temp, GITHUB_RUN_ID: '7' } },
      );
      delete deps.loadKeys;
      await runMain(deps);
      expect(rec.failed).toHaveLength(outcome === 'failed' ? 1 : 0);
      if (outcome === 'failed') expect(rec.failed[0]).toContain('could not use ***');
      expect([...rec.state.keys()].sort()).toEqual(['isPost', 'tempPaths']);
      expect(rec.secrets).toEqual(expect.arrayContaining([PASS, ' reg-pw ', 'reg-pw']));
      const left = [
        ...rec.state.values(),
        ...Object.values(rec.outputs),
        ...rec.failed,
        ...rec.info,
        ...rec.warning,
        ...rec.debug,
        ...summaries,
      ].join('\n');
      for (const s of rec.secrets) expect(left).not.toContain(s);
    }
  });
});
