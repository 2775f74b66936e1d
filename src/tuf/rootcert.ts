/**
 * Root certificate checks of notary's trustpinning (notary-spec.md §2, §7.3): which root-role
 * keys are usable certificates for a GUN.
 */
import { X509Certificate } from 'node:crypto';
import { canonicalKeyId, shortId } from '../keys/keyid.js';
import { MIN_RSA_BITS } from '../keys/rules.js';
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

/** TUF IDs of the root role's keys that hold certificates. */
export function certKeyIdsOf(root: RootMeta): string[] {
  return (root.roles['root']?.keyids ?? []).filter((id) => {
    const t = root.keys[id]?.keytype;
    return t === 'ecdsa-x509' || t === 'rsa-x509';
  });
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
  for (const id of root.roles['root']?.keyids ?? []) {
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
  if (key.keytype !== 'ecdsa-x509' && key.keytype !== 'rsa-x509') {
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
  if (!matchCnToGun(info.cn, gun)) return `CN "${info.cn}" does not match "${gun}"`;
  if (info.notBefore > info.notAfter) return 'the validity window is invalid';
  if (SHA1_SIG_OIDS.has(info.sigAlg)) return 'the certificate is signed with SHA1';
  const pub = leaf.publicKey;
  if (
    pub.asymmetricKeyType === 'rsa' &&
    (pub.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  ) {
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
    canonicalId: canonicalKeyId(key),
    cn: info.cn,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
  });
  return undefined;
}

/** Every CERTIFICATE block of a PEM bundle; any other block type is an error, as in Go. */
export function pemCertificates(pem: string): X509Certificate[] {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  return blocks.map((m) => {
    if (m[1] !== 'CERTIFICATE') throw new Error(`unexpected PEM block ${m[1]}`);
    return new X509Certificate(Buffer.from(m[2].replace(/\s+/g, ''), 'base64'));
  });
}

// ---------------------------------------------------------------------------------------
// The few certificate fields Node 20's X509Certificate does not expose exactly: signature
// algorithm, subject CN (the last one, as Go's pkix.Name keeps it) and the validity dates.

interface Tlv {
  tag: number;
  body: Buffer;
  end: number;
}

function tlv(buf: Buffer, pos: number): Tlv {
  const tag = buf[pos];
  let len = buf[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  if (start + len > buf.length) throw new Error('truncated DER');
  return { tag, body: buf.subarray(start, start + len), end: start + len };
}

function children(body: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < body.length; pos = out[out.length - 1].end) out.push(tlv(body, pos));
  return out;
}

function oid(body: Buffer): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of body) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function derTime(t: Tlv): Date {
  const s = t.body.toString('ascii');
  // UTCTime YYMMDDHHMMSSZ (years 50-99 are 19xx) or GeneralizedTime YYYYMMDDHHMMSSZ.
  const m = t.tag === 0x17 ? /^(\d{2})(\d{10})Z$/.exec(s) : /^(\d{4})(\d{10})Z$/.exec(s);
  if (m === null) throw new Error('bad certificate time');
  const year = t.tag === 0x17 ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  const r = m[2];
  const [mo, d, h, mi, sec] = [0, 2, 4, 6, 8].map((i) => Number(r.slice(i, i + 2))) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
}

/** The signature algorithm OID, subject CN and validity of a certificate's DER. */
export function readCert(der: Buffer): {
  sigAlg: string;
  cn: string;
  notBefore: Date;
  notAfter: Date;
} {
  const [tbs, sigAlg] = children(tlv(der, 0).body);
  const fields = children(tbs.body);
  // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject, …
  const base = fields[0].tag === 0xa0 ? 1 : 0;
  const [notBefore, notAfter] = children(fields[base + 3].body);
  let cn = '';
  for (const rdn of children(fields[base + 4].body)) {
    for (const atv of children(rdn.body)) {
      const [type, value] = children(atv.body);
      if (oid(type.body) === '2.5.4.3') cn = value.body.toString('utf8');
    }
  }
  return {
    sigAlg: oid(children(sigAlg.body)[0].body),
    cn,
    notBefore: derTime(notBefore),
    notAfter: derTime(notAfter),
  };
}
