// A Docker-style token service for the real notary-server and registry: it answers
// `GET /token?service=…&scope=…&account=…` (Basic auth optional) with a JWT that
// docker/distribution's `auth/token` access controller accepts.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One token request as the service saw it. */
export interface TokenRequest {
  /** The `account` query parameter, if the client sent one. */
  account?: string;
  /** All `scope` parameters joined by a space ('' when none). */
  scope: string;
  service: string;
  /** The user whose Basic credentials were accepted; undefined for anonymous requests. */
  user?: string;
  /** HTTP status answered: 200, or 401 for bad credentials. */
  status: number;
  /** What the token grants, as `type:name:action,action` strings. */
  granted: string[];
}

export interface TokenAccess {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenService {
  /** The realm: `https://127.0.0.1:PORT/token`. */
  url: string;
  issuer: string;
  /** PEM file of the self-signed certificate of the signing key (the `rootcertbundle`). */
  certFile: string;
  users: Record<string, string>;
  requests: TokenRequest[];
  /** Issues a token directly, e.g. to test a client with a token it did not ask for. */
  mint(service: string, access: TokenAccess[], subject?: string, ttlSeconds?: number): string;
  stop(): Promise<void>;
}

export interface TokenServiceOptions {
  /** PEM of the TLS certificate and key the HTTPS server presents. */
  tlsCert: string;
  tlsKey: string;
  /** PEM files of the P-256 token signing key and its self-signed certificate. */
  signingKeyFile: string;
  signingCertFile: string;
  users: Record<string, string>;
  issuer?: string;
}

export const DEFAULT_ISSUER = 'dct-test-token-issuer';

export async function startTokenService(opts: TokenServiceOptions): Promise<TokenService> {
  const key = createPrivateKey(await readFile(opts.signingKeyFile, 'utf8'));
  const kid = libtrustKeyId(key);
  const issuer = opts.issuer ?? DEFAULT_ISSUER;
  const requests: TokenRequest[] = [];

  const mint = (service: string, access: TokenAccess[], subject = '', ttl = 300): string =>
    makeJwt(key, kid, {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: Math.floor(Date.now() / 1000) + ttl,
      nbf: Math.floor(Date.now() / 1000) - 10,
      iat: Math.floor(Date.now() / 1000),
      jti: randomBytes(12).toString('hex'),
      access,
    });

  const server: Server = createServer({ cert: opts.tlsCert, key: opts.tlsKey }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (req.method !== 'GET' || url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    const service = url.searchParams.get('service') ?? '';
    const account = url.searchParams.get('account') ?? undefined;
    const entry: TokenRequest = { scope: scopes.join(' '), service, status: 200, granted: [] };
    if (account !== undefined) entry.account = account;
    requests.push(entry);

    const user = checkBasic(req.headers.authorization, opts.users);
    if (user === false) {
      entry.status = 401;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    if (user !== undefined) entry.user = user;
    const access = scopes.flatMap((s) => s.split(' ')).flatMap((s) => grant(s, user));
    entry.granted = access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`);
    const token = mint(service, access, user ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}/token`,
    issuer,
    certFile: opts.signingCertFile,
    users: opts.users,
    requests,
    mint,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** undefined = anonymous, false = bad credentials, else the user name. */
function checkBasic(
  header: string | undefined,
  users: Record<string, string>,
): string | undefined | false {
  if (header === undefined) return undefined;
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const name = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return Object.hasOwn(users, name) && users[name] === password ? name : false;
}

/**
 * Docker Hub's policy in small: a known user gets every action asked for on any repository;
 * anonymous gets `pull` only. Scope syntax `type:name:actions`; the name may hold colons
 * (a `host:port` GUN), so the actions are after the last colon.
 */
function grant(scope: string, user: string | undefined): TokenAccess[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [];
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const asked = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  const actions = user !== undefined ? asked : asked.filter((a) => a === 'pull');
  return actions.length > 0 ? [{ type, name, actions }] : [];
}

/**
 * libtrust's key ID, which the access controller uses to find a `kid`: SHA-256 of the
 * SPKI DER, first 240 bits, base32 without padding, in 12 groups of 4 joined by ':'.
 */
function libtrustKeyId(key: KeyObject): string {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const b32 = base32(createHash('sha256').update(spki).digest().subarray(0, 30));
  return b32.match(/.{4}/g)!.join(':');
}

function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function makeJwt(key: KeyObject, kid: string, claims: object): string {
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const signingInput = `${b64({ typ: 'JWT', alg: 'ES256', kid })}.${b64(claims)}`;
  // JOSE ES256 wants the raw r‖s signature, not DER.
  const sig = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${sig.toString('base64url')}`;
}
