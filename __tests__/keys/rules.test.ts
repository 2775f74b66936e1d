import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { oidOf, sequence } from '../../src/keys/der.js';
import {
  CURVE_NAMES,
  CURVES,
  curveByOid,
  curveOf,
  keyProblem,
  MIN_RSA_BITS,
} from '../../src/keys/rules.js';
import { parseDer } from './helpers.js';

describe('the curve table agrees with what OpenSSL makes', () => {
  it.each(CURVES.map((c) => [c.name, c] as const))('%s', (name, curve) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: name });
    expect(curveOf(privateKey)).toBe(curve);
    expect(curveOf(publicKey)?.openssl).toBe(curve.openssl);
    const [alg] = sequence(parseDer(publicKey.export({ type: 'spki', format: 'der' })), 'SPKI');
    const oid = oidOf(sequence(alg, 'alg')[1]);
    expect(oid).toBe(curve.oid);
    expect(curveByOid(oid)).toBe(curve);
    const raw = sign('sha256', Buffer.from('m'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    expect(raw.length).toBe(2 * curve.bytes);
  });

  it('names the curves in messages', () => {
    expect(CURVE_NAMES).toBe('P-224/256/384/521');
  });
});

describe('keyProblem: what notary signs with', () => {
  it('accepts its curves, RSA from the minimum up, and Ed25519', () => {
    expect(keyProblem(generateKeyPairSync('ec', { namedCurve: 'P-224' }).publicKey)).toBe(
      undefined,
    );
    expect(keyProblem(generateKeyPairSync('ed25519').privateKey)).toBe(undefined);
    const rsa = generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS }).publicKey;
    expect(keyProblem(rsa)).toBe(undefined);
  });

  it('names what is wrong with the rest', () => {
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
    expect(curveOf(k1)).toBe(undefined);
    expect(keyProblem(k1)).toBe('is on EC curve secp256k1; notary supports P-224/256/384/521');
    const small = generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS - 512 }).publicKey;
    expect(keyProblem(small)).toBe('is a 1536-bit RSA key; notary needs at least 2048 bits');
    expect(keyProblem(generateKeyPairSync('x25519').publicKey)).toBe(
      'is a x25519 key; notary keys are ECDSA, RSA or Ed25519',
    );
  });
});
