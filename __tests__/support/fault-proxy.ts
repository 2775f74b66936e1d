/**
 * An HTTPS proxy in front of the real notary-server that injects what the real server cannot
 * be made to do: 5xx answers, reset connections, stalls, truncated bodies, tampered or
 * replayed metadata. Everything else is passed through unchanged.
 */
import { createServer, type Server } from 'node:https';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
}

export type FaultAction =
  // Answer `status` instead of the server; with `forward`, after the server handled it (a
  // gateway whose upstream answer was lost).
  | { kind: 'status'; status: number; body?: string | Buffer; forward?: boolean }
  | { kind: 'reset' } // close the socket before answering
  | { kind: 'reset-after-forward' } // forward to the server, then drop the answer
  | { kind: 'stall'; ms: number } // say nothing for `ms`, then close
  // Send the headers and `keep` bytes, then close. `declare: 'kept'` announces only the kept
  // length, so the cut cannot be seen at the HTTP level (default: the full length).
  | { kind: 'truncate'; keep: number; declare?: 'full' | 'kept' }
  | { kind: 'replace'; body: (original: Buffer, req: ProxiedRequest) => Buffer };

export interface FaultRule {
  match: (req: ProxiedRequest) => boolean;
  action: FaultAction;
  /** How many matching requests to hit; default unlimited. */
  times?: number;
}

export interface FaultProxy {
  url: string;
  rules: FaultRule[];
  /** Every request seen, with what was done to it. */
  log: (ProxiedRequest & { fault?: FaultAction['kind']; status?: number; upstream?: number })[];
  /** Told when a request starts to stall, so a test can end the client's wait for it at once
   * instead of on the wall clock. */
  onStall?: (req: ProxiedRequest) => void;
  close(): Promise<void>;
}

export async function startFaultProxy(opts: {
  target: string; // https://127.0.0.1:PORT of the real server
  caPem: string;
  certPem: string;
  keyPem: string;
}): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const rules: FaultRule[] = [];
  const log: FaultProxy['log'] = [];
  const sockets = new Set<Socket>();
  // Read by the handler for `onStall`; its URL is known once the server listens.
  const proxy: FaultProxy = { url: '', rules, log, close: () => Promise.resolve() };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const up = httpsRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          ca: opts.caPem,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 502,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const pick = (r: ProxiedRequest): FaultAction | undefined => {
    for (const rule of rules) {
      if (rule.times !== undefined && rule.times <= 0) continue;
      if (!rule.match(r)) continue;
      if (rule.times !== undefined) rule.times -= 1;
      return rule.action;
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const r: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/' };
    const action = pick(r);
    const entry: FaultProxy['log'][number] = { ...r, fault: action?.kind };
    log.push(entry);
    if (action?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action?.kind === 'stall') {
      setTimeout(() => req.socket.destroy(), action.ms).unref();
      proxy.onStall?.(r);
      return;
    }
    if (action?.kind === 'status') {
      if (action.forward === true) entry.upstream = (await forward(req, body)).status;
      entry.status = action.status;
      res.writeHead(action.status, { 'content-type': 'application/json' });
      res.end(action.body ?? '{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}');
      return;
    }
    const up = await forward(req, body);
    entry.status = up.status;
    if (action?.kind === 'reset-after-forward') {
      req.socket.destroy();
      return;
    }
    const headers = { ...up.headers };
    delete headers['transfer-encoding'];
    delete headers['connection'];
    let out = up.body;
    if (action?.kind === 'replace') out = action.body(up.body, r);
    if (action?.kind === 'truncate') {
      const kept = out.subarray(0, action.keep);
      if (action.declare === 'kept') {
        headers['content-length'] = String(kept.length);
        res.writeHead(up.status, headers);
        res.end(kept);
        return;
      }
      headers['content-length'] = String(out.length);
      res.writeHead(up.status, headers);
      // Destroy only once the kept bytes are flushed, or the client sees no answer at all.
      res.write(kept, () => req.socket.destroy());
      return;
    }
    headers['content-length'] = String(out.length);
    res.writeHead(up.status, headers);
    res.end(out);
  };

  const server: Server = createServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.url = `https://127.0.0.1:${port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** Matches GETs of a role file (`targets/releases`), by name or checksum address. */
export function roleFile(role: string): (r: ProxiedRequest) => boolean {
  const escaped = role.replace(/[/.]/g, (c) => `\\${c}`);
  const re = new RegExp(`/_trust/tuf/(\\d+\\.)?${escaped}(\\.[0-9a-f]{64,128})?\\.json$`);
  return (r) => r.method === 'GET' && re.test(r.path);
}
