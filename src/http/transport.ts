/**
 * How one request travels, without a proxy: Node's own `http`/`https` with keep-alive agents,
 * and HTTP/2 — one multiplexed session per origin — where the server offers `h2` by ALPN (Go's
 * TLS servers, docker-registry and notary-server among them, do by default). undici is not
 * loaded on this path: its WebAssembly parser makes Node wait at exit for V8 to recompile it,
 * and costs ~17 MiB of memory; it stays for proxies (proxy.ts).
 */
import * as http from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';

export interface WireRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Aborted at the attempt's deadline: the transport then destroys what it holds for it. */
  signal: AbortSignal;
  /** `sent` turns true once a byte of the request may have left; a transport that cannot
   * tell leaves it undefined (the error's code decides then). */
  progress: { sent?: boolean };
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body; an iteration that ends without an error has seen all of it. Leaving the
   * iteration early abandons the rest (and the connection under it, for HTTP/1.1). */
  body: AsyncIterable<Buffer>;
  /** Abandons the body unread. */
  discard(): void;
}

export interface Transport {
  send(req: WireRequest): Promise<WireResponse>;
  /** Ends every connection once the requests under way are done. */
  close(): Promise<void>;
}

/** HTTP/1.1 connections per origin, as undici's `connections: 8` before. */
export const SOCKETS_PER_ORIGIN = 8;
/** How long an idle connection is kept: undici's default keep-alive time, used before. */
export const IDLE_MS = 4_000;

/** An Error with a `code`, as Node's socket errors have. */
export function codeError(code: string, message: string, cause?: unknown): Error {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  return Object.assign(e, { code });
}

/** RST_STREAM REFUSED_STREAM: "the stream was closed prior to any processing" (RFC 9113 §8.7),
 * so the request surely had no effect. */
const REFUSED_STREAM = 7;
/** Headers HTTP/2 forbids (RFC 9113 §8.2.2) or carries as a pseudo-header (`host`). */
const NOT_H2_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'te',
]);

let http2Module: Promise<typeof import('node:http2')> | undefined;
/** node:http2 is loaded the first time a server offers it. */
function loadHttp2(): Promise<typeof import('node:http2')> {
  return (http2Module ??= import('node:http2'));
}

interface Pooled {
  session: ClientHttp2Session;
  active: number;
  idle: NodeJS.Timeout | undefined;
}

interface Origin {
  /** The server chose HTTP/1.1 (or nothing) by ALPN: its requests go through the agent. */
  h1: boolean;
  pooled: Pooled | undefined;
  connecting: Promise<Pooled | undefined> | undefined;
}

export class NodeTransport implements Transport {
  private readonly secureContext: SecureContext | undefined;
  private readonly connectTimeoutMs: number;
  private readonly idleMs: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: AdoptingAgent;
  private readonly origins = new Map<string, Origin>();
  private readonly sessions = new Set<ClientHttp2Session>();
  /** HTTP/1.1 exchanges under way, and who waits for them to end (close). */
  private h1Active = 0;
  private h1Idle: (() => void)[] = [];
  private closed = false;

  constructor(o: { secureContext?: SecureContext; connectTimeoutMs: number; idleMs?: number }) {
    this.secureContext = o.secureContext;
    this.connectTimeoutMs = o.connectTimeoutMs;
    this.idleMs = o.idleMs ?? IDLE_MS;
    // `timeout` is how long a free socket is kept (or less, as the server's Keep-Alive header
    // says); the requests themselves pass `timeout: 0`, their deadline is the caller's.
    const agent = { keepAlive: true, maxSockets: SOCKETS_PER_ORIGIN, timeout: this.idleMs };
    this.httpAgent = new http.Agent(agent);
    this.httpsAgent = new AdoptingAgent(
      {
        ...agent,
        ALPNProtocols: ['http/1.1'],
        ...(o.secureContext === undefined ? {} : { secureContext: o.secureContext }),
      },
      this.idleMs,
    );
  }

  async send(req: WireRequest): Promise<WireResponse> {
    req.progress.sent = false;
    if (this.closed) throw codeError('ERR_CLIENT_CLOSED', 'the HTTP client is closed');
    if (req.url.protocol === 'http:') return this.h1(req, http.request, this.httpAgent);
    if (req.url.protocol !== 'https:') {
      throw codeError('ERR_INVALID_PROTOCOL', `protocol ${req.url.protocol} is not supported`);
    }
    let origin = this.origins.get(req.url.origin);
    if (origin === undefined) {
      origin = { h1: false, pooled: undefined, connecting: undefined };
      this.origins.set(req.url.origin, origin);
    }
    if (!origin.h1) {
      const pooled = await this.session(req.url, origin, req.signal);
      if (pooled !== undefined) return this.h2(req, origin, pooled);
    }
    return this.h1(req, https.request, this.httpsAgent);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connecting = [...this.origins.values()].flatMap((o) => o.connecting ?? []);
    await Promise.allSettled(connecting);
    if (this.h1Active > 0) await new Promise<void>((resolve) => this.h1Idle.push(resolve));
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    // A session closes once its streams are done; each stream has its deadline.
    await Promise.all(
      [...this.sessions].map(
        (session) =>
          new Promise<void>((resolve) => {
            if (session.destroyed) return resolve();
            session.once('close', resolve);
            // An unref'd socket would let the process exit with this promise pending.
            session.ref();
            session.close();
          }),
      ),
    );
  }

  /** What the origin (`https://host:port`) was last spoken to in, if it was: for tests and
   * measurements. */
  protocol(origin: string): 'HTTP/1.1' | 'HTTP/2' | undefined {
    const o = this.origins.get(origin);
    if (o === undefined) return undefined;
    return o.h1 || new URL(origin).protocol === 'http:' ? 'HTTP/1.1' : 'HTTP/2';
  }

  /** The origin's HTTP/2 session, connecting first if there is none; undefined when the
   * server chose HTTP/1.1. Requests arriving meanwhile wait for the same connection. */
  private async session(
    url: URL,
    origin: Origin,
    signal: AbortSignal,
  ): Promise<Pooled | undefined> {
    const pooled = origin.pooled;
    if (pooled !== undefined && !pooled.session.closed && !pooled.session.destroyed) return pooled;
    origin.pooled = undefined;
    if (origin.connecting === undefined) {
      const connecting = this.connect(url, origin).finally(() => {
        origin.connecting = undefined;
      });
      connecting.catch(() => undefined); // the waiters see the failure
      origin.connecting = connecting;
    }
    return untilAborted(origin.connecting, signal);
  }

  /** A TLS connection offering h2 and http/1.1: an HTTP/2 session on it, or, when the server
   * chose HTTP/1.1, the socket handed to the agent for the request that asked. */
  private connect(url: URL, origin: Origin): Promise<Pooled | undefined> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(url.port === '' ? 443 : url.port);
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({
        host,
        port,
        // As Node's https agent: SNI for names only, never for an address.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ALPNProtocols: ['h2', 'http/1.1'],
        ...(this.secureContext === undefined ? {} : { secureContext: this.secureContext }),
      });
      // Without it a request written right after a small frame (a WINDOW_UPDATE, an RST_STREAM)
      // waits a round trip for that frame's ACK (Nagle); Node's agents set it too.
      socket.setNoDelay(true);
      // Errors after the handshake reach the session's or the request's listeners; this one
      // only keeps an error on an idle socket from ending the process.
      socket.on('error', () => undefined);
      socket.setTimeout(this.connectTimeoutMs, () => {
        socket.destroy(codeError('ETIMEDOUT', `no TLS handshake with ${url.host} in time`));
      });
      const failed = (e: Error): void => reject(e);
      socket.once('error', failed);
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        socket.off('error', failed);
        if (socket.alpnProtocol === 'h2') {
          this.startSession(url, origin, socket).then(resolve, reject);
        } else {
          origin.h1 = true;
          this.httpsAgent.adopt(host, port, socket);
          resolve(undefined);
        }
      });
    });
  }

  private async startSession(url: URL, origin: Origin, socket: TLSSocket): Promise<Pooled> {
    const http2 = await loadHttp2();
    if (this.closed || socket.destroyed) {
      socket.destroy();
      throw codeError('ECONNRESET', `the connection to ${url.host} closed before use`);
    }
    // What the server sent before the session took the socket (its SETTINGS) is handed on by
    // Node (nodejs/node#35475).
    const session = http2.connect(url.origin, {
      createConnection: () => socket,
      settings: { enablePush: false },
    });
    const pooled: Pooled = { session, active: 0, idle: undefined };
    // A session that fails, is told to go away or closes takes no more requests; the streams
    // on it see the failure themselves.
    const drop = (): void => {
      if (origin.pooled === pooled) origin.pooled = undefined;
    };
    session.on('error', drop);
    session.once('goaway', drop);
    session.once('close', () => {
      drop();
      clearTimeout(pooled.idle);
      this.sessions.delete(session);
    });
    // Requests wait for the server's SETTINGS: sent before them, requests past its limit of
    // concurrent streams would be refused (and retried after a backoff), where nghttp2 holds
    // them until a stream is free once it knows the limit. The server sends SETTINGS first
    // thing, so this costs no round trip.
    await new Promise<void>((resolve, reject) => {
      const failed = (e?: Error): void => {
        clearTimeout(timer);
        session.destroy();
        reject(e ?? codeError('ECONNRESET', `the connection to ${url.host} closed before use`));
      };
      const timer = setTimeout(() => {
        failed(codeError('ETIMEDOUT', `no HTTP/2 SETTINGS from ${url.host} in time`));
      }, this.connectTimeoutMs);
      session.once('remoteSettings', () => {
        clearTimeout(timer);
        session.off('error', failed);
        session.off('close', failed);
        resolve();
      });
      session.once('error', failed);
      session.once('close', failed);
    });
    // An idle session does not keep the process alive; a request's deadline timer does.
    session.unref();
    this.sessions.add(session);
    origin.pooled = pooled;
    this.idleSoon(origin, pooled);
    return pooled;
  }

  /** Stops giving `pooled` new requests and closes it once its streams are done. */
  private retire(origin: Origin, pooled: Pooled): void {
    if (origin.pooled === pooled) origin.pooled = undefined;
    if (!pooled.session.closed) pooled.session.close();
  }

  private idleSoon(origin: Origin, pooled: Pooled): void {
    clearTimeout(pooled.idle);
    pooled.idle = setTimeout(() => this.retire(origin, pooled), this.idleMs);
    pooled.idle.unref();
  }

  private h2(req: WireRequest, origin: Origin, pooled: Pooled): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ':method': req.method };
      headers[':path'] = `${req.url.pathname}${req.url.search}`;
      for (const [name, value] of Object.entries(req.headers)) {
        if (!NOT_H2_HEADERS.has(name)) headers[name] = value;
      }
      let stream: ClientHttp2Stream;
      try {
        stream = pooled.session.request(headers, { endStream: req.body === undefined });
      } catch (e) {
        // The session closed under us (GOAWAY): nothing was sent; the retry takes a new one.
        this.retire(origin, pooled);
        reject(asError(e));
        return;
      }
      req.progress.sent = true;
      pooled.active++;
      clearTimeout(pooled.idle);
      // Node ends the body the same way whether END_STREAM came or the stream was reset or its
      // connection lost mid-body (it pushes the end when the stream closes). END_STREAM is the
      // one end that comes while the stream is still open.
      let complete = false;
      const push = stream.push.bind(stream);
      stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
        if (chunk === null && !stream.closed) complete = true;
        return push(chunk, encoding);
      };
      const onAbort = (): void => {
        // A session that lets a request stall may be a dead connection: later requests and
        // the retry get a new one, as a new socket replaces a timed-out HTTP/1.1 one.
        this.retire(origin, pooled);
        stream.destroy(req.signal.reason as Error);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      stream.on('error', (e: Error) => {
        reject(
          stream.rstCode === REFUSED_STREAM
            ? codeError('H2_REFUSED_STREAM', 'the server refused the HTTP/2 stream', e)
            : e,
        );
      });
      stream.once('close', () => {
        req.signal.removeEventListener('abort', onAbort);
        if (--pooled.active === 0 && origin.pooled === pooled) this.idleSoon(origin, pooled);
        reject(codeError('H2_STREAM_CLOSED', 'the HTTP/2 stream closed before an answer'));
      });
      stream.once('response', (h: IncomingHttpHeaders) => {
        const { ':status': status, ...rest } = h;
        resolve({
          status: Number(status),
          headers: withoutPseudoHeaders(rest),
          body: h2Body(stream, () => complete),
          discard: () => stream.destroy(),
        });
      });
      if (req.body !== undefined) stream.end(req.body);
    });
  }

  private h1(
    req: WireRequest,
    request: typeof http.request,
    agent: http.Agent,
  ): Promise<WireResponse> {
    return new Promise((resolve, reject) => {
      this.h1Active++;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        if (--this.h1Active === 0) for (const done of this.h1Idle.splice(0)) done();
      };
      let res: http.IncomingMessage | undefined;
      let cr: http.ClientRequest;
      try {
        cr = request(req.url, { method: req.method, headers: req.headers, agent, timeout: 0 });
      } catch (e) {
        release();
        reject(asError(e));
        return;
      }
      const onAbort = (): void => {
        const why = req.signal.reason as Error;
        cr.destroy(why);
        res?.destroy(why);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      cr.once('close', () => {
        if (res === undefined) release();
      });
      cr.on('socket', (socket) => {
        if (!socket.connecting) {
          req.progress.sent = true;
          return;
        }
        const ready = agent === this.httpAgent ? 'connect' : 'secureConnect';
        socket.once(ready, () => {
          req.progress.sent = true;
        });
      });
      // After the answer began, a socket error ends its body with that error, unless the body
      // was whole: bytes past its declared length fail to parse as a next answer, and the
      // socket is dropped for them, not the answer.
      cr.on('error', (e) => {
        if (res === undefined) reject(e);
        else if (!res.complete) res.destroy(e);
      });
      cr.once('response', (r: http.IncomingMessage) => {
        res = r;
        r.on('error', () => undefined); // surfaces through the body's iteration
        r.once('close', () => {
          req.signal.removeEventListener('abort', onAbort);
          release();
        });
        resolve({
          status: r.statusCode ?? 0,
          headers: r.headers,
          body: r,
          discard: () => r.destroy(),
        });
      });
      cr.end(req.body);
    });
  }
}

async function* h2Body(stream: ClientHttp2Stream, complete: () => boolean): AsyncGenerator<Buffer> {
  for await (const chunk of stream) yield chunk as Buffer;
  if (!complete()) {
    throw codeError('H2_STREAM_CLOSED', 'the HTTP/2 stream closed before the end of its body');
  }
}

function withoutPseudoHeaders(
  h: Record<string, string | string[] | number | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(h)) {
    if (!k.startsWith(':')) out[k] = typeof v === 'number' ? String(v) : v;
  }
  return out;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** `p`, or the signal's reason if it is aborted first. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * An https agent that can be handed a connection made elsewhere: the one that asked the server
 * by ALPN which protocol it speaks, and was answered HTTP/1.1, is used for the request that
 * asked rather than thrown away.
 */
class AdoptingAgent extends https.Agent {
  private readonly spare = new Map<string, TLSSocket[]>();

  constructor(
    opts: https.AgentOptions,
    private readonly idleMs: number,
  ) {
    super(opts);
  }

  adopt(host: string, port: number, socket: TLSSocket): void {
    const key = `${host}:${port}`;
    const list = this.spare.get(key) ?? [];
    list.push(socket);
    this.spare.set(key, list);
    socket.setTimeout(this.idleMs, () => socket.destroy());
    socket.unref();
    socket.once('close', () => {
      const i = list.indexOf(socket);
      if (i >= 0) list.splice(i, 1);
    });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: Parameters<https.Agent['createConnection']>[1],
  ): ReturnType<https.Agent['createConnection']> {
    const list = this.spare.get(`${options.host}:${options.port}`);
    for (let socket = list?.shift(); socket !== undefined; socket = list?.shift()) {
      if (socket.destroyed) continue;
      socket.setTimeout(0);
      socket.ref();
      return socket;
    }
    return super.createConnection(options, callback);
  }

  override destroy(): void {
    for (const list of this.spare.values()) for (const s of list.splice(0)) s.destroy();
    super.destroy();
  }
}
