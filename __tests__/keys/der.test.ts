import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DerError,
  OID,
  TAG,
  children,
  derNull,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derTime,
  octets,
  oidOf,
  parseDerPrefix,
  sequence,
  smallInt,
  timeOf,
  tlv,
} from '../../src/keys/der.js';
import { parseDer } from './helpers.js';

describe('der', () => {
  it('reads what OpenSSL writes: the OIDs of an EC SubjectPublicKeyInfo', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const [alg, bits] = sequence(parseDer(spki), 'SPKI');
    const [algOid, curve] = sequence(alg, 'alg');
    expect(oidOf(algOid)).toBe(OID.ecPublicKey);
    expect(oidOf(curve)).toBe(OID.p384);
    expect(bits.tag).toBe(TAG.BIT_STRING);
    // long-form length: the P-384 point is 97 bytes + 1 unused-bits byte
    expect(bits.content.length).toBe(98);
  });

  it('writes OIDs byte for byte as OpenSSL does', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    // OpenSSL's RSA SPKI starts with SEQUENCE { OID rsaEncryption, NULL }
    const alg = sequence(parseDer(spki), 'SPKI')[0];
    expect(alg.raw.equals(derSequence(derOid(OID.rsaEncryption), derNull()))).toBe(true);
  });

  it('round-trips integers, octets and long contents', () => {
    const big = Buffer.alloc(70000, 7);
    const der = derSequence(derSmallInt(0), derSmallInt(128), derSmallInt(2048), derOctets(big));
    const items = sequence(parseDer(der), 'seq');
    expect(items.map((n, i) => (i < 3 ? smallInt(n) : octets(n).length))).toEqual([
      0, 128, 2048, 70000,
    ]);
    // 128 needs a leading zero byte to stay positive
    expect(items[1].raw.toString('hex')).toBe('02020080');
    for (const oid of Object.values(OID)) expect(oidOf(parseDer(derOid(oid)))).toBe(oid);
  });

  it('refuses malformed DER', () => {
    const bad = [
      '3005020101', // content runs past the end
      '3080020101 0000', // indefinite length
      '30 81 03 020101', // non-minimal long length
      '02', // truncated header
      '0601', // OID content past end
    ];
    for (const hex of bad) {
      expect(() => children(parseDerPrefix(Buffer.from(hex.replace(/ /g, ''), 'hex')))).toThrow(
        DerError,
      );
    }
    expect(() => parseDer(Buffer.from('0500ff', 'hex'))).toThrow(DerError);
    expect(parseDerPrefix(Buffer.from('0500ff', 'hex')).tag).toBe(TAG.NULL);
    expect(() => smallInt(parseDer(Buffer.from('0201ff', 'hex')))).toThrow(DerError); // negative
    expect(() => sequence(parseDer(derNull()), 'x')).toThrow(DerError);
  });

  it('reads back the times it writes, UTCTime or GeneralizedTime as RFC 5280 wants', () => {
    for (const iso of [
      '1950-01-01T00:00:00.000Z',
      '2049-12-31T23:59:59.000Z',
      '2050-01-01T00:00:00.000Z',
      '1949-12-31T23:59:59.000Z',
      '2036-06-30T12:34:56.000Z',
    ]) {
      const der = derTime(new Date(iso));
      expect(der[0]).toBe(iso < '1950' || iso >= '2050' ? TAG.GENERALIZED_TIME : TAG.UTC_TIME);
      expect(timeOf(parseDer(der)).toISOString()).toBe(iso);
    }
    const ascii = (tag: number, s: string) => parseDer(tlv(tag, Buffer.from(s, 'ascii')));
    expect(timeOf(ascii(TAG.UTC_TIME, '491231235959Z')).getUTCFullYear()).toBe(2049);
    expect(timeOf(ascii(TAG.UTC_TIME, '500101000000Z')).getUTCFullYear()).toBe(1950);
    for (const bad of [
      ascii(TAG.UTC_TIME, '5001010000Z'), // no seconds
      ascii(TAG.UTC_TIME, '500101000000+0100'), // not UTC
      ascii(TAG.GENERALIZED_TIME, '20500101000000.5Z'), // fractional
      ascii(TAG.OCTET_STRING, '500101000000Z'), // not a time
    ]) {
      expect(() => timeOf(bad)).toThrow(DerError);
    }
    expect(() => timeOf(undefined)).toThrow(DerError);
  });
});
