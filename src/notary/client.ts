import { DctError, isDctError } from '../errors.js';
import { TokenAuth, type AuthCredentials } from '../http/auth.js';
import {
  HttpError,
  errorList,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from '../http/client.js';
import type { TufKey } from '../keys/keyid.js';
import type { ImageRef } from '../registry/reference.js';
import { GoFields, parseJson } from '../tuf/canonical.js';
import { ROOT_MAX_BYTES, TIMESTAMP_MAX_BYTES, type MetaFetcher } from '../tuf/checks.js';
import { notaryError } from './errors.js';
import { multipartBody } from './multipart.js';

const DOCKER_HUB_TRUST_SERVER = 'https://notary.docker.io';
const ROLE_RE = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const KEY_FIELDS = new GoFields('keytype', 'keyval');
const KEYVAL_FIELDS = new GoFields('private', 'public');

/**
 * The one reading of a trust-server URL (the `trust-server` input, DOCKER_CONTENT_TRUST_SERVER):
 * undefined when it does not parse; else whether it is https with a host, whether it holds user
 * info, whether it has a query or fragment, `shown` (origin and path, safe to echo) and
 * `normal`, the form used when all is well (`shown` without trailing slashes). A valid URL is
 * https, with no user info, query or fragment; each caller words the refusal.
 */
export function readTrustServerUrl(
  value: string,
):
  | { https: boolean; credentials: boolean; query: boolean; shown: string; normal: string }
  | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const shown = `${url.origin}${url.pathname}`;
  return {
    https: url.protocol === 'https:' && url.hostname !== '',
    credentials: url.username !== '' || url.password !== '',
    query: url.search !== '' || url.hash !== '',
    shown,
    normal: shown.replace(/\/+$/, ''),
  };
}

/**
 * The trust server of an image (notary-spec.md §7.5): `explicit` (the `trust-server` input or
 * DOCKER_CONTENT_TRUST_SERVER, read by the caller) must be an https URL; else
 * notary.docker.io for Docker Hub, else the registry host itself. No trailing slash.
 */
export function trustServerFor(ref: Pick<ImageRef, 'registry'>, explicit?: string): string {
  if (explicit !== undefined && explicit.trim() !== '') {
    const given = explicit.trim();
    const t = readTrustServerUrl(given);
    if (t === undefined || !t.https) {
      throw new DctError(
        'TRUST_SERVER_INVALID',
        `valid https URL required for trust server, got ${given}`,
      );
    }
    if (t.query || t.credentials) {
      throw new DctError(
        'TRUST_SERVER_INVALID',
        `valid https URL required for trust server, got ${t.shown}… (no query, fragment or user info)`,
      );
    }
    return t.normal;
  }
  if (ref.registry === 'docker.io') return DOCKER_HUB_TRUST_SERVER;
  return `https://${ref.registry}`;
}

/** A GUN as a URL path: kept verbatim, each segment escaped only where a path needs it. */
export function gunPath(gun: string): string {
  return gun
    .split('/')
    .map((seg) =>
      encodeURIComponent(seg).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (m) =>
        decodeURIComponent(m),
      ),
    )
    .join('/');
}

/**
 * Client of notary-server's TUF API for one GUN (notary-spec.md §5). One token per run: a
 * client made with `write: true` asks for `pull,push` from the start, so reads and the
 * publish share the token.
 */
export class NotaryClient implements MetaFetcher {
  readonly server: string;
  readonly gun: string;
  private readonly auth: TokenAuth;
  private readonly base: string;
  private readonly readScope: string;
  private readonly writeScope: string;
  /** §5.5: deleting and rotating server keys need the `*` action. */
  private readonly adminScope: string;

  constructor(opts: {
    server: string;
    gun: string;
    http: HttpClient;
    credentials?: AuthCredentials | undefined;
    onSecret?: ((s: string) => void) | undefined;
    /** Will this run publish? Then every request uses the `pull,push` scope. */
    write?: boolean;
  }) {
    this.server = opts.server.replace(/\/+$/, '');
    this.gun = opts.gun;
    this.base = `${this.server}/v2/${gunPath(opts.gun)}/_trust/tuf/`;
    this.auth = new TokenAuth({
      http: opts.http,
      credentials: opts.credentials,
      onSecret: opts.onSecret,
      server: 'the trust server',
    });
    // §5.5: the scope names the full GUN, host included.
    this.writeScope = `repository:${opts.gun}:pull,push`;
    this.readScope = opts.write === true ? this.writeScope : `repository:${opts.gun}:pull`;
    this.adminScope = `repository:${opts.gun}:*`;
  }

  /**
   * GET a metadata file: `<role>.json`, `<role>.<sha256>.json` or `<N>.<role>.json` (§5.1).
   * Undefined when the server has none (404). Hash and signature checks are the caller's.
   */
  async fetch(
    role: string,
    opts: { sha256?: string; version?: number; maxLength?: number } = {},
  ): Promise<Buffer | undefined> {
    checkRole(role);
    let name: string;
    if (opts.sha256 !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(opts.sha256)) {
        throw new DctError('NOTARY_BAD_REQUEST', `not a sha256 hex checksum: ${opts.sha256}`);
      }
      name = `${role}.${opts.sha256}.json`;
    } else if (opts.version !== undefined) {
      if (!Number.isSafeInteger(opts.version) || opts.version < 1) {
        throw new DctError('NOTARY_BAD_REQUEST', `not a metadata version: ${opts.version}`);
      }
      name = `${opts.version}.${role}.json`;
    } else {
      name = `${role}.json`;
    }
    const maxBytes =
      opts.maxLength ?? (role === 'timestamp' ? TIMESTAMP_MAX_BYTES : ROOT_MAX_BYTES);
    const res = await this.send(
      { method: 'GET', url: this.base + name, maxBytes },
      this.readScope,
      `fetch ${name}`,
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw notaryError(res, { gun: this.gun, action: `fetch ${name}` });
    return res.body;
  }

  /**
   * The server-held public key of `role` (§5.1). Before the first publish the server may
   * make a new key on every call: call once per role and keep the answer.
   */
  getKey(role: 'timestamp' | 'snapshot'): Promise<TufKey> {
    return this.keyRequest('GET', role, this.writeScope, `get the ${role} key`);
  }

  /**
   * Asks the server for a new `role` key (`POST <role>.key`, §5.1) and returns its public part.
   * The key is the server's from now on, but clients use it only once a root naming it is
   * published.
   */
  rotateKey(role: 'timestamp' | 'snapshot'): Promise<TufKey> {
    return this.keyRequest('POST', role, this.adminScope, `rotate the ${role} key`);
  }

  private async keyRequest(
    method: 'GET' | 'POST',
    role: 'timestamp' | 'snapshot',
    scope: string,
    action: string,
  ): Promise<TufKey> {
    const res = await this.send(
      { method, url: `${this.base}${role}.key`, maxBytes: 1 << 20 },
      scope,
      action,
    );
    if (res.status !== 200) throw notaryError(res, { gun: this.gun, action, write: true });
    return parseKey(res, role);
  }

  /** Deletes every piece of trust data the server holds for the GUN (`DELETE …/tuf/`, §5.1). */
  async deleteTrustData(): Promise<void> {
    const action = 'delete the trust data';
    const res = await this.send(
      { method: 'DELETE', url: this.base, maxBytes: 1 << 20 },
      this.adminScope,
      action,
    );
    if (res.status !== 200) throw notaryError(res, { gun: this.gun, action, write: true });
  }

  /**
   * POST the changed role files in one atomic multipart upload (§5.3). Never retried here:
   * a lost answer, or a gateway's 502/503/504, becomes NOTARY_OUTCOME_UNKNOWN and the caller
   * re-reads the server.
   */
  async publish(files: Map<string, Buffer>): Promise<void> {
    if (files.size === 0) throw new DctError('NOTARY_BAD_REQUEST', 'nothing to publish');
    for (const role of files.keys()) checkRole(role);
    const { body, contentType } = multipartBody(files);
    const roles = [...files.keys()];
    let res: HttpResponse;
    try {
      res = await this.send(
        {
          method: 'POST',
          url: this.base,
          headers: { 'content-type': contentType },
          body,
          // The answer is empty or a short error; never buffer more.
          maxBytes: 1 << 20,
        },
        this.writeScope,
        'publish',
      );
    } catch (e) {
      // Only a failure of the POST itself, not of the ping or token request before it.
      const lost = e instanceof HttpError && e.url === this.base && e.requestSent;
      if (lost && e.code.startsWith('HTTP_')) {
        throw new HttpError(
          'NOTARY_OUTCOME_UNKNOWN',
          `the answer to the publish of ${roles.join(', ')} for ${this.gun} was lost (${e.code}); the server may or may not have stored it`,
          { url: e.url, requestSent: true },
          { cause: e },
        );
      }
      throw e;
    }
    const gateway =
      [408, 502, 503, 504].includes(res.status) || (res.status >= 520 && res.status <= 527);
    if (gateway || (res.status >= 500 && errorList(res.body) === undefined)) {
      // A gateway's or load balancer's answer (502/503/504, Cloudflare 52x, 408), or a 5xx that
      // is not notary-server's: the server behind may have stored the update all the same.
      // notary-server's own 500s are JSON and its storage is atomic: plain failures.
      throw new HttpError(
        'NOTARY_OUTCOME_UNKNOWN',
        `${new URL(this.server).host} answered HTTP ${res.status} to the publish of ${roles.join(', ')} for ${this.gun}; the server may or may not have stored it`,
        { url: res.url, status: res.status, body: res.body },
      );
    }
    if (res.status !== 200) {
      throw notaryError(res, { gun: this.gun, action: 'publish', roles, write: true });
    }
  }

  private async send(req: HttpRequest, scope: string, action: string): Promise<HttpResponse> {
    try {
      return await this.auth.request(req, scope);
    } catch (e) {
      if (isDctError(e, 'AUTH_DENIED')) {
        const he = e as HttpError;
        throw new HttpError(
          'NOTARY_UNAUTHORIZED',
          `${new URL(this.server).host} refused to ${action} for ${this.gun}: check registry-username/registry-password — the token service must grant ${scope.endsWith('*') ? 'full (*) access' : scope.endsWith('push') ? 'push' : 'pull'} on ${this.gun}`,
          { url: he.url, status: he.status, body: he.body },
          { cause: e },
        );
      }
      throw e;
    }
  }
}

function checkRole(role: string): void {
  if (!ROLE_RE.test(role) || role.split('/').some((s) => s === '.' || s === '..')) {
    throw new DctError('NOTARY_BAD_REQUEST', `not a TUF role name: ${JSON.stringify(role)}`);
  }
}

/** The public key JSON of `GET …/<role>.key`; a private part is refused. */
function parseKey(res: HttpResponse, role: string): TufKey {
  const bad = (why: string): HttpError =>
    new HttpError('NOTARY_BAD_KEY', `the ${role} key from the trust server ${why}`, {
      url: res.url,
      status: res.status,
      body: res.body,
    });
  let parsed: { keytype?: unknown; keyval?: { public?: unknown; private?: unknown } };
  try {
    parsed = parseJson(res.body) as typeof parsed;
  } catch (e) {
    throw bad(e instanceof DctError ? `is ambiguous: ${e.message}` : 'is not JSON');
  }
  // Go decodes it into a struct: "KeyVal" would be its keyval (canonical.ts GoFields).
  const clash =
    typeof parsed === 'object' && parsed !== null
      ? (KEY_FIELDS.foldedField(parsed) ??
        (typeof parsed.keyval === 'object' && parsed.keyval !== null
          ? KEYVAL_FIELDS.foldedField(parsed.keyval)
          : undefined))
      : undefined;
  if (clash !== undefined)
    throw bad(`has the key "${clash.key}", which Go reads as "${clash.field}"`);
  const keytype = parsed.keytype;
  const pub = parsed.keyval?.public;
  if (typeof keytype !== 'string' || keytype === '') throw bad('has no keytype');
  if (typeof pub !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(pub)) {
    throw bad('has no base64 public key');
  }
  const priv = parsed.keyval?.private;
  if (priv !== undefined && priv !== null && priv !== '') throw bad('holds a private part');
  return { keytype, keyval: { private: null, public: pub } };
}
