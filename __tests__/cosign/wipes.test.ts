/**
 * The cosign key's secret bytes are zeroed (src/cosign/key.ts): the password bytes and the
 * scrypt key, the decrypted PKCS#8, the key's export and the PEM blocks read. Buffers are
 * captured where they reach Node's crypto or our PEM reader.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const seen = vi.hoisted(() => new Map<string, Buffer[]>());
const record = vi.hoisted(() => (where: string, b: unknown) => {
  if (Buffer.isBuffer(b)) seen.set(where, [...(seen.get(where) ?? []), b]);
  return b;
});

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    scryptSync: (...args: Parameters<typeof real.scryptSync>) => {
      record('scrypt.pass', args[0]);
      return record('scrypt.key', real.scryptSync(...args));
    },
    createPrivateKey: (input: Parameters<typeof real.createPrivateKey>[0]) => {
      if (typeof input === 'object' && !Buffer.isBuffer(input) && 'key' in input) {
        record('createPrivateKey.der', input.key);
      }
      return real.createPrivateKey(input);
    },
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

// The unit files share one module registry per worker (vitest.config.ts, isolate: false):
// the modules under test are loaded afresh here, after the mocks above, so they see the
// mocks whichever file ran before in the same worker.
vi.resetModules();
const { decryptCosignKey, encryptCosignKey } = await import('../../src/cosign/key.js');

const got = (where: string): Buffer[] => seen.get(where) ?? [];

/** Bytes were seen at `where`, and every buffer seen there is all zeros now. */
function expectWiped(where: string): void {
  const bufs = got(where);
  expect(
    bufs.reduce((n, b) => n + b.length, 0),
    where,
  ).toBeGreaterThan(0);
  expect(
    bufs.map((b) => b.every((x) => x === 0)),
    where,
  ).toEqual(bufs.map(() => true));
}

const PASSWORD = 'cosign password';

function p256(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

beforeEach(() => seen.clear());

describe('cosign key wipes', () => {
  it('encryptCosignKey zeroes the password bytes, the scrypt key and the key export', async () => {
    const key = p256();
    const exported: Buffer[] = [];
    const real = key.export.bind(key);
    vi.spyOn(key, 'export').mockImplementation(((opts: Parameters<KeyObject['export']>[0]) => {
      const out = real(opts as never);
      if (Buffer.isBuffer(out)) exported.push(out);
      return out;
    }) as KeyObject['export']);
    const pem = await encryptCosignKey(key, PASSWORD);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    expectWiped('scrypt.pass');
    expectWiped('scrypt.key');
    expect(exported).toHaveLength(1);
    expect(exported[0].every((x) => x === 0)).toBe(true);
  });

  it('decryptCosignKey zeroes the password bytes, the scrypt key, the PKCS#8 and every PEM block', async () => {
    const pem = await encryptCosignKey(p256(), PASSWORD);
    const extra = `-----BEGIN PUBLIC KEY-----\n${Buffer.from('not a key').toString('base64')}\n-----END PUBLIC KEY-----\n`;
    seen.clear();
    const key = await decryptCosignKey(extra + pem, PASSWORD, 'the cosign-key input');
    expect(key.asymmetricKeyType).toBe('ec');
    for (const where of [
      'scrypt.pass',
      'scrypt.key',
      'createPrivateKey.der',
      'pem.PUBLIC KEY',
      'pem.ENCRYPTED SIGSTORE PRIVATE KEY',
    ]) {
      expectWiped(where);
    }
  });

  it('with a wrong password, the scrypt key and the PEM block are zeroed too', async () => {
    const pem = await encryptCosignKey(p256(), PASSWORD);
    seen.clear();
    await expect(decryptCosignKey(pem, 'wrong', 'the cosign-key input')).rejects.toThrow(
      expect.objectContaining({ code: 'COSIGN_KEY_BAD_PASSWORD' }),
    );
    for (const where of ['scrypt.pass', 'scrypt.key', 'pem.ENCRYPTED SIGSTORE PRIVATE KEY']) {
      expectWiped(where);
    }
  });
});
