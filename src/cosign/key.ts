/**
 * cosign's encrypted private key (`cosign generate-key-pair`, cosign `pkg/cosign/keys.go`): a
 * PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (older: `ENCRYPTED COSIGN PRIVATE KEY`) whose
 * body is the JSON of go-securesystemslib's `encrypted` package:
 * `{"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},"cipher":{"name":"nacl/secretbox",
 * "nonce"},"ciphertext"}`, byte fields base64. The key is scrypt(password, salt) (32 bytes),
 * the plaintext the PKCS#8 DER of the private key, sealed with XSalsa20-Poly1305 (NaCl
 * secretbox: tag first). Node has scrypt but not XSalsa20, which comes from @noble/ciphers.
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DctError } from '../errors.js';
import { encodePem, parsePem } from '../keys/pem.js';
import { curveOf } from '../keys/rules.js';

export const SIGSTORE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';

/** The scrypt strengths go-securesystemslib accepts (Legacy, Standard, OWASP); r=8, p=1. */
const ACCEPTED_N = new Set([32768, 65536, 131072]);
/** What cosign writes today (`encrypted.Standard`). */
const WRITE_N = 65536;
const SALT_BYTES = 32;
const NONCE_BYTES = 24;
/** scrypt needs 128·N·r bytes: 128 MiB at N = 2^17. */
const SCRYPT_MAXMEM = 256 << 20;

interface EncryptedDoc {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function deriveKey(password: string, salt: Buffer, n: number): Buffer {
  const pass = Buffer.from(password, 'utf8');
  try {
    return scryptSync(pass, salt, 32, { N: n, r: 8, p: 1, maxmem: SCRYPT_MAXMEM });
  } finally {
    pass.fill(0);
  }
}

function b64(value: unknown, what: string, length?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw notCosignKey(`its ${what} is not base64`);
  }
  const out = Buffer.from(value, 'base64');
  if (length !== undefined && out.length !== length) {
    throw notCosignKey(`its ${what} is ${out.length} bytes, not ${length}`);
  }
  return out;
}

/** XSalsa20-Poly1305, loaded on first use: only runs with a cosign key need it. */
const salsa = () => import('@noble/ciphers/salsa.js');

function notCosignKey(why: string): DctError {
  return new DctError('COSIGN_KEY_INVALID', `the cosign key is not one cosign wrote: ${why}`);
}

/**
 * Decrypts a cosign private key. `label` names where it came from (an input) in messages.
 * Throws COSIGN_KEY_INVALID (not that format), COSIGN_KEY_BAD_PASSWORD.
 */
export async function decryptCosignKey(
  pem: string,
  password: string,
  label: string,
): Promise<KeyObject> {
  const { secretbox } = await salsa();
  const blocks = parsePem(pem);
  const block = blocks.find((b) => b.type === SIGSTORE_KEY_PEM || b.type === COSIGN_KEY_PEM);
  for (const b of blocks) if (b !== block) b.der.fill(0);
  if (block === undefined) {
    throw new DctError(
      'COSIGN_KEY_INVALID',
      `${label} holds no ${SIGSTORE_KEY_PEM} (or ${COSIGN_KEY_PEM}) block; give the cosign.key file that \`cosign generate-key-pair\` or \`dct key export --cosign\` wrote`,
    );
  }
  let doc: EncryptedDoc;
  try {
    doc = JSON.parse(block.der.toString('utf8')) as EncryptedDoc;
  } catch (e) {
    throw new DctError('COSIGN_KEY_INVALID', `${label}: the key body is not cosign's JSON`, {
      cause: e,
    });
  }
  const kdf = doc?.kdf;
  const params = kdf?.params;
  if (kdf?.name !== 'scrypt' || doc.cipher?.name !== 'nacl/secretbox') {
    throw notCosignKey(`${label} is not encrypted with scrypt and nacl/secretbox`);
  }
  if (!ACCEPTED_N.has(params?.N) || params.r !== 8 || params.p !== 1) {
    throw notCosignKey(`${label} has unsupported scrypt parameters`);
  }
  const salt = b64(kdf.salt, 'salt');
  const nonce = b64(doc.cipher.nonce, 'nonce', NONCE_BYTES);
  const sealed = b64(doc.ciphertext, 'ciphertext');
  const key = deriveKey(password, salt, params.N);
  let plain: Uint8Array | undefined;
  try {
    try {
      plain = secretbox(key, nonce).open(sealed);
    } catch {
      throw new DctError(
        'COSIGN_KEY_BAD_PASSWORD',
        `${label} could not be decrypted: the password is wrong`,
      );
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({
        key: Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength),
        format: 'der',
        type: 'pkcs8',
      });
    } catch (e) {
      throw new DctError('COSIGN_KEY_INVALID', `${label} decrypts to no PKCS#8 private key`, {
        cause: e,
      });
    }
    return privateKey;
  } finally {
    key.fill(0);
    plain?.fill(0);
    block.der.fill(0);
  }
}

/** cosign needs an ECDSA P-256 key to sign as `cosign sign --key` does with its own keys. */
export function assertP256(key: KeyObject, label: string): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curveOf(key)?.name !== 'P-256') {
    const what =
      key.asymmetricKeyType === 'ec'
        ? `an EC ${curve ?? '?'}`
        : `a ${String(key.asymmetricKeyType)}`;
    throw new DctError(
      'COSIGN_KEY_UNSUPPORTED',
      `${label} is ${what} key; cosign signing here needs an ECDSA P-256 key (what \`cosign generate-key-pair\` and docker make)`,
    );
  }
}

/** The key as `cosign generate-key-pair` writes `cosign.key`, encrypted with `password`. */
export async function encryptCosignKey(key: KeyObject, password: string): Promise<string> {
  if (key.type !== 'private') throw new TypeError('encryptCosignKey needs a private key');
  const { secretbox } = await salsa();
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const derived = deriveKey(password, salt, WRITE_N);
  const plain = key.export({ type: 'pkcs8', format: 'der' });
  try {
    const sealed = secretbox(derived, nonce).seal(plain);
    // Field order and names as Go's json.Marshal writes go-securesystemslib's structs.
    const doc: EncryptedDoc = {
      kdf: {
        name: 'scrypt',
        params: { N: WRITE_N, r: 8, p: 1 },
        salt: salt.toString('base64'),
      },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: Buffer.from(sealed).toString('base64'),
    };
    return encodePem({
      type: SIGSTORE_KEY_PEM,
      headers: {},
      der: Buffer.from(JSON.stringify(doc), 'utf8'),
    });
  } finally {
    derived.fill(0);
    plain.fill(0);
  }
}

/** `cosign.pub`: the PKIX public key as PEM `PUBLIC KEY`. */
export function cosignPublicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return encodePem({
    type: 'PUBLIC KEY',
    headers: {},
    der: pub.export({ type: 'spki', format: 'der' }),
  });
}

/**
 * Writes `<dir>/<name>.cosign.key` (mode 0600, encrypted with `password`) and
 * `<dir>/<name>.cosign.pub`, for `dct key export NAME --cosign`. Existing files are never
 * overwritten (COSIGN_KEY_EXISTS). Returns the two paths.
 */
export async function writeCosignKeyPair(
  dir: string,
  name: string,
  key: KeyObject,
  password: string,
): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(dir, `${name}.cosign.key`);
  const publicKey = join(dir, `${name}.cosign.pub`);
  assertP256(key, `the key ${name}`);
  const pem = await encryptCosignKey(key, password);
  const pub = cosignPublicKeyPem(key);
  const written: string[] = [];
  try {
    for (const [path, text, mode] of [
      [privateKey, pem, 0o600],
      [publicKey, pub, 0o644],
    ] as const) {
      await writeFile(path, text, { mode, flag: 'wx' });
      written.push(path);
    }
  } catch (e) {
    // Never leave half a pair behind.
    await Promise.all(written.map((p) => rm(p, { force: true })));
    if ((e as { code?: unknown }).code === 'EEXIST') {
      throw new DctError(
        'COSIGN_KEY_EXISTS',
        `${(e as { path?: string }).path ?? dir}: exists already; move it away first`,
        {
          cause: e,
        },
      );
    }
    throw e;
  }
  return { privateKey, publicKey };
}
