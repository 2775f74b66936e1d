// Records the requests one action run makes, for the floor program (floor.ts) to replay: an
// HTTPS reverse proxy in front of the real notary-server (the run's `trust-server` points at
// it) keeps each request's method, path, headers, body and timing; the registry's own log
// (docker-registry writes one "response completed" line per request at level info) gives the
// registry's requests, whose host is part of the repository name and so cannot be proxied.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** content-type of a request with a body (the multipart boundary is in it). */
  contentType?: string;
  body?: Buffer;
  status: number;
  responseBytes: number;
  /** ms since the recorder started: request arrival, response end. */
  start: number;
  end: number;
}

export interface Recorder {
  url: string;
  log: RecordedRequest[];
  close(): Promise<void>;
}

const readAll = async (s: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

export async function startRecorder(opts: {
  target: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}): Promise<Recorder> {
  const target = new URL(opts.target);
  const agent = new Agent({ keepAlive: true, ca: opts.caPem });
  const log: RecordedRequest[] = [];
  const t0 = performance.now();
  const server = createServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => {
    const start = performance.now() - t0;
    void (async () => {
      const body = await readAll(req);
      const up = await new Promise<IncomingMessage>((resolve, reject) => {
        const r = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: target.host },
            agent,
          },
          resolve,
        );
        r.once('error', reject);
        r.end(body);
      });
      const answer = await readAll(up);
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.end(answer);
      log.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        ...(body.length > 0
          ? {
              body,
              ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
            }
          : {}),
        status: up.statusCode ?? 502,
        responseBytes: answer.length,
        start,
        end: performance.now() - t0,
      });
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    log,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/**
 * The registry's requests logged after byte `from` of its log: method and URI of each
 * "response completed" line (logfmt), in order.
 */
export async function registryRequests(
  logFile: string,
  from: number,
): Promise<{ method: string; path: string }[]> {
  const text = (await readFile(logFile)).subarray(from).toString('utf8');
  const out: { method: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('response completed')) continue;
    const method = /http\.request\.method=(\w+)/.exec(line)?.[1];
    const uri = /http\.request\.uri="?([^"\s]+)/.exec(line)?.[1];
    if (method !== undefined && uri !== undefined) out.push({ method, path: uri });
  }
  return out;
}

/**
 * Requests grouped as the run made them: a request that arrived before every request of the
 * current group had been answered ran beside them (same group); otherwise it waited for them.
 */
export function stagesOf(log: RecordedRequest[]): RecordedRequest[][] {
  const sorted = [...log].sort((a, b) => a.start - b.start);
  const stages: RecordedRequest[][] = [];
  let lastEnd = -Infinity;
  for (const r of sorted) {
    if (stages.length > 0 && r.start < lastEnd) {
      stages[stages.length - 1].push(r);
      lastEnd = Math.max(lastEnd, r.end);
    } else {
      stages.push([r]);
      lastEnd = r.end;
    }
  }
  return stages;
}
