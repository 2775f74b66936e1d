import { constants, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { keyIdOf, tufKeyFromKeyObject, type TufKey } from '../../src/keys/keyid.js';
import { canonicalJson } from '../../src/tuf/canonical.js';
import { parseEnvelope, signEnvelope, type Signature } from '../../src/tuf/envelope.js';
import { verifyOne, verifySignatures } from '../../src/tuf/verify.js';
import { newKey, newRootKey, type TestKey } from './helpers/repo.js';

let MSG: Buffer;
beforeEach(() => {
  MSG = canonicalJson({ _type: 'Targets', version: 1, n: 'a&b' });
});

function keyset(...keys: TestKey[]): Record<string, TufKey> {
  return Object.fromEntries(keys.map((k) => [k.id, k.tuf]));
}

function envelopeWith(signed: object, signatures: Signature[]) {
  const file = JSON.stringify({ signed, signatures });
  return parseEnvelope(Buffer.from(file), 'targets', (x) => x);
}

describe('verifyOne (notary-spec.md §4.5)', () => {
  it('ecdsa: raw r‖s of twice the curve size; DER is refused', () => {
    const k = newKey('ecdsa');
    const raw = sign('sha256', MSG, { key: k.key, dsaEncoding: 'ieee-p1363' });
    const derSig = sign('sha256', MSG, { key: k.key, dsaEncoding: 'der' });
    expect(raw).toHaveLength(64);
    expect(verifyOne(MSG, 'ecdsa', raw, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'ECDSA', raw, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'ecdsa', derSig, k.tuf)).toBe(false);
    expect(verifyOne(MSG, 'eddsa', raw, k.tuf)).toBe(false);
  });

  it('ecdsa on P-384 uses 96-byte signatures over SHA-256', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const tuf = tufKeyFromKeyObject(privateKey);
    const raw = sign('sha256', MSG, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(raw).toHaveLength(96);
    expect(verifyOne(MSG, 'ecdsa', raw, tuf)).toBe(true);
  });

  it('ecdsa-x509 verifies with the certificate key', () => {
    const k = newRootKey({ cn: 'x', notBefore: new Date(0), notAfter: new Date(2 ** 41) });
    const { sig } = k.signer.sign(MSG);
    expect(verifyOne(MSG, 'ecdsa', sig, k.tuf)).toBe(true);
    expect(verifyOne(Buffer.from('other'), 'ecdsa', sig, k.tuf)).toBe(false);
  });

  it('rsapss needs salt length 32; rsapkcs1v15 is accepted; short RSA keys are refused', () => {
    const k = newKey('rsa');
    const pss = (saltLength: number) =>
      sign('sha256', MSG, { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    expect(verifyOne(MSG, 'rsapss', pss(32), k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'rsapss', pss(64), k.tuf)).toBe(false);
    const v15 = sign('sha256', MSG, { key: k.key, padding: constants.RSA_PKCS1_PADDING });
    expect(verifyOne(MSG, 'rsapkcs1v15', v15, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'rsapss', v15, k.tuf)).toBe(false);

    const { privateKey: small } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const smallSig = sign('sha256', MSG, {
      key: small,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    expect(verifyOne(MSG, 'rsapss', smallSig, tufKeyFromKeyObject(small))).toBe(false);
  });

  it('eddsa over the plain message', () => {
    const k = newKey('ed25519');
    const sig = sign(null, MSG, k.key);
    expect(verifyOne(MSG, 'eddsa', sig, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'ecdsa', sig, k.tuf)).toBe(false);
  });

  it('unknown methods and unusable keys are simply not valid', () => {
    const k = newKey('ecdsa');
    const { sig } = k.signer.sign(MSG);
    expect(verifyOne(MSG, 'pycrypto-pkcs#1 pss', sig, k.tuf)).toBe(false);
    const bogus: TufKey = { keytype: 'ecdsa', keyval: { private: null, public: 'AAAA' } };
    expect(verifyOne(MSG, 'ecdsa', sig, bogus)).toBe(false);
    // A key whose type says rsa but holds an EC key.
    expect(verifyOne(MSG, 'ecdsa', sig, { ...k.tuf, keytype: 'rsa' })).toBe(false);
  });
});

describe('verifySignatures', () => {
  const signed = { _type: 'Targets', b: 'a&b<c>', a: 1 };

  it('verifies over canonical(JSON.parse(signed)), not the file bytes', () => {
    const k = newKey('ecdsa');
    const { sig } = k.signer.sign(canonicalJson(signed));
    // Keys out of order, whitespace and \u escapes in the file: still the same JSON value.
    const file = `{"signatures":[{"keyid":"${k.id}","method":"ecdsa","sig":"${sig.toString('base64')}"}],
      "signed": { "b" : "a\\u0026b\\u003cc>", "_type":"Targets", "a": 1 }}`;
    const env = parseEnvelope(Buffer.from(file), 'targets', (x) => x);
    expect(() =>
      verifySignatures(env, 'targets', keyset(k), { keyids: [k.id], threshold: 1 }),
    ).not.toThrow();
  });

  it('counts distinct keys of the role toward the threshold', () => {
    const [a, b, outsider] = [newKey('ecdsa'), newKey('ed25519'), newKey('ecdsa')];
    const role = { keyids: [a.id, b.id], threshold: 2 };
    const keys = keyset(a, b, outsider);
    const one = signEnvelope(signed, [a.signer, outsider.signer]);
    expect(() => verifySignatures(one, 'targets', keys, role)).toThrow(
      expect.objectContaining({
        code: 'TUF_THRESHOLD',
        message: expect.stringContaining('1 valid of 2') as unknown,
      }),
    );
    const dup = envelopeWith(signed, [one.signatures[0], one.signatures[0]]);
    expect(() => verifySignatures(dup, 'targets', keys, role)).toThrow(
      expect.objectContaining({ code: 'TUF_THRESHOLD' }),
    );
    const both = signEnvelope(signed, [b.signer, a.signer]);
    expect(() => verifySignatures(both, 'targets', keys, role)).not.toThrow();
  });

  it('a bad signature by a role key below threshold → TUF_SIGNATURE', () => {
    const a = newKey('ecdsa');
    const env = signEnvelope(signed, [a.signer]);
    const tampered = envelopeWith({ ...signed, a: 2 }, env.signatures);
    expect(() =>
      verifySignatures(tampered, 'targets', keyset(a), { keyids: [a.id], threshold: 1 }),
    ).toThrow(expect.objectContaining({ code: 'TUF_SIGNATURE' }));
  });

  it('no signatures → TUF_NO_SIGNATURES', () => {
    const a = newKey('ecdsa');
    expect(() =>
      verifySignatures(envelopeWith(signed, []), 'targets', keyset(a), {
        keyids: [a.id],
        threshold: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'TUF_NO_SIGNATURES' }));
  });

  it('a key entry that does not hash to its ID → TUF_INVALID_KEY_ID', () => {
    const [a, b] = [newKey('ecdsa'), newKey('ecdsa')];
    const env = signEnvelope(signed, [a.signer]);
    expect(keyIdOf(b.tuf)).not.toBe(a.id);
    expect(() =>
      verifySignatures(env, 'targets', { [a.id]: b.tuf }, { keyids: [a.id], threshold: 1 }),
    ).toThrow(expect.objectContaining({ code: 'TUF_INVALID_KEY_ID' }));
  });

  it('refuses a role with threshold below 1', () => {
    const a = newKey('ecdsa');
    const env = signEnvelope(signed, [a.signer]);
    expect(() =>
      verifySignatures(env, 'targets', keyset(a), { keyids: [a.id], threshold: 0 }),
    ).toThrow(expect.objectContaining({ code: 'TUF_BAD_METADATA' }));
  });
});

describe('verifyOne refuses a key whose declared type does not match what it holds', () => {
  it('an ed25519 key declared as ecdsa does not verify eddsa', () => {
    const k = newKey('ed25519');
    const spki = k.key.type === 'private' ? createPublicKey(k.key) : k.key;
    const declared: TufKey = {
      keytype: 'ecdsa',
      keyval: {
        private: null,
        public: spki.export({ type: 'spki', format: 'der' }).toString('base64'),
      },
    };
    const sig = sign(null, MSG, k.key);
    expect(verifyOne(MSG, 'eddsa', sig, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'eddsa', sig, declared)).toBe(false);
  });

  it('an RSA key declared as ecdsa does not verify rsapss or rsapkcs1v15', () => {
    const k = newKey('rsa');
    const declared: TufKey = { ...k.tuf, keytype: 'ecdsa' };
    const pss = sign('sha256', MSG, {
      key: k.key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    const v15 = sign('sha256', MSG, { key: k.key, padding: constants.RSA_PKCS1_PADDING });
    expect(verifyOne(MSG, 'rsapss', pss, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'rsapss', pss, declared)).toBe(false);
    expect(verifyOne(MSG, 'rsapkcs1v15', v15, declared)).toBe(false);
  });

  it('an ecdsa certificate declared as rsa-x509 does not verify ecdsa', () => {
    const k = newRootKey({ cn: 'x', notBefore: new Date(0), notAfter: new Date(2 ** 41) });
    const { sig } = k.signer.sign(MSG);
    expect(verifyOne(MSG, 'ecdsa', sig, k.tuf)).toBe(true);
    expect(verifyOne(MSG, 'ecdsa', sig, { ...k.tuf, keytype: 'rsa-x509' })).toBe(false);
  });
});

describe('verifySignatures: malformed roles fail closed with a named error', () => {
  const signed = { _type: 'Targets', a: 1 };

  it('a fractional or infinite threshold is TUF_BAD_METADATA, not a count', () => {
    const a = newKey('ecdsa');
    const env = signEnvelope(signed, [a.signer]);
    for (const threshold of [0.5, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() =>
        verifySignatures(env, 'targets', keyset(a), { keyids: [a.id], threshold }),
      ).toThrow(expect.objectContaining({ code: 'TUF_BAD_METADATA' }));
    }
  });

  it('a role key ID with no key entry is not counted', () => {
    const [a, b] = [newKey('ecdsa'), newKey('ecdsa')];
    const env = signEnvelope(signed, [a.signer, b.signer]);
    expect(() =>
      verifySignatures(env, 'targets', keyset(a), { keyids: [a.id, b.id], threshold: 2 }),
    ).toThrow(expect.objectContaining({ code: 'TUF_THRESHOLD' }));
  });
});

describe('verifySignatures: each refusal says which role and what is wrong', () => {
  const signed = { _type: 'Targets', a: 1 };
  let a: TestKey;
  let b: TestKey;
  let role: { keyids: string[]; threshold: number };
  beforeEach(() => {
    a = newKey('ecdsa');
    b = newKey('ecdsa');
    role = { keyids: [a.id], threshold: 1 };
  });
  const cases: [string, () => void, () => RegExp][] = [
    [
      'no signatures',
      () => verifySignatures(envelopeWith(signed, []), 'targets', keyset(a), role),
      () => /^targets metadata has no signatures; the trust server may be serving tampered data$/,
    ],
    [
      'bad threshold',
      () =>
        verifySignatures(signEnvelope(signed, [a.signer]), 'targets', keyset(a), {
          ...role,
          threshold: 0,
        }),
      () => /^role targets has an invalid threshold$/,
    ],
    [
      'key ID mismatch',
      () => verifySignatures(signEnvelope(signed, [a.signer]), 'targets', { [a.id]: b.tuf }, role),
      () =>
        new RegExp(
          `^key ${a.id.slice(0, 7)} of targets does not match its ID; the metadata is corrupt or tampered with$`,
        ),
    ],
    [
      'bad signature',
      () =>
        verifySignatures(
          envelopeWith({ ...signed, a: 2 }, signEnvelope(signed, [a.signer]).signatures),
          'targets',
          keyset(a),
          role,
        ),
      () =>
        new RegExp(
          `^signature of key ${a.id.slice(0, 7)} on targets is invalid \\(0 valid of 1 required\\); the trust server may be serving tampered data$`,
        ),
    ],
    [
      'below threshold',
      () => verifySignatures(signEnvelope(signed, [b.signer]), 'targets', keyset(a, b), role),
      () =>
        /^valid signatures did not meet threshold for targets \(0 valid of 1 required\); it was not signed by the keys the repository trusts for this role$/,
    ],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(message());
    });
  }
});
