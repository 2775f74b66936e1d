/**
 * Signer names and public keys (signer/admin/signer-keys.ts) at their edges, against the
 * mutants StrykerJS left alive (issue 14): the name's length bound and how a long bad name is
 * shown, unreadable PEM, blocks numbered in messages, a certificate and its own public key in
 * either order, certificate validity at its exact bounds, and the RSA minimum.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePem } from '../../src/keys/pem.js';
import { parseSignerKeys, validateSignerName } from '../../src/signer/admin/index.js';
import { expectDctError } from '../keys/helpers.js';
import { makeCertPem } from '../tuf/helpers/certs.js';

const NOW = new Date('2026-12-02T00:00:00Z');
const DAY = 86_400_000;
const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const pub = (k: KeyObject) =>
  encodePem({
    type: 'PUBLIC KEY',
    headers: {},
    der: createPublicKey(k).export({ type: 'spki', format: 'der' }),
  });

describe('validateSignerName', () => {
  it('releases is refused with the name code', () => {
    expect(expectDctError(() => validateSignerName('releases'), 'SIGNER_NAME_INVALID').code).toBe(
      'SIGNER_NAME_INVALID',
    );
  });

  it('200 characters pass, 201 do not; a bad name is shown by its first 80 characters', () => {
    expect(() => validateSignerName('a'.repeat(200))).not.toThrow();
    const long = expectDctError(() => validateSignerName('a'.repeat(201)), 'SIGNER_NAME_INVALID');
    expect(long.code).toBe('SIGNER_NAME_INVALID');
    expect(long.message).toContain(`signer name "${'a'.repeat(80)}" must start`);
  });
});

describe('parseSignerKeys', () => {
  it('text that is not readable PEM is SIGNER_KEY_INVALID, with the reason as cause', () => {
    const e = expectDctError(
      () => parseSignerKeys('-----BEGIN PUBLIC KEY-----\nQUJD\n', 'ci.pub', NOW),
      'SIGNER_KEY_INVALID',
    );
    expect(e.code).toBe('SIGNER_KEY_INVALID');
    expect(e.message).toBe('ci.pub is not readable PEM text');
    expect(e.cause).toMatchObject({ code: 'KEY_NOT_A_KEY' });
  });

  it('a problem in one of several blocks names that block; one block is named by the source', () => {
    const bad = encodePem({ type: 'PUBLIC KEY', headers: {}, der: Buffer.from('3000', 'hex') });
    const second = expectDctError(
      () => parseSignerKeys(pub(ec()) + bad, 'keys.pem', NOW),
      'SIGNER_KEY_INVALID',
    );
    expect(second.message).toBe('keys.pem (block 2) holds a PUBLIC KEY block that does not parse');
    const only = expectDctError(() => parseSignerKeys(bad, 'keys.pem', NOW), 'SIGNER_KEY_INVALID');
    expect(only.message).toBe('keys.pem holds a PUBLIC KEY block that does not parse');
  });

  it('a key without a role header has no role property', () => {
    const [k] = parseSignerKeys(pub(ec()), 'ci.pub', NOW);
    expect('role' in k).toBe(false);
  });

  it('a certificate and its own public key, in either order, give the certificate', () => {
    const key = ec();
    const c = makeCertPem({
      key,
      cn: 'ci',
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 365 * DAY),
    });
    for (const text of [pub(key) + c, c + pub(key)]) {
      const keys = parseSignerKeys(text, 'ci.pem', NOW);
      expect(keys.map((k) => k.tufKey.keytype)).toEqual(['ecdsa-x509']);
      // The certificate is kept as a CERTIFICATE block.
      const pem = Buffer.from(keys[0].tufKey.keyval.public, 'base64').toString();
      expect(pem.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    }
  });

  it('two certificates of one key: the first is kept', () => {
    const key = ec();
    const until = (days: number) =>
      makeCertPem({
        key,
        cn: 'ci',
        notBefore: new Date(NOW.getTime() - DAY),
        notAfter: new Date(NOW.getTime() + days * DAY),
      });
    const keys = parseSignerKeys(until(30) + until(60), 'ci.pem', NOW);
    expect(keys).toHaveLength(1);
    expect(keys[0].notAfter).toEqual(new Date(NOW.getTime() + 30 * DAY));
  });

  it('a certificate that does not parse is SIGNER_KEY_INVALID', () => {
    const junk = encodePem({ type: 'CERTIFICATE', headers: {}, der: Buffer.from('3000', 'hex') });
    const e = expectDctError(() => parseSignerKeys(junk, 'ci.crt', NOW), 'SIGNER_KEY_INVALID');
    expect(e.code).toBe('SIGNER_KEY_INVALID');
    expect(e.message).toBe('ci.crt holds a CERTIFICATE that does not parse');
  });

  it('validity at its exact bounds: the last instant and one day ahead pass', () => {
    const at = (notBefore: Date, notAfter: Date) =>
      makeCertPem({ key: ec(), cn: 'ci', notBefore, notAfter });
    // valid until exactly now
    expect(parseSignerKeys(at(new Date(NOW.getTime() - DAY), NOW), 'a.crt', NOW)).toHaveLength(1);
    // valid from exactly a day ahead (the leeway)
    expect(
      parseSignerKeys(
        at(new Date(NOW.getTime() + DAY), new Date(NOW.getTime() + 9 * DAY)),
        'b.crt',
        NOW,
      ),
    ).toHaveLength(1);
    // one instant of validity, in the past: expired, not "no valid period"
    const instant = new Date(NOW.getTime() - DAY);
    const e = expectDctError(
      () => parseSignerKeys(at(instant, instant), 'c.crt', NOW),
      'SIGNER_KEY_EXPIRED',
    );
    expect(e.code).toBe('SIGNER_KEY_EXPIRED');
    // notBefore after notAfter
    const reversed = expectDctError(
      () => parseSignerKeys(at(new Date(NOW.getTime() + DAY), NOW), 'd.crt', NOW),
      'SIGNER_KEY_INVALID',
    );
    expect(reversed.code).toBe('SIGNER_KEY_INVALID');
    expect(reversed.message).toBe('d.crt is a certificate with no valid period');
  });

  it('an RSA key of exactly the minimum passes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect(parseSignerKeys(pub(rsa), 'rsa.pub', NOW)).toHaveLength(1);
  });
});
