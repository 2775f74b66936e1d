import { X509Certificate, randomInt } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { DctError } from '../errors.js';
import { proxyConfigured, proxyTransport } from './proxy.js';
import { NodeTransport, type Transport, type WireRequest } from './transport.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface HttpOptions {
  /** Extra CA certificates (PEM); they are added to the system roots, not used instead. */
  caPem?: string;
  /** Deadline of one attempt, headers and body included. Default 30 s. */
  timeoutMs?: number;
  /** Retries of GET/HEAD on transient failures. Default 3. */
  retries?: number;
  userAgent?: string;
  /** Replaces the backoff wait (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Told of every attempt: method, URL (no query secrets: none are sent) and the status or
   *  error code; `dct --debug` prints it. */
  requestLog?: (line: string) => void;
}

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /**
   * A 2xx body beyond this many bytes, on the wire or decoded, is abandoned and HTTP_TOO_LARGE
   * thrown. Other answers (error pages, redirects) are kept up to 64 KiB, the rest dropped.
   */
  maxBytes?: number;
  /** Keep at most `maxBytes` of any body and drop the rest instead of refusing: for answers
   * whose body nobody reads (pings). */
  truncate?: boolean;
  /** Who is asked, for messages: `the registry`, `the trust server`. */
  server?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

/**
 * A DctError from the HTTP layer or a client built on it: keeps the URL, and the status and
 * (size-capped) body of the server's answer when there was one. `requestSent` is false only
 * when the request surely never reached the server (refused, DNS, TLS), so a caller can tell
 * "not done" from "outcome unknown" for a POST.
 */
export class HttpError extends DctError {
  readonly url: string;
  readonly status: number | undefined;
  readonly body: string | undefined;
  readonly requestSent: boolean;

  constructor(
    code: string,
    message: string,
    info: { url: string; status?: number; body?: Buffer | string; requestSent?: boolean },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.url = info.url;
    this.status = info.status;
    const body = typeof info.body === 'string' ? info.body : info.body?.toString('utf8');
    this.body = body === undefined ? undefined : body.slice(0, MAX_ERROR_BODY);
    this.requestSent = info.requestSent ?? true;
  }
}

const MAX_ERROR_BODY = 8192;
/** What is kept of an answer that is not a success: enough for any error body. */
const KEEP_OTHER_BODY = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const MAX_REDIRECTS = 5;
const RETRY_AFTER_MAX_MS = 30_000;

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** What a TLS client reads when the server answers in plain HTTP. */
const PLAIN_HTTP_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // An HTTP/2 stream or session that failed, was reset, refused or went away (node:http2,
  // transport.ts): as a reset connection.
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_SESSION_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_STREAM_CANCEL',
  'H2_REFUSED_STREAM',
  'H2_STREAM_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
/** Failures that happen before a single request byte can have left. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'H2_REFUSED_STREAM',
]);

/** One HTTP layer for the registry, the trust server and token services: the only place
 * that retries. Non-2xx answers are returned, not thrown; callers give them meaning. */
export class HttpClient {
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly userAgent: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly requestLog: ((line: string) => void) | undefined;

  constructor(opts: HttpOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? DEFAULT_RETRIES;
    this.userAgent = opts.userAgent ?? 'dct-sign-action';
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.requestLog = opts.requestLog;
    const tls =
      opts.caPem === undefined ? {} : { secureContext: withExtraCas(checkCaPem(opts.caPem)) };
    this.transport = proxyConfigured()
      ? proxyTransport({ ...tls, timeoutMs: this.timeoutMs })
      : new NodeTransport({ ...tls, connectTimeoutMs: this.timeoutMs });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const idempotent = req.method === 'GET' || req.method === 'HEAD';
    let url = req.url;
    let headers = { ...req.headers };
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      let res: HttpResponse;
      const progress: WireRequest['progress'] = {};
      try {
        res = await this.once(req, url, headers, progress);
        this.requestLog?.(`${req.method} ${url} -> ${res.status}`);
      } catch (e) {
        const err = this.toError(e, url, req.server, progress.sent);
        this.requestLog?.(`${req.method} ${url} -> ${err.error.code}`);
        if (idempotent && err.retryable && attempt < this.retries) {
          await this.sleep(backoff(attempt++));
          continue;
        }
        throw err.error;
      }
      if (idempotent && isRedirect(res.status) && res.headers.location !== undefined) {
        if (++redirects > MAX_REDIRECTS) {
          throw new HttpError(
            'HTTP_UNREACHABLE',
            `${hostOf(req.url)}: more than ${MAX_REDIRECTS} redirects for ${req.url}`,
            { url, status: res.status },
          );
        }
        const next = new URL(res.headers.location, url);
        // Never from https down to http: whoever is on the path would choose what we read.
        if (new URL(url).protocol === 'https:' && next.protocol !== 'https:') {
          throw new HttpError(
            'HTTP_INSECURE_REDIRECT',
            `${hostOf(req.url)} redirected ${req.url} to ${next.origin}, which is not https; refusing it`,
            { url, status: res.status },
          );
        }
        // Credentials are for the origin that asked for them (registries redirect blobs to
        // object stores, which must not see the registry token).
        if (next.origin !== new URL(url).origin) headers = withoutAuthorization(headers);
        url = next.href;
        continue;
      }
      if (idempotent && isRetryableStatus(res.status) && attempt < this.retries) {
        await this.sleep(retryAfter(res) ?? backoff(attempt));
        attempt++;
        continue;
      }
      return res;
    }
  }

  /** Ends every connection (once the requests under way are done), so the process can exit. */
  close(): Promise<void> {
    return this.transport.close();
  }

  private async once(
    req: HttpRequest,
    url: string,
    headers: Record<string, string>,
    progress: WireRequest['progress'],
  ): Promise<HttpResponse> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DeadlineError()), this.timeoutMs);
    try {
      const res = await this.transport.send({
        method: req.method,
        url: new URL(url),
        headers: wireHeaders(this.userAgent, headers, req),
        body: req.body,
        signal: abort.signal,
        progress,
      });
      const resHeaders = flattenHeaders(res.headers);
      const ok = res.status >= 200 && res.status < 300;
      // Refuse an oversized success; keep the start of anything else (or of a `truncate` answer).
      const strict = ok && req.truncate !== true;
      const limit = ok ? req.maxBytes : KEEP_OTHER_BODY;
      if (strict && limit !== undefined && Number(resHeaders['content-length']) > limit) {
        res.discard();
        throw tooLarge(url, limit, req.server);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let cut = false;
      // Leaving this loop early (break, throw) abandons the rest of the body.
      for await (const chunk of res.body) {
        if (limit !== undefined && size + chunk.length > limit) {
          if (strict) throw tooLarge(url, limit, req.server);
          chunks.push(chunk.subarray(0, limit - size));
          cut = true;
          break;
        }
        size += chunk.length;
        chunks.push(chunk);
      }
      const wire = Buffer.concat(chunks);
      const encoding = resHeaders['content-encoding'];
      delete resHeaders['content-encoding'];
      const body =
        encoding === undefined
          ? wire
          : await decode(wire, encoding, {
              url,
              server: req.server,
              limit,
              strict,
              partial: cut || !ok,
            });
      return { status: res.status, headers: resHeaders, body, url };
    } catch (e) {
      // Whatever broke once the deadline passed (an aborted socket, a destroyed body) broke
      // because of it.
      if (abort.signal.aborted && !(e instanceof DctError)) throw abort.signal.reason;
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `sent`: what the transport knows, false when no byte of the request left. */
  private toError(
    e: unknown,
    url: string,
    server: string | undefined,
    sent: boolean | undefined,
  ): { error: DctError; retryable: boolean } {
    if (e instanceof DctError) return { error: e, retryable: false };
    const codes = errorCodes(e);
    const host = named(url, server);
    const requestSent = sent !== false && !codes.some((c) => NOT_SENT_CODES.has(c) || isTlsCode(c));
    if (codes.some(isTlsCode)) {
      const certificate = codes.find((c) => TLS_CODES.has(c));
      const plain = codes.find((c) => PLAIN_HTTP_CODES.has(c));
      const [code, hint] =
        certificate !== undefined
          ? [
              'HTTP_TLS',
              `the certificate of ${host} is not trusted (${certificate}); pass the CA with \`ca-cert\``,
            ]
          : plain !== undefined
            ? ['HTTP_NOT_TLS', `${host} answers plain HTTP, not https (${plain})`]
            : ['HTTP_TLS', `TLS handshake with ${host} failed (${codes.find(isTlsCode)})`];
      return {
        error: new HttpError(code, hint, { url, requestSent: false }, { cause: e }),
        retryable: false,
      };
    }
    if (e instanceof DeadlineError || codes.some((c) => TIMEOUT_CODES.has(c))) {
      const error = new HttpError(
        'HTTP_TIMEOUT',
        `${host} did not answer within ${this.timeoutMs / 1000} s (${url})`,
        { url, requestSent },
        { cause: e },
      );
      return { error, retryable: true };
    }
    const what = codes.find((c) => c !== 'UND_ERR') ?? (e instanceof Error ? e.message : 'error');
    const error = new HttpError(
      'HTTP_UNREACHABLE',
      `cannot reach ${host} (${what}); check the URL, the network and any proxy settings`,
      { url, requestSent },
      { cause: e },
    );
    return { error, retryable: codes.some((c) => RETRYABLE_CODES.has(c)) };
  }
}

class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor() {
    super('request deadline passed');
  }
}

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');
}

/** The `code`s along an error's cause chain (undici and proxies wrap the socket error). */
function errorCodes(e: unknown): string[] {
  const codes: string[] = [];
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    if (typeof cur !== 'object') break;
    const o = cur as { code?: unknown; cause?: unknown; reason?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    // An aborted request carries our DeadlineError as the abort reason.
    if (o.reason instanceof DeadlineError) return [...codes, 'ETIMEDOUT'];
    cur = o.cause;
  }
  return codes;
}

function checkCaPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (blocks === null) {
    throw new DctError('CA_CERT_INVALID', '`ca-cert` holds no PEM certificate (BEGIN CERTIFICATE)');
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new DctError(
        'CA_CERT_INVALID',
        '`ca-cert` holds a PEM certificate that cannot be parsed',
        {
          cause: e,
        },
      );
    }
  }
  return blocks;
}

/** A TLS context trusting Node's bundled roots plus `pems`. Node keeps its bundled roots
 * parsed once per process; `addCACert` on a context made without `ca` copies that store and
 * adds to it, where `ca: [...rootCertificates, pem]` would parse ~146 PEM roots again
 * (25–40 ms on these machines). `addCACert` is the method Node's own `ca` option calls, but
 * it sits on the context's internal handle, so the documented way remains the fallback. */
export function withExtraCas(pems: string[]): SecureContext {
  const ctx = createSecureContext();
  const handle = (ctx as { context?: { addCACert?: unknown } }).context;
  if (typeof handle?.addCACert !== 'function') {
    return createSecureContext({ ca: [...rootCertificates, ...pems] });
  }
  for (const pem of pems) (handle.addCACert as (pem: string) => void).call(handle, pem);
  return ctx;
}

/** The headers as sent: lower-case names, the user agent unless the caller gives one, and
 * the body's length (0 for a POST or PUT without one, as undici sent). */
function wireHeaders(
  userAgent: string,
  headers: Record<string, string>,
  req: HttpRequest,
): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': userAgent };
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  if (req.body !== undefined) out['content-length'] = String(req.body.length);
  else if (req.method === 'POST' || req.method === 'PUT') out['content-length'] = '0';
  return out;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function withoutAuthorization(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'authorization'));
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/**
 * A retry wait: d = min(maxMs, baseMs·2^attempt), then a random whole number of milliseconds in
 * [d/2, d] (`below`) or about [d/2, 3d/2] (`around`).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: 'below' | 'around';
}

/** Retries of one HTTP request. */
export const HTTP_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 8_000, jitter: 'below' };

/** Exponential backoff with jitter: the wait before retry `attempt` (0 first) under `policy`. */
export function backoff(attempt: number, policy: BackoffPolicy = HTTP_BACKOFF): number {
  const d = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  if (policy.jitter === 'below') return Math.floor(d / 2) + randomInt(Math.floor(d / 2) + 1);
  return Math.round(d * (0.5 + Math.random()));
}

function retryAfter(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  if (v === undefined) return undefined;
  const seconds = /^\d+$/.test(v.trim()) ? Number(v) : (Date.parse(v) - Date.now()) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, seconds * 1000));
}

/**
 * The body as `Content-Encoding` says it was encoded (the last coding first), within the same
 * cap as the wire bytes: a proxy may compress answers that were never asked to be. A success
 * that cannot be decoded is refused; the start of anything else decodes as far as it goes.
 */
async function decode(
  wire: Buffer,
  encoding: string,
  o: {
    url: string;
    server: string | undefined;
    limit: number | undefined;
    strict: boolean;
    partial: boolean;
  },
): Promise<Buffer> {
  const codings = encoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
  let body = wire;
  // node:zlib is loaded on the first encoded answer: most runs never see one, and loading it
  // would cost every start.
  const zlib = process.getBuiltinModule('node:zlib');
  const decoders = new Map([
    ['gzip', zlib.gunzip],
    ['x-gzip', zlib.gunzip],
    ['deflate', zlib.inflate],
    ['br', zlib.brotliDecompress],
  ]);
  for (const coding of codings) {
    const decoder = decoders.get(coding);
    const options = {
      ...(o.limit === undefined ? {} : { maxOutputLength: o.limit }),
      // A cut page decodes as far as its bytes go.
      ...(o.partial && coding !== 'br' ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}),
    };
    try {
      if (decoder === undefined) throw new Error('unknown coding');
      try {
        body = await promisify(decoder)(body, options);
      } catch (e) {
        // Some servers send raw deflate data for `deflate`.
        if (coding !== 'deflate' || isTooLarge(e)) throw e;
        body = await promisify(zlib.inflateRaw)(body, options);
      }
    } catch (e) {
      if (!o.strict) return Buffer.alloc(0);
      if (o.limit !== undefined && isTooLarge(e)) throw tooLarge(o.url, o.limit, o.server);
      throw new HttpError(
        'HTTP_BAD_ENCODING',
        `${named(o.url, o.server)} sent ${o.url} with Content-Encoding "${encoding}", which does not decode (${coding}: ${e instanceof Error ? e.message : String(e)})`,
        { url: o.url },
        { cause: e },
      );
    }
  }
  return body;
}

function isTooLarge(e: unknown): boolean {
  return (
    e instanceof RangeError || (e as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE'
  );
}

function tooLarge(url: string, maxBytes: number, server: string | undefined): HttpError {
  return new HttpError(
    'HTTP_TOO_LARGE',
    `${named(url, server)} sent more than ${maxBytes} bytes for ${url}; refusing to read further`,
    { url },
  );
}

/** `the trust server host:port`, or the host alone when the caller named no server. */
function named(url: string, server: string | undefined): string {
  return server === undefined ? hostOf(url) : `${server} ${hostOf(url)}`;
}

/**
 * The `errors` list of an error body in the shape notary-server and registries share,
 * `{"errors":[{"code":…,"message":…,"detail":…}]}` (notary-spec.md §5.6); undefined when the
 * body is not JSON or holds no such non-empty list.
 */
export function errorList(body: Buffer): unknown[] | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown };
    return Array.isArray(parsed.errors) && parsed.errors.length > 0 ? parsed.errors : undefined;
  } catch {
    return undefined; // not JSON, or JSON null
  }
}

/** host[:port] of a URL, for messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
