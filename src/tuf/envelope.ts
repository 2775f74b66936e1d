/**
 * The signed-metadata file: `{"signed":…,"signatures":[…]}` exactly as Go writes it
 * (notary-spec.md §3.2), with the exact bytes kept beside the parsed object.
 */
import { DctError } from '../errors.js';
import { canonicalJson, htmlEscape, parseJson } from './canonical.js';
import type { TufSigner } from './signer.js';

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
  /** What the signatures cover: canonical(signed) as parsed from `bytes`, before any guard
   *  filled in defaults (§3.2). Kept so verification does not parse the file again. */
  message?: Buffer;
}

/** Parses a metadata file; `guard` checks and types `signed` (see models.ts). */
export function parseEnvelope<T>(
  bytes: Buffer,
  role: string,
  guard: (x: unknown) => T,
): Envelope<T> {
  let raw: unknown;
  try {
    raw = parseJson(bytes);
  } catch (e) {
    throw new DctError(
      'TUF_BAD_METADATA',
      `${role} metadata is not valid JSON; the trust server may be serving corrupt data`,
      { cause: e },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badEnvelope(role, 'the file is not a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  const sigs = obj['signatures'] ?? [];
  if (!Array.isArray(sigs)) throw badEnvelope(role, '"signatures" is not a list');
  const signatures = sigs.map((s: unknown, i): Signature => {
    const r = s as Record<string, unknown> | null;
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
  const message = canonicalJson(rawSigned);
  let signed: T;
  try {
    signed = guard(rawSigned);
  } catch (e) {
    if (e instanceof DctError) {
      throw new DctError(e.code, `${role}: ${e.message}`, { cause: e });
    }
    throw e;
  }
  return { signed, signatures, bytes, message };
}

function badEnvelope(role: string, why: string): DctError {
  return new DctError(
    'TUF_BAD_METADATA',
    `${role} metadata is malformed: ${why}; the trust server may be serving corrupt data`,
  );
}

/** `{"signed":E(canonical(signed)),"signatures":[{"keyid","method","sig"}…]}`, no newline. */
export function serializeEnvelope(
  signed: object,
  signatures: Signature[],
  canonical: Buffer = canonicalJson(signed),
): Buffer {
  const sigs = signatures
    .map(
      (s) =>
        `{"keyid":${goString(s.keyid)},"method":${goString(s.method)},"sig":${goString(s.sig)}}`,
    )
    .join(',');
  return Buffer.concat([
    Buffer.from('{"signed":', 'ascii'),
    htmlEscape(canonical),
    Buffer.from(`,"signatures":[${sigs}]}`, 'utf8'),
  ]);
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
  let raw: unknown;
  try {
    raw = parseJson(bytes);
  } catch (e) {
    throw new DctError('TUF_BAD_METADATA', `${role} metadata is not valid JSON`, { cause: e });
  }
  const signed = (raw as Record<string, unknown> | null)?.['signed'];
  if (typeof signed !== 'object' || signed === null) {
    throw badEnvelope(role, '"signed" is missing');
  }
  return canonicalJson(signed);
}
