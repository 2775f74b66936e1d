/**
 * keyring.ts at its edges, against the mutants StrykerJS left alive: which passphrases a value
 * holds, which files `include` selects (and that skipped files are never decrypted), the
 * warnings, the messages naming keys no passphrase opens (one or several, root or not, with
 * or without an ID), errors other than a wrong passphrase passing straight through, role and
 * gun kept only when given, the self-test, lookups whose entry is not the key it claims, the
 * words of KEYRING_DISPOSED, and the compared exports zeroed when two files disagree.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { derSequence, sequence } from '../../src/keys/der.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject, type TufKey } from '../../src/keys/keyid.js';
import { KeyRing, isRootKeyFile, passphraseCandidates } from '../../src/keys/keyring.js';
import { encodePem, parsePem } from '../../src/keys/pem.js';
import { readKeySecret, type KeyFile } from '../../src/keys/secret.js';
import { verifySignature } from '../../src/keys/sign.js';
import { expectDctError, parseDer } from './helpers.js';

const idOf = (k: KeyObject) => keyIdOf(tufKeyFromKeyObject(k));

function file(pem: string, extra: Partial<KeyFile> = {}): KeyFile {
  return { ...readKeySecret(pem, () => undefined).files[0], ...extra };
}

function enc(key: KeyObject, pass: string, role: string): string {
  return encryptNotaryKey(key, pass, { role, gun: 'example.com/app' });
}

const plain = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

/** An EC PRIVATE KEY holding one key's private scalar with another's (`b`'s) public point. */
function scalarWithOthersPoint(headers: Record<string, string>) {
  const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const [v, d, p] = sequence(parseDer(a.export({ type: 'sec1', format: 'der' })), 'sec1');
  const pubB = sequence(parseDer(b.export({ type: 'sec1', format: 'der' })), 'sec1')[3];
  const der = derSequence(v.raw, d.raw, p.raw, pubB.raw);
  return { b, forged: encodePem({ type: 'EC PRIVATE KEY', headers, der }) };
}

describe('passphraseCandidates', () => {
  it('the value, then without one trailing newline, then each line; no empty ones, no repeats', () => {
    expect(passphraseCandidates(undefined)).toEqual([]);
    expect(passphraseCandidates('')).toEqual([]);
    expect(passphraseCandidates('a')).toEqual(['a']);
    expect(passphraseCandidates('a\n')).toEqual(['a\n', 'a']);
    expect(passphraseCandidates('a\r\n')).toEqual(['a\r\n', 'a']);
    expect(passphraseCandidates('a\nb')).toEqual(['a\nb', 'a', 'b']);
    expect(passphraseCandidates('a\n\nb\n')).toEqual(['a\n\nb\n', 'a\n\nb', 'a', 'b']);
    expect(passphraseCandidates('a\n\n')).toEqual(['a\n\n', 'a\n', 'a']);
    expect(passphraseCandidates('\n')).toEqual(['\n']);
  });

  it('isRootKeyFile reads the role only', () => {
    const f = file(plain(generateKey('ecdsa')));
    expect(isRootKeyFile({ ...f, role: 'root' })).toBe(true);
    expect(isRootKeyFile({ ...f, role: 'targets' })).toBe(false);
    expect(isRootKeyFile({ ...f, source: 'root_keys/x.key' })).toBe(false);
  });
});

describe('which files are opened', () => {
  let root: KeyObject;
  let targets: KeyObject;
  beforeEach(() => {
    root = generateKey('ecdsa');
    targets = generateKey('ecdsa');
  });
  const files = () => [
    file(enc(root, 'root-pass-1', 'root')),
    file(enc(targets, 'repo-pass-1', 'targets')),
  ];

  it('root: non-root files are skipped without a passphrase for them', () => {
    const ring = KeyRing.open(files(), { rootPassphrase: 'root-pass-1', include: 'root' });
    expect(ring.ids()).toEqual([idOf(root)]);
    expect(ring.warnings).toEqual([]);
  });

  it('signing: root files are skipped, and there is no warning while another key is held', () => {
    const ring = KeyRing.open(files(), { passphrase: 'repo-pass-1', include: 'signing' });
    expect(ring.ids()).toEqual([idOf(targets)]);
    expect(ring.warnings).toEqual([]);
  });

  it('all: both, each with its own passphrase; neither passphrase opens the other', () => {
    const ring = KeyRing.open(files(), {
      passphrase: 'repo-pass-1',
      rootPassphrase: 'root-pass-1',
      include: 'all',
    });
    expect(ring.ids()).toEqual([idOf(root), idOf(targets)]);
    expectDctError(
      () =>
        KeyRing.open(files(), {
          passphrase: 'root-pass-1',
          rootPassphrase: 'repo-pass-1',
          include: 'all',
        }),
      'KEY_BAD_PASSPHRASE',
    );
  });

  it('only root keys for signing warns exactly once; no keys at all does not warn', () => {
    const ring = KeyRing.open([file(enc(root, 'root-pass-1', 'root'))], { include: 'signing' });
    expect(ring.warnings).toEqual([
      'the keys input holds only root keys; signing needs the repository or a delegation key',
    ]);
    expect(KeyRing.open([], { include: 'signing' }).warnings).toEqual([]);
    expect(
      KeyRing.open([file(enc(root, 'root-pass-1', 'root'))], {
        rootPassphrase: 'root-pass-1',
        include: 'all',
      }).warnings,
    ).toEqual([]);
  });

  it('an unencrypted key is held with a warning naming it', () => {
    const key = generateKey('ecdsa');
    const ring = KeyRing.open([file(plain(key), { role: 'ci' })], { include: 'signing' });
    expect(ring.ids()).toEqual([idOf(key)]);
    expect(ring.warnings).toEqual([
      'the ci key (input block 1) is not encrypted; keep keys encrypted with a passphrase, as docker and notary write them',
    ]);
    // an unencrypted root key needs no root passphrase either
    const r = KeyRing.open([file(plain(key), { role: 'root' })], { include: 'root' });
    expect(r.ids()).toEqual([idOf(key)]);
  });

  it('a missing passphrase names the key by role, ID from its name, and source', () => {
    const key = generateKey('ecdsa');
    const id = idOf(key);
    const f = file(enc(key, 'p-1', 'targets'), { idFromName: id, source: `private/${id}.key` });
    const err = expectDctError(
      () => KeyRing.open([f], { include: 'all' }),
      'KEY_PASSPHRASE_MISSING',
    );
    expect(err.message).toBe(
      `the targets key ${id.slice(0, 7)} (private/${id}.key) is encrypted; set the \`passphrase\` input to its passphrase`,
    );
    const g = file(enc(key, 'p-1', 'targets'));
    delete g.role;
    const err2 = expectDctError(
      () => KeyRing.open([g], { rootPassphrase: 'p-1', include: 'all' }),
      'KEY_PASSPHRASE_MISSING',
    );
    expect(err2.message).toBe(
      'the unlabelled key (input block 1) is encrypted; set the `passphrase` input to its passphrase',
    );
  });
});

describe('keys no passphrase opens', () => {
  const key = () => generateKey('ecdsa');

  it('one key, one passphrase', () => {
    const err = expectDctError(
      () =>
        KeyRing.open([file(enc(key(), 'right-1', 'ci'))], {
          passphrase: 'wrong-1',
          include: 'all',
        }),
      'KEY_BAD_PASSPHRASE',
    );
    expect(err.message).toBe(
      'the ci key (input block 1) could not be decrypted with `passphrase`: the passphrase is wrong or the file is damaged; add its passphrase to `passphrase` (one per line), or leave that key out of `keys`',
    );
  });

  it('two keys, two passphrases (a blank line and a repeat do not count)', () => {
    const files = [file(enc(key(), 'right-1', 'ci')), file(enc(key(), 'right-2', 'dev'))];
    files[1].source = 'input block 2';
    const err = expectDctError(
      () => KeyRing.open(files, { passphrase: 'wrong-1\n\nwrong-2\nwrong-1', include: 'all' }),
      'KEY_BAD_PASSPHRASE',
    );
    expect(err.message).toBe(
      '2 keys could not (the ci key (input block 1), the dev key (input block 2)) be decrypted with any of the 2 passphrases in `passphrase`: the passphrase is wrong or the file is damaged; add their passphrases to `passphrase` (one per line), or leave them out of `keys`',
    );
  });

  it('a root key is named first, alone, with the root input', () => {
    const files = [file(enc(key(), 'right-1', 'ci')), file(enc(key(), 'right-2', 'root'))];
    const err = expectDctError(
      () =>
        KeyRing.open(files, {
          passphrase: 'wrong-1',
          rootPassphrase: 'wrong-2\nwrong-3',
          include: 'all',
        }),
      'KEY_BAD_PASSPHRASE',
    );
    expect(err.message).toBe(
      "the root key (input block 1) could not be decrypted with any of the 2 passphrases in `root-passphrase`: the passphrase is wrong or the file is damaged; set `root-passphrase` to the root key's passphrase",
    );
  });

  it('errors other than a wrong passphrase are not retried with the next passphrase', () => {
    const f = file(enc(key(), 'right-1', 'ci'));
    const broken: KeyFile = { ...f, block: { ...f.block, der: f.block.der.subarray(0, 10) } };
    const err = expectDctError(
      () => KeyRing.open([broken], { passphrase: 'a\nright-1', include: 'all' }),
      'KEY_DAMAGED',
    );
    expect(err.message).toContain('the ci key (input block 1) is damaged');
  });

  it('a later passphrase opens the key after earlier wrong ones', () => {
    const k = key();
    const ring = KeyRing.open([file(enc(k, 'right-1', 'ci'))], {
      passphrase: 'w-1\nw-2\nright-1',
      include: 'all',
    });
    expect(ring.ids()).toEqual([idOf(k)]);
  });
});

describe('what is held', () => {
  it('role and gun only when the file gives them; the key type by family', () => {
    const ec = generateKey('ecdsa');
    const ed = generateKey('ed25519');
    const rsa = generateKey('rsa');
    const ring = KeyRing.open(
      [
        file(plain(ec)),
        { ...file(plain(ed)), role: 'targets', gun: 'g/a', source: 'input block 2' },
        { ...file(plain(rsa)), source: 'input block 3' },
      ],
      { include: 'all' },
    );
    const held = ring.held();
    expect(held.map((h) => [h.keytype, h.source, 'role' in h, 'gun' in h])).toEqual([
      ['ecdsa', 'input block 1', false, false],
      ['ed25519', 'input block 2', true, true],
      ['rsa', 'input block 3', false, false],
    ]);
    expect([held[1].role, held[1].gun]).toEqual(['targets', 'g/a']);
    expect(held[0].tufKey).toEqual(tufKeyFromKeyObject(ec));
    expect(held[0].id).toBe(idOf(ec));
  });

  it('a file named for its own ID is accepted; for another, refused naming both', () => {
    const k = generateKey('ecdsa');
    expect(
      KeyRing.open([file(plain(k), { idFromName: idOf(k) })], { include: 'all' }).ids(),
    ).toEqual([idOf(k)]);
    const other = 'e'.repeat(64);
    const err = expectDctError(
      () =>
        KeyRing.open([file(plain(k), { idFromName: other, source: 'private/x.key' })], {
          include: 'all',
        }),
      'KEY_ID_MISMATCH',
    );
    expect(err.message).toBe(
      `private/x.key is named for key eeeeeee but holds key ${idOf(k).slice(0, 7)}; restore the file under its own name`,
    );
  });

  it('the self-test refuses a key whose public part is another key’s, naming it', () => {
    const { b, forged } = scalarWithOthersPoint({ role: 'ci' });
    const err = expectDctError(
      () => KeyRing.open([file(forged)], { include: 'all' }),
      'KEY_NOT_A_KEY',
    );
    expect(err.message).toBe(
      `the ci key ${idOf(b).slice(0, 7)} (input block 1) is damaged: its private and public parts do not match`,
    );
    const noRole = encodePem({ type: 'EC PRIVATE KEY', headers: {}, der: parsePem(forged)[0].der });
    expect(
      expectDctError(() => KeyRing.open([file(noRole)], { include: 'all' }), 'KEY_NOT_A_KEY')
        .message,
    ).toContain('the unlabelled key');
  });
});

describe('lookups', () => {
  let k: KeyObject;
  beforeEach(() => {
    k = generateKey('ecdsa');
  });
  const ring = () => KeyRing.open([file(plain(k))], { include: 'all' });

  it('finds a held key by its TUF entry; a signer signs what the public key verifies', () => {
    const tuf = tufKeyFromKeyObject(k);
    const r = ring();
    expect(r.find(idOf(k), tuf)?.id).toBe(idOf(k));
    const s = r.signerFor(idOf(k), tuf)!;
    expect(s.keyId).toBe(idOf(k));
    const { method, sig } = s.sign(Buffer.from('m'));
    expect(verifySignature(method, createPublicKey(k), Buffer.from('m'), sig)).toBe(true);
  });

  it('an entry whose ID does not hash from it, or a certificate that does not parse, finds nothing', () => {
    const r = ring();
    const tuf = tufKeyFromKeyObject(k);
    expect(r.find('0'.repeat(64), tuf)).toBeUndefined();
    expect(r.heldAmong(['0'.repeat(64)], { ['0'.repeat(64)]: tuf })).toEqual([]);
    const cert: TufKey = {
      keytype: 'ecdsa-x509',
      keyval: { private: null, public: Buffer.from('not a certificate').toString('base64') },
    };
    expect(r.find(keyIdOf(cert), cert)).toBeUndefined();
    expect(r.signerFor(keyIdOf(cert), cert)).toBeUndefined();
    // an ID listed without an entry in the key map
    expect(r.heldAmong([idOf(k)], {})).toEqual([]);
  });
});

describe('disposal and wiping', () => {
  it('a disposed ring says so, in its own words', () => {
    const ring = KeyRing.open([file(plain(generateKey('ecdsa')))], { include: 'all' });
    ring.dispose();
    const err = expectDctError(() => ring.ids(), 'KEYRING_DISPOSED');
    expect(err.message).toBe('the key ring was already disposed');
  });

  it('two files disagreeing under one ID: the PKCS#8 exports compared are zeroed all the same', () => {
    const { b, forged } = scalarWithOthersPoint({});
    const files = [file(plain(b)), file(forged, { source: 'input block 2' })];
    const exports: Buffer[] = [];
    const proto = Object.getPrototypeOf(b) as KeyObject;
    // Called below with each key as `this`, as the prototype's own method.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const real = proto.export;
    const spy = vi.spyOn(proto, 'export').mockImplementation(function (
      this: KeyObject,
      opts?: Parameters<KeyObject['export']>[0],
    ) {
      const out = real.call(this, opts as never);
      if (Buffer.isBuffer(out)) exports.push(out);
      return out;
    });
    try {
      const err = expectDctError(() => KeyRing.open(files, { include: 'all' }), 'KEY_DUPLICATE_ID');
      expect(err.message).toBe(
        `input block 1 and input block 2 hold different private keys for key ID ${idOf(b).slice(0, 7)}; one of them is damaged`,
      );
    } finally {
      spy.mockRestore();
    }
    expect(exports).toHaveLength(2);
    expect(exports.map((x) => x.length > 0 && x.every((y) => y === 0))).toEqual([true, true]);
  });
});
