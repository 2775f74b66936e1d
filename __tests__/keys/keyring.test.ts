import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DctError } from '../../src/errors.js';
import { OID, derOid, derSequence, sequence } from '../../src/keys/der.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject, type TufKey } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { encodePem, parsePem } from '../../src/keys/pem.js';
import { readKeySecret, type KeyFile } from '../../src/keys/secret.js';
import { gzipSync } from 'node:zlib';
import {
  expectDctError,
  fixture,
  fixtureKey,
  fixtureText,
  makeTar,
  manifest,
  parseDer,
} from './helpers.js';

const PASS = { passphrase: manifest.passphrase, rootPassphrase: manifest.rootPassphrase };
const noMask = () => {};

function files(text: string): KeyFile[] {
  return readKeySecret(text, noMask).files;
}

function backup(name = 'backup-gnu.tar.gz'): KeyFile[] {
  return readKeySecret(fixture(name).toString('base64'), noMask).files;
}

function pemOf(key: KeyObject, type: 'pkcs8' | 'sec1' = 'pkcs8'): string {
  return key.export({ type, format: 'pem' }) as string;
}

const standalone = manifest.keys.filter((k) => !k.file.startsWith('tar:'));
const rootKey = fixtureKey((k) => k.role === 'root' && k.file.startsWith('trust-private/'));
const targetsKey = fixtureKey((k) => k.role === 'targets' && k.file.startsWith('trust-private/'));
const edKey = fixtureKey((k) => k.type === 'ed25519');
const rsaKey = fixtureKey((k) => k.type === 'rsa' && k.file.startsWith('trust-private/'));

describe('KeyRing.open on keys made by notary and openssl', () => {
  it.each(standalone.map((k) => [k.file, k] as const))('%s: notary key ID and type', (_, k) => {
    const ring = KeyRing.open(files(fixtureText(k.file)), { ...PASS, include: 'all' });
    expect(ring.ids()).toEqual([k.id]);
    const [held] = ring.held();
    expect(held.keytype).toBe(k.type);
    expect(held.role ?? '').toBe(k.role);
    expect(held.gun ?? '').toBe(k.gun);
    expect(held.tufKey).toEqual(tufKeyFromKeyObject(createPublicKey(held.key)));
    // unencrypted inputs are accepted with a warning, encrypted ones without
    expect(ring.warnings.length).toBe(k.passphrase === '' ? 1 : 0);
  });

  it('reads notary Ed25519 keys, which OpenSSL itself cannot parse', () => {
    const [block] = parsePem(fixtureText(edKey.file));
    const bare = encodePem({ type: block.type, headers: {}, der: block.der });
    expect(() => createPrivateKey({ key: bare, passphrase: manifest.passphrase })).toThrow();
    const ring = KeyRing.open(files(fixtureText(edKey.file)), { ...PASS, include: 'signing' });
    expect(ring.held()[0].key.asymmetricKeyType).toBe('ed25519');
  });

  it.each(['backup-gnu.tar.gz', 'backup-pax.tar.gz'])('opens every key of %s', (name) => {
    const ring = KeyRing.open(backup(name), { ...PASS, include: 'all' });
    const expected = manifest.keys.filter((k) => /^(tar:|trust-private\/)/.test(k.file));
    expect(ring.ids().sort()).toEqual(expected.map((k) => k.id).sort());
    for (const k of expected) {
      const held = ring.held().find((h) => h.id === k.id)!;
      expect([held.role, held.gun ?? '', held.keytype]).toEqual([k.role, k.gun, k.type]);
    }
  });

  it('opens `notary key export` output, checking each ID against its path header', () => {
    const ring = KeyRing.open(files(fixtureText('notary-export.pem')), { ...PASS, include: 'all' });
    const flat = manifest.keys.filter((k) => k.file.startsWith('trust-private/'));
    expect(ring.ids().sort()).toEqual(flat.map((k) => k.id).sort());
  });

  it('signing: skips root keys without decrypting them, and needs no root passphrase', () => {
    const all = backup();
    // A root file that cannot decrypt proves it is not touched.
    for (const f of all) if (f.role === 'root') f.block.der.fill(0);
    const ring = KeyRing.open(all, { passphrase: manifest.passphrase, include: 'signing' });
    const roots = manifest.keys.filter((k) => k.role === 'root').map((k) => k.id);
    expect(ring.ids().length).toBe(all.length - roots.length);
    for (const id of roots) expect(ring.ids().includes(id)).toBe(false);
  });

  it('root: opens root keys only, with the root passphrase alone', () => {
    const ring = KeyRing.open(backup(), {
      rootPassphrase: manifest.rootPassphrase,
      include: 'root',
    });
    expect(ring.ids().sort()).toEqual(
      manifest.keys
        .filter((k) => k.role === 'root')
        .map((k) => k.id)
        .sort(),
    );
  });

  it('warns when signing finds only root keys', () => {
    const ring = KeyRing.open(files(fixtureText(rootKey.file)), { include: 'signing' });
    expect(ring.ids().length).toBe(0);
    expect(ring.warnings.join()).toMatch(/only root keys/);
  });

  it('keeps the same key given twice once', () => {
    const text = fixtureText(targetsKey.file);
    const ring = KeyRing.open(files(text + text), { ...PASS, include: 'all' });
    expect(ring.ids()).toEqual([targetsKey.id]);
    expect(ring.held()[0].source).toBe('input block 1');
  });

  it('reads PBES2 files with another PRF and cipher (Node/OpenSSL defaults)', () => {
    const key = generateKey('ecdsa');
    const pem = key.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-128-cbc',
      passphrase: 'node-pass-1',
    }) as string;
    expect(
      Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64').includes(
        derOid(OID.hmacWithSHA256),
      ),
    ).toBe(true);
    const ring = KeyRing.open(files(pem), { passphrase: 'node-pass-1', include: 'all' });
    expect(ring.ids()).toEqual([keyIdOf(tufKeyFromKeyObject(key))]);
  });

  it('accepts P-224 (Node supports it)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-224' });
    const ring = KeyRing.open(files(encryptNotaryKey(privateKey, 'p224-pass', { role: 'x' })), {
      passphrase: 'p224-pass',
      include: 'all',
    });
    expect(ring.held()[0].key.asymmetricKeyDetails?.namedCurve).toBe('secp224r1');
  });
});

describe('KeyRing errors', () => {
  it('KEY_PASSPHRASE_MISSING names the input to set', () => {
    const repo = expectDctError(
      () => KeyRing.open(files(fixtureText(targetsKey.file)), { include: 'all' }),
      'KEY_PASSPHRASE_MISSING',
    );
    expect(repo.message).toContain('`passphrase`');
    expect(repo.message).toContain('targets key');
    const root = expectDctError(
      () => KeyRing.open(backup(), { passphrase: manifest.passphrase, include: 'all' }),
      'KEY_PASSPHRASE_MISSING',
    );
    expect(root.message).toContain('`root-passphrase`');
  });

  it('KEY_BAD_PASSPHRASE for every encrypted form', () => {
    for (const k of standalone.filter((x) => x.passphrase !== '')) {
      const wrong = {
        passphrase: 'wrong-pass-1',
        rootPassphrase: 'wrong-pass-2',
        include: 'all',
      } as const;
      expectDctError(() => KeyRing.open(files(fixtureText(k.file)), wrong), 'KEY_BAD_PASSPHRASE', [
        'wrong-pass-1',
        'wrong-pass-2',
      ]);
    }
    // the repository passphrase does not open the root key
    const swapped = {
      passphrase: manifest.passphrase,
      rootPassphrase: manifest.passphrase,
      include: 'all',
    } as const;
    const err = expectDctError(
      () => KeyRing.open(files(fixtureText(rootKey.file)), swapped),
      'KEY_BAD_PASSPHRASE',
    );
    expect(err.message).toContain('root key');
    expect(err.message).toContain('`root-passphrase`');
  });

  it('KEY_ID_MISMATCH when a file name claims another key', () => {
    const [file] = files(fixtureText(targetsKey.file));
    file.idFromName = rsaKey.id;
    file.source = `private/${rsaKey.id}.key`;
    const err = expectDctError(
      () => KeyRing.open([file], { ...PASS, include: 'all' }),
      'KEY_ID_MISMATCH',
    );
    expect(err.message).toContain(rsaKey.id.slice(0, 7));
    expect(err.message).toContain(targetsKey.id.slice(0, 7));
  });

  it('KEY_DUPLICATE_ID for two different private keys under one ID; KEY_NOT_A_KEY for the bad one alone', () => {
    const a = generateKey('ecdsa');
    const b = generateKey('ecdsa');
    // SEC1 of a's private scalar with b's public point: its key ID is b's.
    const [version, d, params] = sequence(
      parseDer(a.export({ type: 'sec1', format: 'der' })),
      'sec1',
    );
    const [, , , pubB] = sequence(parseDer(b.export({ type: 'sec1', format: 'der' })), 'sec1');
    const forged = derSequence(version.raw, d.raw, params.raw, pubB.raw);
    const forgedPem = encodePem({ type: 'EC PRIVATE KEY', headers: {}, der: forged });
    const opts = { include: 'all' } as const;
    const err = expectDctError(
      () => KeyRing.open(files(pemOf(b) + forgedPem), opts),
      'KEY_DUPLICATE_ID',
    );
    expect(err.message).toContain('input block 1');
    expect(err.message).toContain('input block 2');
    expectDctError(() => KeyRing.open(files(forgedPem), opts), 'KEY_NOT_A_KEY');
  });

  it('KEY_UNSUPPORTED for curves, types and sizes notary cannot use', () => {
    const opts = { passphrase: 'some-pass-1', include: 'all' } as const;
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const x25519 = generateKeyPairSync('x25519').privateKey;
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    for (const pem of [pemOf(k1), pemOf(k1, 'sec1'), pemOf(x25519), pemOf(pss)]) {
      expectDctError(() => KeyRing.open(files(pem), opts), 'KEY_UNSUPPORTED');
    }
    const encrypted = encryptNotaryKey(rsa1024, 'some-pass-1', { role: 'targets/x' });
    const err = expectDctError(() => KeyRing.open(files(encrypted), opts), 'KEY_UNSUPPORTED');
    expect(err.message).toContain('1024-bit');
  });

  it('KEY_NOT_A_KEY for a damaged unencrypted key', () => {
    const text = pemOf(generateKey('ecdsa'));
    const [block] = parsePem(text);
    const cut = encodePem({ type: 'PRIVATE KEY', headers: {}, der: block.der.subarray(0, 40) });
    expectDctError(() => KeyRing.open(files(cut), { include: 'all' }), 'KEY_NOT_A_KEY');
  });

  it('KEYRING_DISPOSED after dispose, also for signers handed out before', () => {
    const ring = KeyRing.open(files(fixtureText(targetsKey.file)), { ...PASS, include: 'all' });
    const held = ring.held()[0];
    const signer = ring.signerFor(held.id, held.tufKey)!;
    ring.dispose();
    ring.dispose();
    expectDctError(() => ring.ids(), 'KEYRING_DISPOSED');
    expectDctError(() => ring.held(), 'KEYRING_DISPOSED');
    expectDctError(() => ring.signerFor(held.id, held.tufKey), 'KEYRING_DISPOSED');
    expectDctError(() => signer.sign(Buffer.from('x')), 'KEYRING_DISPOSED');
  });
});

describe('KeyRing lookups by metadata key', () => {
  // Opened before each test, not while the file is collected nor once for all: the mutation
  // run (StrykerJS) counts code run outside a test as covered by every test.
  let opened: KeyRing;
  const ring = () => opened;
  const certPem = fixtureText('root-cert.pem');
  const certKey: TufKey = {
    keytype: 'ecdsa-x509',
    keyval: { private: null, public: Buffer.from(certPem).toString('base64') },
  };
  let certId: string;
  beforeEach(() => {
    opened = KeyRing.open(backup(), { ...PASS, include: 'all' });
    certId = keyIdOf(certKey);
  });

  it('answers for the x509 root key of root.json by its TUF ID', () => {
    expect(certId).not.toBe(rootKey.id);
    expect(ring().ids().includes(rootKey.id)).toBe(true);
    expect(ring().ids().includes(certId)).toBe(false);
    const signer = ring().signerFor(certId, certKey)!;
    expect(signer.keyId).toBe(certId);
    const msg = Buffer.from('{"signed":"root"}');
    const { method, sig } = signer.sign(msg);
    expect(method).toBe('ecdsa');
    const pub = new X509Certificate(certPem).publicKey;
    expect(verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
  });

  it('tells which of a role’s keys it holds', () => {
    const other = tufKeyFromKeyObject(generateKey('ecdsa'));
    const held = ring()
      .held()
      .find((h) => h.id === targetsKey.id)!;
    const keys: Record<string, TufKey> = {
      [certId]: certKey,
      [keyIdOf(other)]: other,
      [targetsKey.id]: held.tufKey,
    };
    expect(ring().heldAmong([keyIdOf(other), targetsKey.id, certId, 'f'.repeat(64)], keys)).toEqual(
      [targetsKey.id, certId],
    );
    expect(ring().signerFor(keyIdOf(other), other)).toBeUndefined();
    // an entry whose ID does not hash from its content is not trusted to name our key
    expect(ring().signerFor(keyIdOf(other), held.tufKey)).toBeUndefined();
  });

  it('signs with every key type so that the public key verifies it', () => {
    const msg = Buffer.from('canonical bytes');
    for (const held of ring().held()) {
      const { method, sig } = ring().signerFor(held.id, held.tufKey)!.sign(msg);
      const pub = createPublicKey(held.key);
      const ok =
        method === 'eddsa'
          ? verify(null, msg, pub, sig)
          : method === 'ecdsa'
            ? verify('sha256', msg, { key: pub, dsaEncoding: 'ieee-p1363' }, sig)
            : verify(
                'sha256',
                msg,
                { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
                sig,
              );
      expect(ok, `${held.keytype} ${method}`).toBe(true);
    }
  });
});

describe('keys under different passphrases', () => {
  const right = 'right-passphrase';
  const ciPem = () => encryptNotaryKey(generateKey('ecdsa'), right, { role: 'ci' });

  it('a key no passphrase opens is an error naming it and the input, even when others open', () => {
    const good = ciPem();
    const otherKey = generateKey('ecdsa');
    const other = encryptNotaryKey(otherKey, 'other-passphrase', { role: 'dev' });
    const id = keyIdOf(tufKeyFromKeyObject(createPublicKey(otherKey)));
    // As pasted PEM text (no file name, so no ID before decryption), and in a backup.
    const archive = gzipSync(
      makeTar([
        { name: 'private/aa.pub', data: 'not a key' },
        { name: `private/${id}.key`, data: other },
      ]),
    ).toString('base64');
    for (const [input, named] of [
      [good + other, 'dev key (input block 2)'],
      [archive, `dev key ${id.slice(0, 7)} (private/${id}.key)`],
    ] as const) {
      const { files } = readKeySecret(input, () => undefined);
      const err = expectDctError(
        () => KeyRing.open(files, { passphrase: right, include: 'signing' }),
        'KEY_BAD_PASSPHRASE',
        [right, 'other-passphrase'],
      );
      expect(err.message).toContain(named);
      expect(err.message).toContain('`passphrase`');
      expect(err.message).toMatch(/one per line/);
    }
  });

  it('several passphrases, one per line: each key takes the one that opens it', () => {
    const ci = ciPem();
    const targets = encryptNotaryKey(generateKey('ecdsa'), 'repo-pass-2', {
      role: 'targets',
      gun: 'example.com/app',
    });
    const { files } = readKeySecret(ci + targets, () => undefined);
    for (const passphrase of [`${right}\nrepo-pass-2`, `repo-pass-2\r\n${right}\r\n`]) {
      const ring = KeyRing.open(files, { passphrase, include: 'signing' });
      expect(ring.held().map((h) => h.role)).toEqual(['ci', 'targets']);
      expect(ring.warnings).toEqual([]);
    }
  });

  it('tries a passphrase as given, then without one trailing newline', () => {
    const { files } = readKeySecret(ciPem(), () => undefined);
    for (const passphrase of [`${right}\n`, `${right}\r\n`]) {
      expect(KeyRing.open(files, { passphrase, include: 'signing' }).ids().length).toBe(1);
    }
    // A passphrase that really ends in a newline still opens its key.
    const nl = encryptNotaryKey(generateKey('ecdsa'), `${right}\n`, { role: 'ci' });
    expect(
      KeyRing.open(readKeySecret(nl, () => undefined).files, {
        passphrase: `${right}\n`,
        include: 'signing',
      }).ids().length,
    ).toBe(1);
    // Only one newline: two are a blank second line, not part of the passphrase either.
    const root = encryptNotaryKey(generateKey('ecdsa'), 'root-pass-1', { role: 'root' });
    expect(
      KeyRing.open(readKeySecret(root, () => undefined).files, {
        rootPassphrase: 'root-pass-1\n',
        include: 'root',
      }).ids().length,
    ).toBe(1);
  });

  it('the root key in a backup is still not decrypted for signing, whatever the passphrases', () => {
    const ring = KeyRing.open(backup(), {
      passphrase: `wrong-root-guess\n${manifest.passphrase}`,
      include: 'signing',
    });
    expect(ring.held().some((h) => h.role === 'root')).toBe(false);
    expect(ring.ids().length).toBeGreaterThan(0);
  });

  it('fails with KEY_BAD_PASSPHRASE when no key opens', () => {
    const a = encryptNotaryKey(generateKey('ecdsa'), 'pass-a-123', { role: 'ci' });
    const { files } = readKeySecret(a, () => undefined);
    expect(() => KeyRing.open(files, { passphrase: 'nope-nope', include: 'signing' })).toThrow(
      expect.objectContaining({ code: 'KEY_BAD_PASSPHRASE' }) as Error,
    );
  });
});

describe('a damaged key file', () => {
  it('any one character changed in the body is reported as damage, never as an unsupported format', () => {
    const pass = 'damage-test-1';
    for (const type of ['ecdsa', 'ed25519'] as const) {
      const pem = encryptNotaryKey(generateKey(type), pass, { role: 'ci' });
      const lines = pem.split('\n');
      const body = lines.findIndex((l) => l === '') + 1;
      let checked = 0;
      for (let li = body; !lines[li].startsWith('-----'); li++) {
        for (let ci = 0; ci < lines[li].length; ci++) {
          if (lines[li][ci] === '=') continue;
          const copy = [...lines];
          copy[li] =
            `${lines[li].slice(0, ci)}${lines[li][ci] === 'A' ? 'B' : 'A'}${lines[li].slice(ci + 1)}`;
          let caught: unknown;
          try {
            KeyRing.open(files(copy.join('\n')), { passphrase: pass, include: 'signing' });
          } catch (e) {
            caught = e;
          }
          // A change in the last base64 digit may only touch padding bits: nothing to report.
          if (caught === undefined) continue;
          checked++;
          const where = `${type} line ${li} char ${ci}: ${caught instanceof Error ? caught.message : ''}`;
          expect(caught, where).toBeInstanceOf(DctError);
          expect((caught as DctError).code, where).not.toBe('KEY_UNSUPPORTED');
          expect((caught as DctError).message, where).toMatch(/damaged/);
        }
      }
      expect(checked).toBeGreaterThan(200);
    }
  });

  it('names a known algorithm notary does not write as unsupported, not as damage', () => {
    const scrypt = derSequence(
      derSequence(
        derOid(OID.pbes2),
        derSequence(
          derSequence(derOid('1.3.6.1.4.1.11591.4.11'), derSequence()),
          derSequence(derOid(OID.aes256cbc)),
        ),
      ),
    );
    const pem = encodePem({ type: 'ENCRYPTED PRIVATE KEY', headers: { role: 'ci' }, der: scrypt });
    const err = expectDctError(
      () => KeyRing.open(files(pem), { passphrase: 'x-pass-12', include: 'signing' }),
      'KEY_UNSUPPORTED',
    );
    expect(err.message).toContain('scrypt');
  });
});
