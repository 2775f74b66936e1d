/**
 * Requests through a proxy named by https_proxy/HTTPS_PROXY/http_proxy/HTTP_PROXY (with
 * NO_PROXY): undici's EnvHttpProxyAgent. undici is imported only here and only when such a
 * variable is set, so the bundle keeps it in a chunk of its own that a run without a proxy
 * never evaluates (transport.ts says why).
 */
import type { SecureContext } from 'node:tls';
import type { Dispatcher, EnvHttpProxyAgent } from 'undici';
import {
  SOCKETS_PER_ORIGIN,
  type Transport,
  type WireRequest,
  type WireResponse,
} from './transport.js';

export function proxyConfigured(): boolean {
  const env = process.env;
  return [env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY].some(
    (v) => v !== undefined && v !== '',
  );
}

/** A transport through the proxy the environment names; undici is loaded at its first request. */
export function proxyTransport(o: { secureContext?: SecureContext; timeoutMs: number }): Transport {
  let loaded: Promise<Transport> | undefined;
  const load = (): Promise<Transport> => (loaded ??= undiciTransport(o));
  return {
    send: async (req) => (await load()).send(req),
    close: async () => {
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}

async function undiciTransport(o: {
  secureContext?: SecureContext;
  timeoutMs: number;
}): Promise<Transport> {
  const undici = await import('undici');
  const tlsOpts = o.secureContext === undefined ? {} : { secureContext: o.secureContext };
  // Through a proxy the target's TLS options are `requestTls` (undici ProxyAgent), which
  // EnvHttpProxyAgent passes on although its type does not list them.
  const opts = {
    connect: { ...tlsOpts, timeout: o.timeoutMs },
    connections: SOCKETS_PER_ORIGIN,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    requestTls: tlsOpts,
    proxyTls: tlsOpts,
  };
  const dispatcher = envProxyAgent(undici.EnvHttpProxyAgent, opts);
  return {
    async send(req: WireRequest): Promise<WireResponse> {
      const res = await undici.request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal: req.signal,
      });
      // An 'error' on a body nothing listens to would end the process; errors surface
      // through the body's iteration.
      res.body.on('error', () => undefined);
      return {
        status: res.statusCode,
        headers: res.headers,
        body: res.body as AsyncIterable<Buffer>,
        discard: () => res.body.destroy(),
      };
    },
    close: () => dispatcher.close(),
  };
}

/**
 * undici's EnvHttpProxyAgent, without the "EnvHttpProxyAgent is experimental" process warning
 * it emits (synchronously, code UNDICI-EHPA) when made: that line in a user's log reads as a
 * fault of the run. Every other warning passes.
 */
function envProxyAgent(
  Agent: typeof EnvHttpProxyAgent,
  opts: EnvHttpProxyAgent.Options,
): EnvHttpProxyAgent {
  const emit = process.emitWarning.bind(process) as (...a: unknown[]) => void;
  const original = Object.getOwnPropertyDescriptor(process, 'emitWarning');
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const o = rest[0] as { code?: unknown } | undefined;
    if (typeof o === 'object' && o !== null && o.code === 'UNDICI-EHPA') return;
    emit(warning, ...rest);
  };
  try {
    return new Agent(opts);
  } finally {
    if (original !== undefined) Object.defineProperty(process, 'emitWarning', original);
    else Reflect.deleteProperty(process, 'emitWarning'); // inherited: uncover it again
  }
}
