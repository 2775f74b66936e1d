import {
  HttpError,
  hostOf,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from './client.js';

/** Credentials for a registry and its token service. `identityToken` (docker config's
 * `identitytoken`) is an OAuth2 refresh token; when set, username/password are not sent. */
export interface AuthCredentials {
  username: string;
  password: string;
  identityToken?: string;
}

export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`, … */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` value (RFC 7235): one or more challenges, each a scheme and
 * `key=value` / `key="quoted"` params separated by commas.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skip = (re: RegExp): void => {
    while (i < n && re.test(header[i])) i++;
  };
  while (i < n) {
    skip(/[\s,]/);
    const scheme = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(i))?.[0];
    if (scheme === undefined) break;
    i += scheme.length;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      const save = i;
      skip(/[\s,]/);
      const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*/.exec(header.slice(i));
      if (m === null) {
        i = save;
        break;
      }
      i += m[0].length;
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const tok = /^[^\s,]*/.exec(header.slice(i))![0];
        value = tok;
        i += tok.length;
      }
      challenge.params[m[1].toLowerCase()] = value;
    }
  }
  return out;
}

/** Does a granted scope cover a wanted one? `repository:<name>:<actions>`; names may hold `:`. */
export function scopeCovers(granted: string, wanted: string): boolean {
  if (granted === wanted) return true;
  const g = splitScope(granted);
  const w = splitScope(wanted);
  if (g === undefined || w === undefined || g.type !== w.type || g.name !== w.name) return false;
  return w.actions.every((a) => g.actions.includes(a) || g.actions.includes('*'));
}

function splitScope(s: string): { type: string; name: string; actions: string[] } | undefined {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: s.slice(0, first),
    name: s.slice(first + 1, last),
    actions: s.slice(last + 1).split(','),
  };
}

interface CachedToken {
  scope: string;
  token: string;
  expiresAt: number;
}

/** Docker assumes at least this lifetime when the token service names none or less. */
const MIN_TOKEN_LIFETIME_S = 60;
/** Renew this long before expiry so a token does not lapse in flight. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * The Docker registry token flow (notary-spec.md §5.5) for any number of hosts: learns each
 * origin's challenge from a 401 (or a `GET /v2/` ping before a non-idempotent request, unless a
 * read of that origin already succeeded without credentials), gets
 * a Bearer token per scope from the realm and caches it until expiry, or sends Basic
 * credentials to a Basic challenge. Tokens go to `onSecret` (for masking) and nowhere else.
 */
export class TokenAuth {
  private readonly http: HttpClient;
  private readonly credentials: AuthCredentials | undefined;
  private readonly onSecret: (s: string) => void;
  private readonly now: () => number;
  /** Who this authenticates to, for messages: `the registry`, `the trust server`. */
  private readonly server: string | undefined;
  private readonly challenges = new Map<string, Challenge | null>();
  private readonly tokens = new Map<string, CachedToken[]>();
  private readonly inFlight = new Map<string, Promise<CachedToken>>();

  constructor(opts: {
    http: HttpClient;
    credentials?: AuthCredentials;
    onSecret?: (s: string) => void;
    now?: () => number;
    server?: string;
  }) {
    this.http = opts.http;
    this.server = opts.server;
    this.credentials = opts.credentials;
    this.onSecret = opts.onSecret ?? (() => undefined);
    this.now = opts.now ?? Date.now;
  }

  /**
   * Sends `req` with the authorization `scope` needs, learning the challenge and retrying once
   * on a 401. A 401 that survives fresh credentials throws AUTH_DENIED; every other answer
   * is returned as is.
   */
  async request(req: HttpRequest, scope: string): Promise<HttpResponse> {
    if (req.server === undefined && this.server !== undefined)
      req = { ...req, server: this.server };
    const origin = new URL(req.url).origin;
    if (!this.challenges.has(origin) && req.method !== 'GET' && req.method !== 'HEAD') {
      await this.ping(origin);
    }
    const first = await this.authorization(origin, scope, false);
    let res = await this.send(req, first?.header);
    if (res.status !== 401) {
      // A read answered without credentials: the origin challenges no one for it, which is
      // all a ping before a later POST or PUT would learn, so none is made. Should that write
      // be challenged after all, the 401 path below learns it and sends it once more.
      if (
        first === undefined &&
        (req.method === 'GET' || req.method === 'HEAD') &&
        res.status >= 200 &&
        res.status < 300 &&
        !this.challenges.has(origin) &&
        new URL(res.url).origin === origin
      ) {
        this.challenges.set(origin, null);
      }
      return res;
    }

    // A 401 from wherever a redirect led is not this origin's challenge: its realm would get
    // this origin's credentials.
    if (new URL(res.url).origin !== origin) {
      throw this.denied(
        req.url,
        scope,
        res,
        `redirected to ${new URL(res.url).origin}, which asked for credentials`,
      );
    }
    const challenge = this.learn(origin, res);
    if (challenge === null) throw this.denied(req.url, scope, res, 'sent no usable challenge');
    if (first?.fresh === true) throw this.denied(req.url, scope, res);
    // The challenge was new, or a cached token was turned down: retry once with a new one.
    const second = await this.authorization(origin, scope, true);
    if (second === undefined) throw this.denied(req.url, scope, res, 'requires credentials');
    res = await this.send(req, second.header);
    if (res.status === 401) throw this.denied(req.url, scope, res);
    return res;
  }

  /** `GET <origin>/v2/` to learn the challenge, as docker does before its first request. */
  async ping(origin: string): Promise<void> {
    // Only the status and challenge matter: a long answer is cut, never refused (Go reads on).
    const res = await this.http.request({
      method: 'GET',
      url: `${origin}/v2/`,
      maxBytes: 65536,
      truncate: true,
      server: this.server,
    });
    if (res.status === 401 && new URL(res.url).origin === origin) this.learn(origin, res);
    else this.challenges.set(origin, null);
  }

  private send(req: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    if (authorization === undefined) return this.http.request(req);
    return this.http.request({ ...req, headers: { ...req.headers, authorization } });
  }

  private learn(origin: string, res: HttpResponse): Challenge | null {
    const header = res.headers['www-authenticate'];
    const all = header === undefined ? [] : parseChallenges(header);
    const challenge =
      all.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined) ??
      all.find((c) => c.scheme === 'basic') ??
      null;
    this.challenges.set(origin, challenge);
    return challenge;
  }

  private async authorization(
    origin: string,
    scope: string,
    forceNew: boolean,
  ): Promise<{ header: string; fresh: boolean } | undefined> {
    const challenge = this.challenges.get(origin);
    if (challenge === undefined || challenge === null) return undefined;
    if (challenge.scheme === 'basic') {
      if (this.credentials === undefined || this.credentials.identityToken !== undefined) {
        return undefined;
      }
      const { username, password } = this.credentials;
      const basic = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
      return { header: `Basic ${basic}`, fresh: true };
    }
    const realm = challenge.params.realm;
    const service = challenge.params.service ?? '';
    const key = `${realm}\n${service}`;
    const now = this.now();
    const cached = (this.tokens.get(key) ?? []).filter((t) => t.expiresAt > now);
    this.tokens.set(key, cached);
    if (!forceNew) {
      const hit = cached.find((t) => scopeCovers(t.scope, scope));
      if (hit !== undefined) return { header: `Bearer ${hit.token}`, fresh: false };
    }
    // Concurrent requests for one scope share a single token request.
    const flightKey = `${key}\n${scope}`;
    let flight = this.inFlight.get(flightKey);
    if (flight === undefined) {
      flight = this.fetchToken(realm, service, scope).finally(() => {
        this.inFlight.delete(flightKey);
      });
      this.inFlight.set(flightKey, flight);
    }
    const token = await flight;
    const current = this.tokens.get(key) ?? [];
    if (!current.includes(token)) this.tokens.set(key, [token, ...current]);
    return { header: `Bearer ${token.token}`, fresh: true };
  }

  private async fetchToken(realm: string, service: string, scope: string): Promise<CachedToken> {
    const creds = this.credentials;
    const server =
      this.server === undefined ? 'the token service' : `${this.server}'s token service`;
    let res: HttpResponse;
    let url: URL;
    try {
      url = new URL(realm);
    } catch (e) {
      throw new HttpError(
        'AUTH_FAILED',
        `the token realm "${realm}" is not a URL`,
        { url: realm },
        {
          cause: e,
        },
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new HttpError('AUTH_FAILED', `the token realm ${realm} is not an http(s) URL`, {
        url: realm,
      });
    }
    // Credentials never travel in clear text, except to this machine itself.
    if (url.protocol === 'http:' && creds !== undefined && !isLoopback(url.hostname)) {
      throw new HttpError(
        'AUTH_INSECURE_REALM',
        `the token service ${url.origin} is not https; refusing to send registry credentials to it`,
        { url: realm },
      );
    }
    if (creds?.identityToken !== undefined) {
      // OAuth2 refresh-token grant, as docker does for a stored identity token (§5.5).
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        service,
        scope,
        client_id: 'docker',
      });
      res = await this.http.request({
        method: 'POST',
        url: url.href,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString(), 'utf8'),
        maxBytes: 1 << 20,
        server,
      });
    } else {
      if (service !== '') url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (creds !== undefined) {
        url.searchParams.set('account', creds.username);
        const basic = Buffer.from(`${creds.username}:${creds.password}`, 'utf8');
        headers.authorization = `Basic ${basic.toString('base64')}`;
      }
      res = await this.http.request({
        method: 'GET',
        url: url.href,
        headers,
        maxBytes: 1 << 20,
        server,
      });
    }
    if (res.status === 401 || res.status === 403) {
      throw new HttpError(
        'AUTH_DENIED',
        `the token service ${url.host} refused ${creds === undefined ? 'anonymous access' : `user "${creds.username}"`} for scope ${scope} (HTTP ${res.status}); check \`registry-username\`/\`registry-password\``,
        { url: url.origin + url.pathname, status: res.status, body: res.body },
      );
    }
    if (res.status !== 200) {
      throw new HttpError(
        'AUTH_FAILED',
        `the token service ${url.host} answered HTTP ${res.status} for scope ${scope}`,
        { url: url.origin + url.pathname, status: res.status, body: res.body },
      );
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(res.body.toString('utf8')) as typeof parsed;
    } catch (e) {
      throw new HttpError(
        'AUTH_FAILED',
        `the token service ${url.host} sent a response that is not JSON`,
        { url: url.origin + url.pathname, status: res.status },
        { cause: e },
      );
    }
    const token =
      typeof parsed.token === 'string' && parsed.token !== ''
        ? parsed.token
        : typeof parsed.access_token === 'string'
          ? parsed.access_token
          : '';
    if (token === '') {
      throw new HttpError('AUTH_FAILED', `the token service ${url.host} sent no token`, {
        url: url.origin + url.pathname,
        status: res.status,
      });
    }
    this.onSecret(token);
    const lifetime =
      typeof parsed.expires_in === 'number' && parsed.expires_in > MIN_TOKEN_LIFETIME_S
        ? parsed.expires_in
        : MIN_TOKEN_LIFETIME_S;
    return { scope, token, expiresAt: this.now() + lifetime * 1000 - EXPIRY_MARGIN_MS };
  }

  private denied(url: string, scope: string, res: HttpResponse, why?: string): HttpError {
    const host = hostOf(url);
    const reason = why ?? 'refused the credentials';
    return new HttpError(
      'AUTH_DENIED',
      `${host} ${reason} for scope ${scope} (HTTP 401); check \`registry-username\`/\`registry-password\``,
      { url, status: res.status, body: res.body },
    );
  }
}

/** `localhost`, 127.0.0.0/8 or ::1 (a URL's hostname, brackets allowed). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
