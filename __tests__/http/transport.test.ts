// The connections under the client: HTTP/2 sessions where the server offers h2 by ALPN,
// keep-alive HTTP/1.1 sockets otherwise, and what happens when either fails or idles.
import { execFile } from 'node:child_process';
import { constants as h2, type Http2ServerRequest } from 'node:http2';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, withExtraCas, type HttpOptions } from '../../src/http/client.js';
import { NodeTransport } from '../../src/http/transport.js';
import {
  httpFailure,
  makePki,
  onTestClock,
  startFakeServer,
  type FakeServer,
  type TestPki,
} from './fake-server.js';

let pki: TestPki;
let h2server: FakeServer;
let h1server: FakeServer;
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

/** The HTTP/2 stream under a request the fake HTTP/2 server handles. */
function streamOf(raw: IncomingMessage): Http2ServerRequest['stream'] {
  return (raw as unknown as Http2ServerRequest).stream;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  pki = await makePki();
  h2server = await startFakeServer(pki, { h2: true });
  h1server = await startFakeServer(pki);
});
afterAll(async () => {
  await h2server.close();
  await h1server.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of [h2server, h1server]) {
    s.dropConnections();
    s.requests.length = 0;
    s.servernames.length = 0;
    s.connections = 0;
  }
  sleeps = [];
});

describe('which protocol, over how many connections', () => {
  it('carries parallel requests over one HTTP/2 connection when the server offers h2', async () => {
    h2server.handle(async (req, res) => {
      await delay(20);
      res.writeHead(200).end(req.path);
    });
    const c = client();
    const paths = Array.from({ length: 20 }, (_, i) => `/p${i}`);
    const bodies = await Promise.all(
      paths.map(
        async (p) => (await c.request({ method: 'GET', url: `${h2server.origin}${p}` })).body,
      ),
    );
    expect(bodies.map(String)).toEqual(paths);
    expect(h2server.requests.map((r) => r.version)).toEqual(paths.map(() => '2.0'));
    expect(h2server.connections).toBe(1);
  });

  it('waits for a free stream when the server allows few at once', async () => {
    const narrow = await startFakeServer(pki, { h2: true, maxConcurrentStreams: 2 });
    try {
      let now = 0;
      let most = 0;
      narrow.handle(async (req, res) => {
        most = Math.max(most, ++now);
        await delay(10);
        now--;
        res.writeHead(200).end(req.path);
      });
      const c = client();
      const paths = Array.from({ length: 12 }, (_, i) => `/n${i}`);
      const bodies = await Promise.all(
        paths.map(
          async (p) => (await c.request({ method: 'GET', url: `${narrow.origin}${p}` })).body,
        ),
      );
      expect(bodies.map(String)).toEqual(paths);
      expect(most).toBe(2);
      expect(narrow.connections).toBe(1);
      expect(sleeps).toHaveLength(0);
    } finally {
      await narrow.close();
    }
  });

  it('speaks HTTP/1.1 to a server without ALPN, at most 8 connections per origin', async () => {
    h1server.handle(async (_req, res) => {
      await delay(20);
      res.writeHead(200).end('ok');
    });
    const c = client();
    await Promise.all(
      Array.from({ length: 20 }, () => c.request({ method: 'GET', url: `${h1server.origin}/` })),
    );
    expect(h1server.requests.map((r) => r.version)).toEqual(Array(20).fill('1.1'));
    expect(h1server.connections).toBeGreaterThan(1);
    expect(h1server.connections).toBeLessThanOrEqual(8);
  });

  it('falls back to HTTP/1.1 when ALPN picks it, on the connection that asked', async () => {
    const picky = await startFakeServer(pki, { alpn: ['http/1.1'] });
    try {
      picky.handle((_req, res) => {
        res.writeHead(200).end('one');
      });
      const c = client();
      for (let i = 0; i < 3; i++) {
        const res = await c.request({ method: 'GET', url: `${picky.origin}/` });
        expect(res.body.toString()).toBe('one');
      }
      expect(picky.requests.map((r) => r.version)).toEqual(['1.1', '1.1', '1.1']);
      expect(picky.connections).toBe(1);
    } finally {
      await picky.close();
    }
  });

  it('names the server by SNI and checks the certificate against the name', async () => {
    h2server.handle((_req, res) => {
      res.writeHead(200).end('by name');
    });
    const res = await client().request({
      method: 'GET',
      url: `https://localhost:${h2server.port}/`,
    });
    expect(res.body.toString()).toBe('by name');
    expect(h2server.requests[0].version).toBe('2.0');
    expect(h2server.servernames).toEqual(['localhost']);
  });

  it('reuses one HTTP/2 connection for sequential requests', async () => {
    h2server.handle((_req, res) => {
      res.writeHead(200).end('x');
    });
    const c = client();
    for (let i = 0; i < 5; i++) await c.request({ method: 'GET', url: `${h2server.origin}/` });
    expect(h2server.requests).toHaveLength(5);
    expect(h2server.connections).toBe(1);
  });
});

describe('HTTP/2 sessions that fail', () => {
  it('a connection cut under a request: dropped, and the GET retried on a new one', async () => {
    let n = 0;
    h2server.handle((_req, res) => {
      if (n++ === 0) h2server.dropConnections();
      else res.writeHead(200).end('second');
    });
    const res = await client().request({ method: 'GET', url: `${h2server.origin}/cut` });
    expect(res.body.toString()).toBe('second');
    expect(h2server.requests).toHaveLength(2);
    expect(h2server.connections).toBe(2);
    expect(sleeps).toHaveLength(1);
  });

  it('a connection cut mid-body: the part is never taken as the whole', async () => {
    h2server.handle((_req, res) => {
      res.writeHead(200);
      res.write('the first half');
      setTimeout(() => h2server.dropConnections(), 20);
    });
    const err = await httpFailure(
      client({ retries: 1 }).request({ method: 'GET', url: `${h2server.origin}/half` }),
    );
    expect(err.code).toBe('HTTP_UNREACHABLE');
    expect(err.requestSent).toBe(true);
    expect(h2server.requests).toHaveLength(2);
  });

  it('a stream reset with NO_ERROR mid-body: retried, never taken as the whole', async () => {
    let n = 0;
    h2server.handle((_req, res, raw) => {
      if (n++ > 0) return void res.writeHead(200).end('whole');
      res.writeHead(200);
      res.write('part');
      setTimeout(() => streamOf(raw).close(h2.NGHTTP2_NO_ERROR), 20);
    });
    const res = await client().request({ method: 'GET', url: `${h2server.origin}/rst` });
    expect(res.body.toString()).toBe('whole');
    expect(h2server.requests).toHaveLength(2);
    // The stream failed, not the session.
    expect(h2server.connections).toBe(1);
  });

  it('a refused stream was not processed: GET retried, POST reported as never sent', async () => {
    h2server.handle((_req, _res, raw) => {
      streamOf(raw).close(h2.NGHTTP2_REFUSED_STREAM);
    });
    const c = client({ retries: 1 });
    const get = await httpFailure(c.request({ method: 'GET', url: `${h2server.origin}/r` }));
    expect(get.code).toBe('HTTP_UNREACHABLE');
    expect(get.message).toContain('H2_REFUSED_STREAM');
    expect(h2server.requests).toHaveLength(2);
    const post = await httpFailure(
      c.request({ method: 'POST', url: `${h2server.origin}/p`, body: Buffer.from('{}') }),
    );
    expect(post.code).toBe('HTTP_UNREACHABLE');
    expect(post.requestSent).toBe(false);
    expect(h2server.requests).toHaveLength(3);
  });

  it('GOAWAY: the request under way finishes, the next goes over a new connection', async () => {
    let n = 0;
    h2server.handle((_req, res, raw) => {
      if (n++ === 0) streamOf(raw).session?.goaway(h2.NGHTTP2_NO_ERROR);
      res.writeHead(200).end(`answer ${n}`);
    });
    const c = client();
    const first = await c.request({ method: 'GET', url: `${h2server.origin}/a` });
    const second = await c.request({ method: 'GET', url: `${h2server.origin}/b` });
    expect([first.body.toString(), second.body.toString()]).toEqual(['answer 1', 'answer 2']);
    expect(h2server.connections).toBe(2);
    expect(sleeps).toHaveLength(0);
  });

  it('a stream past its deadline: HTTP_TIMEOUT, and the retry takes a new connection', async () => {
    let n = 0;
    h2server.handle((req, res) => {
      // /once stalls the first time only, /always every time.
      if (req.path === '/once' && n++ > 0) res.writeHead(200).end('late but whole');
    });
    const { res, err } = await onTestClock(async (expire) => {
      const answered = client({ timeoutMs: 300, retries: 1 }).request({
        method: 'GET',
        url: `${h2server.origin}/once`,
      });
      await expire(() => h2server.requests.length === 1, 300);
      const res = await answered;
      expect(h2server.connections).toBe(2);
      const failed = httpFailure(
        client({ timeoutMs: 300, retries: 0 }).request({
          method: 'GET',
          url: `${h2server.origin}/s`,
        }),
      );
      await expire(() => h2server.requests.length === 3, 300);
      return { res, err: await failed };
    });
    expect(res.body.toString()).toBe('late but whole');
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.requestSent).toBe(true);
  });
});

describe('servers that say h2 and then nothing', () => {
  it('a server that never sends its SETTINGS: HTTP_TIMEOUT, never sent, and close() returns', async () => {
    const sockets = new Set<TLSSocket>();
    const mute = createTlsServer(
      { key: pki.keyPem, cert: pki.certPem, ALPNProtocols: ['h2'] },
      (s) => {
        sockets.add(s);
        s.on('error', () => undefined);
      },
    );
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as AddressInfo).port;
    try {
      const c = client({ timeoutMs: 300, retries: 1 });
      const { err, get } = await onTestClock(async (expire) => {
        const posted = httpFailure(
          c.request({ method: 'POST', url: `https://127.0.0.1:${port}/p`, body: Buffer.from('x') }),
        );
        await expire(() => sockets.size === 1, 300);
        const err = await posted;
        const got = httpFailure(c.request({ method: 'GET', url: `https://127.0.0.1:${port}/` }));
        await expire(() => sockets.size === 2, 300);
        await expire(() => sockets.size === 3, 300);
        return { err, get: await got };
      });
      expect(err.code).toBe('HTTP_TIMEOUT');
      expect(err.requestSent).toBe(false);
      expect(get.code).toBe('HTTP_TIMEOUT');
      expect(sleeps).toHaveLength(1);
      await c.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => mute.close(r));
    }
  });
});

describe('idle connections and close()', () => {
  it.each([
    ['HTTP/2', () => h2server],
    ['HTTP/1.1', () => h1server],
  ])('close() ends every %s connection', async (_name, server) => {
    server().handle((_req, res) => {
      res.writeHead(200).end('ok');
    });
    const c = new HttpClient({ caPem: pki.caPem });
    await Promise.all(
      Array.from({ length: 4 }, () => c.request({ method: 'GET', url: `${server().origin}/` })),
    );
    expect(server().open).toBeGreaterThan(0);
    await c.close();
    await expect.poll(() => server().open).toBe(0);
  });

  it.each([
    ['HTTP/2', () => h2server],
    ['HTTP/1.1', () => h1server],
  ])(
    'closes an idle %s connection after its idle time, never a busy one',
    async (_name, server) => {
      server().handle(async (_req, res) => {
        res.writeHead(200);
        res.write('slow ');
        await delay(300);
        res.end('answer');
      });
      const secureContext = withExtraCas([pki.caPem]);
      const t = new NodeTransport({ secureContext, connectTimeoutMs: 5000, idleMs: 100 });
      try {
        const res = await t.send({
          method: 'GET',
          url: new URL(`${server().origin}/`),
          headers: {},
          body: undefined,
          signal: new AbortController().signal,
          progress: {},
        });
        const chunks: Buffer[] = [];
        for await (const chunk of res.body) chunks.push(chunk);
        // Quiet for three idle times mid-answer, and still whole.
        expect(Buffer.concat(chunks).toString()).toBe('slow answer');
        expect(server().open).toBe(1);
        await expect.poll(() => server().open).toBe(0);
      } finally {
        await t.close();
      }
    },
  );

  it('lets the process exit once closed', async () => {
    h2server.handle((_req, res) => {
      res.writeHead(200).end('ok');
    });
    const script = [
      `import { HttpClient } from ${JSON.stringify(new URL('../../src/http/client.ts', import.meta.url).pathname)};`,
      `const c = new HttpClient({ caPem: process.env.CA });`,
      `const r = await c.request({ method: 'GET', url: process.env.URL });`,
      `await c.close();`,
      `console.log(r.status, r.body.toString());`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, CA: pki.caPem, URL: `${h2server.origin}/exit` }, timeout: 20_000 },
    );
    expect(stdout.trim()).toBe('200 ok');
    expect(h2server.requests.map((r) => r.version)).toEqual(['2.0']);
  });
});
