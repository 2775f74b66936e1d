/**
 * Writing cosign key-based signatures (no certificate, no transparency log) the way
 * `cosign sign --key … --tlog-upload=false` does: an ECDSA P-256 / SHA-256 signature, ASN.1
 * DER and base64, over the payload; the payload blob uploaded; a layer appended to the
 * digest's `.sig` image. The registry API has no compare-and-swap, so a concurrent writer
 * can replace the manifest with one built on what it read before our write: every write is
 * read back after a pause longer than such a writer's read-to-write gap, and re-applied on
 * top of whatever is there when a signature of ours went missing.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DctError } from '../errors.js';
import { sign, verifySignature } from '../keys/sign.js';
import { backoff, type BackoffPolicy } from '../http/client.js';
import type { RegistryClient } from '../registry/client.js';
import type { ImageRef } from '../registry/reference.js';
import {
  appendSignatureLayers,
  layerSignature,
  OCI_MANIFEST,
  parseSignatureManifest,
  signatureLayer,
  signatureTag,
  type Descriptor,
  type SignatureManifest,
} from './image.js';
import { dockerReference, simpleSigningPayload, SIMPLE_SIGNING_MEDIA_TYPE } from './payload.js';

/** A key to sign with, and how to name it in messages (`the ci key 1a2b3c4`). */
export interface CosignSigningKey {
  key: KeyObject;
  label: string;
}

/** One signature made and its payload uploaded, not yet in the `.sig` image. */
export interface PreparedSignature {
  /** The image manifest digest signed. */
  digest: string;
  payload: Buffer;
  layer: Descriptor;
  publicKey: KeyObject;
  label: string;
}

/** The ASN.1 DER ECDSA signature over SHA-256 that cosign's signer makes, in base64. */
export function cosignSignature(key: KeyObject, payload: Buffer): string {
  return sign(key, payload, 'der').sig.toString('base64');
}

/** Whether `b64sig` is a valid cosign signature of `payload` under the public `key`. */
export function verifyCosignSignature(key: KeyObject, payload: Buffer, b64sig: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64sig)) return false;
  return verifySignature('ecdsa', key, payload, Buffer.from(b64sig, 'base64'), 'der');
}

/**
 * Signs `digest` of `ref`'s repository with `signer` and uploads the payload blob: the
 * first write, invisible until a manifest names it, and the one that finds out whether the
 * credentials may push.
 */
export async function prepareSignature(
  registry: RegistryClient,
  ref: ImageRef,
  digest: string,
  signer: CosignSigningKey,
): Promise<PreparedSignature> {
  const payload = simpleSigningPayload(dockerReference(ref), digest);
  const b64sig = cosignSignature(signer.key, payload);
  await registry.pushBlob(ref, payload);
  return {
    digest,
    payload,
    layer: signatureLayer(payload, SIMPLE_SIGNING_MEDIA_TYPE, b64sig),
    publicKey: createPublicKey(signer.key),
    label: signer.label,
  };
}

export interface AttachOptions {
  /** Pause between a write and the read that confirms it (default 1 s). */
  settleMs?: number;
  /** Writes before giving up (default 8). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called just before each manifest write (tests use it to interleave writers). */
  beforeWrite?: () => Promise<void>;
  log?: (message: string) => void;
}

const DEFAULT_SETTLE_MS = 1000;
const DEFAULT_ATTEMPTS = 8;
const MAX_CONFIG_BYTES = 1 << 20;
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Between writes of the signature manifest while the registry settles. */
const WRITE_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 2_000, jitter: 'around' };

/**
 * Whether `image` already holds `sig`: the layer we wrote, or one with the same payload whose
 * signature verifies under the same key (cosign's duplicate rule, pkg/cosign/remote), so
 * signing again adds nothing.
 */
function holds(image: SignatureManifest | undefined, sig: PreparedSignature): boolean {
  const ours = layerSignature(sig.layer);
  return (image?.doc.layers ?? []).some((l) => {
    if (l.digest !== sig.layer.digest) return false;
    const theirs = layerSignature(l);
    if (theirs === undefined) return false;
    return theirs === ours || verifyCosignSignature(sig.publicKey, sig.payload, theirs);
  });
}

/**
 * Puts `sigs` (all for `digest`) into the digest's `.sig` image, appending to what is there.
 * Returns how many layers were added (0 when every signature was there already).
 */
export async function attachSignatures(
  registry: RegistryClient,
  ref: ImageRef,
  digest: string,
  sigs: PreparedSignature[],
  opts: AttachOptions = {},
): Promise<number> {
  const tag = signatureTag(digest);
  const where = `${ref.registry}/${ref.repository}:${tag}`;
  const sleep = opts.sleep ?? defaultSleep;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_ATTEMPTS;
  let writes = 0;
  let added = 0;
  for (;;) {
    const current = await registry.fetchManifest(ref, tag);
    const image = current && parseSignatureManifest(current.bytes, where);
    const missing = sigs.filter((s) => !holds(image, s));
    if (missing.length === 0) return added;
    if (writes >= maxAttempts) {
      throw new DctError(
        'COSIGN_WRITE_LOST',
        `${where}: other writers replaced the signature image ${writes} times; run the job again`,
      );
    }
    if (writes > 0) {
      opts.log?.(`${where}: a concurrent write replaced our signature; adding it again`);
      await sleep(backoff(writes, WRITE_BACKOFF));
    }
    const config =
      image === undefined
        ? undefined
        : await registry.getBlob(ref, image.doc.config.digest, MAX_CONFIG_BYTES);
    const next = appendSignatureLayers(
      image,
      config,
      missing.map((s) => s.layer),
    );
    await registry.pushBlob(ref, next.config);
    await opts.beforeWrite?.();
    const mediaType = image === undefined ? OCI_MANIFEST : current?.mediaType || OCI_MANIFEST;
    await registry.putManifest(ref, tag, mediaType, next.manifest);
    writes++;
    added = missing.length;
    // Read back after a pause: a writer that read before our write may still replace it.
    await sleep(opts.settleMs ?? DEFAULT_SETTLE_MS);
  }
}
