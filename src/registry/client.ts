import { createHash } from 'node:crypto';
import { isLoopback, TokenAuth, type AuthCredentials } from '../http/auth.js';
import { HttpError, errorList } from '../http/client.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http/client.js';
import { isDctError, oneLine } from '../errors.js';
import type { ImageRef } from './reference.js';

export interface ManifestInfo {
  /** `sha256:<hex>` of the exact bytes the registry holds under the tag. */
  digest: string;
  size: number;
  mediaType: string;
}

/** A manifest with the exact bytes it hashes from. */
export interface Manifest extends ManifestInfo {
  bytes: Buffer;
}

/** The four manifest kinds a tag may point at, asked for in one Accept header. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

const MAX_MANIFEST_BYTES = 4 << 20;

const sha256 = (bytes: Buffer): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Reads what a tag points at in a Docker/OCI registry: the digest and size of the exact
 * manifest bytes, which are what DCT signs (notary-spec.md §8).
 */
export class RegistryClient {
  private readonly auth: TokenAuth;
  /** Who the writes are made as, for messages. */
  private readonly account: string;
  private readonly insecure: ReadonlySet<string>;
  /** `http://<host>` for each registry host that answered plain HTTP on its https try. */
  private readonly plain = new Map<string, string>();

  constructor(opts: {
    http: HttpClient;
    credentials?: AuthCredentials | undefined;
    onSecret?: ((s: string) => void) | undefined;
    /** `host[:port]` of registries that may be reached over plain HTTP (input
     *  `insecure-registries`); loopback registries need no entry. */
    insecureRegistries?: readonly string[] | undefined;
  }) {
    const user = opts.credentials?.username ?? '';
    this.account =
      opts.credentials === undefined ? 'anonymous' : user ? `user "${user}"` : 'the token';
    this.auth = new TokenAuth({
      http: opts.http,
      credentials: opts.credentials,
      onSecret: opts.onSecret,
      server: 'the registry',
    });
    this.insecure = new Set((opts.insecureRegistries ?? []).map((r) => r.toLowerCase()));
  }

  /** GET /v2/<repo>/manifests/<tag>: hashes the bytes received. */
  async resolveTag(ref: ImageRef): Promise<ManifestInfo> {
    const res = await this.getManifestResponse(ref, ref.tag);
    if (res.status === 404) {
      throw registryError(
        'REGISTRY_TAG_NOT_FOUND',
        'tag not found in the registry; push it first',
        res,
      );
    }
    return this.manifestInfo(res);
  }

  /** GET /v2/<repo>/manifests/<digest>; the bytes must hash to `digest`. */
  async getManifest(ref: ImageRef, digest: string): Promise<ManifestInfo> {
    const res = await this.getManifestResponse(ref, digest);
    if (res.status === 404) {
      throw registryError(
        'REGISTRY_MANIFEST_NOT_FOUND',
        `manifest ${digest} not found in the registry`,
        res,
      );
    }
    const info = this.manifestInfo(res);
    if (info.digest !== digest) {
      throw registryError(
        'REGISTRY_DIGEST_MISMATCH',
        `the registry sent a manifest hashing to ${info.digest} when asked for ${digest}`,
        res,
      );
    }
    return info;
  }

  /** GET a manifest by tag or digest with its bytes; undefined when the registry has none. */
  async fetchManifest(ref: ImageRef, reference: string): Promise<Manifest | undefined> {
    const res = await this.getManifestResponse(ref, reference);
    if (res.status === 404) return undefined;
    const info = this.manifestInfo(res);
    if (reference.startsWith('sha256:') && info.digest !== reference) {
      throw registryError(
        'REGISTRY_DIGEST_MISMATCH',
        `the registry sent a manifest hashing to ${info.digest} when asked for ${reference}`,
        res,
      );
    }
    return { ...info, bytes: res.body };
  }

  /** GET /v2/<repo>/blobs/<digest>; the bytes must hash to `digest`. */
  async getBlob(ref: ImageRef, digest: string, maxBytes: number): Promise<Buffer> {
    const res = await this.send(
      ref,
      `/v2/${ref.repository}/blobs/${digest}`,
      { method: 'GET', maxBytes },
      `repository:${ref.repository}:pull`,
      () => undefined,
    );
    if (res.status !== 200) {
      throw registryError(
        res.status === 404 ? 'REGISTRY_BLOB_NOT_FOUND' : 'REGISTRY_ERROR',
        `the registry answered HTTP ${res.status} for blob ${digest}${describeRegistryBody(res.body)}`,
        res,
      );
    }
    if (sha256(res.body) !== digest) {
      throw registryError(
        'REGISTRY_DIGEST_MISMATCH',
        `the registry sent a blob hashing to ${sha256(res.body)} when asked for ${digest}`,
        res,
      );
    }
    return res.body;
  }

  /**
   * Uploads a blob unless the repository has it (distribution spec: HEAD, then POST and a
   * monolithic PUT with the digest). Returns its digest.
   */
  async pushBlob(ref: ImageRef, bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const blobs = `/v2/${ref.repository}/blobs`;
    const head = await this.push(ref, { method: 'HEAD' }, `${blobs}/${digest}`);
    if (head.status === 200) return digest;
    const start = await this.push(ref, { method: 'POST' }, `${blobs}/uploads/`);
    const location = start.headers.location;
    if (start.status !== 202 || location === undefined) {
      throw this.writeError(ref, start, 'start a blob upload');
    }
    const url = new URL(location, start.url);
    url.searchParams.set('digest', digest);
    const put = await this.push(
      ref,
      { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes },
      url.href,
    );
    if (put.status !== 201) throw this.writeError(ref, put, `upload blob ${digest}`);
    return digest;
  }

  /** PUT /v2/<repo>/manifests/<reference>; returns the digest of the bytes sent. */
  async putManifest(
    ref: ImageRef,
    reference: string,
    mediaType: string,
    bytes: Buffer,
  ): Promise<string> {
    const res = await this.push(
      ref,
      { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes },
      `/v2/${ref.repository}/manifests/${reference}`,
    );
    if (res.status !== 201) throw this.writeError(ref, res, `write the manifest ${reference}`);
    return sha256(bytes);
  }

  /**
   * A write to `target` (a path on the registry, or the full URL an upload answered with),
   * with a token for pull and push; a refusal names the credentials to fix.
   */
  private async push(
    ref: ImageRef,
    req: Omit<HttpRequest, 'url'>,
    target: string,
  ): Promise<HttpResponse> {
    const scope = `repository:${ref.repository}:pull,push`;
    const full = { maxBytes: 1 << 20, ...req };
    let res: HttpResponse;
    try {
      res = target.startsWith('/')
        ? await this.send(ref, target, full, scope, () => undefined)
        : await this.auth.request({ ...full, url: target }, scope);
    } catch (e) {
      if (isDctError(e, 'AUTH_DENIED')) {
        const err = e as HttpError;
        throw new HttpError(
          'REGISTRY_PUSH_DENIED',
          this.pushDenied(ref, err.status ?? 401),
          { url: err.url, status: err.status, body: err.body },
          { cause: e },
        );
      }
      throw e;
    }
    if (res.status === 401 || res.status === 403) {
      throw registryError('REGISTRY_PUSH_DENIED', this.pushDenied(ref, res.status), res);
    }
    return res;
  }

  private pushDenied(ref: ImageRef, status: number): string {
    return (
      `${ref.registry} refused to let ${this.account} push to ${ref.repository} (HTTP ${status}): ` +
      `the credentials for ${ref.registry} (\`registry-username\`/\`registry-password\`, or the ` +
      `Docker config's login) need push rights on ${ref.repository}`
    );
  }

  private writeError(ref: ImageRef, res: HttpResponse, what: string): HttpError {
    return registryError(
      'REGISTRY_WRITE_FAILED',
      `${ref.registry}/${ref.repository}: could not ${what}: HTTP ${res.status}${describeRegistryBody(res.body)}`,
      res,
    );
  }

  private async getManifestResponse(ref: ImageRef, reference: string): Promise<HttpResponse> {
    const path = `/v2/${ref.repository}/manifests/${encodeURIComponent(reference).replace(/%3A/g, ':')}`;
    // The registry's token scope names the repository without the host (§5.5 is the
    // notary side, which includes it).
    const scope = `repository:${ref.repository}:pull`;
    const req = {
      method: 'GET' as const,
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
      maxBytes: MAX_MANIFEST_BYTES,
    };
    let res: HttpResponse;
    let url = `https://${ref.apiHost}${path}`;
    try {
      res = await this.send(ref, path, req, scope, (u) => (url = u));
    } catch (e) {
      if (isDctError(e, 'AUTH_DENIED')) {
        throw new HttpError(
          'REGISTRY_DENIED',
          e.message,
          { url, status: (e as HttpError).status, body: (e as HttpError).body },
          { cause: e },
        );
      }
      if (isDctError(e, 'HTTP_TOO_LARGE')) {
        throw new HttpError(
          'REGISTRY_ERROR',
          `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes, the limit registries use`,
          { url },
          { cause: e },
        );
      }
      throw e;
    }
    if (res.status === 403) {
      throw registryError(
        'REGISTRY_DENIED',
        `the registry denied pull access (HTTP 403); check \`registry-username\`/\`registry-password\``,
        res,
      );
    }
    if (res.status !== 200 && res.status !== 404) {
      throw registryError(
        'REGISTRY_ERROR',
        `the registry answered HTTP ${res.status}${describeRegistryBody(res.body)}`,
        res,
      );
    }
    return res;
  }

  /**
   * Sends `req` for `path` on the registry of `ref`: https first, then plain HTTP when the
   * registry answered in plain HTTP and may be reached so, as docker does (loopback, or
   * listed in `insecure-registries`). The scheme found is kept for the host.
   */
  private async send(
    ref: ImageRef,
    path: string,
    req: Omit<HttpRequest, 'url'>,
    scope: string,
    sentTo: (url: string) => void,
  ): Promise<HttpResponse> {
    const host = ref.apiHost;
    const known = this.plain.get(host);
    const base = known ?? `https://${host}`;
    sentTo(base + path);
    try {
      return await this.auth.request({ ...req, url: base + path }, scope);
    } catch (e) {
      const plainAnswer = known === undefined && isDctError(e, 'HTTP_NOT_TLS');
      // Without a port, https (443) and http (80) are different servers: a refused 443 may
      // still have an http registry behind it.
      const refused =
        known === undefined &&
        !/:\d+$/.test(host) &&
        e instanceof HttpError &&
        e.code === 'HTTP_UNREACHABLE' &&
        !e.requestSent;
      if (!plainAnswer && !refused) throw e;
      if (!plainHttpAllowed(ref.registry, this.insecure)) {
        if (!plainAnswer) throw e;
        throw new HttpError(
          'REGISTRY_NOT_HTTPS',
          `the registry ${host} answers plain HTTP, not https; to use it over plain HTTP, list ${ref.registry} in \`insecure-registries\` (loopback registries need no entry)`,
          { url: base + path, requestSent: false },
          { cause: e },
        );
      }
      const http = `http://${host}`;
      sentTo(http + path);
      const res = await this.auth.request({ ...req, url: http + path }, scope);
      this.plain.set(host, http);
      return res;
    }
  }

  private manifestInfo(res: HttpResponse): ManifestInfo {
    const body = res.body;
    const digest = sha256(body);
    const claimed = res.headers['docker-content-digest']?.trim();
    if (claimed !== undefined && claimed !== '') {
      const check = recomputed(claimed, body);
      if (check !== undefined && check !== claimed) {
        throw registryError(
          'REGISTRY_DIGEST_MISMATCH',
          `the registry says the manifest is ${claimed} but its bytes hash to ${check}`,
          res,
        );
      }
    }
    return { digest, size: body.length, mediaType: mediaTypeOf(res) };
  }
}

/**
 * Whether docker would reach `registry` (`host[:port]` of a reference) over plain HTTP:
 * loopback (`localhost`, 127.0.0.0/8, ::1, docker's default insecure ranges) or named in
 * `insecure`, lower case. Docker also resolves names into those ranges; we do not.
 */
export function plainHttpAllowed(registry: string, insecure: ReadonlySet<string>): boolean {
  const r = registry.toLowerCase();
  if (insecure.has(r)) return true;
  return isLoopback(r.startsWith('[') ? r.slice(0, r.indexOf(']') + 1) : r.replace(/:\d+$/, ''));
}

/** The header's digest recomputed with its own algorithm, when it is one we know. */
function recomputed(claimed: string, body: Buffer): string | undefined {
  const colon = claimed.indexOf(':');
  const algo = claimed.slice(0, colon);
  if (algo !== 'sha256' && algo !== 'sha384' && algo !== 'sha512') return undefined;
  return `${algo}:${createHash(algo).update(body).digest('hex')}`;
}

function mediaTypeOf(res: HttpResponse): string {
  const header = res.headers['content-type']?.split(';')[0]?.trim() ?? '';
  if (header !== '' && header !== 'application/json' && header !== 'text/plain') return header;
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { mediaType?: unknown };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
  } catch {
    // not JSON: fall through to the header
  }
  return header;
}

/** `: CODE: message` from a registry error body `{"errors":[{code,message}]}`, if any. */
export function describeRegistryBody(body: Buffer): string {
  const first = errorList(body)?.[0] as { code?: unknown; message?: unknown } | null | undefined;
  if (first === undefined || first === null) return '';
  const code = typeof first.code === 'string' ? first.code : 'ERROR';
  const message = typeof first.message === 'string' ? oneLine(first.message, { max: 300 }) : '';
  return `: ${code}${message === '' ? '' : `: ${message}`}`;
}

function registryError(code: string, message: string, res: HttpResponse): HttpError {
  return new HttpError(code, message, { url: res.url, status: res.status, body: res.body });
}
