/**
 * The self-signed X.509 certificate notary puts in root.json for a repository's root key
 * (notary-spec.md §2, Go `cryptoservice.GenerateCertificate`): Node can sign but cannot make
 * certificates, so the TBSCertificate DER is built here, in the layout Go's x509 writes.
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { DctError } from '../errors.js';
import {
  OID,
  TAG,
  derBitString,
  derBoolean,
  derNull,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derTime,
  derUnsigned,
  tlv,
} from './der.js';
import { encodePem } from './pem.js';
import { certTufKey, keyIdOf, tufKeyFromKeyObject, type TufKey } from './keyid.js';
import { curveOf } from './rules.js';

/** notary's root certificate lifetime: 10 × 365 days (`notary.Year * 10`). */
export const ROOT_CERT_DAYS = 10 * 365;

export interface RootCertificate {
  /** PEM of the certificate, as it goes (base64) into the `ecdsa-x509`/`rsa-x509` key. */
  pem: string;
  /** The root.json key: `ecdsa-x509` (or `rsa-x509`) with the PEM as its public part. */
  tufKey: TufKey;
  /** TUF ID of `tufKey`: what root.json, signatures and pins name. */
  keyId: string;
  /** ID of the plain public key: the private key's file name. */
  canonicalId: string;
  notBefore: Date;
  notAfter: Date;
}

const OIDS = {
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** The ECDSA signature algorithm for each hash (the curve picks the hash: `Curve.certHash`). */
const ECDSA_WITH = {
  sha256: OIDS.ecdsaWithSha256,
  sha384: OIDS.ecdsaWithSha384,
  sha512: OIDS.ecdsaWithSha512,
} as const;

/**
 * A new root certificate for `gun` on `key`: CN=GUN, valid from `now` for 10×365 days, a
 * random 128-bit serial, KeyUsage digitalSignature|keyEncipherment (critical), ExtKeyUsage
 * codeSigning, BasicConstraints CA:FALSE (critical), no key identifiers.
 */
export function rootCertificate(key: KeyObject, gun: string, now: Date): RootCertificate {
  if (key.type !== 'private') throw new TypeError('rootCertificate needs the private key');
  const alg = signatureAlgorithm(key);
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + ROOT_CERT_DAYS * 86_400_000);
  const name = derSequence(tlv(TAG.SET, derSequence(derOid(OID.commonName), directoryString(gun))));
  const extensions = [
    // digitalSignature (bit 0) | keyEncipherment (bit 2): 0b101 in 3 bits.
    extension(OIDS.keyUsage, true, derBitString(Buffer.from([0xa0]), 5)),
    extension(OIDS.extKeyUsage, false, derSequence(derOid(OIDS.codeSigning))),
    extension(OIDS.basicConstraints, true, derSequence()),
  ];
  const tbs = derSequence(
    tlv(0xa0, derSmallInt(2)), // v3
    derUnsigned(randomBytes(16)),
    alg.id,
    name,
    derSequence(derTime(notBefore), derTime(notAfter)),
    name,
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
    tlv(0xa3, derSequence(...extensions)),
  );
  const signature = sign(alg.hash, tbs, key);
  const der = derSequence(tbs, alg.id, derBitString(signature));
  const pem = encodePem({ type: 'CERTIFICATE', headers: {}, der });
  const tufKey = certTufKey(pem, key);
  return {
    pem,
    tufKey,
    keyId: keyIdOf(tufKey),
    canonicalId: keyIdOf(tufKeyFromKeyObject(key)),
    notBefore,
    notAfter,
  };
}

function signatureAlgorithm(key: KeyObject): { id: Buffer; hash: string } {
  if (key.asymmetricKeyType === 'rsa') {
    return { id: derSequence(derOid(OIDS.sha256WithRsa), derNull()), hash: 'sha256' };
  }
  const hash = curveOf(key)?.certHash;
  if (hash === undefined) {
    const what =
      key.asymmetricKeyType === 'ec'
        ? `an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}`
        : `a ${String(key.asymmetricKeyType)} key`;
    throw new DctError(
      'KEY_UNSUPPORTED',
      `a root key must be ECDSA (P-256, P-384, P-521) or RSA to carry a certificate; this is ${what}`,
    );
  }
  return { id: derSequence(derOid(ECDSA_WITH[hash])), hash };
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? derSequence(derOid(oid), derBoolean(true), derOctets(value))
    : derSequence(derOid(oid), derOctets(value));
}

/**
 * Go's asn1 writes a string as PrintableString when every character allows it, else as
 * UTF8String (so a `_` in a GUN gives UTF8String).
 */
function directoryString(s: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? TAG.PRINTABLE_STRING : TAG.UTF8_STRING, Buffer.from(s));
}
