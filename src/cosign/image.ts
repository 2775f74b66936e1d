/**
 * The image cosign keeps an image's signatures in: an OCI image manifest stored under the tag
 * `sha256-<hex>.sig` beside the signed manifest, one layer per signature whose blob is the
 * payload and whose `dev.cosignproject.cosign/signature` annotation is the base64 signature
 * (cosign `pkg/oci/static`, `pkg/oci/empty`). The config is go-containerregistry's for an
 * empty image with those layers appended: one diff_id and one history entry per layer.
 * Appending keeps every byte-level field of the existing manifest and config we do not touch.
 */
import { createHash } from 'node:crypto';
import { DctError } from '../errors.js';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** cosign refuses to read a signature image with more layers (pkg/oci/remote maxLayers). */
export const MAX_SIGNATURE_LAYERS = 1000;

export interface Descriptor {
  mediaType: string;
  size: number;
  digest: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface SignatureManifest {
  /** The manifest as parsed, unknown fields kept. */
  doc: Record<string, unknown> & { config: Descriptor; layers: Descriptor[] };
}

/** The tag cosign stores the signatures of `digest` under. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

export const sha256 = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function isDescriptor(v: unknown): v is Descriptor {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  const ann = d.annotations;
  return (
    typeof d.mediaType === 'string' &&
    typeof d.digest === 'string' &&
    /^sha256:[0-9a-f]{64}$/.test(d.digest) &&
    Number.isSafeInteger(d.size) &&
    (d.size as number) >= 0 &&
    (ann === undefined ||
      (typeof ann === 'object' &&
        ann !== null &&
        Object.values(ann).every((x) => typeof x === 'string')))
  );
}

/** Parses the manifest under a `.sig` tag; COSIGN_BAD_SIGNATURE_IMAGE when it is not one. */
export function parseSignatureManifest(bytes: Buffer, where: string): SignatureManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw badImage(where, 'it is not JSON', e);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw badImage(where, 'it is not a JSON object');
  }
  const m = doc as Record<string, unknown>;
  if (m.schemaVersion !== 2) throw badImage(where, 'its schemaVersion is not 2');
  // cosign writes Docker media types under COSIGN_DOCKER_MEDIA_TYPES=1.
  if (
    m.mediaType !== undefined &&
    m.mediaType !== OCI_MANIFEST &&
    m.mediaType !== DOCKER_MANIFEST
  ) {
    throw badImage(where, `it is a ${JSON.stringify(m.mediaType)}, not an OCI image manifest`);
  }
  if (!isDescriptor(m.config)) throw badImage(where, 'its config descriptor is malformed');
  if (!Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
    throw badImage(where, 'its layers are malformed');
  }
  return { doc: m as SignatureManifest['doc'] };
}

function badImage(where: string, why: string, cause?: unknown): DctError {
  return new DctError(
    'COSIGN_BAD_SIGNATURE_IMAGE',
    `${where} is not a cosign signature image: ${why}`,
    { cause },
  );
}

/** The base64 signature a layer carries, if any. */
export function layerSignature(layer: Descriptor): string | undefined {
  return layer.annotations?.[SIGNATURE_ANNOTATION];
}

/** A layer descriptor for a signature: the payload blob and its signature annotation. */
export function signatureLayer(payload: Buffer, mediaType: string, b64sig: string): Descriptor {
  return {
    mediaType,
    size: payload.length,
    digest: sha256(payload),
    annotations: { [SIGNATURE_ANNOTATION]: b64sig },
  };
}

/** go-containerregistry's zero time, as its empty image's config and history carry it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The signature image with `layers` appended to `base` (or to an empty one): the manifest
 * and config bytes to upload. `baseConfig` is the existing config blob.
 */
export function appendSignatureLayers(
  base: SignatureManifest | undefined,
  baseConfig: Buffer | undefined,
  layers: Descriptor[],
): { manifest: Buffer; config: Buffer } {
  let config: Record<string, unknown>;
  if (baseConfig === undefined) {
    // Field order of go-containerregistry's v1.ConfigFile, as cosign writes it.
    config = {
      architecture: '',
      created: ZERO_TIME,
      history: [],
      os: '',
      rootfs: { type: 'layers', diff_ids: [] },
      config: {},
    };
  } else {
    try {
      config = JSON.parse(baseConfig.toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw badImage('the signature image config', 'it is not JSON', e);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw badImage('the signature image config', 'it is not a JSON object');
    }
  }
  const rootfs = (config.rootfs ??= { type: 'layers', diff_ids: [] }) as Record<string, unknown>;
  const diffIds = Array.isArray(rootfs.diff_ids) ? [...(rootfs.diff_ids as unknown[])] : [];
  const history = Array.isArray(config.history) ? [...(config.history as unknown[])] : [];
  for (const layer of layers) {
    // The payload is stored uncompressed: its diff_id is its digest.
    diffIds.push(layer.digest);
    history.push({ created: ZERO_TIME });
  }
  rootfs.diff_ids = diffIds;
  config.history = history;
  const configBytes = Buffer.from(JSON.stringify(config), 'utf8');
  const configDesc: Descriptor = {
    ...(base?.doc.config ?? {}),
    mediaType: base?.doc.config.mediaType ?? OCI_CONFIG,
    size: configBytes.length,
    digest: sha256(configBytes),
  };
  delete configDesc.data; // an inlined copy of the old config would now be wrong
  const doc: Record<string, unknown> =
    base === undefined
      ? { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers }
      : { ...base.doc, config: configDesc, layers: [...base.doc.layers, ...layers] };
  if ((doc.layers as Descriptor[]).length > MAX_SIGNATURE_LAYERS) {
    throw new DctError(
      'COSIGN_TOO_MANY_SIGNATURES',
      `the signature image would hold more than ${MAX_SIGNATURE_LAYERS} signatures, which cosign refuses to read`,
    );
  }
  return { manifest: Buffer.from(JSON.stringify(doc), 'utf8'), config: configBytes };
}
