/**
 * The metadata file (tuf/envelope.ts) at its edges: what is not an envelope and how each
 * refusal names the role, control characters and Go's escapes in what is written, the
 * signatures a re-sign keeps, and files the literal message must not be read from.
 * Written against the mutants StrykerJS left alive (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import { canonicalJson } from '../../src/tuf/canonical.js';
import {
  literalSignedMessage,
  parseEnvelope,
  serializeEnvelope,
  signEnvelope,
  signedMessage,
  type Signature,
} from '../../src/tuf/envelope.js';
import { newKey } from './helpers/repo.js';

const asIs = (x: unknown) => x;
const parse = (text: string, guard: (x: unknown) => unknown = asIs) =>
  parseEnvelope(Buffer.from(text), 'snapshot', guard);
const malformed = (why: string) =>
  expect.objectContaining({
    code: 'TUF_BAD_METADATA',
    message: `snapshot metadata is malformed: ${why}; the trust server may be serving corrupt data`,
  }) as unknown;

describe('parseEnvelope refuses what is not a metadata file', () => {
  it('a file that is not a JSON object', () => {
    for (const text of ['[]', 'null', '1', '"x"']) {
      expect(() => parse(text), text).toThrow(malformed('the file is not a JSON object'));
    }
  });

  it('JSON it cannot parse, and a key twice', () => {
    expect(() => parse('{"signed":')).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message:
          'snapshot metadata is not valid JSON; the trust server may be serving corrupt data',
        cause: expect.any(SyntaxError) as unknown,
      }),
    );
    expect(() => parse('{"signed":{},"signed":{}}')).toThrow(
      malformed('the key "signed" is in one object twice, so the file can be read two ways'),
    );
  });

  it('signatures that are not a list of string triples', () => {
    expect(() => parse('{"signed":{},"signatures":{}}')).toThrow(
      malformed('"signatures" is not a list'),
    );
    for (const sig of [
      'null',
      '1',
      '{"keyid":"k","method":"ecdsa"}',
      '{"keyid":1,"method":"ecdsa","sig":"s"}',
      '{"keyid":"k","method":null,"sig":"s"}',
      '{"keyid":"k","method":"ecdsa","sig":[]}',
    ]) {
      expect(
        () => parse(`{"signed":{},"signatures":[{"keyid":"a","method":"b","sig":"c"},${sig}]}`),
        sig,
      ).toThrow(malformed('signature 1 needs string keyid, method and sig'));
    }
    expect(() =>
      parse('{"signed":{},"signatures":[{"keyid":"a","method":"b","sig":"c","Sig":"d"}]}'),
    ).toThrow(
      malformed(
        'signature 0 has the key "Sig", which Go reads as "sig", so it can be read two ways',
      ),
    );
  });

  it('a file without signatures has none; one without signed is refused', () => {
    expect(parse('{"signed":{"a":1}}').signatures).toEqual([]);
    expect(parse('{"signed":{},"signatures":null}').signatures).toEqual([]);
    for (const text of ['{"signatures":[]}', '{"signed":null}', '{"signed":"x"}', '{"signed":1}']) {
      expect(() => parse(text), text).toThrow(malformed('"signed" is missing'));
    }
  });

  it('keeps the signatures, the bytes and what the guard made of signed', () => {
    const text = '{"signed":{"a":1},"signatures":[{"keyid":"k","method":"m","sig":"s"}]}';
    const env = parse(text, (x) => ({ checked: x }));
    expect(env.signatures).toEqual([{ keyid: 'k', method: 'm', sig: 's' }]);
    expect(env.bytes.toString()).toBe(text);
    expect(env.signed).toEqual({ checked: { a: 1 } });
    expect(env.message).toBeUndefined();
  });

  it("names the role in a guard's refusal and passes other errors on as they are", () => {
    const inner = new DctError('TUF_BAD_METADATA', 'version is bad');
    let caught: unknown;
    try {
      parse('{"signed":{}}', () => {
        throw inner;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DctError);
    expect(caught).toMatchObject({ code: 'TUF_BAD_METADATA', message: 'snapshot: version is bad' });
    expect((caught as Error).cause).toBe(inner);
    const other = new TypeError('boom');
    expect(() =>
      parse('{"signed":{}}', () => {
        throw other;
      }),
    ).toThrow(other);
  });
});

describe('signedMessage', () => {
  it('is canonical(signed) of the file, whatever its layout', () => {
    const text = '{ "signatures": [], "signed": { "b": "<", "a": 1 } }';
    expect(signedMessage(Buffer.from(text), 'targets').toString()).toBe('{"a":1,"b":"<"}');
  });

  it('refuses a file without a signed object, naming the role', () => {
    for (const text of ['null', '{"signed":null}', '{"signed":"x"}', '{}']) {
      expect(() => signedMessage(Buffer.from(text), 'targets'), text).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_METADATA',
          message:
            'targets metadata is malformed: "signed" is missing; the trust server may be serving corrupt data',
        }),
      );
    }
    expect(() => signedMessage(Buffer.from('{'), 'targets')).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message: expect.stringMatching(/^targets metadata is not valid JSON/) as unknown,
      }),
    );
  });
});

describe('serializeEnvelope writes control characters as Go does', () => {
  const file = (s: string) => serializeEnvelope({ s }, []).toString('utf8');

  it('\\t \\n \\r short, other controls as \\u00XX, space and DEL raw', () => {
    expect(file('\t\n\r')).toBe('{"signed":{"s":"\\t\\n\\r"},"signatures":[]}');
    expect(file('\u0000\u0001\u000b\u001f')).toBe(
      '{"signed":{"s":"\\u0000\\u0001\\u000b\\u001f"},"signatures":[]}',
    );
    expect(file(' \u007f~')).toBe('{"signed":{"s":" \u007f~"},"signatures":[]}');
    expect(file('a\u0002b\u0003')).toBe('{"signed":{"s":"a\\u0002b\\u0003"},"signatures":[]}');
  });

  it('writes the canonical message it is given, HTML-escaped', () => {
    const message = canonicalJson({ b: '<&>', a: [1] });
    expect(serializeEnvelope({ ignored: true }, [], message).toString()).toBe(
      '{"signed":{"a":[1],"b":"\\u003c\\u0026\\u003e"},"signatures":[]}',
    );
  });

  it('writes signature strings as Go does: \\b and \\f as \\u00XX, HTML escaped', () => {
    const sigs: Signature[] = [
      { keyid: 'a\bb\fc', method: '<m>', sig: 'x&"\\' },
      { keyid: 'k', method: 'm', sig: 's' },
    ];
    expect(serializeEnvelope({}, sigs).toString()).toBe(
      '{"signed":{},"signatures":[' +
        '{"keyid":"a\\u0008b\\u000cc","method":"\\u003cm\\u003e","sig":"x\\u0026\\"\\\\"},' +
        '{"keyid":"k","method":"m","sig":"s"}]}',
    );
  });
});

describe('signEnvelope', () => {
  const signed = { _type: 'Targets', a: 1 };

  it('signs once per key, lower-cases the method, and keeps only signatures of other keys', () => {
    const [a, b] = [newKey('ecdsa'), newKey('ed25519')];
    const upper = { ...a.signer, sign: (m: Buffer) => ({ ...a.signer.sign(m), method: 'ECDSA' }) };
    const keep: Signature[] = [
      { keyid: a.id, method: 'ecdsa', sig: 'old' },
      { keyid: 'other', method: 'eddsa', sig: 'kept' },
    ];
    const env = signEnvelope(signed, [upper, b.signer, a.signer], keep);
    expect(env.signatures.map((s) => s.keyid)).toEqual([a.id, b.id, 'other']);
    expect(env.signatures[0].method).toBe('ecdsa');
    expect(env.signatures[0].sig).not.toBe('old');
    expect(env.signatures[2]).toEqual(keep[1]);
    expect(env.message?.equals(canonicalJson(signed))).toBe(true);
    expect(env.bytes.equals(serializeEnvelope(signed, env.signatures))).toBe(true);
    expect(signEnvelope(signed, []).signatures).toEqual([]);
  });
});

describe('literalSignedMessage is undefined for files Go would not write', () => {
  it('an empty signed value, or no signatures key after it', () => {
    expect(literalSignedMessage(Buffer.from('{"signed":,"signatures":[]}'), [])).toBeUndefined();
    expect(literalSignedMessage(Buffer.from('{"signed":{}}'), [])).toBeUndefined();
    expect(literalSignedMessage(Buffer.from('{"signed"'), [])).toBeUndefined();
  });

  it('characters Go escapes, written raw', () => {
    for (const raw of ['<', '>', '&', '\t', '\u0001', '\u2028']) {
      const bytes = Buffer.from(`{"signed":{"s":"${raw}"},"signatures":[]}`);
      expect(literalSignedMessage(bytes, []), JSON.stringify(raw)).toBeUndefined();
    }
    const ok = Buffer.from('{"signed":{"s":" \u007f"},"signatures":[]}');
    expect(literalSignedMessage(ok, [])?.toString()).toBe('{"s":" \u007f"}');
  });

  it('signatures other than the ones given, or anything after them', () => {
    const sigs: Signature[] = [{ keyid: 'k', method: 'm', sig: 's' }];
    const plain = serializeEnvelope({ a: 1 }, sigs);
    const escaped = serializeEnvelope({ a: '<' }, sigs);
    for (const file of [plain, escaped]) {
      expect(literalSignedMessage(file, sigs)).toBeDefined();
      expect(literalSignedMessage(file, [])).toBeUndefined();
      expect(literalSignedMessage(Buffer.concat([file, Buffer.from(' ')]), sigs)).toBeUndefined();
    }
    expect(literalSignedMessage(escaped, sigs)?.toString()).toBe('{"a":"<"}');
  });

  it('undoes exactly the escapes Go writes, and no escaped backslash', () => {
    const cases: [string, string][] = [
      ['\\t\\n\\r', '\t\n\r'],
      ['\\u0000\\u001f', '\u0000\u001f'],
      ['\\u003c\\u003e\\u0026\\u2028\\u2029', '<>&\u2028\u2029'],
      ['\\\\u003c\\u003c', '\\\\u003c<'],
      ['\\\\\\u003c', '\\\\<'],
      ['\\"\\u003c', '\\"<'],
      // Four characters after another escape are not read as a \u escape's digits.
      ['\\"003c\\u003c', '\\"003c<'],
      ['\\\\0026\\u0026', '\\\\0026&'],
    ];
    for (const [inFile, inMessage] of cases) {
      const bytes = Buffer.from(`{"signed":{"s":"${inFile}"},"signatures":[]}`);
      expect(literalSignedMessage(bytes, [])?.toString(), inFile).toBe(`{"s":"${inMessage}"}`);
    }
    // Other escapes are not undone (`\u0041` is not `A`), and a message holding them is not
    // canonical JSON, so it is not read from the file at all.
    for (const other of ['\\u0041', '\\u00e9', '\\/', '\\b']) {
      const bytes = Buffer.from(`{"signed":{"s":"${other}\\u003c"},"signatures":[]}`);
      expect(literalSignedMessage(bytes, []), other).toBeUndefined();
    }
  });
});

describe('a Go field of the file or of a signature, spelled in another case, is refused', () => {
  it('names the file or the signature that holds it', () => {
    for (const field of ['signed', 'signatures']) {
      const key = field.toUpperCase();
      expect(() => parse(`{"signed":{},"signatures":[],"${key}":1}`), field).toThrow(
        malformed(
          `the file has the key "${key}", which Go reads as "${field}", so it can be read two ways`,
        ),
      );
    }
    for (const field of ['keyid', 'method', 'sig']) {
      const key = field.toUpperCase();
      const sig = `{"keyid":"k","method":"ecdsa","sig":"s","${key}":"x"}`;
      expect(() => parse(`{"signed":{},"signatures":[${sig}]}`), field).toThrow(
        malformed(
          `signature 0 has the key "${key}", which Go reads as "${field}", so it can be read two ways`,
        ),
      );
    }
  });
});
