/**
 * Synthetic repositories with keys the test holds, for the cases the real server cannot be
 * made to produce (tampered meta, thresholds, expiry, rotations), and an in-memory fetcher.
 */
import { constants, createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { keyIdOf, tufKeyFromKeyObject, type TufKey } from '../../../src/keys/keyid.js';
import { signEnvelope, type Envelope } from '../../../src/tuf/envelope.js';
import {
  asRoot,
  metaFileFor,
  updatedSnapshot,
  updatedTargets,
  type DelegationRole,
  type RootMeta,
  type SnapshotMeta,
  type TargetsMeta,
  type TimestampMeta,
} from '../../../src/tuf/models.js';
import type { TufSigner } from '../../../src/keys/sign.js';
import { addDays, goTime } from '../../../src/tuf/time.js';
import type { MetaFetcher } from '../../../src/tuf/checks.js';
import { makeCertPem, type CertOptions } from './certs.js';

export interface TestKey {
  key: KeyObject;
  tuf: TufKey;
  id: string;
  signer: TufSigner;
}

export function signerFor(key: KeyObject, keyId: string): TufSigner {
  const type = key.asymmetricKeyType;
  return {
    keyId,
    sign(message) {
      if (type === 'ec') {
        return {
          method: 'ecdsa',
          sig: sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }),
        };
      }
      if (type === 'rsa') {
        const opts = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
        return { method: 'rsapss', sig: sign('sha256', message, opts) };
      }
      return { method: 'eddsa', sig: sign(null, message, key) };
    },
  };
}

export function newKey(type: 'ecdsa' | 'rsa' | 'ed25519' = 'ecdsa'): TestKey {
  const { privateKey } =
    type === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return testKeyOf(privateKey);
}

/** A TestKey over a private key made elsewhere (e.g. an RSA key made once, outside the tests). */
/** A new ECDSA key, a role of threshold 1 that names it, and the keys map a verifier takes. */
export function oneKeyRole(): {
  k: TestKey;
  keys: Record<string, TestKey['tuf']>;
  role: { keyids: string[]; threshold: number };
} {
  const k = newKey('ecdsa');
  return { k, keys: { [k.id]: k.tuf }, role: { keyids: [k.id], threshold: 1 } };
}

export function testKeyOf(privateKey: KeyObject): TestKey {
  const tuf = tufKeyFromKeyObject(privateKey);
  const id = keyIdOf(tuf);
  return { key: privateKey, tuf, id, signer: signerFor(privateKey, id) };
}

/** A root key: a certificate over a fresh key (or `key`), as notary's `ecdsa-x509` key. */
export function newRootKey(
  cert: Omit<CertOptions, 'key'> & { key?: KeyObject },
  type: 'ecdsa' | 'rsa' = 'ecdsa',
): TestKey {
  const key = cert.key ?? newKey(type).key;
  const pem = makeCertPem({ ...cert, key });
  const tuf: TufKey = {
    keytype: type === 'ecdsa' ? 'ecdsa-x509' : 'rsa-x509',
    keyval: { private: null, public: Buffer.from(pem).toString('base64') },
  };
  const id = keyIdOf(tuf);
  return { key, tuf, id, signer: signerFor(key, id) };
}

export const YEAR_DAYS = 365;

/**
 * One repository whose every key the test holds. `publish()` signs whatever changed and
 * returns the files as the server would serve them; old roots stay fetchable by version.
 */
export class TestRepo {
  readonly gun: string;
  now: Date;
  rootKeys: TestKey[];
  rootThreshold = 1;
  targetsKey = newKey('ecdsa');
  snapshotKey = newKey('ed25519');
  /** Further snapshot keys root lists, and the snapshot role's threshold. */
  moreSnapshotKeys: TestKey[] = [];
  snapshotThreshold = 1;
  timestampKey = newKey('ed25519');
  /** Delegation keys by role name. */
  readonly delegationKeys = new Map<string, TestKey[]>();

  root!: Envelope<RootMeta>;
  targets = new Map<string, Envelope<TargetsMeta>>();
  snapshot?: Envelope<SnapshotMeta>;
  timestamp?: Envelope<TimestampMeta>;
  readonly oldRoots = new Map<number, Buffer>();

  constructor(gun: string, now: Date) {
    this.gun = gun;
    this.now = now;
    this.rootKeys = [this.certKey(gun)];
    this.signRoot(1, this.rootKeys);
    this.setTargets('targets', (t) => {
      t.targets['latest'] = { hashes: { sha256: sha256b64('latest') }, length: 6 };
    });
    this.publish();
  }

  certKey(cn: string): TestKey {
    return newRootKey({ cn, notBefore: addDays(this.now, -1), notAfter: addDays(this.now, 3650) });
  }

  rootSigned(version: number): RootMeta {
    const keys: Record<string, TufKey> = {};
    const add = (k: TestKey): string => ((keys[k.id] = k.tuf), k.id);
    const role = (ids: string[], threshold = 1) => ({ keyids: ids, threshold });
    return asRoot({
      _type: 'Root',
      consistent_snapshot: false,
      expires: goTime(addDays(this.now, 10 * YEAR_DAYS)),
      keys,
      roles: {
        root: role(this.rootKeys.map(add), this.rootThreshold),
        snapshot: role(
          [this.snapshotKey, ...this.moreSnapshotKeys].map(add),
          this.snapshotThreshold,
        ),
        targets: role([add(this.targetsKey)]),
        timestamp: role([add(this.timestampKey)]),
      },
      version,
    });
  }

  /** A new root at `version`, signed by `signers` (default: the current root keys). */
  signRoot(
    version: number,
    signers: TestKey[] = this.rootKeys,
    edit?: (r: RootMeta) => void,
  ): void {
    const signed = this.rootSigned(version);
    edit?.(signed);
    this.root = signEnvelope(
      signed,
      signers.map((k) => k.signer),
    );
    this.oldRoots.set(version, this.root.bytes);
  }

  /** Edits a targets role and re-signs it with its keys (or `signers`). */
  setTargets(role: string, change: (t: TargetsMeta) => void, signers?: TestKey[]): void {
    const prev = this.targets.get(role)?.signed;
    const next = updatedTargets(prev, change, this.now);
    const keys =
      signers ?? (role === 'targets' ? [this.targetsKey] : this.delegationKeys.get(role)!);
    this.targets.set(
      role,
      signEnvelope(
        next,
        keys.map((k) => k.signer),
      ),
    );
  }

  /** Adds a delegation entry to `parent` with fresh keys; the file appears on first setTargets. */
  delegate(
    parent: string,
    name: string,
    opts: Partial<DelegationRole> & { keys?: TestKey[] } = {},
  ): void {
    const keys = opts.keys ?? [newKey('ecdsa')];
    this.delegationKeys.set(name, keys);
    this.setTargets(parent, (t) => {
      for (const k of keys) t.delegations.keys[k.id] = k.tuf;
      t.delegations.roles.push({
        keyids: keys.map((k) => k.id),
        name,
        paths: opts.paths ?? [''],
        threshold: opts.threshold ?? 1,
      });
    });
  }

  /** Signs a new snapshot over root and every targets file, then a new timestamp. */
  publish(editSnapshot?: (s: SnapshotMeta) => void): void {
    const files = new Map<string, Buffer>([['root', this.root.bytes]]);
    for (const [role, env] of this.targets) files.set(role, env.bytes);
    const prev: SnapshotMeta = this.snapshot?.signed ?? {
      _type: 'Snapshot',
      expires: '',
      meta: {},
      version: 0,
    };
    const snap = updatedSnapshot(prev, files, this.now);
    editSnapshot?.(snap);
    this.snapshot = signEnvelope(
      snap,
      [this.snapshotKey, ...this.moreSnapshotKeys].map((k) => k.signer),
    );
    this.signTimestamp();
  }

  signTimestamp(edit?: (t: TimestampMeta) => void, expiresDays = 14): void {
    const ts: TimestampMeta = {
      _type: 'Timestamp',
      expires: goTime(addDays(this.now, expiresDays)),
      meta: { snapshot: metaFileFor(this.snapshot!.bytes) },
      version: (this.timestamp?.signed.version ?? 0) + 1,
    };
    edit?.(ts);
    this.timestamp = signEnvelope(ts, [this.timestampKey.signer]);
  }

  /** The files as a fetcher serves them. */
  fetcher(): MemoryFetcher {
    const files = new Map<string, Buffer>([
      ['root', this.root.bytes],
      ['timestamp', this.timestamp!.bytes],
      ['snapshot', this.snapshot!.bytes],
    ]);
    for (const [role, env] of this.targets) files.set(role, env.bytes);
    return new MemoryFetcher(files, this.oldRoots);
  }
}

export function sha256b64(s: string): string {
  return createHash('sha256').update(s).digest('base64');
}

/** A trust server in memory: current files, checksum-addressed copies, versioned roots. */
export class MemoryFetcher implements MetaFetcher {
  readonly requests: string[] = [];
  readonly files: Map<string, Buffer>;
  readonly roots: Map<number, Buffer>;

  constructor(files: Map<string, Buffer>, roots = new Map<number, Buffer>()) {
    this.files = files;
    this.roots = roots;
  }

  fetch(
    role: string,
    opts: { sha256?: string; version?: number; maxLength?: number } = {},
  ): Promise<Buffer | undefined> {
    let body: Buffer | undefined;
    if (opts.version !== undefined) {
      this.requests.push(`${opts.version}.${role}`);
      body = role === 'root' ? this.roots.get(opts.version) : undefined;
    } else if (opts.sha256 !== undefined) {
      this.requests.push(`${role}.${opts.sha256.slice(0, 8)}`);
      // Served whatever the checksum: tampering tests swap files in place, as a malicious
      // server would, and the client must catch it.
      body = this.files.get(role);
    } else {
      this.requests.push(role);
      body = this.files.get(role);
    }
    if (body !== undefined && opts.maxLength !== undefined && body.length > opts.maxLength) {
      body = body.subarray(0, opts.maxLength);
    }
    return Promise.resolve(body);
  }
}
