import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, backoff, type HttpOptions } from '../../src/http/client.js';
import {
  closedPort,
  makePki,
  startConnectProxy,
  startFakeServer,
  type FakeServer,
  type TestPki,
  httpFailure,
  onTestClock,
} from './fake-server.js';

let pki: TestPki;
let server: FakeServer;
const clients: HttpClient[] = [];
let sleeps: number[] = [];

function client(opts: HttpOptions = {}): HttpClient {
  const c = new HttpClient({
    caPem: pki.caPem,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...opts,
  });
  clients.push(c);
  return c;
}

const rejection = httpFailure;

beforeAll(async () => {
  pki = await makePki();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.requests.length = 0;
  sleeps = [];
});

// Every promise of the client, over both transports: a server that offers HTTP/2 by ALPN
// (as Go's registry and notary-server do) is spoken to in HTTP/2, others in HTTP/1.1.
describe.each([
  { protocol: 'HTTP/1.1', h2: false, version: '1.1' },
  { protocol: 'HTTP/2', h2: true, version: '2.0' },
])('over $protocol', ({ h2, version }) => {
  beforeAll(async () => {
    server = await startFakeServer(pki, { h2 });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('HttpClient basics', () => {
    it('returns status, lower-case headers, body and URL', async () => {
      server.handle((req, res) => {
        res.writeHead(200, { 'X-Echo': req.headers['x-in'] ?? '' }).end(`hello ${req.path}`);
      });
      const res = await client().request({
        method: 'GET',
        url: `${server.origin}/a?b=1`,
        headers: { 'X-In': 'v' },
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-echo']).toBe('v');
      expect(res.body.toString()).toBe('hello /a?b=1');
      expect(res.url).toBe(`${server.origin}/a?b=1`);
      expect(server.requests[0].headers['user-agent']).toBe('dct-sign-action');
      expect(server.requests[0].version).toBe(version);
    });

    it('returns 4xx answers without retrying', async () => {
      server.handle((_req, res) => {
        res.writeHead(404).end('nope');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/x` });
      expect(res.status).toBe(404);
      expect(server.requests).toHaveLength(1);
    });

    it('sends a request body', async () => {
      server.handle((req, res) => {
        res.writeHead(200).end(req.body);
      });
      const body = Buffer.from([0, 1, 2, 255]);
      const res = await client().request({ method: 'PUT', url: `${server.origin}/p`, body });
      expect(res.body.equals(body)).toBe(true);
    });
  });

  describe('retries', () => {
    it('retries a GET once after a 503, then returns the 200', async () => {
      let n = 0;
      server.handle((_req, res) => {
        res.writeHead(n++ === 0 ? 503 : 200).end(n === 1 ? 'busy' : 'ok');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/r` });
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('ok');
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toHaveLength(1);
    });

    it('gives up after the configured retries and returns the last 5xx', async () => {
      server.handle((_req, res) => {
        res.writeHead(502).end('bad gateway');
      });
      const res = await client({ retries: 2 }).request({
        method: 'GET',
        url: `${server.origin}/r`,
      });
      expect(res.status).toBe(502);
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    });

    it('does not retry 501', async () => {
      server.handle((_req, res) => {
        res.writeHead(501).end();
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/r` });
      expect(res.status).toBe(501);
      expect(server.requests).toHaveLength(1);
    });

    it('waits as long as Retry-After says on 429', async () => {
      let n = 0;
      server.handle((_req, res) => {
        if (n++ === 0) res.writeHead(429, { 'retry-after': '2' }).end();
        else res.writeHead(200).end();
      });
      const res = await client().request({ method: 'HEAD', url: `${server.origin}/r` });
      expect(res.status).toBe(200);
      expect(sleeps).toEqual([2000]);
    });

    it('retries a GET whose connection was reset', async () => {
      let n = 0;
      server.handle((_req, res, raw) => {
        if (n++ === 0) raw.socket.destroy();
        else res.writeHead(200).end('second');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/reset` });
      expect(res.body.toString()).toBe('second');
      expect(server.requests).toHaveLength(2);
    });

    it('retries a GET whose body was cut short', async () => {
      let n = 0;
      server.handle((_req, res) => {
        if (n++ === 0) {
          res.writeHead(200, { 'content-length': '100' });
          res.write('only ten b');
          setTimeout(() => res.socket?.destroy(), 20);
        } else {
          res.writeHead(200).end('complete');
        }
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/trunc` });
      expect(res.body.toString()).toBe('complete');
      expect(server.requests).toHaveLength(2);
    });

    it('never retries a POST, neither on 503 nor on a reset', async () => {
      server.handle((_req, res) => {
        res.writeHead(503).end();
      });
      const c = client();
      const res = await c.request({
        method: 'POST',
        url: `${server.origin}/p`,
        body: Buffer.from('x'),
      });
      expect(res.status).toBe(503);
      expect(server.requests).toHaveLength(1);

      server.handle((_req, _res, raw) => {
        raw.socket.destroy();
      });
      const err = await rejection(
        c.request({ method: 'POST', url: `${server.origin}/p`, body: Buffer.from('y') }),
      );
      expect(err.code).toBe('HTTP_UNREACHABLE');
      expect(err.requestSent).toBe(true);
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toHaveLength(0);
    });

    it('reports a refused connection as HTTP_UNREACHABLE naming the host, after retries', async () => {
      const port = await closedPort();
      const err = await rejection(
        client({ retries: 2 }).request({ method: 'GET', url: `https://127.0.0.1:${port}/` }),
      );
      expect(err.code).toBe('HTTP_UNREACHABLE');
      expect(err.message).toContain(`127.0.0.1:${port}`);
      expect(err.requestSent).toBe(false);
      expect(sleeps).toHaveLength(2);
    });

    it('names the server it could not reach, as the caller describes it', async () => {
      const port = await closedPort();
      const err = await rejection(
        client({ retries: 0 }).request({
          method: 'GET',
          url: `https://127.0.0.1:${port}/`,
          server: 'the trust server',
        }),
      );
      expect(err.message).toContain(`cannot reach the trust server 127.0.0.1:${port}`);
    });

    it('tells a plain-HTTP server from a broken TLS one: HTTP_NOT_TLS', async () => {
      const plainServer = createHttpServer((_req, res) => res.writeHead(200).end('plain'));
      await new Promise<void>((r) => plainServer.listen(0, '127.0.0.1', r));
      const port = (plainServer.address() as AddressInfo).port;
      try {
        const err = await rejection(
          client().request({
            method: 'GET',
            url: `https://127.0.0.1:${port}/v2/`,
            server: 'the registry',
          }),
        );
        expect(err.code).toBe('HTTP_NOT_TLS');
        expect(err.requestSent).toBe(false);
        expect(err.message).toContain(`the registry 127.0.0.1:${port}`);
        expect(err.message).toMatch(/plain HTTP/);
        expect(sleeps).toHaveLength(0);
        const ok = await client().request({ method: 'GET', url: `http://127.0.0.1:${port}/v2/` });
        expect(ok.body.toString()).toBe('plain');
      } finally {
        plainServer.closeAllConnections();
        await new Promise((r) => plainServer.close(r));
      }
    });

    it('keeps the backoff exponential, jittered and bounded', () => {
      for (let i = 0; i < 50; i++) {
        const b0 = backoff(0);
        expect(b0).toBeGreaterThanOrEqual(250);
        expect(b0).toBeLessThanOrEqual(500);
        const b2 = backoff(2);
        expect(b2).toBeGreaterThanOrEqual(1000);
        expect(b2).toBeLessThanOrEqual(2000);
        expect(backoff(30)).toBeLessThanOrEqual(8000);
      }
    });
  });

  describe('timeouts and limits', () => {
    it('turns a stalled answer into HTTP_TIMEOUT, retrying GET first', async () => {
      server.handle(() => {
        // never answers
      });
      const attempts: string[] = [];
      const err = await onTestClock(async (expire) => {
        const failed = rejection(
          client({ timeoutMs: 300, retries: 1, requestLog: (l) => attempts.push(l) }).request({
            method: 'GET',
            url: `${server.origin}/s`,
          }),
        );
        // Just short of the deadline nothing gives up; at it, the attempt does.
        await expire(() => server.requests.length === 1, 299);
        await expire(() => true, 0);
        expect(attempts).toEqual([]);
        await expire(() => true, 1);
        await expire(() => server.requests.length === 2, 300);
        return failed;
      });
      expect(attempts).toEqual([
        `GET ${server.origin}/s -> HTTP_TIMEOUT`,
        `GET ${server.origin}/s -> HTTP_TIMEOUT`,
      ]);
      expect(err.code).toBe('HTTP_TIMEOUT');
      expect(err.message).toContain(`127.0.0.1:${server.port}`);
      expect(server.requests).toHaveLength(2);
    });

    it('times out a body that stops halfway', async () => {
      let written = false;
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial', () => (written = true));
      });
      const err = await onTestClock(async (expire) => {
        const failed = rejection(
          client({ timeoutMs: 300, retries: 0 }).request({
            method: 'GET',
            url: `${server.origin}/s`,
          }),
        );
        await expire(() => written, 300);
        return failed;
      });
      expect(err.code).toBe('HTTP_TIMEOUT');
    });

    it('refuses a body larger than maxBytes, declared or streamed', async () => {
      server.handle((req, res) => {
        if (req.path === '/declared') {
          res.writeHead(200, { 'content-length': '2048' }).end(Buffer.alloc(2048));
        } else {
          // No length: chunked in HTTP/1.1, plain DATA frames in HTTP/2.
          res.writeHead(200);
          res.write(Buffer.alloc(800));
          res.end(Buffer.alloc(800));
        }
      });
      const c = client();
      for (const path of ['/declared', '/chunked']) {
        const err = await rejection(
          c.request({ method: 'GET', url: `${server.origin}${path}`, maxBytes: 1024 }),
        );
        expect(err.code).toBe('HTTP_TOO_LARGE');
      }
      const ok = await c.request({
        method: 'GET',
        url: `${server.origin}/declared`,
        maxBytes: 2048,
      });
      expect(ok.body).toHaveLength(2048);
    });
  });

  describe('answers over the caps or unlike what they declare: an error, never a crash', () => {
    // Before: a declared length over the cap destroyed a body stream nothing listened to, and
    // the process died of an unhandled 'error' event (RequestAbortedError) with no message.
    const MiB = 1 << 20;

    it('refuses a 200 whose declared length is over the cap, naming the server', async () => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-length': String(2 * MiB) });
        res.end(Buffer.alloc(2 * MiB));
      });
      const err = await rejection(
        client().request({ method: 'GET', url: `${server.origin}/timestamp.json`, maxBytes: MiB }),
      );
      expect(err.code).toBe('HTTP_TOO_LARGE');
      expect(err.message).toContain(`127.0.0.1:${server.port} sent more than ${MiB} bytes`);
    });

    it.each([404, 401, 400])(
      'keeps the start of a %i page over the cap and returns its status',
      async (status) => {
        server.handle((_req, res) => {
          res.writeHead(status, { 'content-length': String(2 * MiB) });
          res.end(Buffer.alloc(2 * MiB, 'x'));
        });
        const res = await client().request({
          method: 'GET',
          url: `${server.origin}/root.json`,
          maxBytes: MiB,
        });
        expect(res.status).toBe(status);
        expect(res.body.length).toBeGreaterThan(0);
        expect(res.body.length).toBeLessThanOrEqual(64 * 1024);
      },
    );

    it('retries a 503 page over the cap like any 503, then returns it', async () => {
      server.handle((_req, res) => {
        res.writeHead(503, { 'content-length': String(2 * MiB) });
        res.end(Buffer.alloc(2 * MiB, 'x'));
      });
      const res = await client({ retries: 2 }).request({
        method: 'GET',
        url: `${server.origin}/timestamp.json`,
        maxBytes: MiB,
      });
      expect(res.status).toBe(503);
      expect(server.requests).toHaveLength(3);
    });

    it('reads only the start of an answer whose body carries nothing (truncate)', async () => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-length': String(100 * 1024) });
        res.end(Buffer.alloc(100 * 1024, '{'));
      });
      const res = await client().request({
        method: 'GET',
        url: `${server.origin}/v2/`,
        maxBytes: 65536,
        truncate: true,
      });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeLessThanOrEqual(65536);
    });

    // HTTP/2 frames its body: there are no bytes past the declared length to misread.
    if (!h2) {
      it('reads a body longer than it declares up to the declared length', async () => {
        server.handle((_req, res) => {
          res.socket!.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello and then some more');
          res.socket!.end();
        });
        const res = await client().request({
          method: 'GET',
          url: `${server.origin}/l`,
          maxBytes: 10,
        });
        expect(res.body.toString()).toBe('hello');
      });
    }

    it('gives up on a body shorter than it declares, over the cap or not', async () => {
      for (const declared of [50, 2 * MiB]) {
        server.handle((_req, res) => {
          if (h2) {
            res.writeHead(200, { 'content-length': String(declared) }).end('hello');
            return;
          }
          res.socket!.write(`HTTP/1.1 200 OK\r\ncontent-length: ${declared}\r\n\r\nhello`);
          res.socket!.end();
        });
        const err = await rejection(
          client({ retries: 1 }).request({
            method: 'GET',
            url: `${server.origin}/s`,
            maxBytes: MiB,
          }),
        );
        expect(err.code).toBe(declared > MiB ? 'HTTP_TOO_LARGE' : 'HTTP_UNREACHABLE');
        expect(err.message).toContain(`127.0.0.1:${server.port}`);
      }
    });
  });

  describe('Content-Encoding, whatever Accept-Encoding said', () => {
    // A proxy that gzips every answer made every read fail as "root metadata is not valid JSON".
    const body = Buffer.from(JSON.stringify({ signed: { n: 'x'.repeat(5000) }, signatures: [] }));
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: (b) => gzipSync(b),
      'x-gzip': (b) => gzipSync(b),
      deflate: (b) => deflateSync(b),
      br: (b) => brotliCompressSync(b),
      'gzip, br': (b) => brotliCompressSync(gzipSync(b)),
    };

    it.each(Object.keys(encoders))('decodes %s', async (encoding) => {
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-encoding': encoding }).end(encoders[encoding](body));
      });
      const res = await client().request({
        method: 'GET',
        url: `${server.origin}/r`,
        maxBytes: 8192,
      });
      expect(res.body.equals(body)).toBe(true);
      expect(res.headers['content-encoding']).toBeUndefined();
    });

    it('refuses what decodes to more than the cap (a gzip bomb)', async () => {
      const bomb = gzipSync(Buffer.alloc(8 << 20));
      expect(bomb.length).toBeLessThan(1 << 20);
      server.handle((_req, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(bomb);
      });
      const err = await rejection(
        client().request({ method: 'GET', url: `${server.origin}/bomb`, maxBytes: 1 << 20 }),
      );
      expect(err.code).toBe('HTTP_TOO_LARGE');
      expect(err.message).toContain(`127.0.0.1:${server.port}`);
    });

    it('refuses an encoding it cannot decode, or a body that is not what it says', async () => {
      // Names of Object.prototype members are codings like any other unknown one.
      for (const [encoding, bytes] of [
        ['compress', body],
        ['gzip', body],
        ['constructor', body],
        ['__proto__', body],
        ['toString', body],
      ] as const) {
        server.handle((_req, res) => {
          res.writeHead(200, { 'content-encoding': encoding }).end(bytes);
        });
        const err = await rejection(
          client().request({ method: 'GET', url: `${server.origin}/e`, maxBytes: 8192 }),
        );
        expect(err.code).toBe('HTTP_BAD_ENCODING');
        expect(err.message).toContain(`127.0.0.1:${server.port}`);
        expect(err.message).toContain(encoding);
      }
    });

    it('decodes an error page too, and never fails over it', async () => {
      server.handle((_req, res) => {
        res.writeHead(404, { 'content-encoding': 'gzip' }).end(gzipSync('{"errors":[]}'));
      });
      const res = await client().request({
        method: 'GET',
        url: `${server.origin}/n`,
        maxBytes: 10,
      });
      expect(res.status).toBe(404);
      expect(res.body.toString()).toBe('{"errors":[]}');
      server.handle((_req, res) => {
        res.writeHead(404, { 'content-encoding': 'gzip' }).end('not gzip at all');
      });
      const odd = await client().request({
        method: 'GET',
        url: `${server.origin}/n`,
        maxBytes: 10,
      });
      expect(odd.status).toBe(404);
    });
  });

  describe('TLS', () => {
    it('rejects a server whose CA is unknown with HTTP_TLS pointing at ca-cert', async () => {
      server.handle((_req, res) => {
        res.writeHead(200).end();
      });
      const c = new HttpClient({ sleep: () => Promise.resolve() });
      clients.push(c);
      const err = await rejection(c.request({ method: 'GET', url: `${server.origin}/` }));
      expect(err.code).toBe('HTTP_TLS');
      expect(err.message).toContain(`127.0.0.1:${server.port}`);
      expect(err.message).toContain('ca-cert');
      expect(server.requests).toHaveLength(0);
    });

    it('trusts the system roots and the extra CA together', async () => {
      server.handle((_req, res) => {
        res.writeHead(200).end('trusted');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/` });
      expect(res.body.toString()).toBe('trusted');
    });

    it('trusts every CA of a ca-cert holding several, and still no other', async () => {
      const pki2 = await makePki();
      const second = await startFakeServer(pki2);
      const pki3 = await makePki();
      const third = await startFakeServer(pki3);
      try {
        for (const s of [server, second, third]) {
          s.handle((_req, res) => {
            res.writeHead(200).end('ok');
          });
        }
        const c = client({ caPem: `${pki.caPem}\n${pki2.caPem}` });
        for (const s of [server, second]) {
          const res = await c.request({ method: 'GET', url: `${s.origin}/` });
          expect(res.body.toString()).toBe('ok');
        }
        const err = await rejection(c.request({ method: 'GET', url: `${third.origin}/` }));
        expect(err.code).toBe('HTTP_TLS');
        expect(third.requests).toHaveLength(0);
      } finally {
        await second.close();
        await third.close();
      }
    });

    it('refuses a ca-cert without a certificate', () => {
      expect(() => new HttpClient({ caPem: 'not a pem' })).toThrow(
        expect.objectContaining({ code: 'CA_CERT_INVALID' }),
      );
      const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
      expect(() => new HttpClient({ caPem: broken })).toThrow(
        expect.objectContaining({ code: 'CA_CERT_INVALID' }),
      );
    });
  });

  describe('redirects', () => {
    it('follows a GET redirect, keeping credentials on the same origin only', async () => {
      const other = await startFakeServer(pki);
      try {
        other.handle((_req, res) => {
          res.writeHead(200).end('blob');
        });
        server.handle((req, res) => {
          if (req.path === '/start') res.writeHead(307, { location: '/same' }).end();
          else res.writeHead(302, { location: `${other.origin}/elsewhere` }).end();
        });
        const res = await client().request({
          method: 'GET',
          url: `${server.origin}/start`,
          headers: { Authorization: 'Bearer t' },
        });
        expect(res.body.toString()).toBe('blob');
        expect(res.url).toBe(`${other.origin}/elsewhere`);
        expect(server.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
          ['/start', 'Bearer t'],
          ['/same', 'Bearer t'],
        ]);
        expect(other.requests[0].headers.authorization).toBeUndefined();
      } finally {
        await other.close();
      }
    });

    it('stops after 5 redirects', async () => {
      server.handle((req, res) => {
        res.writeHead(302, { location: `${req.path}x` }).end();
      });
      const err = await rejection(client().request({ method: 'GET', url: `${server.origin}/r` }));
      expect(err.code).toBe('HTTP_UNREACHABLE');
      expect(err.message).toContain('redirects');
      expect(server.requests).toHaveLength(6);
    });

    it('refuses a redirect from https down to http', async () => {
      server.handle((_req, res) => {
        res.writeHead(302, { location: 'http://127.0.0.1:9/manifest' }).end();
      });
      const err = await rejection(client().request({ method: 'GET', url: `${server.origin}/m` }));
      expect(err.code).toBe('HTTP_INSECURE_REDIRECT');
      expect(server.requests).toHaveLength(1);
    });

    it('does not follow redirects for POST', async () => {
      server.handle((_req, res) => {
        res.writeHead(302, { location: '/elsewhere' }).end();
      });
      const res = await client().request({ method: 'POST', url: `${server.origin}/p` });
      expect(res.status).toBe(302);
      expect(server.requests).toHaveLength(1);
    });
  });
});

describe('proxy', () => {
  // A server that offers HTTP/2: through a proxy, undici speaks HTTP/1.1 to it.
  beforeAll(async () => {
    server = await startFakeServer(pki, { h2: true });
  });
  afterAll(async () => {
    await server.close();
  });
  const saved = { ...process.env };
  const proxyVars = [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'NO_PROXY',
    'no_proxy',
  ];
  afterEach(() => {
    for (const k of proxyVars) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  const clearProxyEnv = (): void => {
    for (const k of proxyVars) delete process.env[k];
  };

  // First of its file: undici warns once a process, at its first EnvHttpProxyAgent.
  it('loads undici without its "experimental" warning in the log', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    const proxy = await startConnectProxy();
    try {
      clearProxyEnv();
      process.env.HTTPS_PROXY = proxy.url;
      server.handle((_req, res) => {
        res.writeHead(200).end('via proxy');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/w` });
      expect(res.body.toString()).toBe('via proxy');
      process.emitWarning('another warning', { code: 'DCT-TEST' });
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => (w as { code?: string }).code)).toEqual(['DCT-TEST']);
    } finally {
      process.off('warning', onWarning);
      await proxy.close();
    }
  });

  it.each(['HTTPS_PROXY', 'https_proxy'])('tunnels https through %s', async (name) => {
    const proxy = await startConnectProxy();
    try {
      clearProxyEnv();
      process.env[name] = proxy.url;
      server.handle((_req, res) => {
        res.writeHead(200).end('via proxy');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/p` });
      expect(res.body.toString()).toBe('via proxy');
      expect(proxy.connects).toEqual([`127.0.0.1:${server.port}`]);
      expect(server.requests[0].version).toBe('1.1');
    } finally {
      await proxy.close();
    }
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const proxy = await startConnectProxy();
    try {
      clearProxyEnv();
      process.env.HTTPS_PROXY = proxy.url;
      process.env.NO_PROXY = 'example.invalid,127.0.0.1';
      server.handle((_req, res) => {
        res.writeHead(200).end('direct');
      });
      const res = await client().request({ method: 'GET', url: `${server.origin}/p` });
      expect(res.body.toString()).toBe('direct');
      expect(proxy.connects).toEqual([]);
      // With a proxy variable set, even direct requests go through undici, in HTTP/1.1.
      expect(server.requests[0].version).toBe('1.1');
    } finally {
      await proxy.close();
    }
  });
});
