import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

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
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The TUF key object of a public (or private) KeyObject: ecdsa/rsa SPKI DER, ed25519 raw. */
export function tufKeyFromKeyObject(key: KeyObject): TufKey {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const type = pub.asymmetricKeyType;
  if (type === 'ec' || type === 'rsa') {
    const spki = pub.export({ type: 'spki', format: 'der' });
    return tufKey(type === 'ec' ? 'ecdsa' : 'rsa', spki);
  }
  if (type === 'ed25519') {
    // Raw 32-byte public key: the last 32 bytes of the 44-byte SPKI.
    const spki = pub.export({ type: 'spki', format: 'der' });
    return tufKey('ed25519', spki.subarray(spki.length - 32));
  }
  throw new Error(`unsupported key type ${String(type)}`);
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
  if (key.keytype === 'ecdsa-x509' || key.keytype === 'rsa-x509') {
    const pem = Buffer.from(key.keyval.public, 'base64').toString('utf8');
    const cert = new X509Certificate(pem);
    return keyIdOf(tufKeyFromKeyObject(cert.publicKey));
  }
  return keyIdOf(key);
}

/** The first 7 hex digits, as notary shows IDs in messages. */
export function shortId(id: string): string {
  return id.slice(0, 7);
}
