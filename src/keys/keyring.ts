/**
 * The private keys of one run, held as KeyObjects. Keys are found by canonical key ID
 * (notary-spec.md §2), never by their `role:` header: the signing flow asks which of the keys
 * a role lists in metadata we hold. Only the keys a command needs are decrypted, so signing
 * works with the repository passphrase even when the input also holds the root key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DctError } from '../errors.js';
import { canonicalKeyId, keyIdOf, shortId, tufKeyFromKeyObject, type TufKey } from './keyid.js';
import { isEncryptedBlock, loadKeyBlock } from './pkcs8.js';
import { PLAIN_KEYTYPE } from './rules.js';
import type { KeyFile } from './secret.js';
import { sign, verifySignature, type TufSigner } from './sign.js';

export interface HeldKey {
  /** Canonical key ID (for a root key: of the plain key, not of its certificate). */
  id: string;
  role?: string;
  gun?: string;
  source: string;
  keytype: 'ecdsa' | 'rsa' | 'ed25519';
  tufKey: TufKey;
  key: KeyObject;
}

export interface KeyRingOptions {
  /** Opens every non-root key (input `passphrase`): one passphrase, or several one per line,
   *  when the keys have different ones; each key takes the one that opens it. */
  passphrase?: string;
  /** Opens root keys (input `root-passphrase`), read the same way. */
  rootPassphrase?: string;
  /** `signing`: non-root keys only (root files are not touched); `root`: root keys only; `all`. */
  include: 'signing' | 'root' | 'all';
}

/** A key is a root key by its `role:` header or its legacy `root_keys/` path (§1.1, §1.5). */
export function isRootKeyFile(file: KeyFile): boolean {
  return file.role === 'root';
}

/**
 * The passphrases a `passphrase` value may hold: the value as given, then without one trailing
 * newline (a secret saved from an editor), then each of its lines (several passphrases).
 */
export function passphraseCandidates(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out = [value, value.replace(/\r?\n$/, ''), ...value.split(/\r?\n/)];
  return [...new Set(out)].filter((p) => p !== '');
}

/** How many passphrases a value holds, for messages. */
function passphraseCount(value: string | undefined): number {
  return new Set((value ?? '').split(/\r?\n/).filter((p) => p !== '')).size;
}

function describe(file: KeyFile, id?: string): string {
  const shown = id ?? file.idFromName;
  return `${file.role ?? 'unlabelled'} key${shown ? ` ${shortId(shown)}` : ''} (${file.source})`;
}

export class KeyRing {
  readonly warnings: string[] = [];
  private keys: Map<string, HeldKey> | undefined = new Map();

  private constructor() {}

  /**
   * Decrypts the selected key files (synchronously: PBKDF2 with notary's 2048 rounds is quick).
   * Throws DctError: KEY_PASSPHRASE_MISSING, KEY_BAD_PASSPHRASE (naming every key no passphrase
   * opens), KEY_UNSUPPORTED, KEY_DAMAGED, KEY_NOT_A_KEY, KEY_ID_MISMATCH, KEY_DUPLICATE_ID.
   * The files are not changed; see `disposeKeyFiles`.
   */
  static open(files: KeyFile[], opts: KeyRingOptions): KeyRing {
    const ring = new KeyRing();
    const keys = ring.keys!;
    let skippedRoot = 0;
    const candidates = passphraseCandidates(opts.passphrase);
    const rootCandidates = passphraseCandidates(opts.rootPassphrase);
    const unopened: { file: KeyFile; root: boolean }[] = [];
    for (const file of files) {
      const root = isRootKeyFile(file);
      if (opts.include === 'signing' && root) {
        skippedRoot++;
        continue;
      }
      if (opts.include === 'root' && !root) continue;
      const encrypted = isEncryptedBlock(file.block);
      const passes = root ? rootCandidates : candidates;
      if (encrypted && passes.length === 0) {
        const input = root ? 'root-passphrase' : 'passphrase';
        throw new DctError(
          'KEY_PASSPHRASE_MISSING',
          `the ${describe(file)} is encrypted; set the \`${input}\` input to its passphrase`,
        );
      }
      if (!encrypted) {
        ring.warnings.push(
          `the ${describe(file)} is not encrypted; keep keys encrypted with a passphrase, as docker and notary write them`,
        );
      }
      const key = openBlock(file, encrypted ? passes : [undefined]);
      if (key === undefined) {
        // Never a quiet fallback: a key the user gave that stays shut would leave its role
        // unsigned and another key signing in its place.
        unopened.push({ file, root });
        continue;
      }
      const tufKey = tufKeyFromKeyObject(key);
      const id = keyIdOf(tufKey);
      if (file.idFromName !== undefined && file.idFromName !== id) {
        throw new DctError(
          'KEY_ID_MISMATCH',
          `${file.source} is named for key ${shortId(file.idFromName)} but holds key ${shortId(id)}; restore the file under its own name`,
        );
      }
      const existing = keys.get(id);
      if (existing) {
        if (!samePrivateKey(existing.key, key)) {
          throw new DctError(
            'KEY_DUPLICATE_ID',
            `${existing.source} and ${file.source} hold different private keys for key ID ${shortId(id)}; one of them is damaged`,
          );
        }
        continue; // the same key twice, e.g. in two layouts of one backup
      }
      const held: HeldKey = {
        id,
        source: file.source,
        keytype: PLAIN_KEYTYPE[key.asymmetricKeyType as keyof typeof PLAIN_KEYTYPE],
        tufKey,
        key,
      };
      if (file.role !== undefined) held.role = file.role;
      if (file.gun !== undefined) held.gun = file.gun;
      keys.set(id, held);
    }
    if (unopened.length > 0) throw notOpened(unopened, opts);
    // After the duplicate check, so two files disagreeing is reported as such.
    for (const held of keys.values()) selfTest(held);
    // Root keys are skipped only when signing keys are asked for.
    if (keys.size === 0 && skippedRoot > 0) {
      ring.warnings.push(
        'the keys input holds only root keys; signing needs the repository or a delegation key',
      );
    }
    return ring;
  }

  private live(): Map<string, HeldKey> {
    if (!this.keys) throw new DctError('KEYRING_DISPOSED', 'the key ring was already disposed');
    return this.keys;
  }

  /** Canonical IDs of the held keys. */
  ids(): string[] {
    return [...this.live().keys()];
  }

  held(): HeldKey[] {
    return [...this.live().values()];
  }

  /**
   * The held key behind a key listed in metadata, if any. `tufKeyId` is the ID metadata uses
   * for it; an x509 root key is matched through its certificate's public key (§2).
   */
  find(tufKeyId: string, tufKey: TufKey): HeldKey | undefined {
    const keys = this.live();
    // An entry whose ID does not hash from its content is not the key it claims to be.
    if (keyIdOf(tufKey) !== tufKeyId) return undefined;
    let canonical: string;
    try {
      canonical = canonicalKeyId(tufKey);
    } catch {
      return undefined; // an unreadable certificate names no key we could hold
    }
    return keys.get(canonical);
  }

  /**
   * Which of the listed keys we hold: `keyIds` are a role's `keyids`, `keys` the metadata's key
   * map (root.json `keys`, or a delegation's `keys`). Returns TUF IDs, in `keyIds` order.
   */
  heldAmong(keyIds: readonly string[], keys: Readonly<Record<string, TufKey>>): string[] {
    return keyIds.filter((id) => keys[id] !== undefined && this.find(id, keys[id]) !== undefined);
  }

  /** A signer for a key listed in metadata (TufKey + its TUF id), if we hold its private key. */
  signerFor(tufKeyId: string, tufKey: TufKey): TufSigner | undefined {
    const held = this.find(tufKeyId, tufKey);
    if (!held) return undefined;
    return {
      keyId: tufKeyId,
      sign: (message: Uint8Array) => {
        this.live();
        return sign(held.key, message);
      },
    };
  }

  /** Drops every KeyObject; any later use throws KEYRING_DISPOSED. Safe to call twice. */
  dispose(): void {
    this.keys?.clear();
    this.keys = undefined;
  }
}

/** The key of `file` under the first passphrase that opens it; undefined when none does. */
function openBlock(file: KeyFile, passes: (string | undefined)[]): KeyObject | undefined {
  for (const pass of passes) {
    try {
      return loadKeyBlock(file.block, pass, `the ${describe(file)}`);
    } catch (e) {
      if (e instanceof DctError && e.code === 'KEY_BAD_PASSPHRASE') continue;
      throw e;
    }
  }
  return undefined;
}

/** One line naming every key that no passphrase opened, and the input to fix. */
function notOpened(unopened: { file: KeyFile; root: boolean }[], opts: KeyRingOptions): DctError {
  const root = unopened.some((u) => u.root);
  const input = root ? 'root-passphrase' : 'passphrase';
  const n = passphraseCount(root ? opts.rootPassphrase : opts.passphrase);
  const tried = n > 1 ? `any of the ${n} passphrases in \`${input}\`` : `\`${input}\``;
  const named = unopened.filter((u) => u.root === root).map((u) => `the ${describe(u.file)}`);
  const what =
    named.length === 1
      ? `${named[0]} could not`
      : `${named.length} keys could not (${named.join(', ')})`;
  const fix = root
    ? `set \`root-passphrase\` to the root key's passphrase`
    : `add ${named.length === 1 ? 'its passphrase' : 'their passphrases'} to \`passphrase\` (one per line), or leave ${named.length === 1 ? 'that key' : 'them'} out of \`keys\``;
  return new DctError(
    'KEY_BAD_PASSPHRASE',
    `${what} be decrypted with ${tried}: the passphrase is wrong or the file is damaged; ${fix}`,
  );
}

/** Same private key: compare the PKCS#8 exports (zeroed afterwards). */
function samePrivateKey(a: KeyObject, b: KeyObject): boolean {
  const da = a.export({ type: 'pkcs8', format: 'der' });
  const db = b.export({ type: 'pkcs8', format: 'der' });
  try {
    return da.equals(db);
  } finally {
    da.fill(0);
    db.fill(0);
  }
}

/**
 * A file can carry a public part that does not belong to its private part (SEC1 stores both).
 * The key ID comes from the public part, so sign once and verify, rather than publish bad
 * signatures under that ID.
 */
function selfTest(held: HeldKey): void {
  const message = Buffer.from('dct key self-test');
  const { method, sig } = sign(held.key, message);
  if (!verifySignature(method, createPublicKey(held.key), message, sig)) {
    throw new DctError(
      'KEY_NOT_A_KEY',
      `the ${held.role ?? 'unlabelled'} key ${shortId(held.id)} (${held.source}) is damaged: its private and public parts do not match`,
    );
  }
}
