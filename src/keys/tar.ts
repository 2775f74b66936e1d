/**
 * An in-memory reader for the `.tar.gz` backup of `~/.docker/trust/private` (ACTION.md input
 * `keys`). Only regular files are returned; nothing ever touches the disk. Bounds keep a
 * hostile archive from using much memory: see LIMITS.
 */
import { DctError, describeError } from '../errors.js';

export const LIMITS = {
  entries: 1000,
  totalBytes: 16 * 1024 * 1024,
  entryBytes: 1024 * 1024,
} as const;

export interface TarFile {
  path: string;
  data: Buffer;
}

const BLOCK = 512;

export function isGzip(buf: Buffer): boolean {
  return buf[0] === 0x1f && buf[1] === 0x8b;
}

export function isTar(buf: Buffer): boolean {
  return buf.length >= BLOCK && buf.toString('latin1', 257, 262) === 'ustar';
}

/** Gunzips with a hard cap on the output, so a zip bomb fails early instead of filling memory. */
export function gunzipBounded(gz: Buffer, limit: number = LIMITS.totalBytes): Buffer {
  try {
    // Loaded here, not at start: only a backup archive needs it.
    return process.getBuiltinModule('node:zlib').gunzipSync(gz, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DctError(
        'KEY_ARCHIVE_TOO_LARGE',
        `the key archive unpacks to more than ${limit >> 20} MiB; back up only ~/.docker/trust/private`,
        { cause: e },
      );
    }
    throw new DctError(
      'KEY_BAD_ARCHIVE',
      `the key archive is not a valid gzip file (${zlibMessage(e)}); recreate it with tar -zcf`,
      { cause: e },
    );
  }
}

function zlibMessage(e: unknown): string {
  const errno = (e as { errno?: unknown }).errno;
  if (errno === process.getBuiltinModule('node:zlib').constants.Z_BUF_ERROR) return 'truncated';
  return describeError(e).split('\n')[0];
}

function bad(message: string): DctError {
  return new DctError('KEY_BAD_ARCHIVE', `the key archive is damaged: ${message}`);
}

function cString(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return field.toString('utf8', 0, nul === -1 ? len : nul);
}

/** Numeric header field: octal text, or GNU base-256 when the high bit is set. */
function numeric(buf: Buffer, start: number, len: number, what: string): number {
  const field = buf.subarray(start, start + len);
  if (field[0] & 0x80) {
    if (field[0] === 0xff) throw bad(`negative ${what}`);
    let v = field[0] & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + field[i];
      if (v > Number.MAX_SAFE_INTEGER) throw bad(`${what} too large`);
    }
    return v;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw bad(`bad ${what} field`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum === stored;
}

/** pax records: "<len> <key>=<value>\n", len counting the whole record. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw bad('bad pax header');
    const lenText = data.toString('latin1', pos, space);
    if (!/^[1-9]\d*$/.test(lenText)) throw bad('bad pax header');
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || data[end - 1] !== 0x0a) throw bad('bad pax header');
    const record = data.toString('utf8', space + 1, end - 1);
    const eq = record.indexOf('=');
    if (eq === -1) throw bad('bad pax header');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos = end;
  }
  return out;
}

/** Rejects absolute paths and `..` segments, as a tar extractor must. */
function checkPath(path: string): void {
  const segments = path.split(/[/\\]/);
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    throw new DctError(
      'KEY_ARCHIVE_PATH',
      `the key archive holds an absolute path (${JSON.stringify(path)}); create it with relative paths`,
    );
  }
  if (segments.includes('..')) {
    throw new DctError(
      'KEY_ARCHIVE_PATH',
      `the key archive holds a path that leaves its folder (${JSON.stringify(path)}); refusing it`,
    );
  }
}

/**
 * The regular files of a tar (ustar, GNU and pax), in archive order. Directories, links and
 * devices are skipped; GNU `././@LongLink` and pax `path` records supply long names.
 */
export function readTar(tar: Buffer): TarFile[] {
  const files: TarFile[] = [];
  let pos = 0;
  let entries = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) return files; // end-of-archive marker
    if (!checksumOk(header)) throw bad('header checksum mismatch');
    if (++entries > LIMITS.entries) {
      throw new DctError(
        'KEY_ARCHIVE_TOO_LARGE',
        `the key archive has more than ${LIMITS.entries} entries; back up only ~/.docker/trust/private`,
      );
    }
    const type = String.fromCharCode(header[156]);
    const size = paxSize ?? numeric(header, 124, 12, 'size');
    if (size > LIMITS.entryBytes) {
      throw new DctError(
        'KEY_ARCHIVE_TOO_LARGE',
        `an entry of the key archive is larger than ${LIMITS.entryBytes >> 20} MiB; key files are small, check the archive`,
      );
    }
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) throw bad('truncated');
    const data = tar.subarray(dataStart, dataEnd);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      const rec = paxRecords(data);
      paxPath = rec.get('path') ?? paxPath;
      const s = rec.get('size');
      if (s !== undefined) {
        if (!/^\d+$/.test(s)) throw bad('bad pax size');
        paxSize = Number(s);
      }
      continue;
    }
    if (type === 'g' || type === 'K') continue; // global pax and long link names: not needed

    let path = paxPath ?? longName;
    if (path === undefined) {
      const name = cString(header, 0, 100);
      // Only POSIX ustar ("ustar\0") has the prefix field; old GNU puts other data there.
      const posix = header.toString('latin1', 257, 263) === 'ustar\0';
      const prefix = posix ? cString(header, 345, 155) : '';
      path = prefix ? `${prefix}/${name}` : name;
    }
    longName = paxPath = paxSize = undefined;
    checkPath(path);
    if (type === '0' || type === '\0' || type === '7') {
      files.push({ path: path.replace(/^(\.\/)+/, ''), data });
    }
  }
  // GNU tar always writes the two zero blocks; data that stops mid-header is damage.
  if (pos !== tar.length) throw bad('truncated');
  return files;
}

/**
 * A ustar archive of `files` (regular files, mode from each entry, owner 0, mtime given), in
 * the order given, with the directories each path needs first: what `tar czf` of
 * `~/.docker/trust/private` gives, readable by `readTar` and by GNU tar.
 */
export function writeTar(files: (TarFile & { mode?: number })[], mtime: Date): Buffer {
  const blocks: Buffer[] = [];
  const seconds = Math.floor(mtime.getTime() / 1000);
  const dirs = new Set<string>();
  const entry = (path: string, type: '0' | '5', mode: number, data?: Buffer): void => {
    if (Buffer.byteLength(path) > 100) {
      throw new DctError('KEY_ARCHIVE_PATH', `the path ${path} is too long for the archive`);
    }
    const h = Buffer.alloc(BLOCK);
    // Every field but the path is ASCII.
    h.write(path, 0, 100);
    const octal = (n: number, len: number): string => `${n.toString(8).padStart(len - 1, '0')}\0`;
    h.write(octal(mode, 8), 100);
    h.write(octal(0, 8), 108);
    h.write(octal(0, 8), 116);
    h.write(octal(data?.length ?? 0, 12), 124);
    h.write(octal(seconds, 12), 136);
    h.write(' '.repeat(8), 148);
    h.write(type, 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    if (data !== undefined) {
      blocks.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
    }
  };
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!dirs.has(dir)) {
        dirs.add(dir);
        entry(dir, '5', 0o700);
      }
    }
    entry(f.path, '0', f.mode ?? 0o600, f.data);
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}
