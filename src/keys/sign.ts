/**
 * The one place that maps a signature method to how Node signs and verifies with it. Notary
 * (notary-spec.md §4.5) writes ECDSA as raw r‖s over SHA-256 on every curve, RSASSA-PSS with
 * SHA-256 and a 32-byte salt, and plain Ed25519; it also verifies RSA PKCS#1 v1.5. cosign
 * writes ECDSA over SHA-256 as ASN.1 DER (the `der` encoding here).
 */
import {
  constants,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
  type SignKeyObjectInput,
} from 'node:crypto';
import { curveOf, keyProblem } from './rules.js';

/** What we sign with: notary's lowercase method names. */
export type SignatureMethod = 'ecdsa' | 'rsapss' | 'eddsa';

/**
 * How metadata code signs without holding private keys (the tuf-js habit): the key ring hands
 * out a `TufSigner` per key, and TUF code calls it with the canonical bytes.
 */
export interface TufSigner {
  /** The TUF key ID written in the signature (for root: the certificate key's ID). */
  readonly keyId: string;
  /** Signs the message; `method` is notary's lowercase name: ecdsa | rsapss | eddsa. */
  sign(message: Uint8Array): { method: string; sig: Buffer };
}

/** ECDSA signatures: notary's raw r‖s, or cosign's DER. */
export type EcdsaEncoding = 'ieee-p1363' | 'der';

interface Method {
  keyType: 'ec' | 'rsa' | 'ed25519';
  /** The digest, or null where the algorithm hashes itself (Ed25519). */
  hash: 'sha256' | null;
  padding?: number;
  saltLength?: number;
}

const METHODS: ReadonlyMap<string, Method> = new Map<string, Method>([
  ['ecdsa', { keyType: 'ec', hash: 'sha256' }],
  [
    'rsapss',
    { keyType: 'rsa', hash: 'sha256', padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
  ],
  ['rsapkcs1v15', { keyType: 'rsa', hash: 'sha256', padding: constants.RSA_PKCS1_PADDING }],
  ['eddsa', { keyType: 'ed25519', hash: null }],
]);

/** The method notary signs with for each key type. */
const SIGN_WITH = { ec: 'ecdsa', rsa: 'rsapss', ed25519: 'eddsa' } as const;

export function signatureMethod(key: KeyObject): SignatureMethod {
  const type = key.asymmetricKeyType;
  if (type === 'ec' || type === 'rsa' || type === 'ed25519') return SIGN_WITH[type];
  throw new TypeError(`cannot sign with a ${String(type)} key`);
}

function nodeOptions(key: KeyObject, m: Method, ecdsa: EcdsaEncoding): SignKeyObjectInput {
  const opts: SignKeyObjectInput = { key };
  if (m.keyType === 'ec') opts.dsaEncoding = ecdsa;
  if (m.padding !== undefined) opts.padding = m.padding;
  if (m.saltLength !== undefined) opts.saltLength = m.saltLength;
  return opts;
}

/** Signs `message` with the private `key` by notary's method for its type. */
export function sign(
  key: KeyObject,
  message: Uint8Array,
  ecdsa: EcdsaEncoding = 'ieee-p1363',
): { method: SignatureMethod; sig: Buffer } {
  const method = signatureMethod(key);
  const m = METHODS.get(method)!;
  return { method, sig: nodeSign(m.hash, message, nodeOptions(key, m, ecdsa)) };
}

/**
 * Whether `sig` is a `method` signature (case-insensitive) of `message` under the public
 * `pub`. Fail-closed: false for an unknown method, a key of another type or one notary
 * refuses (`keyProblem`: curve, RSA size), a raw ECDSA signature not exactly twice the curve
 * size (Go refuses DER there), an Ed25519 signature not 64 bytes, or any error.
 */
export function verifySignature(
  method: string,
  pub: KeyObject,
  message: Uint8Array,
  sig: Uint8Array,
  ecdsa: EcdsaEncoding = 'ieee-p1363',
): boolean {
  const m = METHODS.get(method.toLowerCase());
  if (m === undefined || pub.asymmetricKeyType !== m.keyType || keyProblem(pub) !== undefined) {
    return false;
  }
  if (m.keyType === 'ec' && ecdsa === 'ieee-p1363' && sig.length !== 2 * curveOf(pub)!.bytes) {
    return false;
  }
  if (m.keyType === 'ed25519' && sig.length !== 64) return false;
  try {
    return nodeVerify(m.hash, message, nodeOptions(pub, m, ecdsa), sig);
  } catch {
    return false; // e.g. a malformed DER signature
  }
}
