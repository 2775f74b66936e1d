/**
 * tar.ts at its edges, against the mutants StrykerJS left alive: numeric fields (octal with
 * spaces and NULs, GNU base-256, negative and oversized refused), pax records (size override,
 * malformed lengths), every regular-file typeflag, the prefix field only for POSIX ustar,
 * Windows-style absolute paths, the entry limits at their bounds, and the messages.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LIMITS, gunzipBounded, isGzip, isTar, readTar, writeTar } from '../../src/keys/tar.js';
import { expectDctError, makeTar } from './helpers.js';

/** Recomputes a header's checksum after a test changed it. */
function resum(h: Buffer): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h.subarray(0, 512)) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function one(name: string, data: string, edit?: (h: Buffer) => void): Buffer {
  const tar = Buffer.from(makeTar([{ name, data }]));
  if (edit) {
    edit(tar);
    resum(tar);
  }
  return tar;
}

const bad = (tar: Buffer, message: string) =>
  expect(expectDctError(() => readTar(tar), 'KEY_BAD_ARCHIVE').message).toBe(
    `the key archive is damaged: ${message}`,
  );

describe('numeric fields', () => {
  it('octal with leading spaces and trailing NULs or spaces; empty is 0', () => {
    const t = one('a.key', 'abc', (h) => h.write('  000003 \0\0\0\0', 124, 'latin1'));
    expect(readTar(t)[0].data.toString()).toBe('abc');
    const e = one('a.key', '', (h) => h.fill(0, 124, 136));
    expect(readTar(e)[0].data.length).toBe(0);
    bad(
      one('a.key', 'abc', (h) => h.write('00000000008\0', 124, 'latin1')),
      'bad size field',
    );
    bad(
      one('a.key', 'abc', (h) => h.write('0000 0000003', 124, 'latin1')),
      'bad size field',
    );
  });

  it('GNU base-256 sizes; 0xff (negative) refused', () => {
    const t = one('a.key', 'abcd', (h) => {
      h.fill(0, 124, 136);
      h[124] = 0x80;
      h[135] = 4;
    });
    expect(readTar(t)[0].data.toString()).toBe('abcd');
    bad(
      one('a.key', 'abcd', (h) => h.fill(0xff, 124, 136)),
      'negative size',
    );
    bad(
      one('a.key', 'abcd', (h) => {
        h.fill(0xff, 124, 136);
        h[124] = 0x81;
      }),
      'size too large',
    );
    // 2^53 - 1 itself is read (and then refused as an entry over the size limit)
    const safe = one('a.key', 'abcd', (h) => {
      h.fill(0, 124, 136);
      h[124] = 0x80;
      h[129] = 0x1f; // 1f ff ff ff ff ff ff: 2^53 - 1
      h.fill(0xff, 130, 136);
    });
    expectDctError(() => readTar(safe), 'KEY_ARCHIVE_TOO_LARGE');
  });

  it('a checksum field that is not octal is damage; a wrong sum names the checksum', () => {
    const t = Buffer.from(makeTar([{ name: 'a.key', data: 'x' }]));
    t.write('99999\0 ', 148, 'latin1');
    bad(t, 'bad checksum field');
    const u = Buffer.from(makeTar([{ name: 'a.key', data: 'x' }]));
    u[0] ^= 1;
    bad(u, 'header checksum mismatch');
  });
});

describe('entries', () => {
  it('regular files are typeflag 0, NUL and 7; others are skipped', () => {
    for (const type of ['0', '\0', '7']) {
      expect(
        readTar(makeTar([{ name: 'a.key', data: 'k', type }])).map((f) => f.path),
        type,
      ).toEqual(['a.key']);
    }
    for (const type of ['1', '2', '3', '4', '5', '6', 'g', 'K', 'V']) {
      expect(readTar(makeTar([{ name: 'a.key', data: 'k', type }])), type).toEqual([]);
    }
  });

  it('a name filling its 100 bytes, a one-byte name, and ./ kept inside a path', () => {
    const full = 'k'.repeat(96) + '.key';
    expect(readTar(makeTar([{ name: full, data: 'a' }]))[0].path).toBe(full);
    expect(readTar(makeTar([{ name: 'k', data: 'a' }]))[0].path).toBe('k');
    expect(readTar(makeTar([{ name: 'dir/./a.key', data: 'a' }]))[0].path).toBe('dir/./a.key');
  });

  it('a GNU long name ends at its first NUL; g and K entries leave a pending name alone', () => {
    const long = `private/${'y'.repeat(120)}.key`;
    const tar = Buffer.from(makeTar([{ name: long, data: 'a' }], 'gnu'));
    expect(readTar(tar)[0].path).toBe(long);
    const cut = makeTar([
      { name: '././@LongLink', type: 'L', data: 'a.key\0junk\0\0' },
      { name: 'short', data: 'x' },
    ]);
    expect(readTar(cut).map((f) => f.path)).toEqual(['a.key']);
    // the long name's header and data block, an entry of the given type, then the file
    const between = (type: string) =>
      Buffer.concat([
        tar.subarray(0, 1024),
        makeTar([{ name: 'skip', data: '', type }], 'pax', false),
        tar.subarray(1024),
      ]);
    for (const type of ['g', 'K']) {
      expect(
        readTar(between(type)).map((f) => f.path),
        type,
      ).toEqual([long]);
    }
  });

  it('a GNU long name applies to the next entry only; the ./ prefixes are stripped', () => {
    const long = `private/${'x'.repeat(120)}.key`;
    const files = readTar(
      makeTar(
        [
          { name: long, data: 'a' },
          { name: './././b.key', data: 'b' },
        ],
        'gnu',
      ),
    );
    expect(files.map((f) => f.path)).toEqual([long, 'b.key']);
  });

  it('pax: path and size records, for the next entry only', () => {
    const rec = (k: string, v: string) => {
      const body = ` ${k}=${v}\n`;
      let n = body.length + 1;
      while (`${n}${body}`.length !== n) n = `${n}${body}`.length;
      return `${n}${body}`;
    };
    const pax = (records: string) => ({ name: 'PaxHeader', type: 'x', data: records });
    const tar = makeTar([
      pax(rec('path', 'p/long.key') + rec('mtime', '1')),
      { name: 'short', data: 'abc' },
      { name: 'next.key', data: 'n' },
    ]);
    expect(readTar(tar).map((f) => [f.path, f.data.toString()])).toEqual([
      ['p/long.key', 'abc'],
      ['next.key', 'n'],
    ]);
    // a size record overrides the header's size
    const sized = Buffer.from(makeTar([pax(rec('size', '2')), { name: 'a.key', data: 'abc' }]));
    // the data is then 2 bytes, and the next header starts after the one 512-byte block
    expect(readTar(sized)[0].data.toString()).toBe('ab');
    const tens = makeTar([pax(rec('size', '12')), { name: 'a.key', data: 'abcdefghijklmn' }]);
    expect(readTar(tens)[0].data.toString()).toBe('abcdefghijkl');
    for (const records of [
      '5 a=b',
      '0 a=b\n',
      '06 a=b\n',
      '013 path=foo\n',
      '9 a=b\n',
      '6 ab\n\n',
      'x a=b\n',
      'nospace',
    ]) {
      bad(makeTar([pax(records), { name: 'a.key', data: 'k' }]), 'bad pax header');
    }
    bad(makeTar([pax(rec('size', '-1')), { name: 'a.key', data: 'k' }]), 'bad pax size');
    bad(makeTar([pax(rec('size', '1e3')), { name: 'a.key', data: 'k' }]), 'bad pax size');
  });

  it('the ustar prefix field joins the name only in POSIX ustar', () => {
    const posix = one('a.key', 'k', (h) => h.write('some/dir', 345, 'latin1'));
    expect(readTar(posix)[0].path).toBe('some/dir/a.key');
    const gnu = one('a.key', 'k', (h) => {
      h.write('ustar  \0', 257, 'latin1');
      h.write('some/dir', 345, 'latin1');
    });
    expect(readTar(gnu)[0].path).toBe('a.key');
  });

  it('absolute and drive paths are named as absolute; .. as leaving the folder', () => {
    for (const name of ['/a.key', '\\a.key', 'C:a.key', 'c:/a.key']) {
      const err = expectDctError(() => readTar(makeTar([{ name, data: 'k' }])), 'KEY_ARCHIVE_PATH');
      expect(err.message).toBe(
        `the key archive holds an absolute path (${JSON.stringify(name)}); create it with relative paths`,
      );
    }
    const err = expectDctError(
      () => readTar(makeTar([{ name: 'a\\..\\b.key', data: 'k' }])),
      'KEY_ARCHIVE_PATH',
    );
    expect(err.message).toBe(
      'the key archive holds a path that leaves its folder ("a\\\\..\\\\b.key"); refusing it',
    );
    // `..` inside a name is fine
    expect(readTar(makeTar([{ name: 'a..b/..c.key', data: 'k' }]))[0].path).toBe('a..b/..c.key');
  });

  it('limits at their bounds, with their messages', () => {
    const exactly = makeTar(
      Array.from({ length: LIMITS.entries }, (_, i) => ({ name: `d${i}/`, type: '5' })),
    );
    expect(readTar(exactly)).toEqual([]);
    const many = makeTar(
      Array.from({ length: LIMITS.entries + 1 }, (_, i) => ({ name: `d${i}/`, type: '5' })),
    );
    expect(expectDctError(() => readTar(many), 'KEY_ARCHIVE_TOO_LARGE').message).toBe(
      'the key archive has more than 1000 entries; back up only ~/.docker/trust/private',
    );
    const max = makeTar([{ name: 'big.key', data: Buffer.alloc(LIMITS.entryBytes) }]);
    expect(readTar(max)[0].data.length).toBe(LIMITS.entryBytes);
    const big = makeTar([{ name: 'big.key', data: Buffer.alloc(LIMITS.entryBytes + 1) }]);
    expect(expectDctError(() => readTar(big), 'KEY_ARCHIVE_TOO_LARGE').message).toBe(
      'an entry of the key archive is larger than 1 MiB; key files are small, check the archive',
    );
  });

  it('an archive that ends without its zero blocks is read; one cut mid-block is damage', () => {
    const noEnd = makeTar([{ name: 'a.key', data: 'k' }], 'pax', false);
    expect(readTar(noEnd).map((f) => f.path)).toEqual(['a.key']);
    bad(Buffer.concat([noEnd, Buffer.alloc(100, 1)]), 'truncated');
    bad(noEnd.subarray(0, 513), 'truncated');
    // an entry whose data runs past the end: the same word, from the entry itself
    const short = Buffer.from(makeTar([{ name: 'a.key', data: 'x'.repeat(600) }], 'pax', false));
    bad(short.subarray(0, 1024), 'truncated');
    // a pax header cut inside its records: truncated, not a malformed record
    const paxCut = makeTar([{ name: `p/${'z'.repeat(200)}.key`, data: 'k' }], 'pax', false);
    bad(paxCut.subarray(0, 512 + 20), 'truncated');
    expect(readTar(Buffer.alloc(0))).toEqual([]);
  });
});

describe('detection and gunzip', () => {
  it('isGzip and isTar look at the magic bytes only', () => {
    expect(isGzip(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.from([0x1f, 0x8c]))).toBe(false);
    expect(isGzip(Buffer.from([0x1e, 0x8b]))).toBe(false);
    const tar = makeTar([{ name: 'a', data: 'b' }]);
    expect(isTar(tar)).toBe(true);
    expect(isTar(tar.subarray(0, 511))).toBe(false);
    expect(isTar(tar.subarray(0, 512))).toBe(true);
    const notUstar = Buffer.from(tar);
    notUstar[261] = 0x78;
    expect(isTar(notUstar)).toBe(false);
  });

  it('gunzip messages: the limit in MiB, truncation named', () => {
    const err = expectDctError(
      () => gunzipBounded(gzipSync(Buffer.alloc(3 << 20)), 2 << 20),
      'KEY_ARCHIVE_TOO_LARGE',
    );
    expect(err.message).toBe(
      'the key archive unpacks to more than 2 MiB; back up only ~/.docker/trust/private',
    );
    expect(err.cause).toMatchObject({ code: 'ERR_BUFFER_TOO_LARGE' });
    const gz = gzipSync(Buffer.alloc(5000, 1));
    const cut = expectDctError(
      () => gunzipBounded(gz.subarray(0, gz.length - 4)),
      'KEY_BAD_ARCHIVE',
    );
    expect(cut.message).toBe(
      'the key archive is not a valid gzip file (truncated); recreate it with tar -zcf',
    );
    const junk = expectDctError(
      () => gunzipBounded(Buffer.from('1f8b0800deadbeef', 'hex')),
      'KEY_BAD_ARCHIVE',
    );
    expect(junk.message).toBe(
      'the key archive is not a valid gzip file (truncated); recreate it with tar -zcf',
    );
    const sum = Buffer.from(gz);
    sum[sum.length - 8] ^= 1;
    const check = expectDctError(() => gunzipBounded(sum), 'KEY_BAD_ARCHIVE');
    expect(check.message).toBe(
      'the key archive is not a valid gzip file (incorrect data check); recreate it with tar -zcf',
    );
    expect(check.cause).toBeInstanceOf(Error);
    expect(junk.cause).toBeInstanceOf(Error);
  });
});

describe('writeTar', () => {
  it('writes directories first, modes, sizes and the end blocks GNU tar expects', () => {
    const tar = writeTar(
      [
        { path: 'private/a/b.key', data: Buffer.from('abc'), mode: 0o640 },
        { path: 'private/c.key', data: Buffer.alloc(512, 1) },
        { path: 'private/empty.key', data: Buffer.alloc(0) },
      ],
      new Date(1_700_000_000_999),
    );
    const headers: string[] = [];
    for (let pos = 0; pos < tar.length;) {
      const h = tar.subarray(pos, pos + 512);
      if (h.every((b) => b === 0)) break;
      const size = parseInt(h.toString('latin1', 124, 135), 8);
      headers.push(
        [
          h.toString('latin1', 0, 100).replace(/\0+$/, ''),
          String.fromCharCode(h[156]),
          h.toString('latin1', 100, 107),
          size,
          parseInt(h.toString('latin1', 136, 147), 8),
        ].join(' '),
      );
      pos += 512 + Math.ceil(size / 512) * 512;
    }
    expect(headers).toEqual([
      'private/ 5 0000700 0 1700000000',
      'private/a/ 5 0000700 0 1700000000',
      'private/a/b.key 0 0000640 3 1700000000',
      'private/c.key 0 0000600 512 1700000000',
      'private/empty.key 0 0000600 0 1700000000',
    ]);
    expect(tar.length).toBe(512 * 5 + 512 + 512 + 1024);
    expect(readTar(tar).map((f) => f.data.length)).toEqual([3, 512, 0]);
    const first = tar.subarray(0, 512);
    expect(first.toString('latin1', 257, 265)).toBe('ustar\u000000');
    expect(first.toString('latin1', 148, 156)).toMatch(/^[0-7]{6}\0 $/);
    const long = 'x'.repeat(101);
    expect(() => writeTar([{ path: long, data: Buffer.alloc(0) }], new Date(0))).toThrow(
      expect.objectContaining({
        code: 'KEY_ARCHIVE_PATH',
        message: `the path ${long} is too long for the archive`,
      }) as Error,
    );
    expect(writeTar([{ path: 'x'.repeat(100), data: Buffer.alloc(0) }], new Date(0)).length).toBe(
      512 * 3,
    );
  });
});
