/**
 * der.ts at its edges, against the mutants StrykerJS left alive: every length form at its
 * bounds (short/long switch at 0x80, 1–4 length bytes, non-minimal and indefinite refused,
 * content ending exactly at the buffer's end), high tag numbers, OIDs (empty, truncated, arcs
 * past 2^53 and the 2^46 bound that keeps them exact, the 2.x first-arc split), INTEGER
 * bounds, times anchored at both ends, the default words of each refusal, and the writer's
 * exact bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  DerError,
  TAG,
  certificateParts,
  children,
  derBitString,
  derBoolean,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derUnsigned,
  expectTag,
  octets,
  oidOf,
  readTlv,
  smallInt,
  timeOf,
  tlv,
} from '../../src/keys/der.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');
const refuses = (s: string, msg: string) =>
  expect(() => readTlv(hex(s)), s).toThrow(new DerError(msg));

describe('readTlv', () => {
  it('short and long lengths at their bounds', () => {
    expect(readTlv(hex('0500'))).toEqual({
      node: { tag: 5, content: Buffer.alloc(0), raw: hex('0500') },
      next: 2,
    });
    const r = readTlv(hex('ff 04 02 abcd ee'), 1);
    expect(r.next).toBe(5);
    expect(r.node.content).toEqual(hex('abcd'));
    expect(r.node.raw).toEqual(hex('0402abcd'));
    const c127 = Buffer.concat([hex('047f'), Buffer.alloc(127, 1)]);
    expect(readTlv(c127).node.content.length).toBe(127);
    const c128 = Buffer.concat([hex('048180'), Buffer.alloc(128, 1)]);
    expect(readTlv(c128).node.content.length).toBe(128);
    expect(readTlv(c128).next).toBe(131);
    const c256 = Buffer.concat([hex('04820100'), Buffer.alloc(256, 1)]);
    expect(readTlv(c256).node.content.length).toBe(256);
    const c65536 = Buffer.concat([hex('0483010000'), Buffer.alloc(65536, 1)]);
    expect(readTlv(c65536).node.content.length).toBe(65536);
    const c4 = Buffer.concat([hex('048401000000'), Buffer.alloc(2 ** 24, 1)]);
    expect(readTlv(c4).node.content.length).toBe(2 ** 24);
  });

  it('refuses each malformed header with its reason', () => {
    refuses('', 'DER: truncated header');
    refuses('04', 'DER: truncated header');
    refuses('1f00', 'DER: high tag numbers are not supported');
    refuses('3f00', 'DER: high tag numbers are not supported');
    refuses('0480', 'DER: unsupported length form');
    refuses('0485 0000000001 00', 'DER: unsupported length form');
    refuses('0482 01', 'DER: truncated length');
    refuses('0481 7f', 'DER: non-minimal length');
    refuses('0482 0080', 'DER: non-minimal length');
    refuses('0403 0000', 'DER: content runs past the end');
    refuses('048180', 'DER: content runs past the end');
    expect(() => readTlv(hex('0500'), 1)).toThrow(new DerError('DER: truncated header'));
  });

  it('a tag with 0x1e in its low bits is an ordinary tag', () => {
    expect(readTlv(hex('1e00')).node.tag).toBe(0x1e);
  });
});

describe('children, expectTag, octets', () => {
  it('children of a constructed value, in order; a primitive has none to read', () => {
    const seq = readTlv(derSequence(derSmallInt(1), derOctets(hex('aa')))).node;
    expect(children(seq).map((c) => c.raw.toString('hex'))).toEqual(['020101', '0401aa']);
    expect(children(readTlv(hex('a0 00')).node)).toEqual([]);
    expect(() => children(readTlv(hex('0400')).node)).toThrow(
      new DerError('DER: expected a constructed value'),
    );
    expect(() => children(readTlv(hex('3004 020101 00')).node)).toThrow(DerError);
  });

  it('expectTag names what it wanted', () => {
    expect(() => expectTag(undefined, TAG.SEQUENCE, 'a thing')).toThrow(
      new DerError('DER: expected a thing'),
    );
    expect(() => octets(readTlv(hex('0500')).node)).toThrow(
      new DerError('DER: expected an OCTET STRING'),
    );
  });
});

describe('oidOf', () => {
  const oid = (s: string) => oidOf(readTlv(hex(s)).node);
  it('splits the first arc as X.690 says', () => {
    expect(oid('0601 00')).toBe('0.0');
    expect(oid('0601 27')).toBe('0.39');
    expect(oid('0601 28')).toBe('1.0');
    expect(oid('0601 4f')).toBe('1.39');
    expect(oid('0601 50')).toBe('2.0');
    expect(oid('0602 8837')).toBe('2.999');
    expect(oidOf(readTlv(derOid('2.999.1')).node)).toBe('2.999.1');
  });

  it('refuses empty, truncated and oversized OIDs, and other tags', () => {
    expect(() => oid('0600')).toThrow(new DerError('DER: empty OID'));
    expect(() => oid('0602 2a86')).toThrow(new DerError('DER: truncated OID'));
    expect(() => oid('0601 86')).toThrow(new DerError('DER: truncated OID'));
    expect(() => oid('060a 2a ffffffffffffffff7f')).toThrow(new DerError('DER: OID arc too large'));
    // 2^42 still fits
    expect(oid('0608 2a 81808080808000')).toBe(`1.2.${2 ** 42}`);
    expect(() => oidOf(readTlv(hex('0400')).node, 'the curve')).toThrow(
      new DerError('DER: expected the curve'),
    );
    expect(() => oidOf(readTlv(hex('0400')).node)).toThrow(new DerError('DER: expected an OID'));
  });

  it('an arc may reach 2^46 - 1 and no further, so that reading on never loses precision', () => {
    expect(oid('0608 2a 8fffffffffff7f')).toBe(`1.2.${2 ** 46 - 1}`);
    expect(() => oid('0608 2a 90808080808000')).toThrow(new DerError('DER: OID arc too large'));
    expect(() => oid('0609 2a 8180808080808000')).toThrow(new DerError('DER: OID arc too large'));
  });
});

describe('certificateParts', () => {
  it('names the part that is not a SEQUENCE', () => {
    const cases: [Buffer, string][] = [
      [derOctets(hex('00')), 'DER: expected Certificate'],
      [derSequence(derOctets(hex('00'))), 'DER: expected TBSCertificate'],
      [derSequence(derSequence(), derOctets(hex('00'))), 'DER: expected AlgorithmIdentifier'],
      [derSequence(derSequence()), 'DER: expected AlgorithmIdentifier'],
    ];
    for (const [der, message] of cases) {
      expect(() => certificateParts(der), message).toThrow(new DerError(message));
    }
  });

  it('skips the [0] version when present; an empty TBSCertificate has no fields', () => {
    const alg = derSequence(derOid('1.2.840.10045.4.3.2'));
    const serial = derSmallInt(7);
    const v3 = certificateParts(derSequence(derSequence(tlv(0xa0, derSmallInt(2)), serial), alg));
    expect(v3.tbs.map((n) => n.raw)).toEqual([serial]);
    const v1 = certificateParts(derSequence(derSequence(serial), alg));
    expect(v1.tbs.map((n) => n.raw)).toEqual([serial]);
    expect(v1.signatureAlgorithm.raw).toEqual(alg);
    expect(certificateParts(derSequence(derSequence(), alg)).tbs).toEqual([]);
  });
});

describe('timeOf', () => {
  const time = (tag: number, s: string, what?: string) =>
    timeOf(readTlv(tlv(tag, Buffer.from(s, 'ascii'))).node, what);

  it('the whole content is the time: nothing before it, nothing after the Z', () => {
    expect(time(TAG.UTC_TIME, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(time(TAG.GENERALIZED_TIME, '20500101000000Z').toISOString()).toBe(
      '2050-01-01T00:00:00.000Z',
    );
    for (const [tag, s] of [
      [TAG.UTC_TIME, '1500101000000Z'],
      [TAG.UTC_TIME, '500101000000Z0'],
      [TAG.GENERALIZED_TIME, '120500101000000Z'],
      [TAG.GENERALIZED_TIME, '20500101000000Z0'],
    ] as const) {
      expect(() => time(tag, s), s).toThrow(
        new DerError('DER: a time is not in whole seconds, UTC'),
      );
    }
    expect(() => time(TAG.UTC_TIME, '500101000000Z0', 'notAfter')).toThrow(
      new DerError('DER: notAfter is not in whole seconds, UTC'),
    );
  });

  it('another tag is refused in the same words', () => {
    expect(() => timeOf(readTlv(hex('0400')).node)).toThrow(new DerError('DER: expected a time'));
    expect(() => timeOf(undefined, 'notBefore')).toThrow(new DerError('DER: expected notBefore'));
  });
});

describe('DerError', () => {
  it('is an Error by the name DerError', () => {
    const e = new DerError('DER: x');
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.message, String(e)]).toEqual(['DerError', 'DER: x', 'DerError: DER: x']);
  });
});

describe('smallInt', () => {
  const int = (s: string) => smallInt(readTlv(hex(s)).node);
  it('reads 1 to 6 content bytes, non-negative', () => {
    expect(int('0201 00')).toBe(0);
    expect(int('0201 7f')).toBe(127);
    expect(int('0202 0080')).toBe(128);
    expect(int('0206 7fffffffffff')).toBe(2 ** 47 - 1);
    expect(() => int('0200')).toThrow(new DerError('DER: an INTEGER out of range'));
    expect(() => int('0207 00000000000001')).toThrow(DerError);
    expect(() => int('0201 80')).toThrow(DerError);
    expect(() => smallInt(readTlv(hex('0201 80')).node, 'the count')).toThrow(
      new DerError('DER: the count out of range'),
    );
  });
});

describe('the writer, byte for byte', () => {
  it('lengths switch to the long form at 128 and grow a byte at 256', () => {
    expect(derOctets(Buffer.alloc(127)).subarray(0, 2)).toEqual(hex('047f'));
    expect(derOctets(Buffer.alloc(128)).subarray(0, 3)).toEqual(hex('048180'));
    expect(derOctets(Buffer.alloc(255)).subarray(0, 3)).toEqual(hex('0481ff'));
    expect(derOctets(Buffer.alloc(256)).subarray(0, 4)).toEqual(hex('04820100'));
    expect(derOctets(Buffer.alloc(65536)).subarray(0, 5)).toEqual(hex('0483010000'));
    expect(tlv(0x30, hex('01'), hex('0203'))).toEqual(hex('3003 010203'));
    expect(derSequence()).toEqual(hex('3000'));
  });

  it('INTEGERs: minimal, a zero byte before a high bit, refusing what is not a safe natural', () => {
    expect(derSmallInt(0)).toEqual(hex('020100'));
    expect(derSmallInt(127)).toEqual(hex('02017f'));
    expect(derSmallInt(128)).toEqual(hex('02020080'));
    expect(derSmallInt(256)).toEqual(hex('02020100'));
    expect(derSmallInt(2048)).toEqual(hex('02020800'));
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => derSmallInt(bad)).toThrow(new RangeError('DER: bad INTEGER'));
    }
    expect(derUnsigned(hex('000001'))).toEqual(hex('020101'));
    expect(derUnsigned(hex('0000'))).toEqual(hex('020100'));
    expect(derUnsigned(hex(''))).toEqual(hex('020100'));
    expect(derUnsigned(hex('0080'))).toEqual(hex('02020080'));
    expect(derUnsigned(hex('80'))).toEqual(hex('02020080'));
    expect(derUnsigned(hex('7f01'))).toEqual(hex('02027f01'));
    expect(derUnsigned(hex('000102'))).toEqual(hex('02020102'));
  });

  it('BOOLEAN, BIT STRING and OIDs', () => {
    expect(derBoolean(true)).toEqual(hex('0101ff'));
    expect(derBoolean(false)).toEqual(hex('010100'));
    expect(derBitString(hex('a0'), 5)).toEqual(hex('030205a0'));
    expect(derBitString(hex('ab'))).toEqual(hex('030200ab'));
    expect(derOid('1.2.840.113549')).toEqual(hex('0606 2a864886f70d'));
    expect(derOid('2.999')).toEqual(hex('0602 8837'));
    expect(derOid('1.2.16384')).toEqual(hex('0604 2a818000'));
    for (const bad of ['1', '', '1..2', '1.a', '1.2.-3', ' 1.2', '1.2a', '1.2 ']) {
      expect(() => derOid(bad), bad).toThrow(new RangeError(`DER: bad OID ${bad}`));
    }
  });
});
