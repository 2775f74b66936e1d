/**
 * The fast path of signature verification: the signed message read from the file itself
 * (Go's HTML escaping undone) instead of parse + canonical encode, with the Go-way derivation
 * as the fallback for files not written as Go writes them.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/tuf/canonical.js';
import {
  literalSignedMessage,
  parseEnvelope,
  serializeEnvelope,
  signEnvelope,
} from '../../src/tuf/envelope.js';
import { verifySignatures } from '../../src/tuf/verify.js';
import { newKey } from './helpers/repo.js';

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
  const k = newKey('ecdsa');
  const keys = { [k.id]: k.tuf };
  const role = { keyids: [k.id], threshold: 1 };

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

  it('refuses a file whose signed part changed, on both paths', () => {
    const bytes = signEnvelope(tricky, [k.signer]).bytes;
    const changed = Buffer.from(bytes.toString().replace('"length":4', '"length":5'));
    const env = parseEnvelope(changed, 'targets', asIs);
    expect(() => verifySignatures(env, 'targets', keys, role)).toThrow(
      expect.objectContaining({ code: 'TUF_SIGNATURE' }) as Error,
    );
  });
});
