/**
 * The fast path of signature verification: the signed message read from the file itself
 * (Go's HTML escaping undone) instead of parse + canonical encode, with the Go-way derivation
 * as the fallback for files not written as Go writes them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/tuf/canonical.js';
import {
  literalSignedMessage,
  parseEnvelope,
  serializeEnvelope,
  signEnvelope,
} from '../../src/tuf/envelope.js';
import { verifySignatures } from '../../src/tuf/verify.js';
import { newKey, oneKeyRole, type TestKey } from './helpers/repo.js';

const tricky = {
  _type: 'Targets',
  expires: '2030-01-01T00:00:00Z',
  version: 2,
  delegations: { keys: {}, roles: [] },
  targets: {
    'a&b<c>é': { hashes: { sha256: 'AAAA' }, length: 1 },
    'line\u2028sep\u2029': { hashes: { sha256: 'BBBB' }, length: 2 },
    'literal \\u003c and \\\\u003e': { hashes: { sha256: 'CCCC' }, length: 3 },
    'quote " and \\ backslash': { hashes: { sha256: 'DDDD' }, length: 4 },
  },
};

const asIs = (x: unknown) => x;

describe('literalSignedMessage', () => {
  it('gives exactly canonical(signed) for a file written as Go writes it', () => {
    const bytes = serializeEnvelope(tricky, []);
    expect(bytes.toString()).toContain('a\\u0026b\\u003cc\\u003eé');
    expect(literalSignedMessage(bytes, [])?.equals(canonicalJson(tricky))).toBe(true);
  });

  it('is undefined for a file that does not start as Go files do', () => {
    expect(
      literalSignedMessage(Buffer.from('{ "signed": {}, "signatures": [] }'), []),
    ).toBeUndefined();
  });
});

describe('verifySignatures with the literal message', () => {
  let k: TestKey;
  let keys: Record<string, TestKey['tuf']>;
  let role: { keyids: string[]; threshold: number };
  beforeEach(() => ({ k, keys, role } = oneKeyRole()));

  it('accepts a Go-form file', () => {
    const env = parseEnvelope(signEnvelope(tricky, [k.signer]).bytes, 'targets', asIs);
    expect(() => verifySignatures(env, 'targets', keys, role)).not.toThrow();
  });

  it('falls back to canonical(parse) for a file with other spacing and key order', () => {
    const signed = signEnvelope(tricky, [k.signer]);
    // Same content and signature, written by a producer that is not Go.
    const loose = Buffer.from(
      JSON.stringify({ signatures: signed.signatures, signed: tricky }, null, 2),
    );
    const env = parseEnvelope(loose, 'targets', asIs);
    expect(literalSignedMessage(loose, signed.signatures)).toBeUndefined();
    expect(() => verifySignatures(env, 'targets', keys, role)).not.toThrow();
  });

  it('falls back when a Go-shaped file holds signed in another key order', () => {
    const signed = signEnvelope(tricky, [k.signer]);
    const reordered = Buffer.from(
      `{"signed":${JSON.stringify({ version: tricky.version, targets: tricky.targets, _type: tricky._type, expires: tricky.expires, delegations: tricky.delegations })},"signatures":${JSON.stringify(signed.signatures)}}`,
    );
    expect(
      literalSignedMessage(reordered, signed.signatures)?.equals(canonicalJson(tricky)),
    ).toBeFalsy();
    const env = parseEnvelope(reordered, 'targets', asIs);
    expect(() => verifySignatures(env, 'targets', keys, role)).not.toThrow();
  });

  it('refuses a genuine file with a second "signed" appended (JSON.parse keeps the last)', () => {
    const genuine = signEnvelope(tricky, [k.signer]).bytes.toString();
    const forged = { ...tricky, targets: { 'a&b<c>é': { hashes: { sha256: 'EEEE' }, length: 1 } } };
    for (const key of ['"signed"', '"sig\\u006eed"']) {
      const bytes = Buffer.from(`${genuine.slice(0, -1)},${key}:${JSON.stringify(forged)}}`);
      // Refused as it is read: a key twice in one object (the literal message would not
      // match such a file either, literalSignedMessage).
      expect(literalSignedMessage(bytes, [])).toBeUndefined();
      expect(() => parseEnvelope(bytes, 'targets', asIs)).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_METADATA',
          message: expect.stringContaining('"signed" is in one object twice') as unknown,
        }) as Error,
      );
    }
  });

  // Go verifies over canonical(decoded signed): a signature over the bytes as written, when
  // they are not canonical, is one notary rejects, so dct must not accept it either.
  it.each([
    ['keys out of order', '{"version":2,"_type":"Targets"}'],
    ['a space after a colon', '{"_type": "Targets","version":2}'],
    ['a number with an exponent', '{"_type":"Targets","version":2e0}'],
    ['a number with a fraction', '{"_type":"Targets","version":2.0}'],
    ['a \\u escape Go would not write', '{"_type":"T\\u0061rgets","version":2}'],
    ['an escaped slash', '{"_type":"Targets\\/","version":2}'],
    ['a minus zero', '{"_type":"Targets","version":-0}'],
  ])('refuses a signature over the literal bytes with %s', (_why, signedText) => {
    const literal = Buffer.from(signedText);
    const { method, sig } = k.signer.sign(literal);
    const sigs = [{ keyid: k.id, method: method.toLowerCase(), sig: sig.toString('base64') }];
    const bytes = Buffer.from(`{"signed":${signedText},"signatures":${JSON.stringify(sigs)}}`);
    expect(literalSignedMessage(bytes, sigs)).toBeUndefined();
    const env = parseEnvelope(bytes, 'targets', asIs);
    expect(() => verifySignatures(env, 'targets', keys, role)).toThrow(
      expect.objectContaining({ code: 'TUF_SIGNATURE' }) as Error,
    );
    // The same bytes written canonically, signed the same way, are accepted.
    const canonical = canonicalJson(env.signed);
    const good = k.signer.sign(canonical);
    const goodSigs = [
      { keyid: k.id, method: good.method.toLowerCase(), sig: good.sig.toString('base64') },
    ];
    const goodEnv = parseEnvelope(serializeEnvelope({}, goodSigs, canonical), 'targets', asIs);
    expect(() => verifySignatures(goodEnv, 'targets', keys, role)).not.toThrow();
  });

  it('refuses a file whose signed part changed, on both paths', () => {
    const bytes = signEnvelope(tricky, [k.signer]).bytes;
    const changed = Buffer.from(bytes.toString().replace('"length":4', '"length":5'));
    const env = parseEnvelope(changed, 'targets', asIs);
    expect(() => verifySignatures(env, 'targets', keys, role)).toThrow(
      expect.objectContaining({ code: 'TUF_SIGNATURE' }) as Error,
    );
  });
});

describe('control characters in names (a co-signer’s TAB or NUL)', () => {
  // Go's canonical JSON (docker/go, canonical mode) writes them raw into the signed message,
  // so that is what a signature covers; but raw they are not JSON, and Go's own file writer
  // fails on them (`json: error calling MarshalJSON for type *json.RawMessage: invalid
  // character '\t' in string literal`, notary 0.7.0). The file must hold them escaped.
  let k: TestKey;
  beforeEach(() => {
    k = newKey('ecdsa');
  });
  const names = [
    'a\tb',
    'nul\u0000x',
    'nl\nx',
    'cr\rx',
    'bs\bx',
    'ff\fx',
    'us\u001fx',
    'del\u007fx',
  ];
  const signed = {
    ...tricky,
    targets: Object.fromEntries(names.map((n) => [n, { hashes: { sha256: 'AAAA' }, length: 1 }])),
  };

  it('signs them raw and writes them escaped as Go’s encoder escapes them', () => {
    const env = signEnvelope(signed, [k.signer]);
    expect(env.message!.includes('"a\tb"')).toBe(true);
    const text = env.bytes.toString('utf8');
    // eslint-disable-next-line no-control-regex -- no raw control character may be written
    expect(text).not.toMatch(/[\u0000-\u001f]/);
    for (const escaped of [
      'a\\tb',
      'nul\\u0000x',
      'nl\\nx',
      'cr\\rx',
      'bs\\u0008x',
      'ff\\u000cx',
      'us\\u001fx',
    ]) {
      expect(text).toContain(`"${escaped}"`);
    }
    expect(text).toContain('"del\u007fx"');
    const read = (JSON.parse(text) as { signed: typeof signed }).signed.targets;
    expect(Object.keys(read).sort()).toEqual([...names].sort());
  });

  it('reads them back: the literal message is the raw canonical one, and signatures verify', () => {
    const env = signEnvelope(signed, [k.signer]);
    expect(literalSignedMessage(env.bytes, env.signatures)?.equals(canonicalJson(signed))).toBe(
      true,
    );
    const back = parseEnvelope(env.bytes, 'targets', asIs);
    expect(() =>
      verifySignatures(back, 'targets', { [k.id]: k.tuf }, { keyids: [k.id], threshold: 1 }),
    ).not.toThrow();
  });
});
