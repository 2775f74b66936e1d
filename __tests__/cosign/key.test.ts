import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertP256,
  cosignPublicKeyPem,
  decryptCosignKey,
  encryptCosignKey,
  writeCosignKeyPair,
} from '../../src/cosign/key.js';
import { isDctError } from '../../src/errors.js';

const p256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

async function codeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return isDctError(e) ? e.code : `not a DctError: ${String(e)}`;
  }
  return undefined;
}

function body(pem: string): Record<string, unknown> {
  const b64 = pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');
  return JSON.parse(Buffer.from(b64, 'base64').toString()) as Record<string, unknown>;
}

function pem(type: string, doc: unknown): string {
  const b64 = Buffer.from(JSON.stringify(doc)).toString('base64');
  return `-----BEGIN ${type}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${type}-----\n`;
}

describe('the cosign encrypted key', () => {
  it('is written in cosign generate-key-pair layout and reads back', async () => {
    const key = p256();
    const text = await encryptCosignKey(key, 'pass word');
    expect(text).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    const doc = body(text) as {
      kdf: { name: string; params: unknown; salt: string };
      cipher: { name: string; nonce: string };
      ciphertext: string;
    };
    expect(Object.keys(doc)).toEqual(['kdf', 'cipher', 'ciphertext']);
    expect(doc.kdf.name).toBe('scrypt');
    expect(doc.kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    expect(Buffer.from(doc.kdf.salt, 'base64')).toHaveLength(32);
    expect(doc.cipher.name).toBe('nacl/secretbox');
    expect(Buffer.from(doc.cipher.nonce, 'base64')).toHaveLength(24);
    const back = await decryptCosignKey(text, 'pass word', 'test');
    expect(back.export({ format: 'jwk' })).toEqual(key.export({ format: 'jwk' }));
  });

  it('reads the older ENCRYPTED COSIGN PRIVATE KEY type, and keys without a password', async () => {
    const text = await encryptCosignKey(p256(), '');
    const older = text.replace(/SIGSTORE/g, 'COSIGN');
    expect((await decryptCosignKey(older, '', 'test')).asymmetricKeyType).toBe('ec');
  });

  it('says the password is wrong, and refuses what is not a cosign key', async () => {
    const text = await encryptCosignKey(p256(), 'right');
    expect(await codeOf(() => decryptCosignKey(text, 'wrong', 'test'))).toBe(
      'COSIGN_KEY_BAD_PASSWORD',
    );
    const doc = body(text);
    expect(
      await codeOf(() =>
        decryptCosignKey(
          pem('ENCRYPTED SIGSTORE PRIVATE KEY', { ...doc, kdf: { name: 'pbkdf2' } }),
          'right',
          't',
        ),
      ),
    ).toBe('COSIGN_KEY_INVALID');
    const weak = { ...doc, kdf: { ...(doc.kdf as object), params: { N: 1024, r: 8, p: 1 } } };
    expect(
      await codeOf(() => decryptCosignKey(pem('ENCRYPTED SIGSTORE PRIVATE KEY', weak), 'r', 't')),
    ).toBe('COSIGN_KEY_INVALID');
    expect(
      await codeOf(() =>
        decryptCosignKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', '', 't'),
      ),
    ).toBe('COSIGN_KEY_INVALID');
  });

  it('accepts only ECDSA P-256 keys for signing', async () => {
    assertP256(p256(), 'k');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    for (const k of [p384, rsa, ed]) {
      expect(await codeOf(() => assertP256(k, 'k'))).toBe('COSIGN_KEY_UNSUPPORTED');
    }
    // A P-384 key in cosign's format decrypts, and is then refused for signing.
    const text = await encryptCosignKey(p384, 'pw');
    expect(await codeOf(async () => assertP256(await decryptCosignKey(text, 'pw', 't'), 't'))).toBe(
      'COSIGN_KEY_UNSUPPORTED',
    );
  });

  it('writes NAME.cosign.key (0600) and NAME.cosign.pub, never over existing files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dct-cosign-key-'));
    const key = p256();
    const paths = await writeCosignKeyPair(dir, 'ci', key, 'pw');
    expect(paths).toEqual({
      privateKey: join(dir, 'ci.cosign.key'),
      publicKey: join(dir, 'ci.cosign.pub'),
    });
    expect((await stat(paths.privateKey)).mode & 0o777).toBe(0o600);
    const pub = await readFile(paths.publicKey, 'utf8');
    expect(pub).toBe(cosignPublicKeyPem(key));
    expect(createPublicKey(pub).export({ format: 'jwk' })).toEqual(
      createPublicKey(key).export({ format: 'jwk' }),
    );
    const priv = await readFile(paths.privateKey, 'utf8');
    expect((await decryptCosignKey(priv, 'pw', 't')).export({ format: 'jwk' }).d).toBe(
      key.export({ format: 'jwk' }).d,
    );
    expect(await codeOf(() => writeCosignKeyPair(dir, 'ci', p256(), 'pw'))).toBe(
      'COSIGN_KEY_EXISTS',
    );
    expect(await readFile(paths.privateKey, 'utf8')).toBe(priv);
    // Only the public file is in the way: the private one is not left behind alone.
    await writeFile(join(dir, 'qa.cosign.pub'), 'in the way');
    expect(await codeOf(() => writeCosignKeyPair(dir, 'qa', p256(), 'pw'))).toBe(
      'COSIGN_KEY_EXISTS',
    );
    expect((await readdir(dir)).sort()).toEqual([
      'ci.cosign.key',
      'ci.cosign.pub',
      'qa.cosign.pub',
    ]);
  });
});
