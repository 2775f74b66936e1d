// A scriptable local HTTPS server with a throwaway CA, for the faults the real servers cannot
// be made to show (resets, stalls, truncated bodies, odd statuses), and a CONNECT proxy.
import { expect, vi } from 'vitest';
import { HttpError } from '../../src/http/client.js';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Taken before any test fakes the timers: real waits for the network to make progress. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Runs a deadline test on a clock it moves itself, not on wall time: `setTimeout` and
 * `clearTimeout` are faked (the HTTP client's deadlines and the HTTP/2 SETTINGS wait use them;
 * sockets keep Node's own timers, Date is real). `expire(ready, ms)` waits, in real time,
 * until `ready()` holds (the server saw the request, wrote the part of the body), then moves
 * the clock `ms` on, firing every deadline due by then. The timers are real again after.
 */
export async function onTestClock<T>(
  fn: (expire: (ready: () => boolean, ms: number) => Promise<void>) => Promise<T>,
): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    return await fn(async (ready, ms) => {
      const giveUp = Date.now() + 20_000;
      while (!ready()) {
        if (Date.now() > giveUp) throw new Error('the awaited step never happened');
        await new Promise((r) => realSetTimeout(r, 2));
      }
      // What the client does with what it just read (headers, a first chunk) happens first.
      await new Promise((r) => realSetTimeout(r, 20));
      vi.advanceTimersByTime(ms);
    });
  } finally {
    vi.useRealTimers();
  }
}

export interface TestPki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A CA and a leaf for localhost/127.0.0.1 signed by it, made with openssl. */
export async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'dct-http-pki-'));
  try {
    const p = (f: string): string => join(dir, f);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=dct test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await run('openssl', [
      'req',
      ...ec,
      '-keyout',
      p('leaf.key'),
      '-out',
      p('leaf.csr'),
      '-subj',
      '/CN=localhost',
    ]);
    await writeFile(
      p('ext.cnf'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n',
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      p('leaf.csr'),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('leaf.crt'),
      '-days',
      '2',
      '-extfile',
      p('ext.cnf'),
    ]);
    return {
      caPem: await readFile(p('ca.crt'), 'utf8'),
      certPem: await readFile(p('leaf.crt'), 'utf8'),
      keyPem: await readFile(p('leaf.key'), 'utf8'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The protocol that carried it: `1.1` or `2.0`. */
  version: string;
}

export type Handler = (
  req: SeenRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

export interface FakeServer {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  port: number;
  requests: SeenRequest[];
  /** TLS connections accepted so far, and those still open. */
  connections: number;
  readonly open: number;
  /** The SNI name of each connection that sent one. */
  servernames: string[];
  /** Replaces the handler (the default answers 404). */
  handle(h: Handler): void;
  /** Cuts every connection at once, as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Offer HTTP/2 by ALPN (HTTP/1.1 is still served to clients that do not ask for it), as
   * Go's TLS servers do. Its handlers get Node's HTTP/2 compatibility objects, which answer
   * like ServerResponse; `raw.socket.destroy()` resets the request's stream. */
  h2?: boolean;
  /** With `h2`: how many streams at once the server allows each connection. */
  maxConcurrentStreams?: number;
  /** The protocols the server picks from by ALPN, for an HTTP/1.1 server (default: none). */
  alpn?: string[];
}

export async function startFakeServer(
  pki: TestPki,
  opts: FakeServerOptions = {},
): Promise<FakeServer> {
  let handler: Handler = (_req, res) => {
    res.writeHead(404).end();
  };
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (raw: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const seen: SeenRequest = {
        method: raw.method ?? '',
        path: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks),
        version: raw.httpVersion,
      };
      requests.push(seen);
      Promise.resolve(handler(seen, res, raw)).catch((e: unknown) => {
        res.destroy(e instanceof Error ? e : new Error(String(e)));
      });
    });
  };
  const tls = { key: pki.keyPem, cert: pki.certPem };
  const h2Settings =
    opts.maxConcurrentStreams === undefined
      ? {}
      : { maxConcurrentStreams: opts.maxConcurrentStreams };
  const server = opts.h2
    ? createSecureServer({ ...tls, allowHTTP1: true, settings: h2Settings }, (raw, res) =>
        // The compatibility objects stand in for IncomingMessage and ServerResponse.
        onRequest(raw as unknown as IncomingMessage, res as unknown as ServerResponse),
      )
    : createHttpsServer(
        { ...tls, ...(opts.alpn === undefined ? {} : { ALPNProtocols: opts.alpn }) },
        onRequest,
      );
  let connections = 0;
  const servernames: string[] = [];
  server.on('secureConnection', (s: TLSSocket) => {
    connections++;
    const name = (s as TLSSocket & { servername?: string | false }).servername;
    if (typeof name === 'string') servernames.push(name);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Swallow handshake failures of the TLS tests.
  server.on('tlsClientError', () => undefined);
  // An HTTP/2 session cut under a request reports it; that is the point of such a test.
  server.on('sessionError', () => undefined);
  const port = await listen(server);
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    requests,
    get connections() {
      return connections;
    },
    set connections(n: number) {
      connections = n;
    },
    get open() {
      return sockets.size;
    },
    servernames,
    handle(h) {
      handler = h;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () => closeServer(server, sockets),
  };
}

export interface ConnectProxy {
  url: string;
  /** `host:port` of every CONNECT seen. */
  connects: string[];
  close(): Promise<void>;
}

/**
 * A minimal HTTP CONNECT proxy, as corporate proxies are for https targets (undici tunnels
 * plain-HTTP targets through CONNECT too). `hosts` resolves names the way a proxy's DNS
 * would, e.g. `{ 'registry.test': '127.0.0.1' }`.
 */
export async function startConnectProxy(
  opts: { hosts?: Record<string, string> } = {},
): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects.push(target);
    const [name, port] = splitHostPort(target);
    const host = opts.hosts?.[name] ?? name;
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, connects, close: () => closeServer(server, sockets) };
}

/** A TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function splitHostPort(s: string): [string, string] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i).replace(/^\[|\]$/g, ''), s.slice(i + 1)];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Sends a JSON body with the given status. */
export function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(bytes);
}

/** The HttpError a promise rejects with (fails the test if it resolves or throws another). */
export async function httpFailure(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpError);
  return e as HttpError;
}
