/**
 * PEM with RFC 1421 style headers, read and written the way Go's encoding/pem does. Node and
 * OpenSSL refuse notary's key files (a `role:` header that is not preceded by `Proc-Type`,
 * notary-spec.md §1.2), so every key block goes through this parser and Node only sees DER.
 */
import { DctError } from '../errors.js';

export interface PemBlock {
  type: string;
  headers: Record<string, string>;
  /** Header names in the order they appeared (`Proc-Type` must come first for OpenSSL). */
  headerOrder: string[];
  der: Buffer;
}

const BEGIN =
  /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?)-----$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Splits text into lines, accepting LF, CRLF and lone CR, and trims each line. */
export function textLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.trim());
}

/**
 * Every PEM block in `text`, in order; text between blocks is ignored (as Go does). A block
 * whose body is not valid base64 or that never ends is an error, not silently skipped: a key
 * secret cut short while pasting should say so.
 */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  try {
    return readBlocks(textLines(text), blocks);
  } catch (e) {
    // Blocks decoded before the bad one may hold unencrypted keys: zero them.
    for (const b of blocks) b.der.fill(0);
    throw e;
  }
}

function readBlocks(lines: string[], blocks: PemBlock[]): PemBlock[] {
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]);
    if (!begin) continue;
    const type = begin[1];
    const n = blocks.length + 1;
    const end = `-----END ${type}-----`;
    let j = i + 1;
    const headers: Record<string, string> = {};
    const headerOrder: string[] = [];
    for (; j < lines.length && lines[j].includes(':') && !lines[j].startsWith('-----'); j++) {
      const line = lines[j];
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      if (!(name in headers)) headerOrder.push(name);
      headers[name] = line.slice(colon + 1).trim();
    }
    const body: string[] = [];
    // The body ends at the first line of dashes: the END line, or whatever cut the block.
    for (; j < lines.length && !lines[j].startsWith('-----'); j++) {
      body.push(lines[j].replace(/\s/g, ''));
    }
    if (lines[j] !== end) {
      throw new DctError(
        'KEY_NOT_A_KEY',
        `PEM block ${n} (${type}) has no matching END line; paste the whole key file`,
      );
    }
    const b64 = body.join('');
    if (!BASE64.test(b64)) {
      throw new DctError(
        'KEY_BAD_BASE64',
        `PEM block ${n} (${type}) does not hold valid base64; paste the key file unchanged`,
      );
    }
    blocks.push({ type, headers, headerOrder, der: Buffer.from(b64, 'base64') });
    i = j;
  }
  return blocks;
}

/** The base64 body lines of each block in `text`, for masking before anything is logged. */
export function pemBodyLines(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of textLines(text)) {
    if (line.startsWith('-----BEGIN ')) inBlock = true;
    else if (line.startsWith('-----END ')) inBlock = false;
    else if (inBlock && line !== '' && !line.includes(':')) out.push(line);
  }
  return out;
}

/**
 * PEM text as Go's pem.Encode writes it: `Proc-Type` first, the other headers sorted, a
 * blank line after headers, base64 in 64-character lines, a final newline.
 */
export function encodePem(block: Pick<PemBlock, 'type' | 'headers' | 'der'>): string {
  const names = Object.keys(block.headers)
    .filter((k) => k !== 'Proc-Type')
    .sort();
  if ('Proc-Type' in block.headers) names.unshift('Proc-Type');
  let out = `-----BEGIN ${block.type}-----\n`;
  for (const name of names) out += `${name}: ${block.headers[name]}\n`;
  if (names.length > 0) out += '\n';
  const b64 = block.der.toString('base64');
  for (let i = 0; i < b64.length; i += 64) out += `${b64.slice(i, i + 64)}\n`;
  return `${out}-----END ${block.type}-----\n`;
}
