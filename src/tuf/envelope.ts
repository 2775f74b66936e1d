/**
 * The signed-metadata file: `{"signed":…,"signatures":[…]}` exactly as Go writes it
 * (notary-spec.md §3.2), with the exact bytes kept beside the parsed object.
 */
import { DctError } from '../errors.js';
import { canonicalJson, GoFields, htmlEscape, isCanonicalJson, parseJson } from './canonical.js';
import type { TufSigner } from '../keys/sign.js';

export interface Signature {
  keyid: string;
  method: string;
  sig: string;
}

export interface Envelope<T> {
  signed: T;
  signatures: Signature[];
  /** The exact file: what was downloaded, or what is to be uploaded and hashed. */
  bytes: Buffer;
  /** What the signatures cover, canonical(signed), when this process signed it. */
  message?: Buffer;
}

/** Go's `data.Signed` and `data.Signature` (the `signed` part is models.ts's). */
const ENVELOPE = new GoFields('signatures', 'signed');
const SIGNATURE = new GoFields('keyid', 'method', 'sig');

/** Parses a metadata file; `guard` checks and types `signed` (see models.ts). */
export function parseEnvelope<T>(
  bytes: Buffer,
  role: string,
  guard: (x: unknown) => T,
): Envelope<T> {
  const raw = parseFile(bytes, role);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badEnvelope(role, 'the file is not a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  checkFields(obj, ENVELOPE, role, 'the file');
  const sigs = obj['signatures'] ?? [];
  if (!Array.isArray(sigs)) throw badEnvelope(role, '"signatures" is not a list');
  const signatures = sigs.map((s: unknown, i): Signature => {
    const r = s as Record<string, unknown> | null;
    if (typeof r === 'object' && r !== null) checkFields(r, SIGNATURE, role, `signature ${i}`);
    const keyid = r?.['keyid'];
    const method = r?.['method'];
    const sig = r?.['sig'];
    if (typeof keyid !== 'string' || typeof method !== 'string' || typeof sig !== 'string') {
      throw badEnvelope(role, `signature ${i} needs string keyid, method and sig`);
    }
    return { keyid, method, sig };
  });
  const rawSigned = obj['signed'];
  if (typeof rawSigned !== 'object' || rawSigned === null) {
    throw badEnvelope(role, '"signed" is missing');
  }
  let signed: T;
  try {
    signed = guard(rawSigned);
  } catch (e) {
    if (e instanceof DctError) {
      throw new DctError(e.code, `${role}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return { signed, signatures, bytes };
}

/** JSON.parse as parseJson does it, a refusal naming the role. */
function parseFile(bytes: Buffer, role: string): unknown {
  try {
    return parseJson(bytes);
  } catch (e) {
    if (e instanceof DctError) throw badEnvelope(role, e.message);
    throw new DctError(
      'TUF_BAD_METADATA',
      `${role} metadata is not valid JSON; the trust server may be serving corrupt data`,
      { cause: e },
    );
  }
}

function checkFields(o: object, go: GoFields, role: string, what: string): void {
  const clash = go.foldedField(o);
  if (clash !== undefined) {
    throw badEnvelope(
      role,
      `${what} has the key ${JSON.stringify(clash.key)}, which Go reads as "${clash.field}", so it can be read two ways`,
    );
  }
}

function badEnvelope(role: string, why: string): DctError {
  return new DctError(
    'TUF_BAD_METADATA',
    `${role} metadata is malformed: ${why}; the trust server may be serving corrupt data`,
  );
}

/**
 * `{"signed":E(canonical(signed)),"signatures":[{"keyid","method","sig"}…]}`, no newline.
 * E also escapes control characters: canonical JSON keeps them raw in the signed message,
 * which is not JSON in a file (Go's writer fails on them instead, notary-spec.md §3.1).
 */
export function serializeEnvelope(
  signed: object,
  signatures: Signature[],
  canonical: Buffer = canonicalJson(signed),
): Buffer {
  return Buffer.concat([
    Buffer.from('{"signed":', 'ascii'),
    htmlEscape(escapeControls(canonical)),
    signaturesTail(signatures),
  ]);
}

/** What follows the `signed` value in a file Go writes: `,"signatures":[…]}`. */
function signaturesTail(signatures: Signature[]): Buffer {
  const sigs = signatures
    .map(
      (s) =>
        `{"keyid":${goString(s.keyid)},"method":${goString(s.method)},"sig":${goString(s.sig)}}`,
    )
    .join(',');
  return Buffer.from(`,"signatures":[${sigs}]}`, 'utf8');
}

const CONTROL_ESCAPES: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/**
 * Control characters (all inside strings: canonical JSON has no whitespace) as Go's
 * encoding/json writes them: `\t` `\n` `\r`, else `\u00XX`.
 */
function escapeControls(json: Buffer): Buffer {
  let start = 0;
  const chunks: Buffer[] = [];
  for (let i = 0; i < json.length; i++) {
    const b = json[i];
    if (b >= 0x20) continue;
    chunks.push(json.subarray(start, i));
    chunks.push(Buffer.from(CONTROL_ESCAPES[b] ?? `\\u00${b.toString(16).padStart(2, '0')}`));
    start = i + 1;
  }
  if (start === 0) return json;
  chunks.push(json.subarray(start));
  return Buffer.concat(chunks);
}

/** A string as Go's encoding/json writes it (HTML-safe, \u00XX for other controls). */
function goString(s: string): string {
  const json = JSON.stringify(s).replace(/\\[bf]/g, (m) => (m === '\\b' ? '\\u0008' : '\\u000c'));
  return htmlEscape(Buffer.from(json, 'utf8')).toString('utf8');
}

/**
 * Signs canonical(signed) with every signer and serializes the file. New signatures come
 * first, then the `keep` ones whose key did not just sign again (Go's order, §4.5).
 */
export function signEnvelope<T extends object>(
  signed: T,
  signers: TufSigner[],
  keep: Signature[] = [],
): Envelope<T> {
  const message = canonicalJson(signed);
  const fresh: Signature[] = [];
  for (const signer of signers) {
    if (fresh.some((s) => s.keyid === signer.keyId)) continue;
    const { method, sig } = signer.sign(message);
    fresh.push({ keyid: signer.keyId, method: method.toLowerCase(), sig: sig.toString('base64') });
  }
  const kept = keep.filter((k) => !fresh.some((s) => s.keyid === k.keyid));
  const signatures = [...fresh, ...kept];
  return { signed, signatures, bytes: serializeEnvelope(signed, signatures, message), message };
}

/** The canonical message the signatures of a file cover: canonical(JSON.parse(signed)). */
export function signedMessage(bytes: Buffer, role: string): Buffer {
  const raw = parseFile(bytes, role);
  const signed = (raw as Record<string, unknown> | null)?.['signed'];
  if (typeof signed !== 'object' || signed === null) {
    throw badEnvelope(role, '"signed" is missing');
  }
  return canonicalJson(signed);
}

const SIGNED_HEAD = Buffer.from('{"signed":');
const SIGNATURES_KEY = Buffer.from(',"signatures":');

/**
 * The bytes of the `signed` value with Go's HTML escaping (§3.2) undone, which is
 * canonical(signed) for every file written as Go writes it. Only returned when the whole
 * file is exactly Go's serialization of that message and `signatures`: no second `signed`,
 * no other top-level key, nothing after; so the object parsed from the file is the object
 * in the message; and when the message is canonical JSON, so it is the very bytes Go would
 * verify. Undefined otherwise. Callers must still check the signatures over it.
 */
export function literalSignedMessage(bytes: Buffer, signatures: Signature[]): Buffer | undefined {
  if (!bytes.subarray(0, SIGNED_HEAD.length).equals(SIGNED_HEAD)) return undefined;
  const end = bytes.lastIndexOf(SIGNATURES_KEY);
  if (end <= SIGNED_HEAD.length) return undefined;
  const raw = bytes.subarray(SIGNED_HEAD.length, end);
  const message = htmlUnescape(raw);
  if (message === raw) {
    // Nothing escaped (most files): Go writes the message as it is unless it holds something
    // to escape, and then the signatures; compared so, without a copy of a large file.
    if (escapeControls(raw) !== raw || htmlEscape(raw) !== raw) return undefined;
    if (!bytes.subarray(end).equals(signaturesTail(signatures))) return undefined;
  } else if (!serializeEnvelope({}, signatures, message).equals(bytes)) {
    return undefined;
  }
  // Go verifies over canonical(signed): bytes that are not canonical JSON (keys out of order,
  // spaces, `1e2`, `\u0041`) are not what any valid signature covers, even if one verifies.
  return isCanonicalJson(message) ? message : undefined;
}

const UNESCAPES: Record<string, Buffer> = {
  '003c': Buffer.from('<'),
  '003e': Buffer.from('>'),
  '0026': Buffer.from('&'),
  '2028': Buffer.from('\u2028', 'utf8'),
  '2029': Buffer.from('\u2029', 'utf8'),
};
for (let b = 0; b < 0x20; b++) UNESCAPES[`00${b.toString(16).padStart(2, '0')}`] = Buffer.from([b]);
const SHORT_UNESCAPES: Record<number, Buffer> = {
  0x74: Buffer.from('\t'),
  0x6e: Buffer.from('\n'),
  0x72: Buffer.from('\r'),
};

/**
 * Undoes `htmlEscape` and `escapeControls`: only escapes that start at a real escape
 * backslash are replaced.
 */
function htmlUnescape(json: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let start = 0;
  for (let i = json.indexOf(0x5c); i !== -1;) {
    const short = SHORT_UNESCAPES[json[i + 1]];
    if (short !== undefined) {
      chunks.push(json.subarray(start, i), short);
      start = i + 2;
      i = json.indexOf(0x5c, start);
      continue;
    }
    if (json[i + 1] === 0x75) {
      const rep = UNESCAPES[json.toString('latin1', i + 2, i + 6)];
      if (rep !== undefined) {
        chunks.push(json.subarray(start, i), rep);
        start = i + 6;
        i = json.indexOf(0x5c, start);
        continue;
      }
    }
    // Any other escape: skip the backslash and the character it escapes (`\\` included).
    i = json.indexOf(0x5c, i + 2);
  }
  if (chunks.length === 0) return json;
  chunks.push(json.subarray(start));
  return Buffer.concat(chunks);
}
