import { generateKeyPairSync, createPublicKey, sign } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  appendSignatureLayers,
  MAX_SIGNATURE_LAYERS,
  parseSignatureManifest,
  sha256,
  signatureLayer,
  signatureTag,
  SIGNATURE_ANNOTATION,
} from '../../src/cosign/image.js';
import {
  dockerReference,
  namesRepository,
  parsePayload,
  simpleSigningPayload,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from '../../src/cosign/payload.js';
import { cosignSignature, verifyCosignSignature } from '../../src/cosign/sign.js';
import { isDctError } from '../../src/errors.js';
import { parseImageRef } from '../../src/registry/reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isDctError(e) ? e.code : `not a DctError: ${String(e)}`;
  }
  return undefined;
}

describe('the simple-signing payload', () => {
  it('is byte for byte what cosign sign writes (Go json.Marshal, struct order)', () => {
    const bytes = simpleSigningPayload('127.0.0.1:5000/team/app', DIGEST);
    expect(bytes.toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
  });

  it('names Docker Hub repositories as go-containerregistry does', () => {
    expect(dockerReference(parseImageRef('alpine:3'))).toBe('index.docker.io/library/alpine');
    expect(dockerReference(parseImageRef('docker.io/user/app:1'))).toBe('index.docker.io/user/app');
    expect(dockerReference(parseImageRef('reg.example.com:5000/a/b:1'))).toBe(
      'reg.example.com:5000/a/b',
    );
  });

  it('matches a claimed repository the way matchRepository does', () => {
    const hub = parseImageRef('user/app:1');
    expect(namesRepository('index.docker.io/user/app', hub)).toBe(true);
    expect(namesRepository('docker.io/user/app:1.0', hub)).toBe(true);
    expect(namesRepository(`docker.io/user/app@${DIGEST}`, hub)).toBe(true);
    expect(namesRepository('docker.io/user/other', hub)).toBe(false);
    const own = parseImageRef('reg.example.com:5000/team/app:1');
    expect(namesRepository('reg.example.com:5000/team/app', own)).toBe(true);
    expect(namesRepository('reg.example.com:5000/team/app:latest', own)).toBe(true);
    expect(namesRepository('reg.example.com/team/app', own)).toBe(false);
    expect(namesRepository('other.example.com:5000/team/app', own)).toBe(false);
    expect(namesRepository('team/app', own)).toBe(false);
  });

  it('parses what it wrote and refuses other payloads', () => {
    expect(parsePayload(simpleSigningPayload('r.io/a', DIGEST))).toEqual({
      dockerReference: 'r.io/a',
      digest: DIGEST,
    });
    expect(code(() => parsePayload(Buffer.from('not json')))).toBe('COSIGN_BAD_PAYLOAD');
    expect(
      code(() => parsePayload(Buffer.from('{"critical":{"type":"atomic container signature"}}'))),
    ).toBe('COSIGN_BAD_PAYLOAD');
    expect(
      code(() =>
        parsePayload(
          Buffer.from('{"critical":{"type":"cosign container image signature","image":{}}}'),
        ),
      ),
    ).toBe('COSIGN_BAD_PAYLOAD');
  });
});

describe('cosign signatures', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  let payload: Buffer;
  beforeEach(() => {
    payload = simpleSigningPayload('r.io/a', DIGEST);
  });

  it('are ASN.1 DER ECDSA over SHA-256, checked under the public key only', () => {
    const b64 = cosignSignature(key, payload);
    const der = Buffer.from(b64, 'base64');
    expect(der[0]).toBe(0x30); // a DER SEQUENCE, not raw r||s
    expect(verifyCosignSignature(createPublicKey(key), payload, b64)).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyCosignSignature(other, payload, b64)).toBe(false);
    const tampered = Buffer.from(payload.toString().replace('r.io/a', 'r.io/b'));
    expect(verifyCosignSignature(createPublicKey(key), tampered, b64)).toBe(false);
  });

  it('refuses raw r||s signatures and garbage', () => {
    const raw = sign('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }).toString('base64');
    expect(verifyCosignSignature(createPublicKey(key), payload, raw)).toBe(false);
    expect(verifyCosignSignature(createPublicKey(key), payload, '!!')).toBe(false);
    expect(verifyCosignSignature(createPublicKey(key), payload, 'AAAA')).toBe(false);
  });
});

describe('the signature image', () => {
  let payload: Buffer;
  let layer: ReturnType<typeof signatureLayer>;
  beforeEach(() => {
    payload = simpleSigningPayload('r.io/a', DIGEST);
    layer = signatureLayer(payload, SIMPLE_SIGNING_MEDIA_TYPE, 'c2ln');
  });

  it('lives under sha256-<hex>.sig', () => {
    expect(signatureTag(DIGEST)).toBe(`sha256-${'ab'.repeat(32)}.sig`);
  });

  it('starts as go-containerregistry empty image with the layer appended', () => {
    const { manifest, config } = appendSignatureLayers(undefined, undefined, [layer]);
    expect(JSON.parse(config.toString())).toEqual({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: [sha256(payload)] },
      config: {},
    });
    expect(JSON.parse(manifest.toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: [
        {
          mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
          size: payload.length,
          digest: sha256(payload),
          annotations: { [SIGNATURE_ANNOTATION]: 'c2ln' },
        },
      ],
    });
  });

  it('appends to an existing image, keeping its layers and unknown fields', () => {
    const first = appendSignatureLayers(undefined, undefined, [layer]);
    const withExtra = JSON.parse(first.manifest.toString()) as Record<string, unknown>;
    withExtra.annotations = { 'org.example/note': 'kept' };
    const base = parseSignatureManifest(Buffer.from(JSON.stringify(withExtra)), 'x');
    const config = JSON.parse(first.config.toString()) as Record<string, unknown>;
    config['os.features'] = ['kept'];
    const second = signatureLayer(Buffer.from('other'), SIMPLE_SIGNING_MEDIA_TYPE, 'b3RoZXI=');
    const next = appendSignatureLayers(base, Buffer.from(JSON.stringify(config)), [second]);
    const m = JSON.parse(next.manifest.toString()) as {
      annotations: unknown;
      layers: { digest: string }[];
      config: { digest: string };
    };
    expect(m.annotations).toEqual({ 'org.example/note': 'kept' });
    expect(m.layers.map((l) => l.digest)).toEqual([layer.digest, second.digest]);
    expect(m.config.digest).toBe(sha256(next.config));
    const c = JSON.parse(next.config.toString()) as {
      rootfs: { diff_ids: string[] };
      history: unknown[];
      'os.features': string[];
    };
    expect(c.rootfs.diff_ids).toEqual([layer.digest, second.digest]);
    expect(c.history).toHaveLength(2);
    expect(c['os.features']).toEqual(['kept']);
  });

  it('refuses to grow past what cosign reads, and what is not a signature image', () => {
    const many = Array.from({ length: MAX_SIGNATURE_LAYERS + 1 }, () => layer);
    expect(code(() => appendSignatureLayers(undefined, undefined, many))).toBe(
      'COSIGN_TOO_MANY_SIGNATURES',
    );
    expect(code(() => parseSignatureManifest(Buffer.from('[]'), 'x'))).toBe(
      'COSIGN_BAD_SIGNATURE_IMAGE',
    );
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' };
    expect(code(() => parseSignatureManifest(Buffer.from(JSON.stringify(index)), 'x'))).toBe(
      'COSIGN_BAD_SIGNATURE_IMAGE',
    );
    const badLayer = {
      schemaVersion: 2,
      config: layer,
      layers: [{ ...layer, annotations: { [SIGNATURE_ANNOTATION]: 5 } }],
    };
    expect(code(() => parseSignatureManifest(Buffer.from(JSON.stringify(badLayer)), 'x'))).toBe(
      'COSIGN_BAD_SIGNATURE_IMAGE',
    );
  });
});
