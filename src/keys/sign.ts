/**
 * Signatures as notary writes them (notary-spec.md §4.5): ECDSA raw r‖s over SHA-256 on every
 * curve, RSASSA-PSS with SHA-256 and a 32-byte salt, plain Ed25519.
 */
import { constants, sign as nodeSign, type KeyObject } from 'node:crypto';

export type SignatureMethod = 'ecdsa' | 'rsapss' | 'eddsa';

export function signatureMethod(key: KeyObject): SignatureMethod {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return 'ecdsa';
    case 'rsa':
      return 'rsapss';
    case 'ed25519':
      return 'eddsa';
    default:
      throw new TypeError(`cannot sign with a ${String(key.asymmetricKeyType)} key`);
  }
}

export function sign(
  key: KeyObject,
  message: Uint8Array,
): { method: SignatureMethod; sig: Buffer } {
  const method = signatureMethod(key);
  switch (method) {
    case 'ecdsa':
      return { method, sig: nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }) };
    case 'rsapss':
      return {
        method,
        sig: nodeSign('sha256', message, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
      };
    case 'eddsa':
      return { method, sig: nodeSign(null, message, key) };
  }
}
