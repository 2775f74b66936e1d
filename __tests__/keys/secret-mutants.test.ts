/**
 * secret.ts at its edges, against the mutants StrykerJS left alive: what is masked (every
 * base64 line and the joined base64), the wipes of the decoded input on every path (PEM in
 * base64, gzip of PEM, errors), the base64 and size checks at their bounds, which name a
 * key's role, gun and ID come from (header, archive path, `path:` header), archive notes and
 * errors, and `keyPathInfo` on layouts it must not read.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DctError } from '../../src/errors.js';
import { generateKey } from '../../src/keys/encrypt.js';
import { disposeKeyFiles, keyPathInfo, readKeySecret } from '../../src/keys/secret.js';
import { LIMITS } from '../../src/keys/tar.js';
import { expectDctError, makeTar } from './helpers.js';

const id = 'ab'.repeat(32);
const keyPem = () => generateKey('ecdsa').export({ type: 'pkcs8', format: 'pem' }) as string;

function collect(input: string) {
  const masked: string[] = [];
  const out = readKeySecret(input, (s) => masked.push(s));
  return { ...out, masked };
}

/** Captures the Buffers Buffer.from makes from base64 text while `fn` runs. */
function decodedWhile(fn: () => unknown): Buffer[] {
  const spy = vi.spyOn(Buffer, 'from');
  try {
    fn();
  } catch {
    // the wipe on the way out is what is checked
  }
  const out: Buffer[] = [];
  spy.mock.calls.forEach((args, i) => {
    const r = spy.mock.results[i];
    if ((args as unknown[])[1] === 'base64' && r.type === 'return' && Buffer.isBuffer(r.value))
      out.push(r.value);
  });
  spy.mockRestore();
  return out;
}

const zeroed = (b: Buffer) => b.length > 0 && b.every((x) => x === 0);

afterEach(() => vi.restoreAllMocks());

describe('masking', () => {
  it('masks each line of a base64 input and, for several lines, the joined base64', () => {
    const pem = keyPem();
    const b64 = Buffer.from(pem).toString('base64');
    const lines = b64.match(/.{1,64}/g)!;
    const { masked } = collect(lines.join('\n'));
    for (const l of lines) expect(masked).toContain(l);
    expect(masked).toContain(b64);
    // and the PEM body lines inside
    for (const l of pem.split('\n').filter((x) => x && !x.startsWith('-----'))) {
      expect(masked).toContain(l);
    }
  });

  it('masks the lines of every PEM block of every key file in an archive', () => {
    const a = keyPem();
    const b = keyPem();
    const tar = makeTar([
      { name: `private/${id}.key`, data: a + b },
      { name: 'private/other.key', data: keyPem() },
    ]);
    const { masked, files } = collect(gzipSync(tar).toString('base64'));
    expect(files.map((f) => f.source)).toEqual([
      `private/${id}.key`,
      `private/${id}.key block 2`,
      'private/other.key',
    ]);
    for (const l of (a + b).split('\n').filter((x) => x && !x.startsWith('-----'))) {
      expect(masked).toContain(l);
    }
  });
});

describe('masking, exactly', () => {
  it('masks no empty string, and a one-line input once', () => {
    const b64 = Buffer.from(keyPem()).toString('base64');
    const one = collect(`\n${b64}\n\n`).masked;
    expect(one).not.toContain('');
    expect(one.filter((m) => m === b64)).toHaveLength(1);
    const many = collect(b64.match(/.{1,64}/g)!.join('\n\n')).masked;
    expect(many).not.toContain('');
    expect(many.filter((m) => m === b64)).toHaveLength(1);
  });
});

describe('the decoded input is zeroed on every path', () => {
  it('base64 of PEM text', () => {
    const input = Buffer.from(keyPem()).toString('base64');
    const bufs = decodedWhile(() => {
      const { files } = readKeySecret(input, () => undefined);
      disposeKeyFiles(files);
    });
    const whole = bufs.filter((b) => b.length > 200);
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.every(zeroed)).toBe(true);
  });

  it('base64 that decodes to neither PEM nor an archive', () => {
    const text = 'x'.repeat(300);
    const bufs = decodedWhile(() =>
      expectDctError(
        () => readKeySecret(Buffer.from(text).toString('base64'), () => undefined),
        'KEY_NOT_A_KEY',
      ),
    );
    const whole = bufs.filter((b) => b.length === 300);
    expect(whole).toHaveLength(1);
    expect(zeroed(whole[0])).toBe(true);
  });
});

describe('readKeySecret: input checks', () => {
  it('says “holds no private key” with the notes, or without when there are none', () => {
    const pub = `-----BEGIN PUBLIC KEY-----\n${Buffer.from('pub').toString('base64')}\n-----END PUBLIC KEY-----\n`;
    const err = expectDctError(() => collect(pub), 'KEY_NOT_A_KEY');
    expect(err.message).toBe(
      'the keys input holds no private key (input block 1: ignored a PUBLIC KEY block (only private keys are used)); give the encrypted key files from ~/.docker/trust/private',
    );
    const two = expectDctError(() => collect(pub + pub), 'KEY_NOT_A_KEY');
    expect(two.message).toContain(
      '(input block 1: ignored a PUBLIC KEY block (only private keys are used); input block 2: ignored',
    );
    const empty = expectDctError(
      () => collect('-----BEGIN X-----\n-----END X-----\n'),
      'KEY_NOT_A_KEY',
    );
    expect(empty.message).toContain('holds no private key (input block 1: ignored a X block');
    const text = Buffer.from('-----BEGIN nothing').toString('base64');
    expect(expectDctError(() => collect(text), 'KEY_NOT_A_KEY').message).toBe(
      'the keys input holds no private key; give the encrypted key files from ~/.docker/trust/private',
    );
    // PEM text inside base64 names its blocks the same way
    const inner = expectDctError(
      () => collect(Buffer.from(pub).toString('base64')),
      'KEY_NOT_A_KEY',
    );
    expect(inner.message).toContain('(input block 1: ignored a PUBLIC KEY block');
  });

  it('an empty input, or only blank lines, is KEY_NOT_A_KEY', () => {
    for (const input of ['', ' ', '\n\n', '\t\r\n']) {
      const err = expectDctError(() => collect(input), 'KEY_NOT_A_KEY');
      expect(err.message).toBe('the keys input is empty');
    }
  });

  it('base64 with padding, blank lines between lines, or one char too many', () => {
    const pem = keyPem();
    for (let cut = 0; cut < 3; cut++) {
      // PEM text of length ≡ 0, 1, 2 (mod 3) gives base64 ending in no, two and one `=`
      const text = pem + ' '.repeat(cut);
      const b64 = Buffer.from(text).toString('base64');
      expect(collect(b64).files).toHaveLength(1);
      expect(collect(`${b64.slice(0, 40)}\n\n${b64.slice(40)}\n`).files).toHaveLength(1);
    }
    // 'AAAAA==': five characters before the padding, one too many however much padding follows
    for (const bad of ['QUJD===', '=QUJD', 'QU JD', 'QUJD-', 'QUJDR', 'AAAAA==']) {
      const err = expectDctError(() => collect(bad), 'KEY_BAD_BASE64');
      expect(err.message).toContain('neither PEM key text nor valid base64');
    }
  });

  it('base64 longer than the archive limit is refused before decoding; at the limit it is read', () => {
    // The longest base64 (whole quads) that decodes to no more than the limit, and one quad more.
    const at = 'A'.repeat(Math.floor((LIMITS.totalBytes * 4) / 3 / 4) * 4);
    const over = `${at}AAAA`;
    expect((at.length * 3) / 4).toBeLessThanOrEqual(LIMITS.totalBytes);
    expect((over.length * 3) / 4).toBeGreaterThan(LIMITS.totalBytes);
    const err = expectDctError(() => collect(over), 'KEY_ARCHIVE_TOO_LARGE');
    expect(err.message).toBe('the keys input is larger than 16 MiB');
    // At the limit: decoded and found to be no key, not refused for its size.
    expectDctError(() => collect(at), 'KEY_NOT_A_KEY');
  });

  it('gzip of something else is KEY_BAD_ARCHIVE; a tar in base64 without gzip is read', () => {
    const err = expectDctError(
      () => collect(gzipSync('plain text').toString('base64')),
      'KEY_BAD_ARCHIVE',
    );
    expect(err.message).toBe('the gzip data in the keys input is not a tar archive');
    const tar = makeTar([{ name: `private/${id}.key`, data: keyPem() }]);
    expect(collect(tar.toString('base64')).files[0].idFromName).toBe(id);
    const notKey = expectDctError(
      () => collect(Buffer.from('hello there').toString('base64')),
      'KEY_NOT_A_KEY',
    );
    expect(notKey.message).toContain('decodes to neither PEM key text nor a .tar.gz');
  });
});

describe('where a key’s role, gun and ID come from', () => {
  it('PEM headers win over the archive path, which wins over a `path:` header', () => {
    const pem = keyPem().replace(
      /-----\n/,
      `-----\nrole: fromheader\ngun: gun/header\npath: tuf_keys/gun/path/${'cd'.repeat(32)}_frompath\n\n`,
    );
    const inTar = makeTar([{ name: `private/tuf_keys/gun/tar/${id}_fromtar.key`, data: pem }]);
    const [f] = collect(gzipSync(inTar).toString('base64')).files;
    expect([f.role, f.gun, f.idFromName]).toEqual(['fromheader', 'gun/header', id]);
    const bare = keyPem();
    const inTar2 = makeTar([{ name: `private/tuf_keys/gun/tar/${id}_fromtar.key`, data: bare }]);
    const [g] = collect(gzipSync(inTar2).toString('base64')).files;
    expect([g.role, g.gun, g.idFromName]).toEqual(['fromtar', 'gun/tar', id]);
    // no archive: the path header gives all three
    const [h] = collect(
      keyPem().replace(/-----\n/, `-----\npath: tuf_keys/gun/path/${id}_frompath\n\n`),
    ).files;
    expect([h.role, h.gun, h.idFromName]).toEqual(['frompath', 'gun/path', id]);
  });

  it('a `path:` header with or without `.key`; none of it when the path names no key', () => {
    for (const p of [`${id}`, `${id}.key`, `private/${id}.key`]) {
      const [f] = collect(keyPem().replace(/-----\n/, `-----\npath: ${p}\n\n`)).files;
      expect(f.idFromName, p).toBe(id);
      expect('role' in f || 'gun' in f).toBe(false);
    }
    const [f] = collect(keyPem().replace(/-----\n/, '-----\npath: notes/readme\n\n')).files;
    expect(Object.keys(f).sort()).toEqual(['block', 'source']);
    // empty headers are no role and no gun
    const [g] = collect(keyPem().replace(/-----\n/, '-----\nrole:\ngun:\n\n')).files;
    expect(Object.keys(g).sort()).toEqual(['block', 'source']);
  });
});

describe('archives', () => {
  it('notes skipped files and key files without a key, and names the bad entry', () => {
    const tar = makeTar([
      { name: 'private/a.pub', data: 'x' },
      { name: 'private/b.txt', data: 'x' },
      { name: 'private/empty.key', data: 'nothing here' },
      { name: `private/${id}.key`, data: keyPem() },
    ]);
    const { notes, files } = collect(gzipSync(tar).toString('base64'));
    expect(files).toHaveLength(1);
    expect(notes).toEqual([
      'private/empty.key: holds no private key',
      'the key archive holds 2 other file(s), ignored',
    ]);
    const only = makeTar([{ name: `private/${id}.key`, data: keyPem() }]);
    expect(collect(gzipSync(only).toString('base64')).notes).toEqual([]);
  });

  it('an archive without key files, or whose .key files hold none, is KEY_NOT_A_KEY', () => {
    for (const entries of [
      [{ name: 'private/a.pub', data: 'x' }],
      [{ name: 'private/a.key', data: 'x' }],
    ]) {
      const err = expectDctError(
        () => collect(gzipSync(makeTar(entries)).toString('base64')),
        'KEY_NOT_A_KEY',
      );
      expect(err.message).toBe(
        'the key archive holds no private key files (*.key); archive ~/.docker/trust/private',
      );
    }
  });

  it('an error in an entry keeps its code and is prefixed with the entry path', () => {
    const tar = makeTar([
      {
        name: `private/${id}.key`,
        data: '-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n',
      },
    ]);
    let caught: unknown;
    try {
      collect(gzipSync(tar).toString('base64'));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DctError);
    const err = caught as DctError;
    expect(err.code).toBe('KEY_BAD_BASE64');
    expect(err.message).toBe(
      `private/${id}.key: PEM block 1 (PRIVATE KEY) does not hold valid base64; paste the key file unchanged`,
    );
    expect((err.cause as DctError).code).toBe('KEY_BAD_BASE64');
  });
});

describe('keyPathInfo', () => {
  it('reads only `<64 hex>.key` or `<64 hex>_<role>.key`, as the last segment', () => {
    expect(keyPathInfo(`${id}.key`)).toStrictEqual({ idFromName: id });
    expect(keyPathInfo(`./private/./${id}_targets.key`)).toEqual({
      idFromName: id,
      role: 'targets',
    });
    expect(keyPathInfo(`private//${id}.key/`)).toEqual({ idFromName: id });
    for (const p of [
      `x${id}.key`,
      `${id}.keyx`,
      `${id.toUpperCase()}.key`,
      `${id.slice(1)}.key`,
      `${id}_.key`,
      `${id}.key.bak`,
      `${id}/x.key`,
      '',
    ]) {
      expect(keyPathInfo(p), p).toEqual({});
    }
  });

  it('root_keys only as the parent; tuf_keys only above the parent', () => {
    expect(keyPathInfo(`root_keys/${id}.key`)).toEqual({ idFromName: id, role: 'root' });
    expect(keyPathInfo(`root_keys/x/${id}.key`)).toEqual({ idFromName: id });
    // `.` and empty segments are no folder: a root key stays a root key, a GUN stays whole
    expect(keyPathInfo(`root_keys/./${id}.key`)).toEqual({ idFromName: id, role: 'root' });
    expect(keyPathInfo(`root_keys//${id}.key`)).toEqual({ idFromName: id, role: 'root' });
    expect(keyPathInfo(`tuf_keys/./g/./h/${id}.key`)).toEqual({ idFromName: id, gun: 'g/h' });
    // the legacy path wins over a role in the name
    expect(keyPathInfo(`root_keys/${id}_targets.key`)).toEqual({ idFromName: id, role: 'root' });
    expect(keyPathInfo(`tuf_keys/${id}_targets.key`)).toEqual({ idFromName: id, role: 'targets' });
    expect(keyPathInfo(`a/tuf_keys/g/${id}.key`)).toEqual({ idFromName: id, gun: 'g' });
    // the last tuf_keys counts
    expect(keyPathInfo(`tuf_keys/a/tuf_keys/b/c/${id}.key`)).toEqual({
      idFromName: id,
      gun: 'b/c',
    });
  });
});
