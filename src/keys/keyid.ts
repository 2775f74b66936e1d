import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { certificateParts, OID, oidOf, parseDerPrefix, sequence } from './der.js';
import { certKeytype, isCertKeytype, PLAIN_KEYTYPE } from './rules.js';

/** An Ed25519 SPKI is this fixed prefix followed by the raw 32-byte public key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A TUF public key object as notary writes it (notary-spec.md §2). */
export interface TufKey {
  keytype: string;
  keyval: { private: null; public: string };
}

/**
 * Key ID = hex SHA-256 of the canonical JSON of the public key object (notary-spec.md §2).
 * The object has a fixed shape whose strings are key type names and base64, which never
 * need escaping, so the canonical form can be written directly.
 */
export function keyIdOf(key: TufKey): string {
  const canonical = `{"keytype":"${key.keytype}","keyval":{"private":null,"public":"${key.keyval.public}"}}`;
  return createHash('sha256').update(canonical).digest('hex');
}

/** The TUF key object of a public (or private) KeyObject: ecdsa/rsa SPKI DER, ed25519 raw. */
export function tufKeyFromKeyObject(key: KeyObject): TufKey {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const type = pub.asymmetricKeyType;
  if (type === 'ec' || type === 'rsa') {
    const spki = pub.export({ type: 'spki', format: 'der' });
    return tufKey(PLAIN_KEYTYPE[type], spki);
  }
  if (type === 'ed25519') return tufKey('ed25519', ed25519PublicBytes(pub));
  throw new Error(`unsupported key type ${String(type)}`);
}

/** The raw 32-byte public key of an Ed25519 KeyObject: what follows the fixed SPKI prefix. */
export function ed25519PublicBytes(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length);
}

/** The `ecdsa-x509`/`rsa-x509` TUF key of a certificate: its PEM, base64 (notary-spec.md §2). */
export function certTufKey(pem: string, pub: KeyObject): TufKey {
  return tufKey(certKeytype(pub), Buffer.from(pem));
}

/**
 * Keys already read, by type and text. Reading a certificate costs far more than the check it
 * serves, and the same few keys are read for every file, role and run of a process. A key's
 * reading depends only on these two strings, and a KeyObject cannot be changed, so a repeat
 * gets the same object. Keys that could not be read are not kept: they throw again.
 */
const readKeys = new Map<string, KeyObject>();
const READ_KEYS_KEPT = 256;

/** The public key a TUF key object holds; x509 types use the (first) certificate's key. */
export function publicKeyOf(key: TufKey): KeyObject {
  const known = `${key.keytype}\n${key.keyval.public}`;
  let pub = readKeys.get(known);
  if (pub === undefined) {
    pub = readPublicKey(key);
    // Metadata names few keys; a process that meets more starts over rather than grow.
    if (readKeys.size >= READ_KEYS_KEPT) readKeys.clear();
    readKeys.set(known, pub);
  }
  return pub;
}

function readPublicKey(key: TufKey): KeyObject {
  const bytes = Buffer.from(key.keyval.public, 'base64');
  // Go decodes []byte strictly (padded standard base64) and its key IDs hash the key as it
  // writes it again; Buffer.from skips what it cannot read. Only the one spelling Go writes
  // is both the key and the text its ID covers.
  if (bytes.toString('base64') !== key.keyval.public) {
    throw new Error('the public key is not in standard padded base64');
  }
  switch (key.keytype) {
    case 'ecdsa':
    case 'rsa':
      requireNamedCurve(bytes);
      return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
    case 'ed25519':
      if (bytes.length !== 32) throw new Error('ed25519 key is not 32 bytes');
      return createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]),
        format: 'der',
        type: 'spki',
      });
    case 'ecdsa-x509':
    case 'rsa-x509': {
      const cert = new X509Certificate(bytes);
      // A certificate OpenSSL parsed has its SubjectPublicKeyInfo sixth.
      requireNamedCurve(certificateParts(cert.raw).tbs[5].raw);
      return cert.publicKey;
    }
    default:
      throw new Error(`unsupported key type ${key.keytype}`);
  }
}

/**
 * Go's x509.ParsePKIXPublicKey (and x509.ParseCertificate) takes an EC key's parameters only as
 * a named curve's OID; Node also reads them written out, as the same curve. A key notary cannot
 * read is not one here. Other keys' parameters are not looked at.
 */
function requireNamedCurve(spki: Buffer): void {
  const alg = sequence(sequence(parseDerPrefix(spki), 'SubjectPublicKeyInfo')[0], 'algorithm');
  if (oidOf(alg[0]) === OID.ecPublicKey) oidOf(alg[1], 'a named curve');
}

function tufKey(keytype: string, pub: Uint8Array): TufKey {
  return { keytype, keyval: { private: null, public: Buffer.from(pub).toString('base64') } };
}

/**
 * The canonical key ID (notary-spec.md §2): for `ecdsa-x509`/`rsa-x509` the ID of the plain
 * key inside the leaf certificate; for every other type the TUF ID itself. Private key file
 * names and key lookups use this ID; root.json and signatures use the TUF ID.
 */
export function canonicalKeyId(key: TufKey): string {
  if (isCertKeytype(key.keytype)) return keyIdOf(tufKeyFromKeyObject(publicKeyOf(key)));
  return keyIdOf(key);
}

/** The first 7 hex digits, as notary shows IDs in messages. */
export function shortId(id: string): string {
  return id.slice(0, 7);
}
