/**
 * A tiny self-signed X.509 builder for tests (Node cannot make certificates). It writes the
 * shape notary's root certificates have (notary-spec.md §2), with knobs to break each rule.
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  derBitString,
  derOctets,
  derOid,
  derSequence,
  derSmallInt,
  derUnsigned,
  OID,
} from '../../../src/keys/der.js';
import { isCertKeytype } from '../../../src/keys/rules.js';
import type { RootMeta } from '../../../src/tuf/models.js';

export interface CertOptions {
  /** Private key that signs and whose public half is certified. */
  key: KeyObject;
  cn: string;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  hash?: 'sha256' | 'sha1';
  /** Subject attributes after the CN, one RDN each (`O=…`): Go keeps the last CN, not the
   * last attribute. */
  org?: string;
  /** No CN in the subject at all. */
  noCn?: boolean;
  /** The signature algorithm OID written in the certificate, whatever the key signs with
   * (the reader checks the OID; nothing here checks the signature). */
  sigAlgOid?: string;
  /** An X.509 v1 certificate: no version field and no extensions. */
  v1?: boolean;
  /** The SubjectPublicKeyInfo to certify, in place of the key's own (the same key spelled
   * otherwise, say). */
  spki?: Buffer;
  /** notAfter as a GeneralizedTime with a fraction of a second, which X.509 (RFC 5280)
   * forbids but OpenSSL parses. */
  fractionalNotAfter?: boolean;
}

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}

const seq = (...b: Buffer[]): Buffer => der(0x30, ...b);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const groups: number[] = [];
    for (let v = n; ; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    groups.forEach((g, i) => out.push(i < groups.length - 1 ? g | 0x80 : g));
  }
  return der(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}

function attr(type: string, value: string): Buffer {
  return der(0x31, seq(oid(type), der(0x0c, Buffer.from(value, 'utf8'))));
}

function name(cn: string, o: { org?: string; noCn?: boolean } = {}): Buffer {
  return seq(
    ...(o.noCn === true ? [] : [attr('2.5.4.3', cn)]),
    ...(o.org === undefined ? [] : [attr('2.5.4.10', o.org)]),
  );
}

function sigAlg(keyType: string | undefined, hash: 'sha256' | 'sha1'): Buffer {
  if (keyType === 'ec') {
    return seq(oid(hash === 'sha256' ? '1.2.840.10045.4.3.2' : '1.2.840.10045.4.1'));
  }
  return seq(oid(hash === 'sha256' ? '1.2.840.113549.1.1.11' : '1.2.840.113549.1.1.5'), der(0x05));
}

/** A self-signed certificate as PEM in Go's layout (64-column lines, trailing newline). */
export function makeCertPem(o: CertOptions): string {
  const hash = o.hash ?? 'sha256';
  const alg =
    o.sigAlgOid === undefined ? sigAlg(o.key.asymmetricKeyType, hash) : seq(oid(o.sigAlgOid));
  const spki = o.spki ?? createPublicKey(o.key).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, minimal DER INTEGER
  const basic = seq(
    oid('2.5.29.19'),
    der(0x01, Buffer.from([0xff])),
    der(0x04, seq(...(o.ca ? [der(0x01, Buffer.from([0xff]))] : []))),
  );
  // keyUsage digitalSignature | keyEncipherment (| keyCertSign for a CA), critical.
  const usage = seq(
    oid('2.5.29.15'),
    der(0x01, Buffer.from([0xff])),
    der(0x04, der(0x03, Buffer.from(o.ca ? [0x02, 0xa4] : [0x05, 0xa0]))),
  );
  const tbs = seq(
    ...(o.v1 === true ? [] : [der(0xa0, der(0x02, Buffer.from([2])))]),
    der(0x02, serial),
    alg,
    name(o.cn),
    seq(
      time(o.notBefore),
      o.fractionalNotAfter === true
        ? der(
            0x18,
            Buffer.from(`${o.notAfter.toISOString().replace(/[-:T]/g, '').slice(0, 14)}.5Z`),
          )
        : time(o.notAfter),
    ),
    name(o.cn, o),
    spki,
    ...(o.v1 === true ? [] : [der(0xa3, seq(usage, basic))]),
  );
  const sig = sign(hash, tbs, o.key);
  const cert = seq(tbs, alg, der(0x03, Buffer.concat([Buffer.from([0]), sig])));
  const lines = cert.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

const hex = (h: string) => Buffer.from(h, 'hex');
// P-256 (SEC 2, §2.4.2).
const P = hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const A = hex('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc');
const B = hex('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b');
const G = hex(
  '04' +
    '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
    '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
);
const N = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * A P-256 key's SPKI with ECParameters written out (RFC 3279 §2.3.5) in place of the curve's
 * OID: the same key to Node, unreadable to Go.
 */
export function explicitP256Spki(key: KeyObject): Buffer {
  // The uncompressed point: the last 65 bytes of the named-curve SPKI.
  const point = createPublicKey(key).export({ type: 'spki', format: 'der' }).subarray(-65);
  const params = derSequence(
    derSmallInt(1),
    derSequence(derOid('1.2.840.10045.1.1'), derUnsigned(P)),
    derSequence(derOctets(A), derOctets(B)),
    derOctets(G),
    derUnsigned(N),
    derSmallInt(1),
  );
  return derSequence(derSequence(derOid(OID.ecPublicKey), params), derBitString(point));
}

/** TUF IDs of the root role's keys that hold certificates. */
export function certKeyIdsOf(root: RootMeta): string[] {
  return (root.roles['root']?.keyids ?? []).filter((id) =>
    isCertKeytype(root.keys[id]?.keytype ?? ''),
  );
}
