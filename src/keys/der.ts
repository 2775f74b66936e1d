/**
 * A small DER reader and writer: just what PKCS#8, PBES2, SEC1 and notary's root certificates
 * need, and the certificate fields trust pinning reads (notary-spec.md §1.3, §1.4, §2). The
 * reader never copies: every node is a view into the input buffer, so zeroing the input also
 * wipes everything read from it.
 */

export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Thrown for any malformed DER; callers turn it into a DctError with context. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface DerNode {
  tag: number;
  /** The content octets (a view, not a copy). */
  content: Buffer;
  /** The whole TLV (a view). */
  raw: Buffer;
}

/** Reads one TLV at `offset`; returns it and the offset just past it. */
export function readTlv(buf: Buffer, offset = 0): { node: DerNode; next: number } {
  if (offset + 2 > buf.length) throw new DerError('DER: truncated header');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER: high tag numbers are not supported');
  let len = buf[offset + 1];
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // DER forbids the indefinite form (n = 0); 4 length bytes are far more than any key needs.
    if (n === 0 || n > 4) throw new DerError('DER: unsupported length form');
    if (pos + n > buf.length) throw new DerError('DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i];
    if (len < 0x80 || buf[pos] === 0) throw new DerError('DER: non-minimal length');
    pos += n;
  }
  if (pos + len > buf.length) throw new DerError('DER: content runs past the end');
  return {
    node: { tag, content: buf.subarray(pos, pos + len), raw: buf.subarray(offset, pos + len) },
    next: pos + len,
  };
}

/** Parses the first TLV and ignores trailing bytes, as Go's asn1.Unmarshal does. */
export function parseDerPrefix(buf: Buffer): DerNode {
  return readTlv(buf, 0).node;
}

/** The children of a constructed node (SEQUENCE, or a context tag). */
export function children(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError('DER: expected a constructed value');
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.content.length) {
    const { node: child, next } = readTlv(node.content, pos);
    out.push(child);
    pos = next;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`DER: expected ${what}`);
  return node;
}

export function sequence(node: DerNode | undefined, what: string): DerNode[] {
  return children(expectTag(node, TAG.SEQUENCE, what));
}

/**
 * A certificate's parts (RFC 5280 §4.1): the TBSCertificate fields from the serial on (the
 * optional `[0]` version is skipped, so `tbs[3]` is the validity, `tbs[4]` the subject and
 * `tbs[5]` the SubjectPublicKeyInfo) and the outer signature algorithm.
 */
export function certificateParts(der: Buffer): { tbs: DerNode[]; signatureAlgorithm: DerNode } {
  const [tbs, signatureAlgorithm] = sequence(parseDerPrefix(der), 'Certificate');
  const fields = sequence(tbs, 'TBSCertificate');
  return {
    tbs: fields[0]?.tag === 0xa0 ? fields.slice(1) : fields,
    signatureAlgorithm: expectTag(signatureAlgorithm, TAG.SEQUENCE, 'AlgorithmIdentifier'),
  };
}

/** Dotted text of an OBJECT IDENTIFIER node. */
export function oidOf(node: DerNode | undefined, what = 'an OID'): string {
  const c = expectTag(node, TAG.OID, what).content;
  if (c.length === 0) throw new DerError('DER: empty OID');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('DER: OID arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    } else if (i === c.length - 1) {
      throw new DerError('DER: truncated OID');
    }
  }
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/** A non-negative INTEGER that fits a JS number (versions, iteration counts, key lengths). */
export function smallInt(node: DerNode | undefined, what = 'an INTEGER'): number {
  const c = expectTag(node, TAG.INTEGER, what).content;
  if (c.length === 0 || c.length > 6 || (c[0] & 0x80) !== 0) {
    throw new DerError(`DER: ${what} out of range`);
  }
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

export function octets(node: DerNode | undefined, what = 'an OCTET STRING'): Buffer {
  return expectTag(node, TAG.OCTET_STRING, what).content;
}

/** A UTCTime (YYMMDDHHMMSSZ, years 50-99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ). */
export function timeOf(node: DerNode | undefined, what = 'a time'): Date {
  const utc = node?.tag === TAG.UTC_TIME;
  if (!utc && node?.tag !== TAG.GENERALIZED_TIME) throw new DerError(`DER: expected ${what}`);
  const m = (utc ? /^(\d{2})(\d{10})Z$/ : /^(\d{4})(\d{10})Z$/).exec(
    node.content.toString('ascii'),
  );
  if (m === null) throw new DerError(`DER: ${what} is not in whole seconds, UTC`);
  const year = utc ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  const [mo, d, h, mi, sec] = [0, 2, 4, 6, 8].map((i) => Number(m[2].slice(i, i + 2)));
  return new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
}

// ---- writer ----

function lengthBytes(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/**
 * One TLV from its content parts, in a single allocation (no temporary copy of the parts, which
 * may be secret). The result is fresh; callers zero it when it holds secrets.
 */
export function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const len = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(len), ...parts]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, ...items);
}

export function derOctets(content: Uint8Array): Buffer {
  return tlv(TAG.OCTET_STRING, content);
}

export function derSmallInt(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('DER: bad INTEGER');
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** A non-negative INTEGER from big-endian magnitude bytes (e.g. a random serial number). */
export function derUnsigned(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = Buffer.from(magnitude.subarray(start));
  if (bytes.length === 0) return tlv(TAG.INTEGER, Buffer.from([0]));
  return bytes[0] & 0x80 ? tlv(TAG.INTEGER, Buffer.from([0]), bytes) : tlv(TAG.INTEGER, bytes);
}

export function derBoolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}

/** A BIT STRING of whole bytes, `unused` bits of the last one not counted. */
export function derBitString(bytes: Uint8Array, unused = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.from([unused]), bytes);
}

/** UTCTime for 1950-2049, else GeneralizedTime, in whole seconds (RFC 5280 §4.1.2.5). */
export function derTime(d: Date): Buffer {
  const digits = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`));
}

export function derNull(): Buffer {
  return Buffer.from([TAG.NULL, 0]);
}

export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`DER: bad OID ${dotted}`);
    return Number(s);
  });
  if (arcs.length < 2) throw new RangeError(`DER: bad OID ${dotted}`);
  const values = [arcs[0] * 40 + arcs[1], ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const v of values) {
    const chunk: number[] = [v & 0x7f];
    for (let rest = Math.floor(v / 128); rest > 0; rest = Math.floor(rest / 128)) {
      chunk.unshift((rest & 0x7f) | 0x80);
    }
    bytes.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(bytes));
}

/** Object identifiers used by the key formats (notary-spec.md §1.3, §1.4; RFC 8018, 8410). */
export const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  ecPublicKey: '1.2.840.10045.2.1',
  p224: '1.3.132.0.33',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ed25519: '1.3.101.112',
  notaryEd25519: '1.3.6.1.4.1.11591.15.1',
  commonName: '2.5.4.3',
} as const;
