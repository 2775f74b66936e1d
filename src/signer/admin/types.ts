/**
 * The repository-administration flows' contract (what `docker trust signer`, `key rotate` and
 * `delete --remote` did): plain data and keys in, plain results out. The flows never
 * generate or store a key: where a new key is needed they call a `KeySource`, so the `dct`
 * command line makes and stores it (and the action only passes keys it was given).
 */
import type { KeyObject } from 'node:crypto';
import type { TufKey } from '../../keys/keyid.js';
import type { KeyRing } from '../../keys/keyring.js';
import type { ConnectionOptions, Logger, TrustStore } from '../types.js';

/** What every administration flow needs besides its own arguments. */
export interface AdminOptions extends ConnectionOptions {
  /** The repository: `host[:port]/path/name`, docker's short names allowed; a `:tag` is ignored. */
  repository: string;
  log: Logger;
  /** Root certificate key IDs to pin (TUF or canonical IDs); none = trust on first use. */
  rootKeyIds?: string[];
  /** Remembers each repository's trusted root and versions (the CLI: `$DOCKER_CONFIG/trust/tuf`). */
  trustStore?: TrustStore;
  /** The clock (tests); default `new Date()`. */
  now?: () => Date;
}

/**
 * Supplies a private key the flow needs: an existing one (the directory's root key) or one
 * made now. Called at most once per flow, and only once everything that can be checked before
 * publishing has been checked. A new key must be stored durably (encrypted) before the source
 * returns: the flow publishes metadata naming it right after.
 */
export type KeySource = () => KeyObject | Promise<KeyObject>;

/**
 * How to create a repository that has no trust data, as docker did (notary-spec.md §6.1):
 * the given root key gets a new certificate for the repository, the repository (targets) key
 * signs targets, the server holds the timestamp and snapshot keys.
 */
export interface NewRepository {
  /** The root key: docker reuses the first root key of the directory, else generates one. */
  rootKey: KeySource;
  /** The repository key (role `targets`, header `gun: <repository>` when stored). */
  repositoryKey: KeySource;
}

/** A signer's public key as `docker trust signer add --key` reads it (notary-spec.md §2). */
export interface SignerKey {
  /** TUF key ID, as the delegation will list it. */
  id: string;
  /** `ecdsa`/`rsa` (a PUBLIC KEY) or `ecdsa-x509`/`rsa-x509` (a CERTIFICATE). */
  tufKey: TufKey;
  /** ID of the bare public key (the private key's file name; equals `id` unless a certificate). */
  canonicalId: string;
  /** Where it came from (a file name, `signer-keys`), for messages. */
  source: string;
  /** The `role:` header of a `NAME.pub` file, when present. */
  role?: string;
  /** A certificate's end of validity. */
  notAfter?: Date;
}

/** What `initRepository` made (also part of `addSigner`'s result on a new repository). */
export interface InitResult {
  gun: string;
  /** TUF ID of the root certificate key in root.json (what signatures and pins name). */
  rootKeyId: string;
  /** ID of the root private key (its file name `<id>.key`). */
  rootCanonicalId: string;
  /** The root certificate (PEM) and its end of validity (10 years). */
  rootCertificate: string;
  certificateExpires: Date;
  /** ID of the repository (targets) key, which is also its file name. */
  repositoryKeyId: string;
  /** The server's keys, as root.json lists them. */
  timestampKeyId: string;
  snapshotKeyId: string;
}

export interface InitOptions extends AdminOptions {
  newRepository: NewRepository;
  /** Delegations to create in the same publish: `targets/<name>` and `targets/releases`. */
  signer?: { name: string; keys: SignerKey[] };
}

export interface AddSignerOptions extends AdminOptions {
  /** Signer name: `^[a-z0-9][a-z0-9_-]*$`, not `releases` (docker's rule). */
  name: string;
  /** At least one; see `parseSignerKeys`. */
  signerKeys: SignerKey[];
  /** Keys held: the repository (targets) key of an existing repository. */
  keys: KeyRing;
  /**
   * For a repository without trust data: create it first. Absent, such a repository is an
   * error (REPO_NOT_FOUND) and nothing is created.
   */
  newRepository?: NewRepository;
}

export interface AddSignerResult {
  gun: string;
  server: string;
  /** `targets/<name>`. */
  role: string;
  /** The delegation's key IDs after the change. */
  keyIds: string[];
  /** Key IDs of `targets/releases` after the change. */
  releasesKeyIds: string[];
  /** Set when the repository was created by this call. */
  initialized?: InitResult;
  /** False when the repository already had exactly this (nothing was published). */
  changed: boolean;
}

export interface RemoveSignerOptions extends AdminOptions {
  name: string;
  /** Keys held: the repository (targets) key. */
  keys: KeyRing;
  /** Remove even when the signer is the last one of `targets/releases`, without asking. */
  force?: boolean;
  /**
   * Asked when removing would leave `targets/releases` unusable: fewer keys than its
   * threshold, or its current tags signed by too few of the remaining keys. No `confirm` and
   * no `force` makes that an error (SIGNER_LAST_RELEASES); a false answer publishes nothing.
   */
  confirm?: (question: string) => Promise<boolean>;
}

export interface RemoveSignerResult {
  gun: string;
  server: string;
  role: string;
  /** False when the question was answered no: nothing was published. */
  removed: boolean;
  /** The key IDs that were taken out of `targets/releases`. */
  keyIds: string[];
  /** Key IDs `targets/releases` keeps. */
  releasesKeyIds: string[];
  /** Set when removing left `targets/releases` unusable (the question's text). */
  warning?: string;
}

export type RotatableRole = 'root' | 'targets' | 'snapshot' | 'timestamp';

export interface RotateKeyOptions extends AdminOptions {
  role: RotatableRole;
  /** Keys held: the current root key (every rotation re-signs root). */
  keys: KeyRing;
  /**
   * `snapshot`: let the server hold the new key (`POST snapshot.key`). `timestamp` is always
   * the server's (`false` is refused); `root` and `targets` never are (`true` is refused).
   */
  serverManaged?: boolean;
  /** The new key, for `root`, `targets` and a local `snapshot`. */
  newKey?: KeySource;
}

export interface RotateKeyResult {
  gun: string;
  server: string;
  role: RotatableRole;
  /** TUF IDs the role had and has now. */
  oldKeyIds: string[];
  newKeyId: string;
  /** ID of the new private key (its file name); absent for a server key. */
  newCanonicalId?: string;
  serverManaged: boolean;
  /** The root.json version published. */
  rootVersion: number;
  /** For `root`: the new certificate and its end of validity. */
  rootCertificate?: string;
  certificateExpires?: Date;
}

export type DeleteRemoteOptions = Omit<AdminOptions, 'rootKeyIds' | 'trustStore'>;

export interface DeleteRemoteResult {
  gun: string;
  server: string;
  /** Whether there was anything to delete (the server answers the same either way). */
  hadTrustData: boolean;
  /** What every consumer that trusted the old root must do, one instruction per line. */
  consumerSteps: string[];
}
