/**
 * Every error code of the keys module through the action's path (readKeySecret, then
 * KeyRing.open), each asserting the code and that the message holds no passphrase and no line
 * of the key secret.
 */
import { generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { derSequence, sequence } from '../../src/keys/der.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { KeyRing, type KeyRingOptions } from '../../src/keys/keyring.js';
import { encodePem, pemBodyLines } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { LIMITS } from '../../src/keys/tar.js';
import {
  expectDctError,
  fixture,
  fixtureKey,
  fixtureText,
  makeTar,
  manifest,
  parseDer,
} from './helpers.js';

const targets = fixtureKey((k) => k.role === 'targets' && k.file.startsWith('trust-private/'));
const rsa = fixtureKey((k) => k.type === 'rsa' && k.file.startsWith('trust-private/'));
const ALL: KeyRingOptions = {
  passphrase: manifest.passphrase,
  rootPassphrase: manifest.rootPassphrase,
  include: 'all',
};
const WRONG = 'Wrong-Pass-9999';

function open(input: string, opts: KeyRingOptions = ALL): KeyRing {
  return KeyRing.open(readKeySecret(input, () => {}).files, opts);
}

function tgz(entries: Parameters<typeof makeTar>[0]): string {
  return gzipSync(makeTar(entries)).toString('base64');
}

const cases: [code: string, input: () => string, opts?: KeyRingOptions][] = [
  ['KEY_BAD_PASSPHRASE', () => fixtureText(targets.file), { passphrase: WRONG, include: 'all' }],
  [
    'KEY_PASSPHRASE_MISSING',
    () => fixture('backup-pax.tar.gz').toString('base64'),
    { passphrase: manifest.passphrase, include: 'all' },
  ],
  ['KEY_NOT_A_KEY', () => fixtureText('plain/public.pem')],
  ['KEY_BAD_BASE64', () => 'not base64 & not PEM'],
  ['KEY_BAD_ARCHIVE', () => fixture('backup-gnu.tar.gz').subarray(0, 300).toString('base64')],
  [
    'KEY_ARCHIVE_TOO_LARGE',
    () => gzipSync(Buffer.alloc(LIMITS.totalBytes + 512)).toString('base64'),
  ],
  [
    'KEY_ARCHIVE_PATH',
    () => tgz([{ name: `private/../${targets.id}.key`, data: fixtureText(targets.file) }]),
  ],
  ['KEY_UNSUPPORTED', () => encryptNotaryKey(rsa1024(), manifest.passphrase, { role: 'x' })],
  [
    'KEY_ID_MISMATCH',
    () => tgz([{ name: `private/${rsa.id}.key`, data: fixtureText(targets.file) }]),
  ],
  ['KEY_DUPLICATE_ID', () => duplicate()],
];

function rsa1024() {
  // notary refuses RSA below 2048 bits (notary-spec.md §1.6)
  return generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
}

function duplicate(): string {
  const a = generateKey('ecdsa');
  const b = generateKey('ecdsa');
  const [v, d, p] = sequence(parseDer(a.export({ type: 'sec1', format: 'der' })), 'sec1');
  const pubB = sequence(parseDer(b.export({ type: 'sec1', format: 'der' })), 'sec1')[3];
  const forged = encodePem({
    type: 'EC PRIVATE KEY',
    headers: {},
    der: derSequence(v.raw, d.raw, p.raw, pubB.raw),
  });
  return (b.export({ type: 'pkcs8', format: 'pem' }) as string) + forged;
}

describe('error codes', () => {
  it.each(cases)('%s', (code, input, opts) => {
    const text = input();
    const secretLines = text.includes('-----BEGIN')
      ? pemBodyLines(text)
      : text.split('\n').filter((l) => l.length > 20);
    expectDctError(() => open(text, opts), code, [WRONG, ...secretLines]);
  });

  it('KEYRING_DISPOSED', () => {
    const ring = open(fixtureText(targets.file));
    ring.dispose();
    expectDctError(() => ring.ids(), 'KEYRING_DISPOSED');
  });

  it('no passphrase appears in any message, even a passphrase that looks like key text', () => {
    const pass = fixtureText(targets.file).split('\n')[4].slice(0, 24);
    const pem = encryptNotaryKey(generateKey('ecdsa'), pass, { role: 'targets/x' });
    expectDctError(
      () => open(pem, { passphrase: `${pass}x`, include: 'all' }),
      'KEY_BAD_PASSPHRASE',
      [pass],
    );
    expect(open(pem, { passphrase: pass, include: 'all' }).ids().length).toBe(1);
  });
});
