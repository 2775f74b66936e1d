/**
 * The action inputs at the edges StrykerJS found untested. Masking: the `keys` input trimmed
 * and each indented body line, a body line holding ": " (not a header), the registry password
 * both as given and trimmed, a private key pasted into signer-keys with no `keys` input, and
 * secrets read untrimmed (a passphrase may end in a space). Validation: the digest and key ID
 * patterns anchored at both ends, short and port-less registries, `targets/` only as a prefix,
 * which of username and password is missing, absent inputs given as '' (as getInput returns
 * them), long values shortened in messages, and no follow-on problems for an unknown command.
 */
import { describe, expect, it } from 'vitest';
import {
  InputsError,
  getInputs,
  parseInputs,
  secretValues,
  type RawInputs,
} from '../../src/action/inputs.js';

const IMG = 'registry.example.com/team/app:1.0';
const HEX = 'ab'.repeat(32);
const BODY1 = 'MIHuMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAhiJQ0Rn1vGCgICCAAw';
const BODY2 = 'HQYJYIZIAWUDBAEqBBBgEy3ld5PxJvztpG3qSVk8';
const KEYS = [
  '-----BEGIN ENCRYPTED PRIVATE KEY-----',
  'role: targets',
  '',
  BODY1,
  BODY2,
  '-----END ENCRYPTED PRIVATE KEY-----',
  '',
].join('\n');

function problems(raw: RawInputs, env = {}): string[] {
  try {
    parseInputs(raw, env);
  } catch (e) {
    expect(e).toBeInstanceOf(InputsError);
    return (e as InputsError).problems;
  }
  throw new Error('parseInputs accepted the inputs');
}

/** Every input absent, as @actions/core's getInput gives it: ''. */
const ABSENT: RawInputs = Object.fromEntries(
  [
    'command',
    'images',
    'digest',
    'keys',
    'passphrase',
    'root-passphrase',
    'trust-server',
    'ca-cert',
    'insecure-registries',
    'registry-username',
    'registry-password',
    'signer',
    'required-signers',
    'root-key-ids',
    'signer-keys',
    'cache',
    'cosign',
    'cosign-key',
    'cosign-password',
    'expires-within',
  ].map((n) => [n, '']),
);

describe('secretValues: every form of a secret is masked', () => {
  it('masks the keys input trimmed as well as whole', () => {
    const s = secretValues({ keys: `\n${KEYS}\n\n` }, {});
    expect(s).toContain(`\n${KEYS}\n\n`);
    expect(s).toContain(KEYS.trim());
  });

  it('masks each body line trimmed, and never the empty string', () => {
    const indented = KEYS.replace(BODY1, `   ${BODY1}\t`).replace(BODY2, `${BODY2}  `);
    const s = secretValues({ keys: indented }, {});
    expect(s).toEqual(expect.arrayContaining([BODY1, BODY2]));
    expect(s).not.toContain('');
    expect(s).not.toContain('role: targets');
  });

  it('masks a body line that holds ": " but does not start as a header', () => {
    const odd = 'c2VjcmV0 part: two';
    expect(secretValues({ keys: `QUJD\n${odd}\n` }, {})).toContain(odd);
  });

  it('leaves out armour lines, even a cut one', () => {
    expect(secretValues({ keys: '-----BEGIN PRIVATE KEY\nQUJD\n' }, {})).toEqual([
      '-----BEGIN PRIVATE KEY\nQUJD\n',
      '-----BEGIN PRIVATE KEY\nQUJD',
      'QUJD',
    ]);
  });

  it('masks the registry password as given and as used (trimmed)', () => {
    const s = secretValues({ 'registry-password': ' pw with spaces \n' }, {});
    expect(s).toEqual(expect.arrayContaining([' pw with spaces \n', 'pw with spaces']));
    expect(secretValues({ 'registry-password': ' \n' }, {})).toEqual([]);
  });

  it('masks a private key pasted into signer-keys when no keys input is given', () => {
    const s = secretValues({ command: 'signer-add', 'signer-keys': KEYS }, {});
    expect(s).toEqual(expect.arrayContaining([BODY1, BODY2]));
  });

  it('masks nothing for absent or blank inputs', () => {
    expect(secretValues(ABSENT, {})).toEqual([]);
    expect(
      secretValues(
        { keys: ' \n ', passphrase: '  ', 'cosign-password': '' },
        { COSIGN_PASSWORD: '' },
      ),
    ).toEqual([]);
  });
});

describe('getInputs', () => {
  it('reads secrets untrimmed and masks them so', () => {
    const values: Record<string, string> = {
      command: 'sign',
      images: IMG,
      keys: KEYS,
      passphrase: ' pass phrase ',
    };
    const masked: string[] = [];
    const fake = {
      // As @actions/core: trims unless told not to.
      getInput: (name: string, o?: { trimWhitespace?: boolean }) => {
        const v = values[name] ?? '';
        return o?.trimWhitespace === false ? v : v.trim();
      },
      setSecret: (s: string) => void masked.push(s),
    };
    const i = getInputs(fake, {});
    expect(i.passphrase).toBe(' pass phrase ');
    expect(i.keys).toBe(KEYS);
    expect(masked).toEqual(expect.arrayContaining([' pass phrase ', KEYS]));
  });
});

describe('parseInputs: absent inputs', () => {
  it("takes every input as '' (absent) with the defaults", () => {
    const i = parseInputs({ ...ABSENT, command: 'verify', images: IMG });
    expect(i).toMatchObject({
      command: 'verify',
      images: [IMG],
      digest: undefined,
      keys: undefined,
      passphrase: undefined,
      rootPassphrase: undefined,
      trustServer: undefined,
      caPem: undefined,
      username: undefined,
      password: undefined,
      cache: true,
      cosign: false,
      cosignKey: undefined,
    });
    expect(Object.keys(i)).not.toContain('signerKeys');
  });

  it('takes blank secrets as absent: keys of blanks is no keys', () => {
    expect(problems({ images: IMG, keys: '  \n ' })[0]).toMatch(/^`keys` is required for sign/);
    const i = parseInputs({ images: IMG, keys: KEYS, passphrase: ' \n' });
    expect(i.passphrase).toBeUndefined();
  });
});

describe('parseInputs: patterns anchored at both ends', () => {
  it.each([`xsha256:${HEX}`, `sha256:${HEX}0`, ` sha256:${HEX}x`])('digest %s', (digest) => {
    expect(problems({ images: IMG, keys: KEYS, digest })[0]).toMatch(/^`digest` must be/);
  });

  it.each([`x${HEX}`, `${HEX}0`])('root key ID %s', (id) => {
    expect(problems({ images: IMG, keys: KEYS, 'root-key-ids': id })[0]).toMatch(
      /^`root-key-ids` must list key IDs of 64 hex digits/,
    );
  });

  it('insecure-registries: one-letter hosts and no port are fine; the scheme only as a prefix', () => {
    const i = parseInputs({
      images: IMG,
      keys: KEYS,
      'insecure-registries': 'r:5000\nregistry.local\nhttps://r.example',
    });
    expect(i.insecureRegistries).toEqual(['r:5000', 'registry.local', 'r.example']);
    expect(
      problems({ images: IMG, keys: KEYS, 'insecure-registries': 'xhttp://reg.local' })[0],
    ).toContain('`insecure-registries` must list registries as host[:port]');
  });

  it('signer commands: targets/ only as a prefix, the whole name checked', () => {
    const add = {
      command: 'signer-add',
      images: 'r.io/team/app',
      keys: KEYS,
      'signer-keys': 'PUB',
    };
    expect(parseInputs({ ...add, signer: 'c' }).signers).toEqual(['c']);
    expect(parseInputs({ ...add, signer: 'ci-team_2' }).signers).toEqual(['ci-team_2']);
    for (const signer of ['ci-targets/x', 'ci!', 'ci/x']) {
      expect(problems({ ...add, signer })[0]).toContain('`signer` must name the one signer to add');
    }
  });

  it('signer-remove names what it removes, and quotes an absent signer as ""', () => {
    const base = { images: 'r.io/team/app', keys: KEYS };
    expect(problems({ ...base, command: 'signer-remove', signer: 'Bad' })[0]).toMatch(
      /^`signer` must name the one signer to remove: .*; got "Bad"$/,
    );
    expect(problems({ ...base, command: 'signer-add', 'signer-keys': 'PUB' })[0]).toMatch(
      /^`signer` must name the one signer to add: .*; got ""$/,
    );
  });
});

describe('parseInputs: messages', () => {
  it('names the registry input given and the one missing', () => {
    expect(problems({ images: IMG, keys: KEYS, 'registry-username': 'me' })).toEqual([
      '`registry-username` is set but `registry-password` is not: give both, or neither to use the Docker config',
    ]);
    expect(problems({ images: IMG, keys: KEYS, 'registry-password': 'pw' })).toEqual([
      '`registry-password` is set but `registry-username` is not: give both, or neither to use the Docker config',
    ]);
  });

  it('asks sign for "your key files"', () => {
    expect(problems({ images: IMG })[0]).toContain('give the PEM text of your key files from');
  });

  it('quotes a bad boolean, and shortens a long value to 77 characters and "..."', () => {
    expect(problems({ images: IMG, keys: KEYS, cache: 'maybe' })).toEqual([
      '`cache` must be true or false; got "maybe"',
    ]);
    const long = 'x'.repeat(81);
    expect(problems({ images: IMG, keys: KEYS, cache: long })[0]).toBe(
      `\`cache\` must be true or false; got "${'x'.repeat(77)}..."`,
    );
    const edge = 'y'.repeat(80);
    expect(problems({ images: IMG, keys: KEYS, cache: edge })[0]).toBe(
      `\`cache\` must be true or false; got "${edge}"`,
    );
  });

  it.each([
    ['y', true],
    ['n', false],
    ['off', false],
  ])('cache %j is %s', (v, want) => {
    expect(parseInputs({ images: IMG, keys: KEYS, cache: v }).cache).toBe(want);
  });

  it('an unknown command is the only problem: no follow-ons naming "undefined"', () => {
    expect(
      problems({ command: 'bogus', images: IMG, 'signer-keys': 'PUB', 'expires-within': '1d' }),
    ).toEqual([
      '`command` must be sign, verify, revoke, refresh, signer-add or signer-remove; got "bogus"',
    ]);
  });

  it('joins the problems one per line in the error message', () => {
    const e = new InputsError(['first', 'second']);
    expect(e.message).toBe('first\nsecond');
    expect(e.problems).toEqual(['first', 'second']);
  });
});
