/**
 * Root certificate checks of notary's trustpinning (notary-spec.md §2, §7.3): which root-role
 * keys are usable certificates for a GUN.
 */
import { X509Certificate } from 'node:crypto';
import { canonicalKeyId, shortId } from '../keys/keyid.js';
import { certificateParts, children, OID, oidOf, sequence, timeOf } from '../keys/der.js';
import { parsePem } from '../keys/pem.js';
import { isCertKeytype, MIN_RSA_BITS, rsaBits } from '../keys/rules.js';
import type { RootMeta } from './models.js';

export interface RootCert {
  /** TUF ID of the `ecdsa-x509`/`rsa-x509` key in root.json (what signatures name). */
  keyId: string;
  /** ID of the plain key inside the certificate (the private key's file name). */
  canonicalId: string;
  cn: string;
  notBefore: Date;
  notAfter: Date;
}

export const SHA1_SIG_OIDS = new Set([
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.2.840.10040.4.3', // dsa-with-sha1
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.3.14.3.2.29', // sha1WithRSA (OIW)
]);
const DAY_MS = 86_400_000;

/** Go's `MatchCNToGun`: exact, or a CN ending in `*` matches GUNs starting with the rest. */
export function matchCnToGun(cn: string, gun: string): boolean {
  if (cn.endsWith('*')) return gun.startsWith(cn.replace(/\*+$/, ''));
  return cn === gun;
}

/**
 * The root-role keys whose certificate bundle is usable for `gun` (Go `parseAllCerts` +
 * `validRootLeafCerts`): exactly one non-CA certificate, listed first; CN matches the GUN;
 * not SHA1-signed; RSA ≥ 2048 bits; and when `checkExpiry`, valid at `now` with one day of
 * leeway on notBefore. `rejected` says why each other root key was left out.
 */
export function validRootCerts(
  root: RootMeta,
  gun: string,
  now: Date,
  checkExpiry: boolean,
): { valid: Map<string, RootCert>; rejected: string[] } {
  const valid = new Map<string, RootCert>();
  const rejected: string[] = [];
  for (const id of root.roles['root'].keyids) {
    const problem = checkRootKey(root, id, gun, now, checkExpiry, valid);
    if (problem !== undefined) rejected.push(`key ${shortId(id)}: ${problem}`);
  }
  return { valid, rejected };
}

function checkRootKey(
  root: RootMeta,
  id: string,
  gun: string,
  now: Date,
  checkExpiry: boolean,
  valid: Map<string, RootCert>,
): string | undefined {
  const key = root.keys[id];
  if (key === undefined) return 'missing from root keys';
  if (!isCertKeytype(key.keytype)) {
    return `a ${key.keytype} key is not a certificate`;
  }
  let certs: X509Certificate[];
  try {
    certs = pemCertificates(Buffer.from(key.keyval.public, 'base64').toString('utf8'));
  } catch {
    return 'the certificate does not parse';
  }
  if (certs.length === 0) return 'no certificate';
  if (certs[0].ca || certs.filter((c) => !c.ca).length !== 1) {
    return 'the bundle must hold exactly one non-CA certificate, listed first';
  }
  const leaf = certs[0];
  let info: ReturnType<typeof readCert>;
  try {
    info = readCert(leaf.raw);
  } catch {
    return 'the certificate does not parse';
  }
  let canonicalId: string;
  try {
    canonicalId = canonicalKeyId(key);
  } catch (e) {
    return `its key is not usable: ${(e as Error).message}`;
  }
  if (!matchCnToGun(info.cn, gun)) return `CN "${info.cn}" does not match "${gun}"`;
  if (info.notBefore > info.notAfter) return 'the validity window is invalid';
  if (SHA1_SIG_OIDS.has(info.sigAlg)) return 'the certificate is signed with SHA1';
  const pub = leaf.publicKey;
  if (pub.asymmetricKeyType === 'rsa' && rsaBits(pub) < MIN_RSA_BITS) {
    return `the RSA key is shorter than ${MIN_RSA_BITS} bits`;
  }
  if (checkExpiry) {
    if (info.notBefore.getTime() > now.getTime() + DAY_MS) {
      return `the certificate is not valid before ${info.notBefore.toISOString()}`;
    }
    if (now > info.notAfter) return `the certificate expired at ${info.notAfter.toISOString()}`;
  }
  valid.set(id, {
    keyId: id,
    canonicalId,
    cn: info.cn,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
  });
  return undefined;
}

/** Every CERTIFICATE block of a PEM bundle; any other block type is an error, as in Go. */
export function pemCertificates(pem: string): X509Certificate[] {
  return parsePem(pem).map((b) => {
    if (b.type !== 'CERTIFICATE') throw new Error(`unexpected PEM block ${b.type}`);
    return new X509Certificate(b.der);
  });
}

/**
 * The few certificate fields Node 20's X509Certificate does not expose exactly: the signature
 * algorithm OID, the subject CN (the last one, as Go's pkix.Name keeps it) and the validity.
 */
export function readCert(der: Buffer): {
  sigAlg: string;
  cn: string;
  notBefore: Date;
  notAfter: Date;
} {
  const { tbs, signatureAlgorithm } = certificateParts(der);
  const [notBefore, notAfter] = sequence(tbs[3], 'Validity');
  let cn = '';
  for (const rdn of sequence(tbs[4], 'Name')) {
    for (const atv of children(rdn)) {
      const [type, value] = sequence(atv, 'AttributeTypeAndValue');
      if (oidOf(type) === OID.commonName) cn = value.content.toString('utf8');
    }
  }
  return {
    sigAlg: oidOf(children(signatureAlgorithm)[0]),
    cn,
    notBefore: timeOf(notBefore, 'notBefore'),
    notAfter: timeOf(notAfter, 'notAfter'),
  };
}
