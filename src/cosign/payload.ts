/**
 * cosign's signed payload: the "simple signing" JSON that names the repository and the manifest
 * digest (sigstore `pkg/signature/payload`, the format of containers/image's "atomic"
 * signatures). cosign writes it with Go's encoding/json in struct order and `"optional":null`;
 * the bytes are what is signed, so ours are written the same way.
 */
import { DctError } from '../errors.js';
import type { ImageRef } from '../registry/reference.js';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** Docker Hub as go-containerregistry names it in `docker-reference` (name.DefaultRegistry). */
const HUB = 'index.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The repository as cosign's `sign` names it: go-containerregistry's `Repository.Name()`,
 * the registry (Docker Hub as `index.docker.io`) and the path, without tag or digest.
 */
export function dockerReference(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  const registry = HUB_ALIASES.has(ref.registry) ? HUB : ref.registry;
  return `${registry}/${ref.repository}`;
}

/** The payload bytes for `digest` in the repository `reference`. */
export function simpleSigningPayload(reference: string, digest: string): Buffer {
  if (!DIGEST.test(digest)) throw new TypeError(`not a sha256 digest: ${digest}`);
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: COSIGN_SIGNATURE_TYPE,
      },
      optional: null,
    }),
    'utf8',
  );
}

export interface PayloadClaims {
  dockerReference: string;
  digest: string;
}

/** What a payload claims; throws COSIGN_BAD_PAYLOAD when it is not a cosign image payload. */
export function parsePayload(bytes: Buffer): PayloadClaims {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new DctError('COSIGN_BAD_PAYLOAD', 'the signed payload is not JSON', { cause: e });
  }
  const critical = (doc as { critical?: Record<string, unknown> } | null)?.critical;
  const identity = critical?.identity as Record<string, unknown> | undefined;
  const image = critical?.image as Record<string, unknown> | undefined;
  const type = critical?.type;
  const reference = identity?.['docker-reference'];
  const digest = image?.['docker-manifest-digest'];
  if (type !== COSIGN_SIGNATURE_TYPE) {
    throw new DctError(
      'COSIGN_BAD_PAYLOAD',
      `the signed payload is not a cosign image signature (type ${JSON.stringify(type)})`,
    );
  }
  if (typeof reference !== 'string' || typeof digest !== 'string') {
    throw new DctError(
      'COSIGN_BAD_PAYLOAD',
      'the signed payload names no docker-reference or docker-manifest-digest',
    );
  }
  return { dockerReference: reference, digest };
}

/**
 * Whether a payload's `docker-reference` names the repository: the same registry (Docker
 * Hub's names as one) and path, a tag or digest on it allowed (cosign's `--sign-container-identity`
 * and newer payloads may carry one), as podman's `matchRepository` compares them.
 */
export function namesRepository(claimed: string, ref: Pick<ImageRef, 'registry' | 'repository'>) {
  let name = claimed;
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const first = name.indexOf('/');
  if (first < 0) return false;
  const host = name.slice(0, first);
  const path = name.slice(first + 1);
  const sameHost =
    host === ref.registry || (HUB_ALIASES.has(host) && HUB_ALIASES.has(ref.registry));
  return sameHost && path === ref.repository;
}
