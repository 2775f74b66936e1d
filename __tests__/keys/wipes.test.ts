/**
 * Every zeroing of secret bytes made observable: the buffers the key code allocates are
 * captured where they are handed to Node's crypto (or to our own DER, PEM and tar readers),
 * and must hold only zeros once the public function returns.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Buffers seen on their way through the wrapped functions, by where they were seen. */
const seen = vi.hoisted(() => new Map<string, Buffer[]>());
/** derOctets calls, input and output: the octets around a zeroed input must be zeroed too. */
const octets = vi.hoisted(() => [] as { content: Uint8Array; out: Buffer }[]);
const record = vi.hoisted(() => (where: string, b: unknown) => {
  if (Buffer.isBuffer(b)) seen.set(where, [...(seen.get(where) ?? []), b]);
  return b;
});

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  type Cipher = ReturnType<typeof real.createCipheriv>;
  const watch = <T extends Pick<Cipher, 'update' | 'final'>>(c: T, name: string): T => {
    const update = c.update.bind(c) as (data: Buffer) => Buffer;
    const final = c.final.bind(c) as () => Buffer;
    return Object.assign(c, {
      update: (data: Buffer) => record(`${name}.out`, update(record(`${name}.in`, data) as Buffer)),
      final: () => record(`${name}.out`, final()),
    });
  };
  return {
    ...real,
    pbkdf2Sync: (...args: Parameters<typeof real.pbkdf2Sync>) => {
      record('pbkdf2.pass', args[0]);
      return record('pbkdf2.key', real.pbkdf2Sync(...args));
    },
    createCipheriv: (name: string, key: Buffer, iv: Buffer) =>
      watch(real.createCipheriv(name, record('cipher.key', key) as Buffer, iv), 'cipher'),
    createDecipheriv: (name: string, key: Buffer, iv: Buffer) =>
      watch(real.createDecipheriv(name, record('decipher.key', key) as Buffer, iv), 'decipher'),
    createHash: (algorithm: string) => {
      const h = real.createHash(algorithm);
      if (algorithm !== 'md5') return h;
      const digest = h.digest.bind(h) as () => Buffer;
      return Object.assign(h, { digest: () => record('md5.digest', digest()) });
    },
    createPrivateKey: (input: Parameters<typeof real.createPrivateKey>[0]) => {
      if (typeof input === 'object' && !Buffer.isBuffer(input) && 'key' in input) {
        record('createPrivateKey.der', input.key);
      }
      return real.createPrivateKey(input);
    },
  };
});

vi.mock('../../src/keys/tar.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/keys/tar.js')>();
  return {
    ...real,
    isGzip: (b: Buffer) => real.isGzip(record('decoded', b) as Buffer),
    gunzipBounded: (gz: Buffer, limit?: number) =>
      record('unpacked', real.gunzipBounded(gz, limit)),
  };
});

vi.mock('../../src/keys/pem.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/keys/pem.js')>();
  return {
    ...real,
    parsePem: (text: string) => {
      const blocks = real.parsePem(text);
      for (const b of blocks) record(`pem.${b.type}`, b.der);
      return blocks;
    },
  };
});

vi.mock('../../src/keys/der.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/keys/der.js')>();
  return {
    ...real,
    derOctets: (content: Uint8Array) => {
      const out = real.derOctets(content);
      octets.push({ content, out });
      return out;
    },
  };
});

// The unit files share one module registry per worker (vitest.config.ts, isolate: false):
// the modules under test are loaded afresh here, after the mocks above, so they see the
// mocks whichever file ran before in the same worker.
vi.resetModules();
const { encryptNotaryKey, encryptPkcs8 } = await import('../../src/keys/encrypt.js');
const { KeyRing } = await import('../../src/keys/keyring.js');
const { loadKeyBlock } = await import('../../src/keys/pkcs8.js');
const { parsePem } = await import('../../src/keys/pem.js');
const { disposeKeyFiles, readKeySecret } = await import('../../src/keys/secret.js');
const { writeTar } = await import('../../src/keys/tar.js');

/** All zeros (an empty buffer, e.g. a decipher's final block, is trivially so). */
const zeroed = (b: Buffer) => b.every((x) => x === 0);
const got = (where: string): Buffer[] => seen.get(where) ?? [];

/** Bytes were seen at `where`, and every buffer seen there is all zeros now. */
function expectWiped(where: string): void {
  const bufs = got(where);
  expect(
    bufs.reduce((n, b) => n + b.length, 0),
    where,
  ).toBeGreaterThan(0);
  expect(bufs.map(zeroed), where).toEqual(bufs.map(() => true));
}

const PASS = 'correct horse battery staple';

beforeEach(() => {
  seen.clear();
  octets.length = 0;
});
afterEach(() => vi.restoreAllMocks());

function ecKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

function newPrivateKey(type: 'ec' | 'rsa' | 'ed25519'): KeyObject {
  if (type === 'ec') return ecKey();
  if (type === 'rsa') return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return generateKeyPairSync('ed25519').privateKey;
}

function plainPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

describe('disposeKeyFiles', () => {
  it('zeroes the DER of every key file, which held the (unencrypted) key until then', () => {
    const { files } = readKeySecret(plainPem(ecKey()) + plainPem(ecKey()), () => undefined);
    const ders = files.map((f) => f.block.der);
    expect(ders).toHaveLength(2);
    expect(ders.some(zeroed)).toBe(false);
    disposeKeyFiles(files);
    expect(ders.every(zeroed)).toBe(true);
  });
});

describe('readKeySecret', () => {
  it('zeroes the decoded base64 and the unpacked archive of a .tar.gz input', () => {
    const key = ecKey();
    const tar = writeTar(
      [{ path: 'private/a.key', data: Buffer.from(plainPem(key)) }],
      new Date(0),
    );
    const input = gzipSync(tar).toString('base64');
    const { files } = readKeySecret(input, () => undefined);
    expect(files).toHaveLength(1);
    expect(got('decoded')).toHaveLength(1);
    expect(got('unpacked')).toHaveLength(1);
    expect(zeroed(got('decoded')[0])).toBe(true);
    expect(zeroed(got('unpacked')[0])).toBe(true);
    // The key file's own DER is a copy, kept until disposeKeyFiles.
    expect(zeroed(files[0].block.der)).toBe(false);
    disposeKeyFiles(files);
  });

  it('zeroes the DER of blocks it does not keep (a certificate next to the key)', () => {
    const cert = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a real certificate').toString('base64')}\n-----END CERTIFICATE-----\n`;
    const { files, notes } = readKeySecret(cert + plainPem(ecKey()), () => undefined);
    expect(notes).toEqual([
      'input block 1: ignored a CERTIFICATE block (only private keys are used)',
    ]);
    expect(got('pem.CERTIFICATE').map(zeroed)).toEqual([true]);
    expect(zeroed(files[0].block.der)).toBe(false);
    disposeKeyFiles(files);
  });

  it('zeroes the keys of earlier archive entries when a later entry is bad', () => {
    const tar = writeTar(
      [
        { path: 'private/a.key', data: Buffer.from(plainPem(ecKey())) },
        {
          path: 'private/b.key',
          data: Buffer.from('-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n'),
        },
      ],
      new Date(0),
    );
    expect(() => readKeySecret(gzipSync(tar).toString('base64'), () => undefined)).toThrow(
      /^private\/b\.key: /,
    );
    const keys = got('pem.PRIVATE KEY');
    expect(keys).toHaveLength(1);
    expect(zeroed(keys[0])).toBe(true);
  });

  it('parsePem zeroes the blocks it decoded before a bad one', () => {
    const captured: Buffer[] = [];
    const text = `${plainPem(ecKey())}-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n`;
    // The mocked parsePem records nothing when the real one throws: catch the decoded DER
    // where Buffer.from makes it instead (the key's DER is the only one over 100 bytes).
    const spy = vi.spyOn(Buffer, 'from');
    expect(() => parsePem(text)).toThrow();
    for (const r of spy.mock.results) {
      if (r.type === 'return' && Buffer.isBuffer(r.value) && r.value.length > 100) {
        captured.push(r.value);
      }
    }
    expect(captured.length).toBeGreaterThan(0);
    expect(captured.every(zeroed)).toBe(true);
  });
});

describe('decrypting a key (loadKeyBlock)', () => {
  for (const type of ['ec', 'rsa', 'ed25519'] as const) {
    it(`PBES2, ${type}: zeroes the passphrase bytes, the derived key, the plaintext and the DER it loads`, () => {
      const pem = encryptNotaryKey(newPrivateKey(type), PASS, {
        role: 'targets',
        gun: 'example.com/app',
      });
      const [block] = parsePem(pem);
      seen.clear();
      const key = loadKeyBlock(block, PASS, 'the test key');
      expect(key.asymmetricKeyType).toBe(type);
      for (const where of ['pbkdf2.pass', 'pbkdf2.key', 'decipher.out', 'createPrivateKey.der'])
        expectWiped(where);
    });
  }

  it('PBES2 with a wrong passphrase: the same buffers are zeroed on the way out', () => {
    const pem = encryptNotaryKey(ecKey(), PASS, { role: 'targets', gun: 'example.com/app' });
    const [block] = parsePem(pem);
    seen.clear();
    expect(() => loadKeyBlock(block, 'wrong', 'the test key')).toThrow(
      expect.objectContaining({ code: 'KEY_BAD_PASSPHRASE' }),
    );
    for (const where of ['pbkdf2.pass', 'pbkdf2.key', 'decipher.out']) expectWiped(where);
  });

  it('legacy OpenSSL encryption: zeroes the derived key and the plaintext', () => {
    const pem = ecKey().export({
      type: 'sec1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: PASS,
    }) as string;
    const [block] = parsePem(pem);
    seen.clear();
    const key = loadKeyBlock(block, PASS, 'the test key');
    expect(key.asymmetricKeyType).toBe('ec');
    for (const where of ['md5.digest', 'decipher.key', 'decipher.out', 'createPrivateKey.der'])
      expectWiped(where);
  });
});

describe('encrypting a key (encryptPkcs8)', () => {
  for (const type of ['ec', 'rsa', 'ed25519'] as const) {
    it(`${type}: zeroes the passphrase bytes, the derived key, the key's export and the plaintext PKCS#8`, () => {
      const key = newPrivateKey(type);
      const exported: Buffer[] = [];
      const real = key.export.bind(key);
      vi.spyOn(key, 'export').mockImplementation(((opts: Parameters<KeyObject['export']>[0]) => {
        const out = real(opts as never);
        if (Buffer.isBuffer(out)) exported.push(out);
        return out;
      }) as KeyObject['export']);
      const der = encryptPkcs8(key, PASS);
      expect(der.length).toBeGreaterThan(100);
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.every(zeroed)).toBe(true);
      // The inner private key, zeroed, and the OCTET STRING wrapping it, zeroed too.
      const secret = octets.filter((o) => o.content.every((x) => x === 0));
      expect(secret).toHaveLength(1);
      expect(zeroed(secret[0].out)).toBe(true);
      for (const where of ['pbkdf2.pass', 'pbkdf2.key', 'cipher.in']) expectWiped(where);
    });
  }
});

describe('KeyRing', () => {
  it('zeroes the PKCS#8 exports it compares when one key is given twice', () => {
    const key = ecKey();
    const exports: Buffer[] = [];
    const proto = Object.getPrototypeOf(key) as KeyObject;
    // Called below with each key as `this`, as the prototype's own method.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const real = proto.export;
    vi.spyOn(proto, 'export').mockImplementation(function (
      this: KeyObject,
      opts?: Parameters<KeyObject['export']>[0],
    ) {
      const out = real.call(this, opts as never);
      if (Buffer.isBuffer(out)) exports.push(out);
      return out;
    });
    const pem = encryptNotaryKey(key, PASS, { role: 'ci' });
    const { files } = readKeySecret(pem + pem, () => undefined);
    exports.length = 0;
    const ring = KeyRing.open(files, { passphrase: PASS, include: 'signing' });
    expect(ring.ids().length).toBe(1);
    expect(exports).toHaveLength(2);
    expect(exports.every(zeroed)).toBe(true);
    ring.dispose();
    disposeKeyFiles(files);
  });
});
