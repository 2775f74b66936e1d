import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LIMITS, gunzipBounded, readTar } from '../../src/keys/tar.js';
import { expectDctError, fixture, makeTar } from './helpers.js';

const longDir = `tuf_keys/registry.example.com:5000/${'x'.repeat(120)}`;

describe('readTar', () => {
  it('reads GNU tar output with ././@LongLink names', () => {
    const files = readTar(gunzipBounded(fixture('backup-gnu.tar.gz')));
    const paths = files.map((f) => f.path);
    expect(paths.every((p) => p.startsWith('home/runner/.docker/trust/private/'))).toBe(true);
    const long = paths.find((p) => p.includes('repository-path-that-goes-on/'));
    expect(long!.length).toBeGreaterThan(100);
    expect(long).toMatch(/\/[0-9a-f]{64}_snapshot\.key$/);
    // directories are not returned
    expect(paths.some((p) => p.endsWith('/'))).toBe(false);
    for (const f of files) expect(f.data.toString()).toMatch(/^-----BEGIN /);
  });

  it('reads pax tar output with path records', () => {
    const gnu = readTar(gunzipBounded(fixture('backup-gnu.tar.gz')));
    const pax = readTar(gunzipBounded(fixture('backup-pax.tar.gz')));
    const strip = (p: string) => p.slice(p.indexOf('private/'));
    expect(pax.map((f) => f.path).sort()).toEqual(gnu.map((f) => strip(f.path)).sort());
  });

  it('handles hand-made long names, skips links and directories', () => {
    for (const mode of ['gnu', 'pax'] as const) {
      const tar = makeTar(
        [
          { name: 'private/', type: '5' },
          { name: 'private/link.key', type: '2', linkname: '/etc/passwd' },
          { name: `private/${longDir}/a.key`, data: 'hello' },
          { name: './private/b.key', data: 'x'.repeat(600) },
        ],
        mode,
      );
      const files = readTar(tar);
      expect(files.map((f) => [f.path, f.data.length])).toEqual([
        [`private/${longDir}/a.key`, 5],
        ['private/b.key', 600],
      ]);
    }
  });

  it('rejects path traversal and absolute paths', () => {
    for (const name of ['private/../../etc/x.key', '../x', '/etc/passwd', 'a/..\\..\\b']) {
      expectDctError(() => readTar(makeTar([{ name, data: 'k' }])), 'KEY_ARCHIVE_PATH');
    }
    // also when the bad name only comes from a long-name record
    const long = `${'../'.repeat(40)}x.key`;
    expectDctError(() => readTar(makeTar([{ name: long }], 'gnu')), 'KEY_ARCHIVE_PATH');
    expectDctError(() => readTar(makeTar([{ name: long }], 'pax')), 'KEY_ARCHIVE_PATH');
  });

  it('rejects damaged archives', () => {
    const tar = makeTar([{ name: 'a.key', data: 'x'.repeat(1000) }]);
    const badSum = Buffer.from(tar);
    badSum[0] = 0x41;
    expectDctError(() => readTar(badSum), 'KEY_BAD_ARCHIVE');
    const truncated = makeTar([{ name: 'a.key', data: 'x'.repeat(1000) }], 'pax', false).subarray(
      0,
      1000,
    );
    expectDctError(() => readTar(truncated), 'KEY_BAD_ARCHIVE');
    expectDctError(() => readTar(tar.subarray(0, 700)), 'KEY_BAD_ARCHIVE');
  });

  it('bounds entries and entry size', () => {
    const many = makeTar(
      Array.from({ length: LIMITS.entries + 1 }, (_, i) => ({ name: `d${i}/`, type: '5' })),
    );
    expectDctError(() => readTar(many), 'KEY_ARCHIVE_TOO_LARGE');
    expect(readTar(many.subarray(0, LIMITS.entries * 512))).toEqual([]);
    const big = makeTar([{ name: 'big.key', data: Buffer.alloc(LIMITS.entryBytes + 1) }]);
    expectDctError(() => readTar(big), 'KEY_ARCHIVE_TOO_LARGE');
  });
});

describe('gunzipBounded', () => {
  it('stops a gzip bomb at the limit', () => {
    const bomb = gzipSync(Buffer.alloc(LIMITS.totalBytes + 1));
    expect(bomb.length).toBeLessThan(100_000);
    expectDctError(() => gunzipBounded(bomb), 'KEY_ARCHIVE_TOO_LARGE');
    expect(gunzipBounded(gzipSync(Buffer.alloc(LIMITS.totalBytes))).length).toBe(LIMITS.totalBytes);
  });

  it('reports truncated or corrupt gzip as a bad archive', () => {
    const gz = fixture('backup-gnu.tar.gz');
    expectDctError(() => gunzipBounded(gz.subarray(0, gz.length - 20)), 'KEY_BAD_ARCHIVE');
    const corrupt = Buffer.from(gz);
    corrupt[20] ^= 0xff;
    corrupt[21] ^= 0xff;
    expectDctError(() => gunzipBounded(corrupt), 'KEY_BAD_ARCHIVE');
  });
});
