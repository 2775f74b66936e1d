import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenAuth, parseChallenges, scopeCovers } from '../../src/http/auth.js';
import { HttpClient, HttpError } from '../../src/http/client.js';
import {
  json,
  makePki,
  startFakeServer,
  type FakeServer,
  type SeenRequest,
  type TestPki,
} from './fake-server.js';

describe('parseChallenges', () => {
  it('reads a Docker Hub style Bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/alpine:pull',
        },
      },
    ]);
  });

  it('reads several challenges, unquoted values, spaces and escapes', () => {
    expect(
      parseChallenges('Basic realm="Registry \\"x\\"", BEARER realm=https://a/t , service = svc'),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'Registry "x"' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 'svc' } },
    ]);
  });

  it('keeps commas inside quoted scopes', () => {
    const [c] = parseChallenges('Bearer realm="r",scope="repository:h:5000/a:pull,push"');
    expect(c.params.scope).toBe('repository:h:5000/a:pull,push');
  });
});

describe('scopeCovers', () => {
  it('lets a pull,push token serve pull, not the other way round; names may hold ports', () => {
    expect(scopeCovers('repository:h:5000/a:pull,push', 'repository:h:5000/a:pull')).toBe(true);
    expect(scopeCovers('repository:h:5000/a:pull', 'repository:h:5000/a:pull,push')).toBe(false);
    expect(scopeCovers('repository:h:5000/a:pull,push', 'repository:h:5000/b:pull')).toBe(false);
    expect(scopeCovers('repository:h/a:*', 'repository:h/a:push')).toBe(true);
  });
});

describe('TokenAuth', () => {
  let pki: TestPki;
  let server: FakeServer;
  let http: HttpClient;
  let issued = 0;
  let tokenStatus = 200;
  let tokenField = 'token';
  let expiresIn: number | undefined;

  const scope = 'repository:127.0.0.1/team/app:pull';
  const realm = (): string => `${server.origin}/token`;
  const tokenRequests = (): SeenRequest[] =>
    server.requests.filter((r) => r.path.startsWith('/token'));

  /** A registry that wants `Bearer tok-N` for anything but /token. */
  function bearerServer(opts: { acceptAny?: boolean } = {}): void {
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) {
        if (tokenStatus !== 200) return json(res, tokenStatus, { details: 'no' });
        issued++;
        const body: Record<string, unknown> = { [tokenField]: `tok-${issued}` };
        if (expiresIn !== undefined) body.expires_in = expiresIn;
        return json(res, 200, body);
      }
      const auth = req.headers.authorization ?? '';
      const ok =
        opts.acceptAny === true ? auth.startsWith('Bearer tok-') : auth === `Bearer tok-${issued}`;
      if (!ok) {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${realm()}",service="test-svc",scope="${scope}"`,
          })
          .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200).end(`ok ${req.method}`);
    });
  }

  beforeAll(async () => {
    pki = await makePki();
    server = await startFakeServer(pki);
  });
  beforeEach(() => {
    http = new HttpClient({ caPem: pki.caPem, sleep: () => Promise.resolve() });
  });
  afterEach(async () => {
    await http.close();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    server.requests.length = 0;
    issued = 0;
    tokenStatus = 200;
    tokenField = 'token';
    expiresIn = undefined;
  });

  it('learns the challenge from a 401, fetches a token with Basic creds, retries, then caches', async () => {
    bearerServer();
    const secrets: string[] = [];
    const auth = new TokenAuth({
      http,
      credentials: { username: 'ci', password: 's3cret' },
      onSecret: (s) => secrets.push(s),
    });
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope);
    expect(res.status).toBe(200);
    const [t] = tokenRequests();
    const q = new URL(t.path, server.origin).searchParams;
    expect(q.get('service')).toBe('test-svc');
    expect(q.get('scope')).toBe(scope);
    expect(q.get('account')).toBe('ci');
    expect(t.headers.authorization).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
    expect(secrets).toEqual(['tok-1']);

    server.requests.length = 0;
    const again = await auth.request({ method: 'GET', url: `${server.origin}/v2/y` }, scope);
    expect(again.status).toBe(200);
    // Known challenge and cached token: one request, straight with the Bearer token.
    expect(server.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/v2/y', 'Bearer tok-1'],
    ]);
  });

  it('refuses to send credentials to a token service that is not https (nor loopback)', async () => {
    server.handle((_req, res) => {
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://tokens.example.invalid/token",service="s"`,
        })
        .end();
    });
    const auth = new TokenAuth({ http, credentials: { username: 'ci', password: 's3cret' } });
    const err = await auth
      .request({ method: 'GET', url: `${server.origin}/v2/x` }, scope)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH_INSECURE_REALM' });
    expect(String((err as Error).message)).not.toContain('s3cret');
  });

  it('never sends credentials to a realm named by a host a redirect led to', async () => {
    const other = await startFakeServer(pki);
    try {
      other.handle((req, res) => {
        if (req.path.startsWith('/token')) return json(res, 200, { token: 'stolen' });
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="${other.origin}/token",service="x"`,
          })
          .end();
      });
      server.handle((_req, res) => {
        res.writeHead(302, { location: `${other.origin}/v2/x` }).end();
      });
      const auth = new TokenAuth({ http, credentials: { username: 'ci', password: 's3cret' } });
      const err = await auth
        .request({ method: 'GET', url: `${server.origin}/v2/x` }, scope)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'AUTH_DENIED' });
      expect(other.requests.filter((r) => r.path.startsWith('/token'))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('asks anonymously without credentials and accepts access_token', async () => {
    bearerServer();
    tokenField = 'access_token';
    const auth = new TokenAuth({ http });
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope);
    expect(res.status).toBe(200);
    const [t] = tokenRequests();
    expect(t.headers.authorization).toBeUndefined();
    expect(new URL(t.path, server.origin).searchParams.has('account')).toBe(false);
  });

  it('renews a token once it expires (60 s minimum lifetime)', async () => {
    bearerServer({ acceptAny: true });
    expiresIn = 5;
    let now = 1_000_000;
    const auth = new TokenAuth({ http, now: () => now });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/a` }, scope);
    now += 30_000;
    await auth.request({ method: 'GET', url: `${server.origin}/v2/b` }, scope);
    expect(tokenRequests()).toHaveLength(1);
    now += 31_000;
    await auth.request({ method: 'GET', url: `${server.origin}/v2/c` }, scope);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('lets one pull,push token serve later pull requests', async () => {
    bearerServer({ acceptAny: true });
    const auth = new TokenAuth({ http });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/a` }, `${scope},push`);
    await auth.request({ method: 'GET', url: `${server.origin}/v2/b` }, scope);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('shares one token request among concurrent requests for a scope', async () => {
    bearerServer({ acceptAny: true });
    const auth = new TokenAuth({ http });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/warm` }, 'repository:other:pull');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((p) =>
        auth.request({ method: 'GET', url: `${server.origin}/v2/${p}` }, scope),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('pings /v2/ before a POST so the body is sent once, with the token', async () => {
    bearerServer();
    const auth = new TokenAuth({ http, credentials: { username: 'u', password: 'p' } });
    const res = await auth.request(
      { method: 'POST', url: `${server.origin}/v2/up`, body: Buffer.from('payload') },
      scope,
    );
    expect(res.status).toBe(200);
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].headers.authorization).toBe('Bearer tok-1');
    expect(server.requests[0].path).toBe('/v2/');
  });

  it('makes no /v2/ ping before a POST once a read succeeded without credentials', async () => {
    server.handle((_req, res) => void res.writeHead(200).end());
    const auth = new TokenAuth({ http });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/read` }, scope);
    const res = await auth.request(
      { method: 'POST', url: `${server.origin}/v2/up`, body: Buffer.from('payload') },
      scope,
    );
    expect(res.status).toBe(200);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/read',
      'POST /v2/up',
    ]);
  });

  it('still pings before a POST when the only read was refused, not answered', async () => {
    server.handle((req, res) => void res.writeHead(req.path === '/v2/read' ? 404 : 200).end());
    const auth = new TokenAuth({ http });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/read` }, scope);
    await auth.request(
      { method: 'POST', url: `${server.origin}/v2/up`, body: Buffer.from('payload') },
      scope,
    );
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/read',
      'GET /v2/',
      'POST /v2/up',
    ]);
  });

  it('a write challenged after open reads learns the challenge and is sent again with the token', async () => {
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) return json(res, 200, { token: `tok-${++issued}` });
      if (req.method === 'GET' || req.headers.authorization === `Bearer tok-${issued}`) {
        return void res.writeHead(200).end();
      }
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="s"` }).end();
    });
    const auth = new TokenAuth({ http, credentials: { username: 'u', password: 'p' } });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/read` }, scope);
    const res = await auth.request(
      { method: 'POST', url: `${server.origin}/v2/up`, body: Buffer.from('payload') },
      scope,
    );
    expect(res.status).toBe(200);
    const posts = server.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.headers.authorization)).toEqual([undefined, `Bearer tok-${issued}`]);
    expect(posts.map((r) => r.body.toString())).toEqual(['payload', 'payload']);
    expect(server.requests.some((r) => r.path === '/v2/')).toBe(false);
  });

  it('throws AUTH_DENIED when the token service refuses, without the password', async () => {
    bearerServer();
    tokenStatus = 401;
    const auth = new TokenAuth({ http, credentials: { username: 'ci', password: 'hunter2pw' } });
    const err = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('AUTH_DENIED');
    expect((err as HttpError).status).toBe(401);
    expect((err as HttpError).message).toContain(scope);
    expect((err as HttpError).message).toContain('registry-password');
    expect((err as HttpError).message).not.toContain('hunter2pw');
  });

  it('throws AUTH_DENIED when a fresh token is still refused, naming host and scope', async () => {
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) return json(res, 200, { token: 'never-good' });
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="s"` }).end();
    });
    const auth = new TokenAuth({ http });
    const err = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope).then(
      () => undefined,
      (e: unknown) => e as HttpError,
    );
    expect(err?.code).toBe('AUTH_DENIED');
    expect(err?.message).toContain(`127.0.0.1:${server.port}`);
    expect(err?.message).toContain(scope);
    expect(err?.message).not.toContain('never-good');
    // first try, token, retry: no loop
    expect(server.requests.filter((r) => r.path === '/v2/x')).toHaveLength(2);
  });

  it('replaces a cached token the server no longer accepts, once', async () => {
    let valid = 'tok-1';
    server.handle((req, res) => {
      if (req.path.startsWith('/token')) return json(res, 200, { token: `tok-${++issued}` });
      if (req.headers.authorization === `Bearer ${valid}`) return void res.writeHead(200).end();
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="s"` }).end();
    });
    const auth = new TokenAuth({ http });
    await auth.request({ method: 'GET', url: `${server.origin}/v2/a` }, scope);
    valid = 'tok-2';
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/b` }, scope);
    expect(res.status).toBe(200);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('answers a Basic challenge with Basic credentials', async () => {
    const expected = `Basic ${Buffer.from('u:p').toString('base64')}`;
    server.handle((req, res) => {
      if (req.headers.authorization === expected) return void res.writeHead(200).end();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="reg"' }).end();
    });
    const auth = new TokenAuth({ http, credentials: { username: 'u', password: 'p' } });
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/` }, scope);
    expect(res.status).toBe(200);
    const anon = new TokenAuth({ http });
    await expect(
      anon.request({ method: 'GET', url: `${server.origin}/v2/` }, scope),
    ).rejects.toMatchObject({ code: 'AUTH_DENIED' });
  });

  it('uses the refresh-token grant for an identity token', async () => {
    bearerServer();
    const auth = new TokenAuth({
      http,
      credentials: { username: '', password: '', identityToken: 'refresh-abc' },
    });
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope);
    expect(res.status).toBe(200);
    const [t] = tokenRequests();
    expect(t.method).toBe('POST');
    expect(t.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(t.body.toString());
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-abc',
      service: 'test-svc',
      scope,
      client_id: 'docker',
    });
  });

  it('passes answers through unchanged when the server wants no auth', async () => {
    server.handle((_req, res) => {
      res.writeHead(404).end('missing');
    });
    const auth = new TokenAuth({ http });
    const res = await auth.request({ method: 'GET', url: `${server.origin}/v2/x` }, scope);
    expect(res.status).toBe(404);
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });
});
