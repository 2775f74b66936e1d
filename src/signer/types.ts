/**
 * The contract between the action layer (src/action) and the flows (src/signer): plain data
 * in, plain data out. Nothing here is secret except what `KeyRing` holds.
 */
import type { KeyRing } from '../keys/keyring.js';
import type { ExecFn } from '../registry/credentials.js';
import type { CosignSignSettings } from './cosign.js';
import type { RepoHealth } from './health.js';
import type { TrustState } from '../tuf/trust-cache.js';

/** One signed (or revoked) tag, as the `signed` output lists it (ACTION.md). */
export interface SignedTag {
  image: string;
  gun: string;
  tag: string;
  digest: string; // sha256:<hex>
  size: number;
  roles: string[]; // TUF roles the target was added to / removed from
}

/** One verified tag, as the `verified` output lists it (ACTION.md). */
export interface VerifiedTag {
  image: string;
  gun: string;
  tag: string;
  digest: string;
  size: number;
  signers: string[]; // delegation names (`ci`), or `targets` / `releases`
  /** A valid cosign signature was required and found (`verify` with cosign). */
  cosign?: boolean;
}

/** Where trusted roots and versions live between runs (the Actions cache, or nowhere). */
export interface TrustStore {
  load(gun: string): Promise<TrustState | undefined>;
  save(state: TrustState): Promise<void>;
}

/** Network settings shared by the registry and trust-server clients. */
export interface ConnectionOptions {
  /** Explicit trust server URL (input or env); otherwise derived per registry (ACTION.md). */
  trustServer?: string;
  /** Extra CA certificates (PEM) for the trust server and the registry. */
  caPem?: string;
  /** Registries (`host[:port]`) that may be reached over plain HTTP, besides loopback ones. */
  insecureRegistries?: string[];
  /** Registry / token-service credentials given as inputs. */
  username?: string;
  password?: string;
  /** Where the Docker config lives (`DOCKER_CONFIG` or ~/.docker). */
  dockerConfigDir?: string;
  /** Runs a Docker credential helper (`docker-credential-<name> get`); the action passes
   *  otherwise the registry layer runs it through @actions/exec. */
  execCredentialHelper?: ExecFn;
  /** Called with every secret learned on the way (helper passwords, tokens) to mask it. */
  onSecret?: (secret: string) => void;
  /** Deadline of one HTTP attempt (headers and body); default 30 s (HttpOptions). */
  timeoutMs?: number;
  /** Told of every HTTP attempt (`dct --debug`). */
  requestLog?: (line: string) => void;
}

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface SignOptions extends ConnectionOptions {
  images: string[];
  /** `sha256:<hex>` every tag must carry (the `digest` input). */
  digest?: string;
  keys: KeyRing;
  /** Delegation names to sign into (`ci` means `targets/ci`); empty = every role the keys may sign. */
  signers: string[];
  rootKeyIds: string[];
  trustStore?: TrustStore;
  log: Logger;
  /** Also write cosign signatures of every digest signed (the `cosign` input). */
  cosign?: CosignSignSettings;
  /** Told each repository's roles after it is published (the job summary's trust health). */
  onHealth?: (health: RepoHealth) => void;
}

export interface VerifyOptions extends ConnectionOptions {
  images: string[];
  digest?: string;
  requiredSigners: string[];
  /** Also require a valid cosign signature by a delegated key (the `cosign` input). */
  cosign?: boolean;
  rootKeyIds: string[];
  trustStore?: TrustStore;
  log: Logger;
  /** Told each repository's roles once verified (the job summary's trust health). */
  onHealth?: (health: RepoHealth) => void;
}

export interface RevokeOptions extends ConnectionOptions {
  images: string[];
  keys: KeyRing;
  signers: string[];
  rootKeyIds: string[];
  trustStore?: TrustStore;
  log: Logger;
}
