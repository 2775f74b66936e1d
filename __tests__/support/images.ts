// Pushes tiny sample images to the sandbox registry through its HTTP API (distribution
// spec: monolithic blob upload, manifest PUT), with the Bearer token dance when auth is on.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { gzipSync } from 'node:zlib';
import type { Sandbox } from './servers.js';

export type ImageKind = 'docker' | 'oci' | 'oci-index' | 'docker-list';

export interface PushedImage {
  /** `sha256:<hex>` of the exact manifest bytes stored under the tag. */
  digest: string;
  /** Byte length of those bytes. */
  size: number;
  mediaType: string;
}

export interface PushOptions {
  kind?: ImageKind;
  /** Makes the content differ: re-pushing a tag with another seed moves it. */
  seed?: string;
  auth?: { username: string; password: string };
}

const MT = {
  docker: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  oci: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const PLATFORMS = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
];

export async function pushImage(
  sb: Sandbox,
  repository: string,
  tag: string,
  opts: PushOptions = {},
): Promise<PushedImage> {
  const kind = opts.kind ?? 'docker';
  const seed = opts.seed ?? 'default';
  const client = new RegistryClient(sb, repository, opts.auth);
  if (kind === 'docker' || kind === 'oci') {
    return client.putManifest(tag, await singleManifest(client, kind, seed, PLATFORMS[0]));
  }
  const children = [];
  for (const platform of PLATFORMS) {
    const child = await singleManifest(
      client,
      kind === 'oci-index' ? 'oci' : 'docker',
      seed,
      platform,
    );
    const pushed = await client.putManifest(digestOf(child.bytes), child);
    children.push({
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      platform,
    });
  }
  const mediaType = kind === 'oci-index' ? MT.ociIndex : MT.dockerList;
  const list = { schemaVersion: 2, mediaType, manifests: children };
  return client.putManifest(tag, { mediaType, bytes: Buffer.from(JSON.stringify(list, null, 2)) });
}

interface ManifestBytes {
  mediaType: string;
  bytes: Buffer;
}

async function singleManifest(
  client: RegistryClient,
  kind: 'docker' | 'oci',
  seed: string,
  platform: (typeof PLATFORMS)[number],
): Promise<ManifestBytes> {
  const content = Buffer.from(`sample image ${seed} ${platform.architecture}\n`);
  const tar = tarOf('hello.txt', content);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      ...platform,
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'], Labels: { seed } },
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'dct test support' }],
    }),
  );
  await client.uploadBlob(config);
  await client.uploadBlob(layer);
  const oci = kind === 'oci';
  const mediaType = oci ? MT.oci : MT.docker;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: oci ? MT.ociConfig : MT.dockerConfig,
      size: config.length,
      digest: digestOf(config),
    },
    layers: [
      {
        mediaType: oci ? MT.ociLayer : MT.dockerLayer,
        size: layer.length,
        digest: digestOf(layer),
      },
    ],
  };
  return { mediaType, bytes: Buffer.from(JSON.stringify(manifest, null, 3)) };
}

/** GETs a manifest as stored, e.g. to check what a tag points to now. */
export async function fetchManifest(
  sb: Sandbox,
  repository: string,
  reference: string,
  auth?: { username: string; password: string },
): Promise<PushedImage & { bytes: Buffer }> {
  const client = new RegistryClient(sb, repository, auth);
  return client.getManifest(reference);
}

export function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A one-file ustar archive: header block, content padded to 512, two zero blocks. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124);
  // A fixed mtime (2024-01-01) so the bytes never depend on the clock.
  header.write((1704067200).toString(8).padStart(11, '0') + '\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Just enough of a registry client: Bearer auth from the challenge, blobs and manifests. */
class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly sb: Sandbox,
    private readonly repository: string,
    private readonly auth?: { username: string; password: string },
  ) {}

  async uploadBlob(bytes: Buffer): Promise<void> {
    const digest = digestOf(bytes);
    const head = await this.send('HEAD', `/v2/${this.repository}/blobs/${digest}`);
    if (head.status === 200) return;
    const start = await this.send('POST', `/v2/${this.repository}/blobs/uploads/`);
    expectStatus(start, 202, 'start blob upload');
    const location = new URL(String(start.headers.location), this.sb.registry.url);
    location.searchParams.set('digest', digest);
    const put = await this.send('PUT', location.pathname + location.search, bytes, {
      'content-type': 'application/octet-stream',
    });
    expectStatus(put, 201, `upload blob ${digest}`);
  }

  async putManifest(reference: string, m: ManifestBytes): Promise<PushedImage> {
    const res = await this.send('PUT', `/v2/${this.repository}/manifests/${reference}`, m.bytes, {
      'content-type': m.mediaType,
    });
    expectStatus(res, 201, `put manifest ${this.repository}:${reference}`);
    const digest = digestOf(m.bytes);
    const stored = res.headers['docker-content-digest'];
    if (stored !== digest) throw new Error(`registry stored ${String(stored)}, expected ${digest}`);
    return { digest, size: m.bytes.length, mediaType: m.mediaType };
  }

  async getManifest(reference: string): Promise<PushedImage & { bytes: Buffer }> {
    const accept = [MT.docker, MT.dockerList, MT.oci, MT.ociIndex].join(', ');
    const res = await this.send('GET', `/v2/${this.repository}/manifests/${reference}`, undefined, {
      accept,
    });
    expectStatus(res, 200, `get manifest ${this.repository}:${reference}`);
    return {
      digest: digestOf(res.body),
      size: res.body.length,
      mediaType: String(res.headers['content-type']),
      bytes: res.body,
    };
  }

  private async send(
    method: string,
    path: string,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const first = await this.raw(method, path, body, headers);
    if (first.status !== 401) return first;
    const challenge = String(first.headers['www-authenticate'] ?? '');
    if (!/^Bearer\s/i.test(challenge)) return first;
    this.token = await this.fetchToken(challenge);
    return this.raw(method, path, body, headers);
  }

  private async fetchToken(challenge: string): Promise<string> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const url = new URL(params.realm ?? '');
    url.searchParams.set('service', params.service ?? '');
    url.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (this.auth) {
      url.searchParams.set('account', this.auth.username);
      const basic = Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64');
      headers.authorization = `Basic ${basic}`;
    }
    const res = await sendRequest(this.sb.caPem, 'GET', url, undefined, headers);
    expectStatus(res, 200, 'get registry token');
    const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new Error('token service answered without a token');
    return token;
  }

  private raw(
    method: string,
    path: string,
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<Response> {
    const h = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    return sendRequest(this.sb.caPem, method, new URL(path, this.sb.registry.url), body, h);
  }
}

function expectStatus(res: Response, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(`${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  }
}

/** https with the sandbox CA, or plain http for a registry started without TLS. */
function sendRequest(
  ca: string,
  method: string,
  url: URL,
  body: Buffer | undefined,
  headers: Record<string, string>,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'http:' ? httpRequest : request)(
      url,
      {
        method,
        ca,
        headers: { ...headers, 'content-length': String(body?.length ?? 0) },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
