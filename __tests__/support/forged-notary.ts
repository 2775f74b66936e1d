/**
 * A forged trust server and registry in one, for what the real notary-server cannot be made to
 * serve (hand-made or hostile trust data signed by keys the test holds, tuf/helpers/repo.ts):
 * the notary API paths of notary-spec.md §5.1 and registry manifests over HTTPS. Publishes are
 * recorded and answered 200; `onPublish` may store them. `intercept` answers first, for
 * faults. `go()` runs the Go notary CLI against it, to learn Go's verdict on the same bytes.
 *
 * `manage(gun)` makes it answer for that GUN as notary-server does for a repository whose
 * timestamp and snapshot keys it holds (notary-spec.md §5.1, §5.3): `GET <role>.key` (one key
 * per role, made on first ask), `POST <role>.key` (a new key, used once a root names it),
 * `DELETE …/tuf/`, and publishes stored with a server-signed snapshot (unless the publish
 * has one) and timestamp. Nothing published is validated: tests judge the stored result.
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
import { signEnvelope } from '../../src/tuf/envelope.js';
import {
  asRoot,
  asSnapshot,
  asTimestamp,
  metaFileFor,
  updatedSnapshot,
  type SnapshotMeta,
} from '../../src/tuf/models.js';
import { addDays, goTime } from '../../src/tuf/time.js';
import { newKey, type TestKey, type TestRepo } from '../tuf/helpers/repo.js';
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

/** A GUN the forged server answers for as notary-server would (`manage`). */
export class ManagedRepo {
  /** Every key the server made per role, oldest first. */
  readonly keys = { timestamp: [] as TestKey[], snapshot: [] as TestKey[] };
  /** Number of DELETEs of the trust data answered. */
  deletes = 0;
  /** The clock the server signs with. */
  now = (): Date => new Date();

  /** The role's key: the one the stored root names, else the newest (made if none). */
  key(role: 'timestamp' | 'snapshot', root?: Buffer): TestKey {
    const held = this.keys[role];
    if (held.length === 0) held.push(newKey('ecdsa'));
    const named = root === undefined ? [] : asRoot(signedOf(root)).roles[role].keyids;
    return held.find((k) => named.includes(k.id)) ?? held[held.length - 1];
  }
}

export class ForgedNotary {
  readonly repos = new Map<string, ForgedFiles>();
  readonly managed = new Map<string, ManagedRepo>();
  /** `<repository>:<tag>` → manifest bytes. */
  readonly manifests = new Map<string, Buffer>();
  /** Blobs uploaded (distribution spec: POST, then a monolithic PUT), by digest. */
  readonly blobs = new Map<string, Buffer>();
  /** Manifests written with PUT, in order: repository, reference, media type, bytes. */
  readonly manifestPuts: { repository: string; reference: string; type: string; bytes: Buffer }[] =
    [];
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

  /** Answers for `gun` as notary-server does (see the file's comment); keeps what it serves. */
  manage(gun: string): ManagedRepo {
    const m = new ManagedRepo();
    this.managed.set(gun, m);
    return m;
  }

  /**
   * Makes trust-server requests need a bearer token, as a notary-server behind a token service
   * does: a request without one gets 401 with a challenge, `/token` answers any scope. Returns
   * the scopes asked for, in order.
   */
  requireTokens(): string[] {
    const scopes: string[] = [];
    this.intercept = (req, res) => {
      const url = new URL(req.path, this.origin);
      if (url.pathname === '/token') {
        scopes.push(url.searchParams.get('scope') ?? '');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: 'tok', expires_in: 300 }));
        return true;
      }
      if (url.pathname.includes('/_trust/') && req.headers.authorization === undefined) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${this.origin}/token",service="notary"`,
        });
        res.end();
        return true;
      }
      return false;
    };
    return scopes;
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
    if (this.answerRegistryWrite(req, res, path)) return;
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
    const managed = this.managed.get(tuf[1]);
    if (managed !== undefined && this.answerManaged(req, res, tuf[1], tuf[2], managed)) return;
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

  /** Blob uploads, blob reads and manifest writes, as a registry answers them. */
  private answerRegistryWrite(req: SeenRequest, res: ServerResponse, path: string): boolean {
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (blob !== null && (req.method === 'HEAD' || req.method === 'GET')) {
      const bytes = this.blobs.get(blob[2]);
      if (bytes === undefined) notFound(res, 'BLOB_UNKNOWN');
      else if (req.method === 'HEAD') res.writeHead(200, { 'content-length': bytes.length }).end();
      else this.send(res, 'application/octet-stream', bytes);
      return true;
    }
    const start = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(path);
    if (start !== null && req.method === 'POST') {
      const location = `/v2/${start[1]}/blobs/uploads/u${this.blobs.size}-${Date.now()}`;
      res.writeHead(202, { location, 'content-length': 0 }).end();
      return true;
    }
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/[^/]+$/.exec(path);
    if (upload !== null && req.method === 'PUT') {
      const digest = new URL(req.path, this.origin).searchParams.get('digest');
      if (digest !== `sha256:${sha256hex(req.body)}`) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'digest' }] }));
      } else {
        this.blobs.set(digest, req.body);
        res.writeHead(201, { location: `/v2/${upload[1]}/blobs/${digest}` }).end();
      }
      return true;
    }
    const put = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (put !== null && req.method === 'PUT') {
      const type = String(req.headers['content-type']);
      this.manifestPuts.push({ repository: put[1], reference: put[2], type, bytes: req.body });
      this.manifests.set(`${put[1]}:${put[2]}`, req.body);
      const digest = `sha256:${sha256hex(req.body)}`;
      res.writeHead(201, { 'docker-content-digest': digest }).end();
      return true;
    }
    return false;
  }

  /** notary-server's key, delete and publish answers for a managed GUN; false for the rest. */
  private answerManaged(
    req: SeenRequest,
    res: ServerResponse,
    gun: string,
    name: string,
    m: ManagedRepo,
  ): boolean {
    const keyRole = /^(timestamp|snapshot)\.key$/.exec(name)?.[1] as
      'timestamp' | 'snapshot' | undefined;
    const stored = this.repos.get(gun);
    if (keyRole !== undefined && (req.method === 'GET' || req.method === 'POST')) {
      if (req.method === 'POST') m.keys[keyRole].push(newKey('ecdsa'));
      const key =
        req.method === 'POST'
          ? m.keys[keyRole][m.keys[keyRole].length - 1]
          : m.key(keyRole, stored?.files.get('root'));
      this.send(res, 'application/json', Buffer.from(JSON.stringify(key.tuf)));
      return true;
    }
    if (req.method === 'DELETE' && name === '') {
      m.deletes++;
      this.repos.delete(gun);
      res.writeHead(200).end();
      return true;
    }
    if (req.method !== 'POST' || name !== '') return false;
    const p = { gun, files: parseMultipart(req) };
    this.published.push(p);
    const repo = stored ?? { files: new Map<string, Buffer>(), roots: new Map<number, Buffer>() };
    for (const [role, bytes] of p.files) {
      repo.files.set(role, bytes);
      if (role === 'root') {
        const version = asRoot(signedOf(bytes)).version;
        repo.roots.set(version, bytes);
      }
    }
    const now = m.now();
    const root = repo.files.get('root');
    if (!p.files.has('snapshot')) {
      const old = repo.files.get('snapshot');
      const prev: SnapshotMeta =
        old === undefined
          ? { _type: 'Snapshot', expires: '', meta: {}, version: 0 }
          : asSnapshot(signedOf(old));
      const listed = new Map(
        [...repo.files].filter(([role]) => role !== 'timestamp' && role !== 'snapshot'),
      );
      const snap = updatedSnapshot(prev, listed, now);
      repo.files.set('snapshot', signEnvelope(snap, [m.key('snapshot', root).signer]).bytes);
    }
    const oldTs = repo.files.get('timestamp');
    const version = oldTs === undefined ? 1 : asTimestamp(signedOf(oldTs)).version + 1;
    const ts = {
      _type: 'Timestamp' as const,
      expires: goTime(addDays(now, 14)),
      meta: { snapshot: metaFileFor(repo.files.get('snapshot')!) },
      version,
    };
    repo.files.set('timestamp', signEnvelope(ts, [m.key('timestamp', root).signer]).bytes);
    this.repos.set(gun, repo);
    this.onPublish?.(p);
    res.writeHead(200).end();
    return true;
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

/** The `signed` part of a metadata file, as stored (not checked: tests judge what was sent). */
function signedOf(bytes: Buffer): unknown {
  return (JSON.parse(bytes.toString()) as { signed: unknown }).signed;
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
