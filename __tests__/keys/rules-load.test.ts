/**
 * The curve table exactly as rules.ts loads it. rules.ts is imported inside the test, not at
 * the top of the file: a table that breaks the module while it loads (CURVE_NAMES is built
 * from it) then fails this test, where StrykerJS's Vitest runner sees it, instead of failing
 * the file before any test runs, which that runner does not count.
 */
import { describe, expect, it } from 'vitest';

describe('rules.ts as loaded', () => {
  it('has notary’s four curves, each with its OpenSSL name, OID, size and certificate hash', async () => {
    const { CURVES, CURVE_NAMES } = await import('../../src/keys/rules.js');
    expect(CURVES).toStrictEqual([
      { name: 'P-224', openssl: 'secp224r1', oid: '1.3.132.0.33', bytes: 28 },
      {
        name: 'P-256',
        openssl: 'prime256v1',
        oid: '1.2.840.10045.3.1.7',
        bytes: 32,
        certHash: 'sha256',
      },
      { name: 'P-384', openssl: 'secp384r1', oid: '1.3.132.0.34', bytes: 48, certHash: 'sha384' },
      { name: 'P-521', openssl: 'secp521r1', oid: '1.3.132.0.35', bytes: 66, certHash: 'sha512' },
    ]);
    expect(CURVE_NAMES).toBe('P-224/256/384/521');
  });
});
