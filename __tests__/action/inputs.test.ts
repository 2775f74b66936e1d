import { describe, expect, it } from 'vitest';
import {
  InputsError,
  getInputs,
  parseInputs,
  secretValues,
  splitList,
  type RawInputs,
} from '../../src/action/inputs.js';

const IMG = 'registry.example.com/team/app:1.0';
const HEX = 'ab'.repeat(32);
const KEYS = [
  '-----BEGIN ENCRYPTED PRIVATE KEY-----',
  'role: targets',
  'gun: registry.example.com/team/app',
  '',
  'MIHuMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAhiJQ0Rn1vGCgICCAAw',
  'HQYJYIZIAWUDBAEqBBBgEy3ld5PxJvztpG3qSVk8',
  '-----END ENCRYPTED PRIVATE KEY-----',
  '',
].join('\n');

function problems(raw: RawInputs, env = {}): string[] {
  try {
    parseInputs(raw, env);
  } catch (e) {
    expect(e).toBeInstanceOf(InputsError);
    expect((e as InputsError).code).toBe('INPUT_INVALID');
    return (e as InputsError).problems;
  }
  throw new Error('parseInputs accepted the inputs');
}

describe('parseInputs', () => {
  it('applies the defaults: sign, cache on, empty lists', () => {
    const i = parseInputs({ images: IMG, keys: KEYS });
    expect(i.command).toBe('sign');
    expect(i.cache).toBe(true);
    expect(i.images).toEqual([IMG]);
    expect(i.signers).toEqual([]);
    expect(i.requiredSigners).toEqual([]);
    expect(i.rootKeyIds).toEqual([]);
    expect(i.digest).toBeUndefined();
    expect(i.trustServer).toBeUndefined();
  });

  it.each([
    [
      { command: 'bogus' },
      '`command`',
      'sign, verify, revoke, refresh, signer-add or signer-remove',
    ],
    [{ images: ' \n, \n' }, '`images`', 'one image reference per line'],
    [{ images: 'a b:1' }, '`images`', 'contains spaces'],
    [{ digest: 'sha256:abc' }, '`digest`', '64 lowercase hex'],
    [{ digest: HEX }, '`digest`', 'sha256:'],
    [{ digest: `sha256:${HEX.toUpperCase()}` }, '`digest`', '64 lowercase hex'],
    [{ cache: 'maybe' }, '`cache`', 'true or false'],
    [{ signer: 'ci,Bad Name' }, '`signer`', 'delegation names'],
    [{ signer: 'targets/' }, '`signer`', 'targets/ci'],
    [{ 'required-signers': 'releases\n-x' }, '`required-signers`', 'delegation names'],
    [{ 'root-key-ids': 'abc' }, '`root-key-ids`', '64 hex'],
    [{ 'trust-server': 'http://notary.example.com' }, '`trust-server`', 'https://'],
    [{ 'insecure-registries': 'reg.local:5000/path' }, '`insecure-registries`', 'host[:port]'],
    [{ 'insecure-registries': '10.0.0.0/8' }, '`insecure-registries`', 'host[:port]'],
    [{ 'trust-server': 'not a url' }, '`trust-server`', 'https://'],
    [{ 'trust-server': 'https://n.example.com/?x=1' }, '`trust-server`', 'without query'],
    [{ 'ca-cert': 'hello' }, '`ca-cert`', 'BEGIN CERTIFICATE'],
    [{ 'registry-username': 'me' }, '`registry-password`', 'give both'],
    [{ 'registry-password': 'pw' }, '`registry-username`', 'give both'],
  ] as [RawInputs, string, string][])('%j names %s', (bad, name, form) => {
    const p = problems({ images: IMG, keys: KEYS, command: 'sign', ...bad });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(name);
    expect(p[0]).toContain(form);
  });

  it('requires keys for sign and revoke, not for verify', () => {
    expect(problems({ images: IMG })[0]).toMatch(/^`keys` is required for sign/);
    expect(problems({ images: IMG, command: 'revoke' })[0]).toMatch(
      /`keys` is required for revoke/,
    );
    expect(parseInputs({ images: IMG, command: 'verify' }).keys).toBeUndefined();
  });

  it('reports every problem at once, one line each', () => {
    const p = problems({ command: 'x', images: '', digest: 'y', cache: 'z' });
    expect(p.map((l) => /^`([a-z-]+)`/.exec(l)?.[1])).toEqual([
      'command',
      'images',
      'digest',
      'cache',
    ]);
    for (const l of p) expect(l).not.toContain('\n');
  });

  it('never echoes credentials held in the trust-server URL', () => {
    const p = problems({
      images: IMG,
      keys: KEYS,
      'trust-server': 'https://u:hunter2@n.example.com',
    });
    expect(p[0]).toContain('`trust-server`');
    expect(p[0]).not.toContain('hunter2');
  });

  it('splits images on newlines and commas, trims, drops empties and duplicates', () => {
    const i = parseInputs({
      command: 'verify',
      images: ` a/b:1 , a/b:2\r\n\n a/b:1,c:3 ,,\n`,
    });
    expect(i.images).toEqual(['a/b:1', 'a/b:2', 'c:3']);
  });

  it("takes docker/metadata-action's tags output as it is (trailing newline)", () => {
    const tags = 'ghcr.io/o/app:main\nghcr.io/o/app:sha-1a2b3c4\nghcr.io/o/app:latest\n';
    expect(parseInputs({ command: 'verify', images: tags }).images).toEqual([
      'ghcr.io/o/app:main',
      'ghcr.io/o/app:sha-1a2b3c4',
      'ghcr.io/o/app:latest',
    ]);
  });

  it('normalises the valid forms', () => {
    const i = parseInputs({
      command: ' Verify ',
      images: IMG,
      digest: ` sha256:${HEX} `,
      cache: 'No',
      signer: 'ci, targets/releases',
      'required-signers': 'ci\nci\nreleases',
      'root-key-ids': `${HEX.toUpperCase()}\n${HEX}`,
      'trust-server': 'https://notary.example.com:4443/',
      'registry-username': ' me ',
      'registry-password': ' pw ',
    });
    expect(i.command).toBe('verify');
    expect(i.digest).toBe(`sha256:${HEX}`);
    expect(i.cache).toBe(false);
    expect(i.signers).toEqual(['ci', 'targets/releases']);
    expect(i.requiredSigners).toEqual(['ci', 'releases']);
    expect(i.rootKeyIds).toEqual([HEX]);
    expect(i.trustServer).toBe('https://notary.example.com:4443');
    expect(i.username).toBe('me');
    expect(i.password).toBe('pw'); // trimmed, as docker/login-action reads it
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['1', true],
    ['on', true],
    ['false', false],
    ['no', false],
    ['0', false],
    ['', true],
  ])('cache %j is %s', (v, want) => {
    expect(parseInputs({ command: 'verify', images: IMG, cache: v }).cache).toBe(want);
  });

  it('falls back to the DOCKER_CONTENT_TRUST_* env variables', () => {
    const env = {
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'repo-pass',
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'root-pass',
      DOCKER_CONTENT_TRUST_SERVER: 'https://notary.env.example.com',
      DOCKER_CONFIG: '/tmp/dockercfg',
    };
    const i = parseInputs({ images: IMG, keys: KEYS }, env);
    expect(i.passphrase).toBe('repo-pass');
    expect(i.rootPassphrase).toBe('root-pass');
    expect(i.trustServer).toBe('https://notary.env.example.com');
    expect(i.dockerConfigDir).toBe('/tmp/dockercfg');
  });

  it('prefers the inputs over the env variables', () => {
    const env = {
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'env-pass',
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'env-root',
      DOCKER_CONTENT_TRUST_SERVER: 'https://notary.env.example.com',
    };
    const i = parseInputs(
      {
        images: IMG,
        keys: KEYS,
        passphrase: 'in-pass',
        'root-passphrase': 'in-root',
        'trust-server': 'https://notary.in.example.com',
      },
      env,
    );
    expect([i.passphrase, i.rootPassphrase, i.trustServer]).toEqual([
      'in-pass',
      'in-root',
      'https://notary.in.example.com',
    ]);
  });

  it('names the env variable when its trust server is wrong', () => {
    const p = problems({ images: IMG, keys: KEYS }, { DOCKER_CONTENT_TRUST_SERVER: 'http://x' });
    expect(p[0]).toContain('`trust-server` (from DOCKER_CONTENT_TRUST_SERVER)');
  });
});

describe('the cosign inputs', () => {
  const COSIGN_KEY = [
    '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----',
    'eyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9fQ==',
    '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----',
    '',
  ].join('\n');

  it('default to off; the password falls back to COSIGN_PASSWORD, which may be empty', () => {
    const off = parseInputs({ images: IMG, keys: KEYS });
    expect(off.cosign).toBe(false);
    expect(off.cosignKey).toBeUndefined();
    const on = parseInputs(
      { images: IMG, keys: KEYS, cosign: 'true', 'cosign-key': COSIGN_KEY },
      { COSIGN_PASSWORD: ' pw ' },
    );
    expect(on.cosign).toBe(true);
    expect(on.cosignKey).toBe(COSIGN_KEY);
    expect(on.cosignPassword).toBe(' pw ');
    const input = parseInputs(
      { images: IMG, keys: KEYS, cosign: 'true', 'cosign-password': 'mine' },
      { COSIGN_PASSWORD: 'env' },
    );
    expect(input.cosignPassword).toBe('mine');
    expect(parseInputs({ images: IMG, cosign: 'yes', command: 'verify' }).cosign).toBe(true);
  });

  it('take a password of only whitespace as not given (it is not masked), an empty env as empty', () => {
    const base = { images: IMG, keys: KEYS, cosign: 'true', 'cosign-key': COSIGN_KEY };
    const blank = { ...base, 'cosign-password': ' \t ' };
    expect(parseInputs(blank, {}).cosignPassword).toBeUndefined();
    expect(parseInputs(blank, { COSIGN_PASSWORD: 'env' }).cosignPassword).toBe('env');
    expect(parseInputs(base, { COSIGN_PASSWORD: '  ' }).cosignPassword).toBeUndefined();
    expect(parseInputs(base, { COSIGN_PASSWORD: '' }).cosignPassword).toBe('');
    // Whatever is used as a password is among the masked values.
    for (const [raw, env] of [
      [blank, { COSIGN_PASSWORD: 'env' }],
      [{ ...base, 'cosign-password': ' p ' }, {}],
    ] as const) {
      const used = parseInputs(raw, env).cosignPassword!;
      expect(secretValues(raw, env)).toContain(used);
    }
  });

  it.each([
    [{ cosign: 'sure' }, '`cosign` must be true or false'],
    [{ 'cosign-key': COSIGN_KEY }, '`cosign-key` is set but `cosign` is not true'],
    [{ cosign: 'true', 'cosign-key': KEYS }, '`cosign-key` must be the PEM text of a cosign.key'],
    [{ cosign: 'true', command: 'revoke' }, 'revoke does not remove cosign signatures'],
    [{ cosign: 'true', command: 'verify', 'cosign-key': COSIGN_KEY }, '`cosign-key` is for sign'],
  ] as [RawInputs, string][])('%j is refused: %s', (bad, text) => {
    const p = problems({ images: IMG, keys: KEYS, ...bad });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(text);
  });

  it('masks the cosign key, its body lines and both password sources', () => {
    const s = secretValues(
      { 'cosign-key': COSIGN_KEY, 'cosign-password': 'cp' },
      { COSIGN_PASSWORD: 'ep' },
    );
    expect(s).toEqual(
      expect.arrayContaining([COSIGN_KEY, 'eyJrZGYiOnsibmFtZSI6InNjcnlwdCJ9fQ==', 'cp', 'ep']),
    );
  });
});

describe('secretValues', () => {
  it('lists the keys whole and their body lines, the passphrases and the password', () => {
    const s = secretValues(
      { keys: KEYS, passphrase: 'p1', 'registry-password': 'rp' },
      { DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'p2' },
    );
    expect(s).toContain(KEYS);
    expect(s).toContain('HQYJYIZIAWUDBAEqBBBgEy3ld5PxJvztpG3qSVk8');
    expect(s).toEqual(expect.arrayContaining(['p1', 'p2', 'rp']));
    // Armour and headers are public, and masking `gun:` would hide repository names.
    const lines = s.filter((v) => !v.includes('\n'));
    expect(lines.some((v) => v.startsWith('-----') || v.startsWith('gun:'))).toBe(false);
  });
});

describe('insecure-registries', () => {
  it('takes host[:port] entries, one per line or comma-separated, a scheme dropped as docker does', () => {
    const i = parseInputs({
      images: IMG,
      keys: KEYS,
      'insecure-registries': 'Reg.Local:5000, http://10.1.2.3:5000\n[fd00::1]:5000\nreg.local:5000',
    });
    expect(i.insecureRegistries).toEqual(['reg.local:5000', '10.1.2.3:5000', '[fd00::1]:5000']);
    expect(parseInputs({ images: IMG, keys: KEYS }).insecureRegistries).toEqual([]);
  });
});

describe('secretValues: several passphrases', () => {
  it('masks each passphrase line, as given and without its newline', () => {
    const s = secretValues(
      { passphrase: 'first-pass\r\nsecond-pass\n', 'root-passphrase': 'root-pass\n' },
      { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: 'env-one\nenv-two' },
    );
    expect(s).toEqual(
      expect.arrayContaining(['first-pass', 'second-pass', 'root-pass', 'env-one', 'env-two']),
    );
    expect(s).not.toContain('');
  });
});

describe('splitList', () => {
  it('handles undefined and blank', () => {
    expect(splitList(undefined)).toEqual([]);
    expect(splitList(' \n,')).toEqual([]);
  });
});

describe('getInputs', () => {
  it('masks every secret before validating, even when validation fails', () => {
    const values: Record<string, string> = {
      command: 'bogus',
      images: IMG,
      keys: KEYS,
      passphrase: 'pw-1',
      'root-passphrase': 'pw-2',
      'registry-username': 'u',
      'registry-password': 'pw-3',
    };
    const masked: string[] = [];
    const fake = {
      getInput: (name: string) => values[name] ?? '',
      setSecret: (s: string) => masked.push(s),
    };
    expect(() => getInputs(fake, {})).toThrow(InputsError);
    expect(masked).toEqual(expect.arrayContaining([KEYS, 'pw-1', 'pw-2', 'pw-3']));
  });
});

describe('parseInputs: signer-add and signer-remove', () => {
  const PUB = '-----BEGIN PUBLIC KEY-----\nrole: ci\n\nMFkw\n-----END PUBLIC KEY-----\n';
  const add = { command: 'signer-add', images: 'r.io/team/app', keys: KEYS, signer: 'ci' };

  it('takes one signer, its keys, and repositories without a tag', () => {
    const i = parseInputs({ ...add, 'signer-keys': PUB });
    expect(i).toMatchObject({ command: 'signer-add', signers: ['ci'], signerKeys: PUB.trim() });
    expect(i.images).toEqual(['r.io/team/app']);
    const r = parseInputs({ ...add, command: 'signer-remove', signer: 'targets/ci' });
    expect(r.signers).toEqual(['ci']);
  });

  it.each([
    [{ signer: '' }, '`signer` must name the one signer to add'],
    [{ signer: 'ci,qa' }, '`signer` must name the one signer'],
    [{ signer: 'releases' }, 'not releases'],
    [{ signer: '-ci' }, 'starting with a letter or digit'],
    [{ signer: 'CI' }, 'lowercase letters'],
    [{ 'signer-keys': '' }, '`signer-keys` is required for signer-add'],
    [{ keys: '' }, '`keys` is required for signer-add: give the PEM text of the repository key'],
  ] as [RawInputs, string][])('%j is refused', (bad, text) => {
    const p = problems({ ...add, 'signer-keys': PUB, ...bad });
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(text);
  });

  it('cosign is not for signer commands', () => {
    expect(problems({ ...add, 'signer-keys': PUB, cosign: 'true' })).toEqual([
      '`cosign` is for sign and verify, not signer-add',
    ]);
  });

  it('signer-keys belongs to signer-add only', () => {
    expect(problems({ images: IMG, keys: KEYS, 'signer-keys': PUB })).toEqual([
      '`signer-keys` is only used by signer-add, not sign',
    ]);
    expect(problems({ ...add, command: 'signer-remove', 'signer-keys': PUB })[0]).toContain(
      'not signer-remove',
    );
  });

  it('masks a private key pasted into signer-keys', () => {
    const secrets = secretValues({ ...add, 'signer-keys': KEYS }, {});
    expect(secrets).toContain('HQYJYIZIAWUDBAEqBBBgEy3ld5PxJvztpG3qSVk8');
    expect(secretValues({ ...add, 'signer-keys': PUB }, {})).not.toContain('MFkw');
  });
});

describe('refresh inputs', () => {
  it('expires-within defaults to 90 days and takes h, d and w', () => {
    const base = { command: 'refresh', images: 'registry.example.com/team/app', keys: KEYS };
    expect(parseInputs(base).expiresWithinMs).toBe(90 * 86_400_000);
    expect(parseInputs({ ...base, 'expires-within': '36h' }).expiresWithinMs).toBe(36 * 3_600_000);
  });

  it('refresh needs keys and takes no cosign', () => {
    const p = problems({ command: 'refresh', images: IMG, cosign: 'true' });
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^`keys` is required for refresh/);
    expect(p[1]).toBe('`cosign` is for sign and verify, not refresh');
  });
});
