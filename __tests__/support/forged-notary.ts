/**
 * A forged trust server and registry in one, for what the real notary-server cannot be made to
 * serve (hand-made or hostile trust data signed by keys the test holds, tuf/helpers/repo.ts):
 * the notary API paths of notary-spec.md §5.1 and registry manifests over HTTPS. Publishes are
 * recorded and answered 200; `onPublish` may store them. `intercept` answers first, for
 * faults. `go()` runs the Go notary CLI against it, to learn Go's verdict on the same bytes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import {
  makePki,
  startFakeServer,
  type FakeServer,
  type SeenRequest,
  type TestPki,
} from '../http/fake-server.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets } from '../../src/tuf/models.js';
import type { TestRepo } from '../tuf/helpers/repo.js';
import { NOTARY_BIN } from './servers.js';

export interface ForgedFiles {
  /** Current files by role: root, timestamp, snapshot, targets, targets/…. */
  files: Map<string, Buffer>;
  /** Roots by version, for `N.root.json`. */
  roots: Map<number, Buffer>;
}

export interface Publish {
  gun: string;
  files: Map<string, Buffer>;
}

export class ForgedNotary {
  readonly repos = new Map<string, ForgedFiles>();
  /** `<repository>:<tag>` → manifest bytes. */
  readonly manifests = new Map<string, Buffer>();
  readonly published: Publish[] = [];
  /** Called for each publish after it is recorded; the answer stays 200. */
  onPublish?: (p: Publish) => void;
  /** Gzips every answer with a body, whatever the request's Accept-Encoding (a proxy). */
  gzipAll = false;
  /** Answers a request itself when it returns true. */
  intercept?: (req: SeenRequest, res: ServerResponse) => boolean;
  /** Every file ever served, by sha256 hex: checksum addresses stay valid, as on the server. */
  private readonly byChecksum = new Map<string, Buffer>();

  private constructor(
    readonly pki: TestPki,
    readonly fake: FakeServer,
    private readonly dir: string,
  ) {
    fake.handle((req, res) => this.answer(req, res));
  }

  static async start(): Promise<ForgedNotary> {
    const pki = await makePki();
    const fake = await startFakeServer(pki);
    const dir = await mkdtemp(join(tmpdir(), 'dct-forged-'));
    await writeFile(join(dir, 'ca.crt'), pki.caPem);
    return new ForgedNotary(pki, fake, dir);
  }

  get origin(): string {
    return this.fake.origin;
  }

  /** `127.0.0.1:PORT`: the registry part of GUNs served here. */
  get host(): string {
    return new URL(this.fake.origin).host;
  }

  /** Serves the repository's current files (a copy: later edits need another `serve`). */
  serve(repo: TestRepo): void {
    const f = repo.fetcher();
    this.repos.set(repo.gun, { files: new Map(f.files), roots: new Map(f.roots) });
  }

  /** Stores each publish into `repo` as the server would (a new snapshot and timestamp). */
  storeInto(repo: TestRepo): void {
    this.onPublish = (p) => {
      for (const [role, bytes] of p.files) {
        if (role !== 'snapshot') repo.targets.set(role, parseEnvelope(bytes, role, asTargets));
      }
      repo.publish();
      this.serve(repo);
    };
  }

  /** Replaces one served file of `gun` (e.g. a tampered one). */
  setFile(gun: string, role: string, bytes: Buffer): void {
    this.repos.get(gun)!.files.set(role, bytes);
  }

  /** Stores a manifest under `<repository>:<tag>`; returns its digest and size. */
  pushImage(repository: string, tag: string, seed = tag): { digest: string; size: number } {
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: `sha256:${createHash('sha256').update(seed).digest('hex')}`,
          size: seed.length,
        },
        layers: [],
      }),
    );
    this.manifests.set(`${repository}:${tag}`, manifest);
    return { digest: `sha256:${sha256hex(manifest)}`, size: manifest.length };
  }

  /** Runs `notary -s <origin> … args` with a trust dir of its own (or `trustDir`). */
  async go(
    args: string[],
    trustDir?: string,
  ): Promise<{ code: number; stdout: string; stderr: string; trustDir: string }> {
    const dir = trustDir ?? (await mkdtemp(join(this.dir, 'trust-')));
    const full = ['-s', this.origin, '--tlscacert', join(this.dir, 'ca.crt'), '-d', dir, ...args];
    return new Promise((resolve) => {
      execFile(
        NOTARY_BIN,
        full,
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr, trustDir: dir });
        },
      );
    });
  }

  async close(): Promise<void> {
    await this.fake.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  private answer(req: SeenRequest, res: ServerResponse): void {
    if (this.intercept?.(req, res) === true) return;
    const path = decodeURIComponent(req.path.split('?')[0]);
    if (path === '/v2/' || path === '/v2')
      return this.send(res, 'application/json', Buffer.from('{}'));
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest !== null) {
      const bytes = this.manifest(manifest[1], manifest[2]);
      if (bytes === undefined) return notFound(res, 'MANIFEST_UNKNOWN');
      const digest = { 'docker-content-digest': `sha256:${sha256hex(bytes)}` };
      this.send(res, 'application/vnd.oci.image.manifest.v1+json', bytes, digest);
      return;
    }
    const tuf = /^\/v2\/(.+)\/_trust\/tuf\/(.*)$/.exec(path);
    const repo = tuf === null ? undefined : this.repos.get(tuf[1]);
    if (tuf === null) return notFound(res, 'NAME_UNKNOWN');
    if (req.method === 'POST' && tuf[2] === '') {
      const p = { gun: tuf[1], files: parseMultipart(req) };
      this.published.push(p);
      this.onPublish?.(p);
      res.writeHead(200).end();
      return;
    }
    const bytes = repo === undefined ? undefined : this.file(repo, tuf[2]);
    if (bytes === undefined) return notFound(res, 'METADATA_NOT_FOUND');
    this.byChecksum.set(sha256hex(bytes), bytes);
    this.send(res, 'application/json', bytes);
  }

  private send(
    res: ServerResponse,
    type: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ): void {
    const encoded = this.gzipAll ? { 'content-encoding': 'gzip' } : {};
    res.writeHead(200, { 'content-type': type, ...headers, ...encoded });
    res.end(this.gzipAll ? gzipSync(body) : body);
  }

  private manifest(repository: string, reference: string): Buffer | undefined {
    if (!reference.startsWith('sha256:')) return this.manifests.get(`${repository}:${reference}`);
    return [...this.manifests.values()].find((m) => `sha256:${sha256hex(m)}` === reference);
  }

  private file(repo: ForgedFiles, name: string): Buffer | undefined {
    const versioned = /^(\d+)\.(.+)\.json$/.exec(name);
    if (versioned !== null) {
      return versioned[2] === 'root' ? repo.roots.get(Number(versioned[1])) : undefined;
    }
    const addressed = /^(.+)\.([0-9a-f]{64})\.json$/.exec(name);
    if (addressed !== null) {
      const current = repo.files.get(addressed[1]);
      if (current !== undefined && sha256hex(current) === addressed[2]) return current;
      return this.byChecksum.get(addressed[2]);
    }
    const plain = /^(.+)\.json$/.exec(name);
    return plain === null ? undefined : repo.files.get(plain[1]);
  }
}

function notFound(res: ServerResponse, code: string): void {
  res
    .writeHead(404, { 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code, message: 'not found', detail: {} }] }));
}

function sha256hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The role files of a notary publish (notary-spec.md §5.3): filename → exact bytes. */
export function parseMultipart(req: SeenRequest): Map<string, Buffer> {
  const boundary = /boundary=([^;]+)/.exec(String(req.headers['content-type']))?.[1];
  const files = new Map<string, Buffer>();
  if (boundary === undefined) return files;
  const sep = Buffer.from(`--${boundary}`);
  let at = req.body.indexOf(sep);
  while (at !== -1) {
    const start = at + sep.length;
    const next = req.body.indexOf(sep, start);
    if (next === -1) break;
    const part = req.body.subarray(start + 2, next - 2); // CRLF after the boundary and before the next
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const name = /filename="((?:[^"\\]|\\.)*)"/.exec(head)?.[1].replace(/\\(.)/g, '$1');
    if (name !== undefined) files.set(name, part.subarray(split + 4));
    at = next;
  }
  return files;
}
