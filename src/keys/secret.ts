/**
 * Reads the `keys` input (ACTION.md): PEM text, base64 of PEM text, or base64 of a `.tar.gz`
 * of `~/.docker/trust/private`, into key files. Decrypting is KeyRing's job; this module only
 * finds the private-key blocks and what their names and paths say about them (§1.1).
 */
import { DctError } from '../errors.js';
import { PRIVATE_KEY_TYPES } from './pkcs8.js';
import { parsePem, pemBodyLines, textLines, type PemBlock } from './pem.js';
import { LIMITS, gunzipBounded, isGzip, isTar, readTar } from './tar.js';

export interface KeyFile {
  /** "input block 2" or the archive path, for messages. */
  source: string;
  /** The key ID a file name (`<id>.key`, `<id>_<role>.key`) claims; checked when opened. */
  idFromName?: string;
  role?: string;
  gun?: string;
  block: PemBlock;
}

const KEY_NAME = /^([0-9a-f]{64})(?:_([^/]+))?\.key$/;

/**
 * Finds every private key in `input`. `mask` is called with every line that could carry key
 * bytes (each PEM body line, each line of a base64 input) before anything else happens to it.
 * `notes` are non-fatal remarks, e.g. public keys or certificates that were skipped.
 */
export function readKeySecret(
  input: string,
  mask: (secret: string) => void,
): { files: KeyFile[]; notes: string[] } {
  const text = input.trim();
  if (text === '') throw new DctError('KEY_NOT_A_KEY', 'the keys input is empty');
  const notes: string[] = [];
  let files: KeyFile[];
  if (text.includes('-----BEGIN')) {
    files = fromPemText(text, mask, notes, (n) => `input block ${n}`);
  } else {
    files = fromBase64(text, mask, notes);
  }
  if (files.length === 0) {
    throw new DctError(
      'KEY_NOT_A_KEY',
      `the keys input holds no private key${notes.length ? ` (${notes.join('; ')})` : ''}; give the encrypted key files from ~/.docker/trust/private`,
    );
  }
  return { files, notes };
}

/** Zeroes the DER held by key files once they are no longer needed (some may be unencrypted). */
export function disposeKeyFiles(files: KeyFile[]): void {
  for (const f of files) f.block.der.fill(0);
}

function fromBase64(text: string, mask: (s: string) => void, notes: string[]): KeyFile[] {
  const lines = textLines(text).filter((l) => l !== '');
  for (const line of lines) mask(line);
  const compact = lines.join('');
  if (lines.length > 1) mask(compact);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new DctError(
      'KEY_BAD_BASE64',
      'the keys input is neither PEM key text nor valid base64; give the key files, or base64 of them or of a .tar.gz of ~/.docker/trust/private',
    );
  }
  if ((compact.length * 3) / 4 > LIMITS.totalBytes) {
    throw new DctError(
      'KEY_ARCHIVE_TOO_LARGE',
      `the keys input is larger than ${LIMITS.totalBytes >> 20} MiB`,
    );
  }
  const decoded = Buffer.from(compact, 'base64');
  let unpacked: Buffer | undefined;
  try {
    const gzip = isGzip(decoded);
    const data = gzip ? (unpacked = gunzipBounded(decoded)) : decoded;
    if (isTar(data)) return fromTar(data, mask, notes);
    const inner = data.toString('utf8');
    if (inner.includes('-----BEGIN')) {
      return fromPemText(inner, mask, notes, (n) => `input block ${n}`);
    }
    throw gzip
      ? new DctError('KEY_BAD_ARCHIVE', 'the gzip data in the keys input is not a tar archive')
      : new DctError(
          'KEY_NOT_A_KEY',
          'the base64 keys input decodes to neither PEM key text nor a .tar.gz of ~/.docker/trust/private',
        );
  } finally {
    decoded.fill(0);
    unpacked?.fill(0);
  }
}

function fromPemText(
  text: string,
  mask: (s: string) => void,
  notes: string[],
  name: (n: number) => string,
  fromPath?: Partial<KeyFile>,
): KeyFile[] {
  for (const line of pemBodyLines(text)) mask(line);
  const files: KeyFile[] = [];
  parsePem(text).forEach((block, i) => {
    const source = name(i + 1);
    if (!PRIVATE_KEY_TYPES.has(block.type)) {
      block.der.fill(0);
      notes.push(`${source}: ignored a ${block.type} block (only private keys are used)`);
      return;
    }
    const file: KeyFile = { source, block };
    // `notary key export` names each block's store location in a `path:` header.
    const p = block.headers.path;
    const named = p ? keyPathInfo(p.endsWith('.key') ? p : `${p}.key`) : {};
    const role = block.headers.role || fromPath?.role || named.role;
    const gun = block.headers.gun || fromPath?.gun || named.gun;
    const id = fromPath?.idFromName ?? named.idFromName;
    if (id) file.idFromName = id;
    if (role) file.role = role;
    if (gun) file.gun = gun;
    files.push(file);
  });
  return files;
}

/** What a path in the private folder says (§1.1): `<id>.key`, legacy root_keys/ and tuf_keys/<gun>/. */
export function keyPathInfo(path: string): Partial<KeyFile> {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const base = segments[segments.length - 1] ?? '';
  const m = KEY_NAME.exec(base);
  const info: Partial<KeyFile> = {};
  if (!m) return info;
  info.idFromName = m[1]!;
  if (m[2]) info.role = m[2];
  const parent = segments.length - 2;
  if (segments[parent] === 'root_keys') info.role = 'root';
  const tuf = segments.lastIndexOf('tuf_keys');
  if (tuf !== -1 && tuf < parent) info.gun = segments.slice(tuf + 1, -1).join('/');
  return info;
}

function fromTar(tar: Buffer, mask: (s: string) => void, notes: string[]): KeyFile[] {
  const files: KeyFile[] = [];
  let skipped = 0;
  for (const entry of readTar(tar)) {
    if (!entry.path.endsWith('.key')) {
      skipped++;
      continue;
    }
    const text = entry.data.toString('utf8');
    const info = keyPathInfo(entry.path);
    try {
      const found = fromPemText(
        text,
        mask,
        notes,
        (n) => (n === 1 ? entry.path : `${entry.path} block ${n}`),
        info,
      );
      if (found.length === 0) notes.push(`${entry.path}: holds no private key`);
      files.push(...found);
    } catch (e) {
      disposeKeyFiles(files); // keys read from earlier entries
      if (e instanceof DctError)
        throw new DctError(e.code, `${entry.path}: ${e.message}`, { cause: e });
      throw e;
    }
  }
  if (skipped > 0) notes.push(`the key archive holds ${skipped} other file(s), ignored`);
  if (files.length === 0) {
    throw new DctError(
      'KEY_NOT_A_KEY',
      'the key archive holds no private key files (*.key); archive ~/.docker/trust/private',
    );
  }
  return files;
}
