// The Actions cache service (the v1 REST API @actions/cache speaks when ACTIONS_CACHE_URL is
// set) on loopback, so the bundled action keeps its trust cache between runs as on GitHub:
// entries are immutable, looked up by exact key then by key prefix (newest first), and only
// for the same version (the hash of the paths they were saved from).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Entry {
  key: string;
  version: string;
  archive: Buffer;
  committed: boolean;
}

export class ActionsCacheService {
  readonly entries: Entry[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ActionsCacheService> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const service = new ActionsCacheService(server, `http://127.0.0.1:${port}/`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      service.handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(e) }));
      });
    });
    return service;
  }

  /** What a runner sets for a step that may use the cache. */
  get env(): Record<string, string> {
    return { ACTIONS_CACHE_URL: this.url, ACTIONS_RUNTIME_TOKEN: 'runtime-token' };
  }

  /** Keys of the committed entries, oldest first. */
  get keys(): string[] {
    return this.entries.filter((e) => e.committed).map((e) => e.key);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => resolve(Buffer.concat(parts)));
      req.on('error', reject);
    });
    const json = (status: number, value?: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    const path = url.pathname;
    const byId = /^\/_apis\/artifactcache\/caches\/(\d+)$/.exec(path);
    const archive = /^\/archives\/(\d+)$/.exec(path);
    if (req.method === 'GET' && path === '/_apis/artifactcache/cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',');
      const version = url.searchParams.get('version');
      const usable = this.entries.filter((e) => e.committed && e.version === version).reverse();
      const hit =
        usable.find((e) => e.key === keys[0]) ??
        keys
          .slice(1)
          .map((prefix) => usable.find((e) => e.key.startsWith(prefix)))
          .find((e) => e !== undefined);
      if (hit === undefined) return json(204);
      return json(200, {
        cacheKey: hit.key,
        scope: 'refs/heads/main',
        archiveLocation: `${this.url}archives/${this.entries.indexOf(hit)}`,
      });
    }
    if (req.method === 'GET' && archive) {
      const entry = this.entries[Number(archive[1])];
      res.writeHead(200, { 'content-length': entry.archive.length });
      res.end(entry.archive);
      return;
    }
    if (req.method === 'POST' && path === '/_apis/artifactcache/caches') {
      const { key, version } = JSON.parse(body.toString('utf8')) as {
        key: string;
        version: string;
      };
      if (this.entries.some((e) => e.key === key && e.version === version)) {
        return json(409, { message: `cache entry ${key} exists` });
      }
      this.entries.push({ key, version, archive: Buffer.alloc(0), committed: false });
      // IDs from 1: @actions/cache takes a 0 for no ID.
      return json(201, { cacheId: this.entries.length });
    }
    if (req.method === 'PATCH' && byId) {
      const entry = this.entries[Number(byId[1]) - 1];
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(String(req.headers['content-range']));
      if (entry === undefined || entry.committed || range === null) return json(400);
      const start = Number(range[1]);
      const grown = Buffer.alloc(Math.max(entry.archive.length, start + body.length));
      entry.archive.copy(grown);
      body.copy(grown, start);
      entry.archive = grown;
      return json(204);
    }
    if (req.method === 'POST' && byId) {
      const entry = this.entries[Number(byId[1]) - 1];
      const { size } = JSON.parse(body.toString('utf8')) as { size: number };
      if (entry === undefined || entry.archive.length !== size) return json(400);
      entry.committed = true;
      return json(204);
    }
    json(404, { message: `no route ${req.method} ${path}` });
  }
}
