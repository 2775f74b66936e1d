/** Shared bits of the keys tests: the notary-made fixtures, a tar writer, error assertions. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { DctError } from '../../src/errors.js';
import { DerError, readTlv, type DerNode } from '../../src/keys/der.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/keys/', import.meta.url));

export interface FixtureKey {
  /** Path under FIXTURES, or `tar:<path under private/>` for keys only in the backups. */
  file: string;
  /** The key ID notary computed (its file name in notary's trust dir). */
  id: string;
  role: string;
  gun: string;
  type: 'ecdsa' | 'rsa' | 'ed25519';
  passphrase: 'passphrase' | 'root-passphrase' | '';
}

export interface Manifest {
  rootPassphrase: string;
  passphrase: string;
  gun: string;
  keys: FixtureKey[];
}

export const manifest = JSON.parse(readFileSync(`${FIXTURES}manifest.json`, 'utf8')) as Manifest;

export function fixture(name: string): Buffer {
  return readFileSync(FIXTURES + name);
}

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export function fixtureKey(pred: (k: FixtureKey) => boolean): FixtureKey {
  const k = manifest.keys.find(pred);
  if (!k) throw new Error('fixture key not found');
  return k;
}

/** Runs `fn`, expects a DctError with `code`, and that its message holds none of `secrets`. */
export function expectDctError(fn: () => unknown, code: string, secrets: string[] = []): DctError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DctError);
  const err = caught as DctError;
  expect(err.code).toBe(code);
  expect(err.message).not.toContain('\n');
  for (const s of [manifest.passphrase, manifest.rootPassphrase, ...secrets]) {
    expect(err.message).not.toContain(s);
  }
  return err;
}

export interface TarEntry {
  name: string;
  data?: Buffer | string;
  /** tar typeflag: '0' file (default), '5' dir, '2' symlink, … */
  type?: string;
  linkname?: string;
}

function header(
  name: string,
  size: number,
  type: string,
  linkname = '',
  magic = 'ustar\x0000',
): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write(magic, 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

/**
 * A tar written by hand, so tests can make archives no well-behaved tar tool writes (`..`
 * paths, absolute paths, bad checksums). Names over 100 bytes get a GNU `L` or pax `x` record.
 */
export function makeTar(entries: TarEntry[], longNames: 'gnu' | 'pax' = 'pax', end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    let name = e.name;
    if (Buffer.byteLength(name) > 100) {
      if (longNames === 'gnu') {
        const n = Buffer.from(`${name}\0`);
        parts.push(header('././@LongLink', n.length, 'L', '', 'ustar  \0'), padded(n));
      } else {
        const rec = (len: number) => `${len} path=${name}\n`;
        let len = rec(0).length;
        while (rec(len).length !== len) len = rec(len).length;
        const p = Buffer.from(rec(len));
        parts.push(header('PaxHeader', p.length, 'x'), padded(p));
      }
      name = name.slice(0, 99);
    }
    parts.push(header(name, data.length, e.type ?? '0', e.linkname), padded(data));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Parses a buffer that must hold exactly one DER value: trailing bytes are an error. */
export function parseDer(buf: Buffer): DerNode {
  const { node, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new DerError('DER: trailing data');
  return node;
}
