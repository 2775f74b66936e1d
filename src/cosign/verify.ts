/**
 * Checking the cosign signatures of one manifest digest against given public keys, as
 * `cosign verify --key … --insecure-ignore-tlog=true` does (pkg/cosign/verify.go): each
 * layer of the digest's `.sig` image is a candidate; its payload must be the simple-signing
 * claim for this digest (SimpleClaimVerifier) and its signature valid under a key. Stricter
 * than cosign: the payload must also name this repository (podman's `matchRepository`), so a
 * signature copied from another repository does not count.
 */
import type { KeyObject } from 'node:crypto';
import { describeError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { ImageRef } from '../registry/reference.js';
import {
  layerSignature,
  MAX_SIGNATURE_LAYERS,
  parseSignatureManifest,
  signatureTag,
  type Descriptor,
} from './image.js';
import { namesRepository, parsePayload } from './payload.js';
import { verifyCosignSignature } from './sign.js';

/** A public key that may sign, and whose it is (a signer name). */
export interface CosignVerifyKey {
  owner: string;
  key: KeyObject;
}

export interface CosignFindings {
  /** The `.sig` tag looked at. */
  tag: string;
  /** Layers in the signature image (0 when there is none). */
  signatures: number;
  /** Owners of the keys that made at least one valid signature. */
  validBy: Set<string>;
  /** Why layers were not valid, one line each (first few). */
  problems: string[];
}

/** cosign reads payloads up to 128 MiB; a simple-signing payload is a few hundred bytes. */
const MAX_PAYLOAD_BYTES = 1 << 20;
const PARALLEL = 8;
const MAX_PROBLEMS = 5;

export async function findCosignSignatures(
  registry: RegistryClient,
  ref: ImageRef,
  digest: string,
  keys: CosignVerifyKey[],
): Promise<CosignFindings> {
  const tag = signatureTag(digest);
  const findings: CosignFindings = { tag, signatures: 0, validBy: new Set(), problems: [] };
  const found = await registry.fetchManifest(ref, tag);
  if (found === undefined) return findings;
  const image = parseSignatureManifest(found.bytes, `${ref.registry}/${ref.repository}:${tag}`);
  const layers = image.doc.layers;
  findings.signatures = layers.length;
  if (layers.length > MAX_SIGNATURE_LAYERS) {
    findings.problems.push(`it holds ${layers.length} layers, more than cosign reads`);
    return findings;
  }
  const problem = (i: number, why: string): void => {
    if (findings.problems.length < MAX_PROBLEMS) findings.problems.push(`layer ${i + 1}: ${why}`);
  };
  const check = async (layer: Descriptor, i: number): Promise<void> => {
    const b64sig = layerSignature(layer);
    if (b64sig === undefined) return problem(i, 'no signature annotation');
    if (layer.size > MAX_PAYLOAD_BYTES) return problem(i, `a ${layer.size}-byte payload`);
    let payload: Buffer;
    try {
      payload = await registry.getBlob(ref, layer.digest, MAX_PAYLOAD_BYTES);
    } catch (e) {
      return problem(i, `payload unreadable: ${describeError(e)}`);
    }
    let claims;
    try {
      claims = parsePayload(payload);
    } catch (e) {
      return problem(i, describeError(e));
    }
    if (claims.digest !== digest) return problem(i, `the payload is for ${claims.digest}`);
    if (!namesRepository(claims.dockerReference, ref)) {
      return problem(i, `the payload names ${claims.dockerReference}, another repository`);
    }
    const owners = keys.filter((k) => verifyCosignSignature(k.key, payload, b64sig));
    if (owners.length === 0) return problem(i, 'the signature is not by any of the keys');
    for (const k of owners) findings.validBy.add(k.owner);
  };
  for (let i = 0; i < layers.length; i += PARALLEL) {
    await Promise.all(layers.slice(i, i + PARALLEL).map((l, j) => check(l, i + j)));
  }
  return findings;
}
