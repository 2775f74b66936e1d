import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePem, parsePem, pemBodyLines } from '../../src/keys/pem.js';
import { keyPathInfo, readKeySecret } from '../../src/keys/secret.js';
import { expectDctError, fixture, fixtureText, makeTar, manifest } from './helpers.js';

const flat = manifest.keys.filter((k) => k.file.startsWith('trust-private/'));
const allPem = flat.map((k) => fixtureText(k.file)).join('');

function collect(input: string) {
  const masked: string[] = [];
  const out = readKeySecret(input, (s) => masked.push(s));
  return { ...out, masked };
}

describe('readKeySecret', () => {
  it('reads concatenated PEM text with role and gun headers', () => {
    const { files, notes, masked } = collect(allPem);
    expect(files.map((f) => [f.source, f.role, f.gun ?? ''])).toEqual(
      flat.map((k, i) => [`input block ${i + 1}`, k.role, k.gun]),
    );
    expect(files.every((f) => f.idFromName === undefined)).toBe(true);
    expect(notes).toEqual([]);
    // every body line was masked
    expect(new Set(masked)).toEqual(new Set(pemBodyLines(allPem)));
  });

  it('reads base64 of the PEM text, with or without line breaks', () => {
    const b64 = Buffer.from(allPem.replace(/\n/g, '\r\n')).toString('base64');
    const wrapped = b64.replace(/(.{76})/g, '$1\n');
    for (const input of [b64, wrapped]) {
      const { files, masked } = collect(input);
      expect(files.map((f) => f.role)).toEqual(flat.map((k) => k.role));
      for (const line of input.split('\n')) expect(masked).toContain(line);
      for (const line of pemBodyLines(allPem)) expect(masked).toContain(line);
    }
  });

  it('reads base64 of a .tar.gz backup, names and legacy paths included', () => {
    for (const name of ['backup-gnu.tar.gz', 'backup-pax.tar.gz']) {
      const { files, masked } = collect(fixture(name).toString('base64'));
      const inTar = manifest.keys.filter((x) => /^(tar:|trust-private\/)/.test(x.file));
      expect(files.length).toBe(inTar.length);
      for (const k of inTar) {
        const f = files.find((x) => x.idFromName === k.id);
        expect(f, k.file).toBeDefined();
        expect([f!.role, f!.gun ?? '']).toEqual([k.role, k.gun]);
        expect(f!.source).toMatch(new RegExp(`private/.*${k.id}`));
      }
      for (const k of flat) {
        for (const line of pemBodyLines(fixtureText(k.file))) expect(masked).toContain(line);
      }
    }
  });

  it('reads `notary key export` output: IDs from the path headers', () => {
    const { files } = collect(fixtureText('notary-export.pem'));
    expect(files.map((f) => f.idFromName).sort()).toEqual(flat.map((k) => k.id).sort());
    // legacy locations in a path header give role and gun too
    const [block] = parsePem(fixtureText(flat[0].file));
    const id = flat[0].id;
    const legacy = encodePem({
      ...block,
      headers: { path: `tuf_keys/example.com/a/${id}_targets` },
    });
    expect(collect(legacy).files[0]).toMatchObject({
      idFromName: id,
      role: 'targets',
      gun: 'example.com/a',
    });
  });

  it('reads legacy and unencrypted PEM, and notes what it ignores', () => {
    const text = [
      fixtureText('legacy/ec-aes256.pem'),
      fixtureText('plain/public.pem'),
      fixtureText('root-cert.pem'),
      fixtureText('plain/sec1.pem'),
    ].join('\n\n');
    const { files, notes } = collect(text);
    expect(files.map((f) => [f.source, f.block.type])).toEqual([
      ['input block 1', 'EC PRIVATE KEY'],
      ['input block 4', 'EC PRIVATE KEY'],
    ]);
    expect(notes).toEqual([
      'input block 2: ignored a PUBLIC KEY block (only private keys are used)',
      'input block 3: ignored a CERTIFICATE block (only private keys are used)',
    ]);
  });

  it('reads a gzip of PEM text and an uncompressed tar', () => {
    expect(collect(gzipSync(allPem).toString('base64')).files.length).toBe(flat.length);
    const tar = makeTar([{ name: `private/${flat[0].id}.key`, data: fixtureText(flat[0].file) }]);
    expect(collect(tar.toString('base64')).files[0].idFromName).toBe(flat[0].id);
  });

  it('says what is wrong with inputs that hold no key', () => {
    expectDctError(() => collect('  \n'), 'KEY_NOT_A_KEY');
    expectDctError(() => collect(fixtureText('plain/public.pem')), 'KEY_NOT_A_KEY');
    expectDctError(() => collect('this is not base64!'), 'KEY_BAD_BASE64');
    expectDctError(() => collect('abcde'), 'KEY_BAD_BASE64');
    expectDctError(() => collect(Buffer.from('hello world').toString('base64')), 'KEY_NOT_A_KEY');
    expectDctError(() => collect(gzipSync('just text').toString('base64')), 'KEY_BAD_ARCHIVE');
    const noKeys = makeTar([{ name: 'private/readme.txt', data: 'hi' }]);
    expectDctError(() => collect(gzipSync(noKeys).toString('base64')), 'KEY_NOT_A_KEY');
    const evil = makeTar([{ name: '../../x.key', data: fixtureText(flat[0].file) }]);
    expectDctError(() => collect(gzipSync(evil).toString('base64')), 'KEY_ARCHIVE_PATH');
  });

  it('names the archive file when a key file in it is damaged', () => {
    const broken = fixtureText(flat[0].file).replace(/-----END[^\n]*\n/, '');
    const tar = makeTar([{ name: `private/${flat[0].id}.key`, data: broken }]);
    const err = expectDctError(() => collect(gzipSync(tar).toString('base64')), 'KEY_NOT_A_KEY');
    expect(err.message).toContain(`private/${flat[0].id}.key`);
  });
});

describe('keyPathInfo', () => {
  const id = 'a'.repeat(64);
  it('reads IDs, roles and guns from the current and legacy layouts', () => {
    expect(keyPathInfo(`private/${id}.key`)).toEqual({ idFromName: id });
    expect(keyPathInfo(`x/private/root_keys/${id}_root.key`)).toEqual({
      idFromName: id,
      role: 'root',
    });
    expect(keyPathInfo(`private/tuf_keys/docker.io/a/b/${id}_targets.key`)).toEqual({
      idFromName: id,
      role: 'targets',
      gun: 'docker.io/a/b',
    });
    expect(keyPathInfo('private/mykey.key')).toEqual({});
  });
});
