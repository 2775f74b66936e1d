/**
 * Signer public keys and names as `docker trust signer add` takes them (notary-spec.md §2,
 * §6.4): `NAME.pub` files (a PUBLIC KEY block, with notary's `role:` header) or certificates.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { DctError } from '../../errors.js';
import { certTufKey, keyIdOf, shortId, tufKeyFromKeyObject } from '../../keys/keyid.js';
import { encodePem, parsePem, type PemBlock } from '../../keys/pem.js';
import { MIN_RSA_BITS, rsaBits } from '../../keys/rules.js';
import { readCert, SHA1_SIG_OIDS } from '../../tuf/rootcert.js';
import type { SignerKey } from './types.js';

const SIGNER_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const DAY_MS = 86_400_000;

/** docker's rule: `^[a-z0-9][a-z0-9_-]*$`, and `releases` is reserved. Throws SIGNER_NAME_INVALID. */
export function validateSignerName(name: string): void {
  if (name === 'releases') {
    throw new DctError(
      'SIGNER_NAME_INVALID',
      'releases is a reserved signer name (targets/releases is shared by every signer); use a different name',
    );
  }
  // The role name `targets/<name>` must stay under notary's 256 characters.
  if (!SIGNER_NAME.test(name) || name.length > 200) {
    throw new DctError(
      'SIGNER_NAME_INVALID',
      `signer name ${JSON.stringify(name.slice(0, 80))} must start with a lowercase letter or digit and hold only lowercase letters, digits, "-" and "_" (at most 200 characters)`,
    );
  }
}

/**
 * Every public key in `text` (one or more PEM blocks: PUBLIC KEY, or CERTIFICATE). `source`
 * names the text in messages. Throws DctError SIGNER_KEY_PRIVATE (a private key: nothing of it
 * is echoed), SIGNER_KEY_INVALID (unreadable, not a key, a CA certificate, SHA1, RSA < 2048,
 * Ed25519), SIGNER_KEY_EXPIRED (a certificate outside its validity) or SIGNER_KEY_MISMATCH (one
 * certificate and one public key that name different keys).
 */
export function parseSignerKeys(text: string, source: string, now: Date = new Date()): SignerKey[] {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw new DctError(
      'SIGNER_KEY_PRIVATE',
      `${source} holds a private key; a signer is added with its public key (the NAME.pub file \`dct key generate\` writes), and a private key must never be shared`,
    );
  }
  let blocks: PemBlock[];
  try {
    blocks = parsePem(text);
  } catch (e) {
    throw invalid(source, 'is not readable PEM text', e);
  }
  if (blocks.length === 0) {
    throw invalid(source, 'holds no PEM block; expected a PUBLIC KEY (NAME.pub) or a CERTIFICATE');
  }
  const keys: SignerKey[] = [];
  blocks.forEach((block, i) => {
    const where = blocks.length > 1 ? `${source} (block ${i + 1})` : source;
    const key = readBlock(block, where, now);
    const same = keys.find((k) => k.canonicalId === key.canonicalId);
    if (same === undefined) keys.push(key);
    else if (same.tufKey.keytype.endsWith('-x509') !== key.tufKey.keytype.endsWith('-x509')) {
      // A certificate and its own public key: the certificate says more; keep it.
      if (key.tufKey.keytype.endsWith('-x509')) keys[keys.indexOf(same)] = key;
    }
  });
  // One certificate beside one public key reads as "this key, certified": they must agree.
  const certs = keys.filter((k) => k.tufKey.keytype.endsWith('-x509'));
  const plain = keys.filter((k) => !k.tufKey.keytype.endsWith('-x509'));
  if (certs.length === 1 && plain.length === 1) {
    throw new DctError(
      'SIGNER_KEY_MISMATCH',
      `${source}: the certificate is for key ${shortId(certs[0].canonicalId)} but the public key beside it is ${shortId(plain[0].canonicalId)}; give the certificate of the signer's own key`,
    );
  }
  return keys;
}

function readBlock(block: PemBlock, where: string, now: Date): SignerKey {
  const role = block.headers['role'];
  if (block.type === 'PUBLIC KEY') {
    let key: KeyObject;
    try {
      key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
    } catch (e) {
      throw invalid(where, 'holds a PUBLIC KEY block that does not parse', e);
    }
    checkKeyType(key, where);
    const tufKey = tufKeyFromKeyObject(key);
    const id = keyIdOf(tufKey);
    return { id, tufKey, canonicalId: id, source: where, ...(role ? { role } : {}) };
  }
  if (block.type === 'CERTIFICATE') return readCertificate(block, where, now);
  // Private key blocks never get here: parseSignerKeys refuses their BEGIN line first.
  throw invalid(where, `holds a ${block.type} block; expected PUBLIC KEY or CERTIFICATE`);
}

/** Go's `ValidateCertificate(cert, checkExpiry=true)` plus: a CA certificate is no signer. */
function readCertificate(block: PemBlock, where: string, now: Date): SignerKey {
  let cert: X509Certificate;
  let info: ReturnType<typeof readCert>;
  try {
    cert = new X509Certificate(block.der);
    info = readCert(block.der);
  } catch (e) {
    throw invalid(where, 'holds a CERTIFICATE that does not parse', e);
  }
  if (cert.ca)
    throw invalid(where, 'is a CA certificate; give the signer’s own (leaf) certificate');
  if (SHA1_SIG_OIDS.has(info.sigAlg)) throw invalid(where, 'is a certificate signed with SHA1');
  if (info.notBefore > info.notAfter) throw invalid(where, 'is a certificate with no valid period');
  if (now > info.notAfter || info.notBefore.getTime() > now.getTime() + DAY_MS) {
    const when =
      now > info.notAfter
        ? `expired at ${info.notAfter.toISOString()}`
        : `is not valid before ${info.notBefore.toISOString()}`;
    throw new DctError(
      'SIGNER_KEY_EXPIRED',
      `the certificate in ${where} (CN ${JSON.stringify(info.cn)}) ${when}; give a valid certificate or the NAME.pub public key`,
    );
  }
  checkKeyType(cert.publicKey, where);
  const pem = encodePem({ type: 'CERTIFICATE', headers: {}, der: cert.raw });
  const tufKey = certTufKey(pem, cert.publicKey);
  return {
    id: keyIdOf(tufKey),
    tufKey,
    canonicalId: keyIdOf(tufKeyFromKeyObject(cert.publicKey)),
    source: where,
    notAfter: info.notAfter,
  };
}

/** Go's `keyTypeForPublicKey`: ECDSA or RSA only (notary verifiers want RSA ≥ 2048). */
function checkKeyType(key: KeyObject, where: string): void {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = rsaBits(key);
    if (bits < MIN_RSA_BITS)
      throw invalid(
        where,
        `holds a ${bits}-bit RSA key; notary needs ${MIN_RSA_BITS} bits or more`,
      );
    return;
  }
  if (type !== 'ec') {
    throw invalid(
      where,
      `holds a ${String(type)} key; signer keys are ECDSA (what \`dct key generate\` makes) or RSA`,
    );
  }
}

function invalid(where: string, what: string, cause?: unknown): DctError {
  return new DctError('SIGNER_KEY_INVALID', `${where} ${what}`, { cause });
}
