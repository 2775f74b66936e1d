/**
 * The key rules notary applies, in one place for every module that reads, writes, signs with
 * or verifies a key: the curves, the RSA minimum, and which TUF key types hold which keys.
 */
import type { KeyObject } from 'node:crypto';
import { OID } from './der.js';

/** Go refuses RSA keys below this size (notary.MinRSABitSize): signing, verifying, certificates. */
export const MIN_RSA_BITS = 2048;

/** An EC curve notary signs with (notary-spec.md §1.6). */
export interface Curve {
  /** The NIST name used in messages. */
  name: 'P-224' | 'P-256' | 'P-384' | 'P-521';
  /** Node's (OpenSSL's) name: `asymmetricKeyDetails.namedCurve`. */
  openssl: string;
  oid: string;
  /** Bytes of r and of s: an ECDSA signature in notary's raw form is twice this long. */
  bytes: number;
  /** Go's x509 hash for a certificate signed by a key on this curve (`signingParamsForPublicKey`);
   *  absent where our root certificates do not go. */
  certHash?: 'sha256' | 'sha384' | 'sha512';
}

export const CURVES: readonly Curve[] = [
  { name: 'P-224', openssl: 'secp224r1', oid: OID.p224, bytes: 28 },
  { name: 'P-256', openssl: 'prime256v1', oid: OID.p256, bytes: 32, certHash: 'sha256' },
  { name: 'P-384', openssl: 'secp384r1', oid: OID.p384, bytes: 48, certHash: 'sha384' },
  { name: 'P-521', openssl: 'secp521r1', oid: OID.p521, bytes: 66, certHash: 'sha512' },
];

/** "P-224/256/384/521", for messages. */
export const CURVE_NAMES = `P-${CURVES.map((c) => c.name.slice(2)).join('/')}`;

/** The curve of an EC key, if notary signs with it. */
export function curveOf(key: KeyObject): Curve | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const name = key.asymmetricKeyDetails?.namedCurve;
  return CURVES.find((c) => c.openssl === name);
}

export function curveByOid(oid: string): Curve | undefined {
  return CURVES.find((c) => c.oid === oid);
}

/** Node's key type for each TUF key type (notary-spec.md §2). */
export const KEYTYPE_FAMILY: Readonly<Record<string, 'ec' | 'rsa' | 'ed25519'>> = {
  ecdsa: 'ec',
  'ecdsa-x509': 'ec',
  rsa: 'rsa',
  'rsa-x509': 'rsa',
  ed25519: 'ed25519',
};

/** The plain TUF key type of a key notary can hold. */
export const PLAIN_KEYTYPE = { ec: 'ecdsa', rsa: 'rsa', ed25519: 'ed25519' } as const;

export function isCertKeytype(keytype: string): keytype is 'ecdsa-x509' | 'rsa-x509' {
  return keytype === 'ecdsa-x509' || keytype === 'rsa-x509';
}

/** The certificate TUF key type for the key inside a certificate. */
export function certKeytype(key: KeyObject): 'ecdsa-x509' | 'rsa-x509' {
  return key.asymmetricKeyType === 'rsa' ? 'rsa-x509' : 'ecdsa-x509';
}

export function rsaBits(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/**
 * Why notary cannot sign with (or verify under) `key`, as a phrase that follows its name
 * ("… is on EC curve secp256k1; …"), or undefined when it can (§1.6).
 */
export function keyProblem(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    if (curveOf(key) !== undefined) return undefined;
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    return `is on EC curve ${curve}; notary supports ${CURVE_NAMES}`;
  }
  if (type === 'rsa') {
    const bits = rsaBits(key);
    if (bits >= MIN_RSA_BITS) return undefined;
    return `is a ${bits}-bit RSA key; notary needs at least ${MIN_RSA_BITS} bits`;
  }
  if (type === 'ed25519') return undefined;
  return `is a ${String(type)} key; notary keys are ECDSA, RSA or Ed25519`;
}
